//! Bad input from clients: each case gets its error (or a close code, for
//! abuse), the document and its log stay unchanged, and the server goes on
//! serving everyone else.

mod common;

use std::path::Path;

use common::{hello, join, Raw};
use echostream::text::TextOp;
use echostream::{OpLog, SiteId};
use echostream_server::client::NativeClient;
use echostream_server::config::Limits;
use echostream_server::document_id::DocumentId;
use echostream_server::server::Server;
use echostream_server::store::{FileStore, OpenMode};
use serde_json::json;

const SITE: &str = "00000000000000a1";
const OTHER: &str = "00000000000000b2";

/// Starts a server whose document `doc` contains "abc" at revision 1.
async fn server_with_abc(data: &Path, limits: Limits) -> Server {
    let server = common::start(data, limits).await;
    let (mut raw, _) = join(&common::url(&server), "doc", OTHER).await;
    raw.send(submit(OTHER, 1, 0, json!(["abc"]))).await;
    let ack = raw.recv().await;
    assert_eq!(
        ack,
        json!({"type": "ack", "id": {"site": OTHER, "seq": 1}, "revision": 1})
    );
    raw.close().await;
    server
}

fn submit(site: &str, seq: u64, base: u64, op: serde_json::Value) -> serde_json::Value {
    json!({"type": "submit", "id": {"site": site, "seq": seq}, "base": base, "op": op})
}

/// Checks that the document is "abc" at revision 1 for a new client,
/// that another client can still edit it, and, after shutdown, that the
/// log contains exactly those two operations.
async fn assert_unchanged_and_serving(server: Server, data: &Path) {
    let url = common::url(&server);
    let (mut raw, welcome) = join(&url, "doc", "00000000000000c3").await;
    assert_eq!(welcome["revision"], 1);
    assert_eq!(welcome["snapshot"]["document"], "abc");
    raw.send(submit("00000000000000c3", 1, 1, json!([3, "d"])))
        .await;
    let ack = raw.recv().await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["revision"], 2);
    raw.close().await;
    server.shutdown().await.unwrap();

    let store = FileStore::new(data, false).unwrap();
    let doc = DocumentId::new("doc").unwrap();
    let log = store.open::<TextOp>(&doc, OpenMode::Read).unwrap();
    assert_eq!(log.head(), 2);
    let ops: Vec<_> = log
        .read_since(0)
        .unwrap()
        .into_iter()
        .map(|e| e.op)
        .collect();
    assert_eq!(
        ops,
        [TextOp::insert_at(0, "abc"), TextOp::insert_at(3, "d")]
    );
}

#[tokio::test]
async fn malformed_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;
    raw.send_text("{\"type\": \"submit\", ").await;
    let error = raw.expect_error("malformed_json").await;
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid JSON: EOF while parsing"),
        "{message}"
    );
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn malformed_json_before_hello() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    raw.send_text("not json").await;
    raw.expect_error("malformed_json").await;
    // The connection may still join.
    raw.send(hello("doc", SITE, None)).await;
    assert_eq!(raw.recv().await["type"], "welcome");
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn unknown_message_type() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;
    raw.send(json!({"type": "shout", "text": "hi"})).await;
    let error = raw.expect_error("unknown_type").await;
    assert_eq!(
        error["message"],
        "unknown message type \"shout\": expected one of hello, submit, presence"
    );
    raw.send(json!({"op": [1]})).await;
    raw.expect_error("unknown_type").await;
    raw.send(json!([1, 2])).await;
    raw.expect_error("invalid_message").await;
    raw.send_binary(vec![1, 2, 3]).await;
    raw.expect_error("invalid_message").await;
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn document_of_wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    let mut board_hello = hello("doc", SITE, None);
    board_hello["docType"] = json!("board");
    raw.send(board_hello).await;
    let error = raw.expect_error("wrong_document_type").await;
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("text"), "{message}");
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn revision_above_head() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    raw.send(hello("doc", SITE, Some(7))).await;
    let error = raw.expect_error("revision_ahead").await;
    assert_eq!(
        error["message"],
        "revision 7 is above the head revision 1 of document doc"
    );

    raw.send(hello("doc", SITE, Some(1))).await;
    let welcome = raw.recv().await;
    assert_eq!(welcome["ops"], json!([]));
    raw.send(submit(SITE, 1, 9, json!(["x"]))).await;
    let error = raw.expect_error("revision_ahead").await;
    assert_eq!(error["id"], json!({"site": SITE, "seq": 1}));
    assert_eq!(
        error["message"],
        "base revision 9 is above the head revision 1"
    );
    raw.send(json!({"type": "presence", "revision": 5, "presence": {"selections": []}}))
        .await;
    raw.expect_error("revision_ahead").await;
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn invalid_operation() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;
    raw.send(submit(SITE, 1, 1, json!([10, "x"]))).await;
    let error = raw.expect_error("invalid_operation").await;
    assert_eq!(error["id"], json!({"site": SITE, "seq": 1}));
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("operation spans 10 code points but the document has 3"),
        "{message}"
    );

    // A delete whose text does not match.
    raw.send(submit(SITE, 1, 1, json!([{"d": "xyz"}]))).await;
    raw.expect_error("invalid_operation").await;
    // An operation that is not a text operation at all.
    raw.send(submit(SITE, 1, 1, json!({"shape": 1}))).await;
    raw.expect_error("invalid_message").await;
    // An operation id of another site.
    raw.send(submit(OTHER, 2, 1, json!(["x"]))).await;
    let error = raw.expect_error("invalid_message").await;
    assert_eq!(
        error["message"],
        format!("operation {OTHER}:2 does not belong to this connection's site {SITE}")
    );
    // A sequence number that skips ahead.
    raw.send(submit(SITE, 5, 1, json!(["x"]))).await;
    raw.expect_error("sequence_gap").await;
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn message_over_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_message_bytes: 1024,
        ..Limits::default()
    };
    let server = server_with_abc(dir.path(), limits).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;
    let big = submit(SITE, 1, 1, json!([3, "y".repeat(2000)])).to_string();
    let size = big.len();
    raw.send_text(big).await;
    let error = raw.expect_error("too_large").await;
    assert_eq!(
        error["message"],
        format!("message of {size} bytes exceeds the limit of 1024 bytes")
    );

    // Past 4 times the limit the server closes the connection.
    raw.send(submit(SITE, 1, 1, json!([3, "y".repeat(5000)])))
        .await;
    let (code, _) = raw.expect_close().await;
    assert_eq!(code, 1009);
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn flood_above_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        messages_per_second: 2,
        message_burst: 5,
        abuse_limit: 30,
        ..Limits::default()
    };
    let server = server_with_abc(dir.path(), limits).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;

    // Presence updates change nothing stored, so the flood is harmless
    // apart from its rate.
    for _ in 0..60 {
        raw.send(json!({"type": "presence", "revision": 1, "presence": null}))
            .await;
    }
    let (code, messages) = raw.expect_close().await;
    assert_eq!(code, 1008);

    let limited: Vec<_> = messages
        .iter()
        .filter(|m| m["code"] == "rate_limited")
        .collect();
    assert_eq!(
        limited.len(),
        1,
        "one rate_limited error a second: {messages:?}"
    );
    let message = limited[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("more than 2 messages per second (burst 5)"),
        "{message}"
    );
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn invalid_document_ids_stay_inside_the_data_folder() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let server = server_with_abc(&data, Limits::default()).await;
    let url = common::url(&server);
    let cases = [
        ("../escape", "character '/' at byte 2"),
        ("..", "it must not start with '.'"),
        ("/etc/passwd", "character '/' at byte 0"),
        ("a\\b", "character '\\\\' at byte 1"),
        ("", "it is empty"),
    ];
    for (id, expected) in cases {
        let mut raw = Raw::connect(&url).await;
        raw.send(hello(id, SITE, None)).await;
        let error = raw.expect_error("invalid_document_id").await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(expected), "id {id:?}: {message}");
        raw.close().await;
    }
    let mut raw = Raw::connect(&url).await;
    raw.send(hello(&"x".repeat(129), SITE, None)).await;
    raw.expect_error("invalid_document_id").await;

    let outside: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        outside,
        ["data"],
        "nothing was created beside the data folder"
    );
    let docs: Vec<_> = std::fs::read_dir(data.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(docs, ["doc"]);
    assert_unchanged_and_serving(server, &data).await;
}

#[tokio::test]
async fn unsupported_version_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    let mut old = hello("doc", SITE, None);
    old["version"] = json!(2);
    raw.send(old).await;
    let error = raw.expect_error("unsupported_version").await;
    assert_eq!(
        error["message"],
        "unsupported protocol version 2: this server speaks version 1"
    );
    let (code, _) = raw.expect_close().await;
    assert_eq!(code, 4000);
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn messages_before_and_after_joining() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    raw.send(submit(SITE, 1, 1, json!(["x"]))).await;
    raw.expect_error("not_joined").await;
    raw.send(hello("doc", SITE, None)).await;
    assert_eq!(raw.recv().await["type"], "welcome");
    raw.send(hello("doc", SITE, None)).await;
    raw.expect_error("already_joined").await;
    let mut missing = hello("doc", SITE, None);
    missing.as_object_mut().unwrap().remove("site");
    raw.send(missing).await;
    raw.expect_error("invalid_message").await;
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn hello_with_missing_field() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let mut raw = Raw::connect(&common::url(&server)).await;
    let mut missing = hello("doc", SITE, None);
    missing.as_object_mut().unwrap().remove("site");
    raw.send(missing).await;
    let error = raw.expect_error("invalid_message").await;
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("missing field `site`"), "{message}");
    assert_unchanged_and_serving(server, dir.path()).await;
}

#[tokio::test]
async fn fast_client_is_slowed_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        messages_per_second: 40,
        message_burst: 5,
        ..Limits::default()
    };
    let server = common::start(dir.path(), limits).await;
    let doc = DocumentId::new("paced").unwrap();
    let url = common::url(&server);
    let mut client = NativeClient::<TextOp>::connect(&url, &doc, SiteId(0x5a))
        .await
        .unwrap();

    // Each edit waits for its acknowledgement, as an editor does, but the
    // edits come faster than 40 a second.
    let started = std::time::Instant::now();
    for _ in 0..30 {
        let pos = client.document().len();
        client.edit(TextOp::insert_at(pos, "x")).await.unwrap();
        client.flush(common::STEP).await.unwrap();
    }
    assert_eq!(client.revision(), 30);
    assert_eq!(client.document().to_string(), "x".repeat(30));
    assert!(client.errors().is_empty(), "{:?}", client.errors());
    assert!(
        client.rate_limited() >= 1,
        "the client was told it was slowed"
    );
    // 30 messages at 40 a second after a burst of 5 take over 0.5 s.
    assert!(started.elapsed() >= std::time::Duration::from_millis(500));
    assert!(server.metrics().messages_delayed.get() >= 20);
    client.close().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn presence_past_end_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_abc(dir.path(), Limits::default()).await;
    let (mut raw, _) = join(&common::url(&server), "doc", SITE).await;
    raw.send(json!({"type": "presence", "revision": 1,
                    "presence": {"selections": [{"anchor": 0, "head": 1}, {"anchor": 9, "head": 2}]}}))
        .await;
    let error = raw.expect_error("invalid_message").await;
    assert_eq!(
        error["message"],
        "presence selection 1 (9..2) is past the end of the document, which has 3 code points"
    );

    // A cursor at the end of the text is valid: the next reply is the
    // error for the presence after it.
    raw.send(json!({"type": "presence", "revision": 1,
                    "presence": {"selections": [{"anchor": 3, "head": 3}]}}))
        .await;
    raw.send(json!({"type": "presence", "revision": 1,
                    "presence": {"selections": [{"anchor": 4, "head": 4}]}}))
        .await;
    let error = raw.expect_error("invalid_message").await;
    assert_eq!(
        error["message"],
        "presence selection 0 (4..4) is past the end of the document, which has 3 code points"
    );
    assert_unchanged_and_serving(server, dir.path()).await;
}
