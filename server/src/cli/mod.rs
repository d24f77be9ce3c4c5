//! One module per subcommand of the `echostream` command.
