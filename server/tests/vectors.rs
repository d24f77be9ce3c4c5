//! The `echostream vectors` command on the real vectors and on bad files.

use std::io::Write;
use std::process::{Command, Output};

fn echostream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(args)
        .output()
        .expect("the echostream binary starts")
}

fn temp_vectors(lines: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("a temporary file");
    file.write_all(lines.as_bytes())
        .expect("the vectors are written");
    file
}

#[test]
fn real_vectors_pass() {
    let Some(data) = echostream_testdata::data_dir() else {
        return;
    };
    let dir = data.join("ot-vectors/text-unicode");
    let files: Vec<String> = ["apply", "compose", "invert", "transform"]
        .iter()
        .map(|name| {
            dir.join(format!("{name}.jsonl"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut args = vec!["vectors"];
    args.extend(files.iter().map(String::as_str));

    let output = echostream(&args);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("apply.jsonl: 2092 passed, 0 failed\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("transform.jsonl: 1454 passed, 0 failed\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("total: 4758 passed, 0 failed\n"),
        "{stdout}"
    );
}

#[test]
fn failing_record_exits_with_failure() {
    let wrong = r#"{"doc":"ab","op":[1,"x"],"result":"abx"}"#;
    let file = temp_vectors(&format!(
        "{}\n\n{wrong}\n{}\n",
        r#"{"doc":"ab","op":[1,"x"],"result":"axb"}"#,
        r#"{"op1":["a"],"op2":[1,"b"],"result":["ab"]}"#
    ));
    let output = echostream(&["vectors", file.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(": 2 passed, 1 failed\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("  record:   {wrong}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("  computed: \"axb\"\n"), "{stdout}");
    assert!(stdout.ends_with("total: 2 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn only_first_failures_printed() {
    let wrong = r#"{"op":["a"],"result":["a"]}"#;
    let file = temp_vectors(&format!("{wrong}\n").repeat(4));
    let output = echostream(&["vectors", "--show", "2", file.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.matches("  record:").count(), 2, "{stdout}");
    assert!(stdout.contains("  ... and 2 more failures\n"), "{stdout}");
}

#[test]
fn unreadable_or_empty_file_fails() {
    let empty = temp_vectors("\n");
    let output = echostream(&["vectors", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("contains no records"), "{stderr}");

    let output = echostream(&["vectors", "/nonexistent/vectors.jsonl"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("failed to read /nonexistent/vectors.jsonl"),
        "{stderr}"
    );
}

#[test]
fn invalid_record_counts_as_failure() {
    let file = temp_vectors("{\"doc\": 3}\n");
    let output = echostream(&["vectors", file.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(": 0 passed, 1 failed\n"), "{stdout}");
    assert!(stdout.contains("  computed: invalid record"), "{stdout}");
}
