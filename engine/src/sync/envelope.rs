//! The messages between clients and the authority: submissions and
//! receipts.

use serde::{Deserialize, Serialize};

use crate::{LoggedOp, OpId, Operation, VectorClock};

/// A client's message to the authority: an operation made against
/// revision `base` of the authority's document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "Op: Operation", rename_all = "camelCase")]
pub struct Submission<Op: Operation> {
    /// The operation's id: its site and its sequence number there.
    pub id: OpId,
    /// The authority revision the operation applies to.
    pub base: u64,
    /// The clock of what the site had seen when it made the operation.
    pub clock: VectorClock,
    /// The operation, made against revision `base` (plus, for a client,
    /// nothing else: the client transforms it before sending).
    pub op: Op,
}

/// The authority's reply to a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "Op: Operation", tag = "type", rename_all = "camelCase")]
pub enum Receipt<Op: Operation> {
    /// Newly committed: broadcast `entry` to the other clients and
    /// acknowledge the sender.
    Committed(LoggedOp<Op>),
    /// Already committed earlier under the same id: acknowledge again and
    /// change nothing.
    Duplicate {
        /// The operation's id.
        id: OpId,
        /// The revision the operation produced when it was committed.
        revision: u64,
    },
}

impl<Op: Operation> Receipt<Op> {
    /// Returns the id of the acknowledged operation.
    pub fn id(&self) -> OpId {
        match self {
            Receipt::Committed(entry) => entry.id,
            Receipt::Duplicate { id, .. } => *id,
        }
    }

    /// Returns the revision to acknowledge the sender with.
    pub fn revision(&self) -> u64 {
        match self {
            Receipt::Committed(entry) => entry.revision,
            Receipt::Duplicate { revision, .. } => *revision,
        }
    }
}
