//! The durable half of a document task: batches of committed operations
//! go to a blocking thread that appends and syncs them (group commit), and
//! acknowledgements and broadcasts go out only once they are stored.

use echostream::{LoggedOp, OpLog, Snapshot};
use tokio::task::JoinError;

use super::task::Open;
use crate::document_op::DocumentOp;
use crate::protocol::ServerMessage;
use crate::store::{DocumentLog, StoreError};

/// The writer's result: the log, handed back, and the outcome of the
/// batch.
pub(super) struct WriteResult<Op: DocumentOp> {
    log: DocumentLog<Op>,
    synced: Result<(), StoreError>,
    snapshot: Option<(u64, Result<(), StoreError>)>,
    /// When another node appended first: the entries after the revision
    /// the batch followed, read from the stream.
    conflict: Option<Result<Vec<LoggedOp<Op>>, StoreError>>,
}

/// Appends and syncs a batch of entries, each with the fencing token of
/// the connection that sent it, then saves the snapshot if there is one.
/// Runs on a blocking thread.
fn write_batch<Op: DocumentOp>(
    mut log: DocumentLog<Op>,
    batch: Vec<(LoggedOp<Op>, Option<u64>)>,
    snapshot: Option<Snapshot<Op>>,
) -> WriteResult<Op> {
    fail::fail_point!(super::WRITE_FAIL_POINT);
    let base = batch.first().map_or(0, |(entry, _)| entry.revision - 1);
    let synced = batch
        .into_iter()
        .try_for_each(|(entry, token)| log.append_fenced(entry, token))
        .and_then(|()| log.sync());
    let snapshot = match (&synced, snapshot) {
        (Ok(()), Some(snapshot)) => {
            let revision = snapshot.revision;
            let saved = log.save_snapshot_and_compact(snapshot);
            Some((revision, saved))
        }
        _ => None,
    };
    let conflict = match &synced {
        Err(StoreError::Conflict { .. }) => Some(log.read_since(base)),
        _ => None,
    };
    WriteResult {
        log,
        synced,
        snapshot,
        conflict,
    }
}

impl<Op: DocumentOp> Open<Op> {
    /// Hands the operations committed since the last write to a blocking
    /// thread, with a snapshot every `snapshot_every` operations. Only one
    /// write runs at a time; operations committed meanwhile form the next
    /// batch.
    pub(super) fn start_write(&mut self) {
        let head = self.authority.revision();
        if self.writing.is_some() || head == self.written {
            return;
        }
        let Some(log) = self.log.take() else {
            return;
        };
        let skip = (self.written - self.durable) as usize;
        let batch: Vec<_> = self
            .pending
            .iter()
            .skip(skip)
            .map(|p| (p.entry.clone(), p.token))
            .collect();
        debug_assert_eq!(batch.last().map(|(e, _)| e.revision), Some(head));
        let every = self.registry.limits.snapshot_every.max(1);
        let snapshot = (head - self.last_snapshot >= every).then(|| self.authority.snapshot());
        self.written = head;
        self.writing = Some(tokio::task::spawn_blocking(move || {
            write_batch(log, batch, snapshot)
        }));
    }

    /// Takes the log back from the writer and releases what is now on
    /// disk. Returns an error when the batch could not be stored.
    pub(super) fn finish_write(
        &mut self,
        result: Result<WriteResult<Op>, JoinError>,
    ) -> Result<(), String> {
        let result = result.map_err(|e| format!("the writer failed: {e}"))?;
        self.log = Some(result.log);
        if let (Some(conflict), Some(_)) = (result.conflict, &self.cluster) {
            let entries = conflict.map_err(|e| e.to_string())?;
            tracing::debug!(doc = %self.doc, revision = self.durable, entries = entries.len(), "another node appended first; transforming again");
            self.registry.metrics.append_conflicts.inc();
            return self.rebase(entries);
        }
        if let Err(StoreError::Fenced { fenced, .. }) = &result.synced {
            self.take_fenced(fenced);
            return Ok(());
        }
        result.synced.map_err(|e| e.to_string())?;
        match result.snapshot {
            Some((revision, Ok(()))) => {
                self.last_snapshot = revision;
                tracing::debug!(doc = %self.doc, revision, "saved snapshot");
            }
            Some((revision, Err(error))) => {
                tracing::warn!(doc = %self.doc, revision, %error, "saving a snapshot failed; retrying with the next batch");
            }
            None => {}
        }
        self.release(self.written);
        self.compact_history();
        Ok(())
    }

    /// Applies a stored operation to the durable document and moves the
    /// members' presence past it.
    pub(super) fn advance_durable(&mut self, entry: &LoggedOp<Op>) {
        entry
            .op
            .apply(&mut self.durable_doc)
            .expect("a committed operation applies to the durable document");
        for member in self.members.values_mut() {
            if let Some(presence) = &member.presence {
                let own = member.site == entry.id.site;
                member.presence = Some(entry.op.transform_presence(presence, own));
            }
        }
        self.durable = entry.revision;
    }

    /// Acknowledges and broadcasts the operations up to `revision`, which
    /// are stored.
    pub(super) fn release(&mut self, revision: u64) {
        while self
            .pending
            .front()
            .is_some_and(|p| p.entry.revision <= revision)
        {
            let pending = self.pending.pop_front().expect("checked");
            let entry = &pending.entry;
            self.advance_durable(entry);
            if let Some(cluster) = self.cluster.as_mut() {
                cluster.record_durable(entry);
            }

            let ack: ServerMessage<Op> = ServerMessage::Ack {
                id: entry.id,
                revision: entry.revision,
            };
            self.send_to(pending.origin, ack.to_text().into());
            let op = ServerMessage::Op(entry).to_text();
            self.broadcast(pending.origin, entry.id.site, op.into());

            let metrics = &self.registry.metrics;
            metrics.operations_accepted.inc();
            metrics
                .submit_to_broadcast
                .observe(pending.received.elapsed().as_secs_f64());
        }

        let (ready, waiting) = std::mem::take(&mut self.late_acks)
            .into_iter()
            .partition(|&(_, _, r)| r <= revision);
        self.late_acks = waiting;
        for (conn, id, revision) in ready {
            let ack: ServerMessage<Op> = ServerMessage::Ack { id, revision };
            self.send_to(conn, ack.to_text().into());
        }
    }

    /// Drops the authority's history below the last `history` durable
    /// revisions, once it has grown to twice that.
    pub(super) fn compact_history(&mut self) {
        let keep = self.registry.limits.history;
        if self.durable - self.compacted > keep.saturating_mul(2) {
            let revision = self.durable - keep;
            self.authority.compact(revision);
            if let Some(cluster) = self.cluster.as_mut() {
                cluster.compact(revision);
            }
            self.compacted = revision;
        }
    }

    /// Saves a snapshot at the durable revision when operations were stored
    /// since the last one, so that the next load replays nothing.
    pub(super) async fn save_final_snapshot(&mut self) {
        if self.durable == self.last_snapshot || self.durable != self.authority.revision() {
            return;
        }
        let Some(mut log) = self.log.take() else {
            return;
        };
        let snapshot = self.authority.snapshot();
        let revision = snapshot.revision;
        let saved = tokio::task::spawn_blocking(move || {
            let saved = log.save_snapshot_and_compact(snapshot);
            (log, saved)
        })
        .await;
        match saved {
            Ok((log, result)) => {
                self.log = Some(log);
                match result {
                    Ok(()) => self.last_snapshot = revision,
                    Err(error) => {
                        tracing::warn!(doc = %self.doc, revision, %error, "saving a snapshot failed")
                    }
                }
            }
            Err(error) => tracing::error!(doc = %self.doc, %error, "the snapshot writer failed"),
        }
    }
}
