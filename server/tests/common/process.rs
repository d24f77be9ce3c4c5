//! The `echostream` binary run as a server subprocess, so that tests can
//! kill it with SIGKILL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A server subprocess; killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    /// Every line the server logged on stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

/// Removes ANSI color codes from a log line.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl ServerProcess {
    /// Starts `echostream serve` on a free loopback port with `args`, and
    /// waits until it logs its address.
    pub fn start(data: &Path, args: &[&str]) -> ServerProcess {
        let data = data.to_str().expect("a UTF-8 data path");
        ServerProcess::start_with(&["--data", data], args)
    }

    /// Starts `echostream serve` on a free loopback port with the store
    /// arguments `store` (`--data DIR` or `--redis URL`) and `args`.
    pub fn start_with(store: &[&str], args: &[&str]) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_echostream"))
            .arg("serve")
            .arg("--addr")
            .arg("127.0.0.1:0")
            .args(store)
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");

        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let line = strip_ansi(&line);
                if line.contains("server started") {
                    let addr = line
                        .split_whitespace()
                        .find_map(|word| word.strip_prefix("addr="))
                        .and_then(|addr| addr.parse::<SocketAddr>().ok());
                    let _ = addr_tx.send(addr);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server logs its address within 30 s")
            .expect("the address parses");
        ServerProcess { child, addr, log }
    }

    /// Returns the WebSocket URL.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        self.child.wait().expect("the killed server is reaped");
    }

    /// Sends SIGTERM and waits up to `timeout` for the exit.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to 5 s for a logged line that contains `text`, and returns
    /// whether one came. The thread that reads stderr may store a line
    /// after the server already acted on what it logged.
    pub fn wait_logged(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.logged(text) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Returns true if a logged line contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.log
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains(text))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
