//! Properties of text operations, checked against a plain `String` model
//! on random documents that include empty texts, characters outside the
//! Basic Multilingual Plane and combining marks.
//!
//! Each property runs 2,000 cases. A longer run:
//!
//! ```sh
//! ECHOSTREAM_PROPTEST_CASES=100000 cargo test --release -p echostream-proptests --test text
//! ```

use echostream::text::{Component, TextDocument, TextOp};
use echostream::Side;
use echostream_proptests::cases;
use proptest::prelude::*;

/// Characters of every UTF-8 and UTF-16 width, a combining acute accent
/// (U+0301) that joins the letter before it, and any scalar value.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::char::range('a', 'e'),
        1 => Just('é'),
        1 => Just('\u{301}'),
        1 => Just('中'),
        2 => Just('😀'),
        1 => Just('\u{10FFFF}'),
        1 => Just('\n'),
        1 => any::<char>(),
    ]
}

fn any_text(max_chars: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..=max_chars).prop_map(String::from_iter)
}

fn any_document() -> impl Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 9 => any_text(16)]
}

/// One step of a generated operation, before it is fitted to a document.
#[derive(Clone, Debug)]
enum Step {
    Retain(usize),
    Insert(String),
    Delete(usize),
    DeleteText(usize),
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..6usize).prop_map(Step::Retain),
        any_text(4).prop_map(Step::Insert),
        (0..6usize).prop_map(Step::Delete),
        (0..6usize).prop_map(Step::DeleteText),
    ]
}

/// Builds an operation that applies to `doc` from `steps`, cutting every
/// length to what is left of the document. The components are kept raw:
/// empty ones and neighbours of the same kind stay, as they may in JSON
/// from outside. `trailing` adds a retain of the rest.
fn fit_steps(doc: &str, steps: &[Step], trailing: bool) -> TextOp {
    let chars: Vec<char> = doc.chars().collect();
    let mut pos = 0;
    let mut components = Vec::new();
    for step in steps {
        let left = chars.len() - pos;
        let component = match step {
            Step::Retain(n) => {
                let n = (*n).min(left);
                pos += n;
                Component::Retain(n)
            }
            Step::Insert(text) => Component::Insert(text.clone()),
            Step::Delete(n) => {
                let n = (*n).min(left);
                pos += n;
                Component::Delete(n)
            }
            Step::DeleteText(n) => {
                let n = (*n).min(left);
                let text = chars[pos..pos + n].iter().collect();
                pos += n;
                Component::DeleteText(text)
            }
        };
        components.push(component);
    }
    if trailing && pos < chars.len() {
        components.push(Component::Retain(chars.len() - pos));
    }
    TextOp::from_components(components)
}

fn any_op_on(doc: String) -> impl Strategy<Value = TextOp> {
    (prop::collection::vec(any_step(), 0..8), any::<bool>())
        .prop_map(move |(steps, trailing)| fit_steps(&doc, &steps, trailing))
}

fn document_and_op() -> impl Strategy<Value = (String, TextOp)> {
    any_document().prop_flat_map(|doc| (Just(doc.clone()), any_op_on(doc)))
}

fn document_and_two_ops() -> impl Strategy<Value = (String, TextOp, TextOp)> {
    any_document().prop_flat_map(|doc| (Just(doc.clone()), any_op_on(doc.clone()), any_op_on(doc)))
}

/// Generates a document, an operation on it, and an operation on its
/// result.
fn document_and_op_sequence() -> impl Strategy<Value = (String, TextOp, TextOp)> {
    document_and_op().prop_flat_map(|(doc, first)| {
        let after = model_apply(&doc, &first);
        (Just(doc), Just(first), any_op_on(after))
    })
}

/// Generates a document, an operation on it, an operation on its result,
/// and a third operation on the document, concurrent with both.
fn document_sequence_and_concurrent_op() -> impl Strategy<Value = (String, TextOp, TextOp, TextOp)>
{
    document_and_op_sequence().prop_flat_map(|(doc, first, second)| {
        let concurrent = any_op_on(doc.clone());
        (Just(doc), Just(first), Just(second), concurrent)
    })
}

fn any_side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Left), Just(Side::Right)]
}

/// Applies `op` to `doc` the plain way, over a vector of chars.
///
/// # Panics
///
/// Panics if `op` does not apply, which the generators rule out.
fn model_apply(doc: &str, op: &TextOp) -> String {
    let chars: Vec<char> = doc.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    for component in op.components() {
        match component {
            Component::Retain(n) => {
                out.extend(&chars[pos..pos + n]);
                pos += n;
            }
            Component::Insert(text) => out.push_str(text),
            Component::Delete(n) => pos += n,
            Component::DeleteText(text) => {
                let n = text.chars().count();
                let deleted: String = chars[pos..pos + n].iter().collect();
                assert_eq!(&deleted, text, "generated delete text must match");
                pos += n;
            }
        }
    }
    out.extend(&chars[pos..]);
    out
}

/// Applies `op` to a new document with the text `doc` and returns the
/// result.
fn engine_apply(doc: &str, op: &TextOp) -> String {
    let mut document = TextDocument::from(doc);
    document
        .apply(op)
        .unwrap_or_else(|e| panic!("{op:?} on {doc:?} failed: {e}"));
    document.to_string()
}

/// Returns where a transformed single insert inserts, or `None` when the
/// operation is not a single insert.
fn insert_position(op: &TextOp) -> Option<usize> {
    match op.components() {
        [Component::Insert(_)] => Some(0),
        [Component::Retain(n), Component::Insert(_)] => Some(*n),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2_000)))]

    #[test]
    fn apply_matches_model((doc, op) in document_and_op()) {
        let expected = model_apply(&doc, &op);
        prop_assert_eq!(engine_apply(&doc, &op), expected.clone());
        let len = doc.chars().count();
        prop_assert_eq!(op.output_len(len), Ok(expected.chars().count()));
    }

    #[test]
    fn rejected_apply_leaves_document((doc, op) in document_and_op(), extra in 1..4usize) {
        // A retain appended past the end of the document makes the
        // operation too long, after whatever it inserts and deletes.
        let mut longer = op.clone();
        longer.retain(doc.chars().count() - op.base_len() + extra);
        let mut document = TextDocument::from(doc.as_str());
        prop_assert!(document.apply(&longer).is_err());
        prop_assert_eq!(document.to_string(), doc);
    }

    #[test]
    fn transform_converges((doc, a, b) in document_and_two_ops(), side in any_side()) {
        let a_after_b = a.transform(&b, side);
        let b_after_a = b.transform(&a, side.opposite());
        let via_a = engine_apply(&model_apply(&doc, &a), &b_after_a);
        let via_b = engine_apply(&model_apply(&doc, &b), &a_after_b);
        prop_assert_eq!(via_a, via_b);
        prop_assert!(a_after_b.is_normalized(), "{:?}", a_after_b);
    }

    #[test]
    fn compose_applies_like_sequence((doc, first, second) in document_and_op_sequence()) {
        let composed = first.compose(&second);
        let expected = model_apply(&model_apply(&doc, &first), &second);
        prop_assert_eq!(engine_apply(&doc, &composed), expected);
        prop_assert!(composed.is_normalized(), "{:?}", composed);
    }

    #[test]
    fn right_transform_goes_through_compose(
        (doc, first, second, op) in document_sequence_and_concurrent_op()
    ) {
        // The contract of `Operation::TRANSFORMS_THROUGH_COMPOSE`, on which
        // the authority relies when it composes history.
        let after = model_apply(&model_apply(&doc, &first), &second);
        let composed = op.transform(&first.compose(&second), Side::Right);
        let in_turn = op
            .transform(&first, Side::Right)
            .transform(&second, Side::Right);
        prop_assert_eq!(
            engine_apply(&after, &composed),
            engine_apply(&after, &in_turn)
        );
    }

    #[test]
    fn invert_with_document_undoes((doc, op) in document_and_op()) {
        let before = TextDocument::from(doc.as_str());
        let inverse = before.invert(&op).unwrap();
        let after = engine_apply(&doc, &op);
        prop_assert_eq!(engine_apply(&after, &inverse), doc);
        prop_assert!(inverse.is_normalized(), "{:?}", inverse);
    }

    #[test]
    fn invert_self_undoes_filled_op((doc, op) in document_and_op()) {
        let before = TextDocument::from(doc.as_str());
        let filled = before.with_deleted_text(&op).unwrap();
        prop_assert!(filled.is_invertible());
        let after = engine_apply(&doc, &op);
        prop_assert_eq!(engine_apply(&doc, &filled), after.clone());

        let inverse = filled.invert_self().unwrap();
        prop_assert_eq!(engine_apply(&after, &inverse), doc);
        prop_assert_eq!(Ok(inverse), before.invert(&op));
    }

    #[test]
    fn position_moves_like_insert(
        (doc, op) in document_and_op(),
        side in any_side(),
        fraction in 0.0..=1.0f64,
    ) {
        let len = doc.chars().count();
        let pos = ((len as f64) * fraction).round() as usize;
        let probe = TextOp::insert_at(pos, "😀");
        let transformed = probe.transform(&op, side);
        let expected = insert_position(&transformed);
        prop_assert!(expected.is_some(), "{:?}", transformed);
        prop_assert_eq!(Some(op.transform_position(pos, side)), expected);
    }

    #[test]
    fn normalize_idempotent_and_same_effect((doc, op) in document_and_op()) {
        let normal = op.normalize();
        prop_assert!(normal.is_normalized(), "{:?}", normal);
        prop_assert_eq!(normal.normalize(), normal.clone());
        prop_assert_eq!(engine_apply(&doc, &normal), engine_apply(&doc, &op));
        let len = doc.chars().count();
        prop_assert_eq!(normal.output_len(len), op.output_len(len));
        prop_assert_eq!(normal.is_identity(), op.is_identity());
    }

    #[test]
    fn json_round_trip((_doc, op) in document_and_op()) {
        let json = op.to_json();
        prop_assert_eq!(TextOp::from_json(&json), Ok(op.clone()));
        let value = serde_json::to_value(&op).unwrap();
        let back: TextOp = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back, op);
    }
}
