//! One module per subcommand of the `echostream` command.

pub mod export;
pub mod import;
mod input;
pub mod replay;
pub mod vectors;
