//! Errors of board operations.

use thiserror::Error;

use super::id::{GroupId, ShapeId};
use super::property::PropertyType;
use crate::text::TextError;

/// The reason a board operation was rejected. The board is never changed when
/// one of these is returned. Each variant names the shape and the value.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum BoardError {
    /// The operation names a shape that is not on the board.
    #[error("shape {id} not found on the board")]
    UnknownShape {
        /// The missing shape.
        id: ShapeId,
    },

    /// A create names a shape that is already on the board.
    #[error("shape {id} already exists, so it cannot be created again")]
    DuplicateShape {
        /// The existing shape.
        id: ShapeId,
    },

    /// A property value has the wrong type for its key.
    #[error("property {key} of shape {id} must be a {expected}, not {value}")]
    PropertyType {
        /// The shape.
        id: ShapeId,
        /// The property key.
        key: String,
        /// The type the key requires.
        expected: PropertyType,
        /// The rejected value, in its JSON form.
        value: String,
    },

    /// A property key or value is invalid apart from its type.
    #[error("invalid property {key} = {value} on shape {id}: {reason}")]
    InvalidProperty {
        /// The shape.
        id: ShapeId,
        /// The property key.
        key: String,
        /// The rejected value, in its JSON form.
        value: String,
        /// The problem, with the limit.
        reason: String,
    },

    /// A set's old value differs from the shape's current value.
    #[error(
        "set of property {key} on shape {id} expects the old value {expected}, \
         but the shape has {actual}"
    )]
    OldValueMismatch {
        /// The shape.
        id: ShapeId,
        /// The property key.
        key: String,
        /// The old value the set carries, in JSON (`null` when absent).
        expected: String,
        /// The current value, in JSON (`null` when absent).
        actual: String,
    },

    /// A translation is invalid or moves the shape out of range.
    #[error("invalid translation ({dx}, {dy}) of shape {id}: {reason}")]
    InvalidTranslation {
        /// The shape.
        id: ShapeId,
        /// The x delta in px.
        dx: f64,
        /// The y delta in px.
        dy: f64,
        /// The problem, with the limit.
        reason: String,
    },

    /// A text operation names a shape that has no text.
    #[error("shape {id} has no text to edit")]
    NoText {
        /// The shape.
        id: ShapeId,
    },

    /// A text operation does not fit the shape's text.
    #[error("text operation {op} does not fit the text of shape {id}: {source}")]
    Text {
        /// The shape.
        id: ShapeId,
        /// The text operation, in its JSON form.
        op: String,
        /// The text document's error.
        source: TextError,
    },

    /// A z-order position is past the end of the z-order.
    #[error("z-order position {position} of shape {id} is out of range: the maximum is {max}")]
    ZOutOfRange {
        /// The shape.
        id: ShapeId,
        /// The rejected position.
        position: usize,
        /// The largest valid position.
        max: usize,
    },

    /// A delete or move names the wrong current z-order position.
    #[error("shape {id} is at z-order position {actual}, not {expected}")]
    ZMismatch {
        /// The shape.
        id: ShapeId,
        /// The position the operation names.
        expected: usize,
        /// The shape's position.
        actual: usize,
    },

    /// A delete carries a copy of the shape that differs from the shape.
    #[error("delete of shape {id} carries a copy whose {field} differs from the shape's")]
    SnapshotMismatch {
        /// The shape.
        id: ShapeId,
        /// The first field that differs: `kind`, `text`, `groups` or a
        /// property key.
        field: String,
    },

    /// A delete names a shape that another shape still refers to.
    #[error(
        "shape {id} cannot be deleted while property {key} of shape {by} refers to it; \
         clear it in the same operation (Board::delete_op does)"
    )]
    StillReferenced {
        /// The shape to delete.
        id: ShapeId,
        /// The shape that refers to it.
        by: ShapeId,
        /// The referring property.
        key: String,
    },

    /// A property refers to a shape that is not on the board.
    #[error("property {key} of shape {id} refers to shape {target}, which is not on the board")]
    DanglingReference {
        /// The shape.
        id: ShapeId,
        /// The property key.
        key: String,
        /// The missing shape.
        target: ShapeId,
    },

    /// A property of a shape refers to the shape itself.
    #[error("property {key} of shape {id} refers to the shape itself")]
    SelfReference {
        /// The shape.
        id: ShapeId,
        /// The property key.
        key: String,
    },

    /// The `frame` property refers to a shape that is not a frame.
    #[error("the frame of shape {id} must be a frame, but shape {target} is a {kind}")]
    NotAFrame {
        /// The shape.
        id: ShapeId,
        /// The referred shape.
        target: ShapeId,
        /// The referred shape's kind.
        kind: super::ShapeKind,
    },

    /// A shape would be in the same group twice.
    #[error("shape {id} is already in group {group}")]
    AlreadyInGroup {
        /// The shape.
        id: ShapeId,
        /// The group.
        group: GroupId,
    },

    /// A group position is past the end of the shape's group list.
    #[error(
        "group position {index} of group {group} in shape {id} is out of range: \
         the maximum is {max}"
    )]
    GroupIndexOutOfRange {
        /// The shape.
        id: ShapeId,
        /// The group.
        group: GroupId,
        /// The rejected position.
        index: usize,
        /// The largest valid position.
        max: usize,
    },

    /// An ungroup names a group that is not at the given position of the
    /// shape's group list.
    #[error("shape {id} has no group {group} at group position {index}")]
    NotInGroup {
        /// The shape.
        id: ShapeId,
        /// The group.
        group: GroupId,
        /// The position the ungroup names.
        index: usize,
    },

    /// A board snapshot is invalid.
    #[error("invalid board JSON: {0}")]
    Json(String),
}
