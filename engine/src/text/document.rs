//! The plain-text document, backed by a rope.

use std::fmt;
use std::ops::Range;

use ropey::Rope;

use super::component::Component;
use super::error::TextError;
use super::operation::TextOp;

/// A plain-text document that text operations apply to.
///
/// The text lives in a [`ropey::Rope`], so applying an operation of `k`
/// components costs O(k log n) in the document length `n`, and positions
/// convert between code points, UTF-16 code units and UTF-8 bytes in
/// O(log n).
///
/// Ropey was chosen over jumprope, crop and a plain `String` after
/// replaying the recorded editing traces through each. Jumprope and crop
/// replayed faster than ropey alone on every trace, up to about six
/// times. But only ropey indexes all three position units (code points,
/// UTF-16 for JavaScript editors, UTF-8 bytes for Rust ones) in O(log n).
/// It also needs no random number generator, and is the most widely used
/// of the three. `BENCHMARKS.md` holds the measured figures.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextDocument {
    rope: Rope,
    /// The length in code points, kept beside the rope because ropey sums
    /// it over the root's children on every call, and apply needs it for
    /// every operation.
    len: usize,
}

impl TextDocument {
    /// Returns an empty document.
    pub fn new() -> Self {
        TextDocument::default()
    }

    /// Returns the length in code points. O(1).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Returns true if the document is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Returns the length in UTF-16 code units. O(1).
    pub fn len_utf16(&self) -> usize {
        self.rope.len_utf16_cu()
    }

    /// Returns the length in UTF-8 bytes. O(1).
    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Returns the rope holding the text.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// Returns the text of the code points in `range`, or an error if the
    /// range reaches past the end. O(log n + m) for m code points.
    pub fn slice(&self, range: Range<usize>) -> Result<String, TextError> {
        self.check_char_pos(range.end)?;
        let start = range.start.min(range.end);
        Ok(self.rope.slice(start..range.end).to_string())
    }

    /// Checks that `op` applies to this document without changing it.
    /// O(k log n) for `k` components, plus the length of deleted texts.
    pub fn check(&self, op: &TextOp) -> Result<(), TextError> {
        // One pass computes the span and compares deleted texts. A length
        // error takes precedence over a mismatch, so texts past the end are
        // not compared and the first mismatch is kept until the end.
        let len = self.len();
        let mut pos: usize = 0;
        let mut mismatch = None;
        for component in op.components() {
            match component {
                Component::Retain(n) | Component::Delete(n) => pos = pos.saturating_add(*n),
                Component::Insert(_) => {}
                Component::DeleteText(text) => {
                    let n = text.chars().count();
                    let end = pos.saturating_add(n);
                    if mismatch.is_none()
                        && end <= len
                        && self.rope.slice(pos..end) != text.as_str()
                    {
                        mismatch = Some(TextError::DeleteMismatch {
                            position: pos,
                            len: n,
                        });
                    }
                    pos = end;
                }
            }
        }
        if pos > len {
            return Err(TextError::BaseLength {
                expected: pos,
                actual: len,
            });
        }
        match mismatch {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Applies `op`, or returns an error and leaves the document unchanged.
    /// O(k log n) for `k` components.
    pub fn apply(&mut self, op: &TextOp) -> Result<(), TextError> {
        self.check(op)?;
        let mut pos = 0;
        let mut len = self.len;
        for component in op.components() {
            match component {
                Component::Retain(n) => pos += n,
                Component::Insert(text) => {
                    in_range(self.rope.try_insert(pos, text));
                    let n = text.chars().count();
                    pos += n;
                    len += n;
                }
                Component::Delete(n) => {
                    in_range(self.rope.try_remove(pos..pos + n));
                    len -= n;
                }
                Component::DeleteText(text) => {
                    let n = text.chars().count();
                    in_range(self.rope.try_remove(pos..pos + n));
                    len -= n;
                }
            }
        }
        self.len = len;
        debug_assert_eq!(self.len, self.rope.len_chars());
        Ok(())
    }

    /// Returns the operation that undoes `op`, reading deleted text from
    /// this document, which must be the one `op` applies to.
    pub fn invert(&self, op: &TextOp) -> Result<TextOp, TextError> {
        self.check(op)?;
        let mut inverse = TextOp::new();
        let mut pos = 0;
        for component in op.components() {
            match component {
                Component::Retain(n) => {
                    inverse.retain(*n);
                    pos += n;
                }
                Component::Insert(text) => {
                    inverse.delete_text(text);
                }
                Component::Delete(n) => {
                    let text = self.rope.slice(pos..pos + n).to_string();
                    inverse.insert(&text);
                    pos += n;
                }
                Component::DeleteText(text) => {
                    inverse.insert(text);
                    pos += text.chars().count();
                }
            }
        }
        inverse.trim();
        Ok(inverse)
    }

    /// Returns `op` with the text of every delete filled in from this
    /// document, so that it can be inverted later without the document.
    pub fn with_deleted_text(&self, op: &TextOp) -> Result<TextOp, TextError> {
        self.check(op)?;
        let mut filled = TextOp::new();
        let mut pos = 0;
        for component in op.components() {
            match component {
                Component::Delete(n) => {
                    let text = self.rope.slice(pos..pos + n).to_string();
                    filled.delete_text(&text);
                    pos += n;
                }
                other => {
                    if !matches!(other, Component::Insert(_)) {
                        pos += other.len();
                    }
                    filled.push(other.clone());
                }
            }
        }
        filled.trim();
        Ok(filled)
    }

    fn check_char_pos(&self, pos: usize) -> Result<(), TextError> {
        if pos > self.len() {
            return Err(TextError::PositionPastEnd {
                unit: "code point",
                position: pos,
                len: self.len(),
            });
        }
        Ok(())
    }

    /// Converts a code point position to UTF-16 code units. O(log n).
    pub fn char_to_utf16(&self, pos: usize) -> Result<usize, TextError> {
        self.check_char_pos(pos)?;
        Ok(in_range(self.rope.try_char_to_utf16_cu(pos)))
    }

    /// Converts a UTF-16 offset to a code point position, rejecting an
    /// offset inside a surrogate pair. O(log n).
    pub fn utf16_to_char(&self, offset: usize) -> Result<usize, TextError> {
        if offset > self.len_utf16() {
            return Err(TextError::PositionPastEnd {
                unit: "UTF-16",
                position: offset,
                len: self.len_utf16(),
            });
        }
        let pos = in_range(self.rope.try_utf16_cu_to_char(offset));
        if in_range(self.rope.try_char_to_utf16_cu(pos)) != offset {
            return Err(TextError::InsideSurrogatePair { offset });
        }
        Ok(pos)
    }

    /// Converts a code point position to a UTF-8 byte offset. O(log n).
    pub fn char_to_byte(&self, pos: usize) -> Result<usize, TextError> {
        self.check_char_pos(pos)?;
        Ok(in_range(self.rope.try_char_to_byte(pos)))
    }

    /// Converts a UTF-8 byte offset to a code point position, rejecting an
    /// offset inside a character. O(log n).
    pub fn byte_to_char(&self, offset: usize) -> Result<usize, TextError> {
        if offset > self.len_bytes() {
            return Err(TextError::PositionPastEnd {
                unit: "UTF-8",
                position: offset,
                len: self.len_bytes(),
            });
        }
        let pos = in_range(self.rope.try_byte_to_char(offset));
        if in_range(self.rope.try_char_to_byte(pos)) != offset {
            return Err(TextError::NotCharBoundary { offset });
        }
        Ok(pos)
    }
}

/// Returns the value of a ropey call whose positions the caller checked.
///
/// Ropey's panicking methods (`insert`, `char_to_byte` and others) unwrap
/// their `try_` forms and format the error with `Debug`. Calling the
/// `try_` forms through this function, which does not format the error,
/// keeps those unwrap paths out of the wasm module.
///
/// # Panics
///
/// Panics when `result` is an error, which is a bug in the caller's check.
#[track_caller]
fn in_range<T>(result: ropey::Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(_) => panic!("a position checked against the document is out of the rope's range"),
    }
}

impl From<&str> for TextDocument {
    fn from(text: &str) -> Self {
        let rope = Rope::from_str(text);
        let len = rope.len_chars();
        TextDocument { rope, len }
    }
}

impl From<String> for TextDocument {
    fn from(text: String) -> Self {
        TextDocument::from(text.as_str())
    }
}

impl fmt::Display for TextDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.rope.chunks() {
            f.write_str(chunk)?;
        }
        Ok(())
    }
}

impl fmt::Debug for TextDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TextDocument({:?})", self.to_string())
    }
}

impl serde::Serialize for TextDocument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TextDocument {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(TextDocument::from(text))
    }
}
