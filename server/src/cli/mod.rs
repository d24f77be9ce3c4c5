//! One module per subcommand of the `echostream` command.

pub mod export;
pub mod import;
pub mod dump;
mod input;
pub mod replay;
mod replay_remote;
pub mod serve;
pub mod vectors;
