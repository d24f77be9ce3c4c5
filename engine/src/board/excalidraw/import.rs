//! Import of Excalidraw scenes and libraries as board operations.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::ExcalidrawError;
use crate::board::{
    snap_to_grid, Binding, Board, BoardError, BoardOp, Change, GroupId, Point, PropertyValue,
    Shape, ShapeId, ShapeKind,
};
use crate::json::json_text;
use crate::text::TextDocument;

/// An imported file: the operations that build the board, and what was
/// left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// One create per element, bottom to top, then one operation that sets
    /// every reference between shapes (bindings, containers, frames), if
    /// there are any. Replayed in order on an empty board, they build the
    /// scene.
    pub ops: Vec<BoardOp>,
    /// Elements that were not imported, in file order.
    pub skipped: Vec<Skipped>,
    /// References that name no imported element, in file order.
    pub dropped: Vec<DroppedReference>,
}

/// An element that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The element's id.
    pub id: String,
    /// The element's type.
    pub element_type: String,
    /// The reason it was skipped.
    pub reason: String,
}

/// A reference that names no imported element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedReference {
    /// The id of the element that holds the reference.
    pub element: String,
    /// The field: `frameId`, `containerId`, `startBinding` or
    /// `endBinding`.
    pub field: String,
    /// The id it names.
    pub target: String,
}

impl Import {
    /// Returns the number of shapes the import creates.
    pub fn shape_count(&self) -> usize {
        self.ops
            .iter()
            .flat_map(|op| &op.changes)
            .filter(|change| matches!(change, Change::Create { .. }))
            .count()
    }

    /// Replays the operations on an empty board. O(n log n) in the shapes.
    pub fn to_board(&self) -> Result<Board, BoardError> {
        let mut board = Board::new();
        for op in &self.ops {
            board.apply(op)?;
        }
        Ok(board)
    }

    /// Returns the operations as one operation that adds the scene on top
    /// of `board`: the creates, with z-order positions above the board's
    /// shapes, then the references. It applies to `board` and, like any
    /// operation, transforms against concurrent edits. O(n) in the
    /// imported shapes.
    pub fn to_op_on(&self, board: &Board) -> BoardOp {
        let base = board.len();
        let mut op = BoardOp::new();
        for change in self.ops.iter().flat_map(|op| &op.changes) {
            let change = match change {
                Change::Create { id, shape, z } => Change::Create {
                    id: *id,
                    shape: shape.clone(),
                    z: base + z,
                },
                other => other.clone(),
            };
            op.push(change);
        }
        op
    }
}

/// Parses an Excalidraw scene (`.excalidraw`) or library
/// (`.excalidrawlib`) and imports it. O(n log n) in the elements.
pub fn import(json: &str) -> Result<Import, ExcalidrawError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| ExcalidrawError::Json(e.to_string()))?;
    import_value(&value)
}

/// Imports a parsed Excalidraw scene or library. Shapes and groups get
/// new random ids. O(n log n) in the elements.
pub fn import_value(value: &Value) -> Result<Import, ExcalidrawError> {
    let elements = elements_of(value)?;
    let mut skipped = Vec::new();
    let mut kept: Vec<(usize, &Map<String, Value>, ShapeKind)> = Vec::new();
    let mut ids: HashMap<&str, ShapeId> = HashMap::new();

    for (position, element) in elements.iter().enumerate() {
        let Value::Object(element) = element else {
            return Err(invalid(
                &format!("#{position}"),
                "element",
                element,
                "an object",
            ));
        };
        let id = match element.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.as_str(),
            other => {
                let found = other.unwrap_or(&Value::Null);
                return Err(invalid(
                    &format!("#{position}"),
                    "id",
                    found,
                    "a non-empty string",
                ));
            }
        };
        let element_type = string_field(element, id, "type")?.unwrap_or_default();
        if bool_field(element, id, "isDeleted")? == Some(true) {
            skipped.push(skip(id, element_type, "deleted"));
            continue;
        }
        let Some(kind) = kind_of(element_type) else {
            skipped.push(skip(id, element_type, "the type has no board kind"));
            continue;
        };
        if ids.insert(id, ShapeId::random()).is_some() {
            return Err(ExcalidrawError::DuplicateId(id.to_owned()));
        }
        kept.push((position, element, kind));
    }

    // Every element has a fractional index, or the array order counts.
    let all_indexed = kept
        .iter()
        .all(|(_, element, _)| matches!(element.get("index"), Some(Value::String(_))));
    if all_indexed {
        // The file position breaks ties, so the order is total and an
        // unstable sort gives the same order as a stable one.
        kept.sort_unstable_by(|a, b| {
            let (key_a, key_b) = (a.1["index"].as_str(), b.1["index"].as_str());
            key_a.cmp(&key_b).then(a.0.cmp(&b.0))
        });
    }

    let frames: HashSet<&str> = kept
        .iter()
        .filter(|(_, _, kind)| *kind == ShapeKind::Frame)
        .filter_map(|(_, element, _)| element.get("id").and_then(Value::as_str))
        .collect();
    let mut groups: HashMap<&str, GroupId> = HashMap::new();
    let mut ops = Vec::with_capacity(kept.len() + 1);
    let mut references = BoardOp::new();
    let mut dropped = Vec::new();
    let scratch = Board::new();
    for (z, (_, element, kind)) in kept.iter().enumerate() {
        let source_id = element["id"].as_str().unwrap_or_default();
        let id = ids[source_id];
        let shape = convert(element, source_id, *kind, &mut groups)?;
        scratch
            .check_shape_content(id, &shape)
            .map_err(|source| ExcalidrawError::Board {
                element: source_id.to_owned(),
                source,
            })?;
        for (key, value) in links(element, source_id, &ids, &frames, &mut dropped)? {
            references.push(Change::Set {
                id,
                key: key.to_owned(),
                old: None,
                new: Some(value),
            });
        }
        ops.push(BoardOp::create(id, shape, z));
    }
    if !references.changes.is_empty() {
        ops.push(references);
    }
    Ok(Import {
        ops,
        skipped,
        dropped,
    })
}

/// Returns the element list of a scene, or the elements of every item of
/// a library one after the other.
fn elements_of(value: &Value) -> Result<Vec<&Value>, ExcalidrawError> {
    let not_excalidraw = || ExcalidrawError::NotExcalidraw {
        found: json_text(value.get("type").unwrap_or(&Value::Null)),
    };
    let array = |field: &str| -> Result<&Vec<Value>, ExcalidrawError> {
        match value.get(field) {
            Some(Value::Array(items)) => Ok(items),
            other => Err(invalid(
                "file",
                field,
                other.unwrap_or(&Value::Null),
                "an array",
            )),
        }
    };
    match value.get("type").and_then(Value::as_str) {
        Some("excalidraw") => Ok(array("elements")?.iter().collect()),
        Some("excalidrawlib") => {
            let mut elements = Vec::new();
            // Version 2 lists items with their elements; version 1 lists
            // the element arrays themselves.
            let (items, field) = match value.get("libraryItems") {
                Some(_) => (array("libraryItems")?, "elements"),
                None => (array("library")?, ""),
            };
            for item in items {
                let list = if field.is_empty() {
                    Some(item)
                } else {
                    item.get(field)
                };
                match list {
                    Some(Value::Array(list)) => elements.extend(list),
                    other => {
                        let found = other.unwrap_or(&Value::Null);
                        return Err(invalid("library item", "elements", found, "an array"));
                    }
                }
            }
            Ok(elements)
        }
        _ => Err(not_excalidraw()),
    }
}

fn kind_of(element_type: &str) -> Option<ShapeKind> {
    let kind = match element_type {
        "rectangle" => ShapeKind::Rectangle,
        "ellipse" => ShapeKind::Ellipse,
        "diamond" => ShapeKind::Diamond,
        "line" => ShapeKind::Line,
        "arrow" => ShapeKind::Arrow,
        "freedraw" => ShapeKind::FreeDrawing,
        "text" => ShapeKind::Text,
        "image" => ShapeKind::Image,
        "frame" | "magicframe" => ShapeKind::Frame,
        _ => return None,
    };
    Some(kind)
}

fn skip(id: &str, element_type: &str, reason: &str) -> Skipped {
    Skipped {
        id: id.to_owned(),
        element_type: element_type.to_owned(),
        reason: reason.to_owned(),
    }
}

fn invalid(element: &str, field: &str, value: &Value, expected: &str) -> ExcalidrawError {
    let mut shown = json_text(value);
    if shown.len() > 80 {
        let end = (0..=80)
            .rev()
            .find(|&i| shown.is_char_boundary(i))
            .unwrap_or(0);
        shown.truncate(end);
        shown.push_str("...");
    }
    ExcalidrawError::InvalidField {
        element: element.to_owned(),
        field: field.to_owned(),
        value: shown,
        expected: expected.to_owned(),
    }
}

type Element = Map<String, Value>;

fn number_field(element: &Element, id: &str, field: &str) -> Result<Option<f64>, ExcalidrawError> {
    match element.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(invalid(id, field, other, "a number")),
    }
}

fn string_field<'a>(
    element: &'a Element,
    id: &str,
    field: &str,
) -> Result<Option<&'a str>, ExcalidrawError> {
    match element.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(id, field, other, "a string")),
    }
}

fn bool_field(element: &Element, id: &str, field: &str) -> Result<Option<bool>, ExcalidrawError> {
    match element.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid(id, field, other, "a boolean")),
    }
}

fn point(value: &Value) -> Option<Point> {
    match value.as_array()?.as_slice() {
        [x, y] => Some(Point(x.as_f64()?, y.as_f64()?)),
        _ => None,
    }
}

fn points_field(
    element: &Element,
    id: &str,
    field: &str,
) -> Result<Option<Vec<Point>>, ExcalidrawError> {
    match element.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| point(item).ok_or_else(|| invalid(id, field, item, "[x, y] numbers")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(invalid(id, field, other, "a list of [x, y] points")),
    }
}

const NUMBERS: [&str; 13] = [
    "x",
    "y",
    "width",
    "height",
    "angle",
    "strokeWidth",
    "roughness",
    "opacity",
    "seed",
    "fontSize",
    "fontFamily",
    "lineHeight",
    "baseline",
];
const COLORS: [&str; 2] = ["strokeColor", "backgroundColor"];
const STRINGS: [&str; 9] = [
    "fillStyle",
    "strokeStyle",
    "textAlign",
    "verticalAlign",
    "startArrowhead",
    "endArrowhead",
    "name",
    "fileId",
    "status",
];
const BOOLS: [&str; 5] = [
    "locked",
    "autoResize",
    "elbowed",
    "polygon",
    "simulatePressure",
];

/// Converts an element's own fields, without its references, to a shape.
fn convert<'a>(
    element: &'a Element,
    id: &str,
    kind: ShapeKind,
    groups: &mut HashMap<&'a str, GroupId>,
) -> Result<Shape, ExcalidrawError> {
    let mut shape = Shape::new(kind);
    let props = &mut shape.props;
    props.insert("excalidrawId".into(), PropertyValue::String(id.to_owned()));

    for field in NUMBERS {
        if let Some(mut n) = number_field(element, id, field)? {
            if field == "x" || field == "y" {
                n = snap_to_grid(n);
            }
            props.insert(field.into(), PropertyValue::Number(n));
        }
    }
    for field in COLORS {
        if let Some(s) = string_field(element, id, field)? {
            props.insert(field.into(), PropertyValue::Color(s.to_owned()));
        }
    }
    for field in STRINGS {
        if let Some(s) = string_field(element, id, field)? {
            props.insert(field.into(), PropertyValue::String(s.to_owned()));
        }
    }
    for field in BOOLS {
        if let Some(b) = bool_field(element, id, field)? {
            props.insert(field.into(), PropertyValue::Bool(b));
        }
    }
    if let Some(points) = points_field(element, id, "points")? {
        props.insert("points".into(), PropertyValue::Points(points));
    }
    if let Some(link) = string_field(element, id, "link")? {
        props.insert("link".into(), PropertyValue::Link(link.to_owned()));
    }
    convert_roundness(element, id, kind, props)?;

    if kind == ShapeKind::Text {
        let text = string_field(element, id, "text")?.unwrap_or_default();
        let original = string_field(element, id, "originalText")?.unwrap_or(text);
        if text != original {
            props.insert("wrappedText".into(), PropertyValue::String(text.to_owned()));
        }
        shape.text = Some(TextDocument::from(original));
    }

    match element.get("groupIds") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for group in list {
                let Value::String(name) = group else {
                    return Err(invalid(id, "groupIds", group, "a list of strings"));
                };
                let group = *groups.entry(name).or_insert_with(GroupId::random);
                // A group list is short, so a linear search skips repeats.
                if !shape.groups.contains(&group) {
                    shape.groups.push(group);
                }
            }
        }
        Some(other) => return Err(invalid(id, "groupIds", other, "a list of strings")),
    }
    Ok(shape)
}

/// Converts `roundness`, or the older `strokeSharpness` as Excalidraw's
/// loader (`restoreElement`) does: "round" means the legacy algorithm (1)
/// for rectangles and images, and the proportional one (2) otherwise.
fn convert_roundness(
    element: &Element,
    id: &str,
    kind: ShapeKind,
    props: &mut std::collections::BTreeMap<String, PropertyValue>,
) -> Result<(), ExcalidrawError> {
    match element.get("roundness") {
        Some(Value::Object(roundness)) => {
            let Some(kind) = roundness.get("type").and_then(Value::as_f64) else {
                let value = Value::Object(roundness.clone());
                return Err(invalid(id, "roundness", &value, "{\"type\": number}"));
            };
            props.insert("roundness".into(), PropertyValue::Number(kind));
            match roundness.get("value") {
                None | Some(Value::Null) => {}
                Some(Value::Number(value)) => {
                    let value = value.as_f64().unwrap_or_default();
                    props.insert("roundnessValue".into(), PropertyValue::Number(value));
                }
                Some(other) => return Err(invalid(id, "roundness.value", other, "a number")),
            }
        }
        None | Some(Value::Null) => {
            if string_field(element, id, "strokeSharpness")? == Some("round") {
                let adaptive = matches!(kind, ShapeKind::Rectangle | ShapeKind::Image);
                let legacy = if adaptive { 1.0 } else { 2.0 };
                props.insert("roundness".into(), PropertyValue::Number(legacy));
            }
        }
        Some(other) => return Err(invalid(id, "roundness", other, "an object or null")),
    }
    Ok(())
}

/// Returns the element's references as properties, resolved to shape
/// ids, and records the ones that name no imported element.
fn links(
    element: &Element,
    id: &str,
    ids: &HashMap<&str, ShapeId>,
    frames: &HashSet<&str>,
    dropped: &mut Vec<DroppedReference>,
) -> Result<Vec<(&'static str, PropertyValue)>, ExcalidrawError> {
    let mut out = Vec::new();
    let resolve = |field: &str, target: &str, dropped: &mut Vec<DroppedReference>| {
        let found = ids.get(target).copied().filter(|_| target != id);
        if found.is_none() {
            dropped.push(DroppedReference {
                element: id.to_owned(),
                field: field.to_owned(),
                target: target.to_owned(),
            });
        }
        found
    };

    if let Some(frame) = string_field(element, id, "frameId")? {
        // A frame id that names a shape of another kind is dropped, like
        // a missing one, because a frame reference must name a frame.
        if !frames.contains(frame) {
            dropped.push(DroppedReference {
                element: id.to_owned(),
                field: "frameId".to_owned(),
                target: frame.to_owned(),
            });
        } else if let Some(shape) = resolve("frameId", frame, dropped) {
            out.push(("frame", PropertyValue::Shape(shape)));
        }
    }
    if let Some(container) = string_field(element, id, "containerId")? {
        if let Some(shape) = resolve("containerId", container, dropped) {
            out.push(("container", PropertyValue::Shape(shape)));
        }
    }
    for (field, key) in [
        ("startBinding", "startBinding"),
        ("endBinding", "endBinding"),
    ] {
        let binding = match element.get(field) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(binding)) => binding,
            Some(other) => return Err(invalid(id, field, other, "an object or null")),
        };
        let Some(target) = binding.get("elementId").and_then(Value::as_str) else {
            let value = Value::Object(binding.clone());
            return Err(invalid(id, field, &value, "{\"elementId\": string}"));
        };
        // The fields are checked before the target is looked up, so that a
        // binding of the wrong form is an error also when it is dropped.
        let focus = binding_number(binding, id, field, "focus")?;
        let gap = binding_number(binding, id, field, "gap")?;
        let fixed_point = match binding.get("fixedPoint") {
            None | Some(Value::Null) => None,
            Some(value) => match point(value) {
                Some(point) => Some(point),
                None => {
                    let name = format!("{field}.fixedPoint");
                    return Err(invalid(id, &name, value, "[x, y] numbers"));
                }
            },
        };
        if let Some(shape) = resolve(field, target, dropped) {
            out.push((
                key,
                PropertyValue::Binding(Binding {
                    shape,
                    focus,
                    gap,
                    fixed_point,
                }),
            ));
        }
    }
    Ok(out)
}

/// Reads the number `name` of a binding object: 0 when it is absent or
/// null, an error when it is not a number.
fn binding_number(
    binding: &Map<String, Value>,
    id: &str,
    field: &str,
    name: &str,
) -> Result<f64, ExcalidrawError> {
    match binding.get(name) {
        None | Some(Value::Null) => Ok(0.0),
        Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or_default()),
        Some(other) => Err(invalid(id, &format!("{field}.{name}"), other, "a number")),
    }
}
