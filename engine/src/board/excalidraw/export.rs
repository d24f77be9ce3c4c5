//! Export of boards as Excalidraw scenes.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::board::{Board, PropertyValue, Shape, ShapeId, ShapeKind};
use crate::invariant::expect_ok;

/// The digits of fractional indices, in ASCII order.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Returns the `position`-th key of a sequence of fractional indices in
/// the format Excalidraw uses (the `fractional-indexing` package): integer
/// keys `a0` to `az`, then `b00` to `bzz`, and so on, which sort as
/// strings in position order.
pub fn fractional_index(position: usize) -> String {
    let mut rest = position as u128;
    let mut digits = 1u32;
    while rest >= 62u128.pow(digits) {
        rest -= 62u128.pow(digits);
        digits += 1;
    }
    let mut key = vec![b'a' + (digits - 1) as u8];
    let mut tail = Vec::with_capacity(digits as usize);
    for _ in 0..digits {
        tail.push(DIGITS[(rest % 62) as usize]);
        rest /= 62;
    }
    tail.reverse();
    key.extend(tail);
    expect_ok(String::from_utf8(key), "fractional index digits are ASCII")
}

/// Returns the Excalidraw scene of a board: one element per shape, bottom
/// to top, and two for a sticky note (a rectangle and its text).
/// O((n + r) log n) for n shapes and r references between them.
pub fn export_scene(board: &Board) -> Value {
    let ids = ElementIds::new(board);
    let mut elements = Vec::with_capacity(board.len());
    for (id, shape) in board.iter() {
        let element_id = ids.of(id);
        let mut element = element(board, id, shape, &ids);
        if shape.kind == ShapeKind::StickyNote {
            let text_id = format!("{element_id}_text");
            let bound = object(vec![
                ("type", "text".into()),
                ("id", text_id.as_str().into()),
            ]);
            let mut note = element;
            let old = note.insert("boundElements".into(), Value::Null);
            let mut all = match old {
                Some(Value::Array(all)) => all,
                _ => Vec::new(),
            };
            all.push(Value::Object(bound));
            note.insert("boundElements".into(), Value::Array(all));
            elements.push(Value::Object(note));
            element = note_text(element_id, &text_id, shape);
        }
        elements.push(Value::Object(element));
    }
    for (position, element) in elements.iter_mut().enumerate() {
        element["index"] = Value::String(fractional_index(position));
    }
    let app_state = object(vec![
        ("viewBackgroundColor", "#ffffff".into()),
        ("gridSize", Value::Null),
    ]);
    Value::Object(object(vec![
        ("type", "excalidraw".into()),
        ("version", 2.into()),
        ("source", "echostream".into()),
        ("elements", Value::Array(elements)),
        ("appState", Value::Object(app_state)),
        ("files", Value::Object(Map::new())),
    ]))
}

/// Builds a JSON object from its fields. An element has about thirty, and
/// `json!` expands to a conversion and an insert for each, so this one
/// loop saves about 4 KB of WebAssembly code.
fn object(fields: Vec<(&str, Value)>) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    map
}

/// Returns a JSON array of two numbers, the form of a point.
fn pair(x: f64, y: f64) -> Value {
    Value::Array(vec![num(x), num(y)])
}

/// The element id of each shape: its `excalidrawId` when that is set and
/// unique on the board, else its own id.
///
/// Kept by z-order position rather than in a map by shape id, which would
/// add one more hash map type to the WebAssembly module.
struct ElementIds<'a> {
    board: &'a Board,
    by_position: Vec<String>,
}

impl<'a> ElementIds<'a> {
    fn new(board: &'a Board) -> Self {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut by_position = Vec::with_capacity(board.len());
        for (id, shape) in board.iter() {
            let element_id = match shape.prop("excalidrawId") {
                Some(PropertyValue::String(s)) if !s.is_empty() && seen.insert(s) => s.clone(),
                _ => id.to_string(),
            };
            by_position.push(element_id);
        }
        ElementIds { board, by_position }
    }

    /// Returns the element id of shape `id`, which must be on the board.
    /// O(log n) in the shapes.
    fn of(&self, id: ShapeId) -> &str {
        let position = self
            .board
            .position(id)
            .expect("references name live shapes");
        &self.by_position[position]
    }
}

fn type_name(kind: ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Rectangle | ShapeKind::StickyNote => "rectangle",
        ShapeKind::Ellipse => "ellipse",
        ShapeKind::Diamond => "diamond",
        ShapeKind::Line => "line",
        ShapeKind::Arrow => "arrow",
        ShapeKind::FreeDrawing => "freedraw",
        ShapeKind::Text => "text",
        ShapeKind::Image => "image",
        ShapeKind::Frame => "frame",
    }
}

/// Returns a JSON number, written as an integer when it is one, as
/// Excalidraw writes most of its numbers.
fn num(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

fn number(shape: &Shape, key: &str, default: f64) -> Value {
    num(shape.number(key).unwrap_or(default))
}

fn string(shape: &Shape, key: &str, default: &str) -> Value {
    match shape.prop(key).and_then(PropertyValue::as_str) {
        Some(s) => s.into(),
        None => default.into(),
    }
}

fn string_or_null(shape: &Shape, key: &str) -> Value {
    match shape.prop(key).and_then(PropertyValue::as_str) {
        Some(s) => s.into(),
        None => Value::Null,
    }
}

fn boolean(shape: &Shape, key: &str, default: bool) -> Value {
    match shape.prop(key) {
        Some(PropertyValue::Bool(b)) => Value::Bool(*b),
        _ => Value::Bool(default),
    }
}

fn reference(shape: &Shape, key: &str, ids: &ElementIds) -> Value {
    match shape.prop(key) {
        Some(PropertyValue::Shape(target)) => ids.of(*target).into(),
        _ => Value::Null,
    }
}

fn binding(shape: &Shape, key: &str, ids: &ElementIds) -> Value {
    let Some(PropertyValue::Binding(binding)) = shape.prop(key) else {
        return Value::Null;
    };
    let mut out = object(vec![
        ("elementId", ids.of(binding.shape).into()),
        ("focus", num(binding.focus)),
        ("gap", num(binding.gap)),
    ]);
    if let Some(point) = binding.fixed_point {
        out.insert("fixedPoint".into(), pair(point.0, point.1));
    }
    Value::Object(out)
}

/// Returns the fields every element has.
fn element(board: &Board, id: ShapeId, shape: &Shape, ids: &ElementIds) -> Map<String, Value> {
    let roundness = match shape.number("roundness") {
        Some(kind) => match shape.number("roundnessValue") {
            Some(value) => Value::Object(object(vec![("type", num(kind)), ("value", num(value))])),
            None => Value::Object(object(vec![("type", num(kind))])),
        },
        None => Value::Null,
    };
    let seed = shape
        .number("seed")
        .unwrap_or((id.0 as u32 & 0x7fff_ffff) as f64);
    let groups = group_ids(shape);
    // An arrow bound at both ends to one shape is listed once. A shape has
    // few bound elements, so a linear search finds the repeats.
    let mut listed: Vec<(&str, ShapeId)> = Vec::new();
    for (by, key) in board.referrers(id) {
        let kind = match key.as_str() {
            "container" => "text",
            "startBinding" | "endBinding" => "arrow",
            _ => continue,
        };
        if !listed.contains(&(kind, by)) {
            listed.push((kind, by));
        }
    }
    let bound_unique: Vec<Value> = listed
        .iter()
        .map(|&(kind, by)| {
            Value::Object(object(vec![
                ("type", kind.into()),
                ("id", ids.of(by).into()),
            ]))
        })
        .collect();

    let mut element = object(vec![
        ("id", ids.of(id).into()),
        ("type", type_name(shape.kind).into()),
        ("x", number(shape, "x", 0.0)),
        ("y", number(shape, "y", 0.0)),
        ("width", number(shape, "width", 0.0)),
        ("height", number(shape, "height", 0.0)),
        ("angle", number(shape, "angle", 0.0)),
        ("strokeColor", string(shape, "strokeColor", "#1e1e1e")),
        (
            "backgroundColor",
            string(shape, "backgroundColor", "transparent"),
        ),
        ("fillStyle", string(shape, "fillStyle", "solid")),
        ("strokeWidth", number(shape, "strokeWidth", 2.0)),
        ("strokeStyle", string(shape, "strokeStyle", "solid")),
        ("roughness", number(shape, "roughness", 1.0)),
        ("opacity", number(shape, "opacity", 100.0)),
        ("groupIds", groups),
        ("frameId", reference(shape, "frame", ids)),
        ("roundness", roundness),
        ("seed", num(seed)),
        ("version", 1.into()),
        ("versionNonce", 0.into()),
        ("isDeleted", false.into()),
        ("boundElements", Value::Array(bound_unique)),
        ("updated", 1.into()),
        ("link", string_or_null(shape, "link")),
        ("locked", boolean(shape, "locked", false)),
    ]);
    add_kind_fields(&mut element, shape, ids);
    element
}

/// Returns the shape's group ids as a JSON array of strings.
fn group_ids(shape: &Shape) -> Value {
    let ids = shape.groups.iter().map(|group| group.to_string().into());
    Value::Array(ids.collect())
}

/// Adds the fields of the element's type.
fn add_kind_fields(element: &mut Map<String, Value>, shape: &Shape, ids: &ElementIds) {
    let points = match shape.prop("points") {
        Some(PropertyValue::Points(points)) => points.iter().map(|p| pair(p.0, p.1)).collect(),
        _ => vec![pair(0.0, 0.0)],
    };
    match shape.kind {
        ShapeKind::Line | ShapeKind::Arrow => {
            element.insert("points".into(), Value::Array(points));
            element.insert("lastCommittedPoint".into(), Value::Null);
            element.insert("startBinding".into(), binding(shape, "startBinding", ids));
            element.insert("endBinding".into(), binding(shape, "endBinding", ids));
            element.insert(
                "startArrowhead".into(),
                string_or_null(shape, "startArrowhead"),
            );
            element.insert("endArrowhead".into(), string_or_null(shape, "endArrowhead"));
            if shape.kind == ShapeKind::Arrow {
                element.insert("elbowed".into(), boolean(shape, "elbowed", false));
            } else {
                element.insert("polygon".into(), boolean(shape, "polygon", false));
            }
        }
        ShapeKind::FreeDrawing => {
            element.insert("points".into(), Value::Array(points));
            element.insert("pressures".into(), Value::Array(Vec::new()));
            element.insert(
                "simulatePressure".into(),
                boolean(shape, "simulatePressure", true),
            );
            element.insert("lastCommittedPoint".into(), Value::Null);
        }
        ShapeKind::Text => {
            let text = shape
                .text
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let shown = match shape.prop("wrappedText").and_then(PropertyValue::as_str) {
                // The wrapped text is only kept while it still wraps the
                // same words, that is before any later edit of the text.
                Some(wrapped) if same_words(wrapped, &text) => wrapped.to_owned(),
                _ => text.clone(),
            };
            element.insert("text".into(), shown.into());
            element.insert("originalText".into(), text.into());
            element.insert("fontSize".into(), number(shape, "fontSize", 20.0));
            element.insert("fontFamily".into(), number(shape, "fontFamily", 1.0));
            element.insert("textAlign".into(), string(shape, "textAlign", "left"));
            element.insert(
                "verticalAlign".into(),
                string(shape, "verticalAlign", "top"),
            );
            element.insert("containerId".into(), reference(shape, "container", ids));
            element.insert("lineHeight".into(), number(shape, "lineHeight", 1.25));
            element.insert("autoResize".into(), boolean(shape, "autoResize", true));
            if let Some(baseline) = shape.number("baseline") {
                element.insert("baseline".into(), num(baseline));
            }
        }
        ShapeKind::Image => {
            element.insert("fileId".into(), string_or_null(shape, "fileId"));
            element.insert("status".into(), string(shape, "status", "saved"));
            element.insert("scale".into(), Value::Array(vec![1.into(), 1.into()]));
        }
        ShapeKind::Frame => {
            element.insert("name".into(), string_or_null(shape, "name"));
        }
        ShapeKind::Rectangle | ShapeKind::Ellipse | ShapeKind::Diamond | ShapeKind::StickyNote => {}
    }
}

/// Returns true if `wrapped` is `text` with only line breaks and spaces
/// changed, as wrapping to a container width does.
fn same_words(wrapped: &str, text: &str) -> bool {
    wrapped.split_whitespace().eq(text.split_whitespace())
}

/// Returns the text element that carries a sticky note's text, bound to
/// the note's rectangle.
fn note_text(note_id: &str, text_id: &str, shape: &Shape) -> Map<String, Value> {
    let x = shape.number("x").unwrap_or(0.0);
    let y = shape.number("y").unwrap_or(0.0);
    let width = shape.number("width").unwrap_or(200.0);
    let font_size = shape.number("fontSize").unwrap_or(20.0);
    let text = shape
        .text
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let lines = text.lines().count().max(1) as f64;
    object(vec![
        ("id", text_id.into()),
        ("type", "text".into()),
        ("x", num(x + 10.0)),
        ("y", num(y + 10.0)),
        ("width", num((width - 20.0).max(0.0))),
        ("height", num(lines * font_size * 1.25)),
        ("angle", 0.into()),
        ("strokeColor", string(shape, "strokeColor", "#1e1e1e")),
        ("backgroundColor", "transparent".into()),
        ("fillStyle", "solid".into()),
        ("strokeWidth", 2.into()),
        ("strokeStyle", "solid".into()),
        ("roughness", 1.into()),
        ("opacity", 100.into()),
        ("groupIds", group_ids(shape)),
        ("frameId", Value::Null),
        ("roundness", Value::Null),
        ("seed", 1.into()),
        ("version", 1.into()),
        ("versionNonce", 0.into()),
        ("isDeleted", false.into()),
        ("boundElements", Value::Array(Vec::new())),
        ("updated", 1.into()),
        ("link", Value::Null),
        ("locked", false.into()),
        ("text", text.as_str().into()),
        ("originalText", text.into()),
        ("fontSize", num(font_size)),
        ("fontFamily", 1.into()),
        ("textAlign", "center".into()),
        ("verticalAlign", "middle".into()),
        ("containerId", note_id.into()),
        ("lineHeight", 1.25.into()),
        ("autoResize", true.into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::fractional_index;

    #[test]
    fn fractional_indices_sort_in_order() {
        assert_eq!(fractional_index(0), "a0");
        assert_eq!(fractional_index(61), "az");
        assert_eq!(fractional_index(62), "b00");
        assert_eq!(fractional_index(62 + 3843), "bzz");
        assert_eq!(fractional_index(62 + 3844), "c000");
        let keys: Vec<String> = (0..5000).map(fractional_index).collect();
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
