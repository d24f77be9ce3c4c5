//! Runs one piece of the text benchmarks in a plain loop, so that a
//! profiler that counts instructions can measure it. Instruction counts do
//! not change with the load of a shared machine, unlike criterion's times.
//!
//! ```sh
//! cargo build --release -p echostream-benches --example text_instructions
//! valgrind --tool=callgrind target/release/examples/text_instructions transform
//! ```
//!
//! Modes: `load` (parse automerge-paper only, the baseline to subtract),
//! `echostream` and `ropey` (parse it and replay it once), `transform` and
//! `compose` (100,000 calls on the small operations of the benchmarks).

use std::hint::black_box;
use std::process::ExitCode;

use echostream::text::TextOp;
use echostream::Side;
use echostream_benches::text_replay::{replay_echostream, replay_ropey, PreparedTrace};

/// Calls per run of the small-operation modes.
const CALLS: usize = 100_000;

fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "load" | "echostream" | "ropey" => {
            let Some(trace) = PreparedTrace::load("automerge-paper") else {
                return ExitCode::FAILURE;
            };
            if mode == "echostream" {
                black_box(replay_echostream(&trace));
            } else if mode == "ropey" {
                black_box(replay_ropey(&trace));
            }
        }
        "transform" | "compose" => {
            let ours = TextOp::from_json(r#"[12,"abc",{"d":4}]"#).expect("valid operation");
            let theirs = TextOp::from_json(r#"[5,{"d":3},"xy"]"#).expect("valid operation");
            let next = TextOp::from_json(r#"[3,{"d":2},"hi"]"#).expect("valid operation");
            for _ in 0..CALLS {
                if mode == "transform" {
                    black_box(black_box(&ours).transform(black_box(&theirs), Side::Left));
                } else {
                    black_box(black_box(&ours).compose(black_box(&next)));
                }
            }
        }
        other => {
            eprintln!(
                "invalid mode {other:?}: expected load, echostream, ropey, transform or compose"
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
