//! Checking and applying board changes.

use std::collections::HashSet;

use super::board::Board;
use super::error::BoardError;
use super::id::{GroupId, ShapeId};
use super::operation::{BoardOp, Change, Member};
use super::property::{
    check_key, check_value, expected_type, is_on_grid, PropertyValue, MAX_COORDINATE,
};
use super::shape::{Shape, ShapeKind};
use crate::text::TextOp;

/// Returns the JSON form of an optional value, `null` when absent.
fn show(value: Option<&PropertyValue>) -> String {
    value.map_or_else(|| "null".to_owned(), PropertyValue::to_string)
}

impl Board {
    /// Applies `op` atomically: if any change is rejected, the changes
    /// before it are rolled back and the board is unchanged.
    ///
    /// Sets and translations cost O(1) each. A text operation of k
    /// components on a text of m code points costs O(k log m). A create,
    /// delete or move on a board of n shapes costs O(log n), plus O(p) for
    /// a shape of p properties.
    pub fn apply(&mut self, op: &BoardOp) -> Result<(), BoardError> {
        if let [change] = op.changes.as_slice() {
            return self.apply_change(change);
        }
        let mut undo: Vec<Change> = Vec::with_capacity(op.changes.len());
        for change in &op.changes {
            let applied = self
                .rollback_change(change)
                .and_then(|inverse| self.apply_change(change).map(|()| inverse));
            match applied {
                Ok(inverse) => undo.push(inverse),
                Err(error) => {
                    for inverse in undo.iter().rev() {
                        if let Err(e) = self.apply_change(inverse) {
                            panic!("rollback of an applied change failed: {e}");
                        }
                    }
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// Returns the change that undoes `change` on this board, before it
    /// applies.
    fn rollback_change(&self, change: &Change) -> Result<Change, BoardError> {
        if let Change::EditText { id, op } = change {
            let text = self.text_of(*id)?;
            let inverse = text.invert(op).map_err(|source| BoardError::Text {
                id: *id,
                op: op.to_json(),
                source,
            })?;
            return Ok(Change::EditText {
                id: *id,
                op: inverse,
            });
        }
        Ok(super::invert::invert_change(change).expect("only text edits need the board to invert"))
    }

    pub(crate) fn text_of(&self, id: ShapeId) -> Result<&crate::text::TextDocument, BoardError> {
        let shape = self.shape_or_err(id)?;
        shape.text.as_ref().ok_or(BoardError::NoText { id })
    }

    fn shape_or_err(&self, id: ShapeId) -> Result<&Shape, BoardError> {
        self.shapes.get(&id).ok_or(BoardError::UnknownShape { id })
    }

    /// Applies one change, or returns an error and leaves the board
    /// unchanged.
    pub(crate) fn apply_change(&mut self, change: &Change) -> Result<(), BoardError> {
        match change {
            Change::Create { id, shape, z } => self.create(*id, shape, *z),
            Change::Delete { id, shape, z } => self.delete(*id, shape, *z),
            Change::Set { id, key, old, new } => self.set(*id, key, old.as_ref(), new.as_ref()),
            Change::Translate { id, dx, dy } => self.translate(*id, *dx, *dy),
            Change::EditText { id, op } => self.edit_text(*id, op),
            Change::Move { id, from, to } => self.move_z(*id, *from, *to),
            Change::Group { group, members } => self.group(*group, members),
            Change::Ungroup { group, members } => self.ungroup(*group, members),
        }
    }

    /// Checks a property's key, type and value, but not what it refers to.
    pub(crate) fn check_property(
        &self,
        id: ShapeId,
        key: &str,
        value: &PropertyValue,
    ) -> Result<(), BoardError> {
        let invalid = |reason: String| BoardError::InvalidProperty {
            id,
            key: key.to_owned(),
            value: value.to_string(),
            reason,
        };
        check_key(key).map_err(invalid)?;
        if let Some(expected) = expected_type(key) {
            if value.property_type() != expected {
                return Err(BoardError::PropertyType {
                    id,
                    key: key.to_owned(),
                    expected,
                    value: value.to_string(),
                });
            }
        }
        check_value(key, value).map_err(invalid)
    }

    /// Checks that a property refers only to a live shape other than `id`,
    /// and that a `frame` refers to a frame.
    pub(crate) fn check_reference(
        &self,
        id: ShapeId,
        key: &str,
        value: &PropertyValue,
    ) -> Result<(), BoardError> {
        let Some(target) = value.referenced_shape() else {
            return Ok(());
        };
        if target == id {
            return Err(BoardError::SelfReference {
                id,
                key: key.to_owned(),
            });
        }
        let Some(shape) = self.shapes.get(&target) else {
            return Err(BoardError::DanglingReference {
                id,
                key: key.to_owned(),
                target,
            });
        };
        if key == "frame" && shape.kind != ShapeKind::Frame {
            return Err(BoardError::NotAFrame {
                id,
                target,
                kind: shape.kind,
            });
        }
        Ok(())
    }

    /// Checks a shape's properties and groups, but not its references.
    /// O(p + g) for p properties and g groups.
    pub(crate) fn check_shape_content(&self, id: ShapeId, shape: &Shape) -> Result<(), BoardError> {
        for (key, value) in &shape.props {
            self.check_property(id, key, value)?;
        }
        if let Some(group) = first_repeat(shape.groups.iter().copied()) {
            return Err(BoardError::AlreadyInGroup { id, group });
        }
        Ok(())
    }

    fn create(&mut self, id: ShapeId, shape: &Shape, z: usize) -> Result<(), BoardError> {
        if self.shapes.contains_key(&id) {
            return Err(BoardError::DuplicateShape { id });
        }
        if z > self.order.len() {
            return Err(BoardError::ZOutOfRange {
                id,
                position: z,
                max: self.order.len(),
            });
        }
        self.check_shape_content(id, shape)?;
        for (key, value) in &shape.props {
            self.check_reference(id, key, value)?;
        }

        self.order.insert(z, id);
        self.index_shape(id, shape);
        self.shapes.insert(id, shape.clone());
        Ok(())
    }

    fn check_z(&self, id: ShapeId, expected: usize) -> Result<(), BoardError> {
        let actual = self
            .order
            .position(id)
            .ok_or(BoardError::UnknownShape { id })?;
        if expected >= self.order.len() {
            return Err(BoardError::ZOutOfRange {
                id,
                position: expected,
                max: self.order.len() - 1,
            });
        }
        if actual != expected {
            return Err(BoardError::ZMismatch {
                id,
                expected,
                actual,
            });
        }
        Ok(())
    }

    fn delete(&mut self, id: ShapeId, snapshot: &Shape, z: usize) -> Result<(), BoardError> {
        let shape = self.shape_or_err(id)?;
        if let Some(field) = first_difference(shape, snapshot) {
            return Err(BoardError::SnapshotMismatch { id, field });
        }
        self.check_z(id, z)?;
        if let Some((by, key)) = self.referrers.get(&id).and_then(|set| set.first()) {
            return Err(BoardError::StillReferenced {
                id,
                by: *by,
                key: key.clone(),
            });
        }

        let shape = self.shapes.remove(&id).expect("checked above");
        self.order.remove(z);
        self.unindex_shape(id, &shape);
        Ok(())
    }

    fn set(
        &mut self,
        id: ShapeId,
        key: &str,
        old: Option<&PropertyValue>,
        new: Option<&PropertyValue>,
    ) -> Result<(), BoardError> {
        let shape = self.shape_or_err(id)?;
        let current = shape.props.get(key);
        match new {
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
        if current != old {
            return Err(BoardError::OldValueMismatch {
                id,
                key: key.to_owned(),
                expected: show(old),
                actual: show(current),
            });
        }

        if let Some(target) = old.and_then(PropertyValue::referenced_shape) {
            self.remove_referrer(target, id, key);
        }
        if let Some(target) = new.and_then(PropertyValue::referenced_shape) {
            self.referrers
                .entry(target)
                .or_default()
                .insert((id, key.to_owned()));
        }
        let shape = self.shapes.get_mut(&id).expect("checked above");
        match new {
            Some(value) => shape.props.insert(key.to_owned(), value.clone()),
            None => shape.props.remove(key),
        };
        Ok(())
    }

    fn translate(&mut self, id: ShapeId, dx: f64, dy: f64) -> Result<(), BoardError> {
        let shape = self.shape_or_err(id)?;
        let invalid = |reason: String| BoardError::InvalidTranslation { id, dx, dy, reason };
        if !is_on_grid(dx) || !is_on_grid(dy) {
            return Err(invalid(format!(
                "deltas must be finite multiples of 1/65536 px of at most {MAX_COORDINATE} px; \
                 snap_to_grid rounds them"
            )));
        }
        let moved = |key: &str, delta: f64| -> Result<Option<f64>, BoardError> {
            if delta == 0.0 {
                return Ok(None);
            }
            let Some(value) = shape.number(key) else {
                return Err(invalid(format!("the shape has no number property {key}")));
            };
            let sum = value + delta;
            if sum.abs() > MAX_COORDINATE {
                return Err(invalid(format!(
                    "{key} would be {sum}, past the maximum of {MAX_COORDINATE} px"
                )));
            }
            Ok(Some(sum))
        };
        let x = moved("x", dx)?;
        let y = moved("y", dy)?;

        let shape = self.shapes.get_mut(&id).expect("checked above");
        if let Some(x) = x {
            shape.props.insert("x".to_owned(), PropertyValue::Number(x));
        }
        if let Some(y) = y {
            shape.props.insert("y".to_owned(), PropertyValue::Number(y));
        }
        Ok(())
    }

    fn edit_text(&mut self, id: ShapeId, op: &TextOp) -> Result<(), BoardError> {
        let shape = self
            .shapes
            .get_mut(&id)
            .ok_or(BoardError::UnknownShape { id })?;
        let text = shape.text.as_mut().ok_or(BoardError::NoText { id })?;
        text.apply(op).map_err(|source| BoardError::Text {
            id,
            op: op.to_json(),
            source,
        })
    }

    fn move_z(&mut self, id: ShapeId, from: usize, to: usize) -> Result<(), BoardError> {
        self.check_z(id, from)?;
        if to >= self.order.len() {
            return Err(BoardError::ZOutOfRange {
                id,
                position: to,
                max: self.order.len() - 1,
            });
        }
        self.order.move_to(from, to);
        Ok(())
    }

    fn group(&mut self, group: GroupId, members: &[Member]) -> Result<(), BoardError> {
        let mut seen = HashSet::with_capacity(members.len());
        for member in members {
            let id = member.id;
            let shape = self.shape_or_err(id)?;
            let repeated = !seen.insert(id);
            if repeated || shape.groups.contains(&group) {
                return Err(BoardError::AlreadyInGroup { id, group });
            }
            if member.index > shape.groups.len() {
                return Err(BoardError::GroupIndexOutOfRange {
                    id,
                    group,
                    index: member.index,
                    max: shape.groups.len(),
                });
            }
        }

        for member in members {
            let shape = self.shapes.get_mut(&member.id).expect("checked above");
            shape.groups.insert(member.index, group);
            self.members.entry(group).or_default().insert(member.id);
        }
        Ok(())
    }

    fn ungroup(&mut self, group: GroupId, members: &[Member]) -> Result<(), BoardError> {
        let mut seen = HashSet::with_capacity(members.len());
        for member in members {
            let id = member.id;
            let shape = self.shape_or_err(id)?;
            let repeated = !seen.insert(id);
            if repeated || shape.groups.get(member.index) != Some(&group) {
                return Err(BoardError::NotInGroup {
                    id,
                    group,
                    index: member.index,
                });
            }
        }

        for member in members {
            let shape = self.shapes.get_mut(&member.id).expect("checked above");
            shape.groups.remove(member.index);
            self.remove_member(group, member.id);
        }
        Ok(())
    }
}

/// Returns the first item that appeared before in `items`. O(n), so that a
/// group list from outside with many entries costs no more than reading it.
fn first_repeat<T: Copy + Eq + std::hash::Hash>(
    items: impl ExactSizeIterator<Item = T>,
) -> Option<T> {
    if items.len() < 2 {
        return None;
    }
    let mut seen = HashSet::with_capacity(items.len());
    items.into_iter().find(|item| !seen.insert(*item))
}

/// Returns the first field in which `snapshot` differs from `shape`.
fn first_difference(shape: &Shape, snapshot: &Shape) -> Option<String> {
    if shape.kind != snapshot.kind {
        return Some("kind".into());
    }
    if shape.text != snapshot.text {
        return Some("text".into());
    }
    if shape.groups != snapshot.groups {
        return Some("groups".into());
    }
    if shape.props == snapshot.props {
        return None;
    }
    let keys = shape.props.keys().chain(snapshot.props.keys());
    keys.into_iter()
        .find(|key| shape.props.get(*key) != snapshot.props.get(*key))
        .cloned()
}
