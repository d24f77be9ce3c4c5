//! The `TextOp` class: a text operation, with positions in code points.

use echostream::text::{Selection, TextOp};
use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::args::{index_arg, side_arg, to_text, JsResult};
use crate::json::{from_js, to_js};

/// A change to a plain-text document: retain, insert and delete
/// components whose lengths and positions count code points.
#[wasm_bindgen(js_name = TextOp)]
#[derive(Clone, Debug, Default)]
pub struct JsTextOp {
    pub(crate) op: TextOp,
}

impl From<TextOp> for JsTextOp {
    fn from(op: TextOp) -> Self {
        JsTextOp { op }
    }
}

impl JsTextOp {
    /// Returns the engine operation.
    pub fn inner(&self) -> &TextOp {
        &self.op
    }
}

#[wasm_bindgen(js_class = TextOp)]
impl JsTextOp {
    /// Returns the operation that changes nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsTextOp {
        JsTextOp::default()
    }

    /// Returns an operation that inserts `text` at code point `pos`.
    pub fn insert(
        #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
        text: &JsString,
    ) -> JsResult<JsTextOp> {
        let pos = index_arg(&pos, "position")?;
        let text = to_text(text, "inserted text")?;
        Ok(TextOp::insert_at(pos, &text).into())
    }

    /// Returns an operation that deletes the code points from `from` up to
    /// `to`.
    pub fn delete(
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
    ) -> JsResult<JsTextOp> {
        let (from, to) = code_point_range(&from, &to)?;
        Ok(TextOp::delete_range(from..to).into())
    }

    /// Returns an operation that deletes `text` at code point `pos`,
    /// carrying the text so that it can be inverted on its own.
    #[wasm_bindgen(js_name = deleteText)]
    pub fn delete_text(
        #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
        text: &JsString,
    ) -> JsResult<JsTextOp> {
        let pos = index_arg(&pos, "position")?;
        let text = to_text(text, "deleted text")?;
        Ok(TextOp::delete_text_at(pos, &text).into())
    }

    /// Returns an operation that replaces the code points from `from` up to
    /// `to` with `text`.
    pub fn replace(
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
        text: &JsString,
    ) -> JsResult<JsTextOp> {
        let (from, to) = code_point_range(&from, &to)?;
        let text = to_text(text, "inserted text")?;
        Ok(TextOp::replace(from..to, &text).into())
    }

    /// Reads an operation from the text-unicode JSON form, such as
    /// `[5, "hi", {d: 2}]`. The operation is kept as written; call
    /// `normalize` for the canonical form.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "TextOpJson")] json: JsValue,
    ) -> JsResult<JsTextOp> {
        Ok(from_js::<TextOp>(json, "text operation")?.into())
    }

    /// Returns the text-unicode JSON form, so that `JSON.stringify(op)`
    /// writes it.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "TextOpJson")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&self.op, "text operation")
    }

    /// Returns the JSON text of the operation.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.op.to_json()
    }

    /// Returns this operation rewritten to apply after `other`, where both
    /// were made on the same document. O(k) in the components of both.
    pub fn transform(
        &self,
        other: &JsTextOp,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<JsTextOp> {
        Ok(self.op.transform(&other.op, side_arg(&side)?).into())
    }

    /// Returns one operation with the effect of this one followed by
    /// `next`. O(k) in the components of both.
    pub fn compose(&self, next: &JsTextOp) -> JsTextOp {
        self.op.compose(&next.op).into()
    }

    /// Returns the operation that undoes this one, which needs every delete
    /// to carry its text (see `TextDocument.withDeletedText`).
    pub fn invert(&self) -> JsResult<JsTextOp> {
        Ok(self.op.invert_self()?.into())
    }

    /// Returns the same change in normalized form.
    pub fn normalize(&self) -> JsTextOp {
        self.op.normalize().into()
    }

    /// True if the operation changes nothing.
    #[wasm_bindgen(getter, js_name = isNoop)]
    pub fn is_noop(&self) -> bool {
        self.op.is_identity()
    }

    /// True if every delete carries its text, so that `invert` succeeds.
    #[wasm_bindgen(getter, js_name = isInvertible)]
    pub fn is_invertible(&self) -> bool {
        self.op.is_invertible()
    }

    /// The code points the operation spans in the document it applies to.
    #[wasm_bindgen(getter, js_name = baseLength)]
    pub fn base_length(&self) -> usize {
        self.op.base_len()
    }

    /// The code points of the same span after the operation.
    #[wasm_bindgen(getter, js_name = targetLength)]
    pub fn target_length(&self) -> usize {
        self.op.target_len()
    }

    /// True if both operations hold the same components.
    pub fn equals(&self, other: &JsTextOp) -> bool {
        self.op == other.op
    }

    /// Returns where code point `pos` moves when this operation applies.
    /// With "left" a position exactly at an insert stays before it.
    #[wasm_bindgen(js_name = transformPosition)]
    pub fn transform_position(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<usize> {
        let pos = index_arg(&pos, "position")?;
        Ok(self.op.transform_position(pos, side_arg(&side)?))
    }

    /// Returns where a selection, in code points, moves when this operation
    /// applies. A range never grows to take in text inserted at its ends.
    #[wasm_bindgen(js_name = transformSelection, unchecked_return_type = "Selection")]
    pub fn transform_selection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Selection")] selection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<JsValue> {
        let selection: Selection = from_js(selection, "selection")?;
        let moved = self.op.transform_selection(selection, side_arg(&side)?);
        to_js(&moved, "selection")
    }

    /// Returns a copy, independent of this object's lifetime.
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> JsTextOp {
        self.clone()
    }
}

/// Reads a range of code points, rejecting an end before its start.
pub(crate) fn code_point_range(from: &JsValue, to: &JsValue) -> JsResult<(usize, usize)> {
    let from = index_arg(from, "range start")?;
    let to = index_arg(to, "range end")?;
    if to < from {
        return Err(crate::args::error(format!(
            "invalid range {from}..{to}: the end is before the start"
        )));
    }
    Ok((from, to))
}
