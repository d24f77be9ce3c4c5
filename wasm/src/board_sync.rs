//! The `BoardSyncClient` class: the engine's sync state machine for a
//! board, with the offline log kept up to date.

use echostream::board::{Board, BoardOp};
use echostream::{LoggedOp, OpId};
use wasm_bindgen::prelude::*;

use crate::args::{from_counter, to_counter, JsResult};
use crate::board::{JsBoard, JsBoardOp};
use crate::clock::to_site;
use crate::json::{from_js, to_js};
use crate::offline::JsBoardOfflineLog;
use crate::sync_core::SyncCore;

/// One replica of a board that syncs with the server.
#[wasm_bindgen(js_name = BoardSyncClient)]
pub struct JsBoardSyncClient {
    core: SyncCore<BoardOp>,
}

#[wasm_bindgen(js_class = BoardSyncClient)]
impl JsBoardSyncClient {
    /// Returns a synchronized client of `site` whose board is the
    /// server's `board` at `revision`, without an offline log.
    #[wasm_bindgen(constructor)]
    pub fn new(
        site: &str,
        #[wasm_bindgen(unchecked_param_type = "BoardJson")] board: JsValue,
        revision: f64,
    ) -> JsResult<JsBoardSyncClient> {
        let site = to_site(site)?;
        let revision = to_counter(revision, "revision")?;
        let board: Board = from_js(board, "board")?;
        Ok(JsBoardSyncClient {
            core: SyncCore::new(site, board, revision),
        })
    }

    /// Returns the client stored in an offline log, which it takes over.
    /// O(size of the log).
    pub fn restore(log: JsBoardOfflineLog) -> JsResult<JsBoardSyncClient> {
        Ok(JsBoardSyncClient {
            core: SyncCore::restore(log.log)?,
        })
    }

    /// The site id, 16 hex digits.
    #[wasm_bindgen(getter)]
    pub fn site(&self) -> String {
        self.core.client.site().to_string()
    }

    /// The last server revision received.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> JsResult<f64> {
        from_counter(self.core.client.revision(), "revision")
    }

    /// A copy of the local board, with every local edit.
    #[wasm_bindgen(getter)]
    pub fn board(&self) -> JsBoard {
        self.core.client.document().clone().into()
    }

    /// True if an operation waits for its acknowledgement or to be sent.
    #[wasm_bindgen(getter, js_name = hasPending)]
    pub fn has_pending(&self) -> bool {
        self.core.client.has_pending()
    }

    /// True if there is a local edit to undo.
    #[wasm_bindgen(getter, js_name = canUndo)]
    pub fn can_undo(&self) -> bool {
        self.core.client.can_undo()
    }

    /// True if there is an undone edit to redo.
    #[wasm_bindgen(getter, js_name = canRedo)]
    pub fn can_redo(&self) -> bool {
        self.core.client.can_redo()
    }

    /// True if the client writes to an offline log.
    #[wasm_bindgen(getter, js_name = hasOfflineLog)]
    pub fn has_offline_log(&self) -> bool {
        self.core.has_log()
    }

    /// Applies a local edit at once and queues it to be sent. On error
    /// nothing changes.
    #[wasm_bindgen(js_name = applyLocal)]
    pub fn apply_local(&mut self, op: &JsBoardOp) -> JsResult<()> {
        self.core.apply_local(op.op.clone())
    }

    /// Returns the submission to send now, or undefined.
    #[wasm_bindgen(
        js_name = nextSubmission,
        unchecked_return_type = "SubmissionJson<BoardOpJson> | undefined"
    )]
    pub fn next_submission(&mut self) -> JsResult<JsValue> {
        match self.core.next_submission()? {
            Some(submission) => to_js(&submission, "submission"),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Records the server's acknowledgement of the in-flight operation.
    pub fn acknowledge(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "OpIdJson")] id: JsValue,
        revision: f64,
    ) -> JsResult<()> {
        let id: OpId = from_js(id, "operation id")?;
        self.core.acknowledge(id, to_counter(revision, "revision")?)
    }

    /// Applies a committed entry from the server and returns the operation
    /// as applied locally (an empty list when it changed nothing here).
    #[wasm_bindgen(js_name = receiveRemote, unchecked_return_type = "BoardOpJson")]
    pub fn receive_remote(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LoggedOpJson<BoardOpJson>")] entry: JsValue,
    ) -> JsResult<JsValue> {
        let entry: LoggedOp<BoardOp> = from_js(entry, "committed operation")?;
        let applied = self.core.receive_remote(entry)?.unwrap_or_default();
        to_js(&applied, "board operation")
    }

    /// Marks the in-flight operation to be sent again under the same id.
    pub fn reconnect(&mut self) {
        self.core.client.reconnect();
    }

    /// Moves onto a snapshot from the server and keeps the pending
    /// operations, transformed past a structural diff of the committed
    /// board and the snapshot. Returns the operation applied to the local
    /// board. O(n log n) in the shapes plus the text diffs.
    #[wasm_bindgen(js_name = rebaseOntoSnapshot, unchecked_return_type = "BoardOpJson")]
    pub fn rebase_onto_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "BoardJson")] board: JsValue,
        revision: f64,
        #[wasm_bindgen(js_name = lastSeq)] last_seq: f64,
    ) -> JsResult<JsValue> {
        let board: Board = from_js(board, "board")?;
        let revision = to_counter(revision, "revision")?;
        let last_seq = to_counter(last_seq, "lastSeq")?;
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

    /// The operations not yet acknowledged.
    #[wasm_bindgen(unchecked_return_type = "SubmissionJson<BoardOpJson>[]")]
    pub fn pending(&self) -> JsResult<JsValue> {
        to_js(&self.core.client.pending(), "pending operations")
    }

    /// Saves a snapshot to the offline log unless an operation is in
    /// flight. O(n) in the board.
    #[wasm_bindgen(js_name = saveSnapshot)]
    pub fn save_snapshot(&mut self) -> JsResult<bool> {
        self.core.save_snapshot()
    }

    /// Resolves when every write to the offline log started so far has
    /// finished or failed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn flush(&self) -> js_sys::Promise {
        self.core.flush()
    }
}
