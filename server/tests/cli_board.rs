//! The `import` and `export` commands, run as a user runs them.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

fn echostream(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(args)
        .output()
        .expect("the echostream binary runs")
}

fn scene(name: &str) -> Option<PathBuf> {
    echostream_testdata::data_file(&format!("whiteboard/{name}"))
}

fn import_json(path: &str) -> Value {
    let output = echostream(&["import", "--json", path]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

#[test]
fn import_counts_kubekey_shapes() {
    let Some(path) = scene("kubekey-architecture.excalidraw") else {
        return;
    };
    let report = import_json(path.to_str().unwrap());
    assert_eq!(report["shapes"], json!(60));
    assert_eq!(
        report["kinds"],
        json!({ "rectangle": 24, "ellipse": 2, "line": 2, "arrow": 7, "text": 25 })
    );
    assert_eq!(report["skipped"], json!([]));
}

#[test]
fn import_prints_kinds_as_text() {
    let Some(path) = scene("txtai-install.excalidraw") else {
        return;
    };
    let output = echostream(&["import", path.to_str().unwrap()]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(": 3 shapes"), "{text}");
    assert!(text.contains("rectangle           2"), "{text}");
    assert!(text.contains("text                1"), "{text}");
}

#[test]
fn export_then_import_keeps_shapes() {
    let Some(path) = scene("excalidraw-libraries-rohanp-system-design.excalidrawlib") else {
        return;
    };
    let out = std::env::temp_dir().join(format!(
        "echostream-export-{}.excalidraw",
        std::process::id()
    ));
    let out_path = out.to_str().unwrap();
    let output = echostream(&["export", path.to_str().unwrap(), "-o", out_path]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let report = import_json(out_path);
    std::fs::remove_file(&out).unwrap();
    assert_eq!(report["shapes"], json!(231));
    assert_eq!(
        report["kinds"],
        json!({ "arrow": 7, "diamond": 1, "ellipse": 58, "line": 53, "rectangle": 74, "text": 38 })
    );
}

#[test]
fn export_reads_board_snapshot() {
    let snapshot = json!({ "shapes": [
        { "id": "AAAAAAAAAAAAAAAAAAAAAB", "kind": "ellipse",
          "props": { "x": { "number": 5 }, "y": { "number": 6 } } },
    ]});
    let input = std::env::temp_dir().join(format!("echostream-board-{}.json", std::process::id()));
    std::fs::write(&input, snapshot.to_string()).unwrap();
    let output = echostream(&["export", input.to_str().unwrap()]);
    std::fs::remove_file(&input).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let scene: Value = serde_json::from_slice(&output.stdout).unwrap();
    let element = &scene["elements"][0];
    assert_eq!(element["id"], json!("AAAAAAAAAAAAAAAAAAAAAB"));
    assert_eq!(element["type"], json!("ellipse"));
    assert_eq!(element["x"], json!(5));
    assert_eq!(element["index"], json!("a0"));
}

#[test]
fn missing_file_fails_with_its_name() {
    let output = echostream(&["import", "/nonexistent/scene.excalidraw"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("/nonexistent/scene.excalidraw"),
        "{message}"
    );
}
