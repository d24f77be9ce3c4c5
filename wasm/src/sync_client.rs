//! The `TextSyncClient` class: the engine's sync state machine for a text
//! document, with the offline log kept up to date. The WebSocket transport
//! (written in TypeScript) carries its submissions and the server's
//! entries and acknowledgements.

use echostream::text::{Selection, TextDocument, TextOp};
use echostream::{LoggedOp, Side};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::args::{counter_arg, to_text, JsResult};
use crate::clock::to_site;
use crate::envelope::LoggedOpValue;
use crate::json::{from_js, invalid, to_js};
use crate::offline::JsTextOfflineLog;
use crate::sync_bindings::sync_client_methods;
use crate::sync_core::SyncCore;
use crate::text_document::JsTextDocument;
use crate::text_op::JsTextOp;
use crate::units::{changes_from_op, Utf16Change};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** An operation applied to the local document, with the UTF-16 changes it made to the text before it. */
export interface AppliedChange { op: TextOpJson; changes: Utf16Change[] }

/** The state of the client: nothing pending, waiting for an acknowledgement, or with edits buffered. */
export type ClientState = "synchronized" | "pending" | "awaitingAck" | "awaitingAckWithBuffer";
"#;

/// An operation applied locally, with its UTF-16 changes.
#[derive(Serialize)]
struct AppliedChange {
    op: TextOp,
    changes: Vec<Utf16Change>,
}

/// One replica of a text document that syncs with the server.
#[wasm_bindgen(js_name = TextSyncClient)]
pub struct JsTextSyncClient {
    core: SyncCore<TextOp>,
}

#[wasm_bindgen(js_class = TextSyncClient)]
impl JsTextSyncClient {
    /// Returns a synchronized client of `site` whose document is the
    /// server's `text` at `revision`, without an offline log.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] revision: JsValue,
    ) -> JsResult<JsTextSyncClient> {
        let site = to_site(&site)?;
        let text = to_text(text.unchecked_ref(), "text")?;
        let revision = counter_arg(&revision, "revision")?;
        let core = SyncCore::new(site, TextDocument::from(text), revision);
        Ok(JsTextSyncClient { core })
    }

    /// Returns the client stored in an offline log, which it takes over:
    /// the document shows every local edit, and the operations not yet
    /// acknowledged are sent again under their original ids. O(size of
    /// the log).
    pub fn restore(log: JsTextOfflineLog) -> JsResult<JsTextSyncClient> {
        let core = SyncCore::restore(log.log);
        Ok(JsTextSyncClient { core })
    }

    /// The local text, with every local edit. O(n).
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.core.client.document().to_string()
    }

    /// A copy of the local document. O(1): the rope shares its nodes.
    #[wasm_bindgen(getter)]
    pub fn document(&self) -> JsTextDocument {
        self.core.client.document().clone().into()
    }

    /// Applies a local edit at once and queues it to be sent. On error
    /// nothing changes.
    #[wasm_bindgen(js_name = applyLocal)]
    pub fn apply_local(&mut self, op: &JsTextOp) -> JsResult<()> {
        self.core.apply_local(op.op.clone())
    }

    /// Applies a committed entry from the server and returns the operation
    /// as applied locally, with its UTF-16 changes to the text before it.
    /// The client's own in-flight operation counts as its
    /// acknowledgement; an entry already received changes nothing.
    #[wasm_bindgen(js_name = receiveRemote, unchecked_return_type = "AppliedChange")]
    pub fn receive_remote(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LoggedOpJson<TextOpJson>")] entry: JsValue,
    ) -> JsResult<JsValue> {
        let entry: LoggedOpValue = from_js(entry, "committed operation")?;
        let entry: LoggedOp<TextOp> = entry
            .typed()
            .map_err(|e| invalid(&e, "committed operation"))?;
        let before = self.core.client.document().clone();
        let applied = self.core.receive_remote(entry)?;
        let op = applied.unwrap_or_default();
        let changes = changes_from_op(&before, &op)?;
        to_js(&AppliedChange { op, changes }, "applied change")
    }

    /// Moves onto a snapshot from the server, for a welcome that could not
    /// send the missed operations, and keeps the pending operations.
    /// `lastSeq` is the welcome's: the pending operations up to it are in
    /// the snapshot already. The others are transformed past a character
    /// diff of the committed text and the snapshot, and sent again under
    /// their ids. Returns the change applied to the local text. O(n) in
    /// the text plus the diff, which is O(n d) for `d` changed code points
    /// at worst.
    #[wasm_bindgen(js_name = rebaseOntoSnapshot, unchecked_return_type = "AppliedChange")]
    pub fn rebase_onto_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue,
        #[wasm_bindgen(js_name = lastSeq, unchecked_param_type = "number")]
        last_seq: wasm_bindgen::JsValue,
    ) -> JsResult<JsValue> {
        let revision = counter_arg(&revision, "revision")?;
        let last_seq = counter_arg(&last_seq, "lastSeq")?;
        let text = to_text(text.unchecked_ref(), "text")?;
        let before = self.core.client.document().clone();
        let op = self
            .core
            .rebase_onto_snapshot(TextDocument::from(text), revision, last_seq)?;
        let changes = changes_from_op(&before, &op)?;
        to_js(&AppliedChange { op, changes }, "applied change")
    }

    /// Undoes the latest local edit not yet undone, as a new local edit.
    /// Returns the change applied, or undefined when there is nothing to
    /// undo.
    #[wasm_bindgen(unchecked_return_type = "AppliedChange | undefined")]
    pub fn undo(&mut self) -> JsResult<JsValue> {
        let before = self.core.client.document().clone();
        let applied = self.core.undo()?;
        history_change(before, applied)
    }

    /// Redoes the latest undone edit. Returns the change applied, or
    /// undefined when there is nothing to redo.
    #[wasm_bindgen(unchecked_return_type = "AppliedChange | undefined")]
    pub fn redo(&mut self) -> JsResult<JsValue> {
        let before = self.core.client.document().clone();
        let applied = self.core.redo()?;
        history_change(before, applied)
    }

    /// Moves local selections, in code points of the local document, to
    /// the server's document at the client's revision, as a presence
    /// message carries them: pending local edits are taken out.
    #[wasm_bindgen(js_name = presenceFromLocal, unchecked_return_type = "Selection[]")]
    pub fn presence_from_local(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Selection[]")] selections: JsValue,
    ) -> JsResult<JsValue> {
        let selections: Vec<Selection> = from_js(selections, "selections")?;
        let local = self.core.pending_change()?;
        let back = self.core.confirmed().invert(&local)?;
        let moved: Vec<Selection> = selections
            .iter()
            .map(|&s| back.transform_selection(s, Side::Left))
            .collect();
        to_js(&moved, "selections")
    }

    /// Moves another client's selections, in code points of the server's
    /// document at the client's revision, onto the local document: past
    /// the pending local edits. A cursor at a local insert stays before
    /// it.
    #[wasm_bindgen(js_name = presenceToLocal, unchecked_return_type = "Selection[]")]
    pub fn presence_to_local(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Selection[]")] selections: JsValue,
    ) -> JsResult<JsValue> {
        let selections: Vec<Selection> = from_js(selections, "selections")?;
        let local = self.core.pending_change()?;
        let moved: Vec<Selection> = selections
            .iter()
            .map(|&s| local.transform_selection(s, Side::Left))
            .collect();
        to_js(&moved, "selections")
    }
}

sync_client_methods!(
    JsTextSyncClient,
    TextSyncClient,
    "SubmissionJson<TextOpJson> | undefined",
    "SubmissionJson<TextOpJson>[]"
);

/// Returns an undo or redo as an applied change, or undefined.
fn history_change(before: TextDocument, applied: Option<TextOp>) -> JsResult<JsValue> {
    let Some(op) = applied else {
        return Ok(JsValue::UNDEFINED);
    };
    let changes = changes_from_op(&before, &op)?;
    to_js(&AppliedChange { op, changes }, "applied change")
}
