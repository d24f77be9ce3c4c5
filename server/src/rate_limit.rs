//! The per-connection limit on incoming messages.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::config::Limits;

/// The window over which dropped messages count towards closing the
/// connection, and the shortest time between two `rate_limited` errors.
const WINDOW: Duration = Duration::from_secs(10);
const ERROR_INTERVAL: Duration = Duration::from_secs(1);

/// The decision for one incoming message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Handle it.
    Allow,
    /// Drop it; `notify` is true when the client should get a
    /// `rate_limited` error, at most once a second. `dropped` counts the
    /// messages dropped in the current window.
    Drop {
        /// Whether to send an error now.
        notify: bool,
        /// The messages dropped in the current window.
        dropped: u32,
    },
    /// The client dropped more than the abuse limit in one window: close
    /// the connection.
    Abuse,
}

/// A token bucket over a connection's messages (GCRA, from `governor`),
/// with a count of the messages it dropped.
pub struct RateLimit {
    limiter: DefaultDirectRateLimiter,
    abuse_limit: u32,
    window_start: Instant,
    dropped: u32,
    last_error: Option<Instant>,
}

impl RateLimit {
    /// Returns a limiter with the rates of `limits`; zero rates count as
    /// one.
    pub fn new(limits: &Limits) -> Self {
        let rate = NonZeroU32::new(limits.messages_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.message_burst).unwrap_or(NonZeroU32::MIN);
        RateLimit {
            limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            abuse_limit: limits.abuse_limit,
            window_start: Instant::now(),
            dropped: 0,
            last_error: None,
        }
    }

    /// Counts one message and decides what to do with it.
    pub fn check(&mut self) -> Decision {
        if self.limiter.check().is_ok() {
            return Decision::Allow;
        }
        let now = Instant::now();
        if now.duration_since(self.window_start) > WINDOW {
            self.window_start = now;
            self.dropped = 0;
        }
        self.dropped += 1;
        if self.dropped > self.abuse_limit {
            return Decision::Abuse;
        }
        let notify = self
            .last_error
            .is_none_or(|last| now.duration_since(last) >= ERROR_INTERVAL);
        if notify {
            self.last_error = Some(now);
        }
        Decision::Drop {
            notify,
            dropped: self.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_drop_then_abuse() {
        let limits = Limits {
            messages_per_second: 1,
            message_burst: 3,
            abuse_limit: 4,
            ..Limits::default()
        };
        let mut limit = RateLimit::new(&limits);
        for _ in 0..3 {
            assert_eq!(limit.check(), Decision::Allow);
        }
        assert_eq!(
            limit.check(),
            Decision::Drop {
                notify: true,
                dropped: 1
            }
        );
        for dropped in 2..=4 {
            assert_eq!(
                limit.check(),
                Decision::Drop {
                    notify: false,
                    dropped
                }
            );
        }
        assert_eq!(limit.check(), Decision::Abuse);
    }
}
