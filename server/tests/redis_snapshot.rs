//! Snapshots in Redis under running nodes: with `--snapshot-every 3
//! --history 2` the stream is trimmed behind the snapshots, and late or
//! returning clients join from a snapshot. A snapshot whose data is
//! garbage is replaced by replaying the stream when it still starts at
//! revision 1, and fails the load, naming the key, when it does not.

mod common;

use std::time::Duration;

use common::process::ServerProcess;
use common::redis::RedisServer;
use common::{dump_output, hello, stdout_of, Raw};
use echostream::text::TextOp;
use echostream::{OpLog, SiteId};
use echostream_server::client::NativeClient;
use echostream_server::document_id::DocumentId;
use echostream_server::store::{OpenMode, RedisStore};

const TIMEOUT: Duration = Duration::from_secs(30);
const SNAPSHOT_ARGS: [&str; 4] = ["--snapshot-every", "3", "--history", "2"];

/// Returns the revision of the stream entry id `r-0` that `redis-cli`
/// printed first in `reply`.
fn first_revision(reply: &str) -> u64 {
    let id = reply.lines().next().expect("an entry id");
    id.strip_suffix("-0").unwrap().parse().unwrap()
}

/// Appends `text` at the end of the client's document and waits for the
/// acknowledgement.
async fn append(client: &mut NativeClient<TextOp>, text: &str) {
    let end = client.document().len();
    client.edit(TextOp::insert_at(end, text)).await.unwrap();
    client.flush(TIMEOUT).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_snapshot_and_trim() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let store_args = ["--redis", url.as_str()];
    let mut nodes = vec![
        ServerProcess::start_with(&store_args, &SNAPSHOT_ARGS),
        ServerProcess::start_with(&store_args, &SNAPSHOT_ARGS),
    ];
    let doc = DocumentId::new("trimmed").unwrap();
    let mut a = NativeClient::<TextOp>::connect(&nodes[0].url(), &doc, SiteId(0x700))
        .await
        .unwrap();
    let mut b = NativeClient::<TextOp>::connect(&nodes[1].url(), &doc, SiteId(0x701))
        .await
        .unwrap();
    append(&mut a, "a").await;
    // Node 1 has applied revision 1 once its client has it.
    b.sync_to(1, TIMEOUT).await.unwrap();
    // This client stops reading at revision 1 and comes back at the end.
    let mut returning = NativeClient::<TextOp>::connect(&nodes[1].url(), &doc, SiteId(0x702))
        .await
        .unwrap();
    assert_eq!(returning.revision(), 1);

    // Twelve operations in turn through both nodes.
    for round in 1..12u64 {
        let (writer, reader) = if round % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        writer.sync_to(round, TIMEOUT).await.unwrap();
        append(writer, &round.to_string()).await;
        reader.sync_to(round + 1, TIMEOUT).await.unwrap();
    }
    let text = "a1234567891011";
    assert_eq!(a.document().to_string(), text);
    assert_eq!(b.document().to_string(), text);

    let log_key = "echostream:{trimmed}:log";
    let snapshot_key = "echostream:{trimmed}:snapshot";
    let xlen: u64 = redis.cli(&["xlen", log_key]).trim().parse().unwrap();
    let snapshot: u64 = redis
        .cli(&["hget", snapshot_key, "revision"])
        .trim()
        .parse()
        .unwrap();
    let first = first_revision(&redis.cli(&["xrange", log_key, "-", "+", "count", "1"]));
    println!("stream length {xlen}, first entry {first}, snapshot at {snapshot}");
    assert!(xlen <= 12 - 3, "the stream was not trimmed: {xlen} entries");
    assert_eq!(first + xlen - 1, 12, "the stream does not end at 12");
    assert!(
        first <= snapshot + 1,
        "entries between the snapshot at {snapshot} and {first} are gone"
    );
    assert!(snapshot >= 9, "the snapshot at {snapshot} is old");

    // Joins from an old revision get a snapshot on both nodes, because the
    // history kept is 2 operations.
    for node in &nodes {
        let mut raw = Raw::connect(&node.url()).await;
        raw.send(hello("trimmed", "0000000000000703", Some(1)))
            .await;
        let welcome = raw.recv_type("welcome").await;
        assert_eq!(welcome["revision"], 12, "{welcome}");
        assert_eq!(welcome["snapshot"]["revision"], 12, "{welcome}");
        assert_eq!(welcome["snapshot"]["document"], text, "{welcome}");
        raw.close().await;
    }
    returning.reconnect().await.unwrap();
    returning.sync_to(12, TIMEOUT).await.unwrap();
    assert_eq!(returning.document().to_string(), text);
    let late = NativeClient::<TextOp>::connect(&nodes[1].url(), &doc, SiteId(0x704))
        .await
        .unwrap();
    assert_eq!(late.revision(), 12);
    assert_eq!(late.document().to_string(), text);

    assert_eq!(stdout_of(&dump_output(&["--redis", &url], "trimmed")), text);

    // A node started from scratch loads the snapshot and the trimmed
    // stream.
    for node in &mut nodes {
        node.kill();
    }
    let fresh = ServerProcess::start_with(&store_args, &SNAPSHOT_ARGS);
    let mut c = NativeClient::<TextOp>::connect(&fresh.url(), &doc, SiteId(0x705))
        .await
        .unwrap();
    assert_eq!(c.revision(), 12);
    assert_eq!(c.document().to_string(), text);
    append(&mut c, "!").await;
    assert_eq!(
        stdout_of(&dump_output(&["--redis", &url], "trimmed")),
        format!("{text}!")
    );
    c.close().await.unwrap();
}

/// Writes `count` operations through a node with a snapshot every 3, kills
/// the node and overwrites the snapshot's data with garbage. Returns the
/// text.
async fn damage(redis: &RedisServer, doc: &str, count: u64) -> String {
    let url = redis.url();
    let mut node = ServerProcess::start_with(&["--redis", &url], &["--snapshot-every", "3"]);
    let id = DocumentId::new(doc).unwrap();
    let mut client = NativeClient::<TextOp>::connect(&node.url(), &id, SiteId(0x800))
        .await
        .unwrap();
    for index in 1..=count {
        append(&mut client, &format!("<{index}>")).await;
    }
    let text = client.document().to_string();
    node.kill();
    let key = format!("echostream:{{{doc}}}:snapshot");
    assert_eq!(redis.cli(&["hset", &key, "data", "{not json"]).trim(), "0");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_snapshot_replays_from_start() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let text = damage(&redis, "damaged", 4).await;
    assert_eq!(text, "<1><2><3><4>");
    let key = "echostream:{damaged}:snapshot";
    assert_eq!(redis.cli(&["hget", key, "revision"]).trim(), "3");
    assert_eq!(redis.cli(&["xlen", "echostream:{damaged}:log"]).trim(), "4");

    let output = dump_output(&["--redis", &url], "damaged");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stdout_of(&output), text);
    assert!(
        stderr.contains("warning: skipped the damaged snapshot"),
        "{stderr}"
    );
    assert!(stderr.contains(key), "{stderr}");

    let node = ServerProcess::start_with(&["--redis", &url], &[]);
    let doc = DocumentId::new("damaged").unwrap();
    let client = NativeClient::<TextOp>::connect(&node.url(), &doc, SiteId(0x801))
        .await
        .unwrap();
    assert_eq!(client.revision(), 4);
    assert_eq!(client.document().to_string(), text);
    assert!(node.wait_logged("skipping a damaged snapshot"));
    assert!(node.logged(key));

    // The node wrote a good snapshot at the head in place of the damaged one.
    let store = RedisStore::connect(&url).unwrap();
    let log = store.open::<TextOp>(&doc, OpenMode::Read).unwrap();
    let snapshot = log.latest_snapshot().unwrap().expect("a snapshot");
    assert_eq!(snapshot.revision, 4);
    assert_eq!(snapshot.document.to_string(), text);
    let output = dump_output(&["--redis", &url], "damaged");
    assert!(output.stderr.is_empty(), "{output:?}");
    assert_eq!(stdout_of(&output), text);
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_snapshot_after_trim_fails() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    damage(&redis, "lost", 7).await;
    // Snapshots at 3 and 6; saving the one at 6 trimmed revisions 1 to 3.
    let log_key = "echostream:{lost}:log";
    assert_eq!(redis.cli(&["xlen", log_key]).trim(), "4");
    let key = "echostream:{lost}:snapshot";

    let output = dump_output(&["--redis", &url], "lost");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains(key), "{stderr}");
    assert!(stderr.contains("revisions 1 to 3 are missing"), "{stderr}");

    let node = ServerProcess::start_with(&["--redis", &url], &[]);
    let doc = DocumentId::new("lost").unwrap();
    let joined = NativeClient::<TextOp>::connect(&node.url(), &doc, SiteId(0x802)).await;
    let error = joined.err().expect("the join fails").to_string();
    assert!(error.contains("could not be loaded"), "{error}");
    assert!(node.wait_logged("loading the document failed"));
    assert!(node.logged(key));
    assert!(node.logged("revisions 1 to 3 are missing"));
    // The damaged value stays for an operator to look at.
    assert_eq!(redis.cli(&["hget", key, "data"]).trim(), "{not json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_snapshot_without_stream_fails() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    damage(&redis, "gone", 4).await;
    assert_eq!(redis.cli(&["del", "echostream:{gone}:log"]).trim(), "1");

    // Replaying an empty stream would give revision 0, not the
    // snapshot's 3.
    let output = dump_output(&["--redis", &url], "gone");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("echostream:{gone}:snapshot"), "{stderr}");
    assert!(
        stderr.contains("ends at revision 0, before the snapshot's revision 3"),
        "{stderr}"
    );
}
