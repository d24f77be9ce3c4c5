//! `echostream serve`: runs the sync server until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use clap::Args;
use echostream_server::config::ServeConfig;
use tracing_subscriber::EnvFilter;

/// Arguments of `echostream serve`.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    config: ServeConfig,
}

/// Starts logging (filtered by `RUST_LOG`, `info` by default) and serves.
pub fn run(args: ServeArgs) -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    if let Err(message) = args.config.limits.check() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: failed to start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(echostream_server::server::run_until_signal(args.config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %super::report::describe(&error), "server failed");
            ExitCode::FAILURE
        }
    }
}
