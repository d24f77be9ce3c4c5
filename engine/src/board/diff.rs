//! The board operation between two boards: a structural diff of shapes,
//! properties, text, groups and z-order.

use std::collections::HashSet;

use super::board::Board;
use super::error::BoardError;
use super::id::ShapeId;
use super::operation::{BoardOp, Change, Member};
use super::shape::Shape;
use crate::text::diff::text_diff;
use crate::Diff;

impl Diff for BoardOp {
    /// Returns an operation that turns `before` into `after`.
    ///
    /// The changes come in an order that applies. First, references that
    /// change or belong to removed shapes are cleared. Then removed shapes
    /// are deleted and new shapes are created without their references.
    /// Next, every property, text and group list is set to its value in
    /// `after`. Last, the z-order is fixed with one move per shape outside
    /// the longest run of shapes already in order. A shape whose kind or text
    /// presence changed is deleted and created again. Text changes are
    /// character diffs ([`TextOp::diff`](Diff::diff)).
    ///
    /// Each change is applied to a working copy of `before` as it is made,
    /// so the cost is O(n log n) for `n` shapes plus the changes and the
    /// text diffs. Boards that differ by few changes give short
    /// operations.
    fn diff(before: &Board, after: &Board) -> Result<BoardOp, BoardError> {
        let mut diff = BoardDiff {
            working: before.clone(),
            op: BoardOp::new(),
        };
        let replaced: HashSet<ShapeId> = before
            .iter()
            .filter(|(id, shape)| {
                after
                    .shape(*id)
                    .is_none_or(|target| !same_frame(shape, target))
            })
            .map(|(id, _)| id)
            .collect();

        diff.clear_references(after, &replaced)?;
        for id in before.order() {
            if replaced.contains(&id) {
                diff.delete(id)?;
            }
        }
        for (id, shape) in after.iter() {
            if !diff.working.contains(id) {
                diff.create(id, shape)?;
            }
        }
        for (id, target) in after.iter() {
            diff.set_properties(id, target)?;
            diff.edit_text(id, target)?;
            diff.regroup(id, target)?;
        }
        diff.reorder(&after.order())?;
        Ok(diff.op)
    }
}

/// Returns true if a shape can turn into `target` by changes to its
/// properties, text and groups: same kind, and a text on both or neither.
fn same_frame(shape: &Shape, target: &Shape) -> bool {
    shape.kind == target.kind && shape.text.is_some() == target.text.is_some()
}

/// The operation being built and the board it has produced so far.
struct BoardDiff {
    working: Board,
    op: BoardOp,
}

impl BoardDiff {
    fn push(&mut self, change: Change) -> Result<(), BoardError> {
        self.working.apply_change(&change)?;
        self.op.push(change);
        Ok(())
    }

    /// Clears every reference that a replaced shape holds, and every
    /// reference of a kept shape whose value changes, so that deletes and
    /// creates meet no reference.
    fn clear_references(
        &mut self,
        after: &Board,
        replaced: &HashSet<ShapeId>,
    ) -> Result<(), BoardError> {
        for id in self.working.order() {
            let shape = &self.working.shapes[&id];
            let target = after.shape(id).filter(|_| !replaced.contains(&id));
            let cleared: Vec<Change> = shape
                .references()
                .filter(|(key, _)| {
                    target.is_none_or(|t| t.props.get(*key) != shape.props.get(*key))
                })
                .map(|(key, _)| Change::Set {
                    id,
                    key: key.to_owned(),
                    old: shape.props.get(key).cloned(),
                    new: None,
                })
                .collect();
            for change in cleared {
                self.push(change)?;
            }
        }
        Ok(())
    }

    fn delete(&mut self, id: ShapeId) -> Result<(), BoardError> {
        let shape = self.working.shapes[&id].clone();
        let z = self
            .working
            .position(id)
            .expect("every shape is in the z-order");
        self.push(Change::Delete { id, shape, z })
    }

    /// Creates the shape on top, without the properties that refer to
    /// other shapes, which may not exist yet.
    fn create(&mut self, id: ShapeId, target: &Shape) -> Result<(), BoardError> {
        let mut shape = target.clone();
        shape
            .props
            .retain(|_, value| value.referenced_shape().is_none());
        let z = self.working.len();
        self.push(Change::Create { id, shape, z })
    }

    fn set_properties(&mut self, id: ShapeId, target: &Shape) -> Result<(), BoardError> {
        let shape = &self.working.shapes[&id];
        // The union of both key sets, in order. Inserting into a sorted
        // list costs O(k) per key, which is fine for the few dozen
        // properties of a shape.
        let mut keys: Vec<&String> = shape.props.keys().collect();
        for key in target.props.keys() {
            if let Err(index) = keys.binary_search(&key) {
                keys.insert(index, key);
            }
        }
        let mut changes = Vec::new();
        for key in keys {
            let old = shape.props.get(key);
            let new = target.props.get(key);
            if old != new {
                changes.push(Change::Set {
                    id,
                    key: key.clone(),
                    old: old.cloned(),
                    new: new.cloned(),
                });
            }
        }
        for change in changes {
            self.push(change)?;
        }
        Ok(())
    }

    fn edit_text(&mut self, id: ShapeId, target: &Shape) -> Result<(), BoardError> {
        let (Some(text), Some(wanted)) = (&self.working.shapes[&id].text, &target.text) else {
            return Ok(());
        };
        if text == wanted {
            return Ok(());
        }
        let op = text_diff(text, wanted);
        self.push(Change::EditText { id, op })
    }

    /// Keeps the groups that both lists start with, leaves the rest from
    /// the outermost in, and joins the target's remaining groups.
    fn regroup(&mut self, id: ShapeId, target: &Shape) -> Result<(), BoardError> {
        let groups = self.working.shapes[&id].groups.clone();
        let shared = groups
            .iter()
            .zip(&target.groups)
            .take_while(|(a, b)| a == b)
            .count();
        for index in (shared..groups.len()).rev() {
            self.push(Change::Ungroup {
                group: groups[index],
                members: vec![Member { id, index }],
            })?;
        }
        for (index, group) in target.groups.iter().enumerate().skip(shared) {
            self.push(Change::Group {
                group: *group,
                members: vec![Member { id, index }],
            })?;
        }
        Ok(())
    }

    /// Moves shapes until the z-order equals `order`, which lists the
    /// same shapes. The shapes of the longest run already in order stay.
    /// Every other shape moves, in target order, to just above the shape
    /// below it in `order`. O(n log n) for `n` shapes.
    fn reorder(&mut self, order: &[ShapeId]) -> Result<(), BoardError> {
        let positions: Vec<usize> = order
            .iter()
            .map(|id| self.working.position(*id).expect("the shape was created"))
            .collect();
        let stay = longest_increasing(&positions);
        for (index, id) in order.iter().enumerate() {
            if stay[index] {
                continue;
            }
            let from = self.working.position(*id).expect("the shape was created");
            let to = match index.checked_sub(1) {
                None => 0,
                Some(below) => {
                    let below = self
                        .working
                        .position(order[below])
                        .expect("the shape was created");
                    if from > below {
                        below + 1
                    } else {
                        below
                    }
                }
            };
            if from != to {
                self.push(Change::Move { id: *id, from, to })?;
            }
        }
        Ok(())
    }
}

/// Marks the items of one longest strictly increasing subsequence of
/// `values`. O(n log n) (patience sorting).
fn longest_increasing(values: &[usize]) -> Vec<bool> {
    // tails[k] is the index of the smallest last value of an increasing
    // run of length k + 1; previous links each index to the one before it.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (index, value) in values.iter().enumerate() {
        let length = tails.partition_point(|&t| values[t] < *value);
        previous[index] = length.checked_sub(1).map(|k| tails[k]);
        if length == tails.len() {
            tails.push(index);
        } else {
            tails[length] = index;
        }
    }
    let mut marked = vec![false; values.len()];
    let mut cursor = tails.last().copied();
    while let Some(index) = cursor {
        marked[index] = true;
        cursor = previous[index];
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{GroupId, PropertyValue, ShapeKind};

    fn rect(x: f64) -> Shape {
        Shape::new(ShapeKind::Rectangle)
            .with_number("x", x)
            .with_number("y", 0.0)
    }

    fn board(shapes: Vec<(u128, Shape)>) -> Board {
        Board::from_shapes(shapes.into_iter().map(|(id, s)| (ShapeId(id), s))).unwrap()
    }

    fn check(before: &Board, after: &Board) -> BoardOp {
        let op = BoardOp::diff(before, after).unwrap();
        let mut board = before.clone();
        board.apply(&op).unwrap();
        assert_eq!(&board, after);
        op
    }

    #[test]
    fn diff_of_equal_boards_is_empty() {
        let b = board(vec![(1, rect(0.0)), (2, rect(5.0))]);
        assert!(check(&b, &b.clone()).changes.is_empty());
    }

    #[test]
    fn diff_sets_changed_property() {
        let before = board(vec![(1, rect(0.0))]);
        let after = board(vec![(1, rect(8.0))]);
        let op = check(&before, &after);
        assert_eq!(op.changes.len(), 1);
        assert!(matches!(&op.changes[0], Change::Set { key, .. } if key == "x"));
    }

    #[test]
    fn diff_moves_one_shape_to_top() {
        let ids: Vec<(u128, Shape)> = (1..=6).map(|i| (i, rect(i as f64))).collect();
        let before = board(ids.clone());
        let mut reordered = ids;
        let bottom = reordered.remove(0);
        reordered.push(bottom);
        let op = check(&before, &board(reordered));
        assert_eq!(op.changes.len(), 1);
    }

    #[test]
    fn diff_deletes_referenced_shape_and_creates_binding() {
        let arrow = |target: u128| {
            Shape::new(ShapeKind::Arrow)
                .with_number("x", 0.0)
                .with_number("y", 0.0)
                .with("frame", PropertyValue::Shape(ShapeId(target)))
        };
        let frame = |x| {
            Shape::new(ShapeKind::Frame)
                .with_number("x", x)
                .with_number("y", 0.0)
        };
        let before = board(vec![(1, frame(0.0)), (2, arrow(1))]);
        let after = board(vec![(3, frame(4.0)), (2, arrow(3)), (4, arrow(3))]);
        check(&before, &after);
    }

    #[test]
    fn diff_edits_text_and_groups() {
        let mut note = Shape::new(ShapeKind::StickyNote).with_text("hello");
        note.groups = vec![GroupId(1), GroupId(2)];
        let mut changed = Shape::new(ShapeKind::StickyNote).with_text("hello there");
        changed.groups = vec![GroupId(1), GroupId(3), GroupId(4)];
        let before = board(vec![(1, note)]);
        let after = board(vec![(1, changed)]);
        let op = check(&before, &after);
        assert!(op
            .changes
            .iter()
            .any(|c| matches!(c, Change::EditText { .. })));
    }

    #[test]
    fn diff_replaces_shape_of_other_kind() {
        let before = board(vec![(1, rect(0.0)), (2, rect(1.0))]);
        let ellipse = Shape::new(ShapeKind::Ellipse).with_number("x", 0.0);
        let after = board(vec![(2, rect(1.0)), (1, ellipse)]);
        check(&before, &after);
    }

    #[test]
    fn longest_increasing_marks_run() {
        assert_eq!(
            longest_increasing(&[3, 0, 1, 5, 2]),
            vec![false, true, true, false, true]
        );
        assert!(longest_increasing(&[]).is_empty());
    }
}
