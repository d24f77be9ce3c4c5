//! Transform of text operations, positions and selections.

use super::component::Kind;
use super::operation::TextOp;
use super::reader::Piece;
use crate::Side;

impl TextOp {
    /// Rewrites this operation to apply after `other`, where both were made
    /// on the same document. On an insert tie, the side `Left` keeps this
    /// operation's insert first. O(k) in the components of both.
    pub fn transform(&self, other: &TextOp, side: Side) -> TextOp {
        let mut out = TextOp::new();
        let mut reader = self.reader();

        for component in other.reader_all() {
            match component {
                Piece::Retain(mut n) => {
                    while n > 0 {
                        let Some(piece) = reader.take(n, Some(Kind::Insert)) else {
                            break;
                        };
                        if !matches!(piece, Piece::Insert(_)) {
                            n -= piece.len();
                        }
                        out.push_piece(piece);
                    }
                }
                Piece::Insert(text) => {
                    // Every insert of this operation at this place goes
                    // first, even when it is split over several raw
                    // components, so that the pair converges.
                    while side == Side::Left && reader.peek_kind() == Some(Kind::Insert) {
                        let Some(piece) = reader.take_whole() else {
                            break;
                        };
                        out.push_piece(piece);
                    }
                    out.retain(text.chars().count());
                }
                deleted @ (Piece::Delete(_) | Piece::DeleteText(_)) => {
                    let mut n = deleted.len();
                    while n > 0 {
                        let Some(piece) = reader.take(n, Some(Kind::Insert)) else {
                            break;
                        };
                        match piece {
                            Piece::Insert(_) => {
                                out.push_piece(piece);
                            }
                            other => n -= other.len(),
                        }
                    }
                }
            }
        }

        while let Some(piece) = reader.take_whole() {
            out.push_piece(piece);
        }
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
        for piece in self.reader_all() {
            if base > pos {
                break;
            }
            match piece {
                Piece::Retain(n) => base = base.saturating_add(n),
                Piece::Insert(text) => {
                    if base < pos || side == Side::Right {
                        moved = moved.saturating_add(text.chars().count());
                    }
                }
                deleted => {
                    let n = deleted.len();
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

    /// Iterates over all pieces, one per non-empty component.
    pub(crate) fn reader_all(&self) -> impl Iterator<Item = Piece<'_>> {
        let mut reader = self.reader();
        std::iter::from_fn(move || reader.take_whole())
    }
}

/// A selection in a text document: the anchor where it started and the
/// head where the cursor is, both in code points. A cursor is a selection
/// whose anchor equals its head.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Selection {
    /// Where the selection started.
    pub anchor: usize,
    /// Where the cursor is.
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
