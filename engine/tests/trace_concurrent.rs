//! Merging the recorded concurrent traces with OT: every integration order
//! reaches the trace's `endContent` exactly.

use echostream::text::TextError;
use echostream::trace::{ConcurrentTrace, MergeError, TraceError, TraceKind};
use echostream_testdata::{read_text, CONCURRENT_TRACES};

/// Seeds of the causal orders tried besides the order of the file.
const SEEDS: [u64; 5] = [1, 2, 3, 42, 0xdead_beef];

fn load(name: &str) -> Option<ConcurrentTrace> {
    let text = read_text(&format!("traces/concurrent/{name}.json.gz"))?;
    Some(ConcurrentTrace::from_json(&text).expect("the trace parses"))
}

#[test]
fn traces_merge_to_end_content() {
    for name in CONCURRENT_TRACES {
        let Some(trace) = load(name) else { return };
        let merged = trace.merge().unwrap().to_string();
        assert_eq!(
            merged.chars().count(),
            trace.end_content.chars().count(),
            "{name}"
        );
        assert!(
            merged == trace.end_content,
            "{name}: merged text differs from endContent"
        );
    }
}

#[test]
fn traces_merge_same_for_every_seed() {
    for name in CONCURRENT_TRACES {
        let Some(trace) = load(name) else { return };
        for seed in SEEDS {
            let merged = trace.merge_with_seed(seed).unwrap().to_string();
            assert!(
                merged == trace.end_content,
                "{name} with seed {seed}: merged text differs from endContent"
            );
        }
    }
}

#[test]
fn insert_tie_puts_lower_agent_first() {
    // Agents 0 and 1 insert at the same place of "ab" concurrently; agent
    // 1's transaction comes first in the list.
    let json = r#"{"kind": "concurrent", "endContent": "a01b", "numAgents": 2, "txns": [
        {"parents": [], "agent": 0, "patches": [[0, 0, "ab"]]},
        {"parents": [0], "agent": 1, "patches": [[1, 0, "1"]]},
        {"parents": [0], "agent": 0, "patches": [[1, 0, "0"]]},
        {"parents": [1, 2], "agent": 1, "patches": []}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    assert_eq!(trace.merge().unwrap().to_string(), "a01b");
    for seed in SEEDS {
        assert_eq!(trace.merge_with_seed(seed).unwrap().to_string(), "a01b");
    }
}

#[test]
fn criss_cross_merges_converge() {
    // Two agents type concurrently and each merges part of the other's
    // work, then a third agent deletes the prompt that both had merged.
    let json = r#"{"kind": "concurrent", "endContent": "", "txns": [
        {"parents": [], "agent": 0, "patches": [[0, 0, "hello"]]},
        {"parents": [0], "agent": 0, "patches": [[5, 0, " world"]]},
        {"parents": [0], "agent": 1, "patches": [[0, 0, "> "]]},
        {"parents": [1, 2], "agent": 0, "patches": [[13, 0, "!"]]},
        {"parents": [2], "agent": 1, "patches": [[2, 1, "H"]]},
        {"parents": [1, 4], "agent": 1, "patches": [[7, 1, ""]]},
        {"parents": [3, 5], "agent": 2, "patches": [[0, 2, ""]]}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    let merged = trace.merge().unwrap().to_string();
    assert_eq!(merged, "Helloworld!");
    for seed in SEEDS {
        assert_eq!(
            trace.merge_with_seed(seed).unwrap().to_string(),
            "Helloworld!"
        );
    }
}

#[test]
fn rejects_parent_after_child() {
    let json = r#"{"kind": "concurrent", "endContent": "", "txns": [
        {"parents": [1], "agent": 0, "patches": [[0, 0, "a"]]},
        {"parents": [], "agent": 0, "patches": [[0, 0, "b"]]}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    let error = trace.merge().unwrap_err();
    assert_eq!(
        error,
        MergeError::Parent {
            transaction: 0,
            parent: 1
        }
    );
}

#[test]
fn rejects_patch_past_end() {
    let json = r#"{"kind": "concurrent", "endContent": "", "txns": [
        {"parents": [], "agent": 0, "patches": [[0, 0, "ab"]]},
        {"parents": [0], "agent": 1, "patches": [[1, 5, ""]]}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    let error = trace.merge().unwrap_err();
    assert_eq!(
        error,
        MergeError::Apply {
            first: 1,
            last: 1,
            source: TextError::BaseLength {
                expected: 6,
                actual: 2
            }
        }
    );
}

#[test]
fn rejects_sequential_trace() {
    let json = r#"{"startContent": "", "endContent": "", "txns": []}"#;
    let error = ConcurrentTrace::from_json(json).unwrap_err();
    assert_eq!(
        error,
        TraceError::WrongKind {
            expected: TraceKind::Concurrent,
            actual: TraceKind::Sequential
        }
    );
}
