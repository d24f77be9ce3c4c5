//! The `TextSyncClient` class: the engine's sync state machine for a text
//! document, with the offline log kept up to date. The WebSocket transport
//! (written in TypeScript) carries its submissions and the server's
//! entries and acknowledgements.

use echostream::sync::{Client, Submission, SUBMISSION_SIDE};
use echostream::text::{Selection, TextDocument, TextOp};
use echostream::{LoggedOp, OpId, OpLog, Side, Snapshot};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::args::{from_counter, to_counter, JsResult};
use crate::clock::to_site;
use crate::json::{from_js, to_js};
use crate::offline::{IndexedDbLog, JsTextOfflineLog, PendingOp};
use crate::text_document::JsTextDocument;
use crate::text_op::JsTextOp;
use crate::units::{changes_from_op, Utf16Change};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** An operation applied to the local document, with the UTF-16 changes it made to the text before it. */
export interface AppliedChange { op: TextOpJson; changes: Utf16Change[] }

/** Where the client stands: nothing pending, waiting for an acknowledgement, or with edits buffered. */
export type ClientState = "synchronized" | "pending" | "awaitingAck" | "awaitingAckWithBuffer";
"#;

/// The committed operations between two snapshots of the offline log.
const SNAPSHOT_EVERY: u64 = 100;

/// An operation applied locally, with its UTF-16 changes.
#[derive(Serialize)]
struct AppliedChange {
    op: TextOp,
    changes: Vec<Utf16Change>,
}

/// The in-flight operation as the authority will commit it: transformed
/// past every remote entry received since it was sent.
struct InFlight {
    id: OpId,
    op: TextOp,
}

/// One replica of a text document that syncs with the server.
#[wasm_bindgen(js_name = TextSyncClient)]
pub struct JsTextSyncClient {
    client: Client<TextOp>,
    /// The authority's document at the client's revision.
    confirmed: TextDocument,
    in_flight: Option<InFlight>,
    /// The in-flight submission read from the offline log, sent again as
    /// stored, with its original clock.
    restored: Option<Submission<TextOp>>,
    log: Option<IndexedDbLog<TextOp>>,
    committed_since_snapshot: u64,
}

fn pending_ops(client: &Client<TextOp>) -> Vec<PendingOp<TextOp>> {
    client
        .pending()
        .into_iter()
        .map(|s| PendingOp {
            id: s.id,
            base: s.base,
            clock: s.clock,
            op: s.op,
        })
        .collect()
}

#[wasm_bindgen(js_class = TextSyncClient)]
impl JsTextSyncClient {
    /// Returns a synchronized client of `site` whose document is the
    /// server's `text` at `revision`, without an offline log.
    #[wasm_bindgen(constructor)]
    pub fn new(site: &str, text: String, revision: f64) -> JsResult<JsTextSyncClient> {
        let site = to_site(site)?;
        let revision = to_counter(revision, "revision")?;
        let document = TextDocument::from(text);
        Ok(JsTextSyncClient {
            client: Client::new(site, document.clone(), revision),
            confirmed: document,
            in_flight: None,
            restored: None,
            log: None,
            committed_since_snapshot: 0,
        })
    }

    /// Returns the client stored in an offline log, which it takes over:
    /// the document shows every local edit, and the operations not yet
    /// acknowledged are sent again under their original ids. O(size of
    /// the log).
    pub fn restore(log: JsTextOfflineLog) -> JsResult<JsTextSyncClient> {
        let log = log.log;
        let site = log.site();
        let pending = log.pending().to_vec();
        let Some(first) = pending.first() else {
            let (document, revision) = log.confirmed()?;
            let client = Client::with_first_seq(site, document.clone(), revision, log.next_seq());
            return Ok(JsTextSyncClient {
                client,
                confirmed: document,
                in_flight: None,
                restored: None,
                log: Some(log),
                committed_since_snapshot: 0,
            });
        };

        // Rebuild the state at the first operation's base: applying it
        // there gives it its original id, and the stored entries after the
        // base then move it as they moved it before the reload.
        let document = log.confirmed_at(first.base)?;
        let mut this = JsTextSyncClient {
            client: Client::with_first_seq(site, document.clone(), first.base, first.id.seq),
            confirmed: document,
            in_flight: None,
            restored: Some(Submission {
                id: first.id,
                base: first.base,
                clock: first.clock.clone(),
                op: first.op.clone(),
            }),
            log: None,
            committed_since_snapshot: 0,
        };
        this.client.apply_local(first.op.clone())?;
        this.take_submission();
        for entry in log.read_since(first.base)? {
            this.receive_entry(entry)?;
        }
        for later in &pending[1..] {
            this.client.apply_local(later.op.clone())?;
        }
        this.log = Some(log);
        Ok(this)
    }

    /// The site id, 16 hex digits.
    #[wasm_bindgen(getter)]
    pub fn site(&self) -> String {
        self.client.site().to_string()
    }

    /// The last server revision received.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> JsResult<f64> {
        from_counter(self.client.revision(), "revision")
    }

    /// The local text, with every local edit. O(n).
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.client.document().to_string()
    }

    /// A copy of the local document. O(1): the rope shares its nodes.
    #[wasm_bindgen(getter)]
    pub fn document(&self) -> JsTextDocument {
        self.client.document().clone().into()
    }

    /// True if an operation waits for its acknowledgement or to be sent.
    #[wasm_bindgen(getter, js_name = hasPending)]
    pub fn has_pending(&self) -> bool {
        self.client.has_pending()
    }

    /// True if there is a local edit to undo.
    #[wasm_bindgen(getter, js_name = canUndo)]
    pub fn can_undo(&self) -> bool {
        self.client.can_undo()
    }

    /// True if there is an undone edit to redo.
    #[wasm_bindgen(getter, js_name = canRedo)]
    pub fn can_redo(&self) -> bool {
        self.client.can_redo()
    }

    /// Where the client stands.
    #[wasm_bindgen(getter, unchecked_return_type = "ClientState")]
    pub fn state(&self) -> String {
        use echostream::sync::ClientState;
        match self.client.state() {
            ClientState::Synchronized => "synchronized",
            ClientState::Pending => "pending",
            ClientState::AwaitingAck => "awaitingAck",
            ClientState::AwaitingAckWithBuffer => "awaitingAckWithBuffer",
        }
        .to_owned()
    }

    /// True if the client writes to an offline log.
    #[wasm_bindgen(getter, js_name = hasOfflineLog)]
    pub fn has_offline_log(&self) -> bool {
        self.log.is_some()
    }

    /// Applies a local edit at once and queues it to be sent. On error
    /// nothing changes.
    #[wasm_bindgen(js_name = applyLocal)]
    pub fn apply_local(&mut self, op: &JsTextOp) -> JsResult<()> {
        self.client.apply_local(op.op.clone())?;
        self.record(None)
    }

    /// Returns the submission to send now, or undefined while one is in
    /// flight or nothing is pending.
    #[wasm_bindgen(
        js_name = nextSubmission,
        unchecked_return_type = "SubmissionJson<TextOpJson> | undefined"
    )]
    pub fn next_submission(&mut self) -> JsResult<JsValue> {
        match self.take_submission() {
            Some(submission) => {
                self.record(None)?;
                to_js(&submission, "submission")
            }
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Records the server's acknowledgement of the in-flight operation,
    /// committed at `revision`. A repeated acknowledgement changes
    /// nothing.
    pub fn acknowledge(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "OpIdJson")] id: JsValue,
        revision: f64,
    ) -> JsResult<()> {
        let id: OpId = from_js(id, "operation id")?;
        let revision = to_counter(revision, "revision")?;
        let Some(in_flight) = self.in_flight.take_if(|f| f.id == id) else {
            self.client.acknowledge(id, revision)?;
            return Ok(());
        };
        let clock = self
            .client
            .in_flight()
            .map(|s| s.clock.clone())
            .unwrap_or_default();
        if let Err(e) = self.client.acknowledge(id, revision) {
            self.in_flight = Some(in_flight);
            return Err(e.into());
        }
        self.confirmed.apply(&in_flight.op)?;
        self.restored = None;
        let entry = LoggedOp {
            revision,
            id,
            clock,
            op: in_flight.op,
        };
        self.record(Some(entry))
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
        let entry: LoggedOp<TextOp> = from_js(entry, "committed operation")?;
        let before = self.client.document().clone();
        let fresh = entry.revision > self.client.revision();
        let applied = self.receive_entry(entry.clone())?;
        if fresh {
            self.record(Some(entry))?;
        }
        let op = applied.unwrap_or_default();
        let changes = changes_from_op(&before, &op)?;
        to_js(&AppliedChange { op, changes }, "applied change")
    }

    /// Marks the in-flight operation to be sent again, under the same id,
    /// by the next `nextSubmission`. Call it after a new connection
    /// received the entries missed.
    pub fn reconnect(&mut self) {
        self.client.reconnect();
    }

    /// Replaces the document by a snapshot from the server, for a welcome
    /// that could not send the missed operations. Pending operations
    /// cannot be moved onto it: they are dropped and returned, for the
    /// application to show to the user.
    #[wasm_bindgen(
        js_name = resetToSnapshot,
        unchecked_return_type = "SubmissionJson<TextOpJson>[]"
    )]
    pub fn reset_to_snapshot(&mut self, text: String, revision: f64) -> JsResult<JsValue> {
        let revision = to_counter(revision, "revision")?;
        let dropped = self.client.pending();
        let site = self.client.site();
        let next_seq = self.client.clock().get(site) + 1;
        let document = TextDocument::from(text);
        self.client = Client::with_first_seq(site, document.clone(), revision, next_seq);
        self.confirmed = document.clone();
        self.in_flight = None;
        self.restored = None;
        if let Some(log) = &mut self.log {
            log.save_snapshot(Snapshot {
                revision,
                document,
                last_seq: Default::default(),
            })?;
            log.compact(revision)?;
            log.record_commit(None, Vec::new())?;
        }
        to_js(&dropped, "dropped operations")
    }

    /// Undoes the latest local edit not yet undone, as a new local edit.
    /// Returns the change applied, or undefined when there is nothing to
    /// undo.
    #[wasm_bindgen(unchecked_return_type = "AppliedChange | undefined")]
    pub fn undo(&mut self) -> JsResult<JsValue> {
        let before = self.client.document().clone();
        let applied = self.client.undo()?;
        self.history_change(before, applied)
    }

    /// Redoes the latest undone edit. Returns the change applied, or
    /// undefined when there is nothing to redo.
    #[wasm_bindgen(unchecked_return_type = "AppliedChange | undefined")]
    pub fn redo(&mut self) -> JsResult<JsValue> {
        let before = self.client.document().clone();
        let applied = self.client.redo()?;
        self.history_change(before, applied)
    }

    /// The operations not yet acknowledged: the in-flight submission as
    /// sent, then the buffer.
    #[wasm_bindgen(unchecked_return_type = "SubmissionJson<TextOpJson>[]")]
    pub fn pending(&self) -> JsResult<JsValue> {
        to_js(&self.client.pending(), "pending operations")
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
        let local = self.pending_change();
        let back = self.confirmed.invert(&local)?;
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
        let local = self.pending_change();
        let moved: Vec<Selection> = selections
            .iter()
            .map(|&s| local.transform_selection(s, Side::Left))
            .collect();
        to_js(&moved, "selections")
    }

    /// Saves a snapshot of the committed document to the offline log and
    /// drops the operations it covers, unless an operation is in flight
    /// (its base must stay replayable). O(n) in the document.
    #[wasm_bindgen(js_name = saveSnapshot)]
    pub fn save_snapshot(&mut self) -> JsResult<bool> {
        if self.in_flight.is_some() {
            return Ok(false);
        }
        let Some(log) = &mut self.log else {
            return Ok(false);
        };
        let revision = self.client.revision();
        log.save_snapshot(Snapshot {
            revision,
            document: self.confirmed.clone(),
            last_seq: Default::default(),
        })?;
        log.compact(revision)?;
        self.committed_since_snapshot = 0;
        Ok(true)
    }

    /// Resolves when every write to the offline log started so far has
    /// finished or failed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn flush(&self) -> js_sys::Promise {
        match &self.log {
            Some(log) => log.flush(),
            None => js_sys::Promise::resolve(&JsValue::UNDEFINED),
        }
    }
}

impl JsTextSyncClient {
    /// Takes the next submission from the engine and tracks it as the
    /// in-flight operation. A restored operation is sent as stored.
    fn take_submission(&mut self) -> Option<Submission<TextOp>> {
        let submission = self.client.next_submission()?;
        let tracked = self
            .in_flight
            .as_ref()
            .is_some_and(|f| f.id == submission.id);
        if !tracked {
            self.in_flight = Some(InFlight {
                id: submission.id,
                op: submission.op.clone(),
            });
        }
        match &self.restored {
            Some(stored) if stored.id == submission.id => Some(stored.clone()),
            _ => Some(submission),
        }
    }

    /// Applies a committed entry to the engine client and the confirmed
    /// document. Returns the operation applied locally, or `None` when the
    /// entry was seen already or acknowledged the in-flight operation.
    fn receive_entry(&mut self, entry: LoggedOp<TextOp>) -> JsResult<Option<TextOp>> {
        if entry.revision <= self.client.revision() {
            return Ok(None);
        }
        let own = self.in_flight.as_ref().is_some_and(|f| f.id == entry.id);
        let applied = self.client.receive_remote(entry.clone())?;
        self.confirmed.apply(&entry.op)?;
        if own {
            self.in_flight = None;
            self.restored = None;
            return Ok(None);
        }
        if let Some(in_flight) = &mut self.in_flight {
            in_flight.op = in_flight.op.transform(&entry.op, SUBMISSION_SIDE);
        }
        Ok(Some(applied))
    }

    /// Returns the pending local edits as one operation on the confirmed
    /// document: the in-flight operation as it stands, then the buffer.
    fn pending_change(&self) -> TextOp {
        let pending = self.client.pending();
        let buffer = match (&self.in_flight, pending.len()) {
            (Some(_), 2) => Some(&pending[1].op),
            (None, 1) => Some(&pending[0].op),
            _ => None,
        };
        let in_flight = self.in_flight.as_ref().map(|f| &f.op);
        match (in_flight, buffer) {
            (Some(a), Some(b)) => a.compose(b),
            (Some(a), None) => a.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => TextOp::new(),
        }
    }

    /// Writes the committed entry, if any, and the pending operations to
    /// the offline log, and saves a snapshot every `SNAPSHOT_EVERY`
    /// committed operations.
    fn record(&mut self, entry: Option<LoggedOp<TextOp>>) -> JsResult<()> {
        let committed = entry.is_some();
        let pending = pending_ops(&self.client);
        let Some(log) = &mut self.log else {
            return Ok(());
        };
        log.record_commit(entry, pending)?;
        if committed {
            self.committed_since_snapshot += 1;
            if self.committed_since_snapshot >= SNAPSHOT_EVERY {
                self.save_snapshot()?;
            }
        }
        Ok(())
    }

    fn history_change(
        &mut self,
        before: TextDocument,
        applied: Option<TextOp>,
    ) -> JsResult<JsValue> {
        let Some(op) = applied else {
            return Ok(JsValue::UNDEFINED);
        };
        self.record(None)?;
        let changes = changes_from_op(&before, &op)?;
        to_js(&AppliedChange { op, changes }, "applied change")
    }
}
