//! Node failure: two `echostream serve --redis` processes serve one
//! document, one is killed with SIGKILL while clients edit through both,
//! its clients move to the other node, and everything converges on the
//! stream, exactly once per acknowledged operation.

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use common::edits::random_edit;
use common::process::ServerProcess;
use common::redis::{stored_text, RedisServer};
use echostream::text::TextOp;
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::document_id::DocumentId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TIMEOUT: Duration = Duration::from_secs(30);
const CLIENTS: u64 = 4;
/// The edits each client makes before the kill, and after it.
const EDITS: u64 = 30;

/// Makes `count` edits, reading what arrives in between, without waiting
/// for the acknowledgements. Errors (the node died) end the run early.
async fn edit(client: &mut NativeClient<TextOp>, rng: &mut ChaCha8Rng, count: u64) {
    for _ in 0..count {
        let op = random_edit(rng, client.document());
        if client.edit(op).await.is_err() {
            return;
        }
        let wait = Duration::from_millis(rng.random_range(0..4));
        loop {
            match client.poll(wait).await {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_node_loses_no_acknowledged_operation() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let store_args = ["--redis", url.as_str()];
    let mut nodes = [
        ServerProcess::start_with(&store_args, &[]),
        ServerProcess::start_with(&store_args, &[]),
    ];
    let doc = DocumentId::new("failover").unwrap();
    let sites: Vec<SiteId> = (0..CLIENTS).map(|i| SiteId(0x400 + i)).collect();

    let mut clients = Vec::new();
    for (index, &site) in sites.iter().enumerate() {
        let url = nodes[index % 2].url();
        let client = NativeClient::<TextOp>::connect(&url, &doc, site)
            .await
            .unwrap();
        clients.push(client);
    }
    let mut rngs: Vec<_> = (0..CLIENTS).map(ChaCha8Rng::seed_from_u64).collect();

    // Everyone edits; node 1 dies while the clients of both are busy.
    let mut tasks = Vec::new();
    for (mut client, mut rng) in clients.into_iter().zip(rngs.drain(..)) {
        tasks.push(tokio::spawn(async move {
            edit(&mut client, &mut rng, EDITS).await;
            (client, rng)
        }));
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    nodes[1].kill();
    let mut clients = Vec::new();
    for task in tasks {
        clients.push(task.await.unwrap());
    }

    // The clients of node 1 resend what was not acknowledged to node 0.
    // They also edit while disconnected, so each has unacknowledged
    // operations to resend.
    let survivor = nodes[0].url();
    for (index, (client, rng)) in clients.iter_mut().enumerate() {
        if index % 2 == 1 {
            for _ in 0..3 {
                let op = random_edit(rng, client.document());
                // Sending fails on the dead socket; the edit stays pending.
                let _ = client.edit(op).await;
            }
            assert!(client.state().has_pending());
            println!(
                "site {}: revision {} at the kill",
                client.state().site(),
                client.revision()
            );
            client.reconnect_to(&survivor).await.unwrap();
        }
    }
    for (client, rng) in &mut clients {
        edit(client, rng, 5).await;
        client.flush(TIMEOUT).await.unwrap();
    }

    // The stream holds each op id once, each site's in sequence.
    let (text, ids) = stored_text(&url, &doc);
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an op id is stored twice");
    for &site in &sites {
        let seqs: Vec<u64> = ids
            .iter()
            .filter(|(s, _)| *s == site)
            .map(|&(_, q)| q)
            .collect();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "site {site}");
    }
    let head = ids.len() as u64;
    let text = text.to_string();

    for (client, _) in &mut clients {
        client.sync_to(head, TIMEOUT).await.unwrap();
        assert_eq!(client.revision(), head);
        assert_eq!(
            client.document().to_string(),
            text,
            "site {}",
            client.state().site()
        );
        assert!(client.errors().is_empty(), "{:?}", client.errors());
        // Every operation the client made is acknowledged, so its last
        // sequence number is stored.
        assert!(!client.state().has_pending());
    }

    let dump = Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(["dump", "--redis", &url, "--doc", "failover"])
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert_eq!(String::from_utf8(dump.stdout).unwrap(), text);

    for (client, _) in clients {
        client.close().await.unwrap();
    }
    let status = nodes[0].terminate(Duration::from_secs(15));
    assert!(status.success(), "node 0 exited with {status}");
}
