//! A native client: the engine's client state machine
//! ([`echostream::sync::Client`]) over a WebSocket, as the tests, the
//! benchmarks and `echostream replay --to` use it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use echostream::sync::Client;
use echostream::{LoggedOp, OpId, SiteId};
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::protocol::{ErrorBody, ErrorCode, Hello, Submit, PROTOCOL_VERSION};
use crate::server::WEBSOCKET_PATH;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A snapshot as a client receives it.
#[derive(Clone, Debug, Deserialize)]
#[serde(bound = "Op: DocumentOp")]
pub struct ReceivedSnapshot<Op: DocumentOp> {
    /// The revision of the document.
    pub revision: u64,
    /// The document.
    pub document: Op::Document,
}

/// Another client's presence in a welcome.
#[derive(Clone, Debug, Deserialize)]
#[serde(bound = "Op: DocumentOp")]
pub struct ReceivedPresence<Op: DocumentOp> {
    /// The site.
    pub site: SiteId,
    /// Its presence.
    pub presence: Op::Presence,
}

/// A message from the server, as a client decodes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[serde(bound = "Op: DocumentOp")]
pub enum ServerEvent<Op: DocumentOp> {
    /// The reply to a hello.
    #[serde(rename_all = "camelCase")]
    Welcome {
        /// The revision after the welcome.
        revision: u64,
        /// The document, when sent whole.
        #[serde(default)]
        snapshot: Option<ReceivedSnapshot<Op>>,
        /// The operations after the client's revision.
        #[serde(default = "Vec::new")]
        ops: Vec<LoggedOp<Op>>,
        /// The other clients' presence.
        #[serde(default = "Vec::new")]
        presence: Vec<ReceivedPresence<Op>>,
    },
    /// An acknowledgement.
    Ack {
        /// The operation.
        id: OpId,
        /// Its revision.
        revision: u64,
    },
    /// Another client's operation.
    Op(LoggedOp<Op>),
    /// Another client's presence.
    Presence {
        /// The site.
        site: SiteId,
        /// The revision it refers to.
        revision: u64,
        /// The presence, or `None` when cleared.
        presence: Option<Op::Presence>,
    },
    /// The client must send hello again.
    Resync {
        /// The head revision when the client was dropped.
        revision: u64,
    },
    /// A request failed.
    Error(ErrorBody),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[serde(bound = "Op: DocumentOp")]
enum Outgoing<'a, Op: DocumentOp> {
    Hello(&'a Hello),
    Submit(&'a Submit<Op>),
}

/// Returns the WebSocket URL for a server address such as
/// `ws://127.0.0.1:8080`, adding the `/ws` path when none is given.
pub fn websocket_url(base: &str) -> String {
    let trimmed = base.trim_end_matches('/');
    let after_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    if after_scheme.contains('/') {
        trimmed.to_owned()
    } else {
        format!("{trimmed}{WEBSOCKET_PATH}")
    }
}

/// One site editing one document on a server.
pub struct NativeClient<Op: DocumentOp> {
    url: String,
    doc: DocumentId,
    socket: Socket,
    client: Client<Op>,
    /// When the in-flight operation was sent, for the acknowledgement
    /// latency.
    sent_at: Option<(OpId, Instant)>,
    latencies: Vec<Duration>,
    peers: HashMap<SiteId, Op::Presence>,
    errors: Vec<ErrorBody>,
    /// The `rate_limited` notices received.
    rate_limited: u64,
    /// Waiting for the welcome that replies to a hello sent after a resync.
    resyncing: bool,
}

impl<Op: DocumentOp> NativeClient<Op> {
    /// Connects as a new site and joins `doc` from a snapshot.
    pub async fn connect(url: &str, doc: &DocumentId, site: SiteId) -> anyhow::Result<Self> {
        let url = websocket_url(url);
        let mut socket = open_socket(&url).await?;
        send_hello::<Op>(&mut socket, doc, site, None).await?;
        let (revision, document) = match next_event::<Op>(&mut socket).await? {
            ServerEvent::Welcome {
                revision,
                snapshot: Some(snapshot),
                ..
            } => (revision, snapshot.document),
            ServerEvent::Error(error) => bail!("joining {doc} failed: {}", error.message),
            other => bail!("expected a welcome with a snapshot, got {other:?}"),
        };
        Ok(NativeClient {
            url,
            doc: doc.clone(),
            socket,
            client: Client::new(site, document, revision),
            sent_at: None,
            latencies: Vec::new(),
            peers: HashMap::new(),
            errors: Vec::new(),
            rate_limited: 0,
            resyncing: false,
        })
    }

    /// Returns the client state machine.
    pub fn state(&self) -> &Client<Op> {
        &self.client
    }

    /// Returns the local document.
    pub fn document(&self) -> &Op::Document {
        self.client.document()
    }

    /// Returns the last server revision received.
    pub fn revision(&self) -> u64 {
        self.client.revision()
    }

    /// Returns the number of `rate_limited` notices received, which are not
    /// among the [`errors`](NativeClient::errors).
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited
    }

    /// Returns the errors the server sent, oldest first.
    pub fn errors(&self) -> &[ErrorBody] {
        &self.errors
    }

    /// Returns the time from sending each operation to its
    /// acknowledgement, in order.
    pub fn ack_latencies(&self) -> &[Duration] {
        &self.latencies
    }

    /// Returns the other clients' presence as last received.
    pub fn peers(&self) -> &HashMap<SiteId, Op::Presence> {
        &self.peers
    }

    /// Applies a local edit and sends it, or queues it while another
    /// operation is in flight.
    pub async fn edit(&mut self, op: Op) -> anyhow::Result<()> {
        self.client
            .apply_local(op)
            .map_err(|e| anyhow!("local edit failed: {e}"))?;
        self.send_next().await
    }

    /// Sends the next submission when nothing is in flight.
    async fn send_next(&mut self) -> anyhow::Result<()> {
        if self.resyncing {
            return Ok(());
        }
        if let Some(submission) = self.client.next_submission() {
            let submit = Submit {
                id: submission.id,
                base: submission.base,
                clock: submission.clock,
                op: submission.op,
            };
            let text = serde_json::to_string(&Outgoing::Submit(&submit))?;
            self.sent_at = Some((submit.id, Instant::now()));
            self.socket.send(Message::text(text)).await?;
        }
        Ok(())
    }

    /// Sends a raw text message, for tests of bad input.
    pub async fn send_raw(&mut self, text: String) -> anyhow::Result<()> {
        self.socket.send(Message::text(text)).await?;
        Ok(())
    }

    /// Waits up to `timeout` for one message and handles it. Returns
    /// `Ok(None)` on timeout.
    pub async fn poll(&mut self, timeout: Duration) -> anyhow::Result<Option<ServerEvent<Op>>> {
        let event = match tokio::time::timeout(timeout, next_event::<Op>(&mut self.socket)).await {
            Err(_) => return Ok(None),
            Ok(event) => event?,
        };
        self.handle(&event).await?;
        Ok(Some(event))
    }

    /// Handles one message if one has arrived, without waiting. `poll`
    /// with a zero timeout waits for tokio's timer, which has millisecond
    /// resolution.
    pub async fn poll_ready(&mut self) -> anyhow::Result<Option<ServerEvent<Op>>> {
        let event = match next_event::<Op>(&mut self.socket).now_or_never() {
            None => return Ok(None),
            Some(event) => event?,
        };
        self.handle(&event).await?;
        Ok(Some(event))
    }

    async fn handle(&mut self, event: &ServerEvent<Op>) -> anyhow::Result<()> {
        match event {
            ServerEvent::Ack { id, revision } => {
                self.client
                    .acknowledge(*id, *revision)
                    .map_err(|e| anyhow!("acknowledgement of {id} failed: {e}"))?;
                if let Some((sent, at)) = self.sent_at {
                    if sent == *id {
                        self.latencies.push(at.elapsed());
                        self.sent_at = None;
                    }
                }
                self.send_next().await?;
            }
            ServerEvent::Op(entry) => {
                self.receive(entry.clone())?;
                self.send_next().await?;
            }
            ServerEvent::Presence { site, presence, .. } => match presence {
                Some(presence) => {
                    self.peers.insert(*site, presence.clone());
                }
                None => {
                    self.peers.remove(site);
                }
            },
            ServerEvent::Welcome {
                snapshot,
                ops,
                presence,
                ..
            } => {
                self.welcome(snapshot.as_ref(), ops, presence)?;
                self.resyncing = false;
                self.client.reconnect();
                self.send_next().await?;
            }
            ServerEvent::Resync { .. } => {
                self.resyncing = true;
                let revision = Some(self.client.revision());
                send_hello::<Op>(&mut self.socket, &self.doc, self.client.site(), revision).await?;
            }
            // A notice: the server slowed this client down and lost nothing.
            ServerEvent::Error(error) if error.code == ErrorCode::RateLimited => {
                self.rate_limited += 1;
            }
            ServerEvent::Error(error) => self.errors.push(error.clone()),
        }
        Ok(())
    }

    fn receive(&mut self, entry: LoggedOp<Op>) -> anyhow::Result<()> {
        let revision = entry.revision;
        let in_flight = self.client.in_flight().map(|s| s.id);
        self.client
            .receive_remote(entry)
            .map_err(|e| anyhow!("remote operation {revision} failed: {e}"))?;
        // The client's own operation in the stream counts as its ack.
        if in_flight.is_some() && self.client.in_flight().is_none() {
            if let Some((_, at)) = self.sent_at.take() {
                self.latencies.push(at.elapsed());
            }
        }
        Ok(())
    }

    fn welcome(
        &mut self,
        snapshot: Option<&ReceivedSnapshot<Op>>,
        ops: &[LoggedOp<Op>],
        presence: &[ReceivedPresence<Op>],
    ) -> anyhow::Result<()> {
        if let Some(snapshot) = snapshot {
            if snapshot.revision != self.client.revision() {
                if self.client.has_pending() {
                    bail!(
                        "the server sent a snapshot at revision {} but operations after revision {} are unacknowledged",
                        snapshot.revision,
                        self.client.revision()
                    );
                }
                let site = self.client.site();
                let first_seq = self.client.clock().get(site) + 1;
                self.client = Client::with_first_seq(
                    site,
                    snapshot.document.clone(),
                    snapshot.revision,
                    first_seq,
                );
            }
        }
        for entry in ops {
            self.receive(entry.clone())?;
        }
        self.peers = presence
            .iter()
            .map(|p| (p.site, p.presence.clone()))
            .collect();
        Ok(())
    }

    /// Opens a new connection, joins from the client's revision and resends
    /// the unacknowledged operation, as after a lost connection.
    pub async fn reconnect(&mut self) -> anyhow::Result<()> {
        let _ = self.socket.close(None).await;
        self.socket = open_socket(&self.url).await?;
        let revision = Some(self.client.revision());
        send_hello::<Op>(&mut self.socket, &self.doc, self.client.site(), revision).await?;
        loop {
            let event = next_event::<Op>(&mut self.socket).await?;
            if let ServerEvent::Error(error) = &event {
                bail!("rejoining {} failed: {}", self.doc, error.message);
            }
            let is_welcome = matches!(event, ServerEvent::Welcome { .. });
            self.handle(&event).await?;
            if is_welcome {
                return Ok(());
            }
        }
    }

    /// Reconnects to another server address, as after a server moved or
    /// restarted on a new port.
    pub async fn reconnect_to(&mut self, url: &str) -> anyhow::Result<()> {
        self.url = websocket_url(url);
        self.reconnect().await
    }

    /// Handles messages until nothing is pending and the client has reached
    /// `revision`, or fails after `timeout`.
    pub async fn sync_to(&mut self, revision: u64, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        while self.client.has_pending() || self.client.revision() < revision {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!(
                    "timed out at revision {} of {revision} with pending operations: {}",
                    self.client.revision(),
                    self.client.has_pending()
                );
            }
            self.poll(left).await?;
        }
        Ok(())
    }

    /// Handles messages until every local edit is acknowledged.
    pub async fn flush(&mut self, timeout: Duration) -> anyhow::Result<()> {
        self.sync_to(0, timeout).await
    }

    /// Closes the connection.
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.socket.close(None).await.context("closing the socket")
    }
}

async fn open_socket(url: &str) -> anyhow::Result<Socket> {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    Ok(socket)
}

async fn send_hello<Op: DocumentOp>(
    socket: &mut Socket,
    doc: &DocumentId,
    site: SiteId,
    revision: Option<u64>,
) -> anyhow::Result<()> {
    let hello = Hello {
        version: PROTOCOL_VERSION,
        doc: doc.clone(),
        doc_type: Op::KIND,
        site,
        revision,
    };
    let text = serde_json::to_string(&Outgoing::<Op>::Hello(&hello))?;
    socket.send(Message::text(text)).await?;
    Ok(())
}

/// Reads the next server message, skipping pings.
async fn next_event<Op: DocumentOp>(socket: &mut Socket) -> anyhow::Result<ServerEvent<Op>> {
    loop {
        let message = socket
            .next()
            .await
            .context("the server closed the connection")??;
        match message {
            Message::Text(text) => {
                return serde_json::from_str(&text)
                    .with_context(|| format!("invalid server message: {}", text.as_str()));
            }
            Message::Close(frame) => bail!("the server closed the connection: {frame:?}"),
            _ => continue,
        }
    }
}
