//! Excalidraw import and export: every scene of the shared data goes
//! through a board and back, and each element's id, type, geometry,
//! style, text, points, groups, bindings and z-order must survive.

use std::collections::{BTreeSet, HashMap};

use echostream::board::excalidraw::{export_scene, import, ExcalidrawError};
use echostream::board::{Board, ShapeKind};
use serde_json::{json, Value};

/// The maximum distance a coordinate moves when it is rounded to the
/// 1/65536 px grid.
const GRID_ERROR: f64 = 1.0 / 131072.0;

const FILES: [&str; 3] = [
    "whiteboard/txtai-install.excalidraw",
    "whiteboard/kubekey-architecture.excalidraw",
    "whiteboard/excalidraw-libraries-rohanp-system-design.excalidrawlib",
];

/// Returns the live elements of a scene or library, in file order.
fn elements(file: &Value) -> Vec<Value> {
    let all: Vec<Value> = if let Some(items) = file.get("libraryItems") {
        let items = items.as_array().unwrap();
        items
            .iter()
            .flat_map(|i| i["elements"].as_array().unwrap().clone())
            .collect()
    } else if let Some(items) = file.get("library") {
        let items = items.as_array().unwrap();
        items
            .iter()
            .flat_map(|i| i.as_array().unwrap().clone())
            .collect()
    } else {
        file["elements"].as_array().unwrap().clone()
    };
    all.into_iter()
        .filter(|e| e["isDeleted"] != json!(true))
        .collect()
}

/// Returns the element ids in z-order: by `index` when every element has
/// one, else in array order.
fn z_order(elements: &[Value]) -> Vec<String> {
    let mut sorted: Vec<&Value> = elements.iter().collect();
    if elements.iter().all(|e| e["index"].is_string()) {
        sorted.sort_by_key(|e| e["index"].as_str().unwrap().to_owned());
    }
    sorted
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

fn replay(text: &str) -> Board {
    let imported = import(text).unwrap();
    let mut board = Board::new();
    for op in &imported.ops {
        board.apply(op).unwrap();
        board.assert_invariants();
    }
    board
}

/// Returns the roundness an element has once loaded, with the older
/// `strokeSharpness` mapped as Excalidraw maps it.
fn roundness(element: &Value) -> Value {
    if !element["roundness"].is_null() || element.get("roundness").is_some() {
        return element["roundness"].clone();
    }
    if element["strokeSharpness"] == json!("round") {
        let adaptive = matches!(element["type"].as_str(), Some("rectangle" | "image"));
        return json!({ "type": if adaptive { 1 } else { 2 } });
    }
    Value::Null
}

/// Returns the entries of `boundElements` (or the older `boundElementIds`) whose
/// element refers back to this one.
fn bound_elements(element: &Value, by_id: &HashMap<String, Value>) -> BTreeSet<(String, String)> {
    let id = element["id"].as_str().unwrap();
    let mut listed: Vec<(String, String)> = Vec::new();
    if let Some(list) = element["boundElements"].as_array() {
        for entry in list {
            let kind = entry["type"].as_str().unwrap().to_owned();
            listed.push((kind, entry["id"].as_str().unwrap().to_owned()));
        }
    }
    if let Some(list) = element["boundElementIds"].as_array() {
        for entry in list {
            listed.push(("arrow".to_owned(), entry.as_str().unwrap().to_owned()));
        }
    }
    listed
        .into_iter()
        .filter(|(_, other)| {
            let Some(other) = by_id.get(other) else {
                return false;
            };
            other["containerId"] == json!(id)
                || other["startBinding"]["elementId"] == json!(id)
                || other["endBinding"]["elementId"] == json!(id)
        })
        .collect()
}

/// Returns true if the values are equal, numbers compared by value, so
/// that `1` equals `1.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Asserts that two values are the same, numbers compared by value.
macro_rules! assert_same {
    ($a:expr, $b:expr, $($message:tt)+) => {
        assert!(same(&$a, &$b), "{}: {} != {}", format!($($message)+), $a, $b)
    };
}

fn number(element: &Value, field: &str) -> f64 {
    element[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} of {element}"))
}

fn compare_element(
    before: &Value,
    after: &Value,
    by_id: &HashMap<String, Value>,
    groups: &mut HashMap<String, String>,
) {
    let id = before["id"].as_str().unwrap();
    let field = |name: &str| format!("{name} of element {id}");

    assert_eq!(after["type"], before["type"], "{}", field("type"));
    for name in ["x", "y"] {
        let moved = (number(after, name) - number(before, name)).abs();
        assert!(moved <= GRID_ERROR, "{} moved by {moved}", field(name));
    }
    for name in [
        "width",
        "height",
        "angle",
        "strokeColor",
        "backgroundColor",
        "fillStyle",
        "strokeWidth",
        "strokeStyle",
        "roughness",
        "opacity",
        "seed",
        "locked",
    ] {
        if before.get(name).is_some() {
            assert_same!(after[name], before[name], "{}", field(name));
        }
    }
    assert_same!(
        roundness(after),
        roundness(before),
        "{}",
        field("roundness")
    );
    let link = before.get("link").cloned().unwrap_or(Value::Null);
    assert_eq!(after["link"], link, "{}", field("link"));

    if before["type"] == json!("text") {
        let original = before.get("originalText").unwrap_or(&before["text"]);
        assert_eq!(after["text"], before["text"], "{}", field("text"));
        assert_eq!(
            &after["originalText"],
            original,
            "{}",
            field("originalText")
        );
        for name in [
            "fontSize",
            "fontFamily",
            "textAlign",
            "verticalAlign",
            "lineHeight",
        ] {
            if before.get(name).is_some() {
                assert_same!(after[name], before[name], "{}", field(name));
            }
        }
    }
    if before.get("points").is_some() {
        assert_same!(after["points"], before["points"], "{}", field("points"));
    }

    // References survive when their target is in the file.
    let live = |target: &Value| target.as_str().is_some_and(|t| by_id.contains_key(t));
    for name in ["containerId", "frameId"] {
        let expected = match before.get(name) {
            Some(target) if live(target) => target.clone(),
            _ => Value::Null,
        };
        assert_eq!(after[name], expected, "{}", field(name));
    }
    for name in ["startBinding", "endBinding"] {
        let binding = before.get(name).cloned().unwrap_or(Value::Null);
        if binding.is_null() || !live(&binding["elementId"]) {
            assert!(after[name].is_null(), "{}", field(name));
            continue;
        }
        for part in ["elementId", "focus", "gap"] {
            assert_same!(after[name][part], binding[part], "{}.{part}", field(name));
        }
    }
    let exported: BTreeSet<(String, String)> = after["boundElements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        exported,
        bound_elements(before, by_id),
        "{}",
        field("boundElements")
    );

    // Group ids are new, but map one to one and keep their nesting order.
    let old_groups = before["groupIds"].as_array().cloned().unwrap_or_default();
    let new_groups = after["groupIds"].as_array().unwrap();
    assert_eq!(new_groups.len(), old_groups.len(), "{}", field("groupIds"));
    for (old, new) in old_groups.iter().zip(new_groups) {
        let old = old.as_str().unwrap().to_owned();
        let new = new.as_str().unwrap().to_owned();
        let mapped = groups.entry(old).or_insert_with(|| new.clone());
        assert_eq!(*mapped, new, "{}", field("groupIds"));
    }
}

fn round_trip(relative: &str) {
    let Some(text) = echostream_testdata::read_text(relative) else {
        return;
    };
    let file: Value = serde_json::from_str(&text).unwrap();
    let before = elements(&file);
    let board = replay(&text);
    assert_eq!(board.len(), before.len(), "shapes of {relative}");

    let scene = export_scene(&board);
    let after = scene["elements"].as_array().unwrap();
    assert_eq!(after.len(), before.len(), "elements of {relative}");

    let by_id: HashMap<String, Value> = before
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e.clone()))
        .collect();
    let exported: HashMap<String, &Value> = after
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e))
        .collect();
    let mut groups = HashMap::new();
    for element in &before {
        let id = element["id"].as_str().unwrap();
        let Some(out) = exported.get(id) else {
            panic!("element {id} of {relative} is missing from the export");
        };
        compare_element(element, out, &by_id, &mut groups);
    }
    let distinct: BTreeSet<&String> = groups.values().collect();
    assert_eq!(
        distinct.len(),
        groups.len(),
        "two groups merged in {relative}"
    );

    let order: Vec<String> = after
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, z_order(&before), "z-order of {relative}");
    let indices: Vec<&str> = after.iter().map(|e| e["index"].as_str().unwrap()).collect();
    assert!(
        indices.windows(2).all(|w| w[0] < w[1]),
        "indices of {relative}"
    );

    // The export imports back to the same shapes.
    let again = replay(&scene.to_string());
    assert_eq!(
        again.count_by_kind(),
        board.count_by_kind(),
        "re-import of {relative}"
    );
}

#[test]
fn txtai_scene_round_trips() {
    round_trip(FILES[0]);
}

#[test]
fn kubekey_scene_round_trips() {
    round_trip(FILES[1]);
}

#[test]
fn system_design_library_round_trips() {
    round_trip(FILES[2]);
}

fn rectangle(id: &str, index: Option<&str>) -> Value {
    let mut element = json!({
        "id": id, "type": "rectangle", "x": 0, "y": 0, "width": 10, "height": 10,
    });
    if let Some(index) = index {
        element["index"] = json!(index);
    }
    element
}

fn scene(elements: Vec<Value>) -> String {
    json!({ "type": "excalidraw", "version": 2, "elements": elements }).to_string()
}

fn ids_in_order(board: &Board) -> Vec<String> {
    let scene = export_scene(board);
    let elements = scene["elements"].as_array().unwrap().clone();
    elements
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn index_field_sets_z_order() {
    let text = scene(vec![
        rectangle("top", Some("a2")),
        rectangle("bottom", Some("a0")),
        rectangle("middle", Some("a1")),
    ]);
    assert_eq!(ids_in_order(&replay(&text)), ["bottom", "middle", "top"]);
}

#[test]
fn missing_index_keeps_array_order() {
    let text = scene(vec![
        rectangle("first", Some("a2")),
        rectangle("second", None),
        rectangle("third", Some("a0")),
    ]);
    assert_eq!(ids_in_order(&replay(&text)), ["first", "second", "third"]);
}

#[test]
fn deleted_and_unknown_elements_skipped() {
    let mut deleted = rectangle("gone", None);
    deleted["isDeleted"] = json!(true);
    let embed = json!({ "id": "web", "type": "embeddable", "x": 0, "y": 0 });
    let text = scene(vec![rectangle("kept", None), deleted, embed]);

    let imported = import(&text).unwrap();
    assert_eq!(imported.shape_count(), 1);
    let skipped: Vec<(&str, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.id.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("gone", "deleted"), ("web", "the type has no board kind")]
    );
}

#[test]
fn binding_to_missing_element_dropped() {
    let arrow = json!({
        "id": "arrow", "type": "arrow", "x": 0, "y": 0, "points": [[0, 0], [5, 5]],
        "startBinding": { "elementId": "box", "focus": 0.5, "gap": 3 },
        "endBinding": { "elementId": "nowhere", "focus": 0, "gap": 1 },
    });
    let text = scene(vec![rectangle("box", None), arrow]);

    let imported = import(&text).unwrap();
    assert_eq!(imported.dropped.len(), 1);
    assert_eq!(imported.dropped[0].field, "endBinding");
    assert_eq!(imported.dropped[0].target, "nowhere");
    let board = imported.to_board().unwrap();
    let exported = export_scene(&board);
    let arrow = &exported["elements"][1];
    assert_eq!(arrow["startBinding"]["elementId"], json!("box"));
    assert!(arrow["endBinding"].is_null());
    assert_eq!(
        exported["elements"][0]["boundElements"],
        json!([{ "type": "arrow", "id": "arrow" }])
    );
}

#[test]
fn library_version_two_imports() {
    let text = json!({
        "type": "excalidrawlib",
        "version": 2,
        "libraryItems": [
            { "id": "item1", "status": "published", "elements": [rectangle("r1", None)] },
            { "id": "item2", "status": "published", "elements": [rectangle("r2", None)] },
        ],
    })
    .to_string();
    assert_eq!(ids_in_order(&replay(&text)), ["r1", "r2"]);
}

#[test]
fn sticky_note_exports_as_box_and_text() {
    let mut board = Board::new();
    let note = echostream::board::Shape::new(ShapeKind::StickyNote).with_text("call Bob");
    let (id, op) = board.create_op(note);
    board.apply(&op).unwrap();

    let scene = export_scene(&board);
    let elements = scene["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert_eq!(elements[0]["type"], json!("rectangle"));
    assert_eq!(elements[1]["text"], json!("call Bob"));
    assert_eq!(elements[1]["containerId"], json!(id.to_string()));
}

#[test]
fn bad_input_names_the_value() {
    let error = import(r#"{"type": "drawing"}"#).unwrap_err();
    assert_eq!(
        error,
        ExcalidrawError::NotExcalidraw {
            found: "\"drawing\"".into()
        }
    );

    let mut bad = rectangle("box", None);
    bad["x"] = json!("left");
    let error = import(&scene(vec![bad])).unwrap_err();
    assert_eq!(
        error,
        ExcalidrawError::InvalidField {
            element: "box".into(),
            field: "x".into(),
            value: "\"left\"".into(),
            expected: "a number".into(),
        }
    );

    let error = import(&scene(vec![
        rectangle("twin", None),
        rectangle("twin", None),
    ]));
    assert_eq!(
        error.unwrap_err(),
        ExcalidrawError::DuplicateId("twin".into())
    );
    assert!(matches!(import("{"), Err(ExcalidrawError::Json(_))));
}
