//! Boards on the server: presence is the selected shapes, the pointer and
//! the selections inside one shape's text.

use echostream::board::{Board, BoardOp, Change, ShapeId};
use echostream::text::Selection;
use echostream::Side;
use serde::{Deserialize, Serialize};

use super::{DocumentOp, PresenceUser, MAX_SELECTIONS};
use crate::protocol::DocumentKind;

/// The maximum number of selected shapes in one client's board presence.
pub const MAX_SELECTED_SHAPES: usize = 4096;

/// Selections inside the text of one shape, in code points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapeTextSelection {
    /// The shape whose text is being edited.
    pub shape: ShapeId,
    /// The selections in its text.
    pub selections: Vec<Selection>,
}

/// The presence of a client on a board.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardPresence {
    /// The selected shapes.
    #[serde(default)]
    pub selected: Vec<ShapeId>,
    /// The pointer on the canvas, `[x, y]` in px.
    #[serde(default)]
    pub pointer: Option<(f64, f64)>,
    /// The selections in the text of the shape being edited.
    #[serde(default)]
    pub text: Option<ShapeTextSelection>,
    /// The user's name and color, if the client sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<PresenceUser>,
}

impl DocumentOp for BoardOp {
    const KIND: DocumentKind = DocumentKind::Board;

    type Presence = BoardPresence;

    fn check_presence(presence: &BoardPresence) -> Result<(), String> {
        let selected = presence.selected.len();
        if selected > MAX_SELECTED_SHAPES {
            return Err(format!(
                "presence selects {selected} shapes, above the limit of {MAX_SELECTED_SHAPES}"
            ));
        }
        if let Some((x, y)) = presence.pointer {
            if !x.is_finite() || !y.is_finite() {
                return Err(format!("presence pointer ({x}, {y}) is not finite"));
            }
        }
        let selections = presence.text.as_ref().map_or(0, |t| t.selections.len());
        if selections > MAX_SELECTIONS {
            return Err(format!(
                "presence has {selections} text selections, above the limit of {MAX_SELECTIONS}"
            ));
        }
        presence.user.as_ref().map_or(Ok(()), PresenceUser::check)
    }

    /// Accepts every board presence. NOTE: the package's `BoardSync` sends
    /// text selections in its local text, pending edits included, so a
    /// check against the committed text would reject valid cursors.
    fn check_presence_fits(_presence: &BoardPresence, _document: &Board) -> Result<(), String> {
        Ok(())
    }

    /// Drops deleted shapes from the selection and moves the text
    /// selections through edits of their shape's text. The pointer stays:
    /// it is a place on the canvas, not on a shape. O(c × s) in the
    /// changes and the selected shapes.
    fn transform_presence(&self, presence: &BoardPresence, own: bool) -> BoardPresence {
        let side = if own { Side::Right } else { Side::Left };
        let deleted = |shape: ShapeId| {
            self.changes
                .iter()
                .any(|change| matches!(change, Change::Delete { id, .. } if *id == shape))
        };
        let mut moved = presence.clone();
        moved.selected.retain(|id| !deleted(*id));
        moved.text = presence.text.as_ref().and_then(|text| {
            if deleted(text.shape) {
                return None;
            }
            let selections = text
                .selections
                .iter()
                .map(|selection| self.transform_text_selection(text.shape, *selection, side))
                .collect::<Option<Vec<_>>>()?;
            Some(ShapeTextSelection {
                shape: text.shape,
                selections,
            })
        });
        moved
    }

    fn render(document: &Board) -> String {
        let mut json = document.to_json();
        json.push('\n');
        json
    }
}

#[cfg(test)]
mod tests {
    use echostream::board::{Shape, ShapeKind};
    use echostream::text::TextOp;

    use super::*;

    #[test]
    fn board_presence_follows_deletes_and_text_edits() {
        let kept = ShapeId(1);
        let gone = ShapeId(2);
        let presence = BoardPresence {
            selected: vec![kept, gone],
            pointer: Some((3.0, 4.0)),
            text: Some(ShapeTextSelection {
                shape: kept,
                selections: vec![Selection::cursor(2)],
            }),
            user: Some(PresenceUser {
                name: "Ada".to_owned(),
                color: "#1e90ff".to_owned(),
            }),
        };
        let mut op = BoardOp::new();
        op.push(Change::Delete {
            id: gone,
            shape: Shape::new(ShapeKind::Rectangle),
            z: 1,
        });
        op.push(Change::EditText {
            id: kept,
            op: TextOp::insert_at(0, "ab"),
        });

        let moved = op.transform_presence(&presence, false);
        assert_eq!(moved.selected, [kept]);
        assert_eq!(moved.pointer, Some((3.0, 4.0)));
        let text = moved.text.unwrap();
        assert_eq!(text.selections, [Selection::cursor(4)]);
        assert_eq!(moved.user, presence.user);
    }

    #[test]
    fn board_presence_limits() {
        let presence = BoardPresence {
            pointer: Some((f64::NAN, 0.0)),
            ..BoardPresence::default()
        };
        let error = BoardOp::check_presence(&presence).unwrap_err();
        assert_eq!(error, "presence pointer (NaN, 0) is not finite");

        let presence = BoardPresence {
            user: Some(PresenceUser {
                name: "Ada".to_owned(),
                color: "blue".to_owned(),
            }),
            ..BoardPresence::default()
        };
        let error = BoardOp::check_presence(&presence).unwrap_err();
        assert_eq!(
            error,
            "presence user color \"blue\" is invalid: expected #rrggbb with 6 hexadecimal digits"
        );
    }
}
