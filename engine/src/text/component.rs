//! The components of a text operation and their JSON form.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::json::json_text;

/// One step of a text operation, read left to right over the document.
///
/// All lengths count Unicode scalar values (code points).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// Keeps the next `n` code points.
    Retain(usize),
    /// Inserts a string at the current position.
    Insert(String),
    /// Deletes the next `n` code points.
    Delete(usize),
    /// Deletes the next code points, which must equal this text. Carrying
    /// the text makes the operation invertible without the document.
    DeleteText(String),
}

/// The kind of a [`Component`], without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Retain,
    Insert,
    Delete,
}

impl Component {
    /// Returns the length in code points: the count for a retain or a
    /// delete, the length of the text otherwise. O(k) in the text length.
    pub fn len(&self) -> usize {
        match self {
            Component::Retain(n) | Component::Delete(n) => *n,
            Component::Insert(text) | Component::DeleteText(text) => text.chars().count(),
        }
    }

    /// Returns true if the component has no effect.
    pub fn is_empty(&self) -> bool {
        match self {
            Component::Retain(n) | Component::Delete(n) => *n == 0,
            Component::Insert(text) | Component::DeleteText(text) => text.is_empty(),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Component::Retain(_) => Kind::Retain,
            Component::Insert(_) => Kind::Insert,
            Component::Delete(_) | Component::DeleteText(_) => Kind::Delete,
        }
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Component::Retain(n) => s.serialize_u64(*n as u64),
            Component::Insert(text) => s.serialize_str(text),
            Component::Delete(n) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("d", n)?;
                map.end()
            }
            Component::DeleteText(text) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("d", text)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Component {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        component_from_value(&value).map_err(D::Error::custom)
    }
}

/// Converts one JSON value of the text-unicode form into a component, or
/// returns a message that names the value.
fn component_from_value(value: &Value) -> Result<Component, String> {
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(n) => to_len(n).map(Component::Retain),
            None => Err(format!(
                "invalid retain {n}: expected a non-negative integer"
            )),
        },
        Value::String(text) => Ok(Component::Insert(text.clone())),
        Value::Object(map) if map.len() == 1 && map.contains_key("d") => match &map["d"] {
            Value::Number(n) => match n.as_u64() {
                Some(n) => to_len(n).map(Component::Delete),
                None => Err(format!(
                    "invalid delete {n}: expected a non-negative integer"
                )),
            },
            Value::String(text) => Ok(Component::DeleteText(text.clone())),
            other => Err(format!(
                "invalid delete {}: expected a count or a string",
                json_text(other)
            )),
        },
        other => Err(format!(
            "invalid text operation component {}: expected a number \
             (retain), a string (insert) or {{\"d\": count or string}} \
             (delete)",
            json_text(other)
        )),
    }
}

fn to_len(n: u64) -> Result<usize, String> {
    usize::try_from(n).map_err(|_| format!("length {n} exceeds the maximum {}", usize::MAX))
}
