//! Operations built from the current board, with the old values,
//! positions and copies that changes carry filled in.
//!
//! A builder returns an error naming the shape and the value for every
//! operation that would fail to apply to the board it was built from, so
//! that an operation it returns applies to that board. `create_op` is the
//! exception: it leaves the checks to `apply`, and `try_create_op` makes
//! them at build time.

use std::collections::HashSet;

use super::board::Board;
use super::error::BoardError;
use super::excalidraw::{self, ExcalidrawError};
use super::id::{GroupId, ShapeId};
use super::operation::{BoardOp, Change, Member};
use super::property::{check_key, is_coordinate, snap_to_grid, PropertyValue};
use super::shape::Shape;

impl Board {
    /// Returns a new random id and the operation that creates `shape` with
    /// it on top of the z-order. Finite `x` and `y` are rounded to the
    /// 1/65536 px grid. Other invalid values fail when the operation
    /// applies: [`try_create_op`](Board::try_create_op) rejects them here.
    pub fn create_op(&self, mut shape: Shape) -> (ShapeId, BoardOp) {
        snap_coordinates(&mut shape);
        let id = ShapeId::random();
        (id, BoardOp::create(id, shape, self.len()))
    }

    /// Returns what [`create_op`](Board::create_op) returns, or an error
    /// naming the new shape and the value when the operation would fail to
    /// apply: an invalid property, a repeated group, or a reference to a
    /// shape that is not on the board or, for `frame`, is no frame.
    /// O(p log n + g) for p properties and g groups.
    pub fn try_create_op(&self, mut shape: Shape) -> Result<(ShapeId, BoardOp), BoardError> {
        snap_coordinates(&mut shape);
        let id = ShapeId::random();
        self.check_shape_content(id, &shape)?;
        for (key, value) in &shape.props {
            self.check_reference(id, key, value)?;
        }
        Ok((id, BoardOp::create(id, shape, self.len())))
    }

    /// Returns the operation that adds an Excalidraw scene or library,
    /// given as its JSON text, on top of this board: see
    /// [`Import::to_op_on`]. O(n log n) in the elements.
    ///
    /// [`Import::to_op_on`]: super::excalidraw::Import::to_op_on
    pub fn import_excalidraw_op(&self, json: &str) -> Result<BoardOp, ExcalidrawError> {
        Ok(excalidraw::import(json)?.to_op_on(self))
    }

    /// Returns the operation that deletes shape `id`, first clearing every
    /// property of other shapes that refers to it. O(r log n) for r
    /// references.
    pub fn delete_op(&self, id: ShapeId) -> Result<BoardOp, BoardError> {
        let shape = self.shape(id).ok_or(BoardError::UnknownShape { id })?;
        let z = self.position(id).expect("every shape is in the z-order");
        let mut op = BoardOp::new();
        for (by, key) in self.referrers(id) {
            let old = self.shapes[&by].props.get(&key).cloned();
            op.push(Change::Set {
                id: by,
                key,
                old,
                new: None,
            });
        }
        op.push(Change::Delete {
            id,
            shape: shape.clone(),
            z,
        });
        Ok(op)
    }

    /// Returns the operation that sets property `key` of shape `id` to
    /// `new`, or removes it when `new` is `None`. A finite `x` or `y` is
    /// rounded to the 1/65536 px grid. Returns an error naming the value
    /// when it is invalid for the key (such as a non-finite number or the
    /// wrong type), or refers to a shape that is not on the board.
    pub fn set_op(
        &self,
        id: ShapeId,
        key: &str,
        new: Option<PropertyValue>,
    ) -> Result<BoardOp, BoardError> {
        let shape = self.shape(id).ok_or(BoardError::UnknownShape { id })?;
        let old = shape.props.get(key).cloned();
        let new = match new {
            Some(PropertyValue::Number(n)) if is_coordinate(key) && n.is_finite() => {
                Some(PropertyValue::Number(snap_to_grid(n)))
            }
            other => other,
        };
        match &new {
            Some(value) => {
                self.check_property(id, key, value)?;
                self.check_reference(id, key, value)?;
            }
            None => check_key(key).map_err(|reason| BoardError::InvalidProperty {
                id,
                key: key.to_owned(),
                value: "null".to_owned(),
                reason,
            })?,
        }
        Ok(BoardOp::set(id, key, old, new))
    }

    /// Returns the operation that moves shape `id` to z-order position
    /// `to`. O(log n).
    pub fn move_op(&self, id: ShapeId, to: usize) -> Result<BoardOp, BoardError> {
        let from = self.position(id).ok_or(BoardError::UnknownShape { id })?;
        if to >= self.len() {
            return Err(BoardError::ZOutOfRange {
                id,
                position: to,
                max: self.len() - 1,
            });
        }
        Ok(BoardOp::move_z(id, from, to))
    }

    /// Returns the operation that brings shape `id` to the front (the top
    /// of the z-order). O(log n).
    pub fn bring_to_front_op(&self, id: ShapeId) -> Result<BoardOp, BoardError> {
        self.move_op(id, self.len().saturating_sub(1))
    }

    /// Returns the operation that sends shape `id` to the back (the bottom
    /// of the z-order). O(log n).
    pub fn send_to_back_op(&self, id: ShapeId) -> Result<BoardOp, BoardError> {
        self.move_op(id, 0)
    }

    /// Returns the operation that puts `ids` into `group`, as the
    /// outermost group of each. Returns an error naming the shape and the
    /// group when a shape is not on the board, is in the group already, or
    /// is listed twice. O(m log n) for m shapes listed.
    pub fn group_op(&self, group: GroupId, ids: &[ShapeId]) -> Result<BoardOp, BoardError> {
        let mut members = Vec::with_capacity(ids.len());
        let mut listed = HashSet::with_capacity(ids.len());
        for &id in ids {
            let shape = self.shape(id).ok_or(BoardError::UnknownShape { id })?;
            if !listed.insert(id) || shape.groups.contains(&group) {
                return Err(BoardError::AlreadyInGroup { id, group });
            }
            members.push(Member {
                id,
                index: shape.groups.len(),
            });
        }
        Ok(BoardOp::from_change(Change::Group { group, members }))
    }

    /// Returns the operation that dissolves `group`, taking every member
    /// out of it.
    pub fn ungroup_op(&self, group: GroupId) -> BoardOp {
        let members = self
            .group_members(group)
            .into_iter()
            .map(|id| {
                let groups = &self.shapes[&id].groups;
                let index = groups
                    .iter()
                    .position(|g| *g == group)
                    .expect("the group index matches the shapes");
                Member { id, index }
            })
            .collect();
        BoardOp::from_change(Change::Ungroup { group, members })
    }
}

/// Rounds finite `x` and `y` properties to the 1/65536 px grid.
fn snap_coordinates(shape: &mut Shape) {
    for (key, value) in shape.props.iter_mut() {
        if let PropertyValue::Number(n) = value {
            if is_coordinate(key) && n.is_finite() {
                *n = snap_to_grid(*n);
            }
        }
    }
}
