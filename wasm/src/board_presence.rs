//! Selections in the text of a shape, moved between the server's board
//! and the local one, so that board presence follows edits.

use echostream::board::BoardOp;
use echostream::text::Selection;
use echostream::Side;
use wasm_bindgen::prelude::*;

use crate::args::{side_arg, JsResult};
use crate::board::{shape_id, JsBoardOp};
use crate::board_sync::JsBoardSyncClient;
use crate::json::{from_js, to_js};

/// Moves `selections` through `op`, or returns undefined when `op`
/// deletes `shape`.
fn moved_selections(
    op: &BoardOp,
    shape: &JsValue,
    selections: JsValue,
    side: Side,
) -> JsResult<JsValue> {
    let shape = shape_id(shape)?;
    let selections: Vec<Selection> = from_js(selections, "selections")?;
    let moved: Option<Vec<Selection>> = selections
        .into_iter()
        .map(|s| op.transform_text_selection(shape, s, side))
        .collect();
    match moved {
        Some(moved) => to_js(&moved, "selections"),
        None => Ok(JsValue::UNDEFINED),
    }
}

#[wasm_bindgen(js_class = BoardOp)]
impl JsBoardOp {
    /// Returns where selections, in code points of the text of shape
    /// `shape`, move when this operation applies, or undefined when it
    /// deletes the shape. With "left" a position exactly at an insert
    /// stays before it. O(c + k·s) in the changes, the text components
    /// and the selections.
    #[wasm_bindgen(
        js_name = transformTextSelections,
        unchecked_return_type = "Selection[] | undefined"
    )]
    pub fn transform_text_selections(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] shape: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Selection[]")] selections: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<JsValue> {
        moved_selections(&self.op, &shape, selections, side_arg(&side)?)
    }
}

#[wasm_bindgen(js_class = BoardSyncClient)]
impl JsBoardSyncClient {
    /// Moves local selections in the text of shape `shape`, in code points
    /// of the local board, to the server's board at the client's revision,
    /// as a presence message carries them: pending local edits are taken
    /// out. Returns undefined when the shape exists only through pending
    /// edits. O(p) in the pending changes.
    #[wasm_bindgen(
        js_name = textSelectionsFromLocal,
        unchecked_return_type = "Selection[] | undefined"
    )]
    pub fn text_selections_from_local(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] shape: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Selection[]")] selections: JsValue,
    ) -> JsResult<JsValue> {
        let local = self.core.pending_change()?;
        let back = local.invert(self.core.confirmed())?;
        moved_selections(&back, &shape, selections, Side::Left)
    }

    /// Moves another client's selections in the text of shape `shape`,
    /// in code points of the server's board at the client's revision, onto
    /// the local board: past the pending local edits. A cursor at a local
    /// insert stays before it. Returns undefined when a pending edit
    /// deleted the shape. O(p) in the pending changes.
    #[wasm_bindgen(
        js_name = textSelectionsToLocal,
        unchecked_return_type = "Selection[] | undefined"
    )]
    pub fn text_selections_to_local(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] shape: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Selection[]")] selections: JsValue,
    ) -> JsResult<JsValue> {
        let local = self.core.pending_change()?;
        moved_selections(&local, &shape, selections, Side::Left)
    }
}
