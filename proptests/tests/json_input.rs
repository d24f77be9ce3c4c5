//! Hostile JSON: valid documents, operations, scenes and submissions with
//! random parts replaced by absurd values, removed or repeated, fed to
//! every parser of the engine. Whatever parses must then behave: applying
//! it either works or leaves the document, board or authority unchanged,
//! an operation that applies transforms with TP1 and inverts, and an
//! imported scene builds its board.
//!
//! Each property runs 1,000 cases by default:
//!
//!     cargo test -p echostream-proptests --test json_input
//!
//! Longer runs set the case count:
//!
//!     ECHOSTREAM_PROPTEST_CASES=20000 cargo test -p echostream-proptests --test json_input

use echostream::board::excalidraw::{export_scene, import};
use echostream::board::{Board, BoardOp};
use echostream::sync::{Authority, Submission};
use echostream::text::{TextDocument, TextOp};
use echostream::{OpId, Side, SiteId, Snapshot, VectorClock};
use echostream_proptests::board::{any_op, random_board, valid_op, Rng};
use echostream_proptests::cases;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Returns one of the values that parsers most often get wrong.
fn absurd_value(rng: &mut Rng) -> Value {
    let values = [
        json!(null),
        json!(true),
        json!(-1),
        json!(0),
        json!(1),
        json!(9_007_199_254_740_993u64),
        json!(1u64 << 63),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(""),
        json!("x"),
        json!("😀\u{301}"),
        json!("AAAAAAAAAAAAAAAAAAAAAB"),
        json!("D_____________________"),
        json!("00000000000000a1"),
        json!([]),
        json!({}),
        json!({ "d": 1 }),
        json!([1, "x", { "d": 1 }]),
    ];
    values[rng.below(values.len())].clone()
}

/// Returns the number of nodes of `value`.
fn size(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

/// Returns node number `target` of `value` in pre-order.
fn node(value: &mut Value, target: usize) -> &mut Value {
    let mut target = target;
    let mut current = value;
    loop {
        if target == 0 {
            return current;
        }
        target -= 1;
        let children: Vec<&mut Value> = match current {
            Value::Array(items) => items.iter_mut().collect(),
            Value::Object(map) => map.values_mut().collect(),
            _ => unreachable!("a leaf has no node below it"),
        };
        let mut next = None;
        for child in children {
            let child_size = size(child);
            if target < child_size {
                next = Some(child);
                break;
            }
            target -= child_size;
        }
        current = next.expect("the target is inside this node");
    }
}

/// Replaces, removes or repeats one random part of `value`.
fn mutate(rng: &mut Rng, value: &mut Value) {
    let target = node(value, rng.below(size(value)));
    match (rng.below(4), &mut *target) {
        (0, Value::Array(items)) if !items.is_empty() => {
            let index = rng.below(items.len());
            items.remove(index);
        }
        (0, Value::Object(map)) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
            map.remove(&key);
        }
        (1, Value::Array(items)) if !items.is_empty() => {
            let index = rng.below(items.len());
            let copy = items[index].clone();
            items.insert(index, copy);
        }
        (2, Value::Object(map)) => {
            let keys = ["d", "id", "z", "x", "kind", "props", "type", "focus"];
            map.insert(keys[rng.below(keys.len())].to_owned(), absurd_value(rng));
        }
        _ => *target = absurd_value(rng),
    }
}

/// Returns `value` after one to three mutations, as JSON text.
fn mutated(rng: &mut Rng, value: &Value) -> String {
    let mut value = value.clone();
    for _ in 0..1 + rng.below(3) {
        mutate(rng, &mut value);
    }
    value.to_string()
}

/// Checks a text operation read from outside against a document.
fn check_text_op(op: &TextOp) {
    let before = TextDocument::from("héllo😀 wörld");
    let other = TextOp::replace(2..4, "ab");
    let mut after = before.clone();
    if after.apply(op).is_err() {
        assert_eq!(after, before, "a rejected {op} changed the document");
        return;
    }
    let inverse = before.invert(op).expect("an applied op inverts");
    let mut restored = after.clone();
    restored.apply(&inverse).unwrap();
    assert_eq!(restored, before, "the inverse of {op} does not restore");

    let mut first = after;
    first.apply(&other.transform(op, Side::Right)).unwrap();
    let mut second = before;
    second.apply(&other).unwrap();
    second.apply(&op.transform(&other, Side::Left)).unwrap();
    assert_eq!(first, second, "{op} and {other} diverge");
}

/// Checks a board operation read from outside against `board`.
fn check_board_op(rng: &mut Rng, board: &Board, op: &BoardOp) {
    let mut after = board.clone();
    if after.apply(op).is_err() {
        after.assert_invariants();
        assert_eq!(&after, board, "a rejected op changed the board");
        return;
    }
    after.assert_invariants();
    let inverse = op.invert(board).expect("an applied op inverts");
    let mut restored = after.clone();
    restored.apply(&inverse).expect("the inverse applies");
    assert_eq!(&restored, board, "the inverse does not restore");

    let other = valid_op(rng, board, 3);
    let mut first = after;
    first
        .apply(&other.transform(op, Side::Right))
        .expect("the transformed valid op applies");
    let mut second = board.clone();
    second.apply(&other).unwrap();
    second
        .apply(&op.transform(&other, Side::Left))
        .expect("the transformed op applies");
    first.assert_invariants();
    assert_eq!(
        first,
        second,
        "diverged\nop = {}\nother = {}",
        op.to_json(),
        other.to_json()
    );
}

/// Checks that an imported scene builds its board and exports again.
fn check_scene(json: &str) {
    let Ok(imported) = import(json) else {
        return;
    };
    let board = imported
        .to_board()
        .expect("an imported scene builds its board");
    board.assert_invariants();
    let again = import(&export_scene(&board).to_string()).expect("an export imports");
    assert_eq!(again.shape_count(), board.len());
}

/// Feeds `json` to every parser and checks whatever parses.
fn feed(rng: &mut Rng, board: &Board, json: &str) {
    if let Ok(op) = TextOp::from_json(json) {
        check_text_op(&op);
    }
    if let Ok(op) = BoardOp::from_json(json) {
        check_board_op(rng, board, &op);
    }
    if let Ok(parsed) = Board::from_json(json) {
        parsed.assert_invariants();
        assert_eq!(Board::from_json(&parsed.to_json()).unwrap(), parsed);
    }
    check_scene(json);
    let _ = serde_json::from_str::<VectorClock>(json);

    if let Ok(submission) = serde_json::from_str::<Submission<BoardOp>>(json) {
        let snapshot = Snapshot {
            revision: 0,
            document: board.clone(),
            last_seq: Default::default(),
        };
        let mut authority = Authority::from_snapshot(snapshot);
        if authority.receive(submission).is_err() {
            assert_eq!(authority.revision(), 0);
            assert_eq!(authority.document(), board);
        }
        authority.document().assert_invariants();
    }
}

/// Returns a valid JSON value to mutate: a text op, a board op, a board, a
/// scene or a submission.
fn sample(rng: &mut Rng, board: &Board) -> Value {
    match rng.below(8) {
        0 => json!([3, "xy", { "d": 2 }, 1, { "d": "o" }]),
        1 | 2 => serde_json::to_value(any_op(rng, board, 3)).unwrap(),
        3 | 4 => serde_json::to_value(valid_op(rng, board, 3)).unwrap(),
        5 => serde_json::to_value(board).unwrap(),
        6 => export_scene(board),
        _ => {
            let submission = Submission {
                id: OpId {
                    site: SiteId(0xa1),
                    seq: 1,
                },
                base: 0,
                clock: [(SiteId(0xa1), 1)].into_iter().collect(),
                op: valid_op(rng, board, 2),
            };
            serde_json::to_value(submission).unwrap()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1000)))]

    #[test]
    fn mutated_json_is_handled(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 6);
        let value = sample(&mut rng, &board);
        let json = mutated(&mut rng, &value);
        feed(&mut rng, &board, &json);
    }
}
