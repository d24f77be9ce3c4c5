//! The interface of a persistent log of operations with snapshots, and an
//! in-memory implementation.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Operation, SiteId, VectorClock};

/// The id of an operation: the site that made it and its sequence number
/// at that site, counting from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    /// The site that made the operation.
    pub site: SiteId,
    /// The operation's sequence number at its site, from 1.
    pub seq: u64,
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.site, self.seq)
    }
}

/// An operation as the authority committed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "Op: Operation")]
pub struct LoggedOp<Op: Operation> {
    /// The revision the operation produced: the first committed operation
    /// produces revision 1.
    pub revision: u64,
    /// The operation's id.
    pub id: OpId,
    /// The clock of what the operation's site had seen.
    pub clock: VectorClock,
    /// The operation, transformed to apply to revision `revision - 1`.
    pub op: Op,
}

/// A document at a revision, with what an authority needs to keep
/// exactly-once delivery after the history before it is dropped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "Op: Operation")]
pub struct Snapshot<Op: Operation> {
    /// The revision of the document.
    pub revision: u64,
    /// The document after `revision` operations.
    pub document: Op::Document,
    /// For each site, the last sequence number committed up to `revision`.
    /// Reading JSON in which a site appears twice fails.
    #[serde(deserialize_with = "deserialize_last_seq")]
    pub last_seq: BTreeMap<SiteId, u64>,
}

/// Reads the `last_seq` field of a [`Snapshot`]'s JSON form, an object
/// from site id to sequence number, rejecting a site that appears twice.
/// For readers that build a snapshot from its fields, as `Snapshot`'s own
/// `Deserialize` does.
pub fn deserialize_last_seq<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<SiteId, u64>, D::Error> {
    crate::clock::deserialize_site_counters(d)
}

/// A log of committed operations with snapshots: the one interface of the
/// in-memory, file, Redis and IndexedDB stores.
///
/// Revisions in the log are consecutive. Appends may be buffered until
/// [`sync`](OpLog::sync); an operation counts as stored only after `sync`
/// returns.
pub trait OpLog<Op: Operation> {
    /// The error of the underlying store.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Appends an operation, whose revision must be one more than the
    /// head.
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), Self::Error>;

    /// Makes every appended operation durable.
    fn sync(&mut self) -> Result<(), Self::Error>;

    /// Returns the revision of the last appended operation, or of the
    /// latest snapshot when the log holds no operation after it.
    fn head(&self) -> u64;

    /// Returns the operations after `revision`, in order. Operations
    /// before the latest snapshot may have been compacted away.
    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, Self::Error>;

    /// Returns the latest snapshot, if any.
    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, Self::Error>;

    /// Stores a snapshot.
    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), Self::Error>;

    /// Drops the operations at or below `revision`, which must not be above
    /// the latest snapshot.
    fn compact(&mut self, revision: u64) -> Result<(), Self::Error>;
}

/// An [`OpLog`] in memory, for tests and for documents that need no
/// durability.
#[derive(Clone, Debug)]
pub struct MemoryLog<Op: Operation> {
    entries: Vec<LoggedOp<Op>>,
    snapshot: Option<Snapshot<Op>>,
}

impl<Op: Operation> Default for MemoryLog<Op> {
    fn default() -> Self {
        MemoryLog {
            entries: Vec::new(),
            snapshot: None,
        }
    }
}

impl<Op: Operation> MemoryLog<Op> {
    /// Returns an empty log.
    pub fn new() -> Self {
        MemoryLog::default()
    }

    /// Returns the operations held, oldest first.
    pub fn entries(&self) -> &[LoggedOp<Op>] {
        &self.entries
    }

    /// Returns the latest snapshot, if any, without copying it.
    pub fn snapshot(&self) -> Option<&Snapshot<Op>> {
        self.snapshot.as_ref()
    }
}

impl<Op: Operation> OpLog<Op> for MemoryLog<Op> {
    type Error = Infallible;

    /// # Panics
    ///
    /// Panics if the entry's revision is not one more than the head, which
    /// is a bug in the caller.
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), Infallible> {
        assert_eq!(
            entry.revision,
            self.head() + 1,
            "revisions must be consecutive"
        );
        self.entries.push(entry);
        Ok(())
    }

    fn sync(&mut self) -> Result<(), Infallible> {
        Ok(())
    }

    fn head(&self) -> u64 {
        match (self.entries.last(), &self.snapshot) {
            (Some(last), _) => last.revision,
            (None, Some(snapshot)) => snapshot.revision,
            (None, None) => 0,
        }
    }

    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, Infallible> {
        let start = self.entries.partition_point(|e| e.revision <= revision);
        Ok(self.entries[start..].to_vec())
    }

    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, Infallible> {
        Ok(self.snapshot.clone())
    }

    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), Infallible> {
        self.snapshot = Some(snapshot);
        Ok(())
    }

    fn compact(&mut self, revision: u64) -> Result<(), Infallible> {
        let end = self.entries.partition_point(|e| e.revision <= revision);
        self.entries.drain(..end);
        Ok(())
    }
}
