//! WebAssembly bindings of the EchoStream engine, for browsers and Node.
//!
//! The classes here are thin wrappers with camelCase names around the
//! engine's types. Engine logic stays in the `echostream` crate; this crate
//! converts arguments, positions and errors at the JavaScript boundary:
//!
//! - every position that JavaScript editors count in UTF-16 code units is
//!   converted to and from code points in [`units`], and nowhere else;
//! - values cross as plain JSON-compatible objects through
//!   `serde-wasm-bindgen`, in [`json`];
//! - every error becomes a JavaScript `Error` whose message names the
//!   rejected value, through [`args`].

#![deny(missing_docs)]

pub mod args;
pub mod authority;
pub mod board;
pub mod board_presence;
pub mod board_sync;
pub mod clock;
pub mod envelope;
pub mod json;
pub mod offline;
pub mod ottype;
pub mod sync_bindings;
pub mod sync_client;
pub mod sync_core;
pub mod text_document;
pub mod text_op;
pub mod typescript;
pub mod units;

pub use clock::JsVectorClock;
pub use text_document::JsTextDocument;
pub use text_op::JsTextOp;
