//! `echostream export FILE [-o OUT]`: writes a board as an Excalidraw
//! scene.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use echostream::board::excalidraw;
use echostream::board::Board;

/// Writes a board as an Excalidraw scene. The input is a board in its
/// JSON snapshot form, or an Excalidraw scene or library, which is
/// imported first.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The board JSON or Excalidraw file to read.
    file: PathBuf,

    /// The scene file to write; standard output when left out.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs the command, printing any error to stderr.
pub fn run(args: ExportArgs) -> ExitCode {
    match export(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", super::report::describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// Reads a board from its JSON snapshot form, or imports it from an
/// Excalidraw file when the top-level `type` field names one.
fn read_board(file: &Path) -> Result<Board> {
    let text = super::input::read_text(file)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", file.display()))?;
    let kind = value.get("type").and_then(|t| t.as_str());
    if matches!(kind, Some("excalidraw" | "excalidrawlib")) {
        let (board, _) = super::import::import_board(&text, file)?;
        return Ok(board);
    }
    serde_json::from_value(value).with_context(|| {
        format!(
            "{} is neither a board snapshot ({{\"shapes\": [...]}}) nor an Excalidraw file",
            file.display()
        )
    })
}

fn export(args: &ExportArgs) -> Result<()> {
    let board = read_board(&args.file)?;
    let scene = excalidraw::export_scene(&board);
    let text = serde_json::to_string_pretty(&scene).context("failed to encode the scene")?;
    match &args.output {
        Some(path) => std::fs::write(path, text + "\n")
            .with_context(|| format!("failed to write {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(())
}
