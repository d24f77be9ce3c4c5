//! The storage calls of the offline log, made by a JavaScript object (the
//! package's `IdbBackend`, over IndexedDB) so that the log's logic stays
//! in Rust.

use serde::de::{self, DeserializeOwned};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::args::{error, JsResult};
use crate::json::js_to_value;

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
#[derive(Clone, Debug, Default, PartialEq)]
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
    pub history: Vec<StoredHistory>,
}

/// An undo history record.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredHistory {
    /// The site id.
    pub site: String,
    /// The history as JSON text.
    pub value: String,
}

/// A site record.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSite {
    /// The site id.
    pub site: String,
    /// The sequence number of its next operation.
    pub next_seq: u64,
}

/// A pending operation record.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPending {
    /// The site id.
    pub site: String,
    /// The sequence number.
    pub seq: u64,
    /// The operation as JSON text.
    pub value: String,
}

/// An operation or snapshot record.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredValue {
    /// The revision.
    pub revision: u64,
    /// The value as JSON text.
    pub value: String,
}

impl StoredRecords {
    /// Reads the records from the JavaScript value that the backend loaded,
    /// with the checks of [`from_js`](crate::json::from_js).
    pub fn from_js(records: JsValue) -> JsResult<Self> {
        let name = "stored records";
        let value = js_to_value(records, name)?;
        StoredRecords::from_value(&value).map_err(|e| error(format!("invalid {name}: {e}")))
    }

    /// Reads the records from the JSON form of [`StoredRecords`] in the
    /// TypeScript types: `sites`, `pending` and `ops` are required lists,
    /// `snapshot` may be null or missing, and `history` may be missing.
    /// Fields that the types do not name are ignored. O(size of the
    /// records).
    ///
    /// Written out rather than derived, because the derived readers of
    /// these five structs, each inlined into the reader of its list, took
    /// about 10 KB of the WebAssembly module.
    pub fn from_value(records: &Value) -> Result<Self, serde_json::Error> {
        let sites = read_list(records, "sites", |record| {
            Ok(StoredSite {
                site: field(record, "site")?,
                next_seq: field(record, "nextSeq")?,
            })
        })?;
        let pending = read_list(records, "pending", |record| {
            Ok(StoredPending {
                site: field(record, "site")?,
                seq: field(record, "seq")?,
                value: field(record, "value")?,
            })
        })?;
        let ops = read_list(records, "ops", stored_value)?;
        let snapshot = match records.get("snapshot") {
            None | Some(Value::Null) => None,
            Some(record) => Some(stored_value(record).map_err(|e| located("snapshot", &e))?),
        };
        let history = if records.get("history").is_some() {
            read_list(records, "history", |record| {
                Ok(StoredHistory {
                    site: field(record, "site")?,
                    value: field(record, "value")?,
                })
            })?
        } else {
            Vec::new()
        };
        Ok(StoredRecords {
            sites,
            pending,
            ops,
            snapshot,
            history,
        })
    }
}

fn stored_value(record: &Value) -> Result<StoredValue, serde_json::Error> {
    Ok(StoredValue {
        revision: field(record, "revision")?,
        value: field(record, "value")?,
    })
}

/// Reads each record of the list under `key` with `read`. An error names
/// the list and the record's index, so that one damaged record among
/// thousands can be found.
fn read_list<T>(
    records: &Value,
    key: &'static str,
    read: impl Fn(&Value) -> Result<T, serde_json::Error>,
) -> Result<Vec<T>, serde_json::Error> {
    let items = list(records, key)?;
    let mut read_items = Vec::with_capacity(items.len());
    for (index, record) in items.iter().enumerate() {
        let item = read(record).map_err(|e| located(&format!("record {index} of {key}"), &e))?;
        read_items.push(item);
    }
    Ok(read_items)
}

/// Prefixes an error with where the damaged record is.
#[inline(never)]
fn located(place: &str, e: &serde_json::Error) -> serde_json::Error {
    de::Error::custom(format_args!("{place}: {e}"))
}

/// Returns the list under `key`, or an error when it is missing or not a
/// list.
fn list<'a>(records: &'a Value, key: &'static str) -> Result<&'a [Value], serde_json::Error> {
    match records.get(key) {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(de::Error::custom(format_args!(
            "invalid field `{key}`: expected a list"
        ))),
        None => Err(de::Error::missing_field(key)),
    }
}

/// Reads the field `key` of a record, or returns an error when the record
/// is no object, or the field is missing or of another type.
fn field<T: DeserializeOwned>(record: &Value, key: &'static str) -> Result<T, serde_json::Error> {
    let Value::Object(fields) = record else {
        return Err(de::Error::invalid_type(unexpected(record), &"an object"));
    };
    match fields.get(key) {
        Some(value) => T::deserialize(value)
            .map_err(|e| de::Error::custom(format_args!("invalid field `{key}`: {e}"))),
        None => Err(de::Error::missing_field(key)),
    }
}

/// Describes a JSON value for an invalid-type error, as serde does.
fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn records_read_from_json() {
        let records = StoredRecords::from_value(&json!({
            "sites": [{ "site": "00000000000000a1", "nextSeq": 3, "doc": "d" }],
            "pending": [{ "site": "00000000000000a1", "seq": 2, "value": "[1]" }],
            "ops": [{ "revision": 4, "value": "[\"x\"]" }],
            "snapshot": { "revision": 3, "value": "\"abc\"" },
            "history": [{ "site": "00000000000000a1", "value": "{}" }],
        }))
        .unwrap();
        let site = "00000000000000a1".to_owned();
        assert_eq!(
            records.sites,
            [StoredSite {
                site: site.clone(),
                next_seq: 3
            }]
        );
        assert_eq!(
            records.pending,
            [StoredPending {
                site: site.clone(),
                seq: 2,
                value: "[1]".to_owned()
            }]
        );
        assert_eq!(
            records.ops,
            [StoredValue {
                revision: 4,
                value: "[\"x\"]".to_owned()
            }]
        );
        assert_eq!(
            records.snapshot,
            Some(StoredValue {
                revision: 3,
                value: "\"abc\"".to_owned()
            })
        );
        assert_eq!(
            records.history,
            [StoredHistory {
                site,
                value: "{}".to_owned()
            }]
        );
    }

    #[test]
    fn optional_records_may_be_missing() {
        let empty = json!({ "sites": [], "pending": [], "ops": [] });
        assert_eq!(
            StoredRecords::from_value(&empty).unwrap(),
            StoredRecords::default()
        );
        let null_snapshot = json!({ "sites": [], "pending": [], "ops": [], "snapshot": null });
        assert_eq!(
            StoredRecords::from_value(&null_snapshot).unwrap(),
            StoredRecords::default()
        );
    }

    #[test]
    fn invalid_record_is_located() {
        let cases = [
            (
                json!({ "sites": [], "pending": [], "ops": [
                    { "revision": 1, "value": "[]" },
                    { "revision": "2", "value": "[]" },
                ] }),
                "record 1 of ops: invalid field `revision`: invalid type: string \"2\", expected u64",
            ),
            (
                json!({ "sites": [{ "site": "a1", "nextSeq": 1 }], "pending": [
                    { "site": "a1", "seq": 1, "value": "[]" },
                    { "site": "a1", "seq": 2, "value": "[]" },
                    { "site": "a1", "seq": 3 },
                ], "ops": [] }),
                "record 2 of pending: missing field `value`",
            ),
            (
                json!({ "sites": [{ "site": 7, "nextSeq": 1 }], "pending": [], "ops": [] }),
                "record 0 of sites: invalid field `site`: invalid type: integer `7`, expected a string",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [[2, "[]"]] }),
                "record 0 of ops: invalid type: sequence, expected an object",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [], "snapshot": { "revision": -1, "value": "\"\"" } }),
                "snapshot: invalid field `revision`: invalid value: integer `-1`, expected u64",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [], "history": [{ "site": "a1", "value": {} }] }),
                "record 0 of history: invalid field `value`: invalid type: map, expected a string",
            ),
        ];
        for (records, expected) in cases {
            let error = StoredRecords::from_value(&records).unwrap_err();
            assert_eq!(error.to_string(), expected, "{records}");
        }
    }

    #[test]
    fn invalid_records_are_named() {
        let cases = [
            (json!({ "pending": [], "ops": [] }), "missing field `sites`"),
            (
                json!({ "sites": {}, "pending": [], "ops": [] }),
                "invalid field `sites`: expected a list",
            ),
            (
                json!({ "sites": [], "pending": [{ "site": "a1", "value": "[]" }], "ops": [] }),
                "record 0 of pending: missing field `seq`",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [{ "revision": "1", "value": "[]" }] }),
                "record 0 of ops: invalid field `revision`: invalid type: string \"1\", expected u64",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [], "snapshot": { "revision": 1 } }),
                "snapshot: missing field `value`",
            ),
            (
                json!({ "sites": [], "pending": [], "ops": [], "history": [{ "value": "{}" }] }),
                "record 0 of history: missing field `site`",
            ),
        ];
        for (records, expected) in cases {
            let error = StoredRecords::from_value(&records).unwrap_err();
            assert_eq!(error.to_string(), expected, "{records}");
        }
    }
}
