//! Loading a Redis document whose snapshot does not decode. Redis keeps
//! one snapshot per document, so unlike the file store there is no older
//! one to fall back on, and only the stream from revision 1 can rebuild
//! the document.

use echostream::Snapshot;
use redis::streams::StreamRangeReply;
use redis::Commands;

use super::redis_log::read_head;
use super::redis_script::REPLACE_DAMAGED_SNAPSHOT;
use super::{RedisLog, StoreError};
use crate::document_op::DocumentOp;

/// A snapshot hash whose `data` field does not decode.
#[derive(Debug)]
pub struct DamagedSnapshot {
    /// The decoding error, which names the key.
    pub error: StoreError,
    /// The damaged data as read, so that only this value is replaced.
    pub data: Vec<u8>,
}

/// The starting point of loading a Redis document: the snapshot to
/// replay from, and the damaged one skipped, if any.
pub struct RedisStart<Op: DocumentOp> {
    /// The snapshot to replay from, or `None` to replay from the empty
    /// document at revision 0.
    pub snapshot: Option<Snapshot<Op>>,
    /// The snapshot that was skipped because it does not decode.
    pub damaged: Option<DamagedSnapshot>,
}

impl<Op: DocumentOp> RedisLog<Op> {
    /// Reads the snapshot to replay from. A snapshot that does not decode
    /// is skipped when the stream still starts at revision 1, because
    /// replaying the whole stream rebuilds the document. When the stream
    /// was trimmed, the entries before its first one exist nowhere else,
    /// so this fails with an error that names the key and the revisions
    /// missing. Three round trips when the snapshot is damaged, one
    /// otherwise.
    pub fn replay_start(&self) -> Result<RedisStart<Op>, StoreError> {
        let key = &self.keys.snapshot;
        let mut link = self.link.borrow_mut();
        let data: Option<Vec<u8>> = link.run(&self.doc, "reading the snapshot", key, |c| {
            c.hget(key, "data")
        })?;
        let Some(data) = data else {
            return Ok(RedisStart {
                snapshot: None,
                damaged: None,
            });
        };
        let reason = match serde_json::from_slice::<Snapshot<Op>>(&data) {
            Ok(snapshot) => {
                return Ok(RedisStart {
                    snapshot: Some(snapshot),
                    damaged: None,
                })
            }
            Err(error) => error.to_string(),
        };

        let log = &self.keys.log;
        let first: StreamRangeReply = link.run(&self.doc, "reading the first entry", log, |c| {
            c.xrange_count(log, "-", "+", 1)
        })?;
        let head = read_head(&mut link, &self.doc, log)?;
        let first = match first.ids.first() {
            Some(entry) => super::parse_entry_id(&entry.id),
            None => Some(head + 1),
        };
        // The stream must also reach the damaged snapshot's revision, or
        // the replay would end before it.
        let covered = self.snapshot.unwrap_or(0);
        if first == Some(1) && head >= covered {
            let error = StoreError::CorruptEntry {
                doc: self.doc.clone(),
                key: key.clone(),
                id: "data".to_owned(),
                reason,
            };
            return Ok(RedisStart {
                snapshot: None,
                damaged: Some(DamagedSnapshot { error, data }),
            });
        }
        let missing = match first {
            Some(1) => format!(
                "the stream {log} ends at revision {head}, before the snapshot's revision {covered}"
            ),
            Some(first) => format!(
                "the stream {log} starts at revision {first}, so revisions 1 to {} are missing",
                first - 1
            ),
            None => format!("the stream {log} has an entry id not of the form REVISION-0"),
        };
        Err(StoreError::CorruptEntry {
            doc: self.doc.clone(),
            key: key.clone(),
            id: "data".to_owned(),
            reason: format!(
                "{reason}. {missing}, and the document cannot be rebuilt without this snapshot"
            ),
        })
    }

    /// Replaces the damaged snapshot by `snapshot`, unless another node
    /// replaced it already. O(size of the snapshot), one round trip.
    /// Returns true when this call replaced it.
    pub fn replace_damaged_snapshot(
        &mut self,
        damaged: &DamagedSnapshot,
        snapshot: Snapshot<Op>,
    ) -> Result<bool, StoreError> {
        self.writable()?;
        let revision = snapshot.revision;
        let data = serde_json::to_string(&snapshot).expect("snapshots always serialize");
        let key = &self.keys.snapshot;
        let replaced: u8 =
            self.link
                .get_mut()
                .run(&self.doc, "replacing the snapshot", key, |c| {
                    REPLACE_DAMAGED_SNAPSHOT
                        .key(key)
                        .arg(revision)
                        .arg(&data)
                        .arg(&damaged.data)
                        .invoke(c)
                })?;
        if replaced == 1 {
            self.snapshot = Some(revision);
        }
        Ok(replaced == 1)
    }
}
