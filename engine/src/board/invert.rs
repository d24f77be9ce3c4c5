//! Inversion of board operations, for undo.

use std::collections::HashMap;

use super::board::Board;
use super::error::BoardError;
use super::id::ShapeId;
use super::operation::{BoardOp, Change};
use crate::text::TextDocument;

/// Returns the change that undoes `change`, or `None` for a text edit
/// whose deletes do not carry their text, which needs the text to invert.
pub(crate) fn invert_change(change: &Change) -> Option<Change> {
    let inverse = match change {
        Change::Create { id, shape, z } => Change::Delete {
            id: *id,
            shape: shape.clone(),
            z: *z,
        },
        Change::Delete { id, shape, z } => Change::Create {
            id: *id,
            shape: shape.clone(),
            z: *z,
        },
        Change::Set { id, key, old, new } => Change::Set {
            id: *id,
            key: key.clone(),
            old: new.clone(),
            new: old.clone(),
        },
        Change::Translate { id, dx, dy } => Change::Translate {
            id: *id,
            dx: -dx,
            dy: -dy,
        },
        Change::EditText { id, op } => Change::EditText {
            id: *id,
            op: op.invert_self().ok()?,
        },
        Change::Move { id, from, to } => Change::Move {
            id: *id,
            from: *to,
            to: *from,
        },
        Change::Group { group, members } => Change::Ungroup {
            group: *group,
            members: members.clone(),
        },
        Change::Ungroup { group, members } => Change::Group {
            group: *group,
            members: members.clone(),
        },
    };
    Some(inverse)
}

impl BoardOp {
    /// Returns the operation that undoes this one, given the board it
    /// applies to. Only text edits whose deletes do not carry their text
    /// read the board; every other change carries what its inverse needs.
    ///
    /// Returns an error if a text edit names a shape without text or does
    /// not fit its text. O(c) in the changes, plus O(k log m) for each
    /// such text edit.
    pub fn invert(&self, before: &Board) -> Result<BoardOp, BoardError> {
        // The text of each shape as the changes so far left it, for text
        // edits that need it.
        let mut texts: HashMap<ShapeId, Option<TextDocument>> = HashMap::new();
        let mut changes = Vec::with_capacity(self.changes.len());
        for change in &self.changes {
            match change {
                Change::Create { id, shape, .. } => {
                    texts.insert(*id, shape.text.clone());
                }
                Change::Delete { id, .. } => {
                    texts.insert(*id, None);
                }
                Change::EditText { id, op } => {
                    let text = match texts.get(id) {
                        Some(text) => text.clone(),
                        None => before.shape(*id).and_then(|shape| shape.text.clone()),
                    };
                    let Some(mut text) = text else {
                        return Err(match before.shape(*id) {
                            Some(_) => BoardError::NoText { id: *id },
                            None => BoardError::UnknownShape { id: *id },
                        });
                    };
                    let text_error = |source| BoardError::Text {
                        id: *id,
                        op: op.to_json(),
                        source,
                    };
                    let inverse = text.invert(op).map_err(text_error)?;
                    text.apply(op).map_err(text_error)?;
                    texts.insert(*id, Some(text));
                    changes.push(Change::EditText {
                        id: *id,
                        op: inverse,
                    });
                    continue;
                }
                _ => {}
            }
            changes.push(invert_change(change).expect("only text edits need the text"));
        }
        changes.reverse();
        Ok(BoardOp { changes })
    }
}
