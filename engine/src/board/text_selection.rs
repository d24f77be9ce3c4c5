//! Selections in the text of one shape, moved through board operations:
//! how a client keeps another user's caret in a sticky note in place
//! while edits arrive.

use super::id::ShapeId;
use super::operation::{BoardOp, Change};
use crate::text::Selection;
use crate::Side;

impl BoardOp {
    /// Returns where `selection`, in code points of the text of `shape`,
    /// moves when this operation applies, or `None` when the operation
    /// deletes the shape. Edits of the shape's text move it as
    /// [`TextOp::transform_selection`] does, with `side` deciding
    /// whether text inserted at a position goes after it (`Left`) or
    /// before it (`Right`). Other changes leave it. O(c + k) in the
    /// changes and the components of the shape's text edits.
    ///
    /// [`TextOp::transform_selection`]: crate::text::TextOp::transform_selection
    pub fn transform_text_selection(
        &self,
        shape: ShapeId,
        selection: Selection,
        side: Side,
    ) -> Option<Selection> {
        let mut moved = selection;
        for change in &self.changes {
            match change {
                Change::Delete { id, .. } if *id == shape => return None,
                Change::EditText { id, op } if *id == shape => {
                    moved = op.transform_selection(moved, side);
                }
                _ => {}
            }
        }
        Some(moved)
    }
}
