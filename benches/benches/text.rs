//! Text benchmarks: the recorded sequential editing traces replayed
//! through EchoStream's OT path and into its peers, and the core
//! operations on small operations.
//!
//! Run with `cargo bench -p echostream-benches --bench text`. The traces
//! come from `josephg/editing-traces` (CC BY 4.0): automerge-paper by
//! Martin Kleppmann et al., json-crdt-patch by JSON Joy, and the others by
//! Joseph Gentle.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use echostream::text::{TextDocument, TextOp};
use echostream::Side;
use echostream_benches::text_replay::{
    replay_crop, replay_echostream, replay_jumprope, replay_operational_transform, replay_ropey,
    replay_string, PreparedTrace,
};
use echostream_testdata::SEQUENTIAL_TRACES;

/// Traces small enough for the peers that rebuild or scan the whole text
/// on every patch (a plain `String` and `operational-transform`). On
/// automerge-paper, single replays took about 4.6 s (`String`) and 20 s
/// (`operational-transform`) on the machine named in BENCHMARKS.md, too
/// long for ten samples each.
const SMALL_TRACES: [&str; 3] = ["friendsforever_flat", "clownschool_flat", "json-crdt-patch"];

fn load_traces() -> Vec<PreparedTrace> {
    SEQUENTIAL_TRACES
        .iter()
        .filter_map(|name| PreparedTrace::load(name))
        .collect()
}

/// Warm-up and measurement windows for the fast replays, where one
/// replay of the largest trace takes tens of milliseconds.
const FAST_WARM_UP: Duration = Duration::from_secs(1);
const FAST_MEASUREMENT: Duration = Duration::from_secs(3);

/// Warm-up and measurement windows for the slow peers, where one replay
/// of a small trace takes a quarter to half a second: just what ten
/// samples need.
const SLOW_WARM_UP: Duration = Duration::from_millis(500);
const SLOW_MEASUREMENT: Duration = Duration::from_secs(5);

/// Replays every trace through each implementation. The loop runs trace
/// by trace, so that the OT path and ropey alone, which the goals compare,
/// are measured one right after the other under the same machine load.
fn bench_trace_replays(c: &mut Criterion) {
    let traces = load_traces();
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);

    for trace in &traces {
        let name = trace.name;
        group.throughput(Throughput::Elements(trace.patches.len() as u64));
        group.warm_up_time(FAST_WARM_UP);
        group.measurement_time(FAST_MEASUREMENT);

        group.bench_with_input(BenchmarkId::new("echostream", name), trace, |b, trace| {
            b.iter(|| replay_echostream(black_box(trace)))
        });
        group.bench_with_input(BenchmarkId::new("ropey", name), trace, |b, trace| {
            b.iter(|| replay_ropey(black_box(trace)))
        });
        group.bench_with_input(BenchmarkId::new("jumprope", name), trace, |b, trace| {
            b.iter(|| replay_jumprope(black_box(trace)))
        });

        // crop indexes bytes, not code points, so the patches are
        // converted to byte offsets before timing, and the conversion is
        // not counted.
        let byte_patches = trace.byte_patches();
        group.bench_with_input(
            BenchmarkId::new("crop", name),
            &byte_patches,
            |b, patches| b.iter(|| replay_crop(&trace.start_content, black_box(patches))),
        );

        if !SMALL_TRACES.contains(&name) {
            continue;
        }
        group.warm_up_time(SLOW_WARM_UP);
        group.measurement_time(SLOW_MEASUREMENT);
        group.bench_with_input(BenchmarkId::new("string", name), trace, |b, trace| {
            b.iter(|| replay_string(black_box(trace)))
        });
        group.bench_with_input(
            BenchmarkId::new("operational-transform", name),
            trace,
            |b, trace| b.iter(|| replay_operational_transform(black_box(trace))),
        );
    }
    group.finish();
}

/// Three-component operations of the kind an editor sends: keep, insert,
/// delete.
fn small_ops() -> (TextOp, TextOp, TextOp) {
    let ours = TextOp::from_json(r#"[12,"abc",{"d":4}]"#).expect("valid operation");
    let theirs = TextOp::from_json(r#"[5,{"d":3},"xy"]"#).expect("valid operation");
    let next = TextOp::from_json(r#"[3,{"d":2},"hi"]"#).expect("valid operation");
    (ours, theirs, next)
}

fn bench_small_operations(c: &mut Criterion) {
    let (ours, theirs, next) = small_ops();
    let mut group = c.benchmark_group("text_op");

    group.bench_function("transform", |b| {
        b.iter(|| black_box(&ours).transform(black_box(&theirs), Side::Left))
    });
    group.bench_function("compose", |b| {
        b.iter(|| black_box(&ours).compose(black_box(&next)))
    });

    // Each iteration applies the operation and then its inverse, so that
    // the document is the same at every step: the time is that of two
    // applies of three components.
    let mut doc = TextDocument::from("The quick brown fox jumps over the lazy dog: é and 😀.");
    let inverse = doc.invert(&ours).expect("the operation fits the document");
    group.bench_function("apply_and_inverse", |b| {
        b.iter(|| {
            doc.apply(black_box(&ours)).expect("applies");
            doc.apply(black_box(&inverse)).expect("applies");
        })
    });
    group.finish();
}

criterion_group!(benches, bench_trace_replays, bench_small_operations);
criterion_main!(benches);
