//! Checks of text operations against language-neutral JSON-lines vectors,
//! shared with the JavaScript tests and other implementations.
//!
//! Each line is one record, distinguished by its keys:
//!
//! - apply: `{"doc": s, "op": o, "result": s}`, or `"error": true` in
//!   place of `result` when the operation must be rejected;
//! - transform: `{"op": o, "otherOp": o, "side": "left"|"right",
//!   "result": o}`;
//! - compose: `{"op1": o, "op2": o, "result": o}`;
//! - invert: `{"op": o, "result": o}`, inverting without the document.
//!
//! Operation results compare after normalization.

use serde::Deserialize;
use serde_json::Value;

use crate::text::{TextDocument, TextOp};
use crate::Side;

/// One vector record.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// Apply `op` to `doc`; expect `result`, or a rejection when `None`.
    Apply {
        /// The document before.
        doc: String,
        /// The operation.
        op: TextOp,
        /// The document after, or `None` if the operation must fail.
        result: Option<String>,
    },
    /// Transform `op` against `other` with `side`.
    Transform {
        /// The operation to transform.
        op: TextOp,
        /// The concurrent operation.
        other: TextOp,
        /// The side of `op`.
        side: Side,
        /// The expected operation.
        result: TextOp,
    },
    /// Compose `first` and `second`.
    Compose {
        /// The first operation.
        first: TextOp,
        /// The second operation.
        second: TextOp,
        /// The expected operation.
        result: TextOp,
    },
    /// Invert `op` without the document.
    Invert {
        /// The operation to invert.
        op: TextOp,
        /// The expected inverse.
        result: TextOp,
    },
}

/// A record that did not hold, with what was computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The record's JSON line.
    pub line: String,
    /// What was computed instead, as JSON or an error message.
    pub actual: String,
}

#[derive(Deserialize)]
struct RawRecord {
    doc: Option<String>,
    op: Option<TextOp>,
    #[serde(rename = "otherOp")]
    other_op: Option<TextOp>,
    side: Option<Side>,
    op1: Option<TextOp>,
    op2: Option<TextOp>,
    result: Option<Value>,
    #[serde(default)]
    error: bool,
}

impl Record {
    /// Parses one JSON line, returning a message that names what is
    /// missing or invalid.
    pub fn parse(line: &str) -> Result<Record, String> {
        let raw: RawRecord =
            serde_json::from_str(line).map_err(|e| format!("invalid record: {e}"))?;
        let result_op = |value: Option<Value>| -> Result<TextOp, String> {
            let value = value.ok_or("record has no \"result\"")?;
            serde_json::from_value(value).map_err(|e| format!("invalid result: {e}"))
        };
        match raw {
            RawRecord {
                doc: Some(doc),
                op: Some(op),
                ..
            } => {
                let result = if raw.error {
                    None
                } else {
                    match raw.result {
                        Some(Value::String(text)) => Some(text),
                        _ => {
                            return Err(
                                "apply record needs a string \"result\" or \"error\": true".into()
                            )
                        }
                    }
                };
                Ok(Record::Apply { doc, op, result })
            }
            RawRecord {
                op: Some(op),
                other_op: Some(other),
                ..
            } => Ok(Record::Transform {
                op,
                other,
                side: raw.side.ok_or("transform record has no \"side\"")?,
                result: result_op(raw.result)?,
            }),
            RawRecord {
                op1: Some(first),
                op2: Some(second),
                ..
            } => Ok(Record::Compose {
                first,
                second,
                result: result_op(raw.result)?,
            }),
            RawRecord { op: Some(op), .. } => Ok(Record::Invert {
                op,
                result: result_op(raw.result)?,
            }),
            _ => Err("record matches no kind: expected doc/op, op/otherOp, op1/op2 or op".into()),
        }
    }

    /// Runs the record, returning what was computed when it differs from
    /// the expected result.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Record::Apply { doc, op, result } => {
                let mut document = TextDocument::from(doc.as_str());
                let outcome = document.apply(op);
                match (outcome, result) {
                    (Ok(()), Some(expected)) if document.to_string() == *expected => Ok(()),
                    (Ok(()), _) => Err(format!("{:?}", document.to_string())),
                    (Err(_), None) => {
                        if document.to_string() == *doc {
                            Ok(())
                        } else {
                            Err("rejected, but the document changed".into())
                        }
                    }
                    (Err(e), Some(_)) => Err(format!("error: {e}")),
                }
            }
            Record::Transform {
                op,
                other,
                side,
                result,
            } => compare(&op.transform(other, *side), result),
            Record::Compose {
                first,
                second,
                result,
            } => compare(&first.compose(second), result),
            Record::Invert { op, result } => match op.invert_self() {
                Ok(inverse) => compare(&inverse, result),
                Err(e) => Err(format!("error: {e}")),
            },
        }
    }
}

fn compare(actual: &TextOp, expected: &TextOp) -> Result<(), String> {
    let actual = actual.normalize();
    if actual == expected.normalize() {
        Ok(())
    } else {
        Err(actual.to_json())
    }
}

/// The outcome of a file of records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Records that held.
    pub passed: usize,
    /// Records that did not hold or could not be read, in file order.
    pub failures: Vec<Failure>,
}

/// Runs every non-empty line of a JSON-lines file.
pub fn run_lines(text: &str) -> Report {
    let mut report = Report::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match Record::parse(line).and_then(|record| record.check()) {
            Ok(()) => report.passed += 1,
            Err(actual) => report.failures.push(Failure {
                line: line.to_owned(),
                actual,
            }),
        }
    }
    report
}
