//! Open documents: one task per document owns its authority and its log,
//! so that the document's operations are totally ordered without locks.
//! Connections talk to the task through a bounded command queue and get
//! messages back through their own bounded outbox.

mod cluster;
mod durability;
mod fence;
mod file_load;
mod join_queue;
mod presence;
mod registry;
mod task;

use std::time::Instant;

use axum::extract::ws::Utf8Bytes;
use echostream::sync::Submission;
use echostream::SiteId;
use tokio::sync::{mpsc, oneshot};

pub use registry::Registry;

use crate::document_op::DocumentOp;
use crate::protocol::{ErrorBody, PresenceUpdate};
use crate::store::SiteFence;

/// The name of the fail point at the start of each write of a batch of
/// committed operations, before anything of the batch is stored. Tests
/// hold writes back with `fail::cfg_callback` on it. It does nothing
/// unless the `fail` crate's `failpoints` feature is on, which this crate
/// turns on only as a dev-dependency, for its tests.
pub const WRITE_FAIL_POINT: &str = "echostream_server::write_batch";

/// The id of one connection, unique within a server process.
pub type ConnId = u64;

/// A message for one connection's socket.
#[derive(Clone, Debug, PartialEq)]
pub enum Outbound {
    /// A text message, serialized once and shared between connections.
    Text(Utf8Bytes),
    /// Close the socket with this code and reason.
    Close {
        /// The WebSocket close code.
        code: u16,
        /// The reason sent with it.
        reason: &'static str,
    },
}

/// A request to join a document.
#[derive(Debug)]
pub(crate) struct Join {
    pub conn: ConnId,
    pub site: SiteId,
    /// The client's revision, or `None` for a snapshot.
    pub revision: Option<u64>,
    /// The queue for the welcome and every later message to the
    /// connection.
    pub outbox: mpsc::Sender<Outbound>,
    /// Fired when the document drops the connection on its own: its
    /// outbox overflowed, or a newer connection of its site joined.
    pub dropped: oneshot::Sender<Dropped>,
    /// The connection's fencing token, with Redis only. The registry takes
    /// it before it sends the join to the document task.
    pub fence: Option<SiteFence>,
}

/// The reason a document dropped a connection. It travels apart from the
/// outbox, so it arrives even when the outbox is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// The outbox overflowed: the client must resync from this durable
    /// revision.
    Lagged { revision: u64 },
    /// A newer connection of the same site joined.
    Replaced,
}

/// The outcome of a join: the welcome is in the outbox, or the join
/// failed.
pub(crate) type JoinReply = oneshot::Sender<Result<(), ErrorBody>>;

/// A request to a document task.
#[derive(Debug)]
pub(crate) enum Command<Op: DocumentOp> {
    Join(Join, JoinReply),
    Submit {
        conn: ConnId,
        submission: Submission<Op>,
        received: Instant,
    },
    Presence {
        conn: ConnId,
        update: PresenceUpdate<Op>,
    },
    Leave {
        conn: ConnId,
    },
}
