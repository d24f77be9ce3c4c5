//! Typed shape properties, their JSON form and their validation.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::ShapeId;
use crate::invariant::expect_ok;

/// The spacing, in px, of the grid that `x`, `y` and translation deltas
/// lie on: 1/65536 px.
///
/// Floating-point addition is not associative, so two replicas that add
/// the same concurrent translations in different orders could end one
/// unit in the last place apart. Sums of multiples of 2^-16 below 2^37
/// are exact in an `f64`, so on this grid every order gives the same bits.
pub const GRID: f64 = 1.0 / 65536.0;

/// The maximum magnitude of `x`, `y` and of a translation delta, in px:
/// 2^36, so that the sum of two such values is still exact.
pub const MAX_COORDINATE: f64 = 68_719_476_736.0;

/// The maximum length of a string, color or link value, in bytes.
pub const MAX_STRING_LEN: usize = 1 << 20;

/// The maximum number of points in a point list.
pub const MAX_POINTS: usize = 1 << 20;

/// The maximum length of a property key, in bytes.
pub const MAX_KEY_LEN: usize = 64;

/// Rounds a coordinate or delta in px to the nearest point of the [`GRID`].
/// The error is at most 2^-17 px. A value that rounds to zero gives +0.0,
/// never -0.0, so that JSON written by Rust (`-0.0`) and by JavaScript
/// (`0`) agree.
pub fn snap_to_grid(value: f64) -> f64 {
    let snapped = (value * 65536.0).round() / 65536.0;
    if snapped == 0.0 {
        0.0
    } else {
        snapped
    }
}

/// Returns true if `value` is finite, on the [`GRID`] and at most
/// [`MAX_COORDINATE`] in magnitude.
pub fn is_on_grid(value: f64) -> bool {
    value.is_finite() && value.abs() <= MAX_COORDINATE && (value * 65536.0).fract() == 0.0
}

/// A point of a line, arrow or free drawing, in px relative to the
/// shape's `x` and `y`. Its JSON form is `[x, y]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point(pub f64, pub f64);

/// The attachment of an arrow end to a shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Binding {
    /// The shape the arrow end is attached to.
    pub shape: ShapeId,
    /// The point along the shape that the arrow aims at, from -1 to 1, as
    /// in Excalidraw.
    pub focus: f64,
    /// The distance in px between the arrow end and the shape.
    pub gap: f64,
    /// For elbow arrows, the attachment point as a fraction of the shape's
    /// width and height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_point: Option<Point>,
}

/// A property value. The JSON form names the type:
/// `{"number": 2}`, `{"color": "#1e1e1e"}`, `{"points": [[0, 0], [10, 5]]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyValue {
    /// A finite number.
    Number(f64),
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// A CSS color, such as `#1e1e1e` or `transparent`.
    Color(String),
    /// A list of points.
    Points(Vec<Point>),
    /// The attachment of an arrow end to a shape.
    Binding(Binding),
    /// A link: a URL, or a reference that the client resolves.
    Link(String),
    /// A reference to another shape, such as the frame a shape belongs to.
    Shape(ShapeId),
}

/// The type of a [`PropertyValue`], without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PropertyType {
    /// [`PropertyValue::Number`].
    Number,
    /// [`PropertyValue::String`].
    String,
    /// [`PropertyValue::Bool`].
    Bool,
    /// [`PropertyValue::Color`].
    Color,
    /// [`PropertyValue::Points`].
    Points,
    /// [`PropertyValue::Binding`].
    Binding,
    /// [`PropertyValue::Link`].
    Link,
    /// [`PropertyValue::Shape`].
    Shape,
}

impl fmt::Display for PropertyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            PropertyType::Number => "number",
            PropertyType::String => "string",
            PropertyType::Bool => "bool",
            PropertyType::Color => "color",
            PropertyType::Points => "points",
            PropertyType::Binding => "binding",
            PropertyType::Link => "link",
            PropertyType::Shape => "shape",
        };
        f.write_str(name)
    }
}

impl PropertyValue {
    /// Returns the type of the value.
    pub fn property_type(&self) -> PropertyType {
        match self {
            PropertyValue::Number(_) => PropertyType::Number,
            PropertyValue::String(_) => PropertyType::String,
            PropertyValue::Bool(_) => PropertyType::Bool,
            PropertyValue::Color(_) => PropertyType::Color,
            PropertyValue::Points(_) => PropertyType::Points,
            PropertyValue::Binding(_) => PropertyType::Binding,
            PropertyValue::Link(_) => PropertyType::Link,
            PropertyValue::Shape(_) => PropertyType::Shape,
        }
    }

    /// Returns the shape this value refers to, for a binding or a shape
    /// reference.
    pub fn referenced_shape(&self) -> Option<ShapeId> {
        match self {
            PropertyValue::Binding(binding) => Some(binding.shape),
            PropertyValue::Shape(id) => Some(*id),
            _ => None,
        }
    }

    /// Returns the number, if the value is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            PropertyValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Returns the string of a string, color or link value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropertyValue::String(s) | PropertyValue::Color(s) | PropertyValue::Link(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for PropertyValue {
    /// Writes the JSON form, so that error messages show the value as it
    /// was sent.
    /// serde_json writes a non-finite number as null, so such a number is
    /// written by hand, as `{"number":NaN}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let PropertyValue::Number(n) = self {
            if !n.is_finite() {
                return write!(f, "{{\"number\":{n}}}");
            }
        }
        let json = expect_ok(
            serde_json::to_string(self),
            "a property value encodes as JSON",
        );
        f.write_str(&json)
    }
}

/// Returns the type that the property `key` must have, or `None` when the
/// board has no type for the key, in which case any type is accepted.
///
/// The names follow Excalidraw's element fields, so that scenes map onto
/// boards one to one.
pub fn expected_type(key: &str) -> Option<PropertyType> {
    let expected = match key {
        "x" | "y" | "width" | "height" | "angle" | "strokeWidth" | "roughness" | "opacity"
        | "seed" | "fontSize" | "fontFamily" | "lineHeight" | "baseline" | "roundness"
        | "roundnessValue" => PropertyType::Number,
        "strokeColor" | "backgroundColor" => PropertyType::Color,
        "fillStyle" | "strokeStyle" | "textAlign" | "verticalAlign" | "startArrowhead"
        | "endArrowhead" | "name" | "fileId" | "status" | "excalidrawId" | "wrappedText" => {
            PropertyType::String
        }
        "locked" | "autoResize" | "elbowed" | "polygon" => PropertyType::Bool,
        "points" => PropertyType::Points,
        "startBinding" | "endBinding" => PropertyType::Binding,
        "link" => PropertyType::Link,
        "frame" | "container" => PropertyType::Shape,
        _ => return None,
    };
    Some(expected)
}

/// Returns true if `key` is translated by [`Change::Translate`]: `x` or `y`.
///
/// [`Change::Translate`]: super::Change::Translate
pub fn is_coordinate(key: &str) -> bool {
    key == "x" || key == "y"
}

/// Checks a property key, returning why it is invalid.
pub(crate) fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(format!("keys are 1 to {MAX_KEY_LEN} bytes long"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if !key.chars().all(allowed) {
        return Err("keys contain only ASCII letters, digits, '_', '-' and '.'".into());
    }
    // Assigning `__proto__` on a plain JavaScript object sets its
    // prototype, so a JavaScript client would drop the property from the
    // shape and from the operations it sends on.
    if key == "__proto__" {
        return Err(
            "the key __proto__ is reserved: JavaScript objects do not keep it as a property".into(),
        );
    }
    Ok(())
}

/// Checks a value for `key` apart from its type, returning why it is
/// invalid.
pub(crate) fn check_value(key: &str, value: &PropertyValue) -> Result<(), String> {
    let finite = |n: f64, what: &str| {
        if n.is_finite() {
            Ok(())
        } else {
            Err(format!("{what} must be a finite number"))
        }
    };
    match value {
        PropertyValue::Number(n) if is_coordinate(key) => {
            if is_on_grid(*n) {
                Ok(())
            } else {
                Err(format!(
                    "coordinates must be finite multiples of 1/65536 px of at most \
                     {MAX_COORDINATE} px; snap_to_grid rounds them"
                ))
            }
        }
        PropertyValue::Number(n) => finite(*n, "the value"),
        PropertyValue::Bool(_) | PropertyValue::Shape(_) => Ok(()),
        PropertyValue::String(s) | PropertyValue::Link(s) => {
            if s.len() > MAX_STRING_LEN {
                Err(format!("strings are at most {MAX_STRING_LEN} bytes long"))
            } else {
                Ok(())
            }
        }
        PropertyValue::Color(s) => {
            let printable = s.chars().all(|c| c == ' ' || c.is_ascii_graphic());
            if s.is_empty() || s.len() > 64 || !printable {
                Err("colors are 1 to 64 printable ASCII characters".into())
            } else {
                Ok(())
            }
        }
        PropertyValue::Points(points) => {
            if points.len() > MAX_POINTS {
                return Err(format!("point lists hold at most {MAX_POINTS} points"));
            }
            for point in points {
                finite(point.0, "every point coordinate")?;
                finite(point.1, "every point coordinate")?;
            }
            Ok(())
        }
        PropertyValue::Binding(binding) => {
            finite(binding.focus, "the focus")?;
            finite(binding.gap, "the gap")?;
            if let Some(point) = binding.fixed_point {
                finite(point.0, "the fixed point")?;
                finite(point.1, "the fixed point")?;
            }
            Ok(())
        }
    }
}
