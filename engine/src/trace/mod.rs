//! Recorded editing traces: the keystroke histories of real documents, in
//! the JSON formats of the public `josephg/editing-traces` collection.
//!
//! A trace is a list of transactions, each a list of patches
//! `[pos, delCount, insStr]` that delete `delCount` code points at `pos`
//! and then insert `insStr` there. This module parses traces from text and
//! turns patches into [`TextOp`]s. Reading and decompressing files is left
//! to the caller, so that the engine stays free of I/O.
//!
//! The JSON field `"kind"` distinguishes the formats: it is absent (or
//! `"sequential"`) for one editing session in order and `"concurrent"` for
//! sessions where several people typed at once.

pub mod concurrent;
pub mod sequential;

pub use concurrent::{ConcurrentTrace, ConcurrentTransaction, MergeError};
pub use sequential::{SequentialTrace, Transaction};

use serde::Deserialize;
use thiserror::Error;

use smallvec::SmallVec;

use crate::text::{Component, TextError, TextOp};

/// One patch of a trace: delete `del_count` code points at `pos`, then
/// insert `insert` there. Its JSON form is `[pos, delCount, insStr]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "(usize, usize, String)")]
pub struct Patch {
    /// The code point where the patch starts.
    pub pos: usize,
    /// The code points deleted at `pos`.
    pub del_count: usize,
    /// The text inserted at `pos` after the delete.
    pub insert: String,
}

impl From<(usize, usize, String)> for Patch {
    fn from((pos, del_count, insert): (usize, usize, String)) -> Self {
        Patch {
            pos,
            del_count,
            insert,
        }
    }
}

impl Patch {
    /// Returns the text operation with the patch's effect: retain `pos`,
    /// delete `del_count`, insert the text. O(1) plus a copy of the text.
    pub fn to_op(&self) -> TextOp {
        // Built directly rather than through the builder methods, because
        // trace replay runs this once per patch and the parts are already
        // in normalized order.
        let mut components = SmallVec::new();
        let changes = self.del_count > 0 || !self.insert.is_empty();
        if self.pos > 0 && changes {
            components.push(Component::Retain(self.pos));
        }
        if self.del_count > 0 {
            components.push(Component::Delete(self.del_count));
        }
        if !self.insert.is_empty() {
            components.push(Component::Insert(self.insert.clone()));
        }
        TextOp::from_normalized(components)
    }
}

/// The format of a trace, read from its `"kind"` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceKind {
    /// One editing session in order: no `"kind"`, or `"sequential"`.
    Sequential,
    /// Several sessions that typed at once: `"kind": "concurrent"`.
    Concurrent,
}

impl TraceKind {
    /// Reads the format of the trace in `json` from its `"kind"` field.
    /// O(n) in the length of the text, because the parser still has to
    /// skip over every other field.
    pub fn detect(json: &str) -> Result<TraceKind, TraceError> {
        #[derive(Deserialize)]
        struct Probe {
            kind: Option<String>,
        }
        let probe: Probe =
            serde_json::from_str(json).map_err(|e| TraceError::Json(e.to_string()))?;
        match probe.kind.as_deref() {
            None | Some("sequential") => Ok(TraceKind::Sequential),
            Some("concurrent") => Ok(TraceKind::Concurrent),
            Some(other) => Err(TraceError::UnknownKind(other.to_owned())),
        }
    }
}

/// An error in reading or replaying a trace.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TraceError {
    /// The text is not valid JSON for a trace. The message names the
    /// value and its place in the input.
    #[error("invalid trace JSON: {0}")]
    Json(String),

    /// The `"kind"` field names a format this version does not read.
    #[error("unknown trace kind {0:?}: expected \"sequential\" or \"concurrent\"")]
    UnknownKind(String),

    /// The trace is of another format than the parser that was called.
    #[error("expected a {expected:?} trace but its kind is {actual:?}")]
    WrongKind {
        /// The format the parser reads.
        expected: TraceKind,
        /// The format named in the trace.
        actual: TraceKind,
    },

    /// A patch does not apply to the document it was recorded on.
    #[error("patch {patch} of transaction {transaction} does not apply: {source}")]
    Patch {
        /// The index of the transaction in the trace.
        transaction: usize,
        /// The index of the patch in its transaction.
        patch: usize,
        /// The error the document returned for the patch.
        source: TextError,
    },
}
