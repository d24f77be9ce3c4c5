//! The `TextOfflineLog` and `BoardOfflineLog` classes: the offline log of
//! a text document or a board.

use echostream::board::BoardOp;
use echostream::text::TextOp;
use echostream::{LoggedOp, OpLog, Snapshot};
use wasm_bindgen::prelude::*;

use super::{IndexedDbLog, LogBackend, StoredRecords};
use crate::args::{counter_arg, from_counter, str_arg, JsResult};
use crate::board::JsBoard;
use crate::clock::to_site;
use crate::envelope::{LoggedOpValue, PendingOpValue, SnapshotValue};
use crate::json::{from_js, invalid, to_js};
use crate::text_document::JsTextDocument;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** An operation id: the site that made it and its sequence number, from 1. */
export interface OpIdJson { site: string; seq: number }

/** An operation as a client submits it, made against revision `base`. */
export interface SubmissionJson<O> { id: OpIdJson; base: number; clock: VectorClockJson; op: O }

/** An operation as the server committed it, producing `revision`. */
export interface LoggedOpJson<O> { revision: number; id: OpIdJson; clock: VectorClockJson; op: O }

/** A document at a revision, with the last sequence number of each site. */
export interface SnapshotJson<D> { revision: number; document: D; last_seq: Record<string, number> }
"#;

/// Defines the JavaScript class of the offline log of one operation type.
macro_rules! offline_log_class {
    (
        $class:ident, $js_name:ident, $op:ty, $document:ty,
        $pending_type:literal, $pending_list_type:literal,
        $entry_type:literal, $entry_or_null_type:literal, $entry_list_type:literal,
        $snapshot_type:literal, $snapshot_or_undefined_type:literal
    ) => {
/// The offline log of one document and one site. Open it with
        /// `openTextOfflineLog` or `openBoardOfflineLog`, which claim a site for
        /// this tab.
        #[wasm_bindgen(js_name = $js_name)]
        pub struct $class {
            pub(crate) log: IndexedDbLog<$op>,
        }

        #[wasm_bindgen(js_class = $js_name)]
        impl $class {
            /// Builds the log of `site` in document `doc` from the records that
            /// `backend` loaded. Throws naming a corrupt record.
            pub fn load(
                backend: LogBackend,
                #[wasm_bindgen(unchecked_param_type = "string")] doc: JsValue,
                #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
                #[wasm_bindgen(unchecked_param_type = "StoredRecords")] records: JsValue,
            ) -> JsResult<$class> {
                let doc = str_arg(&doc, "document id")?;
                let site = to_site(&site)?;
                let records = StoredRecords::from_js(records)?;
                let log = IndexedDbLog::load(backend, doc, site, records)?;
                Ok($class { log })
            }

            /// The document id.
            #[wasm_bindgen(getter)]
            pub fn doc(&self) -> String {
                self.log.doc().to_owned()
            }

            /// The site id of this tab, 16 hex digits.
            #[wasm_bindgen(getter)]
            pub fn site(&self) -> String {
                self.log.site().to_string()
            }

            /// The sequence number of the next local operation.
            #[wasm_bindgen(getter, js_name = nextSeq)]
            pub fn next_seq(&self) -> JsResult<f64> {
                from_counter(self.log.next_seq(), "sequence number")
            }

            /// The revision of the last committed operation stored.
            #[wasm_bindgen(getter)]
            pub fn head(&self) -> JsResult<f64> {
                from_counter(self.log.head(), "revision")
            }

            /// The pending operations of this site, oldest first.
            #[wasm_bindgen(unchecked_return_type = $pending_list_type)]
            pub fn pending(&self) -> JsResult<JsValue> {
                to_js(self.log.pending(), "pending operations")
            }

            /// The committed document at the head. O(size of the stored log).
            #[wasm_bindgen(js_name = confirmedDocument)]
            pub fn confirmed_document(&self) -> JsResult<$document> {
                Ok(self.log.confirmed()?.0.into())
            }

            /// The document as this site last showed it: the committed document
            /// with the pending operations applied. O(size of the stored log).
            pub fn document(&self) -> JsResult<$document> {
                Ok(self.log.restored()?.0.into())
            }

            /// Records a local operation, written at once.
            #[wasm_bindgen(js_name = recordLocal)]
            pub fn record_local(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = $pending_type)] op: JsValue,
            ) -> JsResult<()> {
                let op: PendingOpValue = from_js(op, "pending operation")?;
                let op = op.typed().map_err(|e| invalid(&e, "pending operation"))?;
                Ok(self.log.record_local(op)?)
            }

            /// Records a committed operation, if any, and the pending operations
            /// as they are after it, in one write.
            #[wasm_bindgen(js_name = recordCommit)]
            pub fn record_commit(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = $entry_or_null_type)] entry: JsValue,
                #[wasm_bindgen(unchecked_param_type = $pending_list_type)] pending: JsValue,
            ) -> JsResult<()> {
                let entry: Option<LoggedOpValue> = from_js(entry, "committed operation")?;
                let entry = entry
                    .map(LoggedOpValue::typed)
                    .transpose()
                    .map_err(|e| invalid(&e, "committed operation"))?;
                let pending: Vec<PendingOpValue> = from_js(pending, "pending operations")?;
                let pending = pending
                    .into_iter()
                    .map(PendingOpValue::typed)
                    .collect::<Result<_, _>>()
                    .map_err(|e| invalid(&e, "pending operations"))?;
                Ok(self.log.record_commit(entry, pending)?)
            }

            /// Appends a committed operation whose revision follows the head.
            pub fn append(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = $entry_type)] entry: JsValue,
            ) -> JsResult<()> {
                let entry: LoggedOpValue = from_js(entry, "committed operation")?;
                let entry: LoggedOp<$op> = entry
                    .typed()
                    .map_err(|e| invalid(&e, "committed operation"))?;
                Ok(self.log.append(entry)?)
            }

            /// The committed operations after `revision`.
            #[wasm_bindgen(js_name = readSince, unchecked_return_type = $entry_list_type)]
            pub fn read_since(&self, #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue) -> JsResult<JsValue> {
                let entries = self.log.read_since(counter_arg(&revision, "revision")?)?;
                to_js(&entries, "committed operations")
            }

            /// Saves a snapshot unless the store contains a newer one.
            #[wasm_bindgen(js_name = saveSnapshot)]
            pub fn save_snapshot(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = $snapshot_type)] snapshot: JsValue,
            ) -> JsResult<()> {
                let snapshot: SnapshotValue = from_js(snapshot, "snapshot")?;
                let snapshot: Snapshot<$op> =
                    snapshot.typed().map_err(|e| invalid(&e, "snapshot"))?;
                Ok(self.log.save_snapshot(snapshot)?)
            }

            /// The latest snapshot, or undefined.
            #[wasm_bindgen(js_name = latestSnapshot, unchecked_return_type = $snapshot_or_undefined_type)]
            pub fn latest_snapshot(&self) -> JsResult<JsValue> {
                match self.log.latest_snapshot()? {
                    Some(snapshot) => to_js(&snapshot, "snapshot"),
                    None => Ok(JsValue::UNDEFINED),
                }
            }

            /// Drops the committed operations at or below `revision`, which must
            /// not be above the latest snapshot.
            pub fn compact(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] revision: wasm_bindgen::JsValue) -> JsResult<()> {
                Ok(self.log.compact(counter_arg(&revision, "revision")?)?)
            }

            /// Resolves when every write started so far has finished or failed.
            #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
            pub fn flush(&self) -> js_sys::Promise {
                self.log.flush()
            }
        }
    };
}

offline_log_class!(
    JsTextOfflineLog,
    TextOfflineLog,
    TextOp,
    JsTextDocument,
    "SubmissionJson<TextOpJson>",
    "SubmissionJson<TextOpJson>[]",
    "LoggedOpJson<TextOpJson>",
    "LoggedOpJson<TextOpJson> | null",
    "LoggedOpJson<TextOpJson>[]",
    "SnapshotJson<string>",
    "SnapshotJson<string> | undefined"
);

offline_log_class!(
    JsBoardOfflineLog,
    BoardOfflineLog,
    BoardOp,
    JsBoard,
    "SubmissionJson<BoardOpJson>",
    "SubmissionJson<BoardOpJson>[]",
    "LoggedOpJson<BoardOpJson>",
    "LoggedOpJson<BoardOpJson> | null",
    "LoggedOpJson<BoardOpJson>[]",
    "SnapshotJson<BoardJson>",
    "SnapshotJson<BoardJson> | undefined"
);
