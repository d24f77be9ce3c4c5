//! The `echostream` command: the sync server and the tools around it.

use clap::{Parser, Subcommand};

mod cli;

/// EchoStream: collaborative editing with operational transformation.
#[derive(Parser)]
#[command(name = "echostream", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an Excalidraw scene or library and print its shapes by kind.
    Import(cli::import::ImportArgs),
    /// Write a board, or an imported Excalidraw file, as an Excalidraw scene.
    Export(cli::export::ExportArgs),
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Import(args) => cli::import::run(args),
        Command::Export(args) => cli::export::run(args),
    }
}
