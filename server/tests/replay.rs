//! Replays the recorded sequential traces, through the engine's trace
//! module and through the `echostream replay` command.

use std::io::Write;
use std::process::{Command, Output};

use echostream::trace::SequentialTrace;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Each sequential trace with its patch count and final length in code
/// points, as counted from the trace files.
const TRACES: [(&str, usize, usize); 5] = [
    ("automerge-paper", 259_778, 104_852),
    ("seph-blog1", 137_993, 56_769),
    ("friendsforever_flat", 26_078, 21_362),
    ("clownschool_flat", 23_182, 21_148),
    ("json-crdt-patch", 18_723, 49_302),
];

fn trace_path(name: &str) -> Option<String> {
    let relative = format!("traces/sequential/{name}.json.gz");
    let path = echostream_testdata::data_file(&relative)?;
    Some(path.to_string_lossy().into_owned())
}

fn echostream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(args)
        .output()
        .expect("the echostream binary starts")
}

fn stdout_json(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("invalid JSON {stdout:?}: {e}"))
}

fn temp_trace(json: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("a temporary file");
    file.write_all(json.as_bytes())
        .expect("the trace is written");
    file
}

#[test]
fn engine_replays_sequential_traces() {
    for (name, patches, length) in TRACES {
        let relative = format!("traces/sequential/{name}.json.gz");
        let Some(json) = echostream_testdata::read_text(&relative) else {
            return;
        };
        let trace = SequentialTrace::from_json(&json).unwrap();
        assert_eq!(trace.patch_count(), patches, "{name}");

        let document = trace.replay().unwrap();
        assert_eq!(document.len(), length, "{name}");
        assert!(
            document.to_string() == trace.end_content,
            "{name} differs from endContent"
        );
    }
}

#[test]
fn command_replays_sequential_traces() {
    for (name, patches, length) in TRACES {
        let Some(path) = trace_path(name) else {
            return;
        };
        let output = echostream(&["replay", &path, "--json"]);
        assert!(output.status.success(), "{name}: {output:?}");

        let outcome = stdout_json(&output);
        assert_eq!(outcome["kind"], "sequential", "{name}");
        assert_eq!(outcome["patches"], patches, "{name}");
        assert_eq!(outcome["length"], length, "{name}");
        assert_eq!(outcome["matchesEndContent"], true, "{name}");
        assert_eq!(outcome["firstDifference"], Value::Null, "{name}");
        assert!(outcome["seconds"].as_f64().unwrap() >= 0.0, "{name}");

        let json = echostream_testdata::read_text(&format!("traces/sequential/{name}.json.gz"))
            .expect("found above");
        let end_content = SequentialTrace::from_json(&json).unwrap().end_content;
        let expected = hex::encode(Sha256::digest(end_content.as_bytes()));
        assert_eq!(outcome["sha256"], expected, "{name}");
    }
}

#[test]
fn command_prints_text_summary() {
    let Some(path) = trace_path("json-crdt-patch") else {
        return;
    };
    let output = echostream(&["replay", &path]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("patches:  18723\n"), "{stdout}");
    assert!(stdout.contains("length:   49302 code points\n"), "{stdout}");
    assert!(
        stdout.contains("result:   matches endContent\n"),
        "{stdout}"
    );
    // stderr is a pipe here, so no progress bar is drawn.
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[test]
fn mismatch_exits_with_failure() {
    let file = temp_trace(
        r#"{"startContent": "ab", "endContent": "axc",
            "txns": [{"time": "t", "patches": [[1, 1, "x😀"]]}]}"#,
    );
    let path = file.path().to_str().unwrap();
    let output = echostream(&["replay", path, "--json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    let outcome = stdout_json(&output);
    assert_eq!(outcome["patches"], 1);
    assert_eq!(outcome["length"], 3);
    assert_eq!(outcome["matchesEndContent"], false);
    assert_eq!(outcome["firstDifference"], 2);
    let expected = hex::encode(Sha256::digest("ax😀".as_bytes()));
    assert_eq!(outcome["sha256"], expected);

    let text = echostream(&["replay", path]);
    assert_eq!(text.status.code(), Some(1), "{text:?}");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("differs from endContent at code point 2"),
        "{stdout}"
    );
}

#[test]
fn patch_past_end_exits_with_failure() {
    let file = temp_trace(
        r#"{"startContent": "ab", "endContent": "",
            "txns": [{"patches": [[0, 1, ""]]}, {"patches": [[3, 0, "x"]]}]}"#,
    );
    let output = echostream(&["replay", file.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("patch 0 of transaction 1 does not apply"),
        "{stderr}"
    );
}

#[test]
fn invalid_input_exits_with_failure() {
    let not_json = temp_trace("{\"startContent\": ");
    let output = echostream(&["replay", not_json.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid trace JSON"), "{stderr}");

    let unknown = temp_trace(r#"{"kind": "braided"}"#);
    let output = echostream(&["replay", unknown.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown trace kind \"braided\""),
        "{stderr}"
    );

    let output = echostream(&["replay", "/nonexistent/trace.json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("failed to read /nonexistent/trace.json"),
        "{stderr}"
    );
}
