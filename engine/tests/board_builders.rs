//! Operations built from a board: the Excalidraw import onto a board that
//! already has shapes, the rounding of coordinates and translation
//! deltas to the 1/65536 px grid, and the errors for operations that would
//! not apply.

use echostream::board::excalidraw::import;
use echostream::board::{
    Board, BoardError, BoardOp, GroupId, PropertyValue, Shape, ShapeId, ShapeKind,
};
use echostream::text::TextDocument;

/// A scene with a rectangle, a bound text inside it and an arrow that
/// starts at the rectangle.
const SCENE: &str = r##"{
  "type": "excalidraw",
  "elements": [
    {"id": "box", "type": "rectangle", "x": 10, "y": 20, "width": 100, "height": 50,
     "boundElements": [{"id": "label", "type": "text"}, {"id": "link", "type": "arrow"}]},
    {"id": "label", "type": "text", "x": 15, "y": 25, "width": 90, "height": 20,
     "text": "hello", "originalText": "hello", "containerId": "box"},
    {"id": "link", "type": "arrow", "x": 110, "y": 45, "width": 50, "height": 0,
     "points": [[0, 0], [50, 0]],
     "startBinding": {"elementId": "box", "focus": 0, "gap": 4}, "endBinding": null}
  ]
}"##;

/// Returns a board with two rectangles at (0, 0).
fn board_with_two_shapes() -> Board {
    let mut board = Board::new();
    for _ in 0..2 {
        let mut shape = Shape::new(ShapeKind::Rectangle);
        shape.props.insert("x".into(), PropertyValue::Number(0.0));
        shape.props.insert("y".into(), PropertyValue::Number(0.0));
        let (_, op) = board.create_op(shape);
        board.apply(&op).unwrap();
    }
    board
}

fn number(board: &Board, id: echostream::board::ShapeId, key: &str) -> f64 {
    board.shape(id).unwrap().number(key).unwrap()
}

#[test]
fn import_op_adds_scene_above_shapes() {
    let mut board = board_with_two_shapes();
    let before: Vec<_> = board.order().to_vec();
    let op = board.import_excalidraw_op(SCENE).unwrap();
    board.apply(&op).unwrap();

    assert_eq!(board.len(), 5);
    assert_eq!(&board.order()[..2], &before[..]);
    let added = &board.order()[2..];
    let kinds: Vec<ShapeKind> = added
        .iter()
        .map(|id| board.shape(*id).unwrap().kind)
        .collect();
    assert_eq!(
        kinds,
        [ShapeKind::Rectangle, ShapeKind::Text, ShapeKind::Arrow]
    );

    let (rectangle, text, arrow) = (added[0], added[1], added[2]);
    let label = board.shape(text).unwrap();
    assert_eq!(
        label.props.get("container"),
        Some(&PropertyValue::Shape(rectangle))
    );
    assert_eq!(
        label.text.as_ref().map(TextDocument::to_string).as_deref(),
        Some("hello")
    );
    match board.shape(arrow).unwrap().props.get("startBinding") {
        Some(PropertyValue::Binding(binding)) => assert_eq!(binding.shape, rectangle),
        other => panic!("expected a binding to the rectangle, found {other:?}"),
    }
    assert_eq!(number(&board, rectangle, "x"), 10.0);
}

#[test]
fn import_op_matches_import_board() {
    let Some(json) = echostream_testdata::read_text("whiteboard/kubekey-architecture.excalidraw")
    else {
        return;
    };
    let expected = import(&json).unwrap().to_board().unwrap();
    let empty = Board::new();
    let op = empty.import_excalidraw_op(&json).unwrap();
    let mut board = Board::new();
    board.apply(&op).unwrap();
    assert_eq!(board.len(), expected.len());

    let mut busy = board_with_two_shapes();
    let op = busy.import_excalidraw_op(&json).unwrap();
    busy.apply(&op).unwrap();
    assert_eq!(busy.len(), expected.len() + 2);
}

#[test]
fn import_op_inverts_to_old_board() {
    let mut board = board_with_two_shapes();
    let before = board.clone();
    let op = board.import_excalidraw_op(SCENE).unwrap();
    let inverse = op.invert(&board).unwrap();
    board.apply(&op).unwrap();
    board.apply(&inverse).unwrap();
    assert_eq!(board, before);
}

#[test]
fn import_op_rejects_invalid_json() {
    let board = Board::new();
    let error = board.import_excalidraw_op("{not json").unwrap_err();
    assert!(
        error.to_string().starts_with("invalid Excalidraw JSON"),
        "{error}"
    );
}

#[test]
fn translate_rounds_to_grid() {
    let mut board = board_with_two_shapes();
    let id = board.order()[0];
    board
        .apply(&BoardOp::translate(id, 0.1, -1.0 / 3.0))
        .unwrap();
    // 0.1 * 65536 = 6553.6 rounds to 6554, -21845.33 to -21845.
    assert_eq!(number(&board, id, "x"), 6554.0 / 65536.0);
    assert_eq!(number(&board, id, "y"), -21845.0 / 65536.0);
}

#[test]
fn try_translate_rejects_non_finite() {
    let board = board_with_two_shapes();
    let id = board.order()[0];
    for (dx, dy) in [(f64::NAN, 0.0), (0.0, f64::INFINITY), (1e300, 0.0)] {
        let error = BoardOp::try_translate(id, dx, dy).unwrap_err();
        assert!(
            matches!(error, BoardError::InvalidTranslation { .. }),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains(&format!("({dx}, {dy})")), "{message}");
    }
    assert!(BoardOp::try_translate(id, 0.3, 4.0).is_ok());
}

#[test]
fn set_op_rounds_coordinates() {
    let mut board = board_with_two_shapes();
    let id = board.order()[1];
    let op = board
        .set_op(id, "x", Some(PropertyValue::Number(12.3)))
        .unwrap();
    board.apply(&op).unwrap();
    // 12.3 * 65536 = 806092.8 rounds to 806093.
    assert_eq!(number(&board, id, "x"), 806093.0 / 65536.0);

    // Other numbers keep their value.
    let op = board
        .set_op(id, "width", Some(PropertyValue::Number(12.3)))
        .unwrap();
    board.apply(&op).unwrap();
    assert_eq!(number(&board, id, "width"), 12.3);
}

#[test]
fn set_op_rejects_non_finite() {
    let board = board_with_two_shapes();
    let id = board.order()[1];
    for key in ["x", "width"] {
        let error = board
            .set_op(id, key, Some(PropertyValue::Number(f64::NAN)))
            .unwrap_err();
        assert!(
            matches!(error, BoardError::InvalidProperty { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("NaN"), "{error}");
    }
}

#[test]
fn create_op_rounds_coordinates() {
    let mut board = Board::new();
    let mut shape = Shape::new(ShapeKind::Ellipse);
    shape.props.insert("x".into(), PropertyValue::Number(0.1));
    shape.props.insert("y".into(), PropertyValue::Number(7.0));
    shape
        .props
        .insert("width".into(), PropertyValue::Number(0.1));
    let (id, op) = board.create_op(shape);
    board.apply(&op).unwrap();
    assert_eq!(number(&board, id, "x"), 6554.0 / 65536.0);
    assert_eq!(number(&board, id, "y"), 7.0);
    assert_eq!(number(&board, id, "width"), 0.1);
}

#[test]
fn rounding_to_zero_gives_positive_zero() {
    let mut board = board_with_two_shapes();
    let id = board.order()[1];
    // -1e-9 px and -0.0 both round to the grid point 0, which must be
    // +0.0: serde_json writes -0.0 as `-0.0` and JavaScript as `0`.
    let op = board
        .set_op(id, "x", Some(PropertyValue::Number(-1e-9)))
        .unwrap();
    board.apply(&op).unwrap();
    assert!(number(&board, id, "x").is_sign_positive());
    let op = board
        .set_op(id, "y", Some(PropertyValue::Number(-0.0)))
        .unwrap();
    board.apply(&op).unwrap();
    assert!(number(&board, id, "y").is_sign_positive());
    let json = serde_json::to_string(&board).unwrap();
    assert!(!json.contains("-0.0"), "{json}");

    let translate = serde_json::to_string(&BoardOp::translate(id, -1e-9, -0.0)).unwrap();
    assert!(!translate.contains("-0"), "{translate}");
}

#[test]
fn text_selection_follows_text_edits() {
    use echostream::text::{Selection, TextOp};
    use echostream::Side;

    let mut board = board_with_two_shapes();
    let (note, other) = (board.order()[0], board.order()[1]);
    let mut shape = Shape::new(ShapeKind::StickyNote);
    shape.text = Some(TextDocument::from("hello".to_owned()));
    let (sticky, create) = board.create_op(shape);
    board.apply(&create).unwrap();

    let caret = Selection::cursor(3);
    let mut op = BoardOp::edit_text(sticky, TextOp::insert_at(0, "ab"));
    op.push(echostream::board::Change::EditText {
        id: sticky,
        op: TextOp::insert_at(5, "!"),
    });
    assert_eq!(
        op.transform_text_selection(sticky, caret, Side::Left),
        Some(Selection::cursor(5))
    );
    // An insert at the caret goes after it on the left side only.
    let at_caret = BoardOp::edit_text(sticky, TextOp::insert_at(3, "xy"));
    assert_eq!(
        at_caret.transform_text_selection(sticky, caret, Side::Left),
        Some(Selection::cursor(3))
    );
    assert_eq!(
        at_caret.transform_text_selection(sticky, caret, Side::Right),
        Some(Selection::cursor(5))
    );
    // Edits of other shapes and other changes leave the caret.
    let elsewhere = BoardOp::translate(note, 4.0, 4.0);
    assert_eq!(
        elsewhere.transform_text_selection(sticky, caret, Side::Left),
        Some(caret)
    );
    let delete = board.delete_op(sticky).unwrap();
    assert_eq!(
        delete.transform_text_selection(sticky, caret, Side::Left),
        None
    );
    let delete_other = board.delete_op(other).unwrap();
    assert_eq!(
        delete_other.transform_text_selection(sticky, caret, Side::Left),
        Some(caret)
    );
}

#[test]
fn group_op_rejects_member_already_in_group() {
    let mut board = board_with_two_shapes();
    let ids = board.order().to_vec();
    let group = GroupId::random();
    let op = board.group_op(group, &ids[..1]).unwrap();
    board.apply(&op).unwrap();

    assert_eq!(
        board.group_op(group, &ids),
        Err(BoardError::AlreadyInGroup { id: ids[0], group })
    );
    assert_eq!(
        board.group_op(group, &[ids[1], ids[1]]),
        Err(BoardError::AlreadyInGroup { id: ids[1], group })
    );

    // Another group takes both, and its operation applies.
    let outer = GroupId::random();
    let op = board.group_op(outer, &ids).unwrap();
    board.apply(&op).unwrap();
    assert_eq!(board.shape(ids[0]).unwrap().groups, vec![group, outer]);
    assert_eq!(board.shape(ids[1]).unwrap().groups, vec![outer]);
}

#[test]
fn set_op_rejects_what_apply_rejects() {
    let board = board_with_two_shapes();
    let id = board.order()[0];
    let missing = ShapeId::random();

    assert_eq!(
        board.set_op(id, "container", Some(PropertyValue::Shape(missing))),
        Err(BoardError::DanglingReference {
            id,
            key: "container".into(),
            target: missing,
        })
    );
    let other = board.order()[1];
    assert_eq!(
        board.set_op(id, "frame", Some(PropertyValue::Shape(other))),
        Err(BoardError::NotAFrame {
            id,
            target: other,
            kind: ShapeKind::Rectangle,
        })
    );
    assert_eq!(
        board.set_op(id, "x", Some(PropertyValue::String("left".into()))),
        Err(BoardError::PropertyType {
            id,
            key: "x".into(),
            expected: echostream::board::PropertyType::Number,
            value: "{\"string\":\"left\"}".into(),
        })
    );
}

#[test]
fn set_op_names_reference_to_itself() {
    let board = board_with_two_shapes();
    let id = board.order()[0];
    let error = board
        .set_op(id, "container", Some(PropertyValue::Shape(id)))
        .unwrap_err();
    assert_eq!(
        error,
        BoardError::SelfReference {
            id,
            key: "container".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        format!("property container of shape {id} refers to the shape itself")
    );
}

#[test]
fn try_create_op_rejects_what_apply_rejects() {
    let mut board = board_with_two_shapes();
    let missing = ShapeId::random();
    let mut shape = Shape::new(ShapeKind::Text);
    shape
        .props
        .insert("container".into(), PropertyValue::Shape(missing));
    match board.try_create_op(shape) {
        Err(BoardError::DanglingReference { key, target, .. }) => {
            assert_eq!(key, "container");
            assert_eq!(target, missing);
        }
        other => panic!("expected a dangling reference, got {other:?}"),
    }

    let group = GroupId::random();
    let mut shape = Shape::new(ShapeKind::Rectangle);
    shape.groups = vec![group, group];
    assert!(matches!(
        board.try_create_op(shape),
        Err(BoardError::AlreadyInGroup { group: g, .. }) if g == group
    ));

    let mut shape = Shape::new(ShapeKind::Text);
    let target = board.order()[0];
    shape
        .props
        .insert("container".into(), PropertyValue::Shape(target));
    shape.props.insert("x".into(), PropertyValue::Number(0.1));
    let (id, op) = board.try_create_op(shape).unwrap();
    board.apply(&op).unwrap();
    assert_eq!(number(&board, id, "x"), 6554.0 / 65536.0);
}
