//! Bad and unusual input files for the `replay`, `vectors`, `import` and
//! `export` commands: each fails with one readable message, and a byte
//! order mark or gzip compression does not get in the way.

use std::io::Write;
use std::process::{Command, Output};

use flate2::write::GzEncoder;
use flate2::Compression;

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

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn run(command: &str, file: &tempfile::NamedTempFile) -> Output {
    echostream(&[command, file.path().to_str().unwrap()])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SCENE: &str = r#"{"type": "excalidraw", "elements": [
    {"id": "box", "type": "rectangle", "x": 0, "y": 0}]}"#;

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

#[test]
fn byte_order_mark_is_skipped() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(SCENE.as_bytes());
    let scene = temp_file(&bytes, ".excalidraw");
    for command in ["import", "export"] {
        let output = run(command, &scene);
        assert!(output.status.success(), "{command}: {output:?}");
    }

    let trace = "\u{feff}{\"startContent\": \"\", \"endContent\": \"x\", \
                 \"txns\": [{\"patches\": [[0, 0, \"x\"]]}]}";
    let output = run("replay", &temp_file(trace.as_bytes(), ".json"));
    assert!(output.status.success(), "{output:?}");

    let vectors = "\u{feff}{\"doc\": \"a\", \"op\": [1, \"b\"], \"result\": \"ab\"}\n";
    let output = run("vectors", &temp_file(vectors.as_bytes(), ".jsonl"));
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}

#[test]
fn import_reads_gzip_scene() {
    let file = temp_file(&gzip(SCENE), ".excalidraw.gz");
    let output = run("import", &file);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(": 1 shapes"), "{stdout}");
}

#[test]
fn binary_file_rejected_by_every_command() {
    let file = temp_file(&[0x00, 0xff, 0xfe, 0x80, 0x1f], ".bin");
    let expected = format!("error: {} is not UTF-8 text", file.path().display());
    for command in ["replay", "vectors", "import", "export"] {
        let output = run(command, &file);
        assert_eq!(output.status.code(), Some(1), "{command}: {output:?}");
        let message = stderr(&output);
        assert!(message.starts_with(&expected), "{command}: {message}");
    }
}

#[test]
fn truncated_gzip_rejected() {
    let mut bytes = gzip(SCENE);
    bytes.truncate(bytes.len() / 2);
    let file = temp_file(&bytes, ".json.gz");
    for command in ["replay", "import"] {
        let output = run(command, &file);
        assert_eq!(output.status.code(), Some(1), "{command}: {output:?}");
        let message = stderr(&output);
        assert!(
            message.contains("failed to decompress"),
            "{command}: {message}"
        );
    }
}
