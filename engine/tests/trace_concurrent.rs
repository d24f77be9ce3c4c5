//! Merging the recorded concurrent traces with OT: every integration order
//! reaches the trace's `endContent` exactly.

use echostream::text::TextError;
use echostream::trace::concurrent::MAX_CLOCK_ENTRIES;
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
fn parent_beside_its_ancestor_merges() {
    // Transaction 3 names transaction 2 and also 0, an ancestor of 2, after
    // it. It was made on "ca", so its "d" goes at the end. Transaction 1
    // inserts "b" at the same place concurrently. Both are agent 1's, and
    // the run of transaction 1 started the lower chain, so "b" goes first.
    let json = r#"{"kind": "concurrent", "endContent": "cabd", "txns": [
        {"parents": [], "agent": 0, "patches": [[0, 0, "a"]]},
        {"parents": [0], "agent": 1, "patches": [[1, 0, "b"]]},
        {"parents": [0], "agent": 0, "patches": [[0, 0, "c"]]},
        {"parents": [2, 0], "agent": 1, "patches": [[2, 0, "d"]]}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    assert_eq!(trace.merge().unwrap().to_string(), "cabd");
    for seed in SEEDS {
        assert_eq!(trace.merge_with_seed(seed).unwrap().to_string(), "cabd");
    }

    // Without the concurrent "b": the same parents, in either order.
    for parents in ["[1, 0]", "[0, 1]"] {
        let json = format!(
            r#"{{"kind": "concurrent", "endContent": "cad", "txns": [
                {{"parents": [], "agent": 0, "patches": [[0, 0, "a"]]}},
                {{"parents": [0], "agent": 0, "patches": [[0, 0, "c"]]}},
                {{"parents": {parents}, "agent": 1, "patches": [[2, 0, "d"]]}}
            ]}}"#
        );
        let trace = ConcurrentTrace::from_json(&json).unwrap();
        assert_eq!(trace.merge().unwrap().to_string(), "cad", "{parents}");
    }
}

#[test]
fn delete_between_inserts_same_every_order() {
    // On "abc", agent 0 inserts "x" after "a", agent 1 deletes "a" and
    // agent 2 inserts "y" at the start, all at once. Transforming "y" past
    // the delete first makes both inserts land at position 0, where the
    // side rule alone would put agent 0's "x" first. The trace order puts
    // "y" before "x", as typed.
    let json = r#"{"kind": "concurrent", "endContent": "yxbc", "txns": [
        {"parents": [], "agent": 0, "patches": [[0, 0, "abc"]]},
        {"parents": [0], "agent": 0, "patches": [[1, 0, "x"]]},
        {"parents": [0], "agent": 1, "patches": [[0, 1, ""]]},
        {"parents": [0], "agent": 2, "patches": [[0, 0, "y"]]}
    ]}"#;
    let trace = ConcurrentTrace::from_json(json).unwrap();
    assert_eq!(trace.merge().unwrap().to_string(), "yxbc");
    for seed in 0..64 {
        let merged = trace.merge_with_seed(seed).unwrap().to_string();
        assert_eq!(merged, "yxbc", "seed {seed}");
    }
}

/// Returns a trace of `count` transactions that each insert "x" into the
/// empty document, all at once.
fn concurrent_roots(count: usize) -> ConcurrentTrace {
    let txns: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"parents": [], "agent": {}, "patches": [[0, 0, "x"]]}}"#,
                i % 3
            )
        })
        .collect();
    let json = format!(
        r#"{{"kind": "concurrent", "endContent": "", "txns": [{}]}}"#,
        txns.join(",")
    );
    ConcurrentTrace::from_json(&json).unwrap()
}

#[test]
fn many_concurrent_roots_merge() {
    let trace = concurrent_roots(100);
    let expected = "x".repeat(100);
    assert_eq!(trace.merge().unwrap().to_string(), expected);
    assert_eq!(trace.merge_with_seed(1).unwrap().to_string(), expected);
}

#[test]
fn too_concurrent_trace_rejected() {
    // 1,600 concurrent transactions, a 90 kB file, would need over a
    // billion clock entries, well over 10 GB.
    let trace = concurrent_roots(1600);
    for merged in [trace.merge(), trace.merge_with_seed(1)] {
        let error = merged.unwrap_err();
        let MergeError::TooConcurrent { entries, max } = error else {
            panic!("expected TooConcurrent, got {error:?}");
        };
        assert_eq!(max, MAX_CLOCK_ENTRIES);
        assert!(entries > MAX_CLOCK_ENTRIES, "{entries}");
        let message = error.to_string();
        assert!(
            message.contains(&MAX_CLOCK_ENTRIES.to_string()),
            "{message}"
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
