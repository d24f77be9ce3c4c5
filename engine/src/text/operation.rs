//! The text operation: a sequence of retain, insert and delete components.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

use super::component::Component;
use super::error::TextError;
use super::reader::Reader;
use crate::invariant::expect_ok;

/// The inline capacity of an operation's components: an insert or a delete
/// somewhere in a document needs two, a replace three.
pub(crate) type Components = SmallVec<[Component; 3]>;

/// A change to a plain-text document, as a sequence of [`Component`]s that
/// walk the document from its start.
///
/// The document past the last component is retained, so an operation
/// applies to any document at least [`base_len`](TextOp::base_len) code
/// points long. The JSON form is the one of the ottypes `text-unicode`
/// type: `[5, "hi", {"d": 2}]` keeps 5 code points, inserts "hi" and
/// deletes the next 2.
///
/// The constructors ([`insert_at`](TextOp::insert_at) and the others) and
/// every transform, compose and invert return normalized operations: no
/// empty components, no two neighbours of the same kind, no trailing
/// retain. The builder methods skip empty components and merge neighbours
/// but keep a trailing [`retain`](TextOp::retain). Operations read from
/// JSON are kept as written until [`normalize`](TextOp::normalize)d; every
/// function accepts both.
///
/// Lengths saturate at `usize::MAX` instead of overflowing, so that an
/// operation read from outside with absurd counts is rejected by
/// [`TextDocument::apply`](super::TextDocument::apply) instead of
/// panicking: no document is that long.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct TextOp {
    components: Components,
}

impl TextOp {
    /// Returns the operation that changes nothing.
    pub fn new() -> Self {
        TextOp::default()
    }

    /// Returns an operation holding `components` exactly as given.
    pub fn from_components(components: Vec<Component>) -> Self {
        TextOp {
            components: components.into(),
        }
    }

    /// Returns an operation that inserts `text` at code point `pos`.
    pub fn insert_at(pos: usize, text: &str) -> Self {
        let mut op = TextOp::new();
        op.retain(pos);
        op.insert(text);
        op.trim();
        op
    }

    /// Returns an operation that deletes the code points in `range`.
    pub fn delete_range(range: Range<usize>) -> Self {
        let mut op = TextOp::new();
        op.retain(range.start);
        op.delete(range.end.saturating_sub(range.start));
        op.trim();
        op
    }

    /// Returns an operation that deletes `text` at code point `pos`,
    /// carrying the text so that the operation is invertible on its own.
    pub fn delete_text_at(pos: usize, text: &str) -> Self {
        let mut op = TextOp::new();
        op.retain(pos);
        op.delete_text(text);
        op.trim();
        op
    }

    /// Returns an operation that replaces the code points in `range` with
    /// `text`.
    pub fn replace(range: Range<usize>, text: &str) -> Self {
        let mut op = TextOp::new();
        op.retain(range.start);
        op.insert(text);
        op.delete(range.end.saturating_sub(range.start));
        op.trim();
        op
    }

    /// Returns an operation holding `components`, which the caller has
    /// already put in normalized form.
    pub(crate) fn from_normalized(components: Components) -> Self {
        let op = TextOp { components };
        debug_assert!(op.is_normalized(), "{op:?} is not normalized");
        op
    }

    /// Returns the components.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Returns true if the operation changes nothing.
    pub fn is_identity(&self) -> bool {
        self.components
            .iter()
            .all(|c| matches!(c, Component::Retain(_)) || c.is_empty())
    }

    /// Appends a retain of `n` code points, merging it with a retain
    /// before it.
    #[inline]
    pub fn retain(&mut self, n: usize) -> &mut Self {
        if n == 0 {
            return self;
        }
        if let Some(Component::Retain(last)) = self.components.last_mut() {
            *last = last.saturating_add(n);
        } else {
            self.components.push(Component::Retain(n));
        }
        self
    }

    /// Appends an insert of `text`, merging it with an insert before it.
    #[inline]
    pub fn insert(&mut self, text: &str) -> &mut Self {
        if text.is_empty() {
            return self;
        }
        if let Some(Component::Insert(last)) = self.components.last_mut() {
            last.push_str(text);
        } else {
            self.components.push(Component::Insert(text.to_owned()));
        }
        self
    }

    /// Appends a delete of `n` code points, merging it with a delete before
    /// it. Merging with a delete that carries text drops that text.
    #[inline]
    pub fn delete(&mut self, n: usize) -> &mut Self {
        if n == 0 {
            return self;
        }
        match self.components.last_mut() {
            Some(Component::Delete(last)) => *last = last.saturating_add(n),
            Some(last @ Component::DeleteText(_)) => {
                *last = Component::Delete(last.len().saturating_add(n));
            }
            _ => self.components.push(Component::Delete(n)),
        }
        self
    }

    /// Appends a delete that carries the deleted `text`, merging it with a
    /// delete before it.
    pub fn delete_text(&mut self, text: &str) -> &mut Self {
        if text.is_empty() {
            return self;
        }
        match self.components.last_mut() {
            Some(Component::DeleteText(last)) => last.push_str(text),
            Some(Component::Delete(last)) => {
                *last = last.saturating_add(text.chars().count());
            }
            _ => self.components.push(Component::DeleteText(text.to_owned())),
        }
        self
    }

    /// Appends a component, merging it with its neighbour.
    pub fn push(&mut self, component: Component) -> &mut Self {
        match component {
            Component::Retain(n) => self.retain(n),
            Component::Insert(text) => self.insert(&text),
            Component::Delete(n) => self.delete(n),
            Component::DeleteText(text) => self.delete_text(&text),
        }
    }

    /// Appends a copy of `component`, merging it with its neighbour.
    #[inline]
    pub(crate) fn push_ref(&mut self, component: &Component) -> &mut Self {
        match component {
            Component::Retain(n) => self.retain(*n),
            Component::Insert(text) => self.insert(text),
            Component::Delete(n) => self.delete(*n),
            Component::DeleteText(text) => self.delete_text(text),
        }
    }

    /// Removes a trailing retain, which is implied.
    pub(crate) fn trim(&mut self) {
        if let Some(Component::Retain(_)) = self.components.last() {
            self.components.pop();
        }
    }

    /// Returns the same change in normalized form: no empty components, no
    /// two neighbours of the same kind and no trailing retain. O(k) in the
    /// number of components.
    pub fn normalize(&self) -> TextOp {
        let mut op = TextOp::new();
        for component in &self.components {
            op.push_ref(component);
        }
        op.trim();
        op
    }

    /// Returns true if the operation is in normalized form.
    pub fn is_normalized(&self) -> bool {
        let mut previous = None;
        for component in &self.components {
            if component.is_empty() || previous == Some(component.kind()) {
                return false;
            }
            previous = Some(component.kind());
        }
        !matches!(self.components.last(), Some(Component::Retain(_)))
    }

    /// Returns the length the operation spans in the document it applies
    /// to: its retains and deletes. The operation applies to a document of
    /// at least this many code points.
    pub fn base_len(&self) -> usize {
        self.components
            .iter()
            .map(|c| match c {
                Component::Insert(_) => 0,
                other => other.len(),
            })
            .fold(0, usize::saturating_add)
    }

    /// Returns the length of the same span after the operation: its
    /// retains and inserts.
    pub fn target_len(&self) -> usize {
        self.components
            .iter()
            .map(|c| match c {
                Component::Retain(n) => *n,
                Component::Insert(text) => text.chars().count(),
                _ => 0,
            })
            .fold(0, usize::saturating_add)
    }

    /// Returns the length of a document of `base` code points after the
    /// operation, or an error if the operation spans more than `base`.
    pub fn output_len(&self, base: usize) -> Result<usize, TextError> {
        let span = self.base_len();
        if span > base {
            return Err(TextError::BaseLength {
                expected: span,
                actual: base,
            });
        }
        Ok((base - span).saturating_add(self.target_len()))
    }

    /// Returns the operation that undoes this one without the document, or
    /// an error naming the first delete that does not carry its text.
    pub fn invert_self(&self) -> Result<TextOp, TextError> {
        let mut inverse = TextOp::new();
        for (index, component) in self.components.iter().enumerate() {
            match component {
                Component::Retain(n) => inverse.retain(*n),
                Component::Insert(text) => inverse.delete_text(text),
                Component::DeleteText(text) => inverse.insert(text),
                Component::Delete(n) if *n == 0 => &mut inverse,
                Component::Delete(n) => return Err(TextError::NotInvertible { index, len: *n }),
            };
        }
        inverse.trim();
        Ok(inverse)
    }

    /// Returns true if every delete carries its text, so that
    /// [`invert_self`](TextOp::invert_self) succeeds.
    pub fn is_invertible(&self) -> bool {
        self.components
            .iter()
            .all(|c| !matches!(c, Component::Delete(n) if *n > 0))
    }

    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader::new(&self.components)
    }

    /// Parses the JSON form, returning an error that names what is wrong.
    pub fn from_json(json: &str) -> Result<TextOp, TextError> {
        serde_json::from_str(json).map_err(|e| TextError::Json(e.to_string()))
    }

    /// Returns the JSON form.
    pub fn to_json(&self) -> String {
        expect_ok(
            serde_json::to_string(self),
            "a text operation always encodes",
        )
    }
}

impl fmt::Debug for TextOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TextOp({})", self.to_json())
    }
}

impl fmt::Display for TextOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl From<Vec<Component>> for TextOp {
    fn from(components: Vec<Component>) -> Self {
        TextOp::from_components(components)
    }
}

impl Serialize for TextOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.components.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for TextOp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let components = Vec::<Component>::deserialize(d)?;
        Ok(TextOp::from_components(components))
    }
}
