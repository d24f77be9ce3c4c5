//! What the server needs of an operation type beyond the engine's
//! [`Operation`] trait: its kind on the wire and how presence moves.

use std::fmt::Debug;

use echostream::text::{Selection, TextDocument, TextOp};
use echostream::{Operation, Side};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::protocol::DocumentKind;

/// The maximum number of selections in one client's text presence.
pub const MAX_SELECTIONS: usize = 64;

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

    /// Returns where `presence` moves when this operation is applied.
    /// `own` is true when the operation and the presence come from the same
    /// site, so that a client's cursor moves past its own insert.
    fn transform_presence(&self, presence: &Self::Presence, own: bool) -> Self::Presence;

    /// Renders a document for `echostream dump`. O(n) in the document.
    fn render(document: &Self::Document) -> String;
}

/// The presence of a client in a text document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextPresence {
    /// The selections, in code points; a cursor is a collapsed selection.
    pub selections: Vec<Selection>,
}

impl DocumentOp for TextOp {
    const KIND: DocumentKind = DocumentKind::Text;

    type Presence = TextPresence;

    fn check_presence(presence: &TextPresence) -> Result<(), String> {
        let count = presence.selections.len();
        if count > MAX_SELECTIONS {
            return Err(format!(
                "presence has {count} selections, above the limit of {MAX_SELECTIONS}"
            ));
        }
        Ok(())
    }

    /// O(k × s) in the components and the selections.
    fn transform_presence(&self, presence: &TextPresence, own: bool) -> TextPresence {
        let side = if own { Side::Right } else { Side::Left };
        let selections = presence
            .selections
            .iter()
            .map(|&selection| self.transform_selection(selection, side))
            .collect();
        TextPresence { selections }
    }

    fn render(document: &TextDocument) -> String {
        document.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_presence_moves_past_inserts() {
        let presence = TextPresence {
            selections: vec![Selection::cursor(3), Selection::new(1, 5)],
        };
        let insert = TextOp::insert_at(3, "ab");

        let other = insert.transform_presence(&presence, false);
        assert_eq!(other.selections[0], Selection::cursor(3));
        assert_eq!(other.selections[1], Selection::new(1, 7));

        let own = insert.transform_presence(&presence, true);
        assert_eq!(own.selections[0], Selection::cursor(5));
    }

    #[test]
    fn text_presence_limit() {
        let presence = TextPresence {
            selections: vec![Selection::cursor(0); MAX_SELECTIONS + 1],
        };
        let error = TextOp::check_presence(&presence).unwrap_err();
        assert_eq!(error, "presence has 65 selections, above the limit of 64");
    }
}
