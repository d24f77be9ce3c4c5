//! Whiteboards: shapes in a z-order, changed by board operations that
//! transform against each other.
//!
//! A [`Board`] contains [`Shape`]s keyed by random 128-bit [`ShapeId`]s. Each
//! shape has a [`ShapeKind`], typed properties ([`PropertyValue`]), an
//! optional text edited with [`TextOp`](crate::text::TextOp)s, the groups
//! it belongs to (innermost first) and, through its `frame` property, a
//! frame. A [`BoardOp`] contains [`Change`]s (create, delete, set, translate,
//! text edit, z-order move, group, ungroup) and applies atomically.
//!
//! # Conflict rules
//!
//! [`BoardOp::transform`] rewrites an operation to apply after a
//! concurrent one. Both orders of application then give the same board.
//! Each example below applies Alice's and Bob's concurrent operations in
//! both orders and checks the result. Alice's operation is transformed
//! with [`Side::Left`] and Bob's with [`Side::Right`].
//!
//! **Delete beats every concurrent change to the same shape**, so no
//! half-deleted shape is left. A set, translation, text edit, move or
//! group of a deleted shape vanishes. A set that makes another shape refer
//! to the deleted one, such as an arrow binding, is cleared, because every
//! reference names a live shape.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::Side;
//! # let id = ShapeId(1);
//! # let mut board = Board::new();
//! # let shape = Shape::new(ShapeKind::Rectangle).with_number("x", 0.0).with_number("y", 0.0);
//! # board.apply(&BoardOp::create(id, shape, 0))?;
//! let alice = board.delete_op(id)?;
//! let bob = BoardOp::translate(id, 10.0, 0.0);
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! // Both orders end with the shape gone.
//! assert!(first.is_empty());
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! **Concurrent sets of one property resolve by side**: the `Left` set
//! wins. Sets of different properties both apply.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::Side;
//! # let id = ShapeId(1);
//! # let mut board = Board::new();
//! # board.apply(&BoardOp::create(id, Shape::new(ShapeKind::Ellipse), 0))?;
//! let red = Some(PropertyValue::Color("#ff0000".into()));
//! let blue = Some(PropertyValue::Color("#0000ff".into()));
//! let alice = BoardOp::set(id, "strokeColor", None, red.clone());
//! let bob = BoardOp::set(id, "strokeColor", None, blue);
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! assert_eq!(first.shape(id).unwrap().prop("strokeColor"), red.as_ref());
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! **Translations add up**, exactly: coordinates and deltas lie on a grid
//! of 1/65536 px ([`GRID`]), where floating-point sums do not depend on
//! their order. A set of `x` or `y` beats a concurrent translation along
//! that axis.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::Side;
//! # let id = ShapeId(1);
//! # let mut board = Board::new();
//! # let shape = Shape::new(ShapeKind::Rectangle).with_number("x", 0.0).with_number("y", 0.0);
//! # board.apply(&BoardOp::create(id, shape, 0))?;
//! let alice = BoardOp::translate(id, 10.0, 2.5);
//! let bob = BoardOp::translate(id, -4.0, 1.0);
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! assert_eq!(first.shape(id).unwrap().number("x"), Some(6.0));
//! assert_eq!(first.shape(id).unwrap().number("y"), Some(3.5));
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! **Text edits merge as text**, so two people typing in one sticky note
//! both keep their words. On an insert at the same place, the `Left` text
//! comes first.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::text::TextOp;
//! # use echostream::Side;
//! # let id = ShapeId(1);
//! # let mut board = Board::new();
//! # board.apply(&BoardOp::create(id, Shape::new(ShapeKind::StickyNote).with_text("buy milk"), 0))?;
//! let alice = BoardOp::edit_text(id, TextOp::insert_at(0, "please "));
//! let bob = BoardOp::edit_text(id, TextOp::insert_at(8, " and eggs"));
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! let text = first.shape(id).unwrap().text.as_ref().unwrap().to_string();
//! assert_eq!(text, "please buy milk and eggs");
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! **Z-order moves transform as list moves**, so concurrent reorders of
//! different shapes both take effect and every replica agrees on the
//! order. When both put their shape in the same place, the `Left` one ends
//! lower. Of two moves of the same shape, the `Left` one wins.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::Side;
//! # let [a, b, c, d] = [1, 2, 3, 4].map(ShapeId);
//! # let mut board = Board::new();
//! # for (z, id) in [a, b, c, d].into_iter().enumerate() {
//! #     board.apply(&BoardOp::create(id, Shape::new(ShapeKind::Rectangle), z))?;
//! # }
//! // On [a, b, c, d], Alice brings a to the front and Bob brings b.
//! let alice = board.bring_to_front_op(a)?;
//! let bob = board.bring_to_front_op(b)?;
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! assert_eq!(first.order(), [c, d, a, b]);
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! **A shape deleted while another user groups it leaves a group without
//! it.** No group names a deleted shape.
//!
//! ```
//! # use echostream::board::*;
//! # use echostream::Side;
//! # let [a, b] = [1, 2].map(ShapeId);
//! # let mut board = Board::new();
//! # board.apply(&BoardOp::create(a, Shape::new(ShapeKind::Rectangle), 0))?;
//! # board.apply(&BoardOp::create(b, Shape::new(ShapeKind::Ellipse), 1))?;
//! let group = GroupId(7);
//! let alice = board.delete_op(a)?;
//! let bob = board.group_op(group, &[a, b])?;
//! # let (mut first, mut second) = (board.clone(), board.clone());
//! # first.apply(&alice)?;
//! # first.apply(&bob.transform(&alice, Side::Right))?;
//! # second.apply(&bob)?;
//! # second.apply(&alice.transform(&bob, Side::Left))?;
//! assert_eq!(first.group_members(group), [b]);
//! assert_eq!(first, second);
//! # Ok::<(), BoardError>(())
//! ```
//!
//! Group changes transform as list changes on each shape's group list, as
//! z-order moves do on the z-order.

mod apply;
#[allow(clippy::module_inception)]
mod board;
mod builder;
mod compose;
mod diff;
mod error;
pub mod excalidraw;
mod id;
mod invert;
mod list;
mod operation;
mod property;
mod shape;
mod sorted_set;
mod text_selection;
mod transform;
mod zorder;

pub use board::Board;
pub use error::BoardError;
pub use id::{GroupId, IdError, ShapeId};
pub use operation::{BoardOp, Change, Member};
pub use property::{
    expected_type, is_on_grid, snap_to_grid, Binding, Point, PropertyType, PropertyValue, GRID,
    MAX_COORDINATE, MAX_KEY_LEN, MAX_POINTS, MAX_STRING_LEN,
};
pub use shape::{Shape, ShapeKind};

use crate::{Operation, Side};

impl Operation for BoardOp {
    type Document = Board;
    type Error = BoardError;

    fn identity() -> Self {
        BoardOp::new()
    }

    fn is_identity(&self) -> bool {
        BoardOp::is_identity(self)
    }

    fn apply(&self, doc: &mut Board) -> Result<(), BoardError> {
        doc.apply(self)
    }

    fn transform(&self, other: &Self, side: Side) -> Self {
        BoardOp::transform(self, other, side)
    }

    fn compose(&self, next: &Self) -> Result<Self, BoardError> {
        Ok(BoardOp::compose(self, next))
    }

    fn invert(&self, before: &Board) -> Result<Self, BoardError> {
        BoardOp::invert(self, before)
    }
}
