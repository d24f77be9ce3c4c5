//! `echostream replay`: replays a recorded editing trace through the text
//! engine and checks the result against the trace's `endContent`.
//!
//! Each trace format gets one `replay_FORMAT` function that turns the JSON
//! text into a [`Replayed`]. The format is read from the trace's `"kind"`
//! field, and the checking and printing are shared.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use echostream::text::TextDocument;
use echostream::trace::{ConcurrentTrace, MergeError, SequentialTrace, TraceError, TraceKind};
use echostream_server::document_id::DocumentId;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::input;

/// Patches between two updates of the progress bar, so that drawing it
/// costs nothing measurable.
const PROGRESS_STEP: usize = 4096;

/// Arguments of `echostream replay`.
#[derive(Args)]
pub struct ReplayArgs {
    /// The trace file: JSON, or gzip-compressed JSON such as
    /// `automerge-paper.json.gz`.
    file: PathBuf,

    /// Print one JSON object with the outcome instead of text.
    #[arg(long)]
    json: bool,

    /// Type the trace into a live server at this address, such as
    /// `ws://127.0.0.1:8080`, instead of replaying it locally.
    #[arg(long, requires = "doc")]
    to: Option<String>,

    /// The document to type into, with `--to`; it must be new or empty.
    #[arg(long, requires = "to")]
    doc: Option<DocumentId>,

    /// With `--to`: keep typing while an operation is in flight, so that
    /// the edits made meanwhile go out composed as one operation. By
    /// default each transaction is sent once the previous one is
    /// acknowledged.
    #[arg(long, requires = "to")]
    no_wait: bool,

    /// For a concurrent trace: integrate the transactions in another
    /// causal order, chosen by this seed. The final text is the same for
    /// every seed. Without it, the order of the file is used.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

/// The document a trace produced, and what it took.
struct Replayed {
    kind: TraceKind,
    patches: usize,
    document: TextDocument,
    end_content: String,
    parse_time: Duration,
    replay_time: Duration,
}

/// The outcome printed by `--json`, with camelCase keys as in the
/// outcome of `replay --to`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    /// "sequential" or "concurrent".
    kind: &'static str,
    /// Patches applied.
    patches: usize,
    /// The final length in code points.
    length: usize,
    /// The SHA-256 of the final text in UTF-8, in lowercase hex.
    sha256: String,
    matches_end_content: bool,
    /// The first code point where the final text differs from
    /// `endContent`, when it does.
    first_difference: Option<usize>,
    /// Seconds spent replaying, without reading and parsing the file.
    seconds: f64,
    /// Seconds spent parsing the JSON.
    parse_seconds: f64,
    patches_per_second: f64,
}

/// Replays the trace and prints the outcome. Exits with failure when the
/// final text differs from `endContent` or the trace cannot be replayed.
pub fn run(args: ReplayArgs) -> ExitCode {
    if let (Some(url), Some(doc)) = (&args.to, &args.doc) {
        return super::replay_remote::run(&args.file, url, doc, args.json, args.no_wait);
    }
    let outcome = match replay_file(&args) {
        Ok(replayed) => outcome(&replayed),
        Err(error) => {
            eprintln!("error: {}", super::report::describe(&error));
            return ExitCode::FAILURE;
        }
    };

    if args.json {
        let json = serde_json::to_string(&outcome).expect("the outcome always encodes");
        println!("{json}");
    } else {
        print_text(&args, &outcome);
    }

    if outcome.matches_end_content {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn replay_file(args: &ReplayArgs) -> anyhow::Result<Replayed> {
    let path = &args.file;
    let text = input::read_text(path)?;
    let kind =
        TraceKind::detect(&text).with_context(|| format!("failed to read {}", path.display()))?;
    let replayed = match kind {
        TraceKind::Sequential if args.seed.is_some() => bail!(
            "--seed applies to concurrent traces, but {} is sequential",
            path.display()
        ),
        TraceKind::Sequential => replay_sequential(&text).map_err(anyhow::Error::from),
        TraceKind::Concurrent => replay_concurrent(&text, args.seed).map_err(anyhow::Error::from),
    };
    replayed.with_context(|| format!("failed to replay {}", path.display()))
}

/// Merges the transactions of a concurrent trace with OT, in the order of
/// the file or in the causal order chosen by `seed`.
fn replay_concurrent(text: &str, seed: Option<u64>) -> Result<Replayed, MergeError> {
    let started = Instant::now();
    let trace = ConcurrentTrace::from_json(text)?;
    let parse_time = started.elapsed();

    let started = Instant::now();
    let document = match seed {
        Some(seed) => trace.merge_with_seed(seed)?,
        None => trace.merge()?,
    };
    let replay_time = started.elapsed();

    Ok(Replayed {
        kind: TraceKind::Concurrent,
        patches: trace.patch_count(),
        document,
        end_content: trace.end_content,
        parse_time,
        replay_time,
    })
}

/// Applies every patch in order, each as a text operation (retain `pos`,
/// delete `delCount`, insert `insStr`).
fn replay_sequential(text: &str) -> Result<Replayed, TraceError> {
    let started = Instant::now();
    let trace = SequentialTrace::from_json(text)?;
    let parse_time = started.elapsed();

    let total = trace.patch_count();
    let progress = progress_bar(total);
    let mut document = TextDocument::from(trace.start_content.as_str());

    let started = Instant::now();
    for (index, (transaction, patch, content)) in trace.patches().enumerate() {
        document
            .apply(&content.to_op())
            .map_err(|source| TraceError::Patch {
                transaction,
                patch,
                source,
            })?;
        if index % PROGRESS_STEP == 0 {
            progress.set_position(index as u64);
        }
    }
    let replay_time = started.elapsed();
    progress.finish_and_clear();

    Ok(Replayed {
        kind: TraceKind::Sequential,
        patches: total,
        document,
        end_content: trace.end_content,
        parse_time,
        replay_time,
    })
}

/// Returns a progress bar on stderr when stderr is a terminal, and a
/// hidden one otherwise, so that logs and pipes stay clean.
fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    let style =
        ProgressStyle::with_template("{bar:40} {pos}/{len} patches ({per_sec}, {eta} left)")
            .expect("the template is valid");
    bar.set_style(style);
    bar
}

fn outcome(replayed: &Replayed) -> Outcome {
    let mut hasher = Sha256::new();
    for chunk in replayed.document.rope().chunks() {
        hasher.update(chunk.as_bytes());
    }
    let first_difference = first_difference(&replayed.document, &replayed.end_content);
    let seconds = replayed.replay_time.as_secs_f64();

    Outcome {
        kind: match replayed.kind {
            TraceKind::Sequential => "sequential",
            TraceKind::Concurrent => "concurrent",
        },
        patches: replayed.patches,
        length: replayed.document.len(),
        sha256: hex::encode(hasher.finalize()),
        matches_end_content: first_difference.is_none(),
        first_difference,
        seconds,
        parse_seconds: replayed.parse_time.as_secs_f64(),
        patches_per_second: replayed.patches as f64 / seconds.max(f64::MIN_POSITIVE),
    }
}

/// Returns the first code point where `document` and `expected` differ,
/// or `None` when they are equal. O(n) in the text length.
fn first_difference(document: &TextDocument, expected: &str) -> Option<usize> {
    let mut actual = document.rope().chars();
    let mut expected = expected.chars();
    let mut index = 0;
    loop {
        match (actual.next(), expected.next()) {
            (None, None) => return None,
            (a, b) if a == b => index += 1,
            _ => return Some(index),
        }
    }
}

fn print_text(args: &ReplayArgs, outcome: &Outcome) {
    println!("trace:    {} ({})", args.file.display(), outcome.kind);
    println!("patches:  {}", outcome.patches);
    println!("length:   {} code points", outcome.length);
    println!(
        "time:     {:.3} s ({:.0} patches/s), parsing {:.3} s",
        outcome.seconds, outcome.patches_per_second, outcome.parse_seconds
    );
    println!("sha256:   {}", outcome.sha256);
    match outcome.first_difference {
        None => println!("result:   matches endContent"),
        Some(index) => println!("result:   differs from endContent at code point {index}"),
    }
}
