//! Synchronization of one document between an authority and its clients,
//! generic over the operation type, so text and boards use the same code.
//!
//! The layer is pure: it moves no bytes and keeps no clock time. The
//! caller carries [`Submission`]s to the [`Authority`], and
//! [`LoggedOp`](crate::LoggedOp) entries and acknowledgements back to each
//! [`Client`], over any transport that delivers each connection's messages
//! in order. Messages may be late, lost with a connection or repeated
//! after a reconnect:
//!
//! - every operation travels with its id `(site, seq)`, the revision it was
//!   made against and the clock of what its site had seen;
//! - the authority commits each id at most once and acknowledges a repeat
//!   with the original revision, also after it compacted its history
//!   (after a restart from a snapshot, with the snapshot's revision);
//! - a client never changes an operation it may have sent, so it can send
//!   it again under the same id after a reconnect.
//!
//! # The side rule
//!
//! The authority's order decides every tie: the operation committed
//! earlier goes first. The authority transforms a submission against the
//! history with [`SUBMISSION_SIDE`] (`Right`), and a client transforms a
//! remote entry against its own pending operations with [`REMOTE_SIDE`]
//! (`Left`), the mirror, because the remote entry was committed before
//! them. Every replica therefore puts two inserts at the same place in the
//! same order.
//!
//! ```
//! use echostream::sync::{Authority, Client, Receipt};
//! use echostream::text::{TextDocument, TextOp};
//! use echostream::SiteId;
//!
//! let mut authority = Authority::<TextOp>::new();
//! let mut alice = Client::new(SiteId(1), TextDocument::new(), 0);
//! let mut bob = Client::new(SiteId(2), TextDocument::new(), 0);
//!
//! alice.apply_local(TextOp::insert_at(0, "hello"))?;
//! bob.apply_local(TextOp::insert_at(0, "world"))?;
//!
//! // Alice's operation reaches the authority first.
//! let sent = alice.next_submission().unwrap();
//! let Receipt::Committed(entry) = authority.receive(sent)? else { panic!() };
//! alice.acknowledge(entry.id, entry.revision)?;
//! bob.receive_remote(entry)?;
//!
//! let sent = bob.next_submission().unwrap();
//! let Receipt::Committed(entry) = authority.receive(sent)? else { panic!() };
//! bob.acknowledge(entry.id, entry.revision)?;
//! alice.receive_remote(entry)?;
//!
//! assert_eq!(authority.document().to_string(), "helloworld");
//! assert_eq!(alice.document(), authority.document());
//! assert_eq!(bob.document(), authority.document());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod authority;
mod client;
mod cursor;
mod envelope;
mod error;
mod merge;
mod rebase;
mod undo;

pub use authority::{Authority, SUBMISSION_SIDE};
pub use client::{Client, ClientState, DEFAULT_UNDO_LIMIT};
pub use cursor::CURSOR_SIDE;
pub use envelope::{Receipt, Submission};
pub use error::SyncError;
pub use merge::{compose_all, divergence_point, merge_divergent, Merged};
pub use undo::{UndoHistory, UNDO_SIDE};

use crate::Side;

/// The side a client gives a remote entry when it transforms the entry
/// against its own pending operations: [`Side::Left`], the mirror of
/// [`SUBMISSION_SIDE`].
pub const REMOTE_SIDE: Side = Side::Left;
