//! The per-connection limit on incoming messages.
//!
//! A message over the rate is not dropped: it waits until the rate allows
//! it, so a client that sends one operation at a time and waits for its
//! acknowledgement is only slowed down. Messages that arrive meanwhile
//! queue in a backlog; a client whose backlog grows past the abuse limit
//! is flooding and gets closed.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::config::Limits;

/// The shortest time between two `rate_limited` errors to one client.
const ERROR_INTERVAL: Duration = Duration::from_secs(1);

/// A token bucket over a connection's messages (GCRA, from `governor`).
pub struct RateLimit {
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
    last_error: Option<Instant>,
    delayed: u64,
}

impl RateLimit {
    /// Returns a limiter with the rates of `limits`; zero rates count as
    /// one.
    pub fn new(limits: &Limits) -> Self {
        let rate = NonZeroU32::new(limits.messages_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.message_burst).unwrap_or(NonZeroU32::MIN);
        let clock = DefaultClock::default();
        let quota = Quota::per_second(rate).allow_burst(burst);
        RateLimit {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            last_error: None,
            delayed: 0,
        }
    }

    /// Takes one message's token, or returns how long to wait for it.
    pub fn acquire(&self) -> Result<(), Duration> {
        self.limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Counts a message that had to wait, and returns true when the client
    /// should get a `rate_limited` error now, at most once a second.
    pub fn count_delayed(&mut self) -> bool {
        self.delayed += 1;
        let now = Instant::now();
        let notify = self
            .last_error
            .is_none_or(|last| now.duration_since(last) >= ERROR_INTERVAL);
        if notify {
            self.last_error = Some(now);
        }
        notify
    }

    /// Returns the messages that had to wait on this connection so far.
    pub fn delayed(&self) -> u64 {
        self.delayed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_wait() {
        let limits = Limits {
            messages_per_second: 10,
            message_burst: 3,
            ..Limits::default()
        };
        let mut limit = RateLimit::new(&limits);
        for _ in 0..3 {
            assert_eq!(limit.acquire(), Ok(()));
        }
        let wait = limit.acquire().unwrap_err();
        assert!(wait > Duration::ZERO, "{wait:?}");
        assert!(wait <= Duration::from_millis(100), "{wait:?}");

        assert!(limit.count_delayed(), "the first delay is reported");
        assert!(!limit.count_delayed(), "the next within a second is not");
        assert_eq!(limit.delayed(), 2);

        std::thread::sleep(wait);
        assert_eq!(limit.acquire(), Ok(()));
    }
}
