//! The text operation API with written-out expected values: builders,
//! normal form, lengths, position and selection transform, invert.

use echostream::text::{Component, Selection, TextDocument, TextOp};
use echostream::Side;

fn retain(n: usize) -> Component {
    Component::Retain(n)
}

fn insert(text: &str) -> Component {
    Component::Insert(text.to_owned())
}

fn delete(n: usize) -> Component {
    Component::Delete(n)
}

fn delete_text(text: &str) -> Component {
    Component::DeleteText(text.to_owned())
}

#[test]
fn insert_at_builds_retain_then_insert() {
    assert_eq!(
        TextOp::insert_at(3, "ab").components(),
        [retain(3), insert("ab")]
    );
    assert_eq!(TextOp::insert_at(0, "😀").components(), [insert("😀")]);
    assert!(TextOp::insert_at(4, "").components().is_empty());
}

#[test]
fn delete_range_builds_retain_then_delete() {
    assert_eq!(
        TextOp::delete_range(2..5).components(),
        [retain(2), delete(3)]
    );
    assert_eq!(TextOp::delete_range(0..1).components(), [delete(1)]);
    assert!(TextOp::delete_range(4..4).components().is_empty());
}

#[test]
fn delete_text_at_carries_text() {
    let op = TextOp::delete_text_at(1, "é😀");
    assert_eq!(op.components(), [retain(1), delete_text("é😀")]);
    assert_eq!(op.base_len(), 3);
    assert!(op.is_invertible());
}

#[test]
fn replace_inserts_before_deleting() {
    let op = TextOp::replace(1..3, "xyz");
    assert_eq!(op.components(), [retain(1), insert("xyz"), delete(2)]);
    assert_eq!(op.to_json(), r#"[1,"xyz",{"d":2}]"#);
}

#[test]
fn builder_merges_neighbours() {
    let mut op = TextOp::new();
    op.retain(2)
        .retain(3)
        .insert("a")
        .insert("b😀")
        .delete(1)
        .delete(2);
    assert_eq!(op.components(), [retain(5), insert("ab😀"), delete(3)]);
}

#[test]
fn builder_skips_empty_components() {
    let mut op = TextOp::new();
    op.retain(0).insert("").delete(0).delete_text("");
    assert!(op.components().is_empty());
    assert!(op.is_identity());
}

#[test]
fn builder_delete_text_merging() {
    let mut texts = TextOp::new();
    texts.delete_text("ab").delete_text("😀");
    assert_eq!(texts.components(), [delete_text("ab😀")]);

    // A count after a text keeps the count and drops the text.
    let mut text_then_count = TextOp::new();
    text_then_count.delete_text("ab😀").delete(2);
    assert_eq!(text_then_count.components(), [delete(5)]);

    let mut count_then_text = TextOp::new();
    count_then_text.delete(2).delete_text("é😀");
    assert_eq!(count_then_text.components(), [delete(4)]);
}

#[test]
fn push_merges_like_builders() {
    let mut op = TextOp::new();
    op.push(retain(1))
        .push(retain(1))
        .push(insert("a"))
        .push(insert(""))
        .push(insert("b"))
        .push(delete_text("c"))
        .push(delete_text("d"));
    assert_eq!(
        op.components(),
        [retain(2), insert("ab"), delete_text("cd")]
    );
}

#[test]
fn normalize_cleans_raw_components() {
    let raw = TextOp::from_components(vec![
        retain(0),
        retain(2),
        retain(1),
        insert(""),
        insert("a"),
        insert("😀"),
        delete(1),
        delete(0),
        delete(2),
        retain(4),
    ]);
    assert!(!raw.is_normalized());
    let normal = raw.normalize();
    assert_eq!(normal.components(), [retain(3), insert("a😀"), delete(3)]);
    assert!(normal.is_normalized());
    assert_eq!(normal.normalize(), normal);
}

#[test]
fn normalize_keeps_effect() {
    let raw = TextOp::from_json(r#"[1,"",2,"x",{"d":1},{"d":"e"},3]"#).unwrap();
    let mut before = TextDocument::from("abcdefgh");
    let mut after = before.clone();
    before.apply(&raw).unwrap();
    after.apply(&raw.normalize()).unwrap();
    assert_eq!(before.to_string(), "abcxfgh");
    assert_eq!(after.to_string(), "abcxfgh");
    assert_eq!(raw.normalize().to_json(), r#"[3,"x",{"d":2}]"#);
}

#[test]
fn identity_detection() {
    assert!(TextOp::new().is_identity());
    assert!(TextOp::from_components(vec![retain(4), insert("")]).is_identity());
    assert!(!TextOp::insert_at(4, "a").is_identity());
    assert!(!TextOp::delete_range(0..1).is_identity());
}

#[test]
fn lengths_count_code_points() {
    // "é" is one code point of 2 bytes, "😀" one of 4 bytes and 2 UTF-16
    // units, "e\u{301}" two code points.
    let op = TextOp::from_json(r#"[2,"é😀e\u0301",{"d":3},1,{"d":"ab😀"}]"#).unwrap();
    assert_eq!(op.base_len(), 2 + 3 + 1 + 3);
    assert_eq!(op.target_len(), 2 + 4 + 1);
    assert_eq!(op.output_len(9).unwrap(), 7);
    assert_eq!(op.output_len(12).unwrap(), 10);
    assert_eq!(TextOp::new().output_len(0).unwrap(), 0);
}

#[test]
fn document_lengths_in_three_units() {
    let doc = TextDocument::from("aé😀e\u{301}");
    assert_eq!(doc.len(), 5);
    assert_eq!(doc.len_utf16(), 6);
    assert_eq!(doc.len_bytes(), 1 + 2 + 4 + 1 + 2);
    assert!(!doc.is_empty());
    assert!(TextDocument::new().is_empty());
}

#[test]
fn position_conversions_round_trip() {
    let doc = TextDocument::from("aé😀b");
    assert_eq!(doc.char_to_utf16(3).unwrap(), 4);
    assert_eq!(doc.utf16_to_char(4).unwrap(), 3);
    assert_eq!(doc.char_to_byte(3).unwrap(), 7);
    assert_eq!(doc.byte_to_char(7).unwrap(), 3);
    assert_eq!(doc.slice(1..3).unwrap(), "é😀");
}

#[test]
fn transform_position_before_insert() {
    let op = TextOp::insert_at(3, "ab");
    assert_eq!(op.transform_position(2, Side::Left), 2);
    assert_eq!(op.transform_position(2, Side::Right), 2);
    assert_eq!(op.transform_position(0, Side::Right), 0);
}

#[test]
fn transform_position_at_insert_by_side() {
    let op = TextOp::insert_at(3, "a😀");
    assert_eq!(op.transform_position(3, Side::Left), 3);
    assert_eq!(op.transform_position(3, Side::Right), 5);
    let at_start = TextOp::insert_at(0, "xyz");
    assert_eq!(at_start.transform_position(0, Side::Left), 0);
    assert_eq!(at_start.transform_position(0, Side::Right), 3);
}

#[test]
fn transform_position_after_insert() {
    let op = TextOp::insert_at(3, "ab");
    assert_eq!(op.transform_position(4, Side::Left), 6);
    assert_eq!(op.transform_position(4, Side::Right), 6);
}

#[test]
fn transform_position_around_delete() {
    let op = TextOp::delete_range(2..5);
    for side in [Side::Left, Side::Right] {
        assert_eq!(op.transform_position(1, side), 1);
        assert_eq!(op.transform_position(2, side), 2);
        assert_eq!(op.transform_position(3, side), 2);
        assert_eq!(op.transform_position(5, side), 2);
        assert_eq!(op.transform_position(7, side), 4);
    }
}

#[test]
fn transform_position_replace() {
    // Keep 1, insert "xy", delete 2: "abcd" becomes "axyd".
    let op = TextOp::replace(1..3, "xy");
    assert_eq!(op.transform_position(1, Side::Left), 1);
    assert_eq!(op.transform_position(1, Side::Right), 3);
    assert_eq!(op.transform_position(2, Side::Left), 3);
    assert_eq!(op.transform_position(3, Side::Left), 3);
    assert_eq!(op.transform_position(4, Side::Right), 4);
}

#[test]
fn transform_selection_cursor_uses_side() {
    let op = TextOp::insert_at(2, "abc");
    let cursor = Selection::cursor(2);
    assert_eq!(
        op.transform_selection(cursor, Side::Left),
        Selection::cursor(2)
    );
    assert_eq!(
        op.transform_selection(cursor, Side::Right),
        Selection::cursor(5)
    );
    assert!(cursor.is_collapsed());
}

#[test]
fn transform_selection_range_does_not_grow() {
    let range = Selection::new(2, 4);
    for side in [Side::Left, Side::Right] {
        let at_start = TextOp::insert_at(2, "ab");
        assert_eq!(
            at_start.transform_selection(range, side),
            Selection::new(4, 6)
        );
        let at_end = TextOp::insert_at(4, "ab");
        assert_eq!(
            at_end.transform_selection(range, side),
            Selection::new(2, 4)
        );
        let inside = TextOp::insert_at(3, "ab");
        assert_eq!(
            inside.transform_selection(range, side),
            Selection::new(2, 6)
        );
    }
}

#[test]
fn transform_selection_keeps_direction() {
    let backward = Selection::new(6, 2);
    let op = TextOp::insert_at(0, "xy");
    assert_eq!(
        op.transform_selection(backward, Side::Left),
        Selection::new(8, 4)
    );
}

#[test]
fn transform_selection_deleted_range_collapses() {
    let op = TextOp::delete_range(1..8);
    let range = Selection::new(2, 5);
    assert_eq!(
        op.transform_selection(range, Side::Left),
        Selection::new(1, 1)
    );
}

#[test]
fn transform_insert_tie_by_side() {
    let ours = TextOp::insert_at(1, "a");
    let theirs = TextOp::insert_at(1, "b");
    assert_eq!(ours.transform(&theirs, Side::Left).to_json(), r#"[1,"a"]"#);
    assert_eq!(ours.transform(&theirs, Side::Right).to_json(), r#"[2,"a"]"#);
}

#[test]
fn transform_converges_on_example() {
    let doc = TextDocument::from("héllo😀");
    let a = TextOp::replace(1..3, "E");
    let b = TextOp::insert_at(6, "!");
    let mut left = doc.clone();
    left.apply(&a).unwrap();
    left.apply(&b.transform(&a, Side::Right)).unwrap();
    let mut right = doc.clone();
    right.apply(&b).unwrap();
    right.apply(&a.transform(&b, Side::Left)).unwrap();
    assert_eq!(left.to_string(), "hElo😀!");
    assert_eq!(right.to_string(), "hElo😀!");
}

#[test]
fn compose_cancels_insert_then_delete() {
    let first = TextOp::insert_at(2, "xyz");
    let second = TextOp::delete_range(3..4);
    assert_eq!(first.compose(&second).to_json(), r#"[2,"xz"]"#);
}

#[test]
fn invert_with_document() {
    let doc = TextDocument::from("ab😀cd");
    let op = TextOp::from_json(r#"[1,"X",{"d":2},1]"#).unwrap();
    let inverse = doc.invert(&op).unwrap();
    assert_eq!(inverse.to_json(), r#"[1,{"d":"X"},"b😀"]"#);

    let mut edited = doc.clone();
    edited.apply(&op).unwrap();
    assert_eq!(edited.to_string(), "aXcd");
    edited.apply(&inverse).unwrap();
    assert_eq!(edited, doc);
}

#[test]
fn invert_without_document() {
    let doc = TextDocument::from("ab😀cd");
    let op = TextOp::from_json(r#"[1,"X",{"d":2}]"#).unwrap();
    assert!(!op.is_invertible());

    let filled = doc.with_deleted_text(&op).unwrap();
    assert_eq!(filled.to_json(), r#"[1,"X",{"d":"b😀"}]"#);
    assert!(filled.is_invertible());

    let inverse = filled.invert_self().unwrap();
    assert_eq!(inverse.to_json(), r#"[1,{"d":"X"},"b😀"]"#);
    let mut edited = doc.clone();
    edited.apply(&filled).unwrap();
    edited.apply(&inverse).unwrap();
    assert_eq!(edited, doc);
}

#[test]
fn json_round_trip() {
    let json = r#"[2,"é😀",{"d":3},{"d":"ab"}]"#;
    let op = TextOp::from_json(json).unwrap();
    assert_eq!(
        op.components(),
        [retain(2), insert("é😀"), delete(3), delete_text("ab")]
    );
    assert_eq!(op.to_json(), json);
    assert_eq!(op.to_string(), json);
}

#[test]
fn document_serde_as_string() {
    let doc = TextDocument::from("a\"😀");
    let json = serde_json::to_string(&doc).unwrap();
    assert_eq!(json, r#""a\"😀""#);
    let back: TextDocument = serde_json::from_str(&json).unwrap();
    assert_eq!(back, doc);
}

/// Found by the property tests. An operation from JSON may split one
/// insert over two components. On a tie with `Side::Left`, only the first
/// of them went before the other operation's insert, so the two replicas
/// ended with "aba" and "aab".
#[test]
fn transform_split_insert_converges() {
    let split = TextOp::from_json(r#"["a","a"]"#).unwrap();
    let other = TextOp::insert_at(0, "b");

    let split_after = split.transform(&other, Side::Left);
    let other_after = other.transform(&split, Side::Right);
    assert_eq!(split_after.to_json(), r#"["aa"]"#);
    assert_eq!(other_after.to_json(), r#"[2,"b"]"#);

    let mut via_split = TextDocument::new();
    via_split.apply(&split).unwrap();
    via_split.apply(&other_after).unwrap();
    let mut via_other = TextDocument::new();
    via_other.apply(&other).unwrap();
    via_other.apply(&split_after).unwrap();
    assert_eq!(via_split.to_string(), "aab");
    assert_eq!(via_other.to_string(), "aab");
}
