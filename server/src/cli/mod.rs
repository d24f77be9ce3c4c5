//! One module per subcommand of the `echostream` command.

pub mod dump;
pub mod export;
pub mod import;
mod input;
pub mod replay;
mod replay_remote;
mod report;
pub mod serve;
pub mod vectors;
