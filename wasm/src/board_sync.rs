//! The `BoardSyncClient` class: the engine's sync state machine for a
//! board, with the offline log kept up to date.

use echostream::board::{Board, BoardOp};
use echostream::LoggedOp;
use wasm_bindgen::prelude::*;

use crate::args::{counter_arg, JsResult};
use crate::board::{JsBoard, JsBoardOp};
use crate::clock::to_site;
use crate::envelope::LoggedOpValue;
use crate::json::{from_js, invalid, to_js};
use crate::offline::JsBoardOfflineLog;
use crate::sync_bindings::sync_client_methods;
use crate::sync_core::SyncCore;

/// One replica of a board that syncs with the server.
#[wasm_bindgen(js_name = BoardSyncClient)]
pub struct JsBoardSyncClient {
    pub(crate) core: SyncCore<BoardOp>,
}

#[wasm_bindgen(js_class = BoardSyncClient)]
impl JsBoardSyncClient {
    /// Returns a synchronized client of `site` whose board is the
    /// server's `board` at `revision`, without an offline log.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BoardJson")] board: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue,
    ) -> JsResult<JsBoardSyncClient> {
        let site = to_site(&site)?;
        let revision = counter_arg(&revision, "revision")?;
        let board: Board = from_js(board, "board")?;
        Ok(JsBoardSyncClient {
            core: SyncCore::new(site, board, revision),
        })
    }

    /// Returns the client stored in an offline log, which it takes over.
    /// O(size of the log).
    pub fn restore(log: JsBoardOfflineLog) -> JsResult<JsBoardSyncClient> {
        Ok(JsBoardSyncClient {
            core: SyncCore::restore(log.log),
        })
    }

    /// A copy of the local board, with every local edit.
    #[wasm_bindgen(getter)]
    pub fn board(&self) -> JsBoard {
        self.core.client.document().clone().into()
    }

    /// Applies a local edit at once and queues it to be sent. On error
    /// nothing changes.
    #[wasm_bindgen(js_name = applyLocal)]
    pub fn apply_local(&mut self, op: &JsBoardOp) -> JsResult<()> {
        self.core.apply_local(op.op.clone())
    }

    /// Applies a committed entry from the server and returns the operation
    /// as applied locally (an empty list when it changed nothing here).
    #[wasm_bindgen(js_name = receiveRemote, unchecked_return_type = "BoardOpJson")]
    pub fn receive_remote(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LoggedOpJson<BoardOpJson>")] entry: JsValue,
    ) -> JsResult<JsValue> {
        let entry: LoggedOpValue = from_js(entry, "committed operation")?;
        let entry: LoggedOp<BoardOp> = entry
            .typed()
            .map_err(|e| invalid(&e, "committed operation"))?;
        let applied = self.core.receive_remote(entry)?.unwrap_or_default();
        to_js(&applied, "board operation")
    }

    /// Moves onto a snapshot from the server and keeps the pending
    /// operations, transformed past a structural diff of the committed
    /// board and the snapshot. Returns the operation applied to the local
    /// board. O(n log n) in the shapes plus the text diffs.
    #[wasm_bindgen(js_name = rebaseOntoSnapshot, unchecked_return_type = "BoardOpJson")]
    pub fn rebase_onto_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "BoardJson")] board: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue,
        #[wasm_bindgen(js_name = lastSeq, unchecked_param_type = "number")]
        last_seq: wasm_bindgen::JsValue,
    ) -> JsResult<JsValue> {
        let board: Board = from_js(board, "board")?;
        let revision = counter_arg(&revision, "revision")?;
        let last_seq = counter_arg(&last_seq, "lastSeq")?;
        let applied = self.core.rebase_onto_snapshot(board, revision, last_seq)?;
        to_js(&applied, "board operation")
    }

    /// Undoes the latest local edit, as a new local edit. Returns the
    /// operation applied, or undefined when there is nothing to undo.
    #[wasm_bindgen(unchecked_return_type = "BoardOpJson | undefined")]
    pub fn undo(&mut self) -> JsResult<JsValue> {
        match self.core.undo()? {
            Some(op) => to_js(&op, "board operation"),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Redoes the latest undone edit. Returns the operation applied, or
    /// undefined when there is nothing to redo.
    #[wasm_bindgen(unchecked_return_type = "BoardOpJson | undefined")]
    pub fn redo(&mut self) -> JsResult<JsValue> {
        match self.core.redo()? {
            Some(op) => to_js(&op, "board operation"),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}

sync_client_methods!(
    JsBoardSyncClient,
    BoardSyncClient,
    "SubmissionJson<BoardOpJson> | undefined",
    "SubmissionJson<BoardOpJson>[]"
);
