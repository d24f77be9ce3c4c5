//! `echostream replay --to` types a real editing trace into a live
//! server; the result is read back from a second client and from `dump`.

mod common;

use echostream::text::TextOp;
use echostream::trace::SequentialTrace;
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::config::Limits;
use echostream_server::document_id::DocumentId;
use serde_json::Value;
use sha2::{Digest, Sha256};

const TRACE: &str = "traces/sequential/friendsforever_flat.json.gz";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_server_matches_end_content() {
    let Some(path) = echostream_testdata::data_file(TRACE) else {
        return;
    };
    let trace =
        SequentialTrace::from_json(&echostream_testdata::read_text(TRACE).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        messages_per_second: 100_000,
        ..Limits::default()
    };
    let server = common::start(dir.path(), limits).await;
    let base = format!("ws://{}", server.local_addr());

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_echostream"))
        .arg("replay")
        .arg(&path)
        .args(["--to", &base, "--doc", "friends", "--json"])
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(300), output)
        .await
        .expect("the replay finishes within 300 s")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "replay failed: {stderr}");
    let outcome: Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("{outcome}");

    let expected_sha = hex::encode(Sha256::digest(trace.end_content.as_bytes()));
    assert_eq!(outcome["matchesEndContent"], true);
    assert_eq!(outcome["sha256"], expected_sha);
    assert_eq!(outcome["transactions"], trace.txns.len());
    // Each transaction is one operation, acknowledged before the next.
    let acknowledged = outcome["acknowledged"].as_u64().unwrap();
    assert_eq!(acknowledged, trace.txns.len() as u64);
    assert_eq!(outcome["revision"], acknowledged);
    for key in ["p50", "p90", "p99", "max"] {
        assert!(
            outcome["ackLatencyMs"][key].as_f64().unwrap() > 0.0,
            "{key}"
        );
    }

    let doc = DocumentId::new("friends").unwrap();
    let reader = NativeClient::<TextOp>::connect(&base, &doc, SiteId(0x77))
        .await
        .unwrap();
    assert_eq!(reader.revision(), acknowledged);
    assert!(reader.document().rope() == trace.end_content.as_str());
    reader.close().await.unwrap();
    server.shutdown().await.unwrap();

    let dump = tokio::process::Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(["dump", "--data"])
        .arg(dir.path())
        .args(["--doc", "friends"])
        .output()
        .await
        .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(String::from_utf8(dump.stdout).unwrap() == trace.end_content);
}
