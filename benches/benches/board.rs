//! Board operations on large boards: apply, transform and invert of one
//! change on a 10,000-shape board, z-order moves at 1k, 10k and 100k
//! shapes, and import of the largest shared Excalidraw file.
//!
//!     cargo bench -p echostream-benches --bench board

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use echostream::board::excalidraw::{export_scene, import};
use echostream::board::{Board, BoardOp, PropertyValue, Shape, ShapeId, ShapeKind};
use echostream::text::TextOp;
use echostream::Side;

/// Returns a board of `n` rectangles with a position, a stroke color and a
/// short text, and the ids bottom to top.
fn board_of(n: usize) -> (Board, Vec<ShapeId>) {
    let ids: Vec<ShapeId> = (0..n as u128).map(|i| ShapeId(i * 7919 + 1)).collect();
    let shapes = ids.iter().enumerate().map(|(i, id)| {
        let shape = Shape::new(ShapeKind::Rectangle)
            .with_number("x", (i % 1000) as f64 * 20.0)
            .with_number("y", (i / 1000) as f64 * 20.0)
            .with_number("width", 16.0)
            .with("strokeColor", PropertyValue::Color("#1e1e1e".into()))
            .with_text("note");
        (*id, shape)
    });
    (Board::from_shapes(shapes).expect("valid shapes"), ids)
}

fn color(value: &str) -> Option<PropertyValue> {
    Some(PropertyValue::Color(value.into()))
}

/// Pairs of operations where the second undoes the first, so that
/// applying them in turn keeps the board as it was.
fn round_trips(ids: &[ShapeId]) -> Vec<(&'static str, BoardOp, BoardOp)> {
    let id = ids[ids.len() / 2];
    let last = ids.len() - 1;
    vec![
        (
            "set",
            BoardOp::set(id, "strokeColor", color("#1e1e1e"), color("#e03131")),
            BoardOp::set(id, "strokeColor", color("#e03131"), color("#1e1e1e")),
        ),
        (
            "translate",
            BoardOp::translate(id, 4.0, -2.5),
            BoardOp::translate(id, -4.0, 2.5),
        ),
        (
            "text_edit",
            BoardOp::edit_text(id, TextOp::insert_at(2, "te")),
            BoardOp::edit_text(id, TextOp::delete_text_at(2, "te")),
        ),
        (
            "z_move",
            BoardOp::move_z(id, ids.len() / 2, last),
            BoardOp::move_z(id, last, ids.len() / 2),
        ),
    ]
}

fn apply_10k(c: &mut Criterion) {
    let (mut board, ids) = board_of(10_000);
    let mut group = c.benchmark_group("board_apply_10k");
    for (name, forward, back) in round_trips(&ids) {
        let mut flip = false;
        group.bench_function(name, |b| {
            b.iter(|| {
                flip = !flip;
                let op = if flip { &forward } else { &back };
                board.apply(black_box(op)).expect("applies");
            })
        });
        if flip {
            board.apply(&back).expect("restores");
        }
    }
    group.finish();
}

fn transform_10k(c: &mut Criterion) {
    let (board, ids) = board_of(10_000);
    let id = ids[5000];
    let other = ids[5001];
    let text_a = BoardOp::edit_text(id, TextOp::insert_at(1, "a"));
    let cases = [
        (
            "set_same_property",
            BoardOp::set(id, "strokeColor", color("#1e1e1e"), color("#e03131")),
            BoardOp::set(id, "strokeColor", color("#1e1e1e"), color("#2f9e44")),
        ),
        (
            "translate_same_shape",
            BoardOp::translate(id, 4.0, 0.0),
            BoardOp::translate(id, 0.0, 3.0),
        ),
        (
            "text_edit_same_shape",
            text_a,
            BoardOp::edit_text(id, TextOp::insert_at(1, "b")),
        ),
        (
            "z_move_different_shapes",
            board.bring_to_front_op(id).unwrap(),
            board.bring_to_front_op(other).unwrap(),
        ),
    ];
    let mut group = c.benchmark_group("board_transform_10k");
    for (name, a, b) in &cases {
        group.bench_function(*name, |bench| {
            bench.iter(|| black_box(a).transform(black_box(b), Side::Left))
        });
    }
    group.finish();
}

fn invert_10k(c: &mut Criterion) {
    let (board, ids) = board_of(10_000);
    let id = ids[5000];
    let mut group = c.benchmark_group("board_invert_10k");
    for (name, op, _) in round_trips(&ids) {
        group.bench_function(name, |b| b.iter(|| black_box(&op).invert(&board).unwrap()));
    }
    let delete = board.delete_op(id).unwrap();
    group.bench_function("delete", |b| {
        b.iter(|| black_box(&delete).invert(&board).unwrap())
    });
    let untexted = BoardOp::edit_text(id, TextOp::delete_range(0..2));
    group.bench_function("text_delete_without_text", |b| {
        b.iter(|| black_box(&untexted).invert(&board).unwrap())
    });
    group.finish();
}

fn z_move_by_size(c: &mut Criterion) {
    let mut group = c.benchmark_group("board_z_move");
    for n in [1_000, 10_000, 100_000] {
        let (mut board, ids) = board_of(n);
        // Moves from a quarter of the way up to three quarters and back,
        // so that each one shifts half the board's positions.
        let id = ids[n / 4];
        let up = BoardOp::move_z(id, n / 4, 3 * n / 4);
        let down = BoardOp::move_z(id, 3 * n / 4, n / 4);
        let mut flip = false;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                flip = !flip;
                board
                    .apply(black_box(if flip { &up } else { &down }))
                    .expect("applies");
            })
        });
    }
    group.finish();
}

fn import_largest(c: &mut Criterion) {
    let name = "whiteboard/excalidraw-libraries-rohanp-system-design.excalidrawlib";
    let Some(text) = echostream_testdata::read_text(name) else {
        return;
    };
    let imported = import(&text).expect("the library imports");
    let board = imported.to_board().expect("the library replays");
    let mut group = c.benchmark_group("board_excalidraw");
    group.throughput(Throughput::Elements(board.len() as u64));
    group.bench_function("import_and_replay_library", |b| {
        b.iter(|| import(black_box(&text)).unwrap().to_board().unwrap())
    });
    group.bench_function("export_library", |b| {
        b.iter(|| export_scene(black_box(&board)))
    });
    group.finish();
}

criterion_group!(
    benches,
    apply_10k,
    transform_10k,
    invert_10k,
    z_move_by_size,
    import_largest
);
criterion_main!(benches);
