//! The published OT vectors, run through the engine.
//!
//! `ot-vectors/text-unicode/*.jsonl` contains apply, transform, compose and
//! invert records computed by the reference npm package `ot-text-unicode`
//! 4.0.0. `ot-vectors/text-transform-tests.json` contains the 46 transform
//! cases published with the ottypes text types, one JSON value per line
//! in groups of four: op, other op, side, expected result.

use echostream::conformance::{run_lines, Record, Report};
use echostream::text::TextOp;
use echostream::Side;
use serde_json::Value;

/// The number of failures printed in full. The rest are only counted.
const SHOWN_FAILURES: usize = 5;

fn describe_failures(name: &str, report: &Report) -> String {
    let mut text = format!(
        "{name}: {} passed, {} failed\n",
        report.passed,
        report.failures.len()
    );
    for failure in report.failures.iter().take(SHOWN_FAILURES) {
        text.push_str(&format!(
            "  record: {}\n  actual: {}\n",
            failure.line, failure.actual
        ));
    }
    text
}

#[test]
fn text_unicode_vectors_all_pass() {
    let Some(data) = echostream_testdata::data_dir() else {
        return;
    };
    let dir = data.join("ot-vectors/text-unicode");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("failed to list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable folder entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "apply.jsonl",
            "compose.jsonl",
            "invert.jsonl",
            "transform.jsonl"
        ],
        "the vector folder should hold the four record kinds"
    );

    let mut summary = String::new();
    let mut failed = 0;
    for name in &names {
        let relative = format!("ot-vectors/text-unicode/{name}");
        let text = echostream_testdata::read_text(&relative).expect("listed above");
        let report = run_lines(&text);
        assert!(report.passed > 0, "{name} holds no records");
        failed += report.failures.len();
        summary.push_str(&describe_failures(name, &report));
    }
    assert_eq!(failed, 0, "failing vectors:\n{summary}");
}

/// Reads one operation line of the ottypes transform cases. These cases
/// come from the older `text` type, which writes an insert as
/// `{"i": "text"}` where text-unicode writes the bare string, so inserts
/// are rewritten before parsing.
fn parse_op(line: &str, number: usize) -> TextOp {
    let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {number}: {e}"));
    let Value::Array(components) = value else {
        panic!("line {number}: expected a JSON list, got {line}");
    };
    let components: Vec<Value> = components
        .into_iter()
        .map(|component| match component {
            Value::Object(mut map) if map.len() == 1 && map.contains_key("i") => {
                map.remove("i").expect("checked above")
            }
            other => other,
        })
        .collect();
    serde_json::from_value(Value::Array(components))
        .unwrap_or_else(|e| panic!("line {number}: {e}"))
}

/// Reads the bare `left` or `right` of the ottypes transform cases.
fn parse_side(line: &str, number: usize) -> Side {
    match line {
        "left" => Side::Left,
        "right" => Side::Right,
        other => panic!("line {number}: invalid side {other:?}, expected left or right"),
    }
}

#[test]
fn ottypes_transform_cases_all_pass() {
    let Some(text) = echostream_testdata::read_text("ot-vectors/text-transform-tests.json") else {
        return;
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    assert_eq!(lines.len(), 46 * 4, "expected 46 cases of four lines");

    let mut failures = Vec::new();
    for case in lines.chunks(4) {
        let [(n_op, op), (n_other, other), (n_side, side), (n_expected, expected)] = case else {
            unreachable!("184 lines split into chunks of four");
        };
        let record = Record::Transform {
            op: parse_op(op, *n_op),
            other: parse_op(other, *n_other),
            side: parse_side(side, *n_side),
            result: parse_op(expected, *n_expected),
        };
        if let Err(actual) = record.check() {
            failures.push(format!(
                "  case at line {n_op}: {op} against {other} ({side}), \
                 expected {expected}, got {actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 46 transform cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
