//! The authority: the one replica that orders operations.

use super::envelope::{Receipt, Submission};
use super::error::{next_revision, SyncError};
use super::merge::compose_all;
use crate::{LoggedOp, OpId, Operation, Side, SiteId, Snapshot};

/// The side the authority gives a submission when it transforms it
/// against the history: [`Side::Right`], so on an insert tie the operation
/// committed earlier stays first. Clients use the mirror,
/// [`REMOTE_SIDE`](super::REMOTE_SIDE), for remote operations.
pub const SUBMISSION_SIDE: Side = Side::Right;

/// A run of operations of one site committed at consecutive sequence
/// numbers and consecutive revisions.
#[derive(Clone, Debug, PartialEq)]
struct AckRun {
    first_seq: u64,
    first_revision: u64,
    len: u64,
}

/// The exactly-once record of one site.
#[derive(Clone, Debug, Default, PartialEq)]
struct SiteRecord {
    /// The last sequence number committed.
    last_seq: u64,
    /// Sequence numbers at or below this one came from a snapshot, which
    /// does not keep their revisions.
    snapshot_seq: u64,
    /// The revisions of the operations committed since, run-length
    /// encoded: a site that types alone adds to one run.
    runs: Vec<AckRun>,
}

impl SiteRecord {
    fn record(&mut self, seq: u64, revision: u64) {
        self.last_seq = seq;
        if let Some(run) = self.runs.last_mut() {
            if run.first_seq + run.len == seq && run.first_revision + run.len == revision {
                run.len += 1;
                return;
            }
        }
        self.runs.push(AckRun {
            first_seq: seq,
            first_revision: revision,
            len: 1,
        });
    }

    /// Returns the revision that committed `seq`, if it is known.
    fn revision_of(&self, seq: u64) -> Option<u64> {
        let index = self
            .runs
            .partition_point(|run| run.first_seq + run.len <= seq);
        let run = self.runs.get(index)?;
        (run.first_seq <= seq).then(|| run.first_revision + (seq - run.first_seq))
    }
}

/// The authoritative copy of one document: it transforms each submission
/// against the history after the submission's base revision, applies it
/// and assigns it the next revision.
///
/// Every operation id is committed at most once: a submission whose id was
/// already committed returns [`Receipt::Duplicate`] and changes nothing.
/// The receipt names the original revision, also after the history was
/// compacted, except for operations from before the snapshot the authority
/// started from (see [`from_snapshot`](Authority::from_snapshot)).
/// The history kept in memory is the operations after the oldest revision
/// not compacted; [`compact`](Authority::compact) bounds it. The record of
/// committed ids stays small: one entry per run of operations that a site
/// committed without interruption.
#[derive(Clone, Debug)]
pub struct Authority<Op: Operation> {
    document: Op::Document,
    revision: u64,
    /// The operations after revision `oldest`, in order.
    history: Vec<LoggedOp<Op>>,
    oldest: u64,
    /// The revision of the snapshot the authority started from: the
    /// operations whose revision is unknown are at or below it.
    start: u64,
    /// The record of each site, sorted by site: lookups are O(log s) and a
    /// new site costs O(s) in the number of sites s. A `BTreeMap` would add
    /// one more B-tree type to the wasm module.
    sites: Vec<(SiteId, SiteRecord)>,
}

impl<Op: Operation> Default for Authority<Op> {
    fn default() -> Self {
        Authority::new()
    }
}

impl<Op: Operation> Authority<Op> {
    /// Returns an authority for an empty document at revision 0.
    pub fn new() -> Self {
        Authority {
            document: Op::Document::default(),
            revision: 0,
            history: Vec::new(),
            oldest: 0,
            start: 0,
            sites: Vec::new(),
        }
    }

    /// Returns an authority that starts from `snapshot`, with no history
    /// before it. A duplicate of an operation committed before the
    /// snapshot is acknowledged with the snapshot's revision, because the
    /// snapshot does not keep the revision of each operation.
    pub fn from_snapshot(snapshot: Snapshot<Op>) -> Self {
        // The snapshot's map iterates in site order, so `sites` is sorted.
        let sites = snapshot
            .last_seq
            .iter()
            .map(|(site, seq)| {
                let record = SiteRecord {
                    last_seq: *seq,
                    snapshot_seq: *seq,
                    runs: Vec::new(),
                };
                (*site, record)
            })
            .collect();
        Authority {
            document: snapshot.document,
            revision: snapshot.revision,
            history: Vec::new(),
            oldest: snapshot.revision,
            start: snapshot.revision,
            sites,
        }
    }

    /// Loads one committed entry from a log, in order: `entry.revision`
    /// must be the next revision and its sequence number the next of its
    /// site. The operation applies as it is, without a transform.
    pub fn replay(&mut self, entry: LoggedOp<Op>) -> Result<(), SyncError<Op::Error>> {
        let next = next_revision(self.revision)?;
        if entry.revision != next {
            return Err(SyncError::RevisionGap {
                expected: next,
                got: entry.revision,
            });
        }
        self.check_sequence(entry.id)?;
        entry
            .op
            .apply(&mut self.document)
            .map_err(|source| SyncError::Rejected {
                id: entry.id,
                revision: self.revision,
                source,
            })?;
        self.commit(entry);
        Ok(())
    }

    /// Transforms the submission against the history after its base
    /// revision, applies it and returns the committed entry to broadcast.
    /// A submission whose id was committed before returns
    /// [`Receipt::Duplicate`] and changes nothing.
    ///
    /// When the operation type allows it
    /// ([`Operation::TRANSFORMS_THROUGH_COMPOSE`], as text does), the `k`
    /// entries after the base are composed into one operation first. The
    /// cost is then one transform plus O(c log k) to compose them, so a
    /// client back with a long offline buffer costs O(n + k), not O(n k).
    /// Other types cost `k` transforms.
    pub fn receive(
        &mut self,
        submission: Submission<Op>,
    ) -> Result<Receipt<Op>, SyncError<Op::Error>> {
        let Submission {
            id,
            base,
            clock,
            op,
        } = submission;
        if let Some(revision) = self.committed_revision(id) {
            return Ok(Receipt::Duplicate { id, revision });
        }
        self.check_sequence(id)?;
        let next = next_revision(self.revision)?;
        let concurrent = self.since(base)?;

        let op = match concurrent {
            [] => op,
            entries if !Op::TRANSFORMS_THROUGH_COMPOSE || entries.len() == 1 => entries
                .iter()
                .fold(op, |op, entry| op.transform(&entry.op, SUBMISSION_SIDE)),
            entries => {
                let ops: Vec<Op> = entries.iter().map(|entry| entry.op.clone()).collect();
                let composed = compose_all(&ops).map_err(|source| SyncError::Rejected {
                    id,
                    revision: self.revision,
                    source,
                })?;
                op.transform(&composed, SUBMISSION_SIDE)
            }
        };

        op.apply(&mut self.document)
            .map_err(|source| SyncError::Rejected {
                id,
                revision: self.revision,
                source,
            })?;
        let entry = LoggedOp {
            revision: next,
            id,
            clock,
            op,
        };
        self.commit(entry.clone());
        Ok(Receipt::Committed(entry))
    }

    /// Returns the head revision: the number of operations committed.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Returns the document at the head revision.
    pub fn document(&self) -> &Op::Document {
        &self.document
    }

    /// Returns the oldest revision that [`since`](Authority::since) can
    /// still serve.
    pub fn oldest_revision(&self) -> u64 {
        self.oldest
    }

    /// Returns the committed entries after `revision`, oldest first, or an
    /// error if `revision` is above the head or below the compacted
    /// history. O(1).
    pub fn since(&self, revision: u64) -> Result<&[LoggedOp<Op>], SyncError<Op::Error>> {
        if revision > self.revision {
            return Err(SyncError::BaseAboveHead {
                base: revision,
                head: self.revision,
            });
        }
        if revision < self.oldest {
            return Err(SyncError::BaseCompacted {
                base: revision,
                oldest: self.oldest,
            });
        }
        let start = (revision - self.oldest) as usize;
        Ok(&self.history[start..])
    }

    /// Returns the sequence number last committed for `site`, zero if none.
    pub fn last_seq(&self, site: SiteId) -> u64 {
        self.site(site).map_or(0, |record| record.last_seq)
    }

    /// Returns a snapshot of the head: the document and, per site, the last
    /// sequence number committed. O(n) to clone the document.
    pub fn snapshot(&self) -> Snapshot<Op> {
        Snapshot {
            revision: self.revision,
            document: self.document.clone(),
            last_seq: self
                .sites
                .iter()
                .map(|(site, record)| (*site, record.last_seq))
                .collect(),
        }
    }

    /// Drops the history at or below `revision` (at most the head).
    /// Submissions based on a dropped revision are then rejected with
    /// [`SyncError::BaseCompacted`], but duplicates are still recognized.
    /// O(h) in the history kept.
    pub fn compact(&mut self, revision: u64) {
        let revision = revision.min(self.revision);
        if revision <= self.oldest {
            return;
        }
        let dropped = (revision - self.oldest) as usize;
        self.history.drain(..dropped);
        self.oldest = revision;
    }

    fn committed_revision(&self, id: OpId) -> Option<u64> {
        let record = self.site(id.site)?;
        if id.seq == 0 || id.seq > record.last_seq {
            return None;
        }
        if id.seq <= record.snapshot_seq {
            return Some(self.start);
        }
        record.revision_of(id.seq)
    }

    fn check_sequence(&self, id: OpId) -> Result<(), SyncError<Op::Error>> {
        let Some(expected) = self.last_seq(id.site).checked_add(1) else {
            return Err(SyncError::CounterOverflow {
                counter: format!("sequence number of site {}", id.site),
            });
        };
        if id.seq != expected {
            return Err(SyncError::SequenceGap {
                site: id.site,
                expected,
                got: id.seq,
            });
        }
        Ok(())
    }

    fn commit(&mut self, entry: LoggedOp<Op>) {
        self.revision = entry.revision;
        self.site_mut(entry.id.site)
            .record(entry.id.seq, entry.revision);
        self.history.push(entry);
    }

    fn site(&self, site: SiteId) -> Option<&SiteRecord> {
        let index = self.sites.binary_search_by_key(&site, |(s, _)| *s).ok()?;
        Some(&self.sites[index].1)
    }

    /// Returns the record of `site`, adding an empty one if it has none.
    fn site_mut(&mut self, site: SiteId) -> &mut SiteRecord {
        let index = match self.sites.binary_search_by_key(&site, |(s, _)| *s) {
            Ok(index) => index,
            Err(index) => {
                self.sites.insert(index, (site, SiteRecord::default()));
                index
            }
        };
        &mut self.sites[index].1
    }
}
