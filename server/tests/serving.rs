//! The server around the documents: HTTP routes, metrics, presence, slow
//! clients, idle documents and shutdown.

mod common;

use std::time::Duration;

use common::{join, Raw};
use echostream::text::TextOp;
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::config::{Limits, ServeConfig};
use echostream_server::document_id::DocumentId;
use echostream_server::server::Server;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Sends a plain HTTP/1.1 GET and returns the status line and the body.
async fn get(server: &Server, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let status = response.lines().next().unwrap().to_owned();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

#[tokio::test]
async fn health_metrics_and_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let (status, body) = get(&server, "/healthz").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, "ok\n");

    let (status, body) = get(&server, "/").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("The web demo is not built"), "{body}");

    let (mut raw, _) = join(&common::url(&server), "metered", "00000000000000a1").await;
    raw.send(
        json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 1},
                    "base": 0, "op": ["hi"]}),
    )
    .await;
    assert_eq!(raw.recv().await["type"], "ack");
    raw.send(
        json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 2},
                    "base": 1, "op": [9, "x"]}),
    )
    .await;
    raw.expect_error("invalid_operation").await;

    let (status, metrics) = get(&server, "/metrics").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    for line in [
        "echostream_connections 1",
        "echostream_documents 1",
        "echostream_operations_accepted_total 1",
        "echostream_operations_rejected_total{code=\"invalid_operation\"} 1",
        "echostream_submit_to_broadcast_seconds_count 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing {line:?} in:\n{metrics}"
        );
    }
    raw.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn static_files_from_the_configured_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<p>demo page</p>").unwrap();
    let mut config = ServeConfig::loopback(dir.path());
    config.static_dir = site.path().to_owned();
    let server = Server::start(config).await.unwrap();
    let (status, body) = get(&server, "/").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, "<p>demo page</p>");
    let (status, _) = get(&server, "/missing.js").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    // A path that climbs out of the folder is not served.
    let (status, _) = get(&server, "/../../etc/passwd").await;
    assert_ne!(status, "HTTP/1.1 200 OK");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn presence_moves_with_operations() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let (mut alice, _) = join(&url, "cursors", "00000000000000a1").await;
    let (mut bob, _) = join(&url, "cursors", "00000000000000b2").await;

    alice
        .send(
            json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 1},
                     "base": 0, "op": ["hello"]}),
        )
        .await;
    assert_eq!(alice.recv().await["type"], "ack");
    assert_eq!(bob.recv().await["revision"], 1);

    // Alice's cursor after "hel", then Bob inserts before it at revision 1.
    alice
        .send(json!({"type": "presence", "revision": 1,
                     "presence": {"selections": [{"anchor": 3, "head": 3}]}}))
        .await;
    let seen = bob.recv().await;
    assert_eq!(
        seen,
        json!({"type": "presence", "site": "00000000000000a1", "revision": 1,
               "presence": {"selections": [{"anchor": 3, "head": 3}]}})
    );
    bob.send(
        json!({"type": "submit", "id": {"site": "00000000000000b2", "seq": 1},
                    "base": 1, "op": ["ab"]}),
    )
    .await;
    assert_eq!(bob.recv().await["type"], "ack");

    // A presence sent against revision 1 moves past Bob's insert too.
    alice
        .send(json!({"type": "presence", "revision": 1,
                     "presence": {"selections": [{"anchor": 0, "head": 5}]}}))
        .await;
    let moved = bob.recv().await;
    assert_eq!(moved["revision"], 2);
    assert_eq!(
        moved["presence"]["selections"],
        json!([{"anchor": 2, "head": 7}])
    );

    // A new client gets Alice's presence at the head.
    let (mut carol, welcome) = join(&url, "cursors", "00000000000000c3").await;
    assert_eq!(welcome["revision"], 2);
    assert_eq!(
        welcome["presence"],
        json!([{"site": "00000000000000a1", "presence": {"selections": [{"anchor": 2, "head": 7}]}}])
    );

    // Presence goes away with the connection.
    alice.close().await;
    let cleared = carol.recv_type("presence").await;
    assert_eq!(cleared["site"], "00000000000000a1");
    assert_eq!(cleared["presence"], json!(null));
    bob.close().await;
    carol.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn presence_user_relayed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let (mut alice, _) = join(&url, "users", "00000000000000a1").await;
    let (mut bob, _) = join(&url, "users", "00000000000000b2").await;

    let user = json!({"name": "Alice Ö", "color": "#1E90ff"});
    alice
        .send(json!({"type": "presence", "revision": 0,
                     "presence": {"selections": [], "user": user}}))
        .await;
    let seen = bob.recv().await;
    assert_eq!(seen["presence"]["user"], user);

    let long_name = "n".repeat(65);
    let cases = [
        (
            json!({"name": long_name, "color": "#000000"}),
            format!("presence user name \"{long_name}\" has 65 characters: expected 1 to 64"),
        ),
        (
            json!({"name": "Alice", "color": "#abc"}),
            "presence user color \"#abc\" is invalid: expected #rrggbb with 6 hexadecimal digits"
                .to_owned(),
        ),
    ];
    for (user, expected) in cases {
        alice
            .send(json!({"type": "presence", "revision": 0,
                         "presence": {"selections": [], "user": user}}))
            .await;
        let error = alice.expect_error("invalid_message").await;
        assert_eq!(error["message"], expected);
    }

    // The rejected presence changed nothing: a new client sees the valid one.
    let (_, welcome) = join(&url, "users", "00000000000000c3").await;
    assert_eq!(
        welcome["presence"][0]["presence"]["user"]["name"],
        "Alice Ö"
    );
    alice.close().await;
    bob.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_client_is_told_to_resync() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        client_queue: 4,
        history: 2,
        ..Limits::default()
    };
    let server = common::start(dir.path(), limits).await;
    let url = common::url(&server);
    let doc = DocumentId::new("slow").unwrap();
    let mut slow = NativeClient::<TextOp>::connect(&url, &doc, SiteId(0x51))
        .await
        .unwrap();
    let mut fast = NativeClient::<TextOp>::connect(&url, &doc, SiteId(0xfa))
        .await
        .unwrap();

    // The slow client reads nothing while large operations pile up in its
    // socket buffers and then in its queue on the server.
    let block = "z".repeat(200_000);
    let mut rounds = 0;
    while server.metrics().clients_lagged.get() == 0 {
        assert!(rounds < 500, "the slow client was never dropped");
        let pos = fast.document().len();
        fast.edit(TextOp::insert_at(pos, &block)).await.unwrap();
        fast.flush(TIMEOUT).await.unwrap();
        rounds += 1;
    }
    let head = fast.revision();
    slow.sync_to(head, TIMEOUT).await.unwrap();
    assert_eq!(slow.document(), fast.document());
    assert!(slow.errors().is_empty(), "{:?}", slow.errors());

    // The resynced client edits normally again.
    slow.edit(TextOp::insert_at(0, "after")).await.unwrap();
    slow.flush(TIMEOUT).await.unwrap();
    fast.sync_to(head + 1, TIMEOUT).await.unwrap();
    assert_eq!(slow.document(), fast.document());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_document_unloads_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        idle_secs: 1,
        ..Limits::default()
    };
    let server = common::start(dir.path(), limits).await;
    let url = common::url(&server);
    let doc = DocumentId::new("idle").unwrap();
    let mut client = NativeClient::<TextOp>::connect(&url, &doc, SiteId(1))
        .await
        .unwrap();
    client.edit(TextOp::insert_at(0, "kept")).await.unwrap();
    client.flush(TIMEOUT).await.unwrap();
    client.close().await.unwrap();
    assert_eq!(server.open_documents(), 1);

    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while server.open_documents() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle document never unloaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.metrics().documents.get(), 0);

    let again = NativeClient::<TextOp>::connect(&url, &doc, SiteId(2))
        .await
        .unwrap();
    assert_eq!(again.revision(), 1);
    assert_eq!(again.document().to_string(), "kept");
    again.close().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_acknowledges_then_closes_with_1001() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let (mut raw, _) = join(&url, "closing", "00000000000000a1").await;
    let mut idle = Raw::connect(&url).await;
    raw.send(
        json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 1},
                    "base": 0, "op": ["last words"]}),
    )
    .await;
    // Wait until the server has read the submission, so that shutdown
    // owes it an acknowledgement.
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while server.metrics().operations_accepted.get() == 0 {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopping = tokio::spawn(server.shutdown());

    let (code, before_close) = raw.expect_close().await;
    assert_eq!(code, 1001);
    assert_eq!(
        before_close,
        [json!({"type": "ack", "id": {"site": "00000000000000a1", "seq": 1}, "revision": 1})]
    );
    let (code, _) = idle.expect_close().await;
    assert_eq!(code, 1001);
    stopping.await.unwrap().unwrap();

    let server = common::start(dir.path(), Limits::default()).await;
    let (_, welcome) = join(&common::url(&server), "closing", "00000000000000b2").await;
    assert_eq!(welcome["snapshot"]["document"], "last words");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn welcome_names_last_committed_seq() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let (mut alice, welcome) = join(&url, "last-seq", "00000000000000a1").await;
    assert_eq!(welcome["lastSeq"], 0);

    for seq in 1..=2 {
        alice
            .send(
                json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": seq},
                         "base": seq - 1, "op": ["x"]}),
            )
            .await;
        assert_eq!(alice.recv().await["type"], "ack");
    }
    alice.close().await;

    // A snapshot welcome names the last operation of the site it contains.
    let (again, welcome) = join(&url, "last-seq", "00000000000000a1").await;
    assert_eq!(welcome["snapshot"]["document"], "xx");
    assert_eq!(welcome["lastSeq"], 2);
    let (other, welcome) = join(&url, "last-seq", "00000000000000b2").await;
    assert_eq!(welcome["lastSeq"], 0);
    again.close().await;
    other.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn newer_connection_replaces_older() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let (mut old, _) = join(&url, "replaced", "00000000000000a1").await;
    let (mut new, _) = join(&url, "replaced", "00000000000000a1").await;

    // The old connection's client gave up on it: a submission it still
    // delivers must not commit, or the resend under the same id below
    // would be acknowledged as a duplicate of the other content.
    old.send(
        json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 1},
                    "base": 0, "op": ["old"]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    new.send(
        json!({"type": "submit", "id": {"site": "00000000000000a1", "seq": 1},
                    "base": 0, "op": ["new"]}),
    )
    .await;
    let ack = new.recv_type("ack").await;
    assert_eq!(ack["revision"], 1);
    let (reader, welcome) = join(&url, "replaced", "00000000000000b2").await;
    assert_eq!(welcome["revision"], 1);
    assert_eq!(welcome["snapshot"]["document"], "new");
    let (code, _) = old.expect_close().await;
    assert_eq!(code, 4003);
    new.close().await;
    reader.close().await;
    server.shutdown().await.unwrap();
}
