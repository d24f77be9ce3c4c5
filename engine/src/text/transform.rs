//! Transform of text operations, positions and selections.

use super::component::Component;
use super::operation::TextOp;
use super::reader::{split_chars, Reader};
use crate::Side;

impl TextOp {
    /// Rewrites this operation to apply after `other`, where both were made
    /// on the same document. On an insert tie, the side `Left` keeps this
    /// operation's insert first. O(k) in the components of both.
    pub fn transform(&self, other: &TextOp, side: Side) -> TextOp {
        let mut out = TextOp::new();
        let mut reader = self.reader();

        for component in other.components() {
            match component {
                Component::Retain(n) => reader.transform_span(*n, true, &mut out),
                Component::Insert(text) => {
                    if text.is_empty() {
                        continue;
                    }
                    // Every insert of this operation at this place goes
                    // first, even when it is split over several raw
                    // components, so that the pair converges.
                    if side == Side::Left {
                        reader.copy_inserts(&mut out);
                    }
                    out.retain(text.chars().count());
                }
                Component::Delete(n) => reader.transform_span(*n, false, &mut out),
                Component::DeleteText(text) => {
                    reader.transform_span(text.chars().count(), false, &mut out);
                }
            }
        }

        reader.copy_rest(&mut out);
        out.trim();
        out
    }

    /// Returns where code point `pos` moves to when this operation is
    /// applied. A position exactly at an insert stays before it with
    /// `Side::Left` and moves after it with `Side::Right`, as an insert at
    /// `pos` transformed with that side would. O(k) in the components.
    pub fn transform_position(&self, pos: usize, side: Side) -> usize {
        let mut base = 0; // code points of the old document passed
        let mut moved = pos; // the position in the new document
        for component in self.components() {
            if base > pos {
                break;
            }
            match component {
                Component::Retain(n) => base = base.saturating_add(*n),
                Component::Insert(text) => {
                    if base < pos || side == Side::Right {
                        moved = moved.saturating_add(text.chars().count());
                    }
                }
                Component::Delete(_) | Component::DeleteText(_) => {
                    let n = component.len();
                    moved -= n.min(pos - base);
                    base = base.saturating_add(n);
                }
            }
        }
        moved
    }

    /// Returns where a selection moves when this operation is applied. A
    /// collapsed selection (a cursor) moves like a position with `side`.
    /// A range never grows to take in text inserted at its ends.
    pub fn transform_selection(&self, selection: Selection, side: Side) -> Selection {
        if selection.anchor == selection.head {
            let pos = self.transform_position(selection.head, side);
            return Selection::cursor(pos);
        }
        let (start_side, end_side) = (Side::Right, Side::Left);
        let forward = selection.anchor < selection.head;
        let (start, end) = if forward {
            (selection.anchor, selection.head)
        } else {
            (selection.head, selection.anchor)
        };
        let start = self.transform_position(start, start_side);
        let end = self.transform_position(end, end_side).max(start);
        if forward {
            Selection::new(start, end)
        } else {
            Selection::new(end, start)
        }
    }
}

/// The steps of transform over the operation being transformed.
impl Reader<'_> {
    /// Moves past the next `n` code points of the base document, copying
    /// every insert met on the way to `out` whole. Retains and deletes
    /// are copied too when `keep` is true (the other operation retained
    /// the span) and dropped when it is false (the other operation deleted
    /// it). Stops early at the end of the operation.
    fn transform_span(&mut self, mut n: usize, keep: bool, out: &mut TextOp) {
        while n > 0 {
            let Some(component) = self.current() else {
                return;
            };
            match component {
                Component::Insert(text) => {
                    out.insert(&text[self.offset..]);
                    self.advance();
                }
                Component::Retain(total) | Component::Delete(total) => {
                    let left = total - self.offset;
                    let len = left.min(n);
                    if keep {
                        match component {
                            Component::Retain(_) => out.retain(len),
                            _ => out.delete(len),
                        };
                    }
                    n -= len;
                    self.consume_count(len, left);
                }
                Component::DeleteText(text) => {
                    let rest = &text[self.offset..];
                    let (end, len) = split_chars(rest, n);
                    if keep {
                        out.delete_text(&rest[..end]);
                    }
                    n -= len;
                    self.consume_bytes(end, rest.len());
                }
            }
        }
    }

    /// Copies the inserts at the current place to `out`.
    fn copy_inserts(&mut self, out: &mut TextOp) {
        while let Some(Component::Insert(text)) = self.current() {
            out.insert(&text[self.offset..]);
            self.advance();
        }
    }
}

/// A selection in a text document: the anchor where it started and the
/// head where the cursor is, both in code points. A cursor is a selection
/// whose anchor equals its head.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Selection {
    /// The position where the selection started, in code points.
    pub anchor: usize,
    /// The position of the cursor, in code points.
    pub head: usize,
}

impl Selection {
    /// Returns a selection from `anchor` to `head`.
    pub fn new(anchor: usize, head: usize) -> Self {
        Selection { anchor, head }
    }

    /// Returns a collapsed selection at `pos`.
    pub fn cursor(pos: usize) -> Self {
        Selection::new(pos, pos)
    }

    /// Returns true if nothing is selected.
    pub fn is_collapsed(&self) -> bool {
        self.anchor == self.head
    }
}
