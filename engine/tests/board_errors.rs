//! Bad input: each rejected operation returns an error that names the
//! shape and the value, and leaves the board unchanged.

use echostream::board::{
    Board, BoardError, BoardOp, Change, GroupId, Member, PropertyType, PropertyValue, Shape,
    ShapeId, ShapeKind,
};
use echostream::text::{TextError, TextOp};

const A: ShapeId = ShapeId(1);
const B: ShapeId = ShapeId(2);
const MISSING: ShapeId = ShapeId(99);

fn board() -> Board {
    let note = Shape::new(ShapeKind::StickyNote)
        .with_number("x", 0.0)
        .with_number("y", 0.0)
        .with_text("hello");
    Board::from_shapes([(A, note), (B, Shape::new(ShapeKind::Rectangle))]).unwrap()
}

/// Applies `op`, expecting `expected`, and checks that the board did not
/// change and that the message contains each of `named`.
fn rejects(op: &BoardOp, expected: BoardError, named: &[&str]) {
    let before = board();
    let mut after = before.clone();
    let error = after.apply(op).unwrap_err();
    assert_eq!(error, expected);
    after.assert_invariants();
    assert_eq!(after, before, "the board changed");
    let message = error.to_string();
    for name in named {
        assert!(message.contains(name), "{message:?} does not name {name:?}");
    }
}

#[test]
fn unknown_shape_rejected() {
    let op = BoardOp::translate(MISSING, 1.0, 0.0);
    let id = MISSING.to_string();
    rejects(&op, BoardError::UnknownShape { id: MISSING }, &[&id]);
}

#[test]
fn duplicate_create_rejected() {
    let op = BoardOp::create(A, Shape::new(ShapeKind::Ellipse), 0);
    let id = A.to_string();
    rejects(&op, BoardError::DuplicateShape { id: A }, &[&id]);
}

#[test]
fn wrong_property_type_rejected() {
    let value = PropertyValue::String("red".into());
    let op = BoardOp::set(B, "strokeColor", None, Some(value));
    let expected = BoardError::PropertyType {
        id: B,
        key: "strokeColor".into(),
        expected: PropertyType::Color,
        value: r#"{"string":"red"}"#.into(),
    };
    let id = B.to_string();
    rejects(&op, expected, &[&id, "strokeColor", "color", "red"]);
}

/// JavaScript sets `__proto__` on a plain object as its prototype rather
/// than as an own property, so such a key would vanish on its way to a
/// JavaScript client, and the boards would differ.
#[test]
fn proto_property_key_rejected() {
    let reason = "the key __proto__ is reserved: JavaScript objects do not keep it as a property";
    let value = PropertyValue::Number(1.0);
    let set = BoardOp::set(B, "__proto__", None, Some(value.clone()));
    let expected = BoardError::InvalidProperty {
        id: B,
        key: "__proto__".into(),
        value: r#"{"number":1.0}"#.into(),
        reason: reason.into(),
    };
    let id = B.to_string();
    rejects(&set, expected, &[&id, "__proto__", "reserved"]);

    let shape = Shape::new(ShapeKind::Rectangle).with("__proto__", value);
    let create = BoardOp::create(ShapeId(3), shape, 2);
    let mut created = board();
    let error = created.apply(&create).unwrap_err();
    assert!(
        error.to_string().contains(reason),
        "{error} does not give the reason"
    );
    assert_eq!(created.len(), 2);

    // Keys that only look like it stay valid.
    let near = BoardOp::set(B, "__proto", None, Some(PropertyValue::Number(1.0)));
    let mut kept = board();
    kept.apply(&near).unwrap();
    kept.assert_invariants();
}

#[test]
fn off_grid_coordinate_rejected() {
    let op = BoardOp::set(
        A,
        "x",
        Some(PropertyValue::Number(0.0)),
        Some(PropertyValue::Number(0.1)),
    );
    let error = board().apply(&op).unwrap_err();
    assert!(matches!(error, BoardError::InvalidProperty { id: A, ref key, .. } if key == "x"));
    rejects(&op, error, &["0.1", "1/65536"]);
}

#[test]
fn stale_old_value_rejected() {
    let old = Some(PropertyValue::Number(5.0));
    let op = BoardOp::set(A, "x", old, Some(PropertyValue::Number(6.0)));
    let expected = BoardError::OldValueMismatch {
        id: A,
        key: "x".into(),
        expected: r#"{"number":5.0}"#.into(),
        actual: r#"{"number":0.0}"#.into(),
    };
    rejects(&op, expected, &["5.0", "0.0"]);
}

#[test]
fn z_position_out_of_range_rejected() {
    let create = BoardOp::create(ShapeId(3), Shape::new(ShapeKind::Line), 3);
    let expected = BoardError::ZOutOfRange {
        id: ShapeId(3),
        position: 3,
        max: 2,
    };
    rejects(&create, expected, &["position 3", "maximum is 2"]);

    let mv = BoardOp::move_z(A, 0, 2);
    let expected = BoardError::ZOutOfRange {
        id: A,
        position: 2,
        max: 1,
    };
    rejects(&mv, expected, &["position 2", "maximum is 1"]);
}

#[test]
fn wrong_z_position_rejected() {
    let op = BoardOp::move_z(A, 1, 0);
    let expected = BoardError::ZMismatch {
        id: A,
        expected: 1,
        actual: 0,
    };
    rejects(&op, expected, &["position 0, not 1"]);
}

#[test]
fn text_op_past_end_rejected() {
    let op = TextOp::insert_at(9, "!");
    let expected = BoardError::Text {
        id: A,
        op: "[9,\"!\"]".into(),
        source: TextError::BaseLength {
            expected: 9,
            actual: 5,
        },
    };
    rejects(
        &BoardOp::edit_text(A, op),
        expected,
        &["[9,\"!\"]", "9 code points"],
    );
}

#[test]
fn text_op_on_shape_without_text_rejected() {
    let op = BoardOp::edit_text(B, TextOp::insert_at(0, "x"));
    rejects(&op, BoardError::NoText { id: B }, &[&B.to_string()]);
}

#[test]
fn dangling_binding_rejected() {
    let value = PropertyValue::Shape(MISSING);
    let op = BoardOp::set(A, "frame", None, Some(value));
    let expected = BoardError::DanglingReference {
        id: A,
        key: "frame".into(),
        target: MISSING,
    };
    rejects(&op, expected, &[&MISSING.to_string()]);
}

#[test]
fn reference_to_itself_rejected() {
    let op = BoardOp::set(A, "container", None, Some(PropertyValue::Shape(A)));
    let expected = BoardError::SelfReference {
        id: A,
        key: "container".into(),
    };
    rejects(&op, expected, &[&A.to_string(), "container", "itself"]);
    let message = board().apply(&op).unwrap_err().to_string();
    assert!(
        !message.contains("not on the board"),
        "{message:?} reports a shape on the board as missing"
    );
}

#[test]
fn frame_must_be_a_frame() {
    let op = BoardOp::set(A, "frame", None, Some(PropertyValue::Shape(B)));
    let expected = BoardError::NotAFrame {
        id: A,
        target: B,
        kind: ShapeKind::Rectangle,
    };
    rejects(&op, expected, &["rectangle"]);
}

#[test]
fn ungroup_of_absent_group_rejected() {
    let group = GroupId(5);
    let mut op = BoardOp::new();
    op.push(Change::Ungroup {
        group,
        members: vec![echostream::board::Member { id: A, index: 0 }],
    });
    let expected = BoardError::NotInGroup {
        id: A,
        group,
        index: 0,
    };
    rejects(&op, expected, &[&group.to_string()]);
}

#[test]
fn failed_change_rolls_back_earlier_ones() {
    let mut op = BoardOp::translate(A, 4.0, 0.0);
    op.push(Change::Create {
        id: ShapeId(3),
        shape: Shape::new(ShapeKind::Frame),
        z: 0,
    });
    op.push(Change::EditText {
        id: A,
        op: TextOp::insert_at(0, "well, "),
    });
    op.push(Change::Set {
        id: B,
        key: "opacity".into(),
        old: None,
        new: Some(PropertyValue::Bool(true)),
    });
    let expected = BoardError::PropertyType {
        id: B,
        key: "opacity".into(),
        expected: PropertyType::Number,
        value: r#"{"bool":true}"#.into(),
    };
    rejects(&op, expected, &["opacity"]);
}

#[test]
fn delete_of_referenced_shape_rejected() {
    let mut board = board();
    let bind = BoardOp::set(A, "container", None, Some(PropertyValue::Shape(B)));
    board.apply(&bind).unwrap();
    let shape = board.shape(B).unwrap().clone();
    let op = BoardOp::from_change(Change::Delete { id: B, shape, z: 1 });

    let error = board.clone().apply(&op).unwrap_err();
    assert_eq!(
        error,
        BoardError::StillReferenced {
            id: B,
            by: A,
            key: "container".into()
        }
    );
    let full = board.delete_op(B).unwrap();
    board.apply(&full).unwrap();
    board.assert_invariants();
    assert_eq!(board.shape(A).unwrap().prop("container"), None);
}

#[test]
fn invalid_json_names_the_value() {
    let error =
        BoardOp::from_json(r#"[{"translate": {"id": "nope", "dx": 1, "dy": 0}}]"#).unwrap_err();
    assert!(error.to_string().contains("\"nope\""), "{error}");
    let error =
        Board::from_json(r#"{"shapes": [{"id": "AAAAAAAAAAAAAAAAAAAAAB", "kind": "blob"}]}"#)
            .unwrap_err();
    assert!(error.to_string().contains("blob"), "{error}");
}

#[test]
fn group_repeating_member_rejected() {
    // The repeat comes last in a long member list, which the check finds
    // in one pass.
    let mut members: Vec<Member> = [A, B].iter().map(|&id| Member { id, index: 0 }).collect();
    members.push(Member { id: A, index: 0 });
    let group = GroupId(5);
    let op = BoardOp::from_change(Change::Group { group, members });
    let expected = BoardError::AlreadyInGroup { id: A, group };
    rejects(&op, expected, &[&A.to_string(), &group.to_string()]);
}

#[test]
fn ungroup_repeating_member_rejected() {
    let group = GroupId(5);
    let mut board = board();
    let members: Vec<Member> = [A, B].iter().map(|&id| Member { id, index: 0 }).collect();
    let grouped = BoardOp::from_change(Change::Group {
        group,
        members: members.clone(),
    });
    board.apply(&grouped).unwrap();
    let before = board.clone();

    let mut repeated = members;
    repeated.push(Member { id: B, index: 0 });
    let op = BoardOp::from_change(Change::Ungroup {
        group,
        members: repeated,
    });
    let expected = BoardError::NotInGroup {
        id: B,
        group,
        index: 0,
    };
    assert_eq!(board.apply(&op), Err(expected));
    assert_eq!(board, before, "the board changed");
}

#[test]
fn shape_with_repeated_group_rejected() {
    let mut shape = Shape::new(ShapeKind::Ellipse);
    shape.groups = (1..=50).map(GroupId).collect();
    shape.groups.push(GroupId(17));
    let id = ShapeId(3);
    let op = BoardOp::create(id, shape, 0);
    let expected = BoardError::AlreadyInGroup {
        id,
        group: GroupId(17),
    };
    rejects(&op, expected, &[&id.to_string()]);
}

#[test]
fn unknown_json_fields_rejected() {
    let id = "AAAAAAAAAAAAAAAAAAAAAB";
    let cases = [
        (
            "change field",
            format!(r#"[{{"translate":{{"id":"{id}","dx":1,"dy":1,"dz":1}}}}]"#),
            "unknown field `dz`",
        ),
        (
            "shape field",
            format!(r#"[{{"create":{{"id":"{id}","shape":{{"kind":"text","colour":1}},"z":0}}}}]"#),
            "unknown field `colour`",
        ),
        (
            "member field",
            format!(
                r#"[{{"group":{{"group":"{id}","members":[{{"id":"{id}","index":0,"at":1}}]}}}}]"#
            ),
            "unknown field `at`",
        ),
        (
            "binding field",
            format!(
                r#"[{{"set":{{"id":"{id}","key":"start","old":null,"new":{{"binding":{{"shape":"{id}","focus":0,"gap":0,"snap":true}}}}}}}}]"#
            ),
            "unknown field `snap`",
        ),
    ];
    for (case, json, expected) in cases {
        let error = BoardOp::from_json(&json).unwrap_err().to_string();
        assert!(error.contains(expected), "{case}: {error}");
    }
}

#[test]
fn unknown_board_fields_rejected() {
    let id = "AAAAAAAAAAAAAAAAAAAAAB";
    let shape_field = format!(r#"{{"shapes":[{{"id":"{id}","kind":"text","colour":1}}]}}"#);
    let error = Board::from_json(&shape_field).unwrap_err().to_string();
    assert!(error.contains("unknown field `colour`"), "{error}");
    let board_field = format!(r#"{{"shapes":[{{"id":"{id}","kind":"text"}}],"version":2}}"#);
    let error = Board::from_json(&board_field).unwrap_err().to_string();
    assert!(error.contains("unknown field `version`"), "{error}");

    let full = format!(
        r#"{{"shapes":[{{"id":"{id}","kind":"sticky_note","props":{{"x":{{"number":0.0}}}},"text":"hi","groups":["BAAAAAAAAAAAAAAAAAAAAA"]}}]}}"#
    );
    let board = Board::from_json(&full).unwrap();
    assert_eq!(board.to_json(), full);
}
