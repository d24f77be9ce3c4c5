//! A cursor that hands out a text operation's components piece by piece,
//! splitting them where a caller needs a shorter piece.

use super::component::{Component, Kind};

/// A borrowed slice of one component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Retain(usize),
    Insert(&'a str),
    Delete(usize),
    DeleteText(&'a str),
}

impl Piece<'_> {
    /// Returns the length in code points.
    pub(crate) fn len(&self) -> usize {
        match self {
            Piece::Retain(n) | Piece::Delete(n) => *n,
            Piece::Insert(text) | Piece::DeleteText(text) => text.chars().count(),
        }
    }
}

/// Reads components front to back. Empty components are skipped.
pub(crate) struct Reader<'a> {
    components: &'a [Component],
    index: usize,
    /// How much of the current component was already handed out: code
    /// points of a retain or a delete, bytes of a text.
    offset: usize,
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

    fn advance(&mut self) {
        self.index += 1;
        self.offset = 0;
        self.skip_empty();
    }

    /// Returns the kind of the next piece, or `None` at the end.
    pub(crate) fn peek_kind(&self) -> Option<Kind> {
        self.components.get(self.index).map(Component::kind)
    }

    /// Takes the rest of the current component whole.
    pub(crate) fn take_whole(&mut self) -> Option<Piece<'a>> {
        self.take(usize::MAX, None)
    }

    /// Takes a piece of at most `max` code points. A component of the kind
    /// `whole` is handed out whole, however long it is. At the end of the
    /// operation this returns `None`; callers treat the rest of the
    /// document as retained.
    pub(crate) fn take(&mut self, max: usize, whole: Option<Kind>) -> Option<Piece<'a>> {
        let component = self.components.get(self.index)?;
        let keep_whole = whole == Some(component.kind());
        let piece = match component {
            Component::Retain(n) | Component::Delete(n) => {
                let left = n - self.offset;
                let len = if keep_whole { left } else { left.min(max) };
                self.offset += len;
                let done = self.offset == *n;
                let piece = match component {
                    Component::Retain(_) => Piece::Retain(len),
                    _ => Piece::Delete(len),
                };
                if done {
                    self.advance();
                }
                piece
            }
            Component::Insert(text) | Component::DeleteText(text) => {
                let rest = &text[self.offset..];
                let end = if keep_whole {
                    rest.len()
                } else {
                    byte_offset(rest, max)
                };
                let slice = &rest[..end];
                self.offset += end;
                let done = self.offset == text.len();
                let piece = match component {
                    Component::Insert(_) => Piece::Insert(slice),
                    _ => Piece::DeleteText(slice),
                };
                if done {
                    self.advance();
                }
                piece
            }
        };
        Some(piece)
    }
}

/// Returns the byte offset of code point `chars` in `text`, or the length
/// of `text` when it is shorter.
pub(crate) fn byte_offset(text: &str, chars: usize) -> usize {
    if chars >= text.len() {
        return text.len();
    }
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(index, _)| index)
}
