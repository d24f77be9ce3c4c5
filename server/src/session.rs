//! One client connection: the `hello`, then messages between the socket
//! and the document task, with the size and rate limits.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use echostream::board::BoardOp;
use echostream::sync::Submission;
use echostream::text::TextOp;
use futures_util::SinkExt;
use tokio::sync::{mpsc, oneshot};

use crate::document::{Command, ConnId, Dropped, Join, Outbound, Registry};
use crate::document_op::DocumentOp;
use crate::protocol::{
    close_code, parse_client_message, parse_hello, ClientMessage, DocumentKind, ErrorBody,
    ErrorCode, Hello, ServerMessage,
};
use crate::rate_limit::RateLimit;

/// How long one message may take to send before the client counts as
/// gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the server keeps a connection open after closing it for an
/// oversized message, so that the client reads the close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// The most queued messages written with one flush.
const SEND_BATCH: usize = 64;

/// The error lines logged per connection before only every 100th is.
const LOGGED_ERRORS: u64 = 20;

/// The reason a connection ends.
enum End {
    /// The client closed the socket or it failed.
    Gone,
    /// Close with this code and reason.
    Close(u16, String),
}

/// Serves one upgraded WebSocket until it closes.
pub(crate) async fn serve_connection(mut socket: WebSocket, registry: Arc<Registry>, conn: ConnId) {
    let metrics = registry.metrics.clone();
    metrics.connections.inc();
    tracing::info!(conn, "connection opened");

    let mut inbound = Inbound::new(&registry, conn);
    let end = match inbound.wait_for_hello(&mut socket).await {
        Err(end) => end,
        Ok(hello) => match hello.doc_type {
            DocumentKind::Text => {
                let session = Session::<TextOp>::new(hello, Arc::clone(&registry), conn);
                session.run(&mut socket, &mut inbound).await
            }
            DocumentKind::Board => {
                let session = Session::<BoardOp>::new(hello, Arc::clone(&registry), conn);
                session.run(&mut socket, &mut inbound).await
            }
        },
    };
    if let End::Close(code, reason) = end {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
        if code == close_code::MESSAGE_TOO_BIG {
            // The client may still be sending the rest of the message, which
            // the socket can no longer read. Closing TCP with that input
            // unread resets the connection before the client reads the
            // close frame, and it would see code 1006 instead of 1009.
            tokio::time::sleep(CLOSE_LINGER).await;
        }
        tracing::info!(conn, code, "connection closed by the server");
    } else {
        tracing::info!(conn, "connection closed by the client");
    }
    metrics.connections.dec();
}

async fn send_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), End> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(End::Gone),
        Err(_) => Err(End::Close(
            close_code::POLICY_VIOLATION,
            format!("sending took over {} s", SEND_TIMEOUT.as_secs()),
        )),
    }
}

/// The checks on incoming messages before they are parsed: size, type
/// and rate.
struct Inbound {
    registry: Arc<Registry>,
    conn: ConnId,
    limit: RateLimit,
    /// Messages that arrived over the rate, oldest first.
    backlog: VecDeque<Utf8Bytes>,
    backlog_bytes: usize,
    /// Labels for log lines, "-" until the hello is known.
    doc: String,
    site: String,
    errors: u64,
}

impl Inbound {
    fn new(registry: &Arc<Registry>, conn: ConnId) -> Self {
        Inbound {
            limit: RateLimit::new(&registry.limits),
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            registry: Arc::clone(registry),
            conn,
            doc: "-".to_owned(),
            site: "-".to_owned(),
            errors: 0,
        }
    }

    /// Returns the next text message to handle: from the backlog first,
    /// then from the socket, each once the rate limit allows it. A message
    /// over the rate waits in the backlog; a backlog past the abuse limit
    /// closes the connection with code 1008.
    async fn next_text(&mut self, socket: &mut WebSocket) -> Result<Utf8Bytes, End> {
        loop {
            if !self.backlog.is_empty() {
                match self.limit.acquire() {
                    Ok(()) => return Ok(self.pop_backlog()),
                    Err(wait) => {
                        tokio::select! {
                            () = tokio::time::sleep(wait) => {}
                            text = self.read_text(socket) => self.push_backlog(socket, text?).await?,
                        }
                        continue;
                    }
                }
            }
            let text = self.read_text(socket).await?;
            if self.limit.acquire().is_ok() {
                return Ok(text);
            }
            self.push_backlog(socket, text).await?;
        }
    }

    fn pop_backlog(&mut self) -> Utf8Bytes {
        let text = self.backlog.pop_front().expect("checked by the caller");
        self.backlog_bytes -= text.len();
        text
    }

    /// Queues a message that arrived over the rate, sends a `rate_limited`
    /// notice at most once a second, and ends the connection when the
    /// backlog passes the abuse limit or the hard size limit.
    async fn push_backlog(&mut self, socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), End> {
        self.backlog_bytes += text.len();
        self.backlog.push_back(text);
        let notify = self.limit.count_delayed();
        self.registry.metrics.messages_delayed.inc();

        let limits = &self.registry.limits;
        let waiting = self.backlog.len();
        if waiting > limits.abuse_limit as usize || self.backlog_bytes > limits.hard_message_bytes()
        {
            tracing::warn!(
                doc = %self.doc,
                client = %self.site,
                conn = self.conn,
                waiting,
                waiting_bytes = self.backlog_bytes,
                "client kept sending over the rate limit; closing"
            );
            let reason = format!("rate limit exceeded: {waiting} messages waiting");
            return Err(End::Close(close_code::POLICY_VIOLATION, reason));
        }
        if notify {
            let delayed = self.limit.delayed();
            tracing::warn!(doc = %self.doc, client = %self.site, conn = self.conn, delayed, "client over the rate limit");
            let message = format!(
                "more than {} messages per second (burst {}): {delayed} messages delayed so far; \
                 more than {} waiting closes the connection",
                limits.messages_per_second, limits.message_burst, limits.abuse_limit
            );
            let body = ErrorBody::new(ErrorCode::RateLimited, message);
            send_text(socket, body.to_text().into()).await?;
        }
        Ok(())
    }

    /// Reads the next text message within the size limit. Other messages
    /// get an error reply here.
    async fn read_text(&mut self, socket: &mut WebSocket) -> Result<Utf8Bytes, End> {
        loop {
            let message = match socket.recv().await {
                None => return Err(End::Gone),
                Some(Ok(message)) => message,
                Some(Err(error)) => return Err(self.read_failed(error)),
            };
            let text = match message {
                Message::Text(text) => text,
                Message::Binary(_) => {
                    let body = ErrorBody::new(
                        ErrorCode::InvalidMessage,
                        "binary messages are not supported: send JSON text",
                    );
                    self.reject(socket, body).await?;
                    continue;
                }
                Message::Close(_) => return Err(End::Gone),
                Message::Ping(_) | Message::Pong(_) => continue,
            };
            let max = self.registry.limits.max_message_bytes;
            if text.len() > max {
                let message = format!(
                    "message of {} bytes exceeds the limit of {max} bytes",
                    text.len()
                );
                self.reject(socket, ErrorBody::new(ErrorCode::TooLarge, message))
                    .await?;
                continue;
            }
            return Ok(text);
        }
    }

    fn read_failed(&self, error: axum::Error) -> End {
        let capacity = std::error::Error::source(&error)
            .and_then(|e| e.downcast_ref::<tokio_tungstenite::tungstenite::Error>())
            .is_some_and(|e| matches!(e, tokio_tungstenite::tungstenite::Error::Capacity(_)));
        if capacity {
            let hard = self.registry.limits.hard_message_bytes();
            tracing::warn!(doc = %self.doc, client = %self.site, conn = self.conn, hard_limit = hard, "message over the hard size limit; closing");
            let reason = format!("message exceeds {hard} bytes");
            return End::Close(close_code::MESSAGE_TOO_BIG, reason);
        }
        tracing::debug!(conn = self.conn, %error, "reading from the socket failed");
        End::Gone
    }

    fn count(&self, code: ErrorCode) {
        let metrics = &self.registry.metrics;
        metrics
            .messages_rejected
            .with_label_values(&[code.as_str()])
            .inc();
    }

    /// Sends an error to the client and logs it, without its message,
    /// which may quote the client's content.
    async fn reject(&mut self, socket: &mut WebSocket, body: ErrorBody) -> Result<(), End> {
        self.count(body.code);
        self.errors += 1;
        if self.errors <= LOGGED_ERRORS || self.errors % 100 == 0 {
            tracing::warn!(doc = %self.doc, client = %self.site, conn = self.conn, code = body.code.as_str(), errors = self.errors, "rejected a message");
        }
        send_text(socket, body.to_text().into()).await
    }

    /// Waits for a valid `hello`. An unsupported version closes the
    /// connection; other errors let the client try again until the hello
    /// timeout.
    async fn wait_for_hello(&mut self, socket: &mut WebSocket) -> Result<Hello, End> {
        let timeout = self.registry.limits.hello_timeout();
        let shutdown = self.registry.shutdown.clone();
        let cancelled = shutdown.cancelled();
        tokio::pin!(cancelled);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let text = tokio::select! {
                text = self.next_text(socket) => text?,
                () = tokio::time::sleep_until(deadline) => {
                    let reason = format!("no valid hello within {} s", timeout.as_secs());
                    return Err(End::Close(close_code::PROTOCOL, reason));
                }
                () = &mut cancelled => {
                    return Err(End::Close(close_code::GOING_AWAY, "server shutting down".to_owned()));
                }
            };
            match parse_hello(&text) {
                Ok(hello) => {
                    self.doc = hello.doc.to_string();
                    self.site = hello.site.to_string();
                    return Ok(hello);
                }
                Err(body) => {
                    let unsupported = body.code == ErrorCode::UnsupportedVersion;
                    self.reject(socket, body).await?;
                    if unsupported {
                        let reason = "unsupported protocol version".to_owned();
                        return Err(End::Close(close_code::PROTOCOL, reason));
                    }
                }
            }
        }
    }
}

/// The close code of a connection that a newer one of its site replaced.
const CLOSE_REPLACED: u16 = 4003;

/// A connection to a document of type `Op`.
struct Session<Op: DocumentOp> {
    hello: Hello,
    registry: Arc<Registry>,
    conn: ConnId,
    /// The document task's queue, while joined.
    commands: Option<mpsc::Sender<Command<Op>>>,
    /// Messages from the document task, while joined.
    outbox: Option<mpsc::Receiver<Outbound>>,
    /// Fires when the task drops this connection: for a full outbox, or
    /// for a newer connection of the same site.
    dropped: Option<oneshot::Receiver<Dropped>>,
}

/// The event that woke a session up.
enum Event {
    Shutdown,
    Deadline,
    Dropped(Result<Dropped, oneshot::error::RecvError>),
    Outbound(Option<Outbound>),
    Inbound(Result<Utf8Bytes, End>),
}

impl<Op: DocumentOp> Session<Op> {
    fn new(hello: Hello, registry: Arc<Registry>, conn: ConnId) -> Self {
        Session {
            hello,
            registry,
            conn,
            commands: None,
            outbox: None,
            dropped: None,
        }
    }

    async fn run(mut self, socket: &mut WebSocket, inbound: &mut Inbound) -> End {
        let revision = self.hello.revision;
        if let Err(end) = self.join(socket, inbound, revision).await {
            return end;
        }
        let end = self.serve(socket, inbound).await;
        if let Some(commands) = self.commands.take() {
            let _ = commands.try_send(Command::Leave { conn: self.conn });
        }
        end
    }

    async fn join(
        &mut self,
        socket: &mut WebSocket,
        inbound: &mut Inbound,
        revision: Option<u64>,
    ) -> Result<(), End> {
        let (outbox_tx, outbox) = mpsc::channel(self.registry.limits.client_queue.max(1));
        let (dropped_tx, dropped) = oneshot::channel();
        let join = Join {
            conn: self.conn,
            site: self.hello.site,
            revision,
            outbox: outbox_tx,
            dropped: dropped_tx,
        };
        match self.registry.join::<Op>(&self.hello.doc, join).await {
            Ok(commands) => {
                self.commands = Some(commands);
                self.outbox = Some(outbox);
                self.dropped = Some(dropped);
                Ok(())
            }
            Err(body) => inbound.reject(socket, body).await,
        }
    }

    fn leave(&mut self) {
        self.commands = None;
        self.outbox = None;
        self.dropped = None;
    }

    async fn serve(&mut self, socket: &mut WebSocket, inbound: &mut Inbound) -> End {
        // One cancellation future for the whole loop: making a new one per
        // message would lock the token's waiter list twice per message.
        let shutdown = self.registry.shutdown.clone();
        let cancelled = shutdown.cancelled();
        tokio::pin!(cancelled);
        let mut stop_by: Option<tokio::time::Instant> = None;
        loop {
            let event = {
                let outbox = &mut self.outbox;
                let dropped = &mut self.dropped;
                tokio::select! {
                    () = &mut cancelled, if stop_by.is_none() => Event::Shutdown,
                    () = sleep_until_option(stop_by) => Event::Deadline,
                    signal = async { dropped.as_mut().expect("checked").await }, if dropped.is_some() => {
                        Event::Dropped(signal)
                    }
                    outbound = async { outbox.as_mut().expect("checked").recv().await }, if outbox.is_some() => {
                        Event::Outbound(outbound)
                    }
                    text = inbound.next_text(socket), if stop_by.is_none() => Event::Inbound(text),
                }
            };
            let result = match event {
                Event::Shutdown => {
                    // Stop reading; the document task flushes and then
                    // sends the close through the outbox.
                    let timeout = self.registry.limits.shutdown_timeout();
                    stop_by = Some(tokio::time::Instant::now() + timeout);
                    if self.outbox.is_some() {
                        Ok(())
                    } else {
                        Err(going_away())
                    }
                }
                Event::Deadline => Err(going_away()),
                Event::Dropped(signal) => self.after_drop_signal(socket, signal).await,
                Event::Outbound(outbound) => {
                    self.deliver(socket, outbound, stop_by.is_some()).await
                }
                Event::Inbound(Ok(text)) => self.handle_text(socket, inbound, &text).await,
                Event::Inbound(Err(end)) => Err(end),
            };
            if let Err(end) = result {
                return end;
            }
        }
    }

    /// Handles the drop signal. `Err` means that the task dropped this
    /// connection otherwise and the outbox carries the reason.
    async fn after_drop_signal(
        &mut self,
        socket: &mut WebSocket,
        signal: Result<Dropped, oneshot::error::RecvError>,
    ) -> Result<(), End> {
        self.dropped = None;
        match signal {
            Err(_) => Ok(()),
            Ok(Dropped::Replaced) => {
                self.leave();
                let reason = "a newer connection of the same site joined".to_owned();
                Err(End::Close(CLOSE_REPLACED, reason))
            }
            Ok(Dropped::Lagged { revision }) => {
                // The queued messages are stale: the client gets them
                // again, or a snapshot, when it sends hello again.
                self.leave();
                let message: ServerMessage<Op> = ServerMessage::Resync { revision };
                let text = message.to_text();
                send_text(socket, text.into()).await
            }
        }
    }

    async fn deliver(
        &mut self,
        socket: &mut WebSocket,
        outbound: Option<Outbound>,
        stopping: bool,
    ) -> Result<(), End> {
        match outbound {
            Some(Outbound::Text(text)) => self.send_queued(socket, text).await,
            Some(Outbound::Close { code, reason }) => {
                self.leave();
                Err(End::Close(code, reason.to_owned()))
            }
            None if stopping => {
                self.leave();
                Err(going_away())
            }
            None => {
                // A task that drops a connection closes its outbox and
                // fires the drop signal at once, so the loop may see the
                // closed outbox first.
                if let Some(signal) = self.dropped.as_mut().and_then(|d| d.try_recv().ok()) {
                    return self.after_drop_signal(socket, Ok(signal)).await;
                }
                self.leave();
                let reason = "the document closed".to_owned();
                Err(End::Close(close_code::INTERNAL_ERROR, reason))
            }
        }
    }

    /// Sends `first` and every text message already queued behind it,
    /// with one flush, so that a busy connection makes one write for many
    /// messages. A close found in the queue is handled after the flush.
    async fn send_queued(&mut self, socket: &mut WebSocket, first: Utf8Bytes) -> Result<(), End> {
        let mut pending_close = None;
        let sent = tokio::time::timeout(SEND_TIMEOUT, async {
            socket.feed(Message::Text(first)).await?;
            for _ in 1..SEND_BATCH {
                let Some(outbox) = self.outbox.as_mut() else {
                    break;
                };
                match outbox.try_recv() {
                    Ok(Outbound::Text(text)) => socket.feed(Message::Text(text)).await?,
                    Ok(close @ Outbound::Close { .. }) => {
                        pending_close = Some(close);
                        break;
                    }
                    Err(_) => break,
                }
            }
            socket.flush().await
        })
        .await;
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(End::Gone),
            Err(_) => {
                let reason = format!("sending took over {} s", SEND_TIMEOUT.as_secs());
                return Err(End::Close(close_code::POLICY_VIOLATION, reason));
            }
        }
        match pending_close {
            Some(Outbound::Close { code, reason }) => {
                self.leave();
                Err(End::Close(code, reason.to_owned()))
            }
            _ => Ok(()),
        }
    }

    async fn handle_text(
        &mut self,
        socket: &mut WebSocket,
        inbound: &mut Inbound,
        text: &str,
    ) -> Result<(), End> {
        let received = Instant::now();
        let message = match parse_client_message::<Op>(text) {
            Ok(message) => message,
            Err(body) => return inbound.reject(socket, body).await,
        };
        match message {
            ClientMessage::Hello(hello) => self.rejoin(socket, inbound, hello).await,
            ClientMessage::Submit(submit) => {
                let Some(commands) = &self.commands else {
                    return inbound.reject(socket, not_joined()).await;
                };
                if submit.id.site != self.hello.site {
                    let message = format!(
                        "operation {} does not belong to this connection's site {}",
                        submit.id, self.hello.site
                    );
                    let body = ErrorBody {
                        code: ErrorCode::InvalidMessage,
                        message,
                        id: Some(submit.id),
                    };
                    return inbound.reject(socket, body).await;
                }
                let submission = Submission {
                    id: submit.id,
                    base: submit.base,
                    clock: submit.clock,
                    op: submit.op,
                };
                let command = Command::Submit {
                    conn: self.conn,
                    submission,
                    received,
                };
                commands.send(command).await.map_err(|_| closed())
            }
            ClientMessage::Presence(update) => {
                let Some(commands) = &self.commands else {
                    return inbound.reject(socket, not_joined()).await;
                };
                let command = Command::Presence {
                    conn: self.conn,
                    update,
                };
                commands.send(command).await.map_err(|_| closed())
            }
        }
    }

    /// Joins again after a `resync`, on the same document as the first
    /// hello.
    async fn rejoin(
        &mut self,
        socket: &mut WebSocket,
        inbound: &mut Inbound,
        hello: Hello,
    ) -> Result<(), End> {
        if self.commands.is_some() {
            let message = "this connection has joined its document already";
            return inbound
                .reject(socket, ErrorBody::new(ErrorCode::AlreadyJoined, message))
                .await;
        }
        let same = hello.doc == self.hello.doc
            && hello.doc_type == self.hello.doc_type
            && hello.site == self.hello.site;
        if !same {
            let message = format!(
                "this connection serves document {} as site {}: open a new connection for another",
                self.hello.doc, self.hello.site
            );
            return inbound
                .reject(socket, ErrorBody::new(ErrorCode::InvalidMessage, message))
                .await;
        }
        self.join(socket, inbound, hello.revision).await
    }
}

fn going_away() -> End {
    End::Close(close_code::GOING_AWAY, "server shutting down".to_owned())
}

fn closed() -> End {
    End::Close(close_code::INTERNAL_ERROR, "the document closed".to_owned())
}

fn not_joined() -> ErrorBody {
    let message = "send hello and wait for the welcome before other messages";
    ErrorBody::new(ErrorCode::NotJoined, message)
}

async fn sleep_until_option(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
