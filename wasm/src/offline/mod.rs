//! The offline op log: per document, the operations not yet acknowledged,
//! the committed operations since the last snapshot, the snapshot and its
//! revision, and the site id with its next sequence number. It keeps them
//! in memory and writes every change through a [`LogBackend`] (IndexedDB in
//! browsers) at once, behind the engine's [`OpLog`] interface.

mod backend;
mod log_class;
mod store;

pub use backend::{LogBackend, LogWrite, StoredRecords};
pub use log_class::{JsBoardOfflineLog, JsTextOfflineLog};

use store::{check_follows, read_records, replay_order, LogStore, RecordSink};

use echostream::sync::{Submission, UndoHistory};
use echostream::{LoggedOp, MemoryLog, OpId, OpLog, Operation, SiteId, Snapshot};
use serde::Serialize;

use crate::envelope::{LoggedOpValue, PendingOpValue, SnapshotValue};

/// The reason the offline log rejected a record or a call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// A stored record is not valid JSON for its type.
    #[error("invalid stored {what} of document {doc:?}: {message}")]
    Corrupt {
        /// The document.
        doc: String,
        /// The kind of record: snapshot, operation or pending operation.
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A committed operation does not follow the head.
    #[error("operation for revision {revision} does not follow the head {head}")]
    Revision {
        /// The revision of the rejected operation.
        revision: u64,
        /// The head of the log.
        head: u64,
    },
    /// A pending operation belongs to another site or repeats a sequence
    /// number.
    #[error("pending operation {id} does not belong to site {site} after sequence number {last}")]
    Pending {
        /// The rejected operation's id.
        id: OpId,
        /// The site of this log.
        site: SiteId,
        /// The last sequence number recorded.
        last: u64,
    },
    /// A compaction would drop operations that no snapshot covers.
    #[error(
        "cannot compact up to revision {revision}: the latest snapshot is at revision {snapshot}"
    )]
    Compact {
        /// The requested revision.
        revision: u64,
        /// The revision of the latest snapshot, 0 without one.
        snapshot: u64,
    },
    /// A revision lies outside the stored history.
    #[error("revision {revision} is not stored: the log keeps revisions {oldest} to {head}")]
    Missing {
        /// The requested revision.
        revision: u64,
        /// The revision of the snapshot, 0 without one.
        oldest: u64,
        /// The head.
        head: u64,
    },
    /// The stored operations do not replay onto the snapshot.
    #[error("stored operation for revision {revision} does not apply: {message}")]
    Replay {
        /// The revision of the operation.
        revision: u64,
        /// The error of the operation.
        message: String,
    },
}

/// The offline log of one document and one site.
pub struct IndexedDbLog<Op: Operation> {
    store: LogStore,
    /// The snapshot and the committed operations after it, as loaded and
    /// written.
    memory: MemoryLog<Op>,
    pending: Vec<Submission<Op>>,
    /// The undo history as loaded; later writes do not update it.
    history: Option<UndoHistory<Op>>,
    /// The messages naming the records that could not be read on load.
    problems: Vec<String>,
}

// Stored values go through a borrowed `serde_json::Value`, as values
// crossing from JavaScript do, so that each type has one deserializer in
// the module.
fn parse<T: serde::de::DeserializeOwned>(
    doc: &str,
    what: &'static str,
    value: &str,
) -> Result<T, LogError> {
    let value = parse_value(doc, what, value)?;
    T::deserialize(&value).map_err(|e| corrupt(doc, what, e.to_string()))
}

/// Parses JSON text from the store: the half of [`parse`] that is the
/// same for every type, so that the module contains one copy of it.
#[inline(never)]
fn parse_value(doc: &str, what: &'static str, value: &str) -> Result<serde_json::Value, LogError> {
    crate::json::parse_json(value).map_err(|message| corrupt(doc, what, message))
}

#[inline(never)]
fn corrupt(doc: &str, what: &'static str, message: String) -> LogError {
    LogError::Corrupt {
        doc: doc.to_owned(),
        what,
        message,
    }
}

fn json<T: Serialize>(value: &T) -> String {
    // Display rather than `expect`, whose Debug form of the error would
    // add serde_json's Debug code to the module.
    match serde_json::to_value(value) {
        Ok(encoded) => crate::json::value_text(&encoded),
        Err(error) => panic!("engine values always encode as JSON: {error}"),
    }
}

/// The records of a log as [`read_records`] hands them over, parsed.
struct ParsedRecords<'a, Op: Operation> {
    doc: &'a str,
    snapshot: Option<Snapshot<Op>>,
    entries: Vec<LoggedOp<Op>>,
    pending: Vec<Submission<Op>>,
    history: Option<UndoHistory<Op>>,
}

impl<Op: Operation> RecordSink for ParsedRecords<'_, Op> {
    fn snapshot(&mut self, value: &str) -> Result<(), LogError> {
        let snapshot: SnapshotValue = parse(self.doc, "snapshot", value)?;
        let snapshot = snapshot
            .typed()
            .map_err(|e| corrupt(self.doc, "snapshot", e.to_string()))?;
        self.snapshot = Some(snapshot);
        Ok(())
    }

    fn operation(&mut self, value: &str) -> Result<(), LogError> {
        let entry: LoggedOpValue = parse(self.doc, "operation", value)?;
        let entry: LoggedOp<Op> = entry
            .typed()
            .map_err(|e| corrupt(self.doc, "operation", e.to_string()))?;
        // Operations at or below the snapshot were compacted in another
        // tab's view of the log; skip them.
        if entry.revision > self.snapshot.as_ref().map_or(0, |s| s.revision) {
            self.entries.push(entry);
        }
        Ok(())
    }

    fn pending(&mut self, value: &str) -> Result<u64, LogError> {
        let op: PendingOpValue = parse(self.doc, "pending operation", value)?;
        let seq = op.id.seq;
        let op = op
            .typed()
            .map_err(|e| corrupt(self.doc, "pending operation", e.to_string()))?;
        self.pending.push(op);
        Ok(seq)
    }

    fn history(&mut self, value: &str) -> Result<(), LogError> {
        self.history = Some(parse(self.doc, "undo history", value)?);
        Ok(())
    }
}

impl<Op: Operation> IndexedDbLog<Op> {
    /// Builds the log of `site` in document `doc` from the records loaded
    /// from the store. A record that does not parse is left out and named
    /// in [`problems`](IndexedDbLog::problems), with what it takes along:
    /// the committed operations after an unreadable one, and the pending
    /// operations after an unreadable one, which were made on top of it.
    /// O(size of the records).
    pub fn load(
        backend: LogBackend,
        doc: String,
        site: SiteId,
        records: StoredRecords,
    ) -> Result<Self, LogError> {
        let mut parsed = ParsedRecords {
            doc: &doc,
            snapshot: None,
            entries: Vec::new(),
            pending: Vec::new(),
            history: None,
        };
        let (next_seq, problems) = read_records(site, &records, &mut parsed);
        let ParsedRecords {
            snapshot,
            entries,
            pending,
            history,
            ..
        } = parsed;

        let mut memory = MemoryLog::new();
        if let Some(snapshot) = snapshot {
            let Ok(()) = memory.save_snapshot(snapshot);
        }
        let revisions: Vec<u64> = entries.iter().map(|e| e.revision).collect();
        let mut entries: Vec<Option<LoggedOp<Op>>> = entries.into_iter().map(Some).collect();
        for index in replay_order(&revisions, memory.head()) {
            if let Some(entry) = entries[index].take() {
                let Ok(()) = memory.append(entry);
            }
        }
        Ok(IndexedDbLog {
            store: LogStore::new(backend, doc, site, next_seq),
            memory,
            pending,
            history,
            problems,
        })
    }

    /// The document id.
    pub fn doc(&self) -> &str {
        &self.store.doc
    }

    /// The site that this log keeps pending operations for.
    pub fn site(&self) -> SiteId {
        self.store.site
    }

    /// The sequence number of the next local operation.
    pub fn next_seq(&self) -> u64 {
        self.store.next_seq
    }

    /// Returns what could not be read from the store when the log was
    /// loaded, one message per record and what it took along.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Returns the undo history stored for this site, if any.
    pub fn undo_history(&self) -> Option<&UndoHistory<Op>> {
        self.history.as_ref()
    }

    /// The pending operations, oldest first.
    pub fn pending(&self) -> &[Submission<Op>] {
        &self.pending
    }

    /// Returns the committed document at the head: the snapshot with the
    /// stored operations applied. O(size of the operations).
    pub fn confirmed(&self) -> Result<(Op::Document, u64), LogError> {
        let head = self.head();
        Ok((self.confirmed_at(head)?, head))
    }

    /// Returns the committed document at `revision`, which must lie between
    /// the snapshot and the head. O(size of the operations up to it).
    pub fn confirmed_at(&self, revision: u64) -> Result<Op::Document, LogError> {
        let (mut document, start) = self.snapshot_start();
        if revision < start || revision > self.head() {
            return Err(LogError::Missing {
                revision,
                oldest: start,
                head: self.head(),
            });
        }
        for entry in self
            .memory
            .entries()
            .iter()
            .take_while(|e| e.revision <= revision)
        {
            entry
                .op
                .apply(&mut document)
                .map_err(|e| LogError::Replay {
                    revision: entry.revision,
                    message: e.to_string(),
                })?;
        }
        Ok(document)
    }

    /// Returns the revision of the latest snapshot, 0 without one.
    fn snapshot_revision(&self) -> u64 {
        self.memory.snapshot().map_or(0, |s| s.revision)
    }

    /// Returns the snapshot's document and revision, or an empty document
    /// at revision 0 without a snapshot.
    fn snapshot_start(&self) -> (Op::Document, u64) {
        match self.memory.snapshot() {
            Some(snapshot) => (snapshot.document.clone(), snapshot.revision),
            None => (Op::Document::default(), 0),
        }
    }

    /// Returns the document as this site last showed it: the committed
    /// document with the pending operations applied in order.
    pub fn restored(&self) -> Result<(Op::Document, u64), LogError> {
        let (mut document, revision) = self.confirmed()?;
        for pending in &self.pending {
            pending
                .op
                .apply(&mut document)
                .map_err(|e| LogError::Replay {
                    revision,
                    message: format!("pending operation {}: {e}", pending.id),
                })?;
        }
        Ok((document, revision))
    }

    /// Records a local operation, written at once with the site's next
    /// sequence number.
    pub fn record_local(&mut self, op: Submission<Op>) -> Result<(), LogError> {
        self.store.claim(op.id)?;
        self.store.write_local(op.id.seq, json(&op));
        self.pending.push(op);
        Ok(())
    }

    /// Replaces the pending operations, for example after they were
    /// transformed past a remote operation, together with the committed
    /// operation that changed them, in one write.
    pub fn record_commit(
        &mut self,
        entry: Option<LoggedOp<Op>>,
        pending: Vec<Submission<Op>>,
    ) -> Result<(), LogError> {
        self.record_state(entry, pending, None)
    }

    /// Records like [`record_commit`](IndexedDbLog::record_commit), and
    /// replaces the stored undo history of this site in the same write
    /// when `history` is given. O(u) in the history's entries.
    pub fn record_state(
        &mut self,
        entry: Option<LoggedOp<Op>>,
        pending: Vec<Submission<Op>>,
        history: Option<&UndoHistory<Op>>,
    ) -> Result<(), LogError> {
        let entry_value = match &entry {
            Some(entry) => {
                check_follows(entry.revision, self.head())?;
                Some((entry.revision, json(entry)))
            }
            None => None,
        };
        let pending_values = pending.iter().map(|op| (op.id.seq, json(op))).collect();
        let history_value = history.map(json);
        self.store
            .write_state(entry_value, pending_values, history_value);
        if let Some(entry) = entry {
            let Ok(()) = self.memory.append(entry);
        }
        self.pending = pending;
        Ok(())
    }

    /// Starts writing nothing new and returns a promise that resolves when
    /// every write started so far has finished or failed.
    pub fn flush(&self) -> js_sys::Promise {
        self.store.flush()
    }
}

impl<Op: Operation> OpLog<Op> for IndexedDbLog<Op> {
    type Error = LogError;

    /// Writes the operation at once. O(1) plus its size.
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), LogError> {
        check_follows(entry.revision, self.head())?;
        self.store.write_entry(entry.revision, json(&entry));
        let Ok(()) = self.memory.append(entry);
        Ok(())
    }

    /// Every write has been started already, so there is nothing to
    /// start.
    // NOTE: IndexedDB is asynchronous and this interface is not: a write is
    // durable only when the promise of `flush` resolves, not when this
    // returns.
    fn sync(&mut self) -> Result<(), LogError> {
        let _ = self.store.flush();
        Ok(())
    }

    fn head(&self) -> u64 {
        self.memory.head()
    }

    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, LogError> {
        let Ok(entries) = self.memory.read_since(revision);
        Ok(entries)
    }

    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, LogError> {
        let Ok(snapshot) = self.memory.latest_snapshot();
        Ok(snapshot)
    }

    /// Writes the snapshot unless the store contains a newer one from
    /// another tab. O(n) in the document.
    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), LogError> {
        self.store
            .write_snapshot(snapshot.revision, json(&snapshot));
        if snapshot.revision > self.snapshot_revision() {
            let Ok(()) = self.memory.save_snapshot(snapshot);
        }
        Ok(())
    }

    fn compact(&mut self, revision: u64) -> Result<(), LogError> {
        let snapshot = self.snapshot_revision();
        if revision > snapshot {
            return Err(LogError::Compact { revision, snapshot });
        }
        let Ok(()) = self.memory.compact(revision);
        self.store.delete_entries(revision);
        Ok(())
    }
}
