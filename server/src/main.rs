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
enum Command {}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match args.command {}
}
