//! Shapes: their kind, properties, text and group membership.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::{GroupId, ShapeId};
use super::property::PropertyValue;
use crate::text::TextDocument;

/// The kind of figure a shape draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeKind {
    /// A rectangle.
    Rectangle,
    /// An ellipse.
    Ellipse,
    /// A diamond (a rhombus).
    Diamond,
    /// A polyline through `points`.
    Line,
    /// A polyline with arrowheads, whose ends may be bound to shapes.
    Arrow,
    /// A freehand stroke through `points`.
    FreeDrawing,
    /// A text box.
    Text,
    /// A sticky note: a colored box with text.
    StickyNote,
    /// An image, referenced by `fileId`.
    Image,
    /// A frame that other shapes belong to.
    Frame,
}

impl ShapeKind {
    /// Every kind, in declaration order.
    pub const ALL: [ShapeKind; 10] = [
        ShapeKind::Rectangle,
        ShapeKind::Ellipse,
        ShapeKind::Diamond,
        ShapeKind::Line,
        ShapeKind::Arrow,
        ShapeKind::FreeDrawing,
        ShapeKind::Text,
        ShapeKind::StickyNote,
        ShapeKind::Image,
        ShapeKind::Frame,
    ];

    /// Returns the name used in JSON, such as `sticky_note`.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Rectangle => "rectangle",
            ShapeKind::Ellipse => "ellipse",
            ShapeKind::Diamond => "diamond",
            ShapeKind::Line => "line",
            ShapeKind::Arrow => "arrow",
            ShapeKind::FreeDrawing => "free_drawing",
            ShapeKind::Text => "text",
            ShapeKind::StickyNote => "sticky_note",
            ShapeKind::Image => "image",
            ShapeKind::Frame => "frame",
        }
    }
}

impl fmt::Display for ShapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A shape's content, without its id and its place in the z-order, which
/// the board keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// The kind of figure the shape draws.
    pub kind: ShapeKind,
    /// Typed properties by key, such as `x`, `strokeColor` or `points`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub props: BTreeMap<String, PropertyValue>,
    /// The shape's text, edited with text operations, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextDocument>,
    /// The groups the shape belongs to, innermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupId>,
}

impl Shape {
    /// Returns a shape of `kind` with no properties, text or groups.
    pub fn new(kind: ShapeKind) -> Self {
        Shape {
            kind,
            props: BTreeMap::new(),
            text: None,
            groups: Vec::new(),
        }
    }

    /// Returns the shape with the property `key` set to `value`.
    pub fn with(mut self, key: &str, value: PropertyValue) -> Self {
        self.props.insert(key.to_owned(), value);
        self
    }

    /// Returns the shape with the number property `key` set to `value`.
    pub fn with_number(self, key: &str, value: f64) -> Self {
        self.with(key, PropertyValue::Number(value))
    }

    /// Returns the shape with `text`.
    pub fn with_text(mut self, text: &str) -> Self {
        self.text = Some(TextDocument::from(text));
        self
    }

    /// Returns the property `key`, if set.
    pub fn prop(&self, key: &str) -> Option<&PropertyValue> {
        self.props.get(key)
    }

    /// Returns the number property `key`, if set to a number.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.props.get(key).and_then(PropertyValue::as_number)
    }

    /// Returns the frame the shape belongs to: its `frame` property.
    pub fn frame(&self) -> Option<ShapeId> {
        match self.props.get("frame") {
            Some(PropertyValue::Shape(id)) => Some(*id),
            _ => None,
        }
    }

    /// Iterates over the shapes that the properties refer to, with the key.
    pub fn references(&self) -> impl Iterator<Item = (&str, ShapeId)> {
        self.props
            .iter()
            .filter_map(|(key, value)| Some((key.as_str(), value.referenced_shape()?)))
    }
}
