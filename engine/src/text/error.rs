//! Errors of text operations and documents.

use thiserror::Error;

/// Why a text operation or a position was rejected. The document is never
/// changed when one of these is returned.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TextError {
    /// The operation spans more code points than the document has.
    #[error(
        "operation spans {expected} code points but the document has \
         {actual}"
    )]
    BaseLength {
        /// The code points the operation spans.
        expected: usize,
        /// The code points the document has.
        actual: usize,
    },

    /// A delete that carries its text does not match the document.
    #[error(
        "delete of {len} code points at position {position} does not match \
         the document text there"
    )]
    DeleteMismatch {
        /// The code point where the delete starts.
        position: usize,
        /// The length of the delete in code points.
        len: usize,
    },

    /// A delete without its text cannot be inverted without the document.
    #[error(
        "component {index} deletes {len} code points without their text, \
         so the operation cannot be inverted without the document"
    )]
    NotInvertible {
        /// The index of the component.
        index: usize,
        /// The length of the delete.
        len: usize,
    },

    /// A position lies past the end of the document.
    #[error("{unit} position {position} is past the end of the document ({len})")]
    PositionPastEnd {
        /// The unit of the position: code point, UTF-16 or UTF-8.
        unit: &'static str,
        /// The rejected position.
        position: usize,
        /// The document length in the same unit.
        len: usize,
    },

    /// A UTF-16 offset falls between the two halves of a surrogate pair.
    #[error("UTF-16 offset {offset} is inside a surrogate pair")]
    InsideSurrogatePair {
        /// The rejected offset.
        offset: usize,
    },

    /// A UTF-8 byte offset falls inside a multi-byte character.
    #[error("UTF-8 offset {offset} is not on a character boundary")]
    NotCharBoundary {
        /// The rejected offset.
        offset: usize,
    },

    /// The text is not valid JSON for a text operation. The message names
    /// the value and its place in the input.
    #[error("invalid text operation JSON: {0}")]
    Json(String),
}
