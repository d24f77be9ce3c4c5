//! The half of the offline log that does not depend on the operation
//! type: reading the stored records in order, with the messages for those
//! that do not parse, and writing records that the typed log has already
//! encoded as JSON text.
//!
//! `IndexedDbLog<Op>` is instantiated for text and for boards. Keeping this
//! code out of it puts one copy in the WebAssembly module instead of two.

use echostream::{OpId, SiteId};

use super::backend::{LogBackend, LogWrite, StoredRecords};
use super::LogError;

/// Parses the stored records into the typed log, one at a time, for
/// [`read_records`]. A trait object, so that the reading is not generic.
pub(super) trait RecordSink {
    /// Parses the snapshot.
    fn snapshot(&mut self, value: &str) -> Result<(), LogError>;
    /// Parses a committed operation.
    fn operation(&mut self, value: &str) -> Result<(), LogError>;
    /// Parses a pending operation and returns its sequence number.
    fn pending(&mut self, value: &str) -> Result<u64, LogError>;
    /// Parses the undo history.
    fn history(&mut self, value: &str) -> Result<(), LogError>;
}

/// Hands the records of `site` to `sink`: the snapshot, the committed
/// operations, the site's pending operations by sequence number and its
/// undo history. A record that does not parse is left out and named in
/// the returned messages, with what it takes along: the pending
/// operations after an unreadable one, which were made on top of it. The
/// committed operations after an unreadable one are dropped later, when
/// the log stops at the gap. Also returns the site's next sequence number,
/// past every stored one whether it parsed or not. O(size of the records).
pub(super) fn read_records(
    site: SiteId,
    records: &StoredRecords,
    sink: &mut dyn RecordSink,
) -> (u64, Vec<String>) {
    let site_text = site.to_string();
    let mut problems = Vec::new();
    if let Some(record) = &records.snapshot {
        if let Err(e) = sink.snapshot(&record.value) {
            problems.push(format!(
                "the snapshot at revision {} was not restored: {e}",
                record.revision
            ));
        }
    }

    for record in &records.ops {
        if let Err(e) = sink.operation(&record.value) {
            problems.push(format!(
                "the committed operation at revision {} and those after it were \
                 not restored: {e}",
                record.revision
            ));
        }
    }

    let mut stored: Vec<_> = records
        .pending
        .iter()
        .filter(|r| r.site == site_text)
        .collect();
    stored.sort_by_key(|r| r.seq);
    let mut after_pending = 1;
    for (index, record) in stored.iter().enumerate() {
        match sink.pending(&record.value) {
            Ok(seq) => after_pending = seq + 1,
            Err(e) => {
                let lost: Vec<String> = stored[index..].iter().map(|r| r.seq.to_string()).collect();
                problems.push(format!(
                    "the pending operations {} of site {site} were not restored: {e}",
                    lost.join(", ")
                ));
                break;
            }
        }
    }
    // The log's next sequence number stays past every stored one, read or
    // not. A restored client may give unread ids out again, because only
    // the first pending operation can have been sent, and the welcome's
    // lastSeq corrects its ids.
    let stored_after = stored.last().map_or(1, |r| r.seq.saturating_add(1));
    let stored_next = records
        .sites
        .iter()
        .find(|s| s.site == site_text)
        .map_or(1, |s| s.next_seq);

    if let Some(record) = records.history.iter().find(|h| h.site == site_text) {
        if let Err(e) = sink.history(&record.value) {
            problems.push(format!("the undo history was not restored: {e}"));
        }
    }
    let next_seq = stored_next.max(after_pending.max(stored_after));
    (next_seq, problems)
}

/// Returns the indices of the stored operations that replay after `head`,
/// given their `revisions` in record order: revisions `head + 1`,
/// `head + 2` and so on, up to the first one missing. Where a revision is
/// stored twice, the first copy replays and ends the run, as it would
/// after a stable sort. Each operation goes to its slot by revision, which
/// takes O(n) and, unlike a sort of the typed operations, adds no code per
/// operation type.
pub(super) fn replay_order(revisions: &[u64], head: u64) -> Vec<usize> {
    let mut slots: Vec<Option<usize>> = vec![None; revisions.len()];
    let mut repeated = vec![false; revisions.len()];
    for (index, &revision) in revisions.iter().enumerate() {
        let Some(after_head) = revision.checked_sub(head).filter(|&d| d > 0) else {
            continue;
        };
        let Ok(slot) = usize::try_from(after_head - 1) else {
            continue;
        };
        match slots.get_mut(slot) {
            Some(Some(_)) => repeated[slot] = true,
            Some(empty) => *empty = Some(index),
            None => {}
        }
    }

    let mut order = Vec::new();
    for (slot, repeated) in slots.into_iter().zip(repeated) {
        let Some(index) = slot else {
            break;
        };
        order.push(index);
        if repeated {
            break;
        }
    }
    order
}

/// Returns an error unless a committed operation at `revision` follows
/// `head`.
pub(super) fn check_follows(revision: u64, head: u64) -> Result<(), LogError> {
    if revision != head + 1 {
        return Err(LogError::Revision { revision, head });
    }
    Ok(())
}

/// The store of one document and one site, with the site's next sequence
/// number. Values arrive as JSON text, encoded by the typed log.
pub(super) struct LogStore {
    backend: LogBackend,
    pub(super) doc: String,
    pub(super) site: SiteId,
    pub(super) next_seq: u64,
}

impl LogStore {
    /// Returns the store of `site` in document `doc`.
    pub(super) fn new(backend: LogBackend, doc: String, site: SiteId, next_seq: u64) -> Self {
        LogStore {
            backend,
            doc,
            site,
            next_seq,
        }
    }

    /// Takes `id` for a local operation: it must belong to this site and
    /// come after the last sequence number recorded.
    pub(super) fn claim(&mut self, id: OpId) -> Result<(), LogError> {
        let last = self.next_seq - 1;
        if id.site != self.site || id.seq <= last {
            return Err(LogError::Pending {
                id,
                site: self.site,
                last,
            });
        }
        self.next_seq = id.seq + 1;
        Ok(())
    }

    /// Writes a local operation claimed with [`claim`](LogStore::claim).
    pub(super) fn write_local(&self, seq: u64, value: String) {
        self.backend
            .run(&[self.pending_write(seq, value), self.site_write()]);
    }

    /// Writes, in one transaction, the committed operation if any (its
    /// revision and JSON text), the pending operations in place of the
    /// stored ones (sequence number and JSON text each), and the undo
    /// history when given.
    pub(super) fn write_state(
        &mut self,
        entry: Option<(u64, String)>,
        pending: Vec<(u64, String)>,
        history: Option<String>,
    ) {
        let mut writes = Vec::new();
        if let Some((revision, value)) = entry {
            writes.push(self.entry_write(revision, value));
        }
        let site = self.site.to_string();
        writes.push(LogWrite::DeleteRange {
            store: "pending",
            lower: serde_json::json!([self.doc, site, 0]),
            upper: serde_json::json!([self.doc, site, f64::MAX]),
        });
        for (seq, value) in pending {
            self.next_seq = self.next_seq.max(seq + 1);
            writes.push(self.pending_write(seq, value));
        }
        writes.push(self.site_write());
        if let Some(value) = history {
            writes.push(LogWrite::Put {
                store: "history",
                record: serde_json::json!({
                    "doc": self.doc,
                    "site": site,
                    "value": value,
                }),
            });
        }
        self.backend.run(&writes);
    }

    /// Writes a committed operation.
    pub(super) fn write_entry(&self, revision: u64, value: String) {
        self.backend.run(&[self.entry_write(revision, value)]);
    }

    /// Writes a snapshot, which the backend keeps unless the store
    /// contains a newer one.
    pub(super) fn write_snapshot(&self, revision: u64, value: String) {
        self.backend.run(&[LogWrite::PutSnapshot {
            record: serde_json::json!({
                "doc": self.doc,
                "revision": revision,
                "value": value,
            }),
        }]);
    }

    /// Deletes the committed operations at or below `revision`.
    pub(super) fn delete_entries(&self, revision: u64) {
        self.backend.run(&[LogWrite::DeleteRange {
            store: "ops",
            lower: serde_json::json!([self.doc, 0]),
            upper: serde_json::json!([self.doc, revision]),
        }]);
    }

    /// Starts writing nothing new and returns a promise that resolves when
    /// every write started so far has finished or failed.
    pub(super) fn flush(&self) -> js_sys::Promise {
        self.backend.flush()
    }

    fn pending_write(&self, seq: u64, value: String) -> LogWrite {
        LogWrite::Put {
            store: "pending",
            record: serde_json::json!({
                "doc": self.doc,
                "site": self.site.to_string(),
                "seq": seq,
                "value": value,
            }),
        }
    }

    fn site_write(&self) -> LogWrite {
        LogWrite::Put {
            store: "sites",
            record: serde_json::json!({
                "doc": self.doc,
                "site": self.site.to_string(),
                "nextSeq": self.next_seq,
            }),
        }
    }

    fn entry_write(&self, revision: u64, value: String) -> LogWrite {
        LogWrite::Put {
            store: "ops",
            record: serde_json::json!({
                "doc": self.doc,
                "revision": revision,
                "value": value,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replay_order;

    #[test]
    fn replay_order_cases() {
        let cases: [(&[u64], u64, &[usize]); 8] = [
            (&[], 0, &[]),
            (&[1, 2, 3], 0, &[0, 1, 2]),
            (&[3, 1, 2], 0, &[1, 2, 0]),
            (&[1, 3], 0, &[0]),
            (&[5, 6, 8], 4, &[0, 1]),
            (&[2, 1, 2, 3], 0, &[1, 0]),
            (&[1, 1], 0, &[0]),
            (&[4, 5], 5, &[]),
        ];
        for (revisions, head, expected) in cases {
            assert_eq!(
                replay_order(revisions, head),
                expected,
                "revisions {revisions:?} after head {head}"
            );
        }
    }

    #[test]
    fn replay_order_at_max_head() {
        assert_eq!(replay_order(&[u64::MAX], u64::MAX), Vec::<usize>::new());
    }
}
