//! Bad input files for the `replay`, `import` and `export` commands: each
//! fails with one readable message.

use std::io::Write;
use std::process::{Command, Output};

fn echostream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(args)
        .output()
        .expect("the echostream binary starts")
}

fn temp_file(bytes: &[u8], suffix: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .expect("a temporary file");
    file.write_all(bytes).expect("the file is written");
    file
}

fn run(command: &str, file: &tempfile::NamedTempFile) -> Output {
    echostream(&[command, file.path().to_str().unwrap()])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn replay_names_patch_error_once() {
    let file = temp_file(
        br#"{"startContent": "ab", "endContent": "", "txns": [{"patches": [[5, 0, "x"]]}]}"#,
        ".json",
    );
    let output = run("replay", &file);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let expected = format!(
        "error: failed to replay {}: patch 0 of transaction 0 does not apply: \
         operation spans 5 code points but the document has 2\n",
        file.path().display()
    );
    assert_eq!(stderr(&output), expected);
}

#[test]
fn replay_names_merge_error_once() {
    let file = temp_file(
        br#"{"kind": "concurrent", "endContent": "", "txns": [
            {"parents": [], "agent": 0, "patches": [[5, 0, "x"]]}]}"#,
        ".json",
    );
    let output = run("replay", &file);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let message = stderr(&output);
    let cause = "operation spans 5 code points but the document has 0";
    assert_eq!(message.matches(cause).count(), 1, "{message}");
}

#[test]
fn import_names_board_error_once() {
    let scene = r#"{"type": "excalidraw", "elements": [
        {"id": "far", "type": "rectangle", "x": 1e300, "y": 0}]}"#;
    let file = temp_file(scene.as_bytes(), ".excalidraw");
    for command in ["import", "export"] {
        let output = run(command, &file);
        assert_eq!(output.status.code(), Some(1), "{command}: {output:?}");
        let message = stderr(&output);
        assert!(message.contains("element far"), "{command}: {message}");
        let cause = "invalid property x = {\"number\":1e+300}";
        assert_eq!(message.matches(cause).count(), 1, "{command}: {message}");
    }
}
