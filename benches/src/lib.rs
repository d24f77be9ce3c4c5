//! Benchmarks of EchoStream against its peers.

pub mod text_replay;
