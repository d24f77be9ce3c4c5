//! Every `TextError` variant, each with the document checked unchanged.

use echostream::text::{TextDocument, TextError, TextOp};
use echostream::Side;

const TEXT: &str = "ab😀cd";

fn document() -> TextDocument {
    TextDocument::from(TEXT)
}

#[test]
fn apply_longer_than_document() {
    let mut doc = document();
    let op = TextOp::insert_at(6, "x");
    let error = doc.apply(&op).unwrap_err();
    assert_eq!(
        error,
        TextError::BaseLength {
            expected: 6,
            actual: 5
        }
    );
    assert_eq!(
        error.to_string(),
        "operation spans 6 code points but the document has 5"
    );
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn delete_past_end() {
    let mut doc = document();
    let op = TextOp::delete_range(3..7);
    let error = doc.apply(&op).unwrap_err();
    assert_eq!(
        error,
        TextError::BaseLength {
            expected: 7,
            actual: 5
        }
    );
    assert_eq!(doc.to_string(), TEXT);
    assert_eq!(doc.check(&op), Err(error.clone()));
    assert_eq!(doc.invert(&op), Err(error.clone()));
    assert_eq!(doc.with_deleted_text(&op), Err(error));
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn output_len_past_base() {
    let op = TextOp::delete_range(1..4);
    assert_eq!(
        op.output_len(3),
        Err(TextError::BaseLength {
            expected: 4,
            actual: 3
        })
    );
}

#[test]
fn delete_text_mismatch() {
    let mut doc = document();
    // An earlier insert must not be applied when a later delete fails.
    let op = TextOp::from_json(r#"["x",2,{"d":"😀d"}]"#).unwrap();
    let error = doc.apply(&op).unwrap_err();
    assert_eq!(
        error,
        TextError::DeleteMismatch {
            position: 2,
            len: 2
        }
    );
    assert_eq!(
        error.to_string(),
        "delete of 2 code points at position 2 does not match the document text there"
    );
    assert_eq!(doc.to_string(), TEXT);
    assert_eq!(doc.invert(&op), Err(error));
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn delete_without_text_not_invertible() {
    let op = TextOp::from_json(r#"[1,"x",{"d":"a"},2,{"d":3}]"#).unwrap();
    assert_eq!(
        op.invert_self(),
        Err(TextError::NotInvertible { index: 4, len: 3 })
    );
}

#[test]
fn slice_past_end() {
    let doc = document();
    assert_eq!(
        doc.slice(2..6),
        Err(TextError::PositionPastEnd {
            unit: "code point",
            position: 6,
            len: 5
        })
    );
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn conversions_past_end() {
    let doc = document();
    assert_eq!(
        doc.char_to_utf16(6),
        Err(TextError::PositionPastEnd {
            unit: "code point",
            position: 6,
            len: 5
        })
    );
    assert_eq!(
        doc.char_to_byte(9),
        Err(TextError::PositionPastEnd {
            unit: "code point",
            position: 9,
            len: 5
        })
    );
    assert_eq!(
        doc.utf16_to_char(7),
        Err(TextError::PositionPastEnd {
            unit: "UTF-16",
            position: 7,
            len: 6
        })
    );
    assert_eq!(
        doc.byte_to_char(9),
        Err(TextError::PositionPastEnd {
            unit: "UTF-8",
            position: 9,
            len: 8
        })
    );
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn utf16_offset_inside_surrogate_pair() {
    let doc = document();
    // "ab" is UTF-16 offsets 0..2 and "😀" is 2..4, so 3 splits the pair.
    let error = doc.utf16_to_char(3).unwrap_err();
    assert_eq!(error, TextError::InsideSurrogatePair { offset: 3 });
    assert_eq!(
        error.to_string(),
        "UTF-16 offset 3 is inside a surrogate pair"
    );
    assert_eq!(doc.utf16_to_char(4), Ok(3));
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn utf8_offset_inside_char() {
    let doc = document();
    // "😀" is bytes 2..6.
    for offset in [3, 4, 5] {
        assert_eq!(
            doc.byte_to_char(offset),
            Err(TextError::NotCharBoundary { offset })
        );
    }
    assert_eq!(doc.byte_to_char(6), Ok(3));
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn json_lone_surrogate_rejected() {
    for json in [r#"["\ud83d"]"#, r#"[1,{"d":"\ude00"}]"#, r#"["a\ud83dz"]"#] {
        // serde_json words the error by where the escape ends ("unexpected
        // end of hex escape", "lone leading surrogate"), but always names
        // the column.
        let error = TextOp::from_json(json).unwrap_err();
        assert!(
            matches!(&error, TextError::Json(message) if message.contains("column")),
            "{json} gave {error:?}"
        );
    }
    // A full pair written as two escapes is one valid code point.
    let pair = TextOp::from_json(r#"["\ud83d\ude00"]"#).unwrap();
    assert_eq!(pair.to_json(), r#"["😀"]"#);
}

#[test]
fn json_not_an_operation() {
    let cases = [
        (r#"{"d":1}"#, "expected a sequence"),
        ("[true]", "invalid text operation component true"),
        ("[-1]", "invalid retain -1"),
        ("[1.5]", "invalid retain 1.5"),
        (r#"[{"d":-2}]"#, "invalid delete -2"),
        (r#"[{"d":[1]}]"#, "invalid delete [1]"),
        (
            r#"[{"i":"x"}]"#,
            r#"invalid text operation component {"i":"x"}"#,
        ),
        (r#"[{"d":1,"x":2}]"#, "invalid text operation component"),
        ("[1,", "EOF while parsing"),
        ("", "EOF while parsing"),
    ];
    for (json, expected) in cases {
        let error = TextOp::from_json(json).unwrap_err();
        let TextError::Json(message) = &error else {
            panic!("{json} gave {error:?}, expected a JSON error");
        };
        assert!(message.contains(expected), "{json} gave {message:?}");
    }
}

#[test]
fn json_error_leaves_document_unchanged() {
    let mut doc = document();
    let outcome = TextOp::from_json("[1,{\"d\":-1}]").and_then(|op| doc.apply(&op));
    assert!(outcome.is_err());
    assert_eq!(doc.to_string(), TEXT);
}

/// Counts near `usize::MAX` used to overflow the length sums, which
/// panics in debug builds and wraps in release builds.
#[test]
fn huge_counts_rejected_without_overflow() {
    let max = usize::MAX;
    let mut doc = document();
    let cases = [
        format!(r#"[{max},{{"d":1}}]"#),
        format!(r#"[{max},{max}]"#),
        format!(r#"[3,{{"d":{max}}},2]"#),
        format!(r#"[{{"d":"a"}},{{"d":{max}}}]"#),
    ];
    for json in &cases {
        let op = TextOp::from_json(json).unwrap();
        assert_eq!(op.base_len(), max, "{json}");
        assert_eq!(
            doc.apply(&op),
            Err(TextError::BaseLength {
                expected: max,
                actual: 5
            }),
            "{json}"
        );
        assert_eq!(doc.to_string(), TEXT);
        assert!(op.normalize().is_normalized(), "{json}");
    }

    let long = TextOp::from_json(&format!(r#"[{max},"x"]"#)).unwrap();
    assert_eq!(long.target_len(), max);
    let other = TextOp::insert_at(0, "y");
    assert_eq!(long.transform(&other, Side::Left).base_len(), max);
    assert_eq!(long.compose(&long).base_len(), max);
    assert_eq!(long.transform_position(max, Side::Right), max);
    let delete = TextOp::from_json(&format!(r#"[3,{{"d":{max}}}]"#)).unwrap();
    assert_eq!(delete.transform_position(max, Side::Left), 3);
}
