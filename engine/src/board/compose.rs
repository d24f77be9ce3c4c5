//! Composition and normalization of board operations.

use super::operation::{BoardOp, Change};
use super::property::is_on_grid;

impl BoardOp {
    /// Returns one operation with the effect of `self` followed by `next`:
    /// their changes in order, normalized. O(c) in the changes of both,
    /// plus the cost of composing neighbouring text edits.
    pub fn compose(&self, next: &BoardOp) -> BoardOp {
        let mut changes = Vec::with_capacity(self.changes.len() + next.changes.len());
        changes.extend(self.changes.iter().cloned());
        changes.extend(next.changes.iter().cloned());
        BoardOp { changes }.normalize()
    }

    /// Returns the same operation without changes that have no effect,
    /// and with neighbouring changes to one shape merged. Merged pairs are
    /// two sets of one property, two translations, two text edits, two
    /// moves, and a create followed by the delete of the same shape.
    ///
    /// On every board where this operation applies, the result applies
    /// with the same effect. O(c) in the changes.
    pub fn normalize(&self) -> BoardOp {
        let mut out: Vec<Change> = Vec::with_capacity(self.changes.len());
        for change in &self.changes {
            if change.is_identity() {
                continue;
            }
            let merged = out.last().and_then(|last| merge(last, change));
            match merged {
                Some(Merged::Into(change)) => {
                    out.pop();
                    if !change.is_identity() {
                        out.push(change);
                    }
                }
                Some(Merged::Cancelled) => {
                    out.pop();
                }
                None => out.push(change.clone()),
            }
        }
        BoardOp { changes: out }
    }
}

enum Merged {
    Into(Change),
    Cancelled,
}

/// Merges two neighbouring changes into one, when they act on the same
/// shape in a way one change can express.
fn merge(first: &Change, second: &Change) -> Option<Merged> {
    let merged = match (first, second) {
        (
            Change::Set {
                id,
                key,
                old,
                new: middle,
            },
            Change::Set {
                id: id2,
                key: key2,
                old: middle2,
                new,
            },
        ) if id == id2 && key == key2 && middle == middle2 => Change::Set {
            id: *id,
            key: key.clone(),
            old: old.clone(),
            new: new.clone(),
        },
        (Change::Translate { id, dx, dy }, Change::Translate { id: id2, dx: dx2, dy: dy2 })
            // On the grid the sums are exact, so the merged translation
            // lands on the same coordinates.
            if id == id2
                && [dx, dy, dx2, dy2].iter().all(|d| is_on_grid(**d))
                && is_on_grid(dx + dx2)
                && is_on_grid(dy + dy2) =>
        {
            Change::Translate {
                id: *id,
                dx: dx + dx2,
                dy: dy + dy2,
            }
        }
        (Change::EditText { id, op }, Change::EditText { id: id2, op: op2 }) if id == id2 => {
            Change::EditText {
                id: *id,
                op: op.compose(op2),
            }
        }
        (
            Change::Move { id, from, to },
            Change::Move {
                id: id2,
                from: from2,
                to: to2,
            },
        ) if id == id2 && to == from2 => Change::Move {
            id: *id,
            from: *from,
            to: *to2,
        },
        (
            Change::Create { id, shape, z },
            Change::Delete {
                id: id2,
                shape: shape2,
                z: z2,
            },
        ) if id == id2 && shape == shape2 && z == z2 => return Some(Merged::Cancelled),
        _ => return None,
    };
    Some(Merged::Into(merged))
}
