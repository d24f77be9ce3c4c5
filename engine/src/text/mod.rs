//! Plain-text operations and documents.
//!
//! Positions and lengths count Unicode scalar values (code points).
//! [`TextDocument`] converts them to and from UTF-16 code units and UTF-8
//! bytes.

mod component;
mod compose;
pub(crate) mod diff;
mod document;
mod error;
mod operation;
mod reader;
mod transform;

pub use component::Component;
pub use document::TextDocument;
pub use error::TextError;
pub use operation::TextOp;
pub use transform::Selection;

use crate::{Operation, Side};

impl Operation for TextOp {
    type Document = TextDocument;
    type Error = TextError;

    // It holds for `Side::Right` only, which the contract requires. The text
    // property tests check it for random operations, and the sync
    // simulation checks the authority that relies on it.
    const TRANSFORMS_THROUGH_COMPOSE: bool = true;

    fn identity() -> Self {
        TextOp::new()
    }

    fn is_identity(&self) -> bool {
        TextOp::is_identity(self)
    }

    fn apply(&self, doc: &mut TextDocument) -> Result<(), TextError> {
        doc.apply(self)
    }

    fn transform(&self, other: &Self, side: Side) -> Self {
        TextOp::transform(self, other, side)
    }

    fn compose(&self, next: &Self) -> Result<Self, TextError> {
        Ok(TextOp::compose(self, next))
    }

    fn invert(&self, before: &TextDocument) -> Result<Self, TextError> {
        before.invert(self)
    }
}
