//! The server's settings, from flags and environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// The server's address, data folder, static folder and limits.
#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// The address to listen on.
    #[arg(long, env = "ECHOSTREAM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// The data folder of the file store; created when missing.
    #[arg(
        long = "data",
        env = "ECHOSTREAM_DATA_DIR",
        default_value = "echostream-data"
    )]
    pub data_dir: PathBuf,

    /// Store documents in this Redis server (`redis://HOST:PORT`) instead
    /// of the data folder, so that several server nodes can serve the same
    /// documents. Without it the file store in `--data` is used.
    #[arg(long = "redis", env = "ECHOSTREAM_REDIS_URL", value_name = "URL")]
    pub redis_url: Option<String>,

    /// The folder of static files served at `/`, relative to the working
    /// directory. A placeholder page is served when it is missing.
    #[arg(long, env = "ECHOSTREAM_STATIC_DIR", default_value = "web-demo/dist")]
    pub static_dir: PathBuf,

    /// The limits.
    #[command(flatten)]
    pub limits: Limits,
}

/// The limits that protect the server from large, fast or slow clients.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// The maximum size of one client message, in bytes. A larger message
    /// gets a `too_large` error; one over 4 times this closes the
    /// connection with code 1009.
    #[arg(long, env = "ECHOSTREAM_MAX_MESSAGE_BYTES", default_value_t = 1 << 20)]
    pub max_message_bytes: usize,

    /// The messages a client may send per second, on average. Faster
    /// messages wait until the rate allows them.
    #[arg(
        long = "rate-limit",
        env = "ECHOSTREAM_RATE_LIMIT",
        default_value_t = 1000
    )]
    pub messages_per_second: u32,

    /// The messages a client may send at once above the average rate.
    #[arg(
        long = "rate-burst",
        env = "ECHOSTREAM_RATE_BURST",
        default_value_t = 2000
    )]
    pub message_burst: u32,

    /// The messages that may wait for the rate limit on one connection; one
    /// more closes the connection with code 1008. A client that waits for
    /// each acknowledgement never has more than a few waiting.
    #[arg(long, env = "ECHOSTREAM_ABUSE_LIMIT", default_value_t = 1000)]
    pub abuse_limit: u32,

    /// The messages queued for one client before the server drops them and
    /// sends it a `resync` message.
    #[arg(long, env = "ECHOSTREAM_CLIENT_QUEUE", default_value_t = 1024)]
    pub client_queue: usize,

    /// The committed operations kept in memory per document, so that
    /// clients that reconnect get operations instead of a snapshot.
    #[arg(long, env = "ECHOSTREAM_HISTORY", default_value_t = 10_000)]
    pub history: u64,

    /// The operations between two snapshots of a document.
    #[arg(long, env = "ECHOSTREAM_SNAPSHOT_EVERY", default_value_t = 1_000)]
    pub snapshot_every: u64,

    /// The seconds a document without clients stays loaded.
    #[arg(long, env = "ECHOSTREAM_IDLE_SECS", default_value_t = 30)]
    pub idle_secs: u64,

    /// The seconds a new connection has to send its `hello`.
    #[arg(long, env = "ECHOSTREAM_HELLO_SECS", default_value_t = 10)]
    pub hello_secs: u64,

    /// The seconds the server takes at most to flush and close on
    /// shutdown.
    #[arg(long, env = "ECHOSTREAM_SHUTDOWN_SECS", default_value_t = 10)]
    pub shutdown_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            messages_per_second: 1000,
            message_burst: 2000,
            abuse_limit: 1000,
            client_queue: 1024,
            history: 10_000,
            snapshot_every: 1_000,
            idle_secs: 30,
            hello_secs: 10,
            shutdown_secs: 10,
        }
    }
}

impl Limits {
    /// Returns how long a document without clients stays loaded.
    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.idle_secs)
    }

    /// Returns how long a new connection has to send its `hello`.
    pub fn hello_timeout(&self) -> Duration {
        Duration::from_secs(self.hello_secs)
    }

    /// Returns how long shutdown takes at most.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_secs)
    }

    /// Checks that every limit that must be positive is.
    pub fn check(&self) -> Result<(), String> {
        let positive = [
            ("--max-message-bytes", self.max_message_bytes as u64),
            ("--rate-limit", u64::from(self.messages_per_second)),
            ("--rate-burst", u64::from(self.message_burst)),
            ("--client-queue", self.client_queue as u64),
            ("--snapshot-every", self.snapshot_every),
        ];
        match positive.iter().find(|(_, value)| *value == 0) {
            Some((flag, _)) => Err(format!("invalid {flag} 0: it must be at least 1")),
            None => Ok(()),
        }
    }

    /// Returns the size above which a message closes the connection.
    pub fn hard_message_bytes(&self) -> usize {
        self.max_message_bytes.saturating_mul(4)
    }
}

impl ServeConfig {
    /// Returns a configuration for `data_dir` on a free loopback port, as
    /// tests and benchmarks use.
    pub fn loopback(data_dir: impl Into<PathBuf>) -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            redis_url: None,
            static_dir: PathBuf::from("web-demo/dist"),
            limits: Limits::default(),
        }
    }
}
