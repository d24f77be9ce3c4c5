//! A Redis server for one test, on 127.0.0.1 and a free port, shut down
//! when the guard drops, also when the test fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use echostream::text::{TextDocument, TextOp};
use echostream::{OpLog, Operation, SiteId};
use echostream_server::document_id::DocumentId;
use echostream_server::store::{OpenMode, RedisStore};

/// A running `redis-server`, without persistence unless started with
/// [`RedisServer::start_with_aof`].
pub struct RedisServer {
    child: Child,
    pub port: u16,
    /// The folder of the append-only file, when persistent.
    aof_dir: Option<PathBuf>,
}

impl RedisServer {
    /// Starts Redis, or prints why not and returns `None` when
    /// `redis-server` is not on PATH. With `ECHOSTREAM_REQUIRE_REDIS` set
    /// (as `scripts/test.sh` does) a missing Redis fails the test instead.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_in(None)
    }

    /// Starts Redis with an append-only file in `dir`, synced after every
    /// write, so that a restart on the same folder keeps every write that
    /// Redis replied to. Returns `None` as [`RedisServer::start`] does.
    pub fn start_with_aof(dir: &Path) -> Option<RedisServer> {
        RedisServer::start_in(Some(dir.to_path_buf()))
    }

    fn start_in(aof_dir: Option<PathBuf>) -> Option<RedisServer> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !found {
            assert!(
                std::env::var_os("ECHOSTREAM_REQUIRE_REDIS").is_none(),
                "redis-server is not on PATH, and ECHOSTREAM_REQUIRE_REDIS is set"
            );
            println!("skipped: redis-server is not on PATH (apt-get install redis-server)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = spawn(port, aof_dir.as_deref());
        let server = RedisServer {
            child,
            port,
            aof_dir,
        };
        server.wait_for_ping();
        Some(server)
    }

    fn wait_for_ping(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.cli(&["ping"]).trim() != "PONG" {
            assert!(
                Instant::now() < deadline,
                "Redis did not answer PING within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills Redis with SIGKILL and waits for the process to end.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        self.child.wait().expect("the killed Redis is reaped");
    }

    /// Stops Redis with `SHUTDOWN`, which writes the append-only file
    /// first, and waits up to 10 s for the process to end.
    pub fn shutdown(&mut self) {
        let _ = self.cli(&["shutdown"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().expect("try_wait works").is_none() {
            assert!(
                Instant::now() < deadline,
                "Redis did not stop within 10 s of SHUTDOWN"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts Redis again on the same port and folder after [`kill`] or
    /// [`shutdown`], and waits until it replies to `PING`.
    ///
    /// [`kill`]: RedisServer::kill
    /// [`shutdown`]: RedisServer::shutdown
    pub fn restart(&mut self) {
        self.child = spawn(self.port, self.aof_dir.as_deref());
        self.wait_for_ping();
    }

    /// Returns the URL for `--redis`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Runs `redis-cli` with `args` and returns its output. `redis-cli`
    /// exits 0 on error replies too, so callers check the text.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// Starts `redis-server` on 127.0.0.1 and `port`, with an append-only
/// file in `aof_dir` or without persistence.
fn spawn(port: u16, aof_dir: Option<&Path>) -> Child {
    let mut command = Command::new("redis-server");
    command.args(["--bind", "127.0.0.1", "--port", &port.to_string()]);
    match aof_dir {
        Some(dir) => {
            let dir = dir.to_str().expect("a UTF-8 folder path");
            command.args(["--save", "", "--appendonly", "yes"]);
            command.args(["--appendfsync", "always", "--dir", dir]);
        }
        None => {
            command.args(["--save", "", "--appendonly", "no"]);
        }
    }
    command
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server starts")
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.cli(&["shutdown", "nosave"]);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a text document's Redis stream whole and returns the text and
/// the op ids of its entries in order. Fails the test unless the
/// revisions run 1, 2, 3 and so on.
pub fn stored_text(url: &str, doc: &DocumentId) -> (String, Vec<(SiteId, u64)>) {
    let store = RedisStore::connect(url).unwrap();
    let log = store.open::<TextOp>(doc, OpenMode::Read).unwrap();
    let mut text = TextDocument::default();
    let mut ids = Vec::new();
    for (index, entry) in log.read_since(0).unwrap().into_iter().enumerate() {
        assert_eq!(entry.revision, index as u64 + 1);
        entry.op.apply(&mut text).unwrap();
        ids.push((entry.id.site, entry.id.seq));
    }
    (text.to_string(), ids)
}
