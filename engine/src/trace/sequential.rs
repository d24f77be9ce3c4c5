//! Sequential traces: one editing session, replayed in order.
//!
//! ```json
//! { "startContent": "", "endContent": "...",
//!   "txns": [ { "time": "...", "patches": [ [pos, delCount, insStr] ] } ] }
//! ```
//!
//! The patches of one transaction are listed in descending position order
//! and do not overlap, so applying them one after another in the listed
//! order gives the transaction's effect.

use serde::Deserialize;

use super::{Patch, TraceError, TraceKind};
use crate::text::TextDocument;

/// One editing session, as a list of transactions applied in order.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SequentialTrace {
    /// The document before the first transaction.
    pub start_content: String,
    /// The document after the last transaction.
    pub end_content: String,
    /// The transactions, in the order they were made.
    pub txns: Vec<Transaction>,
}

/// The patches made at one moment of a session.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Transaction {
    /// When the transaction was made, as an ISO 8601 timestamp, if
    /// recorded.
    #[serde(default)]
    pub time: Option<String>,
    /// The patches, applied in the listed order.
    pub patches: Vec<Patch>,
}

impl SequentialTrace {
    /// Parses a sequential trace. A trace whose `"kind"` names another
    /// format is rejected with [`TraceError::WrongKind`]. O(n) in the
    /// length of the text, in two passes.
    pub fn from_json(json: &str) -> Result<SequentialTrace, TraceError> {
        let actual = TraceKind::detect(json)?;
        if actual != TraceKind::Sequential {
            return Err(TraceError::WrongKind {
                expected: TraceKind::Sequential,
                actual,
            });
        }
        serde_json::from_str(json).map_err(|e| TraceError::Json(e.to_string()))
    }

    /// Returns the number of patches in all transactions.
    pub fn patch_count(&self) -> usize {
        self.txns.iter().map(|txn| txn.patches.len()).sum()
    }

    /// Iterates over every patch in replay order, with the index of its
    /// transaction and its index within that transaction.
    pub fn patches(&self) -> impl Iterator<Item = (usize, usize, &Patch)> + '_ {
        self.txns.iter().enumerate().flat_map(|(t, txn)| {
            txn.patches
                .iter()
                .enumerate()
                .map(move |(p, patch)| (t, p, patch))
        })
    }

    /// Replays every patch from the start content and returns the final
    /// document, or the first patch that does not apply. O(p log n) for
    /// `p` patches on a document of `n` code points.
    pub fn replay(&self) -> Result<TextDocument, TraceError> {
        let mut doc = TextDocument::from(self.start_content.as_str());
        for (transaction, patch, content) in self.patches() {
            doc.apply(&content.to_op())
                .map_err(|source| TraceError::Patch {
                    transaction,
                    patch,
                    source,
                })?;
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextError;

    const SMALL: &str = r#"{
        "startContent": "ab",
        "endContent": "xa😀c",
        "txns": [
            {"time": "2023-07-20T21:19:31.555Z", "patches": [[2, 0, "c"], [1, 1, "😀"]]},
            {"patches": [[0, 0, "x"]]}
        ]
    }"#;

    #[test]
    fn small_trace_replays() {
        let trace = SequentialTrace::from_json(SMALL).unwrap();
        assert_eq!(trace.patch_count(), 3);
        assert_eq!(
            trace.txns[0].time.as_deref(),
            Some("2023-07-20T21:19:31.555Z")
        );
        assert_eq!(trace.txns[1].time, None);
        assert_eq!(trace.replay().unwrap().to_string(), "xa😀c");
    }

    #[test]
    fn patch_becomes_retain_delete_insert() {
        let trace = SequentialTrace::from_json(SMALL).unwrap();
        let ops: Vec<String> = trace
            .patches()
            .map(|(_, _, p)| p.to_op().to_json())
            .collect();
        assert_eq!(ops, [r#"[2,"c"]"#, r#"[1,{"d":1},"😀"]"#, r#"["x"]"#]);
    }

    #[test]
    fn kind_detection() {
        assert_eq!(TraceKind::detect(SMALL), Ok(TraceKind::Sequential));
        assert_eq!(
            TraceKind::detect(r#"{"kind": "sequential", "txns": []}"#),
            Ok(TraceKind::Sequential)
        );
        assert_eq!(
            TraceKind::detect(r#"{"kind": "concurrent", "txns": []}"#),
            Ok(TraceKind::Concurrent)
        );
        assert_eq!(
            TraceKind::detect(r#"{"kind": "braided"}"#),
            Err(TraceError::UnknownKind("braided".into()))
        );
    }

    #[test]
    fn concurrent_trace_rejected() {
        let json = r#"{"kind": "concurrent", "endContent": "", "txns": []}"#;
        assert_eq!(
            SequentialTrace::from_json(json),
            Err(TraceError::WrongKind {
                expected: TraceKind::Sequential,
                actual: TraceKind::Concurrent
            })
        );
    }

    #[test]
    fn malformed_patch_rejected() {
        let json = r#"{"startContent": "", "endContent": "", "txns": [{"patches": [[0, "x"]]}]}"#;
        let error = SequentialTrace::from_json(json).unwrap_err();
        assert!(matches!(error, TraceError::Json(_)), "{error:?}");
    }

    #[test]
    fn patch_past_end_names_its_place() {
        let json = r#"{"startContent": "ab", "endContent": "",
            "txns": [{"patches": [[0, 1, ""]]}, {"patches": [[1, 0, "y"], [5, 1, ""]]}]}"#;
        let trace = SequentialTrace::from_json(json).unwrap();
        let error = trace.replay().unwrap_err();
        assert_eq!(
            error,
            TraceError::Patch {
                transaction: 1,
                patch: 1,
                source: TextError::BaseLength {
                    expected: 6,
                    actual: 2
                }
            }
        );
        assert_eq!(
            error.to_string(),
            "patch 1 of transaction 1 does not apply: operation spans 6 code \
             points but the document has 2"
        );
    }
}
