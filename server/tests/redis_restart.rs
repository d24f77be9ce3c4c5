//! Redis restarts under two `echostream serve --redis` nodes: with an
//! append-only file synced on every write, Redis is killed (SIGKILL) and
//! later shut down (`SHUTDOWN`) while clients keep typing, and started
//! again on the same port and folder. The nodes retry, follow the stream
//! again, and store each acknowledged operation exactly once. When Redis
//! stays down past the retry budget, the node closes the document with
//! code 1011 and the client's resend after the restart loses nothing.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::dump;
use common::edits::random_edit;
use common::process::ServerProcess;
use common::redis::{stored_text, RedisServer};
use echostream::text::TextOp;
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::document_id::DocumentId;
use echostream_server::protocol::ErrorCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TIMEOUT: Duration = Duration::from_secs(30);
const CLIENTS: u64 = 4;
/// The edits one client makes at most, so that typing ends even if the
/// stop flag is never set.
const MAX_EDITS: u64 = 2_000;
/// The reconnection attempts of a client, 250 ms apart.
const RECONNECT_ATTEMPTS: u32 = 80;

/// Reconnects to the client's node until the join succeeds, 250 ms apart.
/// A join fails while the node cannot load the document from Redis.
async fn reconnect(client: &mut NativeClient<TextOp>) {
    for attempt in 1..=RECONNECT_ATTEMPTS {
        match client.reconnect().await {
            Ok(()) => return,
            Err(error) => {
                println!(
                    "site {}: reconnection attempt {attempt} failed: {error:#}",
                    client.state().site()
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    panic!("site {} could not reconnect", client.state().site());
}

/// Edits until `stop` is set, reading what arrives in between, and
/// reconnects whenever the connection fails. Returns the reconnections.
async fn type_until(
    client: &mut NativeClient<TextOp>,
    rng: &mut ChaCha8Rng,
    stop: &AtomicBool,
) -> u32 {
    let mut reconnections = 0;
    for _ in 0..MAX_EDITS {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let op = random_edit(rng, client.document());
        let mut failed = client.edit(op).await.is_err();
        let wait = Duration::from_millis(rng.random_range(2..8));
        while !failed {
            match client.poll(wait).await {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(_) => failed = true,
            }
        }
        if failed {
            reconnections += 1;
            reconnect(client).await;
        }
    }
    reconnections
}

/// Flushes, reconnecting when the connection fails, up to 5 attempts.
async fn flush(client: &mut NativeClient<TextOp>) {
    for _ in 0..5 {
        match client.flush(TIMEOUT).await {
            Ok(()) => return,
            Err(error) => {
                println!("site {}: flush failed: {error:#}", client.state().site());
                reconnect(client).await;
            }
        }
    }
    panic!("site {} could not flush", client.state().site());
}

/// Checks that the stream contains each op id once and, for each client,
/// exactly the sequence numbers 1 to the last one it made, so that no
/// acknowledged operation is missing.
fn assert_each_once(ids: &[(SiteId, u64)], clients: &[NativeClient<TextOp>]) {
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an op id is stored twice");
    for client in clients {
        let site = client.state().site();
        assert!(!client.state().has_pending(), "site {site} has pending ops");
        let seqs: Vec<u64> = ids
            .iter()
            .filter(|(s, _)| *s == site)
            .map(|&(_, q)| q)
            .collect();
        let last_seq = client.state().clock().get(site);
        let expected: Vec<u64> = (1..=last_seq).collect();
        assert_eq!(seqs, expected, "site {site}");
    }
}

/// Returns the number of lines of `node`'s log that contain every one of
/// `parts`.
fn count_logged(node: &ServerProcess, parts: &[&str]) -> usize {
    let log = node.log.lock().unwrap();
    log.iter()
        .filter(|line| parts.iter().all(|part| line.contains(part)))
        .count()
}

/// Waits up to 20 s until each node logged `count` times that its
/// follower reads the stream again after a failure.
async fn wait_for_follows(nodes: &[ServerProcess], count: usize) {
    let parts = ["doc=restart", "following the Redis stream again"];
    let deadline = Instant::now() + Duration::from_secs(20);
    while nodes.iter().any(|node| count_logged(node, &parts) < count) {
        assert!(
            Instant::now() < deadline,
            "the followers did not read the stream again {count} times within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarts_lose_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let Some(mut redis) = RedisServer::start_with_aof(folder.path()) else {
        return;
    };
    let url = redis.url();
    let store_args = ["--redis", url.as_str()];
    let nodes = [
        ServerProcess::start_with(&store_args, &[]),
        ServerProcess::start_with(&store_args, &[]),
    ];
    let doc = DocumentId::new("restart").unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for index in 0..CLIENTS {
        let node = nodes[index as usize % 2].url();
        let site = SiteId(0x500 + index);
        let mut client = NativeClient::<TextOp>::connect(&node, &doc, site)
            .await
            .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(index);
        let stop = Arc::clone(&stop);
        tasks.push(tokio::spawn(async move {
            let reconnections = type_until(&mut client, &mut rng, &stop).await;
            (client, reconnections)
        }));
    }

    // Two outages while everyone types: a crash, then a clean stop. After
    // each, the typing goes on until both nodes follow the stream again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.kill();
    tokio::time::sleep(Duration::from_millis(400)).await;
    redis.restart();
    wait_for_follows(&nodes, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.shutdown();
    tokio::time::sleep(Duration::from_millis(400)).await;
    redis.restart();
    wait_for_follows(&nodes, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);

    let mut clients = Vec::new();
    for task in tasks {
        let (mut client, reconnections) = task.await.unwrap();
        flush(&mut client).await;
        println!(
            "site {}: {} ops, {reconnections} reconnections",
            client.state().site(),
            client.state().clock().get(client.state().site())
        );
        clients.push(client);
    }

    let (text, ids) = stored_text(&url, &doc);
    println!("stream: {} entries", ids.len());
    assert_each_once(&ids, &clients);
    let head = ids.len() as u64;
    for client in &mut clients {
        client.sync_to(head, TIMEOUT).await.unwrap();
        let site = client.state().site();
        assert_eq!(client.revision(), head, "site {site}");
        assert_eq!(client.document().to_string(), text, "site {site}");
    }
    assert_eq!(dump(&["--redis", &url], "restart"), text);

    for (index, node) in nodes.iter().enumerate() {
        let retries = count_logged(node, &["doc=restart", "retrying"]);
        let follows = count_logged(node, &["doc=restart", "following the Redis stream again"]);
        println!("node {index}: {retries} retries logged, {follows} follower reconnections");
        assert_eq!(follows, 2, "node {index} followed again {follows} times");
    }
    let retries: usize = nodes
        .iter()
        .map(|node| count_logged(node, &["doc=restart", "retrying"]))
        .sum();
    assert!(retries > 0, "no node logged a retry of a Redis command");

    for client in clients {
        client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_retries_close_and_resend() {
    let folder = tempfile::tempdir().unwrap();
    let Some(mut redis) = RedisServer::start_with_aof(folder.path()) else {
        return;
    };
    let url = redis.url();
    let node = ServerProcess::start_with(&["--redis", url.as_str()], &[]);
    let doc = DocumentId::new("budget").unwrap();
    let site = SiteId(0x600);
    let mut client = NativeClient::<TextOp>::connect(&node.url(), &doc, site)
        .await
        .unwrap();
    client.edit(TextOp::insert_at(0, "stored ")).await.unwrap();
    client.flush(TIMEOUT).await.unwrap();

    // Redis stays down for longer than the 7 attempts (about 6.4 s).
    redis.kill();
    client.edit(TextOp::insert_at(7, "resent")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let closed = loop {
        assert!(Instant::now() < deadline, "the node did not give up");
        match client.poll(Duration::from_millis(500)).await {
            Ok(_) => continue,
            Err(error) => break error,
        }
    };
    println!("the connection ended: {closed:#}");
    let codes: Vec<ErrorCode> = client.errors().iter().map(|e| e.code).collect();
    assert_eq!(codes, [ErrorCode::DocumentUnavailable]);
    assert!(client.errors()[0].message.contains("reconnect and resend"));
    assert!(client.state().has_pending());
    let attempts = count_logged(&node, &["doc=budget", "action=\"appending\"", "retrying"]);
    assert_eq!(attempts, 7, "the append retried {attempts} times");
    assert!(node.wait_logged("storing operations failed"));

    redis.restart();
    reconnect(&mut client).await;
    client.flush(TIMEOUT).await.unwrap();
    assert_eq!(client.document().to_string(), "stored resent");

    let (text, ids) = stored_text(&url, &doc);
    assert_eq!(text, "stored resent");
    assert_eq!(ids, [(site, 1), (site, 2)]);
    assert_eq!(dump(&["--redis", &url], "budget"), "stored resent");
    client.close().await.unwrap();
}
