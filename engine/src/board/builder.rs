//! Operations built from the current board, with the old values,
//! positions and copies that changes carry filled in.

use super::board::Board;
use super::error::BoardError;
use super::excalidraw::{self, ExcalidrawError};
use super::id::{GroupId, ShapeId};
use super::operation::{BoardOp, Change, Member};
use super::property::{check_value, is_coordinate, snap_to_grid, PropertyValue};
use super::shape::Shape;

impl Board {
    /// Returns a new random id and the operation that creates `shape` with
    /// it on top of the z-order. Finite `x` and `y` are rounded to the
    /// 1/65536 px grid. Other invalid values fail when the operation
    /// applies.
    pub fn create_op(&self, mut shape: Shape) -> (ShapeId, BoardOp) {
        for (key, value) in shape.props.iter_mut() {
            if let PropertyValue::Number(n) = value {
                if is_coordinate(key) && n.is_finite() {
                    *n = snap_to_grid(*n);
                }
            }
        }
        let id = ShapeId::random();
        (id, BoardOp::create(id, shape, self.len()))
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
    /// when it is invalid for the key, such as a non-finite number.
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
        if let Some(value) = &new {
            check_value(key, value).map_err(|reason| BoardError::InvalidProperty {
                id,
                key: key.to_owned(),
                value: value.to_string(),
                reason,
            })?;
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
    /// outermost group of each.
    pub fn group_op(&self, group: GroupId, ids: &[ShapeId]) -> Result<BoardOp, BoardError> {
        let mut members = Vec::with_capacity(ids.len());
        for &id in ids {
            let shape = self.shape(id).ok_or(BoardError::UnknownShape { id })?;
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
