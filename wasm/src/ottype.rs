//! Functions on operations in the text-unicode JSON form and on plain
//! string snapshots, for the ottypes type object `textType` (written in
//! JavaScript on top of them), so that ShareDB and the ottypes fuzzer can
//! use the engine.
//!
//! Each call converts its JSON arguments, which costs O(size) on top of the
//! operation itself. `textApply` builds a rope from the snapshot, O(n).

use echostream::text::{TextDocument, TextOp};
use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::args::{index_arg, side_arg, to_text, JsResult};
use crate::json::{from_js, to_js};

fn read_op(json: JsValue) -> JsResult<TextOp> {
    from_js(json, "text operation")
}

fn write_op(op: &TextOp) -> JsResult<JsValue> {
    to_js(op, "text operation")
}

/// Returns `snapshot` after `op`, or throws naming why it does not fit.
#[wasm_bindgen(js_name = textApply)]
pub fn text_apply(
    snapshot: &JsString,
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
) -> JsResult<String> {
    let mut doc = TextDocument::from(to_text(snapshot, "snapshot")?);
    doc.apply(&read_op(op)?)?;
    Ok(doc.to_string())
}

/// Returns `op` rewritten to apply after `other`, normalized.
#[wasm_bindgen(js_name = textTransform, unchecked_return_type = "TextOpJson")]
pub fn text_transform(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] other: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
) -> JsResult<JsValue> {
    let side = side_arg(&side)?;
    let op = read_op(op)?;
    let other = read_op(other)?;
    write_op(&op.transform(&other, side))
}

/// Returns one operation with the effect of `first` followed by `second`,
/// normalized.
#[wasm_bindgen(js_name = textCompose, unchecked_return_type = "TextOpJson")]
pub fn text_compose(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] first: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] second: JsValue,
) -> JsResult<JsValue> {
    let first = read_op(first)?;
    let second = read_op(second)?;
    write_op(&first.compose(&second))
}

/// Returns the operation that undoes `op`, whose deletes must carry their
/// text.
#[wasm_bindgen(js_name = textInvert, unchecked_return_type = "TextOpJson")]
pub fn text_invert(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
) -> JsResult<JsValue> {
    write_op(&read_op(op)?.invert_self()?)
}

/// Returns `op` with the text of each delete read from `snapshot`, the
/// document it applies to.
#[wasm_bindgen(js_name = textMakeInvertible, unchecked_return_type = "TextOpJson")]
pub fn text_make_invertible(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
    snapshot: &JsString,
) -> JsResult<JsValue> {
    let doc = TextDocument::from(to_text(snapshot, "snapshot")?);
    write_op(&doc.with_deleted_text(&read_op(op)?)?)
}

/// Returns the normalized form of `op`.
#[wasm_bindgen(js_name = textNormalize, unchecked_return_type = "TextOpJson")]
pub fn text_normalize(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
) -> JsResult<JsValue> {
    write_op(&read_op(op)?.normalize())
}

/// Returns where code point `pos` moves when `op` applies.
#[wasm_bindgen(js_name = textTransformPosition)]
pub fn text_transform_position(
    #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
) -> JsResult<usize> {
    let pos = index_arg(&pos, "position")?;
    let side = side_arg(&side)?;
    Ok(read_op(op)?.transform_position(pos, side))
}

/// True if `op` changes nothing.
#[wasm_bindgen(js_name = textIsNoop)]
pub fn text_is_noop(
    #[wasm_bindgen(unchecked_param_type = "TextOpJson")] op: JsValue,
) -> JsResult<bool> {
    Ok(read_op(op)?.is_identity())
}
