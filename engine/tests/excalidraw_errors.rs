//! Odd Excalidraw files: each either imports what is valid or returns an
//! error that names the element, the field and the value found.

use echostream::board::excalidraw::{import, ExcalidrawError};
use serde_json::{json, Value};

fn scene(elements: Vec<Value>) -> String {
    json!({ "type": "excalidraw", "version": 2, "elements": elements }).to_string()
}

fn invalid(element: &str, field: &str, value: &str, expected: &str) -> ExcalidrawError {
    ExcalidrawError::InvalidField {
        element: element.into(),
        field: field.into(),
        value: value.into(),
        expected: expected.into(),
    }
}

/// Returns a scene of a rectangle "box" and an arrow whose end is bound
/// to it with `binding`.
fn bound_arrow(binding: Value) -> String {
    let rectangle = json!({ "id": "box", "type": "rectangle", "x": 0, "y": 0 });
    let arrow = json!({
        "id": "arrow", "type": "arrow", "x": 0, "y": 0, "points": [[0, 0], [5, 5]],
        "endBinding": binding,
    });
    scene(vec![rectangle, arrow])
}

#[test]
fn binding_focus_of_wrong_type_rejected() {
    let text = bound_arrow(json!({ "elementId": "box", "focus": "0.5", "gap": 1 }));
    let error = import(&text).unwrap_err();
    assert_eq!(
        error,
        invalid("arrow", "endBinding.focus", "\"0.5\"", "a number")
    );
    assert_eq!(
        error.to_string(),
        "element arrow has an invalid field endBinding.focus = \"0.5\": expected a number"
    );
}

#[test]
fn binding_gap_of_wrong_type_rejected() {
    let text = bound_arrow(json!({ "elementId": "box", "focus": 0, "gap": [1] }));
    let error = import(&text).unwrap_err();
    assert_eq!(error, invalid("arrow", "endBinding.gap", "[1]", "a number"));
}

#[test]
fn binding_fixed_point_of_wrong_form_rejected() {
    let binding = json!({ "elementId": "box", "focus": 0, "gap": 1, "fixedPoint": [0.5] });
    let error = import(&bound_arrow(binding)).unwrap_err();
    assert_eq!(
        error,
        invalid("arrow", "endBinding.fixedPoint", "[0.5]", "[x, y] numbers")
    );
}

#[test]
fn binding_to_missing_element_checked_too() {
    // A binding that is dropped, because it names no element, must still
    // have the right form.
    let binding = json!({ "elementId": "nowhere", "focus": true });
    let error = import(&bound_arrow(binding)).unwrap_err();
    assert_eq!(
        error,
        invalid("arrow", "endBinding.focus", "true", "a number")
    );
}

#[test]
fn binding_without_numbers_imports() {
    let binding = json!({ "elementId": "box", "focus": null });
    let imported = import(&bound_arrow(binding)).unwrap();
    let board = imported.to_board().unwrap();
    assert_eq!(board.len(), 2);
    assert!(imported.dropped.is_empty());
}

#[test]
fn roundness_value_of_wrong_type_rejected() {
    let element = json!({
        "id": "box", "type": "rectangle", "roundness": { "type": 3, "value": "32" },
    });
    let error = import(&scene(vec![element])).unwrap_err();
    assert_eq!(
        error,
        invalid("box", "roundness.value", "\"32\"", "a number")
    );
}

#[test]
fn is_deleted_of_wrong_type_rejected() {
    // "true" as a string is neither deleted nor kept: guessing either way
    // would import a shape the author removed, or lose one.
    let element = json!({ "id": "box", "type": "rectangle", "isDeleted": "true" });
    let error = import(&scene(vec![element])).unwrap_err();
    assert_eq!(error, invalid("box", "isDeleted", "\"true\"", "a boolean"));
}

#[test]
fn empty_scene_imports_nothing() {
    let imported = import(&scene(vec![])).unwrap();
    assert!(imported.ops.is_empty());
    assert!(imported.to_board().unwrap().is_empty());
}

#[test]
fn text_that_is_not_json_rejected() {
    for text in ["", "hello", "{\"type\": \"excalidraw\", \"elements\": ["] {
        let error = import(text).unwrap_err();
        assert!(
            matches!(error, ExcalidrawError::Json(_)),
            "{text:?}: {error:?}"
        );
    }
}

#[test]
fn missing_elements_field_rejected() {
    let error = import(r#"{"type": "excalidraw"}"#).unwrap_err();
    assert_eq!(error, invalid("file", "elements", "null", "an array"));
}

#[test]
fn element_without_type_skipped() {
    let text = scene(vec![
        json!({ "id": "a" }),
        json!({ "id": "b", "type": "rectangle" }),
    ]);
    let imported = import(&text).unwrap();
    assert_eq!(imported.shape_count(), 1);
    assert_eq!(imported.skipped.len(), 1);
    assert_eq!(imported.skipped[0].id, "a");
}

#[test]
fn duplicate_ids_rejected() {
    let box_a = json!({ "id": "a", "type": "rectangle" });
    let error = import(&scene(vec![box_a.clone(), box_a])).unwrap_err();
    assert_eq!(error, ExcalidrawError::DuplicateId("a".into()));
}

#[test]
fn library_version_one_imports() {
    let text = json!({
        "type": "excalidrawlib",
        "version": 1,
        "library": [
            [{ "id": "r1", "type": "rectangle" }],
            [{ "id": "e1", "type": "ellipse" }, { "id": "d1", "type": "diamond" }],
        ],
    })
    .to_string();
    let imported = import(&text).unwrap();
    assert_eq!(imported.shape_count(), 3);
    assert_eq!(imported.to_board().unwrap().len(), 3);
}

#[test]
fn coordinate_past_board_range_rejected() {
    let element = json!({ "id": "far", "type": "rectangle", "x": 1e300, "y": 0 });
    let error = import(&scene(vec![element])).unwrap_err();
    let ExcalidrawError::Board { element, .. } = &error else {
        panic!("expected a board error, got {error:?}");
    };
    assert_eq!(element, "far");
    let message = error.to_string();
    assert!(message.contains("1e+300"), "{message}");
    assert!(message.contains("68719476736"), "{message}");
}
