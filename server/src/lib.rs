//! The EchoStream sync server: the process that editors connect to over
//! WebSockets, that transforms their operations authoritatively, stores
//! every acknowledged operation on disk and replays the log after a crash.
//!
//! The crate is a library as well as the `echostream` binary, so that
//! tests, benchmarks and tools can start a server in-process and talk to
//! it with the native client.

pub mod client;
pub mod config;
pub mod document;
pub mod document_id;
pub mod document_op;
pub mod metrics;
pub mod protocol;
pub mod rate_limit;
pub mod server;
mod session;
pub mod store;
