//! A blocking connection to Redis that reconnects with backoff and
//! retries commands while the connection is lost or Redis is loading.

use std::time::Duration;

use redis::{Client, Connection, RedisResult};

use super::StoreError;
use crate::document_id::DocumentId;

/// How long opening a connection to Redis may take.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one command may wait for its reply before the connection
/// counts as lost.
pub(super) const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// The pauses between attempts when the connection is lost: about 6.4 s in
/// all, after which the command fails.
const RETRY_DELAYS_MS: [u64; 7] = [50, 100, 200, 400, 800, 1600, 3200];

/// Returns true when an error means that the connection is gone, so the
/// command may be retried on a new one.
fn is_connection_error(error: &redis::RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_unrecoverable_error()
}

/// Returns true when Redis replied `LOADING`, which it does after a
/// restart until it has read its AOF or RDB file.
fn is_loading(error: &redis::RedisError) -> bool {
    error.code() == Some("LOADING")
}

/// A blocking connection that reconnects with backoff.
pub(super) struct Link {
    client: Client,
    conn: Option<Connection>,
}

impl Link {
    pub(super) fn new(client: Client) -> Self {
        Link { client, conn: None }
    }

    pub(super) fn connection(&mut self) -> RedisResult<&mut Connection> {
        if self.conn.is_none() {
            let conn = self.client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
            conn.set_read_timeout(Some(COMMAND_TIMEOUT))?;
            conn.set_write_timeout(Some(COMMAND_TIMEOUT))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// Runs `command`, reconnecting and retrying while the connection is
    /// lost or Redis is loading its data, up to the delays of
    /// [`RETRY_DELAYS_MS`]. Blocks the thread
    /// while it waits. A command that ran but whose reply was lost runs
    /// again, so every command sent through here must be safe to repeat:
    /// a repeated append fails its compare-and-set instead of adding twice.
    pub(super) fn run<T>(
        &mut self,
        doc: &DocumentId,
        action: &'static str,
        key: &str,
        mut command: impl FnMut(&mut Connection) -> RedisResult<T>,
    ) -> Result<T, StoreError> {
        let mut attempt = 0;
        loop {
            let error = match self.connection().and_then(&mut command) {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let lost = is_connection_error(&error);
            if lost {
                self.conn = None;
            }
            match RETRY_DELAYS_MS.get(attempt) {
                Some(&delay_ms) if lost || is_loading(&error) => {
                    attempt += 1;
                    tracing::warn!(doc = %doc, action, attempt, delay_ms, %error, "the Redis connection failed; retrying");
                    std::thread::sleep(Duration::from_millis(delay_ms));
                }
                _ => {
                    return Err(StoreError::Redis {
                        action,
                        doc: doc.clone(),
                        key: key.to_owned(),
                        source: error,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_connection_error, is_loading};

    fn server_error(reply: &[u8]) -> redis::RedisError {
        redis::parse_redis_value(reply)
            .and_then(redis::Value::extract_error)
            .expect_err("an error reply")
    }

    #[test]
    fn loading_reply_is_retried() {
        let loading = server_error(b"-LOADING Redis is loading the dataset in memory\r\n");
        assert!(is_loading(&loading));
        assert!(!is_connection_error(&loading));
        let unknown = server_error(b"-ERR unknown command 'NOPE'\r\n");
        assert!(!is_loading(&unknown));
    }
}
