//! Two server nodes on one Redis serve one document: clients on both
//! edit at once, every acknowledged operation is in the stream exactly
//! once, and all clients converge on the stream's text.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::redis::{stored_text, RedisServer};
use echostream::text::{TextDocument, TextOp};
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::config::ServeConfig;
use echostream_server::document_id::DocumentId;
use echostream_server::server::Server;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TIMEOUT: Duration = Duration::from_secs(30);

async fn start_node(redis: &RedisServer) -> Server {
    common::init_logs();
    let mut config = ServeConfig::loopback("unused-with-redis");
    config.redis_url = Some(redis.url());
    Server::start(config).await.expect("the node starts")
}

fn random_edit(rng: &mut ChaCha8Rng, doc: &TextDocument) -> TextOp {
    let len = doc.len();
    if len > 0 && rng.random_range(0..3) == 0 {
        let start = rng.random_range(0..len);
        let end = (start + 1 + rng.random_range(0..4)).min(len);
        return TextOp::delete_range(start..end);
    }
    let pieces = ["a", "bc", "é", "日本", "😀", " "];
    let text = pieces[rng.random_range(0..pieces.len())];
    TextOp::insert_at(rng.random_range(0..=len), text)
}

/// Checks that no op id is stored twice and that each site's sequence
/// numbers run 1, 2, 3 ... without a gap. A client composes the edits made
/// while one operation is in flight into one submission, so a site sends
/// at most one submission per edit.
fn assert_once_each(ids: &[(SiteId, u64)], sites: &[SiteId], edits: u64) {
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an op id is stored twice");
    for &site in sites {
        let seqs: Vec<u64> = ids
            .iter()
            .filter(|(s, _)| *s == site)
            .map(|&(_, q)| q)
            .collect();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "site {site}");
        assert!(!seqs.is_empty(), "site {site} stored nothing");
        assert!(seqs.len() as u64 <= edits, "site {site}");
    }
}

/// `ECHOSTREAM_PROPTEST_CASES=20 cargo test -p echostream-server --test
/// redis_cluster` runs more seeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_converge() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let seeds: u64 = std::env::var("ECHOSTREAM_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(2);
    const CLIENTS: u64 = 6;
    const EDITS: u64 = 40;
    let nodes = [start_node(&redis).await, start_node(&redis).await];
    let urls: Vec<String> = nodes.iter().map(common::url).collect();

    for seed in 0..seeds {
        let doc = DocumentId::new(format!("shared-{seed}").as_str()).unwrap();
        let sites: Vec<SiteId> = (0..CLIENTS).map(|i| SiteId(0x200 + i)).collect();
        let mut tasks = Vec::new();
        for (index, &site) in sites.iter().enumerate() {
            let url = urls[index % 2].clone();
            let doc = doc.clone();
            tasks.push(tokio::spawn(async move {
                let mut client = NativeClient::<TextOp>::connect(&url, &doc, site)
                    .await
                    .unwrap();
                let mut rng = ChaCha8Rng::seed_from_u64(seed * 100 + index as u64);
                for _ in 0..EDITS {
                    let op = random_edit(&mut rng, client.document());
                    client.edit(op).await.unwrap();
                    let wait = Duration::from_millis(rng.random_range(0..3));
                    while client.poll(wait).await.unwrap().is_some() {}
                }
                client.flush(TIMEOUT).await.unwrap();
                client
            }));
        }
        let mut clients = Vec::new();
        for task in tasks {
            clients.push(task.await.unwrap());
        }

        for client in &clients {
            assert!(client.errors().is_empty(), "{:?}", client.errors());
        }
        let (text, ids) = stored_text(&redis.url(), &doc);
        let head = ids.len() as u64;
        assert_once_each(&ids, &sites, EDITS);
        assert!(head >= CLIENTS, "seed {seed}: head {head}");
        for client in &mut clients {
            client.sync_to(head, TIMEOUT).await.unwrap();
            let site = client.state().site();
            assert_eq!(
                client.document().to_string(),
                text,
                "seed {seed}, site {site}"
            );
            assert!(client.errors().is_empty(), "{:?}", client.errors());
        }
        for client in clients {
            client.close().await.unwrap();
        }
    }
    let conflicts: u64 = nodes
        .iter()
        .map(|node| node.metrics().append_conflicts.get())
        .sum();
    println!("append conflicts: {conflicts}");
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}

/// A client that resends an operation to the other node after the first
/// node stored it gets one acknowledgement and the op is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resent_operation_is_stored_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let nodes = [start_node(&redis).await, start_node(&redis).await];
    let doc = DocumentId::new("resend").unwrap();
    let site = SiteId(0x300);

    let mut raw = common::Raw::connect(&common::url(&nodes[0])).await;
    raw.send(common::hello("resend", &site.to_string(), None))
        .await;
    raw.recv_type("welcome").await;
    let submit = serde_json::json!({"type": "submit", "id": {"site": site.to_string(), "seq": 1},
        "base": 0, "op": ["hi"]});
    raw.send(submit.clone()).await;
    let ack = raw.recv_type("ack").await;
    assert_eq!(ack["revision"], 1, "{ack}");
    raw.close().await;

    // The same id sent to the other node, which may not have followed the
    // stream yet: its append conflicts, and the duplicate check sees the
    // first node's entry.
    let mut other = common::Raw::connect(&common::url(&nodes[1])).await;
    other
        .send(common::hello("resend", &site.to_string(), Some(0)))
        .await;
    other.recv_type("welcome").await;
    other.send(submit).await;
    let ack = other.recv_type("ack").await;
    assert_eq!(ack["revision"], 1, "{ack}");
    other.close().await;

    let (text, ids) = stored_text(&redis.url(), &doc);
    assert_eq!(text, "hi");
    assert_eq!(ids, vec![(site, 1)]);
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
