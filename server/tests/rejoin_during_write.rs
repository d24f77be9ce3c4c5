//! A client that joins again while an operation of its previous
//! connection is committed but not stored yet, with the file store.
//!
//! The welcome must account for that operation. Otherwise the client
//! resends it in the form it rebased onto the welcome's snapshot, the
//! server acknowledges that form as a duplicate of the committed one, and
//! the two documents differ when the forms do. The write gate stops the
//! operation's batch so that the join arrives in that window. The same
//! window with Redis ends otherwise: the fence drops the operation.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::redis::RedisServer;
use common::write_gate::WriteGate;
use common::{hello, start, url, Raw, STEP};
use echostream::sync::Client;
use echostream::text::{TextDocument, TextOp};
use echostream::{LoggedOp, SiteId};
use echostream_server::config::{Limits, ServeConfig};
use echostream_server::document_id::DocumentId;
use echostream_server::server::Server;
use echostream_server::store::DocumentKeys;
use serde_json::{json, Value};

/// The close code of a connection that a newer one of its site replaced.
const CLOSE_REPLACED: u16 = 4003;

/// The site that joins again.
const SITE_A: &str = "00000000000000a1";

/// The site that edits while the other is away.
const SITE_B: &str = "00000000000000b2";

const DOC: &str = "rejoin";

fn submit(site: &str, seq: u64, base: u64, op: Value) -> Value {
    json!({"type": "submit", "id": {"site": site, "seq": seq}, "base": base, "op": op})
}

/// What a test has once site A's operation is committed but held before
/// it is stored.
struct HeldInsert {
    gate: WriteGate,
    /// Site A's client state, with its operation in flight.
    client: Client<TextOp>,
    /// Site A's first connection, which the test never reads: the client
    /// lost what the server sent there.
    first: Raw,
    /// Site B's connection.
    peer: Raw,
}

/// Builds the window. Site B types "ab", then replaces the "b" by another
/// "b" in two operations. Meanwhile site A, which saw only "ab", inserts
/// "x" between the two letters. The server commits that insert at
/// revision 4 after the new "b", so the document is "abx", and stops it
/// before storing. By then revision 3 is stored and the history below
/// revision 2 is dropped (`history` 1), so site A's revision 1 gets a
/// snapshot on its next join.
async fn hold_unstored_insert(url: &str) -> HeldInsert {
    let gate = WriteGate::close().await;
    let mut peer = Raw::connect(url).await;
    peer.send(hello(DOC, SITE_B, None)).await;
    peer.recv_type("welcome").await;

    peer.send(submit(SITE_B, 1, 0, json!(["ab"]))).await;
    gate.wait_arrived(1).await;
    gate.release(1);
    assert_eq!(peer.recv_type("ack").await["revision"], 1);

    let mut first = Raw::connect(url).await;
    first.send(hello(DOC, SITE_A, None)).await;
    let welcome = first.recv_type("welcome").await;
    assert_eq!(welcome["snapshot"]["document"], "ab", "{welcome}");
    let site = SITE_A.parse::<SiteId>().unwrap();
    let mut client = Client::new(site, TextDocument::from("ab"), 1);

    peer.send(submit(SITE_B, 2, 1, json!([1, {"d": 1}]))).await;
    gate.wait_arrived(2).await;
    gate.release(2);
    assert_eq!(peer.recv_type("ack").await["revision"], 2);
    peer.send(submit(SITE_B, 3, 2, json!([1, "b"]))).await;
    gate.wait_arrived(3).await;

    // Site A's insert commits while revision 3 is being stored. Its
    // presence reaches site B after the submission was handled, since
    // one connection's messages are handled in order.
    client.apply_local(TextOp::insert_at(1, "x")).unwrap();
    let submission = client.next_submission().unwrap();
    first
        .send(
            json!({"type": "submit", "id": submission.id, "base": submission.base,
                      "clock": submission.clock, "op": submission.op}),
        )
        .await;
    let presence = json!({"selections": [{"anchor": 2, "head": 2}]});
    first
        .send(json!({"type": "presence", "revision": 1, "presence": presence}))
        .await;
    peer.recv_type("presence").await;

    gate.release(3);
    assert_eq!(peer.recv_type("ack").await["revision"], 3);
    gate.wait_arrived(4).await;
    HeldInsert {
        gate,
        client,
        first,
        peer,
    }
}

/// Applies a welcome to the client state of a reconnecting client, as
/// the package's client does.
fn apply_welcome(client: &mut Client<TextOp>, welcome: &Value) {
    client.reconnect();
    let revision = welcome["revision"].as_u64().unwrap();
    let last_seq = welcome["lastSeq"].as_u64().unwrap();
    if welcome["snapshot"].is_object() {
        let text = welcome["snapshot"]["document"].as_str().unwrap();
        client
            .rebase_onto_snapshot(TextDocument::from(text), revision, last_seq)
            .unwrap();
        return;
    }
    for entry in welcome["ops"].as_array().unwrap() {
        let entry: LoggedOp<TextOp> = serde_json::from_value(entry.clone()).unwrap();
        if entry.id.site == client.site() {
            client.acknowledge(entry.id, entry.revision).unwrap();
        } else {
            client.receive_remote(entry).unwrap();
        }
    }
}

/// Returns the document that a new client gets in its welcome.
async fn stored_text(url: &str) -> String {
    let mut raw = Raw::connect(url).await;
    raw.send(hello(DOC, "00000000000000c3", None)).await;
    let welcome = raw.recv_type("welcome").await;
    raw.close().await;
    welcome["snapshot"]["document"].as_str().unwrap().to_owned()
}

/// The server's log lines, kept by a subscriber installed in place of
/// the one of [`start`], which writes to the test output. Every test of
/// this binary writes to it.
static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps the server's log lines at level info and above in [`LOG`].
fn capture_logs() {
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&log);
        tracing_subscriber::fmt()
            .with_env_filter("echostream_server=info")
            .with_ansi(false)
            .with_writer(move || LogWriter(Arc::clone(&shared)))
            .init();
        log
    });
}

/// Returns the captured log lines that contain `text`.
fn logged(text: &str) -> Vec<String> {
    let log = LOG.get().expect("logs are captured");
    let bytes = log.lock().unwrap();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| line.contains(text))
        .map(str::to_owned)
        .collect()
}

fn small_history() -> Limits {
    Limits {
        history: 1,
        ..Limits::default()
    }
}

/// Joins site A again at revision 1 on a new connection, checks that the
/// join closed `first` with 4003 at once, and returns the new connection.
async fn rejoin_replacing(url: &str, first: &mut Raw) -> Raw {
    let mut second = Raw::connect(url).await;
    second.send(hello(DOC, SITE_A, Some(1))).await;
    let (code, _) = first.expect_close().await;
    assert_eq!(code, CLOSE_REPLACED);
    second
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejoin_accounts_for_unstored_operation() {
    capture_logs();
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), small_history()).await;
    let url = url(&server);
    let HeldInsert {
        gate,
        mut client,
        mut first,
        peer,
    } = hold_unstored_insert(&url).await;

    // Site A lost its connection at revision 1 and joins again. The join
    // fences the first connection out at once.
    let mut second = rejoin_replacing(&url, &mut first).await;

    gate.release(4);
    let welcome = second.recv_type("welcome").await;
    assert_eq!(welcome["revision"], 4, "{welcome}");
    assert_eq!(welcome["lastSeq"], 1, "{welcome}");
    assert_eq!(welcome["snapshot"]["revision"], 4, "{welcome}");
    assert_eq!(welcome["snapshot"]["document"], "abx", "{welcome}");
    // The replaced connection's presence left with it.
    assert_eq!(welcome["presence"], json!([]), "{welcome}");

    apply_welcome(&mut client, &welcome);
    if let Some(resent) = client.next_submission() {
        second
            .send(
                json!({"type": "submit", "id": resent.id, "base": resent.base,
                         "clock": resent.clock, "op": resent.op}),
            )
            .await;
        let ack = second.recv_type("ack").await;
        let revision = ack["revision"].as_u64().unwrap();
        client.acknowledge(resent.id, revision).unwrap();
    }
    assert!(!client.has_pending());
    assert_eq!(client.document().to_string(), "abx");
    assert_eq!(client.revision(), 4);

    gate.open();
    assert_eq!(stored_text(&url).await, "abx");

    let client = format!("client={SITE_A}");
    for message in [
        "join waits until the client's committed operations are stored",
        "the client's committed operations are stored; welcoming its join",
    ] {
        let lines = logged(message);
        assert!(!lines.is_empty(), "the server did not log {message:?}");
        for line in lines {
            assert!(line.contains("doc=rejoin"), "{line}");
            assert!(line.contains(&client), "{line}");
            assert!(line.contains("conn="), "{line}");
        }
    }
    second.close().await;
    peer.close().await;
    server.shutdown().await.unwrap();
    drop(gate);
}

/// A join that waits longer than the server's 10 s for the operations of
/// its site to be stored gets `unavailable`, and a later hello on the same
/// connection succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejoin_wait_times_out() {
    capture_logs();
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), small_history()).await;
    let url = url(&server);
    let HeldInsert {
        gate,
        mut client,
        mut first,
        peer,
    } = hold_unstored_insert(&url).await;

    let mut second = rejoin_replacing(&url, &mut first).await;
    let error = second.recv_within(Duration::from_secs(20)).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["code"], "unavailable", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(DOC), "{message}");
    assert!(message.contains("10 s"), "{message}");
    let timed_out = logged("join timed out waiting for the client's committed operations");
    assert_eq!(timed_out.len(), 1, "{timed_out:?}");
    assert!(timed_out[0].contains("doc=rejoin"), "{}", timed_out[0]);
    assert!(timed_out[0].contains("unstored=1"), "{}", timed_out[0]);

    gate.release(4);
    second.send(hello(DOC, SITE_A, Some(1))).await;
    let welcome = second.recv_type("welcome").await;
    assert_eq!(welcome["lastSeq"], 1, "{welcome}");
    apply_welcome(&mut client, &welcome);
    assert!(!client.has_pending());
    assert_eq!(client.document().to_string(), "abx");

    gate.open();
    second.close().await;
    peer.close().await;
    server.shutdown().await.unwrap();
    drop(gate);
}

/// Two joins of site A wait for the same unstored operation. Both are
/// welcomed once it is stored, in the order they arrived, so the newer
/// join replaces the older one and is the connection that stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rejoins_wait_for_one_write() {
    capture_logs();
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), small_history()).await;
    let url = url(&server);
    let HeldInsert {
        gate,
        mut client,
        mut first,
        peer,
    } = hold_unstored_insert(&url).await;

    let mut second = rejoin_replacing(&url, &mut first).await;
    let mut third = Raw::connect(&url).await;
    third.send(hello(DOC, SITE_A, Some(1))).await;

    gate.release(4);
    let welcome = third.recv_type("welcome").await;
    assert_eq!(welcome["revision"], 4, "{welcome}");
    assert_eq!(welcome["lastSeq"], 1, "{welcome}");
    assert_eq!(welcome["snapshot"]["document"], "abx", "{welcome}");
    let (code, skipped) = second.expect_close().await;
    assert_eq!(code, CLOSE_REPLACED, "{skipped:?}");

    // The connection that stays takes edits.
    apply_welcome(&mut client, &welcome);
    assert!(client.next_submission().is_none());
    client.apply_local(TextOp::insert_at(3, "y")).unwrap();
    let edit = client.next_submission().unwrap();
    third
        .send(json!({"type": "submit", "id": edit.id, "base": edit.base,
                     "clock": edit.clock, "op": edit.op}))
        .await;
    gate.open();
    assert_eq!(third.recv_type("ack").await["revision"], 5);
    assert_eq!(stored_text(&url).await, "abxy");

    third.close().await;
    peer.close().await;
    server.shutdown().await.unwrap();
    drop(gate);
}

/// Waits until Redis has handed site A's connection number `token` its
/// fencing token for the document.
async fn wait_for_token(redis_url: &str, token: u64) {
    let keys = DocumentKeys::new(&DocumentId::new(DOC).unwrap());
    let mut connection = redis::Client::open(redis_url)
        .unwrap()
        .get_connection()
        .unwrap();
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let newest: Option<u64> = redis::cmd("HGET")
            .arg(&keys.fences)
            .arg(SITE_A)
            .query(&mut connection)
            .unwrap();
        if newest >= Some(token) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "site A's token is {newest:?}, not {token}, after {STEP:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// With Redis the join does not wait for the operation: its fencing token
/// makes the append of the older connection's batch fail, so the
/// operation is dropped, and the form the client resends is the one
/// stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_rejoin_drops_unstored_operation() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    capture_logs();
    let data = tempfile::tempdir().unwrap();
    let mut config = ServeConfig::loopback(data.path());
    config.redis_url = Some(redis.url());
    config.limits = small_history();
    let server = Server::start(config).await.unwrap();
    let url = url(&server);
    let HeldInsert {
        gate,
        mut client,
        mut first,
        peer,
    } = hold_unstored_insert(&url).await;

    let mut second = Raw::connect(&url).await;
    second.send(hello(DOC, SITE_A, Some(1))).await;
    wait_for_token(&redis.url(), 2).await;
    gate.release(4);
    let (code, _) = first.expect_close().await;
    assert_eq!(code, CLOSE_REPLACED);
    let welcome = second.recv_type("welcome").await;
    assert_eq!(welcome["revision"], 3, "{welcome}");
    assert_eq!(welcome["lastSeq"], 0, "{welcome}");
    assert_eq!(welcome["snapshot"]["document"], "ab", "{welcome}");

    gate.open();
    apply_welcome(&mut client, &welcome);
    let resent = client.next_submission().unwrap();
    second
        .send(
            json!({"type": "submit", "id": resent.id, "base": resent.base,
                     "clock": resent.clock, "op": resent.op}),
        )
        .await;
    let ack = second.recv_type("ack").await;
    assert_eq!(ack["revision"], 4, "{ack}");
    client.acknowledge(resent.id, 4).unwrap();
    assert_eq!(client.document().to_string(), "axb");
    assert_eq!(stored_text(&url).await, "axb");
    second.close().await;
    peer.close().await;
    server.shutdown().await.unwrap();
    drop(gate);
}
