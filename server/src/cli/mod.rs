//! One module per subcommand of the `echostream` command.

mod input;
pub mod replay;
pub mod vectors;
