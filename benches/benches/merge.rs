//! Merging concurrent work: the recorded concurrent traces, merged by
//! EchoStream's OT and by diamond-types (eg-walker) in the same run, and
//! the offline merge of N local against N remote operations.
//!
//! ```sh
//! ECHOSTREAM_DATA=/path/to/shared/data cargo bench -p echostream-benches --bench merge
//! ```

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use diamond_types::list::OpLog;
use echostream::sync::merge_divergent;
use echostream::text::{TextDocument, TextOp};
use echostream::trace::ConcurrentTrace;
use echostream::Side;
use echostream_testdata::{read_text, CONCURRENT_TRACES};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Builds the trace in a diamond-types oplog: one agent per trace agent,
/// each patch a delete and then an insert, whose parents are the version
/// of each parent transaction's last operation.
fn diamond_oplog(trace: &ConcurrentTrace) -> OpLog {
    let mut oplog = OpLog::new();
    let agents: Vec<_> = (0..=trace.txns.iter().map(|t| t.agent).max().unwrap_or(0))
        .map(|agent| oplog.get_or_create_agent_id(&format!("agent{agent}")))
        .collect();
    // The version after each transaction: its last operation, or its
    // parents' versions when it has no patch.
    let mut versions: Vec<Vec<usize>> = Vec::with_capacity(trace.txns.len());
    for txn in &trace.txns {
        let mut parents: Vec<usize> = txn
            .parents
            .iter()
            .flat_map(|&p| versions[p].iter().copied())
            .collect();
        let agent = agents[txn.agent as usize];
        for patch in &txn.patches {
            if patch.del_count > 0 {
                let version =
                    oplog.add_delete_at(agent, &parents, patch.pos..patch.pos + patch.del_count);
                parents = vec![version];
            }
            if !patch.insert.is_empty() {
                let version = oplog.add_insert_at(agent, &parents, patch.pos, &patch.insert);
                parents = vec![version];
            }
        }
        versions.push(parents);
    }
    oplog
}

fn concurrent_traces(c: &mut Criterion) {
    let mut group = c.benchmark_group("concurrent_trace");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for name in CONCURRENT_TRACES {
        let Some(json) = read_text(&format!("traces/concurrent/{name}.json.gz")) else {
            return;
        };
        let trace = ConcurrentTrace::from_json(&json).expect("the trace parses");

        // Both merges must reach endContent before they are timed.
        let merged = trace.merge().expect("the trace merges");
        assert!(
            merged.to_string() == trace.end_content,
            "{name}: OT merge differs"
        );
        let tip = diamond_oplog(&trace).checkout_tip();
        assert!(
            tip.content().to_string() == trace.end_content,
            "{name}: diamond-types differs"
        );

        group.throughput(Throughput::Elements(trace.patch_count() as u64));
        group.bench_function(BenchmarkId::new("echostream_ot", name), |b| {
            b.iter(|| trace.merge().expect("the trace merges"))
        });
        group.bench_function(BenchmarkId::new("diamond_types", name), |b| {
            b.iter(|| diamond_oplog(&trace).checkout_tip())
        });
        let oplog = diamond_oplog(&trace);
        group.bench_function(BenchmarkId::new("diamond_types_checkout_only", name), |b| {
            b.iter(|| oplog.checkout_tip())
        });
    }
    group.finish();
}

/// The length of the document both replicas start from, in code points.
const BASE_LEN: usize = 10_000;

/// The spread of one offline replica's edits over the document.
#[derive(Clone, Copy, Debug)]
enum Workload {
    /// Typing: each edit continues at the cursor (90%) or jumps to a
    /// random place first; 80% type a letter, 20% delete the one before.
    Typing,
    /// Every edit at an independent random place: 70% inserts, 30%
    /// deletes. Composed runs keep one component per edit, the worst case
    /// for composition.
    Scattered,
}

/// Returns `n` single-character edits made one after another on a document
/// of `BASE_LEN` code points.
fn random_run(workload: Workload, n: usize, seed: u64) -> Vec<TextOp> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut len = BASE_LEN;
    let mut cursor = rng.random_range(0..=len);
    let mut ops = Vec::with_capacity(n);
    for _ in 0..n {
        let (jump, delete) = match workload {
            Workload::Typing => (rng.random_range(0..10) == 0, rng.random_range(0..10) < 2),
            Workload::Scattered => (true, rng.random_range(0..10) < 3),
        };
        if jump {
            cursor = rng.random_range(0..=len);
        }
        if delete && cursor > 0 {
            ops.push(TextOp::delete_range(cursor - 1..cursor));
            cursor -= 1;
            len -= 1;
        } else {
            let letter = char::from(b'a' + rng.random_range(0..26u8));
            ops.push(TextOp::insert_at(cursor, letter.encode_utf8(&mut [0; 4])));
            cursor += 1;
            len += 1;
        }
    }
    ops
}

fn offline_merge(c: &mut Criterion) {
    let base = TextDocument::from("x".repeat(BASE_LEN));
    for workload in [Workload::Typing, Workload::Scattered] {
        let mut group = c.benchmark_group(format!("offline_merge_{workload:?}").to_lowercase());
        group.sample_size(10);
        for n in [100, 1_000, 10_000, 100_000] {
            let local = random_run(workload, n, 1);
            let remote = random_run(workload, n, 2);

            // Both replicas must converge before the merge is timed.
            let merged = merge_divergent(&local, &remote, Side::Left).expect("the runs compose");
            let mut local_replica = base.clone();
            let mut remote_replica = base.clone();
            for op in &local {
                local_replica.apply(op).unwrap();
            }
            for op in &remote {
                remote_replica.apply(op).unwrap();
            }
            local_replica.apply(&merged.remote_after_local).unwrap();
            remote_replica.apply(&merged.local_after_remote).unwrap();
            assert_eq!(
                local_replica, remote_replica,
                "{workload:?} N = {n}: the replicas differ"
            );

            group.throughput(Throughput::Elements(2 * n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| merge_divergent(&local, &remote, Side::Left).expect("the runs compose"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, concurrent_traces, offline_merge);
criterion_main!(benches);
