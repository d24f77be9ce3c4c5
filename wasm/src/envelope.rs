//! Committed and pending operations and snapshots as read from JavaScript
//! or the offline store, with the operation or the document kept as a
//! JSON value until the caller reads it as its type.
//!
//! serde's derive would give the module one reader of the fields around
//! the operation or document per operation type. These types read them
//! once for text and boards alike, and the operation or document then
//! goes through the reader that its type has anyway. The price is one
//! more copy of its JSON value.
//!
//! NOTE: when the operation or document and another field are both
//! invalid, the error names the other field. serde's derive named the one
//! that came first in key order, so a committed operation with a bad `op`
//! and a bad `revision` reported the `op`, and a snapshot with a bad
//! `document` and a bad `last_seq` reported the `document`.

use std::collections::BTreeMap;

use echostream::oplog::deserialize_last_seq;
use echostream::sync::Submission;
use echostream::{LoggedOp, OpId, Operation, SiteId, Snapshot, VectorClock};
use serde::Deserialize;
use serde_json::Value;

/// The JSON form of a [`LoggedOp`], with the operation not read yet.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LoggedOpValue {
    /// The revision the operation produced.
    pub revision: u64,
    /// The operation's id.
    pub id: OpId,
    /// The clock of what the operation's site had seen.
    pub clock: VectorClock,
    /// The operation, in its JSON form.
    pub op: Value,
}

impl LoggedOpValue {
    /// Reads the operation as `Op`. O(size of the operation).
    pub fn typed<Op: Operation>(self) -> serde_json::Result<LoggedOp<Op>> {
        Ok(LoggedOp {
            revision: self.revision,
            id: self.id,
            clock: self.clock,
            op: Op::deserialize(&self.op)?,
        })
    }
}

/// An operation made locally and not acknowledged yet, as read from
/// JavaScript or the store: the JSON form of a submission, whose clock may
/// be missing. The log keeps and writes it as a [`Submission`], which
/// encodes to the same JSON, so that the module contains one serializer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingOpValue {
    /// The operation's id: this site and its sequence number.
    pub id: OpId,
    /// The revision the operation applies to.
    pub base: u64,
    /// The clock of what the site had seen.
    #[serde(default)]
    pub clock: VectorClock,
    /// The operation, in its JSON form.
    pub op: Value,
}

impl PendingOpValue {
    /// Reads the operation as `Op`, giving the submission that the log
    /// keeps. O(size of the operation).
    pub fn typed<Op: Operation>(self) -> serde_json::Result<Submission<Op>> {
        Ok(Submission {
            id: self.id,
            base: self.base,
            clock: self.clock,
            op: Op::deserialize(&self.op)?,
        })
    }
}

/// The JSON form of a [`Snapshot`], with the document not read yet.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SnapshotValue {
    /// The revision of the document.
    pub revision: u64,
    /// The document, in its JSON form.
    pub document: Value,
    /// For each site, the last sequence number committed up to `revision`.
    #[serde(deserialize_with = "deserialize_last_seq")]
    pub last_seq: BTreeMap<SiteId, u64>,
}

impl SnapshotValue {
    /// Reads the document as `Op`'s document. O(size of the document).
    pub fn typed<Op: Operation>(self) -> serde_json::Result<Snapshot<Op>> {
        Ok(Snapshot {
            revision: self.revision,
            document: Op::Document::deserialize(&self.document)?,
            last_seq: self.last_seq,
        })
    }
}
