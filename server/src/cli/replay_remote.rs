//! `echostream replay FILE --to ws://HOST:PORT --doc ID`: types a
//! sequential trace into a live server as one user, through the native
//! client, and checks the result against the trace's `endContent`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use echostream::text::{TextDocument, TextOp};
use echostream::trace::SequentialTrace;
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::document_id::DocumentId;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::input;

/// How long the replay waits for the last acknowledgements.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(300);

/// Latency percentiles in milliseconds.
#[derive(Debug, Serialize)]
struct Percentiles {
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

/// The outcome printed by `--json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RemoteOutcome {
    /// The server URL.
    server: String,
    /// The document written to.
    doc: String,
    /// Transactions typed, each one local edit.
    transactions: usize,
    /// Whether typing went on while an operation was in flight.
    no_wait: bool,
    /// Patches in those transactions.
    patches: usize,
    /// Operations the server acknowledged: local edits made while one
    /// was in flight are sent together.
    acknowledged: usize,
    /// The server revision at the end.
    revision: u64,
    /// The final length in code points.
    length: usize,
    /// The SHA-256 of the final text in UTF-8, in lowercase hex.
    sha256: String,
    matches_end_content: bool,
    /// Seconds from the first edit to the last acknowledgement.
    seconds: f64,
    /// Milliseconds from sending an operation to its acknowledgement.
    ack_latency_ms: Percentiles,
}

/// Replays `file` into `doc` on the server at `url` and prints the
/// outcome. Each transaction is one operation, sent once the previous one
/// is acknowledged, unless `no_wait` is set: then typing goes on while an
/// operation is in flight, and the edits made meanwhile are sent composed
/// as one. Exits with failure when the text differs from `endContent`.
pub fn run(file: &Path, url: &str, doc: &DocumentId, json: bool, no_wait: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: failed to start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match runtime.block_on(replay(file, url, doc, no_wait)) {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("error: {}", super::report::describe(&error));
            return ExitCode::FAILURE;
        }
    };
    if json {
        let text = serde_json::to_string(&outcome).expect("the outcome always encodes");
        println!("{text}");
    } else {
        print_text(file, &outcome);
    }
    if outcome.matches_end_content {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn replay(
    file: &Path,
    url: &str,
    doc: &DocumentId,
    no_wait: bool,
) -> anyhow::Result<RemoteOutcome> {
    let text = input::read_text(file)?;
    let trace = SequentialTrace::from_json(&text)
        .with_context(|| format!("failed to read {}", file.display()))?;
    drop(text);

    let site = SiteId::random();
    let mut client = NativeClient::<TextOp>::connect(url, doc, site).await?;
    if !client.document().is_empty() {
        bail!(
            "document {doc} already contains {} code points at revision {}: replay into a new document",
            client.document().len(),
            client.revision()
        );
    }

    let started = Instant::now();
    if !trace.start_content.is_empty() {
        client
            .edit(TextOp::insert_at(0, &trace.start_content))
            .await?;
    }
    for (index, txn) in trace.txns.iter().enumerate() {
        let op = txn
            .patches
            .iter()
            .fold(TextOp::new(), |op, patch| op.compose(&patch.to_op()));
        client
            .edit(op)
            .await
            .with_context(|| format!("transaction {index} does not apply"))?;
        if no_wait {
            // Take in what arrived without waiting, so that
            // acknowledgements release the next send while typing goes on.
            while client.poll_ready().await?.is_some() {}
        } else {
            client.flush(FLUSH_TIMEOUT).await?;
        }
    }
    client.flush(FLUSH_TIMEOUT).await?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(error) = client.errors().first() {
        bail!("the server rejected a message: {}", error.message);
    }

    let document = client.document();
    let outcome = RemoteOutcome {
        server: url.to_owned(),
        doc: doc.to_string(),
        transactions: trace.txns.len(),
        no_wait,
        patches: trace.patch_count(),
        acknowledged: client.ack_latencies().len(),
        revision: client.revision(),
        length: document.len(),
        sha256: sha256(document),
        matches_end_content: document.rope() == trace.end_content.as_str(),
        seconds,
        ack_latency_ms: percentiles(client.ack_latencies()),
    };
    client.close().await?;
    Ok(outcome)
}

fn sha256(document: &TextDocument) -> String {
    let mut hasher = Sha256::new();
    for chunk in document.rope().chunks() {
        hasher.update(chunk.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Returns nearest-rank percentiles. O(n log n) for the sort.
fn percentiles(latencies: &[Duration]) -> Percentiles {
    let mut sorted: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    sorted.sort_by(f64::total_cmp);
    let rank = |p: f64| -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let index = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[index.clamp(1, sorted.len()) - 1]
    };
    Percentiles {
        p50: rank(50.0),
        p90: rank(90.0),
        p99: rank(99.0),
        max: rank(100.0),
    }
}

fn print_text(file: &Path, outcome: &RemoteOutcome) {
    println!("trace:     {}", file.display());
    println!("server:    {} document {}", outcome.server, outcome.doc);
    println!(
        "typed:     {} transactions ({} patches) in {:.3} s, {} operations acknowledged",
        outcome.transactions, outcome.patches, outcome.seconds, outcome.acknowledged
    );
    let latency = &outcome.ack_latency_ms;
    println!(
        "ack:       p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latency.p50, latency.p90, latency.p99, latency.max
    );
    println!("revision:  {}", outcome.revision);
    println!("length:    {} code points", outcome.length);
    println!("sha256:    {}", outcome.sha256);
    if outcome.matches_end_content {
        println!("result:    matches endContent");
    } else {
        println!("result:    differs from endContent");
    }
}
