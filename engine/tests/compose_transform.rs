//! Transforming against a composition of text operations, as the
//! authority does for a client back from offline, and the merge of two
//! composed runs.
//!
//! The case: on "abc", the history deletes "a" and then inserts "y" at the
//! start, while a concurrent operation inserts "x" after "a".

use echostream::sync::{compose_all, merge_divergent};
use echostream::text::{TextDocument, TextOp};
use echostream::{Operation, Side};

fn history() -> [TextOp; 2] {
    [TextOp::delete_range(0..1), TextOp::insert_at(0, "y")]
}

fn concurrent() -> TextOp {
    TextOp::insert_at(1, "x")
}

/// Applies the history and then `op` to "abc".
fn after_history(op: &TextOp) -> String {
    let mut doc = TextDocument::from("abc");
    for entry in history() {
        doc.apply(&entry).unwrap();
    }
    doc.apply(op).unwrap();
    doc.to_string()
}

fn composed_and_in_turn(side: Side) -> (String, String) {
    let composed = compose_all(&history()).unwrap();
    let through_composed = concurrent().transform(&composed, side);
    let in_turn = history()
        .iter()
        .fold(concurrent(), |op, entry| op.transform(entry, side));
    (after_history(&through_composed), after_history(&in_turn))
}

#[test]
fn right_side_transforms_through_compose() {
    const { assert!(TextOp::TRANSFORMS_THROUGH_COMPOSE) };
    let (composed, in_turn) = composed_and_in_turn(Side::Right);
    assert_eq!(composed, "yxbc");
    assert_eq!(in_turn, "yxbc");
}

#[test]
fn left_side_differs_through_compose() {
    // In the composed history the insert of "y" comes before the delete
    // of "a", so "x", which sits after "a", never ties with "y" and lands
    // after it. In turn, the delete first moves "x" to position 0, where
    // it ties with "y" and `Left` puts it first.
    let (composed, in_turn) = composed_and_in_turn(Side::Left);
    assert_eq!(composed, "yxbc");
    assert_eq!(in_turn, "xybc");
}

#[test]
fn merge_divergent_converges_on_tie() {
    let local = history();
    let remote = [concurrent()];
    for local_side in [Side::Left, Side::Right] {
        let merged = merge_divergent(&local, &remote, local_side).unwrap();

        let here = after_history(&merged.remote_after_local);
        let mut there = TextDocument::from("abc");
        there.apply(&remote[0]).unwrap();
        there.apply(&merged.local_after_remote).unwrap();
        assert_eq!(here, "yxbc", "{local_side:?}");
        assert_eq!(there.to_string(), "yxbc", "{local_side:?}");
    }
}
