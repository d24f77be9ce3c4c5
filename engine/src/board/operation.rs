//! Board operations: the changes one operation contains, and their JSON
//! form.

use serde::{Deserialize, Serialize};

use super::error::BoardError;
use super::id::{GroupId, ShapeId};
use super::property::{is_on_grid, snap_to_grid, PropertyValue, MAX_COORDINATE};
use super::shape::Shape;
use crate::invariant::expect_ok;
use crate::text::TextOp;

/// One shape's place in a group change: the shape and the position of the
/// group in the shape's group list (0 is the innermost group).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The shape.
    pub id: ShapeId,
    /// The position of the group in the shape's group list.
    pub index: usize,
}

/// One change to a board. Every change carries what its inverse needs, so
/// that [`BoardOp::invert`] needs the board only for text edits whose
/// deletes do not carry their text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Adds a shape at z-order position `z` (0 is the bottom).
    Create {
        /// The new shape's id.
        id: ShapeId,
        /// The new shape.
        shape: Shape,
        /// The z-order position, at most the number of shapes.
        z: usize,
    },
    /// Removes a shape. `shape` is a copy of the shape as it is when the
    /// delete applies, and `z` its z-order position: both are checked, and
    /// they let the delete be inverted.
    Delete {
        /// The shape's id.
        id: ShapeId,
        /// A copy of the shape.
        shape: Shape,
        /// The shape's z-order position.
        z: usize,
    },
    /// Sets, adds (`old` is `None`) or removes (`new` is `None`) one
    /// property. `old` must equal the current value.
    Set {
        /// The shape's id.
        id: ShapeId,
        /// The property key.
        key: String,
        /// The current value, or `None` if the property is not set.
        old: Option<PropertyValue>,
        /// The new value, or `None` to remove the property.
        new: Option<PropertyValue>,
    },
    /// Adds `dx` and `dy` (px, on the 1/65536 px grid) to `x` and `y`.
    Translate {
        /// The shape's id.
        id: ShapeId,
        /// The x delta in px.
        dx: f64,
        /// The y delta in px.
        dy: f64,
    },
    /// Edits the shape's text.
    EditText {
        /// The shape's id.
        id: ShapeId,
        /// The text operation.
        op: TextOp,
    },
    /// Moves a shape in the z-order from position `from` to `to`, its
    /// position afterwards.
    Move {
        /// The shape's id.
        id: ShapeId,
        /// The shape's current position.
        from: usize,
        /// The shape's position after the move.
        to: usize,
    },
    /// Puts each member into `group`, at the given place of its group list.
    Group {
        /// The group.
        group: GroupId,
        /// The shapes and the position of the group in each one's list.
        members: Vec<Member>,
    },
    /// Takes each member out of `group`, found at the given place of its
    /// group list.
    Ungroup {
        /// The group.
        group: GroupId,
        /// The shapes and the position of the group in each one's list.
        members: Vec<Member>,
    },
}

impl Change {
    /// Returns the shape the change acts on, or `None` for a group change,
    /// which may act on several.
    pub fn shape_id(&self) -> Option<ShapeId> {
        match self {
            Change::Create { id, .. }
            | Change::Delete { id, .. }
            | Change::Set { id, .. }
            | Change::Translate { id, .. }
            | Change::EditText { id, .. }
            | Change::Move { id, .. } => Some(*id),
            Change::Group { .. } | Change::Ungroup { .. } => None,
        }
    }

    /// Returns true if the change has no effect on any board it applies
    /// to.
    pub fn is_identity(&self) -> bool {
        match self {
            Change::Create { .. } | Change::Delete { .. } => false,
            Change::Set { old, new, .. } => old == new,
            Change::Translate { dx, dy, .. } => *dx == 0.0 && *dy == 0.0,
            Change::EditText { op, .. } => op.is_identity(),
            Change::Move { from, to, .. } => from == to,
            Change::Group { members, .. } | Change::Ungroup { members, .. } => members.is_empty(),
        }
    }
}

/// An operation on a board: changes applied in order, atomically. If any
/// change is rejected, the board is left as it was.
///
/// The JSON form is the list of changes, each an object with one key
/// naming its kind: `[{"translate": {"id": "...", "dx": 4, "dy": 0}}]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BoardOp {
    /// The changes, in the order they apply.
    pub changes: Vec<Change>,
}

impl BoardOp {
    /// Returns the operation that changes nothing.
    pub fn new() -> Self {
        BoardOp::default()
    }

    /// Returns an operation of one change.
    pub fn from_change(change: Change) -> Self {
        BoardOp {
            changes: vec![change],
        }
    }

    /// Appends a change.
    pub fn push(&mut self, change: Change) -> &mut Self {
        self.changes.push(change);
        self
    }

    /// Returns true if applying the operation changes nothing.
    pub fn is_identity(&self) -> bool {
        self.changes.iter().all(Change::is_identity)
    }

    /// Returns an operation that creates `shape` as `id` at z-order
    /// position `z`.
    pub fn create(id: ShapeId, shape: Shape, z: usize) -> Self {
        BoardOp::from_change(Change::Create { id, shape, z })
    }

    /// Returns an operation that sets property `key` of shape `id` from
    /// `old` to `new`.
    pub fn set(
        id: ShapeId,
        key: &str,
        old: Option<PropertyValue>,
        new: Option<PropertyValue>,
    ) -> Self {
        BoardOp::from_change(Change::Set {
            id,
            key: key.to_owned(),
            old,
            new,
        })
    }

    /// Returns an operation that moves shape `id` by `dx` and `dy` px,
    /// each rounded to the nearest point of the 1/65536 px [`GRID`].
    /// Non-finite deltas stay as they are, so applying the operation fails:
    /// [`BoardOp::try_translate`] rejects them at once.
    ///
    /// [`GRID`]: super::GRID
    pub fn translate(id: ShapeId, dx: f64, dy: f64) -> Self {
        BoardOp::from_change(Change::Translate {
            id,
            dx: snap_to_grid(dx),
            dy: snap_to_grid(dy),
        })
    }

    /// Returns [`BoardOp::translate`], or an error naming the deltas when
    /// one is not finite or exceeds [`MAX_COORDINATE`] px in magnitude.
    ///
    /// [`MAX_COORDINATE`]: super::MAX_COORDINATE
    pub fn try_translate(id: ShapeId, dx: f64, dy: f64) -> Result<Self, BoardError> {
        if !is_on_grid(snap_to_grid(dx)) || !is_on_grid(snap_to_grid(dy)) {
            return Err(BoardError::InvalidTranslation {
                id,
                dx,
                dy,
                reason: format!(
                    "deltas must be finite numbers of at most {MAX_COORDINATE} px in magnitude"
                ),
            });
        }
        Ok(BoardOp::translate(id, dx, dy))
    }

    /// Returns an operation that edits the text of shape `id`.
    pub fn edit_text(id: ShapeId, op: TextOp) -> Self {
        BoardOp::from_change(Change::EditText { id, op })
    }

    /// Returns an operation that moves shape `id` in the z-order from
    /// position `from` to `to`.
    pub fn move_z(id: ShapeId, from: usize, to: usize) -> Self {
        BoardOp::from_change(Change::Move { id, from, to })
    }

    /// Parses the JSON form, returning an error that names what is wrong.
    pub fn from_json(json: &str) -> Result<BoardOp, super::BoardError> {
        serde_json::from_str(json).map_err(|e| super::BoardError::Json(e.to_string()))
    }

    /// Returns the JSON form. A number that is not finite, which JSON
    /// cannot represent, is written as `null`, so the JSON of an operation
    /// that a board rejects for it may not parse back.
    pub fn to_json(&self) -> String {
        expect_ok(
            serde_json::to_string(self),
            "a board operation encodes as JSON",
        )
    }
}
