//! The operation between two documents, for a replica that must move its
//! pending operations onto a snapshot when the history in between is gone.

use crate::Operation;

/// An operation type that can compute the change between two documents.
///
/// The sync client uses it when the authority sends a snapshot in place of
/// the operations it missed. The operation from the client's last committed
/// document to the snapshot replaces that history, and the client's pending
/// operations are transformed past it.
pub trait Diff: Operation {
    /// Returns an operation that turns `before` into `after`: applying it
    /// to a copy of `before` gives a document equal to `after`.
    fn diff(before: &Self::Document, after: &Self::Document) -> Result<Self, Self::Error>;
}
