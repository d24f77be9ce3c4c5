//! Composition of two text operations into one.

use super::component::Kind;
use super::operation::TextOp;
use super::reader::{byte_offset, Piece};

impl TextOp {
    /// Returns one operation with the effect of `self` followed by `next`.
    /// Text that `self` inserts and `next` deletes cancels out. O(k) in the
    /// components of both.
    pub fn compose(&self, next: &TextOp) -> TextOp {
        let mut out = TextOp::new();
        let mut reader = self.reader();

        for piece in next.reader_all() {
            match piece {
                Piece::Retain(mut n) => {
                    while n > 0 {
                        let Some(first) = reader.take(n, Some(Kind::Delete)) else {
                            out.retain(n);
                            break;
                        };
                        if !matches!(first, Piece::Delete(_) | Piece::DeleteText(_)) {
                            n -= first.len();
                        }
                        out.push_piece(first);
                    }
                }
                Piece::Insert(text) => {
                    out.insert(text);
                }
                deleted => {
                    let mut text = match deleted {
                        Piece::DeleteText(text) => Some(text),
                        _ => None,
                    };
                    let mut n = deleted.len();
                    while n > 0 {
                        let Some(first) = reader.take(n, Some(Kind::Delete)) else {
                            push_delete(&mut out, &mut text, n);
                            break;
                        };
                        match first {
                            Piece::Retain(k) => {
                                push_delete(&mut out, &mut text, k);
                                n -= k;
                            }
                            Piece::Insert(inserted) => {
                                let k = inserted.chars().count();
                                skip_chars(&mut text, k);
                                n -= k;
                            }
                            earlier_delete => {
                                out.push_piece(earlier_delete);
                            }
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
}

/// Appends a delete of `n` code points, carrying the next `n` code points
/// of `text` when the delete being composed carries its text.
fn push_delete(out: &mut TextOp, text: &mut Option<&str>, n: usize) {
    match text {
        Some(rest) => {
            let end = byte_offset(rest, n);
            out.delete_text(&rest[..end]);
            *rest = &rest[end..];
        }
        None => {
            out.delete(n);
        }
    }
}

fn skip_chars(text: &mut Option<&str>, n: usize) {
    if let Some(rest) = text {
        *rest = &rest[byte_offset(rest, n)..];
    }
}
