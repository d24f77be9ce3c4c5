//! The sync state shared by the text and board clients: the engine's
//! `Client` state machine and the offline log kept in step with it.

use echostream::sync::{Client, ClientState, Submission};
use echostream::{Diff, LoggedOp, OpId, OpLog, Operation, SiteId, Snapshot, VectorClock};

use crate::args::{error, JsResult, MAX_SAFE_INTEGER};
use crate::offline::{IndexedDbLog, LogError};

/// The committed operations between two snapshots of the offline log.
const SNAPSHOT_EVERY: u64 = 100;

/// A replica's sync state.
pub struct SyncCore<Op: Operation> {
    pub(crate) client: Client<Op>,
    /// The id and stored clock of the in-flight operation read from the
    /// offline log: it is sent with that clock, the one it was made with.
    restored_clock: Option<(OpId, VectorClock)>,
    log: Option<IndexedDbLog<Op>>,
    committed_since_snapshot: u64,
    restore_problems: Vec<String>,
    dropped_on_restore: Vec<Submission<Op>>,
}

impl<Op: Diff> SyncCore<Op>
where
    Op::Error: Into<wasm_bindgen::JsError>,
{
    /// Returns a synchronized replica whose document is the authority's at
    /// `revision`, without an offline log.
    pub fn new(site: SiteId, document: Op::Document, revision: u64) -> Self {
        SyncCore::from_client(Client::new(site, document, revision))
    }

    /// Returns a replica around `client`, without an offline log.
    fn from_client(client: Client<Op>) -> Self {
        SyncCore {
            client,
            restored_clock: None,
            log: None,
            committed_since_snapshot: 0,
            restore_problems: Vec::new(),
            dropped_on_restore: Vec::new(),
        }
    }

    /// Returns the replica stored in an offline log, which it takes over.
    ///
    /// The state is rebuilt at the first pending operation's base:
    /// applying the operation there gives it its original id, and the
    /// stored entries after the base then move it as they moved it before.
    /// When that fails, the replica starts from the committed document
    /// without the pending operations, or else from an empty document at
    /// revision 0, which the server's snapshot then replaces. Whatever was
    /// left out is listed in [`restore_problems`](SyncCore::restore_problems)
    /// and [`dropped_on_restore`](SyncCore::dropped_on_restore). O(size of
    /// the log).
    pub fn restore(log: IndexedDbLog<Op>) -> Self {
        let mut problems = log.problems().to_vec();
        let mut dropped = Vec::new();
        let mut core = match SyncCore::rebuild(&log) {
            Ok(core) => core,
            Err(error) => {
                let ids: Vec<String> = log.pending().iter().map(|p| p.id.to_string()).collect();
                problems.push(format!(
                    "the pending operations {} were not restored: {error}",
                    ids.join(", ")
                ));
                dropped = log.pending().to_vec();
                let (document, revision) = match log.confirmed() {
                    Ok(confirmed) => confirmed,
                    Err(error) => {
                        problems.push(format!(
                            "the committed document was not restored, so the server's \
                             snapshot replaces it: {error}"
                        ));
                        (Op::Document::default(), 0)
                    }
                };
                // The dropped ids are given out again; the welcome's lastSeq
                // then moves them past any the server committed.
                let first_seq = dropped.first().map_or(log.next_seq(), |p| p.id.seq);
                let client = Client::with_first_seq(log.site(), document, revision, first_seq);
                SyncCore::from_client(client)
            }
        };
        if dropped.is_empty() {
            core.restore_history(&log);
        }
        core.restore_problems = problems;
        core.dropped_on_restore = dropped;
        core.log = Some(log);
        core
    }

    /// Rebuilds the replica from the log, without taking it over.
    fn rebuild(log: &IndexedDbLog<Op>) -> Result<Self, String> {
        let site = log.site();
        let pending = log.pending();
        let Some(first) = pending.first() else {
            let (document, revision) = log.confirmed().map_err(|e| e.to_string())?;
            let client = Client::with_first_seq(site, document, revision, log.next_seq());
            return Ok(SyncCore::from_client(client));
        };

        let document = log.confirmed_at(first.base).map_err(|e| e.to_string())?;
        let client = Client::with_first_seq(site, document, first.base, first.id.seq);
        let mut core = SyncCore::from_client(client);
        core.restored_clock = Some((first.id, first.clock.clone()));
        core.client
            .apply_local(first.op.clone())
            .map_err(|e| format!("pending operation {}: {e}", first.id))?;
        core.take_submission();
        for entry in log.read_since(first.base).map_err(|e| e.to_string())? {
            core.client
                .receive_remote(entry)
                .map_err(|e| e.to_string())?;
        }
        for later in &pending[1..] {
            core.client
                .apply_local(later.op.clone())
                .map_err(|e| format!("pending operation {}: {e}", later.id))?;
        }
        Ok(core)
    }

    /// Returns what could not be restored from the offline log, one
    /// message per record or step, empty when everything was.
    pub fn restore_problems(&self) -> &[String] {
        &self.restore_problems
    }

    /// Returns the stored pending operations that could not be applied on
    /// restore. They are no longer sent, and the log drops them at its
    /// next write.
    pub fn dropped_on_restore(&self) -> &[Submission<Op>] {
        &self.dropped_on_restore
    }

    /// Sets the undo history stored in the log. The restored document is
    /// the one the history was stored for, because both were written in
    /// the same transactions, so the stacks apply to it as they are.
    fn restore_history(&mut self, log: &IndexedDbLog<Op>) {
        if let Some(history) = log.undo_history() {
            self.client.set_undo_history(history.clone());
        }
    }

    /// True if the replica writes to an offline log.
    pub fn has_log(&self) -> bool {
        self.log.is_some()
    }

    /// Returns an error, before anything changes, when a new local edit
    /// would need a sequence number above 2^53 - 1, which no JavaScript
    /// number represents exactly. An edit that joins the buffer needs none.
    fn check_next_seq(&self) -> JsResult<()> {
        let buffered = matches!(
            self.client.state(),
            ClientState::Pending | ClientState::AwaitingAckWithBuffer
        );
        check_seq_left(self.client.site(), self.client.next_seq(), !buffered)
    }

    /// Returns an error, before anything changes, when the offline log
    /// cannot record the committed operation at `revision` that the client
    /// is about to accept. It can only be recorded at the log's head plus
    /// one.
    fn check_log_follows(&self, revision: u64) -> JsResult<()> {
        let head = self.log.as_ref().map(OpLog::head);
        check_log_follows(revision, self.client.revision(), head)
    }

    /// Applies a local edit and records it.
    pub fn apply_local(&mut self, op: Op) -> JsResult<()> {
        self.check_next_seq()?;
        self.client.apply_local(op).map_err(Into::into)?;
        self.record(None)
    }

    /// Returns the submission to send now, if any, and records it.
    pub fn next_submission(&mut self) -> JsResult<Option<Submission<Op>>> {
        let submission = self.take_submission();
        if submission.is_some() {
            self.record(None)?;
        }
        Ok(submission)
    }

    /// Records the authority's acknowledgement of the in-flight operation.
    pub fn acknowledge(&mut self, id: OpId, revision: u64) -> JsResult<()> {
        let committed = match (self.client.in_flight(), self.client.in_flight_op()) {
            (Some(sent), Some(op)) if sent.id == id => Some((sent.clock.clone(), op.clone())),
            _ => None,
        };
        if committed.is_some() {
            self.check_log_follows(revision)?;
        }
        self.client.acknowledge(id, revision)?;
        let Some((clock, op)) = committed else {
            return Ok(());
        };
        self.restored_clock = None;
        let entry = LoggedOp {
            revision,
            id,
            clock,
            op,
        };
        self.record(Some(entry))
    }

    /// Applies a committed entry from the authority and records it.
    /// Returns the operation as applied locally, or `None` when the entry
    /// was seen already or acknowledged the in-flight operation.
    pub fn receive_remote(&mut self, entry: LoggedOp<Op>) -> JsResult<Option<Op>> {
        if entry.revision <= self.client.revision() {
            return Ok(None);
        }
        self.check_log_follows(entry.revision)?;
        let own = self.client.in_flight().is_some_and(|f| f.id == entry.id);
        let applied = self.client.receive_remote(entry.clone())?;
        if own {
            self.restored_clock = None;
        }
        self.record(Some(entry))?;
        Ok((!own).then_some(applied))
    }

    /// Moves onto the authority's snapshot at `revision`, keeping the
    /// pending operations (see `Client::rebase_onto_snapshot`), and
    /// stores the snapshot in the offline log. Returns the operation
    /// applied to the local document.
    pub fn rebase_onto_snapshot(
        &mut self,
        document: Op::Document,
        revision: u64,
        last_seq: u64,
    ) -> JsResult<Op> {
        let applied = self
            .client
            .rebase_onto_snapshot(document.clone(), revision, last_seq)?;
        if self
            .restored_clock
            .as_ref()
            .is_some_and(|(id, _)| id.seq <= last_seq)
        {
            self.restored_clock = None;
        }
        if let Some(log) = &mut self.log {
            log.save_snapshot(Snapshot {
                revision,
                document,
                last_seq: Default::default(),
            })?;
            log.compact(revision)?;
        }
        self.committed_since_snapshot = 0;
        self.record(None)?;
        Ok(applied)
    }

    /// Aligns the pending ids with the server's `last_seq` (see
    /// `Client::align_seqs`) and records them when they changed.
    pub fn align_seqs(&mut self, last_seq: u64) -> JsResult<bool> {
        check_seq_left(
            self.client.site(),
            last_seq.saturating_add(1),
            self.client.has_pending(),
        )?;
        let renumbered = self.client.align_seqs(last_seq);
        if renumbered {
            self.restored_clock = None;
            self.record(None)?;
        }
        Ok(renumbered)
    }

    /// Undoes the latest local edit, as a new local edit, and records it.
    pub fn undo(&mut self) -> JsResult<Option<Op>> {
        if self.client.can_undo() {
            self.check_next_seq()?;
        }
        let applied = self.client.undo().map_err(Into::into)?;
        if applied.is_some() {
            self.record(None)?;
        }
        Ok(applied)
    }

    /// Redoes the latest undone edit and records it.
    pub fn redo(&mut self) -> JsResult<Option<Op>> {
        if self.client.can_redo() {
            self.check_next_seq()?;
        }
        let applied = self.client.redo().map_err(Into::into)?;
        if applied.is_some() {
            self.record(None)?;
        }
        Ok(applied)
    }

    /// Returns the committed document at the client's revision.
    pub fn confirmed(&self) -> &Op::Document {
        self.client.confirmed()
    }

    /// Returns the pending local edits as one operation on the committed
    /// document: the in-flight operation as it is now, then the buffer.
    pub fn pending_change(&self) -> JsResult<Op> {
        let pending = self.client.pending();
        let in_flight = self.client.in_flight_op();
        let buffer = pending.get(usize::from(in_flight.is_some())).map(|s| &s.op);
        Ok(match (in_flight, buffer) {
            (Some(a), Some(b)) => a.compose(b).map_err(Into::into)?,
            (Some(a), None) => a.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => Op::identity(),
        })
    }

    /// Saves a snapshot of the committed document to the offline log and
    /// drops the operations it covers, unless an operation is in flight
    /// (its base must stay replayable). O(n) in the document.
    pub fn save_snapshot(&mut self) -> JsResult<bool> {
        if self.client.in_flight().is_some() {
            return Ok(false);
        }
        let Some(log) = &mut self.log else {
            return Ok(false);
        };
        let revision = self.client.revision();
        log.save_snapshot(Snapshot {
            revision,
            document: self.client.confirmed().clone(),
            last_seq: Default::default(),
        })?;
        log.compact(revision)?;
        self.committed_since_snapshot = 0;
        Ok(true)
    }

    /// Resolves when every write to the offline log started so far has
    /// finished or failed.
    pub fn flush(&self) -> js_sys::Promise {
        match &self.log {
            Some(log) => log.flush(),
            None => js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED),
        }
    }

    /// Takes the next submission from the engine. A restored operation is
    /// sent with the clock it was stored with.
    fn take_submission(&mut self) -> Option<Submission<Op>> {
        let mut submission = self.client.next_submission()?;
        if let Some((id, clock)) = &self.restored_clock {
            if *id == submission.id {
                submission.clock = clock.clone();
            }
        }
        Some(submission)
    }

    /// Writes the committed entry, if any, and the pending operations to
    /// the offline log, and saves a snapshot every `SNAPSHOT_EVERY`
    /// committed operations.
    fn record(&mut self, entry: Option<LoggedOp<Op>>) -> JsResult<()> {
        let committed = entry.is_some();
        let pending = self.client.pending();
        let Some(log) = &mut self.log else {
            return Ok(());
        };
        // NOTE: the whole history is written each time, O(u) for `u`
        // entries (at most the undo limit plus the redo stack).
        let history = self.client.undo_history();
        log.record_state(entry, pending, Some(&history))?;
        if committed {
            self.committed_since_snapshot += 1;
            if self.committed_since_snapshot >= SNAPSHOT_EVERY {
                self.save_snapshot()?;
            }
        }
        Ok(())
    }
}

/// Returns an error unless `next`, the sequence number that `site` would
/// give its next operation, is at most 2^53 - 1, the largest integer that
/// a JavaScript number represents exactly. Nothing is checked unless the
/// operation `takes_number`: one that joins the buffer does not.
#[inline(never)]
fn check_seq_left(site: SiteId, next: u64, takes_number: bool) -> JsResult<()> {
    if takes_number && next as f64 > MAX_SAFE_INTEGER {
        return Err(error(format!(
            "site {site} has used every sequence number up to the maximum \
             {MAX_SAFE_INTEGER}, so it cannot make another operation"
        )));
    }
    Ok(())
}

/// Returns an error when a client at `client_revision` would accept a
/// committed operation at `revision` that the offline log, at `head`
/// (`None` without a log), cannot record after it.
#[inline(never)]
fn check_log_follows(revision: u64, client_revision: u64, head: Option<u64>) -> JsResult<()> {
    match head {
        Some(head) if revision == client_revision.saturating_add(1) && revision != head + 1 => {
            Err(LogError::Revision { revision, head }.into())
        }
        _ => Ok(()),
    }
}
