//! The op log of one open document, in whichever store the server uses.

use echostream::{LoggedOp, OpLog, Snapshot};

use super::{FileLog, RedisLog, StoreError};
use crate::document_op::DocumentOp;

/// The log of one open document: a file log, or a Redis stream shared with
/// other server nodes.
#[derive(Debug)]
pub enum DocumentLog<Op> {
    /// The embedded file store.
    File(FileLog<Op>),
    /// The Redis store, boxed because its connection makes it several
    /// times larger than a file log.
    Redis(Box<RedisLog<Op>>),
}

impl<Op: DocumentOp> DocumentLog<Op> {
    /// Saves a snapshot and drops the log before the previous snapshot,
    /// which stays as the start of the history kept in the store.
    pub fn save_snapshot_and_compact(&mut self, snapshot: Snapshot<Op>) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => {
                log.save_snapshot(snapshot)?;
                match log.snapshot_revisions() {
                    [previous, _latest] => log.compact(*previous),
                    _ => Ok(()),
                }
            }
            DocumentLog::Redis(log) => {
                log.save_snapshot(snapshot)?;
                match log.previous_snapshot() {
                    Some(previous) if previous > 0 => log.compact(previous),
                    _ => Ok(()),
                }
            }
        }
    }

    /// Appends an operation sent by a connection with the fencing `token`.
    /// The file store has no tokens and ignores it, and the Redis store
    /// checks it when the batch is synced.
    pub fn append_fenced(
        &mut self,
        entry: LoggedOp<Op>,
        token: Option<u64>,
    ) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => log.append(entry),
            DocumentLog::Redis(log) => log.append_fenced(entry, token.unwrap_or(0)),
        }
    }

    /// Returns the revision of the latest snapshot, or 0 when there is
    /// none.
    pub fn last_snapshot(&self) -> u64 {
        match self {
            DocumentLog::File(log) => log.snapshot_revisions().last().copied().unwrap_or(0),
            DocumentLog::Redis(log) => log.snapshot_revision().unwrap_or(0),
        }
    }
}

impl<Op: DocumentOp> OpLog<Op> for DocumentLog<Op> {
    type Error = StoreError;

    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => log.append(entry),
            DocumentLog::Redis(log) => log.append(entry),
        }
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => log.sync(),
            DocumentLog::Redis(log) => log.sync(),
        }
    }

    fn head(&self) -> u64 {
        match self {
            DocumentLog::File(log) => log.head(),
            DocumentLog::Redis(log) => log.head(),
        }
    }

    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, StoreError> {
        match self {
            DocumentLog::File(log) => log.read_since(revision),
            DocumentLog::Redis(log) => log.read_since(revision),
        }
    }

    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, StoreError> {
        match self {
            DocumentLog::File(log) => log.latest_snapshot(),
            DocumentLog::Redis(log) => log.latest_snapshot(),
        }
    }

    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => log.save_snapshot(snapshot),
            DocumentLog::Redis(log) => log.save_snapshot(snapshot),
        }
    }

    fn compact(&mut self, revision: u64) -> Result<(), StoreError> {
        match self {
            DocumentLog::File(log) => log.compact(revision),
            DocumentLog::Redis(log) => log.compact(revision),
        }
    }
}
