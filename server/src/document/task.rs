//! The task that serves one open document: it owns the authority, hands
//! committed operations to a writer in batches (group commit), and sends
//! acknowledgements and broadcasts only once the operations are on disk.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use echostream::sync::{Authority, Receipt, Submission, SyncError};
use echostream::{LoggedOp, OpId, SiteId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::cluster::{self, Cluster, Followed};
use super::durability::WriteResult;
use super::file_load;
use super::join_queue::WaitingJoin;
use super::{Command, ConnId, Dropped, Join, JoinReply, Outbound, Registry};
use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::protocol::{
    close_code, ErrorBody, ErrorCode, PeerPresence, ServerMessage, SnapshotBody, PROTOCOL_VERSION,
};
use crate::store::{DocumentLog, Store};

/// The commands handled in one turn before the task looks at the writer
/// again, so that a busy document still starts its writes on time.
const COMMANDS_PER_TURN: usize = 256;

/// A document that is not open yet: the task's id and what it shares.
pub(crate) struct DocumentTask<Op: DocumentOp> {
    doc: DocumentId,
    generation: u64,
    registry: Arc<Registry>,
    op: std::marker::PhantomData<fn() -> Op>,
}

pub(super) struct Member<Op: DocumentOp> {
    pub(super) site: SiteId,
    pub(super) outbox: mpsc::Sender<Outbound>,
    pub(super) dropped: Option<oneshot::Sender<Dropped>>,
    /// The connection's fencing token, with Redis only.
    pub(super) token: Option<u64>,
    /// The member's presence at the durable revision.
    pub(super) presence: Option<Op::Presence>,
}

/// A committed operation waiting to be stored.
pub(super) struct Pending<Op: DocumentOp> {
    pub(super) entry: LoggedOp<Op>,
    pub(super) origin: ConnId,
    /// The fencing token of the origin connection, with Redis only.
    pub(super) token: Option<u64>,
    pub(super) received: Instant,
    /// The submission as received, kept with Redis only, where another
    /// node's append may force receiving it again.
    pub(super) submission: Option<Submission<Op>>,
}

/// An open document.
pub(super) struct Open<Op: DocumentOp> {
    pub(super) doc: DocumentId,
    pub(super) generation: u64,
    pub(super) registry: Arc<Registry>,
    pub(super) authority: Authority<Op>,
    /// The document at `durable`, for snapshots sent to joining clients:
    /// the authority's own document may hold operations not on disk yet.
    pub(super) durable_doc: Op::Document,
    /// The last revision on disk.
    pub(super) durable: u64,
    /// The last revision handed to the writer.
    pub(super) written: u64,
    /// The authority's history at or below this revision is dropped.
    pub(super) compacted: u64,
    pub(super) last_snapshot: u64,
    /// The log, or `None` while the writer has it.
    pub(super) log: Option<DocumentLog<Op>>,
    pub(super) writing: Option<JoinHandle<WriteResult<Op>>>,
    /// Committed operations above `durable`, in revision order.
    pub(super) pending: VecDeque<Pending<Op>>,
    /// Acknowledgements of resent operations that are not on disk yet.
    pub(super) late_acks: Vec<(ConnId, OpId, u64)>,
    pub(super) members: HashMap<ConnId, Member<Op>>,
    /// Joins that wait for their welcome: with Redis until the durable
    /// revision reaches the stream's head at the time of their token, with
    /// the file store until every committed operation of their site is on
    /// disk.
    pub(super) waiting_joins: Vec<WaitingJoin>,
    /// The state shared with other nodes, with Redis only.
    pub(super) cluster: Option<Cluster<Op>>,
}

impl<Op: DocumentOp> DocumentTask<Op> {
    pub(crate) fn new(doc: DocumentId, generation: u64, registry: Arc<Registry>) -> Self {
        DocumentTask {
            doc,
            generation,
            registry,
            op: std::marker::PhantomData,
        }
    }

    /// Loads the document, then serves its commands until it is idle, the
    /// server shuts down or storing fails.
    pub(crate) async fn run(self, mut commands: mpsc::Receiver<Command<Op>>) {
        match self.load().await {
            Ok((open, followed)) => open.serve(commands, followed).await,
            Err(error) => {
                tracing::error!(doc = %self.doc, error = %format!("{error:#}"), "loading the document failed");
                self.registry.remove(&self.doc, self.generation);
                let message = format!("document {} could not be loaded", self.doc);
                reject_queued(&mut commands, &message);
            }
        }
    }

    /// Reads the latest snapshot and replays the log after it. O(n) in the
    /// size of the log.
    async fn load(&self) -> anyhow::Result<(Open<Op>, Option<mpsc::Receiver<Followed<Op>>>)> {
        let started = Instant::now();
        let store = self.registry.store.clone();
        let doc = self.doc.clone();
        let loaded = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            match &store {
                Store::File(files) => file_load::load(files, &doc),
                Store::Redis(redis) => cluster::load(redis, &doc),
            }
        })
        .await?;
        let (log, authority, replayed): (_, Authority<Op>, _) = loaded?;
        let (cluster, followed) = match &self.registry.store {
            Store::File(_) => (None, None),
            Store::Redis(redis) => {
                let (cluster, followed) = Cluster::start(redis, &self.doc, &authority);
                (Some(cluster), Some(followed))
            }
        };

        let revision = authority.revision();
        let last_snapshot = log.last_snapshot();
        tracing::info!(
            doc = %self.doc,
            revision,
            snapshot = last_snapshot,
            replayed,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "loaded document"
        );
        self.registry.metrics.documents.inc();
        let mut open = Open {
            doc: self.doc.clone(),
            generation: self.generation,
            registry: Arc::clone(&self.registry),
            durable_doc: authority.document().clone(),
            authority,
            durable: revision,
            written: revision,
            compacted: 0,
            last_snapshot,
            log: Some(log),
            writing: None,
            pending: VecDeque::new(),
            late_acks: Vec::new(),
            members: HashMap::new(),
            waiting_joins: Vec::new(),
            cluster,
        };
        open.compact_history();
        Ok((open, followed))
    }
}

/// Rejects the joins still queued for a task that stops.
fn reject_queued<Op: DocumentOp>(commands: &mut mpsc::Receiver<Command<Op>>, message: &str) {
    commands.close();
    while let Ok(command) = commands.try_recv() {
        if let Command::Join(_, reply) = command {
            let error = ErrorBody::new(ErrorCode::DocumentUnavailable, message);
            let _ = reply.send(Err(error));
        }
    }
}

/// Returns the error code for a rejected submission.
pub(super) fn sync_error_code<E: std::error::Error>(error: &SyncError<E>) -> ErrorCode {
    match error {
        SyncError::BaseAboveHead { .. } => ErrorCode::RevisionAhead,
        SyncError::BaseCompacted { .. } => ErrorCode::HistoryCompacted,
        SyncError::SequenceGap { .. } => ErrorCode::SequenceGap,
        _ => ErrorCode::InvalidOperation,
    }
}

impl<Op: DocumentOp> Open<Op> {
    /// Serves commands, and with Redis the entries that `followed`
    /// delivers from the stream.
    async fn serve(
        mut self,
        mut commands: mpsc::Receiver<Command<Op>>,
        mut followed: Option<mpsc::Receiver<Followed<Op>>>,
    ) {
        let shutdown = self.registry.shutdown.clone();
        let cancelled = shutdown.cancelled();
        tokio::pin!(cancelled);
        let idle_limit = self.registry.limits.idle();
        let mut closing = false;
        loop {
            let idle = !closing && self.is_idle();
            let join_deadline = self.next_join_deadline();
            tokio::select! {
                result = async { self.writing.as_mut().expect("checked").await },
                    if self.writing.is_some() =>
                {
                    self.writing = None;
                    if let Err(error) = self.finish_write(result) {
                        self.fail(&error, &mut commands);
                        return;
                    }
                }
                entries = async { followed.as_mut().expect("checked").recv().await },
                    if followed.is_some() =>
                {
                    match entries {
                        Some(Ok(entries)) => self.take_followed(entries),
                        Some(Err(error)) => {
                            self.fail(&error, &mut commands);
                            return;
                        }
                        None => {
                            let error = "following the Redis stream stopped";
                            self.fail(error, &mut commands);
                            return;
                        }
                    }
                }
                command = commands.recv(), if !closing => match command {
                    Some(command) => {
                        self.handle(command);
                        for _ in 1..COMMANDS_PER_TURN {
                            match commands.try_recv() {
                                Ok(command) => self.handle(command),
                                Err(_) => break,
                            }
                        }
                    }
                    None => closing = true,
                },
                () = &mut cancelled, if !closing => closing = true,
                () = sleep_until_option(join_deadline), if join_deadline.is_some() => {
                    self.expire_joins();
                }
                () = async { tokio::time::sleep(idle_limit).await }, if idle => {
                    self.save_final_snapshot().await;
                    let registry = Arc::clone(&self.registry);
                    match registry.remove_if_idle(&self.doc, self.generation, &mut commands) {
                        Some(command) => self.handle(command),
                        None => {
                            self.registry.metrics.documents.dec();
                            tracing::info!(doc = %self.doc, revision = self.durable, "unloaded idle document");
                            return;
                        }
                    }
                }
            }
            if let Err(error) = self.apply_followed() {
                self.fail(&error, &mut commands);
                return;
            }
            self.admit_joins();
            self.start_write();
            if closing && self.writing.is_none() && self.pending.is_empty() {
                self.close(&mut commands).await;
                return;
            }
        }
    }

    fn is_idle(&self) -> bool {
        self.members.is_empty()
            && self.writing.is_none()
            && self.pending.is_empty()
            && self.waiting_joins.is_empty()
    }

    fn handle(&mut self, command: Command<Op>) {
        match command {
            Command::Join(join, reply) => self.join(join, reply),
            Command::Submit {
                conn,
                submission,
                received,
            } => self.submit(conn, submission, received),
            Command::Presence { conn, update } => self.presence(conn, update),
            Command::Leave { conn } => self.leave(conn),
        }
    }

    /// Returns the operations from `revision` to the durable revision, or
    /// `None` when the history no longer contains them.
    pub(super) fn durable_since(&self, revision: u64) -> Option<&[LoggedOp<Op>]> {
        let ops = self.authority.since(revision).ok()?;
        let count = (self.durable - revision) as usize;
        ops.get(..count)
    }

    /// Returns the last sequence number of `site` committed at or below
    /// the durable revision. A site's operations commit in sequence order,
    /// so its first operation not on disk yet marks the end. O(p) in the
    /// operations not on disk.
    fn durable_last_seq(&self, site: SiteId) -> u64 {
        self.pending
            .iter()
            .find(|p| p.entry.id.site == site)
            .map_or(self.authority.last_seq(site), |p| p.entry.id.seq - 1)
    }

    fn join(&mut self, join: Join, reply: JoinReply) {
        if join.fence.is_some() {
            self.queue_join(join, reply);
            return;
        }
        // Replaced first, the older connections commit nothing more, so
        // the wait for their operations to be stored ends.
        self.replace_connections(join.site, join.conn);
        if self.must_wait(join.site) {
            self.queue_unstored_join(join, reply);
        } else {
            self.welcome(join, reply);
        }
    }

    /// Sends the welcome at the durable revision and makes the connection
    /// a member. Returns false when the join failed instead.
    pub(super) fn welcome(&mut self, join: Join, reply: JoinReply) -> bool {
        if let Some(revision) = join.revision.filter(|&r| r > self.durable) {
            let message = format!(
                "revision {revision} is above the head revision {} of document {}",
                self.durable, self.doc
            );
            let _ = reply.send(Err(ErrorBody::new(ErrorCode::RevisionAhead, message)));
            return false;
        }

        let ops = join.revision.and_then(|r| self.durable_since(r));
        let with_snapshot = ops.is_none();
        let presence = self
            .members
            .values()
            .filter_map(|m| {
                let presence = m.presence.as_ref()?;
                Some(PeerPresence {
                    site: m.site,
                    presence,
                })
            })
            .collect();

        let snapshot = with_snapshot.then_some(SnapshotBody {
            revision: self.durable,
            document: &self.durable_doc,
        });
        let welcome = ServerMessage::Welcome {
            version: PROTOCOL_VERSION,
            doc: &self.doc,
            doc_type: Op::KIND,
            revision: self.durable,
            snapshot,
            ops: ops.unwrap_or(&[]),
            last_seq: self.durable_last_seq(join.site),
            presence,
        };
        let text = welcome.to_text();
        if join.outbox.try_send(Outbound::Text(text.into())).is_err() {
            let error = ErrorBody::new(
                ErrorCode::Unavailable,
                "the connection closed while joining",
            );
            let _ = reply.send(Err(error));
            return false;
        }

        tracing::info!(
            doc = %self.doc,
            client = %join.site,
            conn = join.conn,
            revision = self.durable,
            snapshot = with_snapshot,
            "client joined"
        );
        if join.fence.is_none() {
            self.replace_connections(join.site, join.conn);
        }
        let member = Member {
            site: join.site,
            outbox: join.outbox,
            dropped: Some(join.dropped),
            token: join.fence.map(|fence| fence.token),
            presence: None,
        };
        self.members.insert(join.conn, member);
        let _ = reply.send(Ok(()));
        true
    }

    fn submit(&mut self, conn: ConnId, submission: Submission<Op>, received: Instant) {
        let Some((site, token)) = self.members.get(&conn).map(|m| (m.site, m.token)) else {
            tracing::debug!(doc = %self.doc, conn, "dropped a submission from a connection that left");
            return;
        };
        let id = submission.id;
        let kept = self.cluster.is_some().then(|| submission.clone());
        match self.authority.receive(submission) {
            Ok(Receipt::Committed(entry)) => self.pending.push_back(Pending {
                entry,
                origin: conn,
                token,
                received,
                submission: kept,
            }),
            Ok(Receipt::Duplicate { id, revision }) => {
                tracing::debug!(doc = %self.doc, client = %site, conn, op = %id, revision, "acknowledged a resent operation");
                if revision <= self.durable {
                    let ack: ServerMessage<Op> = ServerMessage::Ack { id, revision };
                    self.send_to(conn, ack.to_text().into());
                } else {
                    self.late_acks.push((conn, id, revision));
                }
            }
            Err(error) => {
                let code = sync_error_code(&error);
                self.registry
                    .metrics
                    .operations_rejected
                    .with_label_values(&[code.as_str()])
                    .inc();
                tracing::warn!(doc = %self.doc, client = %site, conn, op = %id, code = code.as_str(), %error, "rejected an operation");
                let body = ErrorBody {
                    code,
                    message: error.to_string(),
                    id: Some(id),
                };
                self.send_to(conn, body.to_text().into());
            }
        }
    }

    fn leave(&mut self, conn: ConnId) {
        if let Some(member) = self.members.remove(&conn) {
            tracing::info!(doc = %self.doc, client = %member.site, conn, "client left");
            self.clear_presence(conn, &member);
        }
    }

    /// Drops the other connections of `site` once `newest` has joined.
    /// Their sessions close them with code 4003 on a signal that bypasses
    /// the outbox, so it arrives even when an outbox is full. A site
    /// belongs to one client, so an older connection is one its client
    /// gave up on. Its late submissions must not commit: the client
    /// resends the same operation rebased onto the welcome's snapshot,
    /// which can differ from the old form.
    ///
    /// This serves the file store, where one node has every connection.
    /// It runs when a join arrives, and again at its welcome to replace an
    /// earlier join of the site that waited with it. With Redis,
    /// fencing tokens replace it across nodes (see `fence_out`).
    fn replace_connections(&mut self, site: SiteId, newest: ConnId) {
        let older: Vec<ConnId> = self
            .members
            .iter()
            .filter(|&(&conn, member)| member.site == site && conn != newest)
            .map(|(&conn, _)| conn)
            .collect();
        for conn in older {
            let Some(mut member) = self.members.remove(&conn) else {
                continue;
            };
            tracing::info!(doc = %self.doc, client = %site, conn, newer = newest, "replaced a connection by a newer one of the same client");
            if let Some(dropped) = member.dropped.take() {
                let _ = dropped.send(Dropped::Replaced);
            }
            self.clear_presence(conn, &member);
        }
    }

    /// Queues a message for one member. A member whose queue is full is
    /// dropped and gets a `resync` message.
    pub(super) fn send_to(&mut self, conn: ConnId, text: axum::extract::ws::Utf8Bytes) {
        let Some(member) = self.members.get(&conn) else {
            return;
        };
        match member.outbox.try_send(Outbound::Text(text)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.lag(conn),
            Err(mpsc::error::TrySendError::Closed(_)) => self.leave(conn),
        }
    }

    /// Queues a message for every member except `from` and the other
    /// connections of `site`.
    pub(super) fn broadcast(
        &mut self,
        from: ConnId,
        site: SiteId,
        text: axum::extract::ws::Utf8Bytes,
    ) {
        let mut failed = Vec::new();
        for (&conn, member) in &self.members {
            if conn == from || member.site == site {
                continue;
            }
            if let Err(error) = member.outbox.try_send(Outbound::Text(text.clone())) {
                let full = matches!(error, mpsc::error::TrySendError::Full(_));
                failed.push((conn, full));
            }
        }
        for (conn, full) in failed {
            if full {
                self.lag(conn);
            } else {
                self.leave(conn);
            }
        }
    }

    fn lag(&mut self, conn: ConnId) {
        let Some(mut member) = self.members.remove(&conn) else {
            return;
        };
        self.registry.metrics.clients_lagged.inc();
        tracing::warn!(
            doc = %self.doc,
            client = %member.site,
            conn,
            queue = self.registry.limits.client_queue,
            "client queue full; told to resync"
        );
        if let Some(dropped) = member.dropped.take() {
            let _ = dropped.send(Dropped::Lagged {
                revision: self.durable,
            });
        }
        self.clear_presence(conn, &member);
    }

    /// Closes the document on shutdown: everything is on disk by now.
    async fn close(mut self, commands: &mut mpsc::Receiver<Command<Op>>) {
        for member in self.members.values() {
            let close = Outbound::Close {
                code: close_code::GOING_AWAY,
                reason: "server shutting down",
            };
            let _ = member.outbox.try_send(close);
        }
        self.save_final_snapshot().await;
        self.registry.remove(&self.doc, self.generation);
        self.reject_waiting_joins("the server is shutting down");
        reject_queued(commands, "the server is shutting down");
        self.registry.metrics.documents.dec();
        tracing::info!(doc = %self.doc, revision = self.durable, clients = self.members.len(), "closed document");
    }

    /// Closes the document after a failed write. Nothing that failed was
    /// acknowledged; the clients reconnect, which loads the document from
    /// disk again, and resend.
    fn fail(mut self, error: &str, commands: &mut mpsc::Receiver<Command<Op>>) {
        tracing::error!(
            doc = %self.doc,
            %error,
            unacknowledged = self.pending.len(),
            "storing operations failed; closing the document so that clients reconnect and resend"
        );
        self.registry.remove(&self.doc, self.generation);
        let body = ErrorBody::new(
            ErrorCode::DocumentUnavailable,
            format!("storing document {} failed; reconnect and resend", self.doc),
        );
        let text = body.to_text();
        for member in self.members.values() {
            let _ = member.outbox.try_send(Outbound::Text(text.clone().into()));
            let close = Outbound::Close {
                code: close_code::INTERNAL_ERROR,
                reason: "storing the document failed",
            };
            let _ = member.outbox.try_send(close);
        }
        self.members.clear();
        self.reject_waiting_joins("storing the document failed");
        reject_queued(commands, "storing the document failed");
        self.registry.metrics.documents.dec();
    }
}

async fn sleep_until_option(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
