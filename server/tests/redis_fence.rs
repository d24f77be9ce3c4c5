//! The connection fence across nodes on one Redis. Once a client's site
//! joins on one node, an older connection of that site on another node
//! can no longer store anything. So the stream has the form of an
//! operation that the live connection is acknowledged for.

mod common;

use std::time::Duration;

use common::process::ServerProcess;
use common::redis::{stored_text, RedisServer};
use common::{dump, hello, Raw};
use echostream::text::TextOp;
use echostream::{LoggedOp, OpId, OpLog, SiteId, VectorClock};
use echostream_server::document_id::DocumentId;
use echostream_server::store::{OpenMode, RedisStore, StoreError};
use serde_json::{json, Value};

/// The close code of a connection that a newer one of its site replaced.
const CLOSE_REPLACED: u16 = 4003;

/// The site that connects twice.
const SITE: &str = "0000000000000401";

fn start_node(redis: &RedisServer) -> ServerProcess {
    ServerProcess::start_with(&["--redis", &redis.url()], &[])
}

/// Returns a submission of `seq` from `site` that inserts `text` at the
/// start of the document at revision `base`.
fn submit(site: &str, seq: u64, base: u64, text: &str) -> Value {
    json!({"type": "submit", "id": {"site": site, "seq": seq}, "base": base, "op": [text]})
}

/// Connects to `node` and joins `doc` as `site` with a snapshot.
async fn join(node: &ServerProcess, doc: &str, site: &str) -> (Raw, Value) {
    let mut raw = Raw::connect(&node.url()).await;
    raw.send(hello(doc, site, None)).await;
    let welcome = raw.recv_type("welcome").await;
    (raw, welcome)
}

/// Waits for the close of a connection that a newer one replaced, and
/// checks that it acknowledged nothing before.
async fn expect_replaced(raw: &mut Raw) {
    loop {
        match raw.recv_or_close().await {
            Ok(message) => assert_ne!(
                message["type"], "ack",
                "the replaced connection's operation was acknowledged: {message}"
            ),
            Err(code) => {
                assert_eq!(code, CLOSE_REPLACED);
                return;
            }
        }
    }
}

/// Returns the document that a new client of `node` gets in its welcome.
async fn welcome_text(node: &ServerProcess, doc: &str, site: &str) -> String {
    let (raw, welcome) = join(node, doc, site).await;
    raw.close().await;
    let snapshot = &welcome["snapshot"];
    assert!(
        snapshot.is_object(),
        "welcome without a snapshot: {welcome}"
    );
    snapshot["document"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_connection_cannot_commit() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = "fence";
    let nodes = [start_node(&redis), start_node(&redis)];
    let site = SiteId(0x401);

    // The client joins through node A, then gives up on that connection
    // without closing it and joins again through node B.
    let (mut stale, _) = join(&nodes[0], doc, SITE).await;
    let (mut live, welcome) = join(&nodes[1], doc, SITE).await;
    assert_eq!(welcome["revision"], 0, "{welcome}");
    assert_eq!(welcome["lastSeq"], 0, "{welcome}");

    // The old connection delivers its first form of (S, 1) late.
    stale.send(submit(SITE, 1, 0, "old")).await;
    expect_replaced(&mut stale).await;

    // The client resends (S, 1) in the form rebased onto the welcome.
    live.send(submit(SITE, 1, 0, "new")).await;
    let ack = live.recv_type("ack").await;
    assert_eq!(ack["revision"], 1, "{ack}");
    live.close().await;

    let (text, ids) = stored_text(&redis.url(), &DocumentId::new(doc).unwrap());
    assert_eq!(text, "new");
    assert_eq!(ids, vec![(site, 1)]);
    assert_eq!(dump(&["--redis", &redis.url()], doc), "new");
    assert_eq!(
        welcome_text(&nodes[0], doc, "0000000000000402").await,
        "new"
    );
    assert_eq!(
        welcome_text(&nodes[1], doc, "0000000000000403").await,
        "new"
    );

    let node_a = &nodes[0];
    let client = format!("client={SITE}");
    for message in [
        "rejected an operation of a replaced connection",
        "replaced a connection",
    ] {
        let logged = node_a.wait_logged(message);
        assert!(logged, "node A did not log {message:?}");
        let lines = node_a.log.lock().unwrap();
        let line = lines.iter().find(|line| line.contains(message)).unwrap();
        assert!(line.contains("doc=fence"), "{line}");
        assert!(line.contains(&client), "{line}");
        assert!(line.contains("conn="), "{line}");
        assert!(!line.contains("old"), "the log shows content: {line}");
    }
}

/// A batch that contains the stale connection's entry and good entries of
/// other sites stores the good ones. Redis pauses writes for a moment, so
/// that the submissions pile up on node A and go out in one batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fenced_batch_keeps_other_sites() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = "mixed";
    let nodes = [start_node(&redis), start_node(&redis)];
    let (site_t, site_u) = ("0000000000000411", "0000000000000412");

    let (mut stale, _) = join(&nodes[0], doc, SITE).await;
    let (mut first, _) = join(&nodes[0], doc, site_t).await;
    let (mut second, _) = join(&nodes[0], doc, site_u).await;
    let (mut live, _) = join(&nodes[1], doc, SITE).await;

    let paused = redis.cli(&["client", "pause", "1000", "write"]);
    assert_eq!(paused.trim(), "OK", "CLIENT PAUSE failed: {paused}");
    first.send(submit(site_t, 1, 0, "t")).await;
    // The first write waits in Redis, so the next two form the next batch.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stale.send(submit(SITE, 1, 0, "old")).await;
    second.send(submit(site_u, 1, 0, "u")).await;

    let ack_t = first.recv_type("ack").await;
    let ack_u = second.recv_type("ack").await;
    expect_replaced(&mut stale).await;
    assert_eq!(ack_t["revision"], 1, "{ack_t}");
    assert_eq!(ack_u["revision"], 2, "{ack_u}");

    live.send(submit(SITE, 1, 0, "new")).await;
    let ack = live.recv_type("ack").await;
    assert_eq!(ack["revision"], 3, "{ack}");

    let (text, ids) = stored_text(&redis.url(), &DocumentId::new(doc).unwrap());
    let expected_ids = vec![(SiteId(0x411), 1), (SiteId(0x412), 1), (SiteId(0x401), 1)];
    assert_eq!(ids, expected_ids);
    assert!(text.contains("new"), "{text:?}");
    assert!(!text.contains("old"), "{text:?}");
    assert_eq!(text.chars().count(), 5, "{text:?}");
    assert_eq!(dump(&["--redis", &redis.url()], doc), text);
    assert_eq!(welcome_text(&nodes[0], doc, "0000000000000413").await, text);
    assert_eq!(welcome_text(&nodes[1], doc, "0000000000000414").await, text);
    assert!(
        nodes[0].wait_logged("rejected an operation of a replaced connection"),
        "node A did not log the rejection"
    );
    // U's operation was waiting when Redis rejected the batch, and was
    // received again without the stale one.
    assert!(
        nodes[0].wait_logged("dropped=1 kept=1"),
        "node A did not receive the other operation again"
    );
    for raw in [first, second, live] {
        raw.close().await;
    }
}

/// The client's resent form gets stored through node B first, and node A
/// has applied it before the old connection delivers its first form. That
/// form is a duplicate on node A, but the connection that sent it was
/// replaced: it must be closed, not acknowledged for an operation of
/// another form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_duplicate_is_not_acknowledged() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = "late";
    let nodes = [start_node(&redis), start_node(&redis)];

    let (mut stale, _) = join(&nodes[0], doc, SITE).await;
    let (mut live, _) = join(&nodes[1], doc, SITE).await;
    live.send(submit(SITE, 1, 0, "new")).await;
    let ack = live.recv_type("ack").await;
    assert_eq!(ack["revision"], 1, "{ack}");

    // A join on node A waits until node A has applied the stream up to
    // revision 1, the head when it took its token.
    let (watcher, welcome) = join(&nodes[0], doc, "0000000000000421").await;
    assert_eq!(welcome["revision"], 1, "{welcome}");

    stale.send(submit(SITE, 1, 0, "old")).await;
    expect_replaced(&mut stale).await;

    let (text, ids) = stored_text(&redis.url(), &DocumentId::new(doc).unwrap());
    assert_eq!(text, "new");
    assert_eq!(ids, vec![(SiteId(0x401), 1)]);
    for raw in [watcher, live] {
        raw.close().await;
    }
}

/// Returns an entry of `site` that inserts `text` at the start.
fn entry(revision: u64, site: SiteId, seq: u64, text: &str) -> LoggedOp<TextOp> {
    LoggedOp {
        revision,
        id: OpId { site, seq },
        clock: VectorClock::new(),
        op: TextOp::insert_at(0, text),
    }
}

/// The append script against the hash of fencing tokens: an entry of an
/// older connection fails the whole batch and is reported with its site,
/// and the other entries go in once it is left out.
#[test]
fn append_rejects_older_token() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let doc = DocumentId::new("tokens").unwrap();
    let (site_s, site_t) = (SiteId(0x401), SiteId(0x411));

    let old = store.fence(&doc, site_s).unwrap();
    assert_eq!((old.token, old.head), (1, 0));
    let mut log = store.open::<TextOp>(&doc, OpenMode::Write).unwrap();
    log.append_fenced(entry(1, site_s, 1, "a"), old.token)
        .unwrap();
    log.sync().unwrap();
    let other = store.fence(&doc, site_t).unwrap();
    assert_eq!((other.token, other.head), (1, 1));
    let new = store.fence(&doc, site_s).unwrap();
    assert_eq!((new.token, new.head), (2, 1));

    log.append_fenced(entry(2, site_t, 1, "b"), other.token)
        .unwrap();
    log.append_fenced(entry(3, site_s, 2, "c"), old.token)
        .unwrap();
    log.append_fenced(entry(4, site_t, 2, "d"), other.token)
        .unwrap();
    match log.sync() {
        Err(StoreError::Fenced { fenced, .. }) => assert_eq!(fenced, vec![(site_s, 2)]),
        other => panic!("expected a fenced append, got {other:?}"),
    }
    assert_eq!(redis.cli(&["xlen", "echostream:{tokens}:log"]).trim(), "1");

    log.append_fenced(entry(2, site_t, 1, "b"), other.token)
        .unwrap();
    log.append_fenced(entry(3, site_t, 2, "d"), other.token)
        .unwrap();
    log.sync().unwrap();
    // The newest connection's entries, and entries without a token (from
    // tools rather than connections), pass the check.
    log.append_fenced(entry(4, site_s, 2, "c"), new.token)
        .unwrap();
    log.append(entry(5, SiteId(0x999), 1, "e")).unwrap();
    log.sync().unwrap();

    let ids: Vec<(SiteId, u64)> = log
        .read_since(0)
        .unwrap()
        .iter()
        .map(|e| (e.id.site, e.id.seq))
        .collect();
    let expected = vec![
        (site_s, 1),
        (site_t, 1),
        (site_t, 2),
        (site_s, 2),
        (SiteId(0x999), 1),
    ];
    assert_eq!(ids, expected);
    let tokens = redis.cli(&["hget", "echostream:{tokens}:fences", &site_s.to_string()]);
    assert_eq!(tokens.trim(), "2");
}
