//! A document served by several nodes on one Redis stream.
//!
//! Each node commits submissions to its own authority and appends them
//! with a compare-and-set. When another node appended first, the node
//! takes the new entries from the stream, rebuilds its authority at the
//! durable revision, replays them, and receives its not-yet-durable
//! submissions again, which transforms them past the new entries. Nothing
//! is acknowledged before its entry is in the stream. A follower task
//! reads the stream with `XREAD BLOCK` and hands the entries to the
//! document task, which broadcasts those of other nodes to its clients.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use echostream::sync::{Authority, Receipt};
use echostream::{LoggedOp, OpId};
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::task::{Open, Pending};
use super::ConnId;
use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::protocol::{ErrorBody, ServerMessage};
use crate::store::{decode_entry, DocumentKeys, DocumentLog, OpenMode, RedisStore};

use super::file_load::replay;

/// How long one `XREAD BLOCK` waits for new entries, in milliseconds.
const BLOCK_MS: usize = 2_000;

/// The entries one `XREAD` returns at most.
const READ_COUNT: usize = 512;

/// The maximum pause between reconnection attempts of the follower.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// The batches of followed entries queued for the document task.
const FOLLOW_QUEUE: usize = 64;

/// The connection id that broadcasts of other nodes' entries come from.
/// Connection ids count from 1, so no member is skipped for it.
const NO_CONNECTION: ConnId = 0;

/// Entries read from the stream, or why following it stopped.
pub(super) type Followed<Op> = Result<Vec<LoggedOp<Op>>, String>;

/// The cluster state of an open document.
pub(super) struct Cluster<Op: DocumentOp> {
    /// The authority at the durable revision, from which the authority is
    /// rebuilt when another node appended first.
    pub(super) durable: Authority<Op>,
    /// Entries read from the stream and not applied yet, by revision.
    remote: BTreeMap<u64, LoggedOp<Op>>,
    /// Stops the follower when the document closes.
    _follower: DropGuard,
}

/// Reads the snapshot and the stream of a document from Redis. Blocks the
/// thread; O(n) in the entries after the snapshot.
pub(super) fn load<Op: DocumentOp>(
    store: &RedisStore,
    doc: &DocumentId,
) -> anyhow::Result<(DocumentLog<Op>, Authority<Op>, usize)> {
    let mut log = store.open::<Op>(doc, OpenMode::Write)?;
    let start = log.replay_start()?;
    if let Some(damaged) = &start.damaged {
        tracing::warn!(doc = %doc, key = %log.keys().snapshot, error = %damaged.error, "skipping a damaged snapshot and replaying the stream from revision 1");
    }
    let (authority, replayed) = replay(&log, start.snapshot)?;
    if let Some(damaged) = &start.damaged {
        let revision = authority.revision();
        let replaced = log.replace_damaged_snapshot(damaged, authority.snapshot())?;
        tracing::info!(doc = %doc, key = %log.keys().snapshot, revision, replaced, "wrote a good snapshot in place of the damaged one");
    }
    Ok((DocumentLog::Redis(Box::new(log)), authority, replayed))
}

impl<Op: DocumentOp> Cluster<Op> {
    /// Starts following the stream after the authority's revision, and
    /// returns the state and the queue of followed entries. Keeps a copy
    /// of the authority: O(n) in the document.
    pub(super) fn start(
        store: &RedisStore,
        doc: &DocumentId,
        authority: &Authority<Op>,
    ) -> (Self, mpsc::Receiver<Followed<Op>>) {
        let (tx, rx) = mpsc::channel(FOLLOW_QUEUE);
        let stop = CancellationToken::new();
        let follower = Follower {
            client: store.client().clone(),
            doc: doc.clone(),
            key: DocumentKeys::new(doc).log,
            after: authority.revision(),
            queue: tx,
            stop: stop.clone(),
        };
        tokio::spawn(follower.run());
        let cluster = Cluster {
            durable: authority.clone(),
            remote: BTreeMap::new(),
            _follower: stop.drop_guard(),
        };
        (cluster, rx)
    }

    /// Records an operation of this node that is now stored.
    pub(super) fn record_durable(&mut self, entry: &LoggedOp<Op>) {
        self.durable
            .replay(entry.clone())
            .expect("an operation the authority committed replays at the durable revision");
    }

    /// Drops the durable copy's history at or below `revision`, as the
    /// authority's.
    pub(super) fn compact(&mut self, revision: u64) {
        self.durable.compact(revision);
    }
}

/// The task that reads one document's stream with `XREAD BLOCK`, on a
/// connection of its own because a blocked read holds the connection.
struct Follower<Op: DocumentOp> {
    client: redis::Client,
    doc: DocumentId,
    key: String,
    /// The last revision read.
    after: u64,
    queue: mpsc::Sender<Followed<Op>>,
    stop: CancellationToken,
}

impl<Op: DocumentOp> Follower<Op> {
    /// Reads until stopped or until the document task is gone, and
    /// reconnects with backoff when the connection is lost.
    async fn run(mut self) {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_millis(BLOCK_MS as u64 + 5_000)));
        let options = StreamReadOptions::default()
            .block(BLOCK_MS)
            .count(READ_COUNT);
        let mut connection = None;
        let mut attempt: u32 = 0;
        loop {
            let result = async {
                if connection.is_none() {
                    let opened = self
                        .client
                        .get_multiplexed_async_connection_with_config(&config)
                        .await?;
                    connection = Some(opened);
                }
                let conn = connection.as_mut().expect("connected above");
                let start = format!("{}-0", self.after);
                conn.xread_options::<_, _, Option<StreamReadReply>>(
                    &[&self.key],
                    &[&start],
                    &options,
                )
                .await
            };
            let reply = tokio::select! {
                () = self.stop.cancelled() => return,
                () = self.queue.closed() => return,
                reply = result => reply,
            };
            match reply {
                Ok(reply) => {
                    if attempt > 0 {
                        tracing::info!(doc = %self.doc, attempts = attempt, "following the Redis stream again");
                    }
                    attempt = 0;
                    let Some(reply) = reply else { continue };
                    if !self.forward(reply).await {
                        return;
                    }
                }
                Err(error) => {
                    connection = None;
                    attempt += 1;
                    let delay = retry_delay(attempt);
                    tracing::warn!(doc = %self.doc, attempt, delay_ms = delay.as_millis() as u64, %error, "following the Redis stream failed; reconnecting");
                    tokio::select! {
                        () = self.stop.cancelled() => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// Decodes the entries and queues them for the document task. Returns
    /// false when following must stop.
    async fn forward(&mut self, reply: StreamReadReply) -> bool {
        let mut entries = Vec::new();
        for stream in reply.keys {
            for raw in &stream.ids {
                match decode_entry::<Op>(&self.doc, &self.key, raw) {
                    Ok(entry) => entries.push(entry),
                    Err(error) => {
                        let _ = self.queue.send(Err(error.to_string())).await;
                        return false;
                    }
                }
            }
        }
        let Some(last) = entries.last() else {
            return true;
        };
        self.after = last.revision;
        self.queue.send(Ok(entries)).await.is_ok()
    }
}

/// Returns the pause before reconnection attempt `attempt` (from 1):
/// 50 ms, doubling up to [`MAX_RETRY_DELAY`].
fn retry_delay(attempt: u32) -> Duration {
    let millis = 50u64.saturating_mul(1 << attempt.min(10).saturating_sub(1));
    Duration::from_millis(millis).min(MAX_RETRY_DELAY)
}

impl<Op: DocumentOp> Open<Op> {
    /// Queues entries followed from the stream; they are applied once no
    /// write is running, because its outcome decides what they replace.
    pub(super) fn take_followed(&mut self, entries: Vec<LoggedOp<Op>>) {
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        for entry in entries {
            if entry.revision > self.durable {
                cluster.remote.insert(entry.revision, entry);
            }
        }
    }

    /// Applies the queued entries that continue the durable revision,
    /// unless a write is running.
    pub(super) fn apply_followed(&mut self) -> Result<(), String> {
        if self.writing.is_some() {
            return Ok(());
        }
        let Some(cluster) = self.cluster.as_mut() else {
            return Ok(());
        };
        cluster.remote = cluster.remote.split_off(&(self.durable + 1));
        let mut entries = Vec::new();
        while let Some(entry) = cluster
            .remote
            .remove(&(self.durable + 1 + entries.len() as u64))
        {
            entries.push(entry);
        }
        if entries.is_empty() {
            return Ok(());
        }
        self.rebase(entries)
    }

    /// Makes other nodes' entries durable here, right after the durable
    /// revision, and moves the submissions not stored yet past them.
    ///
    /// When submissions are waiting, the authority is rebuilt from the
    /// copy at the durable revision (O(n) in the document), the entries
    /// are replayed, and each waiting submission is received again in
    /// order. A submission that another node already stored (a client
    /// that resent it there) is acknowledged with that node's revision.
    /// An entry of a site connected here that another connection stored
    /// shows that the connections here were replaced: they are closed and
    /// their waiting submissions dropped (see `replaced_by`).
    pub(super) fn rebase(&mut self, entries: Vec<LoggedOp<Op>>) -> Result<(), String> {
        let waiting = std::mem::take(&mut self.pending);
        // The authority has committed every waiting operation, the
        // dropped ones too, so it is rebuilt whenever any was waiting.
        if !waiting.is_empty() {
            let cluster = self.cluster.as_ref().expect("rebase runs in cluster mode");
            self.authority = cluster.durable.clone();
        }
        let fenced = self.replaced_by(&entries, &waiting);
        let waiting = self.drop_replaced(&fenced, waiting);
        let mut remote_ids = HashMap::new();
        let count = entries.len();
        for entry in entries {
            let revision = entry.revision;
            let replay = |authority: &mut Authority<Op>, entry: LoggedOp<Op>| {
                authority
                    .replay(entry)
                    .map_err(|e| format!("replaying revision {revision} from Redis failed: {e}"))
            };
            let cluster = self.cluster.as_mut().expect("checked above");
            replay(&mut cluster.durable, entry.clone())?;
            replay(&mut self.authority, entry.clone())?;
            remote_ids.insert(entry.id, revision);
            self.advance_durable(&entry);
            let text = ServerMessage::Op(&entry).to_text();
            self.broadcast(NO_CONNECTION, entry.id.site, text.into());
        }
        self.written = self.durable;
        let cluster = self.cluster.as_mut().expect("checked above");
        cluster.remote = cluster.remote.split_off(&(self.durable + 1));
        tracing::debug!(doc = %self.doc, entries = count, revision = self.durable, waiting = waiting.len(), "applied entries of other nodes");

        for pending in waiting {
            self.receive_again(pending, &remote_ids);
        }
        self.move_late_acks(&remote_ids);
        self.release(self.durable);
        self.compact_history();
        Ok(())
    }

    /// Receives a submission that was committed here but not stored, on
    /// the rebuilt authority.
    pub(super) fn receive_again(&mut self, pending: Pending<Op>, remote_ids: &HashMap<OpId, u64>) {
        let submission = pending
            .submission
            .expect("cluster mode keeps each pending submission");
        let id = submission.id;
        match self.authority.receive(submission.clone()) {
            Ok(Receipt::Committed(entry)) => self.pending.push_back(Pending {
                entry,
                submission: Some(submission),
                ..pending
            }),
            Ok(Receipt::Duplicate { id, revision }) => {
                tracing::debug!(doc = %self.doc, conn = pending.origin, op = %id, revision, stored_elsewhere = remote_ids.contains_key(&id), "acknowledged an operation another node stored");
                self.late_acks.push((pending.origin, id, revision));
            }
            Err(error) => {
                tracing::warn!(doc = %self.doc, conn = pending.origin, op = %id, %error, "rejected an operation after another node's entries");
                let body = ErrorBody {
                    code: super::task::sync_error_code(&error),
                    message: error.to_string(),
                    id: Some(id),
                };
                self.send_to(pending.origin, body.to_text().into());
            }
        }
    }

    /// Points the acknowledgements of resent operations, which named the
    /// revisions their originals had before the rebase, at the revisions
    /// they have now. One whose original is gone (rejected) is dropped.
    pub(super) fn move_late_acks(&mut self, remote_ids: &HashMap<OpId, u64>) {
        let durable = self.durable;
        let moved: Vec<_> = std::mem::take(&mut self.late_acks)
            .into_iter()
            .filter_map(|(conn, id, revision)| {
                let now = remote_ids.get(&id).copied().or_else(|| {
                    self.pending
                        .iter()
                        .find(|p| p.entry.id == id)
                        .map(|p| p.entry.revision)
                });
                match now {
                    Some(now) => Some((conn, id, now)),
                    None => (revision <= durable).then_some((conn, id, revision)),
                }
            })
            .collect();
        self.late_acks = moved;
    }
}
