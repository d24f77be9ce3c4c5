//! The storage calls of the offline log, made by a JavaScript object (the
//! package's `IdbBackend`, over IndexedDB) so that the log's logic stays
//! in Rust.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** One write of a batch, as the offline log issues them. */
export type LogWrite =
  | { kind: "put"; store: "sites" | "pending" | "ops" | "history"; record: Record<string, unknown> }
  | { kind: "putSnapshot"; record: { doc: string; revision: number; value: string } }
  | { kind: "deleteRange"; store: "pending" | "ops"; lower: IDBValidKey; upper: IDBValidKey };

/** The records of one document, as the store returns them. */
export interface StoredRecords {
  sites: { site: string; nextSeq: number }[];
  pending: { site: string; seq: number; value: string }[];
  ops: { revision: number; value: string }[];
  snapshot: { revision: number; value: string } | null;
  history?: { site: string; value: string }[];
}

/** Where the offline log writes: IdbBackend over IndexedDB. */
export interface LogBackend {
  /** Runs the writes in one transaction, started at once. */
  write(writes: LogWrite[]): Promise<void>;
  /** Resolves when every write started so far has finished or failed. */
  flush(): Promise<void>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The JavaScript object that runs the writes.
    #[wasm_bindgen(typescript_type = "LogBackend")]
    pub type LogBackend;

    #[wasm_bindgen(method, js_name = write)]
    fn write_js(this: &LogBackend, writes: JsValue) -> js_sys::Promise;

    /// Returns a promise that resolves when every write started so far has
    /// finished or failed.
    #[wasm_bindgen(method)]
    pub fn flush(this: &LogBackend) -> js_sys::Promise;
}

impl LogBackend {
    /// Starts the writes in one transaction. Failures arrive as the
    /// backend's error events, so the returned promise is not awaited.
    pub fn run(&self, writes: &[LogWrite]) {
        match crate::json::to_js(writes, "log writes") {
            Ok(value) => {
                let _ = self.write_js(value);
            }
            Err(e) => wasm_bindgen::throw_val(e.into()),
        }
    }
}

/// One write of a batch.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LogWrite {
    /// Puts a record into a store.
    Put {
        /// The store: sites, pending, ops or history.
        store: &'static str,
        /// The record, with its key fields.
        record: serde_json::Value,
    },
    /// Puts a snapshot unless the store holds a newer one.
    PutSnapshot {
        /// The record: doc, revision and the snapshot as JSON text.
        record: serde_json::Value,
    },
    /// Deletes the records whose keys lie in `lower..=upper`.
    DeleteRange {
        /// The store: pending or ops.
        store: &'static str,
        /// The lowest key.
        lower: serde_json::Value,
        /// The highest key.
        upper: serde_json::Value,
    },
}

/// The records of one document, as loaded from the store.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRecords {
    /// The sites of the document and their next sequence numbers.
    pub sites: Vec<StoredSite>,
    /// The pending operations of every site.
    pub pending: Vec<StoredPending>,
    /// The committed operations after the snapshot.
    pub ops: Vec<StoredValue>,
    /// The latest snapshot.
    pub snapshot: Option<StoredValue>,
    /// The undo history of each site.
    #[serde(default)]
    pub history: Vec<StoredHistory>,
}

/// An undo history record.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StoredHistory {
    /// The site id.
    pub site: String,
    /// The history as JSON text.
    pub value: String,
}

/// A site record.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSite {
    /// The site id.
    pub site: String,
    /// The sequence number of its next operation.
    pub next_seq: u64,
}

/// A pending operation record.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StoredPending {
    /// The site id.
    pub site: String,
    /// The sequence number.
    pub seq: u64,
    /// The operation as JSON text.
    pub value: String,
}

/// An operation or snapshot record.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StoredValue {
    /// The revision.
    pub revision: u64,
    /// The value as JSON text.
    pub value: String,
}
