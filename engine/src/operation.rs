//! The interface that every operation type implements, so that the sync
//! layer and the stores work on text and boards alike.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Side;

/// An operation of an OT type: something that changes a document and can be
/// transformed against a concurrent operation of the same type.
///
/// Implementations uphold the transform property TP1: for two operations
/// `a` and `b` made on the same document,
/// `apply(apply(doc, a), b.transform(a, Right))` equals
/// `apply(apply(doc, b), a.transform(b, Left))`.
pub trait Operation: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// The document the operation changes.
    type Document: Clone + Debug + Default + PartialEq + Serialize + DeserializeOwned;

    /// The error returned when an operation does not fit a document or
    /// another operation.
    type Error: std::error::Error + Clone + PartialEq + Send + Sync + 'static;

    /// Whether transforming with [`Side::Right`] against a composition
    /// equals transforming against its parts in turn: for `a` and then
    /// `b`, `x.transform(&a.compose(&b)?, Side::Right)` has the same
    /// effect as `x.transform(&a, Side::Right).transform(&b, Side::Right)`.
    /// The authority, which transforms submissions with `Right`, composes
    /// runs of history first only when this holds, and transforms against
    /// each operation in turn otherwise. The same equality with
    /// [`Side::Left`] is not promised: text breaks it when a delete in `a`
    /// brings an insert of `b` next to an insert of `x`.
    const TRANSFORMS_THROUGH_COMPOSE: bool = false;

    /// Returns the operation that changes nothing.
    fn identity() -> Self;

    /// Returns true if applying the operation changes nothing.
    fn is_identity(&self) -> bool;

    /// Applies the operation to `doc` atomically: on error the document is
    /// unchanged.
    fn apply(&self, doc: &mut Self::Document) -> Result<(), Self::Error>;

    /// Rewrites this operation so that it applies after `other`, where both
    /// were made on the same document. `side` breaks ties.
    fn transform(&self, other: &Self, side: Side) -> Self;

    /// Returns one operation with the effect of `self` followed by `next`.
    fn compose(&self, next: &Self) -> Result<Self, Self::Error>;

    /// Returns the operation that undoes `self`, given the document that
    /// `self` was applied to.
    fn invert(&self, before: &Self::Document) -> Result<Self, Self::Error>;
}
