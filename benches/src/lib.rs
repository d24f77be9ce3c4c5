//! Benchmarks of EchoStream against its peers.
