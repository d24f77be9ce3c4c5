//! The `TextDocument` class: a plain-text document in a rope, addressed in
//! code points or in UTF-16 code units.

use echostream::text::{Selection, TextDocument, TextOp};
use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::args::{error, index_arg, side_arg, to_text, JsResult};
use crate::json::{from_js, to_js};
use crate::text_op::{code_point_range, JsTextOp};
use crate::units::{self, Utf16Change};

/// A plain-text document that text operations apply to. Methods whose
/// names end in `Utf16` take and return UTF-16 offsets, as JavaScript
/// strings and editors count them; the others count code points.
#[wasm_bindgen(js_name = TextDocument)]
#[derive(Clone, Debug, Default)]
pub struct JsTextDocument {
    pub(crate) doc: TextDocument,
}

impl From<TextDocument> for JsTextDocument {
    fn from(doc: TextDocument) -> Self {
        JsTextDocument { doc }
    }
}

impl JsTextDocument {
    /// Returns the engine document.
    pub fn inner(&self) -> &TextDocument {
        &self.doc
    }

    /// Replaces code points `from..to` with `text`. Both `edit` and
    /// `editUtf16` end here.
    fn replace_code_points(&mut self, from: usize, to: usize, text: &JsString) -> JsResult<()> {
        let text = to_text(text, "inserted text")?;
        Ok(self.doc.apply(&TextOp::replace(from..to, &text))?)
    }
}

#[wasm_bindgen(js_class = TextDocument)]
impl JsTextDocument {
    /// Returns a document holding `text`, empty when it is omitted.
    #[wasm_bindgen(constructor)]
    pub fn new(text: Option<JsString>) -> JsResult<JsTextDocument> {
        let text = match text {
            Some(text) => to_text(&text, "document text")?,
            None => String::new(),
        };
        Ok(TextDocument::from(text).into())
    }

    /// Returns the whole text. O(n).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.doc.to_string()
    }

    /// Returns the whole text, so that `JSON.stringify` writes a string.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.doc.to_string()
    }

    /// The length in code points.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.doc.len()
    }

    /// The length in UTF-16 code units, as `string.length` counts.
    #[wasm_bindgen(getter, js_name = lengthUtf16)]
    pub fn length_utf16(&self) -> usize {
        self.doc.len_utf16()
    }

    /// Applies `op`, or throws and leaves the document unchanged.
    /// O(k log n) for k components.
    pub fn apply(&mut self, op: &JsTextOp) -> JsResult<()> {
        Ok(self.doc.apply(&op.op)?)
    }

    /// Replaces the code points from `from` up to `to` with `text`, or
    /// throws and leaves the document unchanged. It builds no `TextOp`
    /// object: use `TextOp.replace` and `apply` when the operation is
    /// needed. O(log n + m) for m code points inserted or deleted.
    pub fn edit(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
        text: &JsString,
    ) -> JsResult<()> {
        let (from, to) = code_point_range(&from, &to)?;
        // An empty replace past the end is no change to the engine, so the
        // end is checked here for every text alike.
        let len = self.doc.len();
        if to > len {
            return Err(error(format!(
                "invalid range end {to}: the document has {len} code points"
            )));
        }
        self.replace_code_points(from, to, text)
    }

    /// Replaces UTF-16 offsets `from` up to `to` with `text`, as an editor
    /// reports a change, or throws and leaves the document unchanged. It
    /// builds no `TextOp` object: use `replaceUtf16` and `apply` when the
    /// operation is needed. O(log n + m) for m code points inserted or
    /// deleted.
    #[wasm_bindgen(js_name = editUtf16)]
    pub fn edit_utf16(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
        text: &JsString,
    ) -> JsResult<()> {
        let from = index_arg(&from, "UTF-16 range start")?;
        let to = index_arg(&to, "UTF-16 range end")?;
        let (from, to) = units::to_code_point_range(&self.doc, from, to)?;
        self.replace_code_points(from, to, text)
    }

    /// Checks that `op` applies to this document, without changing it.
    pub fn check(&self, op: &JsTextOp) -> JsResult<()> {
        Ok(self.doc.check(&op.op)?)
    }

    /// Returns the operation that undoes `op`, which must apply to this
    /// document as it is now.
    pub fn invert(&self, op: &JsTextOp) -> JsResult<JsTextOp> {
        Ok(self.doc.invert(&op.op)?.into())
    }

    /// Returns `op` with the text of every delete filled in from this
    /// document, so that it can be inverted later on its own.
    #[wasm_bindgen(js_name = withDeletedText)]
    pub fn with_deleted_text(&self, op: &JsTextOp) -> JsResult<JsTextOp> {
        Ok(self.doc.with_deleted_text(&op.op)?.into())
    }

    /// Returns the text of code points `from` up to `to`. O(log n + m).
    pub fn slice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
    ) -> JsResult<String> {
        let from = index_arg(&from, "range start")?;
        let to = index_arg(&to, "range end")?;
        Ok(self.doc.slice(from..to)?)
    }

    /// Converts a UTF-16 offset to a code point position, rejecting an
    /// offset inside a surrogate pair. O(log n).
    #[wasm_bindgen(js_name = codePointFromUtf16)]
    pub fn code_point_from_utf16(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] offset: JsValue,
    ) -> JsResult<usize> {
        let offset = index_arg(&offset, "UTF-16 offset")?;
        Ok(units::to_code_point(&self.doc, offset)?)
    }

    /// Converts a code point position to a UTF-16 offset. O(log n).
    #[wasm_bindgen(js_name = utf16FromCodePoint)]
    pub fn utf16_from_code_point(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
    ) -> JsResult<usize> {
        Ok(units::to_utf16(&self.doc, index_arg(&pos, "position")?)?)
    }

    /// Returns the operation that inserts `text` at UTF-16 offset
    /// `offset`, in code points. It does not apply it.
    #[wasm_bindgen(js_name = insertUtf16)]
    pub fn insert_utf16(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] offset: JsValue,
        text: &JsString,
    ) -> JsResult<JsTextOp> {
        self.replace_utf16(offset.clone(), offset, text)
    }

    /// Returns the operation that deletes UTF-16 offsets `from` up to
    /// `to`, carrying the deleted text. It does not apply it.
    #[wasm_bindgen(js_name = deleteUtf16)]
    pub fn delete_utf16(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
    ) -> JsResult<JsTextOp> {
        self.replace_utf16(from, to, &JsString::from(""))
    }

    /// Returns the operation that replaces UTF-16 offsets `from` up to
    /// `to` with `text`, carrying the deleted text. It does not apply it.
    #[wasm_bindgen(js_name = replaceUtf16)]
    pub fn replace_utf16(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
        text: &JsString,
    ) -> JsResult<JsTextOp> {
        let from = index_arg(&from, "UTF-16 range start")?;
        let to = index_arg(&to, "UTF-16 range end")?;
        let text = to_text(text, "inserted text")?;
        let (from, to) = units::to_code_point_range(&self.doc, from, to)?;
        let op = TextOp::replace(from..to, &text);
        Ok(self.doc.with_deleted_text(&op)?.into())
    }

    /// Returns the operation for a list of changes in UTF-16 offsets, as
    /// an editor reports them (CodeMirror's `iterChanges`, Monaco's
    /// `changes` in descending order reversed, a textarea's `input`
    /// event): sorted, not overlapping, counted in this document. Deletes
    /// carry their text. It does not apply it.
    #[wasm_bindgen(js_name = opFromChanges)]
    pub fn op_from_changes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Utf16Change[]")] changes: JsValue,
    ) -> JsResult<JsTextOp> {
        let changes: Vec<Utf16Change> = from_js(changes, "change list")?;
        let op = units::op_from_changes(&self.doc, &changes)?;
        Ok(self.doc.with_deleted_text(&op)?.into())
    }

    /// Returns the changes that `op` makes to this document in UTF-16
    /// offsets of this document, for an editor to replay. Call it before
    /// applying `op`.
    #[wasm_bindgen(js_name = changesFromOp, unchecked_return_type = "Utf16Change[]")]
    pub fn changes_from_op(&self, op: &JsTextOp) -> JsResult<JsValue> {
        let changes = units::changes_from_op(&self.doc, &op.op)?;
        to_js(&changes, "change list")
    }

    /// Returns where UTF-16 offset `offset` of this document moves when
    /// `op` applies, in UTF-16 offsets of the result. Call it before
    /// applying `op`. O(k log n).
    #[wasm_bindgen(js_name = transformPositionUtf16)]
    pub fn transform_position_utf16(
        &self,
        op: &JsTextOp,
        #[wasm_bindgen(unchecked_param_type = "number")] offset: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<usize> {
        let offset = index_arg(&offset, "UTF-16 offset")?;
        Ok(units::transform_utf16_position(
            &self.doc,
            &op.op,
            offset,
            side_arg(&side)?,
        )?)
    }

    /// Returns where a selection in UTF-16 offsets of this document moves
    /// when `op` applies. A range never grows to take in text inserted at
    /// its ends; a cursor moves like a position with `side`. Call it
    /// before applying `op`.
    #[wasm_bindgen(js_name = transformSelectionUtf16, unchecked_return_type = "Selection")]
    pub fn transform_selection_utf16(
        &self,
        op: &JsTextOp,
        #[wasm_bindgen(unchecked_param_type = "Selection")] selection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<JsValue> {
        let selection: Selection = from_js(selection, "selection")?;
        let moved =
            units::transform_utf16_selection(&self.doc, &op.op, selection, side_arg(&side)?)?;
        to_js(&moved, "selection")
    }

    /// Returns a copy of the document. O(1): the rope shares its nodes.
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> JsTextDocument {
        self.clone()
    }

    /// True if both documents hold the same text.
    pub fn equals(&self, other: &JsTextDocument) -> bool {
        self.doc == other.doc
    }
}
