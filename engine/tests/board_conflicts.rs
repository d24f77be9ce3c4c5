//! The conflict table: for each pair of change kinds, on the same shape
//! and on different shapes, Alice's and Bob's concurrent operations are
//! applied in both orders, and both results must equal the board written
//! out in the test. Alice's operation is transformed with `Side::Left`.
//!
//! Every test starts from the same board, bottom to top:
//!
//! - A: a rectangle at (0, 0) with text "box" and a black stroke,
//! - B: an ellipse at (10, 10) in group G0,
//! - C: a sticky note at (20, 20) with text "hi", in group G0,
//! - D: an arrow at (30, 30) whose start is bound to B.

use echostream::board::{
    Binding, Board, BoardOp, GroupId, PropertyValue, Shape, ShapeId, ShapeKind,
};
use echostream::text::TextOp;
use echostream::Side;

const A: ShapeId = ShapeId(1);
const B: ShapeId = ShapeId(2);
const C: ShapeId = ShapeId(3);
const D: ShapeId = ShapeId(4);
const E: ShapeId = ShapeId(5);
const F: ShapeId = ShapeId(6);
const G0: GroupId = GroupId(100);
const G1: GroupId = GroupId(101);
const G2: GroupId = GroupId(102);

fn color(value: &str) -> PropertyValue {
    PropertyValue::Color(value.to_owned())
}

fn at(kind: ShapeKind, x: f64, y: f64) -> Shape {
    Shape::new(kind).with_number("x", x).with_number("y", y)
}

fn rect(x: f64, y: f64, stroke: &str, text: &str) -> Shape {
    at(ShapeKind::Rectangle, x, y)
        .with("strokeColor", color(stroke))
        .with_text(text)
}

fn ellipse(x: f64, y: f64, groups: &[GroupId]) -> Shape {
    let mut shape = at(ShapeKind::Ellipse, x, y);
    shape.groups = groups.to_vec();
    shape
}

fn note(x: f64, y: f64, text: &str, groups: &[GroupId]) -> Shape {
    let mut shape = at(ShapeKind::StickyNote, x, y).with_text(text);
    shape.groups = groups.to_vec();
    shape
}

fn binding(target: ShapeId) -> PropertyValue {
    PropertyValue::Binding(Binding {
        shape: target,
        focus: 0.0,
        gap: 4.0,
        fixed_point: None,
    })
}

fn arrow(x: f64, y: f64, start: Option<ShapeId>) -> Shape {
    let shape = at(ShapeKind::Arrow, x, y);
    match start {
        Some(target) => shape.with("startBinding", binding(target)),
        None => shape,
    }
}

fn base() -> Board {
    let board = Board::from_shapes([
        (A, rect(0.0, 0.0, "#000000", "box")),
        (B, ellipse(10.0, 10.0, &[G0])),
        (C, note(20.0, 20.0, "hi", &[G0])),
        (D, arrow(30.0, 30.0, Some(B))),
    ])
    .unwrap();
    board.assert_invariants();
    board
}

/// Applies `alice` then `bob` transformed, and `bob` then `alice`
/// transformed, checking the invariants after every step and both results
/// against `expected`.
fn converge(alice: &BoardOp, bob: &BoardOp, expected: Vec<(ShapeId, Shape)>) {
    let base = base();
    let expected = Board::from_shapes(expected).unwrap();

    let mut first = base.clone();
    first.apply(alice).unwrap();
    first.assert_invariants();
    first.apply(&bob.transform(alice, Side::Right)).unwrap();
    first.assert_invariants();

    let mut second = base.clone();
    second.apply(bob).unwrap();
    second.assert_invariants();
    second.apply(&alice.transform(bob, Side::Left)).unwrap();
    second.assert_invariants();

    assert_eq!(first, expected, "Alice first");
    assert_eq!(second, expected, "Bob first");
}

fn delete(id: ShapeId) -> BoardOp {
    base().delete_op(id).unwrap()
}

fn set(id: ShapeId, key: &str, new: PropertyValue) -> BoardOp {
    base().set_op(id, key, Some(new)).unwrap()
}

fn front(id: ShapeId) -> BoardOp {
    base().bring_to_front_op(id).unwrap()
}

fn back(id: ShapeId) -> BoardOp {
    base().send_to_back_op(id).unwrap()
}

fn group(group: GroupId, ids: &[ShapeId]) -> BoardOp {
    base().group_op(group, ids).unwrap()
}

fn edit(id: ShapeId, pos: usize, text: &str) -> BoardOp {
    BoardOp::edit_text(id, TextOp::insert_at(pos, text))
}

// Delete against every other kind.

#[test]
fn delete_beats_set_same_shape() {
    let alice = delete(A);
    let bob = set(A, "strokeColor", color("#ff0000"));
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_and_set_different_shapes() {
    let alice = delete(A);
    let bob = set(B, "strokeColor", color("#ff0000"));
    converge(
        &alice,
        &bob,
        vec![
            (
                B,
                ellipse(10.0, 10.0, &[G0]).with("strokeColor", color("#ff0000")),
            ),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_clears_concurrent_binding() {
    let alice = delete(A);
    let bob = set(D, "startBinding", binding(A));
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, None)),
        ],
    );
}

#[test]
fn delete_beats_translate_same_shape() {
    let alice = delete(B);
    let bob = BoardOp::translate(B, 5.0, 5.0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, None)),
        ],
    );
}

#[test]
fn delete_and_translate_different_shapes() {
    let alice = delete(A);
    let bob = BoardOp::translate(C, 5.0, -5.0);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(25.0, 15.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_beats_text_edit_same_shape() {
    let alice = delete(C);
    let bob = edit(C, 2, "!");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_and_text_edit_different_shapes() {
    let alice = delete(A);
    let bob = edit(C, 2, "!");
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi!", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_beats_move_same_shape() {
    let alice = delete(A);
    let bob = front(A);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_and_move_different_shapes() {
    let alice = delete(A);
    let bob = front(B);
    converge(
        &alice,
        &bob,
        vec![
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (B, ellipse(10.0, 10.0, &[G0])),
        ],
    );
}

#[test]
fn delete_leaves_group_without_shape() {
    let alice = delete(A);
    let bob = group(G1, &[A, D]);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G1])),
        ],
    );
}

#[test]
fn delete_and_group_different_shapes() {
    let alice = delete(A);
    let bob = group(G1, &[B, D]);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0, G1])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G1])),
        ],
    );
}

#[test]
fn delete_and_ungroup_same_shape() {
    let alice = delete(B);
    let bob = base().ungroup_op(G0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (C, note(20.0, 20.0, "hi", &[])),
            (D, arrow(30.0, 30.0, None)),
        ],
    );
}

#[test]
fn delete_twice_same_shape() {
    let alice = delete(A);
    let bob = delete(A);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_different_shapes() {
    let alice = delete(A);
    let bob = delete(C);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn delete_clears_concurrent_create_binding() {
    let alice = delete(A);
    let bob = BoardOp::create(E, arrow(40.0, 40.0, Some(A)), 4);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (E, arrow(40.0, 40.0, None)),
        ],
    );
}

#[test]
fn delete_and_create_different_shapes() {
    let alice = delete(A);
    let bob = BoardOp::create(E, ellipse(1.0, 2.0, &[]), 0);
    converge(
        &alice,
        &bob,
        vec![
            (E, ellipse(1.0, 2.0, &[])),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

// Set against set, translate, text edit, move, group.

#[test]
fn set_same_property_left_wins() {
    let alice = set(A, "strokeColor", color("#ff0000"));
    let bob = set(A, "strokeColor", color("#0000ff"));
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#ff0000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_different_properties_both_apply() {
    let alice = set(A, "strokeColor", color("#ff0000"));
    let bob = set(A, "opacity", PropertyValue::Number(50.0));
    converge(
        &alice,
        &bob,
        vec![
            (
                A,
                rect(0.0, 0.0, "#ff0000", "box").with_number("opacity", 50.0),
            ),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_different_shapes_both_apply() {
    let alice = set(A, "strokeColor", color("#ff0000"));
    let bob = set(B, "strokeColor", color("#0000ff"));
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#ff0000", "box")),
            (
                B,
                ellipse(10.0, 10.0, &[G0]).with("strokeColor", color("#0000ff")),
            ),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_x_beats_translate_along_x() {
    let alice = set(A, "x", PropertyValue::Number(100.0));
    let bob = BoardOp::translate(A, 5.0, 7.0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(100.0, 7.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn translate_loses_y_to_set_of_y() {
    let alice = BoardOp::translate(A, 5.0, 7.0);
    let bob = set(A, "y", PropertyValue::Number(50.0));
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(5.0, 50.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_and_translate_different_shapes() {
    let alice = set(A, "x", PropertyValue::Number(100.0));
    let bob = BoardOp::translate(B, 1.0, 1.0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(100.0, 0.0, "#000000", "box")),
            (B, ellipse(11.0, 11.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_and_text_edit_same_shape() {
    let alice = set(C, "backgroundColor", color("#ffec99"));
    let bob = edit(C, 0, "oh ");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (
                C,
                note(20.0, 20.0, "oh hi", &[G0]).with("backgroundColor", color("#ffec99")),
            ),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn set_and_move_same_shape() {
    let alice = set(A, "strokeColor", color("#ff0000"));
    let bob = front(A);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (A, rect(0.0, 0.0, "#ff0000", "box")),
        ],
    );
}

#[test]
fn set_and_group_same_shape() {
    let alice = set(A, "strokeColor", color("#ff0000"));
    let bob = group(G1, &[A, B]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#ff0000", "box").with_groups(&[G1])),
            (B, ellipse(10.0, 10.0, &[G0, G1])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

// Translate against translate, text edit, move, group.

#[test]
fn translations_add_up_same_shape() {
    let alice = BoardOp::translate(A, 5.0, 0.0);
    let bob = BoardOp::translate(A, 0.5, -2.0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(5.5, -2.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn translations_different_shapes() {
    let alice = BoardOp::translate(A, 5.0, 0.0);
    let bob = BoardOp::translate(B, 1.0, 1.0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(5.0, 0.0, "#000000", "box")),
            (B, ellipse(11.0, 11.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn translate_and_text_edit_same_shape() {
    let alice = BoardOp::translate(C, -20.0, 0.0);
    let bob = edit(C, 2, "!");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(0.0, 20.0, "hi!", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn translate_and_move_same_shape() {
    let alice = BoardOp::translate(A, 3.0, 4.0);
    let bob = front(A);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (A, rect(3.0, 4.0, "#000000", "box")),
        ],
    );
}

#[test]
fn translate_and_group_same_shape() {
    let alice = BoardOp::translate(D, 1.0, 0.0);
    let bob = group(G1, &[D]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(31.0, 30.0, Some(B)).with_groups(&[G1])),
        ],
    );
}

// Text edit against text edit, move, group.

#[test]
fn text_edits_merge_same_note() {
    let alice = edit(C, 0, "oh ");
    let bob = edit(C, 2, " there");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "oh hi there", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn text_edits_at_same_place_left_first() {
    let alice = edit(C, 2, " Alice");
    let bob = edit(C, 2, " Bob");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi Alice Bob", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn text_edits_different_shapes() {
    let alice = edit(A, 3, "es");
    let bob = edit(C, 0, "oh ");
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "boxes")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "oh hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn text_edit_and_move_same_shape() {
    let alice = edit(C, 2, "!");
    let bob = back(C);
    converge(
        &alice,
        &bob,
        vec![
            (C, note(20.0, 20.0, "hi!", &[G0])),
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn text_edit_and_group_same_shape() {
    let alice = edit(A, 0, "a ");
    let bob = group(G1, &[A]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "a box").with_groups(&[G1])),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

// Z-order moves.

#[test]
fn both_bring_different_shapes_front() {
    // On [A, B, C, D], Alice brings A to the front and Bob brings B.
    let alice = front(A);
    let bob = front(B);
    converge(
        &alice,
        &bob,
        vec![
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
        ],
    );
}

#[test]
fn both_bring_front_other_sides() {
    let alice = front(B);
    let bob = front(A);
    converge(
        &alice,
        &bob,
        vec![
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (B, ellipse(10.0, 10.0, &[G0])),
            (A, rect(0.0, 0.0, "#000000", "box")),
        ],
    );
}

#[test]
fn back_against_front_same_shape() {
    let alice = back(C);
    let bob = front(C);
    converge(
        &alice,
        &bob,
        vec![
            (C, note(20.0, 20.0, "hi", &[G0])),
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

#[test]
fn front_against_back_same_shape() {
    let alice = front(C);
    let bob = back(C);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (C, note(20.0, 20.0, "hi", &[G0])),
        ],
    );
}

#[test]
fn moves_of_different_shapes_both_apply() {
    let alice = back(D);
    let bob = front(A);
    converge(
        &alice,
        &bob,
        vec![
            (D, arrow(30.0, 30.0, Some(B))),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (A, rect(0.0, 0.0, "#000000", "box")),
        ],
    );
}

#[test]
fn move_and_create_at_top() {
    let alice = front(A);
    let bob = BoardOp::create(E, ellipse(0.0, 0.0, &[]), 4);
    converge(
        &alice,
        &bob,
        vec![
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
            (A, rect(0.0, 0.0, "#000000", "box")),
            (E, ellipse(0.0, 0.0, &[])),
        ],
    );
}

#[test]
fn move_and_group_same_shape() {
    let alice = back(D);
    let bob = group(G1, &[D, A]);
    converge(
        &alice,
        &bob,
        vec![
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G1])),
            (A, rect(0.0, 0.0, "#000000", "box").with_groups(&[G1])),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
        ],
    );
}

// Create against create.

#[test]
fn creates_at_same_position() {
    let alice = BoardOp::create(E, ellipse(1.0, 1.0, &[]), 2);
    let bob = BoardOp::create(F, ellipse(2.0, 2.0, &[]), 2);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G0])),
            (E, ellipse(1.0, 1.0, &[])),
            (F, ellipse(2.0, 2.0, &[])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

// Group and ungroup.

#[test]
fn groups_of_same_shapes_nest_by_side() {
    let alice = group(G1, &[A, D]);
    let bob = group(G2, &[A, D]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box").with_groups(&[G1, G2])),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G1, G2])),
        ],
    );
}

#[test]
fn groups_of_different_shapes() {
    let alice = group(G1, &[A]);
    let bob = group(G2, &[D]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box").with_groups(&[G1])),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G2])),
        ],
    );
}

#[test]
fn ungroup_and_group_same_shape() {
    let alice = base().ungroup_op(G0);
    let bob = group(G1, &[B, D]);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[G1])),
            (C, note(20.0, 20.0, "hi", &[])),
            (D, arrow(30.0, 30.0, Some(B)).with_groups(&[G1])),
        ],
    );
}

#[test]
fn ungroup_twice_same_group() {
    let alice = base().ungroup_op(G0);
    let bob = base().ungroup_op(G0);
    converge(
        &alice,
        &bob,
        vec![
            (A, rect(0.0, 0.0, "#000000", "box")),
            (B, ellipse(10.0, 10.0, &[])),
            (C, note(20.0, 20.0, "hi", &[])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}

/// Returns the shape with its groups replaced.
trait WithGroups {
    fn with_groups(self, groups: &[GroupId]) -> Self;
}

impl WithGroups for Shape {
    fn with_groups(mut self, groups: &[GroupId]) -> Self {
        self.groups = groups.to_vec();
        self
    }
}

// A set that changes nothing (old equals new) must not win a tie, or
// transforming against an operation and against its normalized form (which
// drops such a set) would disagree.

#[test]
fn unchanged_set_loses_to_real_set() {
    let alice = BoardOp::set(A, "opacity", None, None);
    let bob = set(A, "opacity", PropertyValue::Number(50.0));
    converge(
        &alice,
        &bob,
        vec![
            (
                A,
                rect(0.0, 0.0, "#000000", "box").with_number("opacity", 50.0),
            ),
            (B, ellipse(10.0, 10.0, &[G0])),
            (C, note(20.0, 20.0, "hi", &[G0])),
            (D, arrow(30.0, 30.0, Some(B))),
        ],
    );
}
