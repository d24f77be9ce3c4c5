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
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Vectors(args) => cli::vectors::run(args),
        Command::Replay(args) => cli::replay::run(args),
    }
}
