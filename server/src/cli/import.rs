//! `echostream import FILE`: imports an Excalidraw scene or library and
//! prints its shapes by kind.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use echostream::board::excalidraw::{self, Import};
use echostream::board::Board;
use serde_json::json;

/// Imports an Excalidraw scene (.excalidraw) or library (.excalidrawlib)
/// into a board and prints its shapes by kind.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// The Excalidraw file to import.
    file: PathBuf,

    /// Prints one JSON object: `shapes` (the count), `kinds` (the count
    /// per kind), `operations`, `skipped` and `droppedReferences`.
    #[arg(long)]
    json: bool,
}

/// Reads and imports an Excalidraw file, replaying its creates as board
/// operations on an empty board.
fn read_board(file: &Path) -> Result<(Board, Import)> {
    let text = super::input::read_text(file)?;
    import_board(&text, file)
}

/// Imports the Excalidraw `text` read from `file`, replaying its creates
/// as board operations on an empty board.
pub fn import_board(text: &str, file: &Path) -> Result<(Board, Import)> {
    let imported =
        excalidraw::import(text).with_context(|| format!("failed to import {}", file.display()))?;
    let mut board = Board::new();
    for (index, op) in imported.ops.iter().enumerate() {
        board
            .apply(op)
            .with_context(|| format!("operation {index} of {} was rejected", file.display()))?;
    }
    Ok((board, imported))
}

/// Runs the command, printing any error to stderr.
pub fn run(args: ImportArgs) -> ExitCode {
    match import(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", super::report::describe(&error));
            ExitCode::FAILURE
        }
    }
}

fn import(args: &ImportArgs) -> Result<()> {
    let (board, imported) = read_board(&args.file)?;
    let kinds = board.count_by_kind();

    if args.json {
        let kinds: serde_json::Map<String, serde_json::Value> = kinds
            .iter()
            .map(|(kind, count)| (kind.name().to_owned(), json!(count)))
            .collect();
        let skipped: Vec<_> = imported
            .skipped
            .iter()
            .map(|s| json!({ "id": s.id, "type": s.element_type, "reason": s.reason }))
            .collect();
        let dropped: Vec<_> = imported
            .dropped
            .iter()
            .map(|d| json!({ "element": d.element, "field": d.field, "target": d.target }))
            .collect();
        let report = json!({
            "file": args.file.display().to_string(),
            "shapes": board.len(),
            "kinds": kinds,
            "operations": imported.ops.len(),
            "skipped": skipped,
            "droppedReferences": dropped,
        });
        println!("{report}");
        return Ok(());
    }

    println!("{}: {} shapes", args.file.display(), board.len());
    for (kind, count) in &kinds {
        println!("  {:<14} {count:>6}", kind.name());
    }
    for skipped in &imported.skipped {
        println!(
            "skipped element {} ({}): {}",
            skipped.id, skipped.element_type, skipped.reason
        );
    }
    for dropped in &imported.dropped {
        println!(
            "dropped {} of element {}: element {} is not in the file",
            dropped.field, dropped.element, dropped.target
        );
    }
    Ok(())
}
