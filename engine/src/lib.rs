//! EchoStream: an operational-transformation (OT) engine for plain text and
//! whiteboards.
//!
//! Two peers edit the same text at once, exchange their operations and
//! converge:
//!
//! ```
//! use echostream::text::{TextDocument, TextOp};
//! use echostream::Side;
//!
//! let mut alice = TextDocument::from("Hello world");
//! let mut bob = alice.clone();
//!
//! // Alice adds a comma while Bob adds an exclamation mark.
//! let comma = TextOp::insert_at(5, ",");
//! let bang = TextOp::insert_at(11, "!");
//! alice.apply(&comma)?;
//! bob.apply(&bang)?;
//!
//! // Each applies the other's operation, transformed past its own. The two
//! // sides of a pair are always opposite.
//! alice.apply(&bang.transform(&comma, Side::Right))?;
//! bob.apply(&comma.transform(&bang, Side::Left))?;
//!
//! assert_eq!(alice.to_string(), "Hello, world!");
//! assert_eq!(alice, bob);
//! # Ok::<(), echostream::text::TextError>(())
//! ```
//!
//! The core is pure: no I/O, no async, no logging. It compiles for
//! `wasm32-unknown-unknown` as well as natively.

#![deny(missing_docs)]

pub mod board;
mod clock;
pub mod conformance;
mod diff;
mod invariant;
mod json;
mod operation;
pub mod oplog;
mod side;
pub mod sync;
pub mod text;
pub mod trace;

pub use clock::{ClockOrdering, SiteId, SiteIdError, VectorClock};
pub use diff::Diff;
pub use operation::Operation;
pub use oplog::{LoggedOp, MemoryLog, OpId, OpLog, Snapshot};
pub use side::Side;
