//! Errors of the authority and the client.

use serde::{Serialize, Serializer};
use thiserror::Error;

use crate::{OpId, SiteId};

/// The reason the authority or a client rejected a message. The document,
/// the history and the client state are unchanged when one is returned.
///
/// `E` is the error type of the operation (`Operation::Error`).
#[derive(Clone, Debug, PartialEq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum SyncError<E: std::error::Error> {
    /// A site skipped a sequence number, but the operations of one site
    /// must be committed in order.
    #[error(
        "sequence gap from site {site}: expected operation {expected}, got \
         {got}; resend the missing operations first"
    )]
    #[serde(rename_all = "camelCase")]
    SequenceGap {
        /// The sending site.
        site: SiteId,
        /// The sequence number the authority expected.
        expected: u64,
        /// The sequence number that arrived.
        got: u64,
    },

    /// The base revision is newer than the authority's head.
    #[error("base revision {base} is above the head revision {head}")]
    #[serde(rename_all = "camelCase")]
    BaseAboveHead {
        /// The revision named by the message.
        base: u64,
        /// The authority's head revision.
        head: u64,
    },

    /// The base revision lies in history that was compacted away, so the
    /// operation can no longer be transformed.
    #[error(
        "base revision {base} is below the oldest revision kept, {oldest}; \
         reload the document from a snapshot"
    )]
    #[serde(rename_all = "camelCase")]
    BaseCompacted {
        /// The revision named by the message.
        base: u64,
        /// The oldest revision the history can still serve.
        oldest: u64,
    },

    /// The operation does not fit the document it was transformed to.
    #[error("operation {id} does not fit the document at revision {revision}: {source}")]
    #[serde(rename_all = "camelCase")]
    Rejected {
        /// The operation's id.
        id: OpId,
        /// The revision the operation was transformed to.
        revision: u64,
        /// The operation type's error.
        #[serde(serialize_with = "display")]
        source: E,
    },

    /// A log entry or a remote operation skipped revisions.
    #[error(
        "revision gap: expected revision {expected}, got {got}; fetch the \
         operations in between first"
    )]
    #[serde(rename_all = "camelCase")]
    RevisionGap {
        /// The revision expected next.
        expected: u64,
        /// The revision that arrived.
        got: u64,
    },

    /// A revision or a sequence number is `u64::MAX`, so it has no
    /// successor. Only a value read from outside, such as a snapshot's
    /// revision, gets there.
    #[error("{counter} is at the maximum {max}, so no operation can follow it", max = u64::MAX)]
    #[serde(rename_all = "camelCase")]
    CounterOverflow {
        /// The counter: `revision`, or `sequence number of site ...`.
        counter: String,
    },

    /// A snapshot is older than the client's revision, so the client
    /// cannot move onto it.
    #[error(
        "snapshot at revision {revision} is older than the client's revision \
         {client}; reconnect to get a current one"
    )]
    #[serde(rename_all = "camelCase")]
    SnapshotBehind {
        /// The snapshot's revision.
        revision: u64,
        /// The client's revision.
        client: u64,
    },

    /// The client's pending operations could not be moved onto a
    /// snapshot: an operation does not fit the document it was moved to.
    #[error(
        "failed to move the pending operations onto the snapshot at revision {revision}: {source}"
    )]
    #[serde(rename_all = "camelCase")]
    RebaseFailed {
        /// The snapshot's revision.
        revision: u64,
        /// The operation type's error.
        #[serde(serialize_with = "display")]
        source: E,
    },

    /// A client received an acknowledgement for an operation that is not
    /// in flight.
    #[error("acknowledgement for operation {id}, but {in_flight} is in flight")]
    #[serde(rename_all = "camelCase")]
    UnexpectedAck {
        /// The acknowledged id.
        id: OpId,
        /// The operation in flight, or "nothing".
        in_flight: String,
    },
}

/// Returns the revision after `revision`, or an error at `u64::MAX`.
pub(crate) fn next_revision<E: std::error::Error>(revision: u64) -> Result<u64, SyncError<E>> {
    revision.checked_add(1).ok_or(SyncError::CounterOverflow {
        counter: "revision".to_owned(),
    })
}

fn display<E: std::fmt::Display, S: Serializer>(error: &E, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(error)
}
