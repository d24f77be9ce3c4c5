//! The offline op log: per document, the operations not yet acknowledged,
//! the committed operations since the last snapshot, the snapshot and its
//! revision, and the site id with its next sequence number. It keeps them
//! in memory and writes every change through a [`LogBackend`] (IndexedDB in
//! browsers) at once, behind the engine's [`OpLog`] interface.

mod backend;
mod log_class;

pub use backend::{LogBackend, LogWrite, StoredRecords};
pub use log_class::{JsBoardOfflineLog, JsTextOfflineLog};

use echostream::sync::UndoHistory;
use echostream::{LoggedOp, MemoryLog, OpId, OpLog, Operation, SiteId, Snapshot, VectorClock};
use serde::{Deserialize, Serialize};

/// An operation made locally and not acknowledged yet, as the sync client
/// submits it: the same JSON form as a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound = "Op: Operation")]
pub struct PendingOp<Op: Operation> {
    /// The operation's id: this site and its sequence number.
    pub id: OpId,
    /// The revision the operation applies to.
    pub base: u64,
    /// The clock of what the site had seen.
    #[serde(default)]
    pub clock: VectorClock,
    /// The operation.
    pub op: Op,
}

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
    backend: LogBackend,
    doc: String,
    site: SiteId,
    next_seq: u64,
    /// The snapshot and the committed operations after it, as loaded and
    /// written.
    memory: MemoryLog<Op>,
    pending: Vec<PendingOp<Op>>,
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
    value_text(serde_json::to_value(value).expect("engine values always encode as JSON"))
}

#[inline(never)]
fn value_text(value: serde_json::Value) -> String {
    value.to_string()
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
        let site_text = site.to_string();
        let mut problems = Vec::new();
        let snapshot = match &records.snapshot {
            Some(record) => match parse::<Snapshot<Op>>(&doc, "snapshot", &record.value) {
                Ok(snapshot) => Some(snapshot),
                Err(e) => {
                    problems.push(format!(
                        "the snapshot at revision {} was not restored: {e}",
                        record.revision
                    ));
                    None
                }
            },
            None => None,
        };
        let snapshot_revision = snapshot.as_ref().map_or(0, |s| s.revision);

        let mut entries = Vec::new();
        for record in &records.ops {
            let entry: LoggedOp<Op> = match parse(&doc, "operation", &record.value) {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(format!(
                        "the committed operation at revision {} and those after it were \
                         not restored: {e}",
                        record.revision
                    ));
                    continue;
                }
            };
            // Operations at or below the snapshot were compacted in
            // another tab's view of the log; skip them.
            if entry.revision > snapshot_revision {
                entries.push(entry);
            }
        }
        entries.sort_by_key(|e| e.revision);

        let mut stored: Vec<_> = records
            .pending
            .iter()
            .filter(|r| r.site == site_text)
            .collect();
        stored.sort_by_key(|r| r.seq);
        let mut pending = Vec::new();
        for (index, record) in stored.iter().enumerate() {
            match parse::<PendingOp<Op>>(&doc, "pending operation", &record.value) {
                Ok(op) => pending.push(op),
                Err(e) => {
                    let lost: Vec<String> =
                        stored[index..].iter().map(|r| r.seq.to_string()).collect();
                    problems.push(format!(
                        "the pending operations {} of site {site} were not restored: {e}",
                        lost.join(", ")
                    ));
                    break;
                }
            }
        }
        // The log's next sequence number stays past every stored one, read
        // or not. A restored client may give unread ids out again, because
        // only the first pending operation can have been sent, and the
        // welcome's lastSeq corrects its ids.
        let stored_after = stored.last().map_or(1, |r| r.seq.saturating_add(1));

        let stored_next = records
            .sites
            .iter()
            .find(|s| s.site == site_text)
            .map_or(1, |s| s.next_seq);
        let after_pending = pending.last().map_or(1, |p| p.id.seq + 1).max(stored_after);
        let history = match records.history.iter().find(|h| h.site == site_text) {
            Some(record) => match parse::<UndoHistory<Op>>(&doc, "undo history", &record.value) {
                Ok(history) => Some(history),
                Err(e) => {
                    problems.push(format!("the undo history was not restored: {e}"));
                    None
                }
            },
            None => None,
        };

        let mut memory = MemoryLog::new();
        if let Some(snapshot) = snapshot {
            let Ok(()) = memory.save_snapshot(snapshot);
        }
        // Stop at a gap in the stored operations rather than replaying past
        // it.
        for entry in entries {
            if entry.revision != memory.head() + 1 {
                break;
            }
            let Ok(()) = memory.append(entry);
        }
        Ok(IndexedDbLog {
            backend,
            doc,
            site,
            next_seq: stored_next.max(after_pending),
            memory,
            pending,
            history,
            problems,
        })
    }

    /// The document id.
    pub fn doc(&self) -> &str {
        &self.doc
    }

    /// The site that this log keeps pending operations for.
    pub fn site(&self) -> SiteId {
        self.site
    }

    /// The sequence number of the next local operation.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
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
    pub fn pending(&self) -> &[PendingOp<Op>] {
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
    pub fn record_local(&mut self, op: PendingOp<Op>) -> Result<(), LogError> {
        let last = self.next_seq - 1;
        if op.id.site != self.site || op.id.seq <= last {
            return Err(LogError::Pending {
                id: op.id,
                site: self.site,
                last,
            });
        }
        self.next_seq = op.id.seq + 1;
        let writes = vec![self.pending_write(&op), self.site_write()];
        self.pending.push(op);
        self.backend.run(&writes);
        Ok(())
    }

    /// Replaces the pending operations, for example after they were
    /// transformed past a remote operation, together with the committed
    /// operation that changed them, in one write.
    pub fn record_commit(
        &mut self,
        entry: Option<LoggedOp<Op>>,
        pending: Vec<PendingOp<Op>>,
    ) -> Result<(), LogError> {
        self.record_state(entry, pending, None)
    }

    /// Records like [`record_commit`](IndexedDbLog::record_commit), and
    /// replaces the stored undo history of this site in the same write
    /// when `history` is given. O(u) in the history's entries.
    pub fn record_state(
        &mut self,
        entry: Option<LoggedOp<Op>>,
        pending: Vec<PendingOp<Op>>,
        history: Option<&UndoHistory<Op>>,
    ) -> Result<(), LogError> {
        let mut writes = Vec::new();
        if let Some(entry) = entry {
            let head = self.head();
            if entry.revision != head + 1 {
                return Err(LogError::Revision {
                    revision: entry.revision,
                    head,
                });
            }
            writes.push(self.entry_write(&entry));
            let Ok(()) = self.memory.append(entry);
        }
        writes.push(delete_pending(&self.doc, self.site));
        for op in &pending {
            self.next_seq = self.next_seq.max(op.id.seq + 1);
            writes.push(self.pending_write(op));
        }
        writes.push(self.site_write());
        if let Some(history) = history {
            writes.push(history_write(&self.doc, self.site, json(history)));
        }
        self.pending = pending;
        self.backend.run(&writes);
        Ok(())
    }

    /// Starts writing nothing new and returns a promise that resolves when
    /// every write started so far has finished or failed.
    pub fn flush(&self) -> js_sys::Promise {
        self.backend.flush()
    }

    fn pending_write(&self, op: &PendingOp<Op>) -> LogWrite {
        pending_write(&self.doc, self.site, op.id.seq, json(op))
    }

    fn site_write(&self) -> LogWrite {
        site_write(&self.doc, self.site, self.next_seq)
    }

    fn entry_write(&self, entry: &LoggedOp<Op>) -> LogWrite {
        entry_write(&self.doc, entry.revision, json(entry))
    }
}

// The writes of the log's records, as free functions rather than methods
// of the generic log, so that the module contains one copy of each for
// text and boards. The values arrive as JSON text.

fn pending_write(doc: &str, site: SiteId, seq: u64, value: String) -> LogWrite {
    LogWrite::Put {
        store: "pending",
        record: serde_json::json!({
            "doc": doc,
            "site": site.to_string(),
            "seq": seq,
            "value": value,
        }),
    }
}

fn site_write(doc: &str, site: SiteId, next_seq: u64) -> LogWrite {
    LogWrite::Put {
        store: "sites",
        record: serde_json::json!({
            "doc": doc,
            "site": site.to_string(),
            "nextSeq": next_seq,
        }),
    }
}

fn entry_write(doc: &str, revision: u64, value: String) -> LogWrite {
    LogWrite::Put {
        store: "ops",
        record: serde_json::json!({
            "doc": doc,
            "revision": revision,
            "value": value,
        }),
    }
}

fn history_write(doc: &str, site: SiteId, value: String) -> LogWrite {
    LogWrite::Put {
        store: "history",
        record: serde_json::json!({
            "doc": doc,
            "site": site.to_string(),
            "value": value,
        }),
    }
}

fn snapshot_write(doc: &str, revision: u64, value: String) -> LogWrite {
    LogWrite::PutSnapshot {
        record: serde_json::json!({
            "doc": doc,
            "revision": revision,
            "value": value,
        }),
    }
}

/// Returns the write that deletes every pending operation of `site`.
fn delete_pending(doc: &str, site: SiteId) -> LogWrite {
    let site = site.to_string();
    LogWrite::DeleteRange {
        store: "pending",
        lower: serde_json::json!([doc, site, 0]),
        upper: serde_json::json!([doc, site, f64::MAX]),
    }
}

/// Returns the write that deletes the committed operations up to
/// `revision`.
fn delete_ops(doc: &str, revision: u64) -> LogWrite {
    LogWrite::DeleteRange {
        store: "ops",
        lower: serde_json::json!([doc, 0]),
        upper: serde_json::json!([doc, revision]),
    }
}

impl<Op: Operation> OpLog<Op> for IndexedDbLog<Op> {
    type Error = LogError;

    /// Writes the operation at once. O(1) plus its size.
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), LogError> {
        let head = self.head();
        if entry.revision != head + 1 {
            return Err(LogError::Revision {
                revision: entry.revision,
                head,
            });
        }
        self.backend.run(&[self.entry_write(&entry)]);
        let Ok(()) = self.memory.append(entry);
        Ok(())
    }

    /// Every write has been started already, so there is nothing to
    /// start.
    // NOTE: IndexedDB is asynchronous and this interface is not: a write is
    // durable only when the promise of `flush` resolves, not when this
    // returns.
    fn sync(&mut self) -> Result<(), LogError> {
        let _ = self.backend.flush();
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
        self.backend.run(&[snapshot_write(
            &self.doc,
            snapshot.revision,
            json(&snapshot),
        )]);
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
        self.backend.run(&[delete_ops(&self.doc, revision)]);
        Ok(())
    }
}
