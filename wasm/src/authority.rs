//! The `TextAuthority` class: the engine's authoritative copy of a text
//! document, for servers written in JavaScript and for tests of clients.

use echostream::sync::{Authority, Receipt, Submission};
use echostream::text::TextOp;
use wasm_bindgen::prelude::*;

use crate::args::{counter_arg, from_counter, JsResult};
use crate::json::{from_js, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The authority's receipt for a submission. */
export type ReceiptJson<O> =
  | ({ type: "committed" } & LoggedOpJson<O>)
  | { type: "duplicate"; id: OpIdJson; revision: number };
"#;

/// The authoritative copy of a text document: it transforms each
/// submission past the operations committed after its base, commits it
/// once per id and keeps the history.
#[wasm_bindgen(js_name = TextAuthority)]
#[derive(Default)]
pub struct JsTextAuthority {
    authority: Authority<TextOp>,
}

#[wasm_bindgen(js_class = TextAuthority)]
impl JsTextAuthority {
    /// Returns an empty document at revision 0.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsTextAuthority {
        JsTextAuthority::default()
    }

    /// Commits a submission, or returns the revision it was committed at
    /// before. Throws naming a sequence gap, a base out of range or an
    /// operation that does not fit; nothing changes then. One transform
    /// plus composing the operations after the base.
    #[wasm_bindgen(unchecked_return_type = "ReceiptJson<TextOpJson>")]
    pub fn receive(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SubmissionJson<TextOpJson>")] submission: JsValue,
    ) -> JsResult<JsValue> {
        let submission: Submission<TextOp> = from_js(submission, "submission")?;
        let receipt: Receipt<TextOp> = self.authority.receive(submission)?;
        to_js(&receipt, "receipt")
    }

    /// The committed operations after `revision`. Throws when they were
    /// compacted away.
    #[wasm_bindgen(unchecked_return_type = "LoggedOpJson<TextOpJson>[]")]
    pub fn since(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue,
    ) -> JsResult<JsValue> {
        let entries = self.authority.since(counter_arg(&revision, "revision")?)?;
        to_js(entries, "committed operations")
    }

    /// The head revision.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> JsResult<f64> {
        from_counter(self.authority.revision(), "revision")
    }

    /// Returns the last sequence number committed for `site`, 0 if none:
    /// the `lastSeq` of a welcome.
    #[wasm_bindgen(js_name = lastSeq)]
    pub fn last_seq(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
    ) -> JsResult<f64> {
        let site = crate::clock::to_site(&site)?;
        from_counter(self.authority.last_seq(site), "sequence number")
    }

    /// The text at the head revision. O(n).
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.authority.document().to_string()
    }
}
