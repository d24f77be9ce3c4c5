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
    /// Check the text engine against JSON-lines OT vector files.
    Vectors(cli::vectors::VectorsArgs),
    /// Replay an editing trace and compare the result with its endContent.
    Replay(cli::replay::ReplayArgs),
    /// Import an Excalidraw scene or library and print its shapes by kind.
    Import(cli::import::ImportArgs),
    /// Write a board, or an imported Excalidraw file, as an Excalidraw scene.
    Export(cli::export::ExportArgs),
    /// Run the sync server until SIGTERM or Ctrl-C.
    Serve(cli::serve::ServeArgs),
    /// Print a stored document without a running server.
    Dump(cli::dump::DumpArgs),
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Vectors(args) => cli::vectors::run(args),
        Command::Replay(args) => cli::replay::run(args),
        Command::Import(args) => cli::import::run(args),
        Command::Export(args) => cli::export::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Dump(args) => cli::dump::run(args),
    }
}
