//! Helpers shared by the server tests: an in-process server on a free
//! loopback port, and a raw WebSocket for messages the native client never
//! sends.

#![allow(dead_code)]

pub mod edits;
pub mod process;
pub mod redis;
pub mod store_files;
pub mod write_gate;

use std::path::Path;
use std::time::Duration;

use echostream_server::config::{Limits, ServeConfig};
use echostream_server::server::Server;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Runs `echostream dump` for one document of a store, named by its
/// options (`--data DIR` or `--redis URL`), and returns the finished
/// process.
pub fn dump_output(store: &[&str], doc: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_echostream"))
        .arg("dump")
        .args(store)
        .args(["--doc", doc])
        .output()
        .unwrap()
}

/// Runs `echostream dump` as [`dump_output`] does and returns the text it
/// printed. Fails the test when the command fails.
pub fn dump(store: &[&str], doc: &str) -> String {
    stdout_of(&dump_output(store, doc))
}

/// Returns the standard output of a command that must have succeeded.
pub fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// How long a test waits for one expected message.
pub const STEP: Duration = Duration::from_secs(10);

/// Sends the server's logs to the test output, filtered by `RUST_LOG`
/// (warnings by default).
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Starts a server on 127.0.0.1 and a free port, storing in `data`.
pub async fn start(data: &Path, limits: Limits) -> Server {
    init_logs();
    let mut config = ServeConfig::loopback(data);
    config.limits = limits;
    Server::start(config).await.expect("the server starts")
}

/// Returns the WebSocket URL of a server.
pub fn url(server: &Server) -> String {
    format!("ws://{}/ws", server.local_addr())
}

/// A WebSocket that sends and reads raw JSON.
pub struct Raw {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Raw {
    pub async fn connect(url: &str) -> Raw {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the WebSocket connects");
        Raw { socket }
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.socket
            .send(Message::text(text))
            .await
            .expect("sending succeeds");
    }

    pub async fn send(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.socket
            .send(Message::binary(bytes))
            .await
            .expect("sending succeeds");
    }

    /// Returns the next message as JSON, or panics on a close or timeout.
    pub async fn recv(&mut self) -> Value {
        self.recv_within(STEP).await
    }

    /// Returns the next message as JSON, or panics on a close or when none
    /// arrives within `timeout`.
    pub async fn recv_within(&mut self, timeout: Duration) -> Value {
        loop {
            let message = tokio::time::timeout(timeout, self.socket.next())
                .await
                .expect("a message arrives in time")
                .expect("the socket is open")
                .expect("the message is valid");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("unexpected close: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Reads messages until one of type `kind`, skipping others.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] == kind {
                return message;
            }
        }
    }

    /// Reads the next message and checks that it is an error with `code`.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let message = self.recv().await;
        assert_eq!(message["type"], "error", "expected an error, got {message}");
        assert_eq!(message["code"], code, "unexpected error: {message}");
        message
    }

    /// Reads until the close frame and returns its code, skipping text
    /// messages; panics on a timeout.
    pub async fn expect_close(&mut self) -> (u16, Vec<Value>) {
        let mut skipped = Vec::new();
        loop {
            let next = tokio::time::timeout(STEP, self.socket.next())
                .await
                .expect("the close arrives in time");
            match next {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (u16::from(frame.code), skipped);
                }
                Some(Ok(Message::Close(None))) | None => {
                    return (u16::from(CloseCode::Status), skipped)
                }
                Some(Ok(Message::Text(text))) => {
                    skipped.push(serde_json::from_str(&text).unwrap());
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("the socket failed before closing: {error}"),
            }
        }
    }

    /// Returns the next text message as JSON, or the close code when the
    /// server closes first. Panics on a timeout.
    pub async fn recv_or_close(&mut self) -> Result<Value, u16> {
        loop {
            let next = tokio::time::timeout(STEP, self.socket.next())
                .await
                .expect("a message or the close arrives in time");
            match next {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(Some(frame)))) => return Err(u16::from(frame.code)),
                Some(Ok(Message::Close(None))) | None => return Err(u16::from(CloseCode::Status)),
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("the socket failed before closing: {error}"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Returns a hello for a text document.
pub fn hello(doc: &str, site: &str, revision: Option<u64>) -> Value {
    json!({"type": "hello", "version": 1, "doc": doc, "docType": "text",
           "site": site, "revision": revision})
}

/// Connects and joins `doc` as `site`, returning the socket and the
/// welcome.
pub async fn join(url: &str, doc: &str, site: &str) -> (Raw, Value) {
    let mut raw = Raw::connect(url).await;
    raw.send(hello(doc, site, None)).await;
    let welcome = raw.recv().await;
    assert_eq!(
        welcome["type"], "welcome",
        "expected a welcome, got {welcome}"
    );
    (raw, welcome)
}
