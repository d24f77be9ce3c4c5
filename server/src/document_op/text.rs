//! Text documents on the server: presence is a list of selections.

use echostream::text::{Selection, TextDocument, TextOp};
use echostream::Side;
use serde::{Deserialize, Serialize};

use super::{DocumentOp, PresenceUser};
use crate::protocol::DocumentKind;

/// The maximum number of selections in one client's text presence.
pub const MAX_SELECTIONS: usize = 64;

/// The presence of a client in a text document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextPresence {
    /// The selections, in code points; a cursor is a collapsed selection.
    pub selections: Vec<Selection>,
    /// The user's name and color, if the client sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<PresenceUser>,
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
        presence.user.as_ref().map_or(Ok(()), PresenceUser::check)
    }

    fn check_presence_fits(presence: &TextPresence, document: &TextDocument) -> Result<(), String> {
        let len = document.len();
        for (index, selection) in presence.selections.iter().enumerate() {
            let end = selection.anchor.max(selection.head);
            if end > len {
                return Err(format!(
                    "presence selection {index} ({}..{}) is past the end of the document, which has {len} code points",
                    selection.anchor, selection.head
                ));
            }
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
        TextPresence {
            selections,
            user: presence.user.clone(),
        }
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
            user: None,
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
            user: None,
        };
        let error = TextOp::check_presence(&presence).unwrap_err();
        assert_eq!(error, "presence has 65 selections, above the limit of 64");
    }
}
