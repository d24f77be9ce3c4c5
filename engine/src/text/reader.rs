//! A cursor over a text operation's components, for transform and
//! compose, which read one operation while they walk the other.
//!
//! The steps that move the cursor live beside the algorithm that uses
//! them (`transform.rs`, `compose.rs`). They match on the components
//! directly, because these loops run once per pair of operations and
//! their cost is mostly this reading.

use super::component::Component;
use super::operation::TextOp;

/// Reads components front to back, splitting them where a step needs a
/// shorter part. Empty components are skipped.
pub(crate) struct Reader<'a> {
    pub(super) components: &'a [Component],
    pub(super) index: usize,
    /// How much of the current component was already read: code points
    /// of a retain or a delete, bytes of a text.
    pub(super) offset: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(components: &'a [Component]) -> Self {
        let mut reader = Reader {
            components,
            index: 0,
            offset: 0,
        };
        reader.skip_empty();
        reader
    }

    fn skip_empty(&mut self) {
        while self
            .components
            .get(self.index)
            .is_some_and(Component::is_empty)
        {
            self.index += 1;
        }
    }

    /// Moves to the next non-empty component.
    pub(super) fn advance(&mut self) {
        self.index += 1;
        self.offset = 0;
        self.skip_empty();
    }

    /// Returns the current component, or `None` at the end.
    pub(super) fn current(&self) -> Option<&'a Component> {
        self.components.get(self.index)
    }

    /// Marks `len` more code points of the current retain or delete as
    /// read, where `left` code points of it were unread.
    pub(super) fn consume_count(&mut self, len: usize, left: usize) {
        if len == left {
            self.advance();
        } else {
            self.offset += len;
        }
    }

    /// Marks `end` more bytes of the current text as read, where `left`
    /// bytes of it were unread.
    pub(super) fn consume_bytes(&mut self, end: usize, left: usize) {
        if end == left {
            self.advance();
        } else {
            self.offset += end;
        }
    }

    /// Copies the rest of the operation to `out`.
    pub(crate) fn copy_rest(&mut self, out: &mut TextOp) {
        let Some(rest) = self.components.get(self.index..) else {
            return;
        };
        if let Some((first, later)) = rest.split_first() {
            match first {
                Component::Retain(n) => out.retain(n - self.offset),
                Component::Delete(n) => out.delete(n - self.offset),
                Component::Insert(text) => out.insert(&text[self.offset..]),
                Component::DeleteText(text) => out.delete_text(&text[self.offset..]),
            };
            for component in later {
                out.push_ref(component);
            }
        }
        self.index = self.components.len();
        self.offset = 0;
    }
}

/// Splits `text` after at most `n` code points, returning the byte offset
/// of the split and the number of code points before it. O(n).
pub(crate) fn split_chars(text: &str, n: usize) -> (usize, usize) {
    let mut count = 0;
    for (offset, _) in text.char_indices() {
        if count == n {
            return (offset, n);
        }
        count += 1;
    }
    (text.len(), count)
}
