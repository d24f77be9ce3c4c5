//! Transform of board operations: the conflict rules.

use std::collections::HashMap;

use super::id::ShapeId;
use super::list::{transform_other, transform_same, Placement};
use super::operation::{BoardOp, Change, Member};
use super::property::PropertyValue;
use super::shape::Shape;
use crate::Side;

impl BoardOp {
    /// Rewrites this operation so that it applies after `other`, where both
    /// were made on the same board. `side` breaks ties: of two sets of one
    /// property, and of two moves of one shape, the `Left` one wins, and of
    /// two shapes placed in the same z-order gap, the `Left` one goes
    /// lower. The module documentation lists every rule.
    ///
    /// Costs O(a * b) change transforms for operations of a and b changes.
    /// Each is O(1), except text edits, which are O(k) in their
    /// components, and group changes, which are O(m) in their members.
    pub fn transform(&self, other: &BoardOp, side: Side) -> BoardOp {
        let left = side == Side::Left;
        if let ([a], [b]) = (self.changes.as_slice(), other.changes.as_slice()) {
            return BoardOp {
                changes: transform_change(a, b, left),
            };
        }
        let (changes, _) = transform_lists(self.changes.clone(), other.changes.clone(), left);
        BoardOp { changes }
    }
}

/// Transforms two lists of changes made on the same board against each
/// other, returning `a` rewritten to apply after `b` and `b` rewritten to
/// apply after `a`.
fn transform_lists(a: Vec<Change>, b: Vec<Change>, a_left: bool) -> (Vec<Change>, Vec<Change>) {
    if a.is_empty() || b.is_empty() {
        return (a, b);
    }
    if a.len() == 1 && b.len() == 1 {
        let a2 = transform_change(&a[0], &b[0], a_left);
        let b2 = transform_change(&b[0], &a[0], !a_left);
        return (a2, b2);
    }
    if a.len() > 1 {
        let mut a = a;
        let tail = a.split_off(1);
        let (mut head, b) = transform_lists(a, b, a_left);
        let (tail, b) = transform_lists(tail, b, a_left);
        head.extend(tail);
        return (head, b);
    }
    let mut b = b;
    let tail = b.split_off(1);
    let (a, mut head) = transform_lists(a, b, a_left);
    let (a, tail) = transform_lists(a, tail, a_left);
    head.extend(tail);
    (a, head)
}

/// Returns where a create, delete or move puts its shape in the z-order.
fn z_placement(change: &Change) -> Option<(ShapeId, Placement)> {
    match change {
        Change::Create { id, z, .. } => Some((*id, Placement::insert(*z))),
        Change::Delete { id, z, .. } => Some((*id, Placement::remove(*z))),
        Change::Move { id, from, to } => Some((*id, Placement::moved(*from, *to))),
        _ => None,
    }
}

/// Returns the z-order change with its positions replaced by `p`, which
/// has the same shape (insert, remove or move) as the change's own.
fn with_placement(change: &Change, p: Placement) -> Change {
    let mut change = change.clone();
    match &mut change {
        Change::Create { z, .. } => *z = p.after.expect("an insert stays an insert"),
        Change::Delete { z, .. } => *z = p.before.expect("a removal stays a removal"),
        Change::Move { from, to, .. } => {
            *from = p.before.expect("a move stays a move");
            *to = p.after.expect("a move stays a move");
        }
        _ => unreachable!("only z-order changes have a placement"),
    }
    change
}

/// Rewrites the change `x` so that it applies after the concurrent change
/// `y`. Returns no change when `x` has no effect left, and two when it
/// must first undo part of `y`.
fn transform_change(x: &Change, y: &Change, x_left: bool) -> Vec<Change> {
    // A change with no effect neither wins a tie nor is rewritten into one
    // that has an effect, so that transforming against an operation gives
    // the same result as against its normalized form.
    if x.is_identity() {
        return Vec::new();
    }
    if y.is_identity() {
        return vec![x.clone()];
    }
    if let (Some((x_id, xp)), Some((y_id, yp))) = (z_placement(x), z_placement(y)) {
        return transform_z(x, x_id, xp, y, y_id, yp, x_left);
    }
    if let (
        Change::Group { .. } | Change::Ungroup { .. },
        Change::Group { .. } | Change::Ungroup { .. },
    ) = (x, y)
    {
        return transform_groups(x, y, x_left);
    }
    if let Change::Delete { id, shape, z } = x {
        return delete_after(*id, shape, *z, y);
    }

    match y {
        Change::Delete { id: gone, .. } => after_delete(x, *gone),
        Change::Set {
            id,
            key,
            new: y_new,
            ..
        } => after_set(x, *id, key, y_new.as_ref(), x_left),
        Change::Translate { id, dx, dy } => after_translate(x, *id, *dx, *dy),
        Change::EditText { id, op } => match x {
            Change::EditText { id: x_id, op: x_op } if x_id == id => {
                let side = if x_left { Side::Left } else { Side::Right };
                keep(Change::EditText {
                    id: *x_id,
                    op: x_op.transform(op, side),
                })
            }
            _ => vec![x.clone()],
        },
        Change::Create { .. }
        | Change::Move { .. }
        | Change::Group { .. }
        | Change::Ungroup { .. } => {
            vec![x.clone()]
        }
    }
}

/// Returns `[change]`, or nothing if it has no effect.
fn keep(change: Change) -> Vec<Change> {
    if change.is_identity() {
        Vec::new()
    } else {
        vec![change]
    }
}

/// Transforms one create, delete or move against another.
fn transform_z(
    x: &Change,
    x_id: ShapeId,
    xp: Placement,
    y: &Change,
    y_id: ShapeId,
    yp: Placement,
    x_left: bool,
) -> Vec<Change> {
    if x_id == y_id {
        let Some(p) = transform_same(xp, yp, x_left) else {
            return Vec::new();
        };
        if let (Change::Create { shape, .. }, Change::Create { shape: y_shape, .. }) = (x, y) {
            // Two creates of one id: the left one replaces the right one.
            let before = p.before.expect("both inserted the shape");
            let after = p.after.expect("the left insert stays");
            return vec![
                Change::Delete {
                    id: y_id,
                    shape: y_shape.clone(),
                    z: before,
                },
                Change::Create {
                    id: x_id,
                    shape: shape.clone(),
                    z: after,
                },
            ];
        }
        if p.before.is_some() == xp.before.is_some() && p.after.is_some() == xp.after.is_some() {
            return vec![with_placement(x, p)];
        }
        // A create against a delete or move of the same id: the two could
        // not both apply to one board, so the create has nothing to add.
        return Vec::new();
    }

    let mut moved = with_placement(x, transform_other(xp, yp, x_left));
    match (&mut moved, y) {
        (Change::Create { shape, .. }, Change::Delete { .. })
        | (Change::Delete { shape, .. }, Change::Delete { .. }) => {
            drop_references(shape, y_id);
            vec![moved]
        }
        (Change::Delete { .. }, Change::Create { shape: created, .. }) => {
            // The concurrent create refers to the deleted shape: clear
            // those references first, as the delete requires.
            let mut out = unbind(y_id, created, x_id);
            out.push(moved);
            out
        }
        _ => vec![moved],
    }
}

/// Returns sets that clear every property of `shape` (id `id`) that refers
/// to `target`.
fn unbind(id: ShapeId, shape: &Shape, target: ShapeId) -> Vec<Change> {
    shape
        .props
        .iter()
        .filter(|(_, value)| value.referenced_shape() == Some(target))
        .map(|(key, value)| Change::Set {
            id,
            key: key.clone(),
            old: Some(value.clone()),
            new: None,
        })
        .collect()
}

/// Removes every property of `shape` that refers to `target`.
fn drop_references(shape: &mut Shape, target: ShapeId) {
    shape
        .props
        .retain(|_, value| value.referenced_shape() != Some(target));
}

/// Transforms a delete of shape `id` against a change that is not a
/// create, delete or move. Changes to the shape update the copy the delete
/// carries; a set that makes another shape refer to it is undone first.
fn delete_after(id: ShapeId, shape: &Shape, z: usize, y: &Change) -> Vec<Change> {
    let mut snapshot = shape.clone();
    let mut out = Vec::new();
    match y {
        Change::Set {
            id: y_id, key, new, ..
        } => {
            if *y_id == id {
                match new {
                    Some(value) => snapshot.props.insert(key.clone(), value.clone()),
                    None => snapshot.props.remove(key),
                };
            } else if let Some(value) = new.as_ref().filter(|v| v.referenced_shape() == Some(id)) {
                out.push(Change::Set {
                    id: *y_id,
                    key: key.clone(),
                    old: Some(value.clone()),
                    new: None,
                });
            }
        }
        Change::Translate { id: y_id, dx, dy } if *y_id == id => {
            for (key, delta) in [("x", *dx), ("y", *dy)] {
                if let Some(PropertyValue::Number(n)) = snapshot.props.get_mut(key) {
                    if delta != 0.0 {
                        *n += delta;
                    }
                }
            }
        }
        Change::EditText { id: y_id, op } if *y_id == id => {
            if let Some(text) = snapshot.text.as_mut() {
                // A text edit that does not fit failed to apply, so the
                // copy stays as it was.
                let _ = text.apply(op);
            }
        }
        Change::Group { group, members } => {
            if let Some(member) = members.iter().find(|m| m.id == id) {
                if !snapshot.groups.contains(group) {
                    let index = member.index.min(snapshot.groups.len());
                    snapshot.groups.insert(index, *group);
                }
            }
        }
        Change::Ungroup { group, members } => {
            if let Some(member) = members.iter().find(|m| m.id == id) {
                if snapshot.groups.get(member.index) == Some(group) {
                    snapshot.groups.remove(member.index);
                }
            }
        }
        _ => {}
    }
    out.push(Change::Delete {
        id,
        shape: snapshot,
        z,
    });
    out
}

/// Transforms a change that is not a create, delete or move against a
/// delete of shape `gone`: changes to it vanish, and references to it
/// become absent.
fn after_delete(x: &Change, gone: ShapeId) -> Vec<Change> {
    match x {
        Change::Set { id, .. } | Change::Translate { id, .. } | Change::EditText { id, .. }
            if *id == gone =>
        {
            Vec::new()
        }
        Change::Set { id, key, old, new } => {
            let cleared = |value: &Option<PropertyValue>| {
                value.clone().filter(|v| v.referenced_shape() != Some(gone))
            };
            keep(Change::Set {
                id: *id,
                key: key.clone(),
                old: cleared(old),
                new: cleared(new),
            })
        }
        Change::Group { group, members } => keep(Change::Group {
            group: *group,
            members: members.iter().copied().filter(|m| m.id != gone).collect(),
        }),
        Change::Ungroup { group, members } => keep(Change::Ungroup {
            group: *group,
            members: members.iter().copied().filter(|m| m.id != gone).collect(),
        }),
        _ => vec![x.clone()],
    }
}

/// Transforms `x` against a set of property `key` of shape `id` to
/// `y_new`. Of two sets of one property the left one wins; a set of `x`
/// or `y` beats a concurrent translation along that axis.
fn after_set(
    x: &Change,
    id: ShapeId,
    key: &str,
    y_new: Option<&PropertyValue>,
    x_left: bool,
) -> Vec<Change> {
    match x {
        Change::Set {
            id: x_id,
            key: x_key,
            new,
            ..
        } if *x_id == id && x_key == key => {
            if !x_left {
                return Vec::new();
            }
            keep(Change::Set {
                id,
                key: key.to_owned(),
                old: y_new.cloned(),
                new: new.clone(),
            })
        }
        Change::Translate { id: x_id, dx, dy } if *x_id == id => keep(Change::Translate {
            id,
            dx: if key == "x" { 0.0 } else { *dx },
            dy: if key == "y" { 0.0 } else { *dy },
        }),
        _ => vec![x.clone()],
    }
}

/// Transforms `x` against a translation of shape `id`: a set of `x` or
/// `y` then starts from the translated value.
fn after_translate(x: &Change, id: ShapeId, dx: f64, dy: f64) -> Vec<Change> {
    match x {
        Change::Set {
            id: x_id,
            key,
            old: Some(PropertyValue::Number(old)),
            new,
        } if *x_id == id && (key == "x" || key == "y") => {
            let delta = if key == "x" { dx } else { dy };
            let old = if delta == 0.0 { *old } else { old + delta };
            keep(Change::Set {
                id,
                key: key.clone(),
                old: Some(PropertyValue::Number(old)),
                new: new.clone(),
            })
        }
        _ => vec![x.clone()],
    }
}

/// Returns the group and members of a group or ungroup change, and true
/// for a group.
fn group_parts(change: &Change) -> (super::id::GroupId, &[Member], bool) {
    match change {
        Change::Group { group, members } => (*group, members, true),
        Change::Ungroup { group, members } => (*group, members, false),
        _ => unreachable!("only group changes have members"),
    }
}

/// Transforms a group or ungroup against another, shape by shape, as
/// changes to each shape's group list.
fn transform_groups(x: &Change, y: &Change, x_left: bool) -> Vec<Change> {
    let (group, x_members, x_inserts) = group_parts(x);
    let (y_group, y_members, y_inserts) = group_parts(y);
    let placement = |inserts: bool, index: usize| {
        if inserts {
            Placement::insert(index)
        } else {
            Placement::remove(index)
        }
    };

    // The first entry of each shape among the members of `y`.
    let mut y_by_id = HashMap::with_capacity(y_members.len());
    for other in y_members {
        y_by_id.entry(other.id).or_insert(other);
    }

    let mut members = Vec::with_capacity(x_members.len());
    // Members whose group the left side placed while the right side placed
    // it elsewhere: taken out where the right side put them first.
    let mut replaced = Vec::new();
    for member in x_members {
        let Some(other) = y_by_id.get(&member.id) else {
            members.push(*member);
            continue;
        };
        let xp = placement(x_inserts, member.index);
        let yp = placement(y_inserts, other.index);
        let p = if group == y_group {
            match transform_same(xp, yp, x_left) {
                Some(p) => p,
                None => continue,
            }
        } else {
            transform_other(xp, yp, x_left)
        };
        match (p.before, p.after) {
            (Some(before), Some(after)) => {
                replaced.push(Member {
                    id: member.id,
                    index: before,
                });
                members.push(Member {
                    id: member.id,
                    index: after,
                });
            }
            (Some(index), None) | (None, Some(index)) => members.push(Member {
                id: member.id,
                index,
            }),
            (None, None) => {}
        }
    }

    let rebuilt = if x_inserts {
        Change::Group { group, members }
    } else {
        Change::Ungroup { group, members }
    };
    let mut out = Vec::new();
    if !replaced.is_empty() {
        out.push(Change::Ungroup {
            group,
            members: replaced,
        });
    }
    if !rebuilt.is_identity() {
        out.push(rebuilt);
    }
    out
}
