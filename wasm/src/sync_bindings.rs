//! The methods that `TextSyncClient` and `BoardSyncClient` share, written
//! once. wasm-bindgen cannot export a generic class, so a macro adds them
//! to each class as a second `impl` block over its `SyncCore` field.

/// Returns the name of a client state in the `ClientState` TypeScript type.
pub fn state_name(state: echostream::sync::ClientState) -> &'static str {
    use echostream::sync::ClientState;
    match state {
        ClientState::Synchronized => "synchronized",
        ClientState::Pending => "pending",
        ClientState::AwaitingAck => "awaitingAck",
        ClientState::AwaitingAckWithBuffer => "awaitingAckWithBuffer",
    }
}

/// Adds the shared methods to a sync client class whose `core` field is a
/// `SyncCore`. The literals name the TypeScript types of a submission and
/// of a list of them.
macro_rules! sync_client_methods {
    ($class:ident, $js_name:ident, $submission_type:literal, $submission_list_type:literal) => {
        #[wasm_bindgen::prelude::wasm_bindgen(js_class = $js_name)]
        impl $class {
            /// Returns the site id, 16 hex digits.
            #[wasm_bindgen(getter)]
            pub fn site(&self) -> String {
                self.core.client.site().to_string()
            }

            /// Returns the last server revision received.
            #[wasm_bindgen(getter)]
            pub fn revision(&self) -> crate::args::JsResult<f64> {
                crate::args::from_counter(self.core.client.revision(), "revision")
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

            /// Returns the state of the client.
            #[wasm_bindgen(getter, unchecked_return_type = "ClientState")]
            pub fn state(&self) -> String {
                crate::sync_bindings::state_name(self.core.client.state()).to_owned()
            }

            /// True if the client writes to an offline log.
            #[wasm_bindgen(getter, js_name = hasOfflineLog)]
            pub fn has_offline_log(&self) -> bool {
                self.core.has_log()
            }

            /// Returns the submission to send now, or undefined while one is
            /// in flight or nothing is pending.
            #[wasm_bindgen(js_name = nextSubmission, unchecked_return_type = $submission_type)]
            pub fn next_submission(&mut self) -> crate::args::JsResult<wasm_bindgen::JsValue> {
                match self.core.next_submission()? {
                    Some(submission) => crate::json::to_js(&submission, "submission"),
                    None => Ok(wasm_bindgen::JsValue::UNDEFINED),
                }
            }

            /// Records the server's acknowledgement of the in-flight
            /// operation, committed at `revision`. A repeated
            /// acknowledgement changes nothing.
            pub fn acknowledge(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = "OpIdJson")] id: wasm_bindgen::JsValue,
                #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue,
            ) -> crate::args::JsResult<()> {
                let id: echostream::OpId = crate::json::from_js(id, "operation id")?;
                let revision = crate::args::counter_arg(&revision, "revision")?;
                self.core.acknowledge(id, revision)
            }

            /// Makes the pending operations' ids continue the server's
            /// sequence for this site, `lastSeq` from the welcome; call it
            /// after applying the welcome's operations. Returns true if it
            /// gave them new ids, which happens only after stored pending
            /// operations were lost on restore.
            #[wasm_bindgen(js_name = alignSeqs)]
            pub fn align_seqs(&mut self, #[wasm_bindgen(js_name = lastSeq, unchecked_param_type = "number")] last_seq: wasm_bindgen::JsValue) -> crate::args::JsResult<bool> {
                let last_seq = crate::args::counter_arg(&last_seq, "lastSeq")?;
                self.core.align_seqs(last_seq)
            }

            /// Marks the in-flight operation to be sent again, under the
            /// same id, by the next `nextSubmission`, based on the revision
            /// received. Call it after a new connection received the
            /// entries missed.
            pub fn reconnect(&mut self) {
                self.core.client.reconnect();
            }

            /// Returns the operations not yet acknowledged: the in-flight
            /// submission as sent, then the buffer.
            #[wasm_bindgen(unchecked_return_type = $submission_list_type)]
            pub fn pending(&self) -> crate::args::JsResult<wasm_bindgen::JsValue> {
                crate::json::to_js(&self.core.client.pending(), "pending operations")
            }

            /// Returns one message per record or step that could not be
            /// restored from the offline log. The list is empty after a full
            /// restore.
            #[wasm_bindgen(getter, js_name = restoreProblems)]
            pub fn restore_problems(&self) -> Vec<String> {
                self.core.restore_problems().to_vec()
            }

            /// Returns the stored pending operations that could not be
            /// applied on restore. They are not sent, and the log drops them
            /// at its next write.
            #[wasm_bindgen(js_name = droppedOnRestore, unchecked_return_type = $submission_list_type)]
            pub fn dropped_on_restore(&self) -> crate::args::JsResult<wasm_bindgen::JsValue> {
                crate::json::to_js(self.core.dropped_on_restore(), "dropped operations")
            }

            /// Saves a snapshot of the committed document to the offline log
            /// and drops the operations it covers, unless an operation is in
            /// flight (its base must stay replayable). O(n) in the document.
            #[wasm_bindgen(js_name = saveSnapshot)]
            pub fn save_snapshot(&mut self) -> crate::args::JsResult<bool> {
                self.core.save_snapshot()
            }

            /// Resolves when every write to the offline log started so far
            /// has finished or failed.
            #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
            pub fn flush(&self) -> js_sys::Promise {
                self.core.flush()
            }
        }
    };
}

pub(crate) use sync_client_methods;
