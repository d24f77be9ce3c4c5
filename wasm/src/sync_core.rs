//! The sync state shared by the text and board clients: the engine's
//! `Client` state machine and the offline log kept in step with it.

use echostream::sync::{Client, Submission};
use echostream::{Diff, LoggedOp, OpId, OpLog, Operation, SiteId, Snapshot, VectorClock};

use crate::args::JsResult;
use crate::offline::{IndexedDbLog, PendingOp};

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
}

impl<Op: Diff> SyncCore<Op>
where
    Op::Error: Into<wasm_bindgen::JsError>,
{
    /// Returns a synchronized replica whose document is the authority's at
    /// `revision`, without an offline log.
    pub fn new(site: SiteId, document: Op::Document, revision: u64) -> Self {
        SyncCore {
            client: Client::new(site, document, revision),
            restored_clock: None,
            log: None,
            committed_since_snapshot: 0,
        }
    }

    /// Returns the replica stored in an offline log, which it takes over.
    /// The state is rebuilt at the first pending operation's base:
    /// applying the operation there gives it its original id, and the
    /// stored entries after the base then move it as they moved it before.
    /// O(size of the log).
    pub fn restore(log: IndexedDbLog<Op>) -> JsResult<Self> {
        let site = log.site();
        let pending = log.pending().to_vec();
        let Some(first) = pending.first() else {
            let (document, revision) = log.confirmed()?;
            let mut core = SyncCore {
                client: Client::with_first_seq(site, document, revision, log.next_seq()),
                restored_clock: None,
                log: None,
                committed_since_snapshot: 0,
            };
            core.restore_history(&log);
            core.log = Some(log);
            return Ok(core);
        };

        let document = log.confirmed_at(first.base)?;
        let mut core = SyncCore {
            client: Client::with_first_seq(site, document, first.base, first.id.seq),
            restored_clock: Some((first.id, first.clock.clone())),
            log: None,
            committed_since_snapshot: 0,
        };
        core.client
            .apply_local(first.op.clone())
            .map_err(Into::into)?;
        core.take_submission();
        for entry in log.read_since(first.base)? {
            core.client.receive_remote(entry)?;
        }
        for later in &pending[1..] {
            core.client
                .apply_local(later.op.clone())
                .map_err(Into::into)?;
        }
        core.restore_history(&log);
        core.log = Some(log);
        Ok(core)
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

    /// Applies a local edit and records it.
    pub fn apply_local(&mut self, op: Op) -> JsResult<()> {
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

    /// Undoes the latest local edit, as a new local edit, and records it.
    pub fn undo(&mut self) -> JsResult<Option<Op>> {
        let applied = self.client.undo().map_err(Into::into)?;
        if applied.is_some() {
            self.record(None)?;
        }
        Ok(applied)
    }

    /// Redoes the latest undone edit and records it.
    pub fn redo(&mut self) -> JsResult<Option<Op>> {
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
        let pending = self
            .client
            .pending()
            .into_iter()
            .map(|s| PendingOp {
                id: s.id,
                base: s.base,
                clock: s.clock,
                op: s.op,
            })
            .collect();
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
