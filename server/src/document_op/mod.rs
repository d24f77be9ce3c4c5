//! The server's requirements on an operation type beyond the engine's
//! [`Operation`] trait: its kind on the wire and how presence moves.

mod board;
mod text;
mod user;

use std::fmt::Debug;

use echostream::Operation;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use board::{BoardPresence, ShapeTextSelection, MAX_SELECTED_SHAPES};
pub use text::{TextPresence, MAX_SELECTIONS};
pub use user::{PresenceUser, MAX_USER_NAME_CHARS};

use crate::protocol::DocumentKind;

/// An operation type whose documents the server hosts. The document task,
/// the store and the sessions are written once against this trait.
pub trait DocumentOp:
    Operation<Document: Send + Sync + 'static, Error: Send + Sync> + Send + Sync + 'static
{
    /// The kind of document this operation edits.
    const KIND: DocumentKind;

    /// A client's cursors and selections: shown to the other clients,
    /// moved by every operation, never stored.
    type Presence: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// Checks a presence received from a client against the limits.
    /// Returns a message naming the value and the limit when it is invalid.
    fn check_presence(presence: &Self::Presence) -> Result<(), String>;

    /// Checks that a presence, moved to the revision of `document`, points
    /// inside it, so that no client is sent a selection past the end of
    /// the text. Returns a message naming the position and the length.
    fn check_presence_fits(
        presence: &Self::Presence,
        document: &Self::Document,
    ) -> Result<(), String>;

    /// Returns where `presence` moves when this operation is applied.
    /// `own` is true when the operation and the presence come from the same
    /// site, so that a client's cursor moves past its own insert.
    fn transform_presence(&self, presence: &Self::Presence, own: bool) -> Self::Presence;

    /// Renders a document for `echostream dump`. O(n) in the document.
    fn render(document: &Self::Document) -> String;
}
