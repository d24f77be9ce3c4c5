//! The sync state shared by the text and board clients: the engine's
//! `Client` state machine, the committed document beside it and the
//! offline log kept in step with both.

use echostream::sync::{Client, Submission, SUBMISSION_SIDE};
use echostream::{LoggedOp, OpId, OpLog, Operation, SiteId, Snapshot};

use crate::args::JsResult;
use crate::offline::{IndexedDbLog, PendingOp};

/// The committed operations between two snapshots of the offline log.
const SNAPSHOT_EVERY: u64 = 100;

/// The in-flight operation as the authority will commit it: transformed
/// past every remote entry received since it was sent.
struct InFlight<Op> {
    id: OpId,
    op: Op,
}

/// A replica's sync state.
pub struct SyncCore<Op: Operation> {
    pub(crate) client: Client<Op>,
    /// The authority's document at the client's revision.
    confirmed: Op::Document,
    in_flight: Option<InFlight<Op>>,
    /// The in-flight submission read from the offline log, sent again as
    /// stored, with its original clock.
    restored: Option<Submission<Op>>,
    log: Option<IndexedDbLog<Op>>,
    committed_since_snapshot: u64,
}

impl<Op: Operation> SyncCore<Op>
where
    Op::Error: Into<wasm_bindgen::JsError>,
{
    /// Returns a synchronized replica whose document is the authority's at
    /// `revision`, without an offline log.
    pub fn new(site: SiteId, document: Op::Document, revision: u64) -> Self {
        SyncCore {
            client: Client::new(site, document.clone(), revision),
            confirmed: document,
            in_flight: None,
            restored: None,
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
            return Ok(SyncCore {
                client: Client::with_first_seq(site, document.clone(), revision, log.next_seq()),
                confirmed: document,
                in_flight: None,
                restored: None,
                log: Some(log),
                committed_since_snapshot: 0,
            });
        };

        let document = log.confirmed_at(first.base)?;
        let mut core = SyncCore {
            client: Client::with_first_seq(site, document.clone(), first.base, first.id.seq),
            confirmed: document,
            in_flight: None,
            restored: Some(Submission {
                id: first.id,
                base: first.base,
                clock: first.clock.clone(),
                op: first.op.clone(),
            }),
            log: None,
            committed_since_snapshot: 0,
        };
        core.client
            .apply_local(first.op.clone())
            .map_err(Into::into)?;
        core.take_submission();
        for entry in log.read_since(first.base)? {
            core.receive(entry)?;
        }
        for later in &pending[1..] {
            core.client
                .apply_local(later.op.clone())
                .map_err(Into::into)?;
        }
        core.log = Some(log);
        Ok(core)
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
        let Some(in_flight) = self.in_flight.take_if(|f| f.id == id) else {
            self.client.acknowledge(id, revision)?;
            return Ok(());
        };
        let clock = self
            .client
            .in_flight()
            .map(|s| s.clock.clone())
            .unwrap_or_default();
        if let Err(e) = self.client.acknowledge(id, revision) {
            self.in_flight = Some(in_flight);
            return Err(e.into());
        }
        in_flight
            .op
            .apply(&mut self.confirmed)
            .map_err(Into::into)?;
        self.restored = None;
        let entry = LoggedOp {
            revision,
            id,
            clock,
            op: in_flight.op,
        };
        self.record(Some(entry))
    }

    /// Applies a committed entry from the authority and records it.
    /// Returns the operation as applied locally, or `None` when the entry
    /// was seen already or acknowledged the in-flight operation.
    pub fn receive_remote(&mut self, entry: LoggedOp<Op>) -> JsResult<Option<Op>> {
        let fresh = entry.revision > self.client.revision();
        let applied = self.receive(entry.clone())?;
        if fresh {
            self.record(Some(entry))?;
        }
        Ok(applied)
    }

    /// Replaces the document by the authority's snapshot. Pending
    /// operations cannot be moved onto it: they are dropped and returned.
    pub fn reset_to_snapshot(
        &mut self,
        document: Op::Document,
        revision: u64,
    ) -> JsResult<Vec<Submission<Op>>> {
        let dropped = self.client.pending();
        let site = self.client.site();
        let next_seq = self.client.clock().get(site) + 1;
        self.client = Client::with_first_seq(site, document.clone(), revision, next_seq);
        self.confirmed = document.clone();
        self.in_flight = None;
        self.restored = None;
        if let Some(log) = &mut self.log {
            log.save_snapshot(Snapshot {
                revision,
                document,
                last_seq: Default::default(),
            })?;
            log.compact(revision)?;
            log.record_commit(None, Vec::new())?;
        }
        Ok(dropped)
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
        &self.confirmed
    }

    /// Returns the pending local edits as one operation on the committed
    /// document: the in-flight operation as it is now, then the buffer.
    pub fn pending_change(&self) -> JsResult<Op> {
        let pending = self.client.pending();
        let buffer = match (&self.in_flight, pending.len()) {
            (Some(_), 2) => Some(&pending[1].op),
            (None, 1) => Some(&pending[0].op),
            _ => None,
        };
        let in_flight = self.in_flight.as_ref().map(|f| &f.op);
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
        if self.in_flight.is_some() {
            return Ok(false);
        }
        let Some(log) = &mut self.log else {
            return Ok(false);
        };
        let revision = self.client.revision();
        log.save_snapshot(Snapshot {
            revision,
            document: self.confirmed.clone(),
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

    /// Takes the next submission from the engine and tracks it as the
    /// in-flight operation. A restored operation is sent as stored.
    fn take_submission(&mut self) -> Option<Submission<Op>> {
        let submission = self.client.next_submission()?;
        let tracked = self
            .in_flight
            .as_ref()
            .is_some_and(|f| f.id == submission.id);
        if !tracked {
            self.in_flight = Some(InFlight {
                id: submission.id,
                op: submission.op.clone(),
            });
        }
        match &self.restored {
            Some(stored) if stored.id == submission.id => Some(stored.clone()),
            _ => Some(submission),
        }
    }

    /// Applies a committed entry to the engine client and the committed
    /// document, without recording it.
    fn receive(&mut self, entry: LoggedOp<Op>) -> JsResult<Option<Op>> {
        if entry.revision <= self.client.revision() {
            return Ok(None);
        }
        let own = self.in_flight.as_ref().is_some_and(|f| f.id == entry.id);
        let applied = self.client.receive_remote(entry.clone())?;
        entry.op.apply(&mut self.confirmed).map_err(Into::into)?;
        if own {
            self.in_flight = None;
            self.restored = None;
            return Ok(None);
        }
        if let Some(in_flight) = &mut self.in_flight {
            in_flight.op = in_flight.op.transform(&entry.op, SUBMISSION_SIDE);
        }
        Ok(Some(applied))
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
        log.record_commit(entry, pending)?;
        if committed {
            self.committed_since_snapshot += 1;
            if self.committed_since_snapshot >= SNAPSHOT_EVERY {
                self.save_snapshot()?;
            }
        }
        Ok(())
    }
}
