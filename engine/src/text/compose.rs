//! Composition of two text operations into one.

use super::component::Component;
use super::operation::TextOp;
use super::reader::{split_chars, Reader};

impl TextOp {
    /// Returns one operation with the effect of `self` followed by `next`.
    /// Text that `self` inserts and `next` deletes cancels out. O(k) in the
    /// components of both.
    pub fn compose(&self, next: &TextOp) -> TextOp {
        let mut out = TextOp::new();
        let mut reader = self.reader();

        for component in next.components() {
            match component {
                Component::Retain(n) => reader.compose_retain(*n, &mut out),
                Component::Insert(text) => {
                    out.insert(text);
                }
                Component::Delete(n) => reader.compose_delete(*n, None, &mut out),
                Component::DeleteText(text) => {
                    let n = text.chars().count();
                    reader.compose_delete(n, Some(text), &mut out);
                }
            }
        }

        reader.copy_rest(&mut out);
        out.trim();
        out
    }
}

/// The steps of compose over the first operation, walked along the code
/// points of its output, which the second operation spans.
impl Reader<'_> {
    /// Keeps the next `n` code points of the first operation's output:
    /// its retains and inserts there are copied to `out`. Its deletes met
    /// on the way span none of the output, so they are copied whole.
    fn compose_retain(&mut self, mut n: usize, out: &mut TextOp) {
        while n > 0 {
            let Some(component) = self.current() else {
                out.retain(n);
                return;
            };
            match component {
                Component::Delete(total) => {
                    out.delete(total - self.offset);
                    self.advance();
                }
                Component::DeleteText(text) => {
                    out.delete_text(&text[self.offset..]);
                    self.advance();
                }
                Component::Retain(total) => {
                    let left = total - self.offset;
                    let len = left.min(n);
                    out.retain(len);
                    n -= len;
                    self.consume_count(len, left);
                }
                Component::Insert(text) => {
                    let rest = &text[self.offset..];
                    let (end, len) = split_chars(rest, n);
                    out.insert(&rest[..end]);
                    n -= len;
                    self.consume_bytes(end, rest.len());
                }
            }
        }
    }

    /// Deletes the next `n` code points of the first operation's output,
    /// whose text is `text` when the second operation carries it. A
    /// deleted retain becomes a delete in `out` and a deleted insert
    /// cancels out. Deletes of the first operation are copied whole.
    fn compose_delete(&mut self, mut n: usize, mut text: Option<&str>, out: &mut TextOp) {
        while n > 0 {
            let Some(component) = self.current() else {
                push_delete(out, &mut text, n);
                return;
            };
            match component {
                Component::Delete(total) => {
                    out.delete(total - self.offset);
                    self.advance();
                }
                Component::DeleteText(deleted) => {
                    out.delete_text(&deleted[self.offset..]);
                    self.advance();
                }
                Component::Retain(total) => {
                    let left = total - self.offset;
                    let len = left.min(n);
                    push_delete(out, &mut text, len);
                    n -= len;
                    self.consume_count(len, left);
                }
                Component::Insert(inserted) => {
                    let rest = &inserted[self.offset..];
                    let (end, len) = split_chars(rest, n);
                    skip_chars(&mut text, len);
                    n -= len;
                    self.consume_bytes(end, rest.len());
                }
            }
        }
    }
}

/// Appends a delete of `n` code points, carrying the next `n` code points
/// of `text` when the delete being composed carries its text.
fn push_delete(out: &mut TextOp, text: &mut Option<&str>, n: usize) {
    match text {
        Some(rest) => {
            let (end, _) = split_chars(rest, n);
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
        let (end, _) = split_chars(rest, n);
        *rest = &rest[end..];
    }
}
