//! The embedded store: one folder per document under the data folder, each
//! with a file op log and snapshots.
//!
//! ```text
//! DATA/docs/ID/meta.json                   {"type": "text"}
//! DATA/docs/ID/log-00000000000000000001.bin   records from revision 1
//! DATA/docs/ID/snapshot-00000000000000000500.bin
//! ```

mod document_log;
mod file_log;
pub mod record;
mod redis_fence;
mod redis_link;
mod redis_log;
mod redis_script;
mod redis_snapshot;

use std::io;
use std::path::{Path, PathBuf};

use echostream::SiteId;
use serde::{Deserialize, Serialize};

pub use document_log::DocumentLog;
pub use file_log::{FileLog, OpenMode, ReplayStart};
pub use redis_fence::SiteFence;
pub(crate) use redis_log::decode_entry;
pub use redis_log::{parse_entry_id, DocumentKeys, RedisLog, RedisStore};
pub use redis_snapshot::{DamagedSnapshot, RedisStart};

use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::protocol::DocumentKind;

/// An error of the file store or the Redis store. Each names the file,
/// or the document and the Redis key, involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("{action} {path} failed: {source}")]
    Io {
        /// The action that failed.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A record before the end of a log, or a snapshot, is damaged. Unlike
    /// a torn last record, this is not dropped, because operations after it
    /// would be lost.
    #[error("{path} is corrupt at byte {offset}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The offset of the damaged record.
        offset: usize,
        /// The damage found.
        reason: String,
    },
    /// The document exists with another kind.
    #[error("document {doc} is a {stored} document, not {requested}")]
    WrongKind {
        /// The document.
        doc: DocumentId,
        /// The kind on disk.
        stored: DocumentKind,
        /// The kind requested.
        requested: DocumentKind,
    },
    /// The document does not exist.
    #[error("document {0} not found")]
    NotFound(DocumentId),
    /// An append did not follow the head.
    #[error("append of revision {got} to a log whose head is {head}")]
    OutOfOrder {
        /// The head of the log.
        head: u64,
        /// The revision appended.
        got: u64,
    },
    /// Redis could not be reached when the server started.
    #[error("connecting to Redis at {address} failed: {source}")]
    RedisConnect {
        /// The server's host and port.
        address: String,
        /// The cause.
        source: redis::RedisError,
    },
    /// A Redis command failed, after the retries on a new connection when
    /// the connection was lost.
    #[error("{action} document {doc} at Redis key {key} failed: {source}")]
    Redis {
        /// The action that failed.
        action: &'static str,
        /// The document.
        doc: DocumentId,
        /// The key involved.
        key: String,
        /// The Redis error.
        source: redis::RedisError,
    },
    /// An append lost the race to another node: the stream no longer ends
    /// at the revision the batch follows. Nothing of the batch was added.
    #[error("append to document {doc} at Redis key {key} expected the stream to end at revision {expected}, but it ends at {head}")]
    Conflict {
        /// The document.
        doc: DocumentId,
        /// The stream.
        key: String,
        /// The revision the batch follows.
        expected: u64,
        /// The stream's actual last revision.
        head: u64,
    },
    /// An append carried operations of connections that newer connections
    /// of their sites replaced. Nothing of the batch was added.
    #[error("append to document {doc} at Redis key {key} carried operations of replaced connections of {} sites", fenced.len())]
    Fenced {
        /// The document.
        doc: DocumentId,
        /// The stream.
        key: String,
        /// Each site whose operation was rejected, with the fencing token
        /// of its newest connection.
        fenced: Vec<(SiteId, u64)>,
    },
    /// A value stored in Redis cannot be decoded.
    #[error("document {doc} has a damaged value at Redis key {key}, entry {id}: {reason}")]
    CorruptEntry {
        /// The document.
        doc: DocumentId,
        /// The key.
        key: String,
        /// The stream entry id or the hash field.
        id: String,
        /// The damage found.
        reason: String,
    },
    /// A snapshot or compaction named a revision the log cannot take.
    #[error("invalid {action} at revision {revision}: {reason}")]
    InvalidRevision {
        /// The call.
        action: &'static str,
        /// The revision given.
        revision: u64,
        /// The reason it is invalid.
        reason: String,
    },
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
        let path = path.to_owned();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    }
}

/// The store of a server: the embedded file store (the default), or Redis
/// for several server nodes that serve the same documents.
#[derive(Clone, Debug)]
pub enum Store {
    /// The data folder of the file store.
    File(FileStore),
    /// The Redis server.
    Redis(RedisStore),
}

impl Store {
    /// Returns the kind of a stored document, or `None` if it does not
    /// exist. Blocks on the disk or on one Redis round trip.
    pub fn kind(&self, doc: &DocumentId) -> Result<Option<DocumentKind>, StoreError> {
        match self {
            Store::File(store) => store.kind(doc),
            Store::Redis(store) => store.kind(doc),
        }
    }
}

/// The contents of `meta.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    #[serde(rename = "type")]
    kind: DocumentKind,
}

/// The data folder of the file store.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Returns the store in `root`, creating the folder when `create` is
    /// set.
    pub fn new(root: impl Into<PathBuf>, create: bool) -> Result<Self, StoreError> {
        let root = root.into();
        let docs = root.join("docs");
        if create {
            std::fs::create_dir_all(&docs).map_err(StoreError::io("creating", &docs))?;
        }
        Ok(FileStore { root })
    }

    /// Returns the data folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns the folder of a document. The id's validation keeps it
    /// inside the data folder.
    pub fn document_dir(&self, doc: &DocumentId) -> PathBuf {
        self.root.join("docs").join(doc.as_str())
    }

    /// Returns the kind of a stored document, or `None` if it does not
    /// exist.
    pub fn kind(&self, doc: &DocumentId) -> Result<Option<DocumentKind>, StoreError> {
        let path = self.document_dir(doc).join("meta.json");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io("reading", &path)(e)),
        };
        let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path,
            offset: e.column(),
            reason: e.to_string(),
        })?;
        Ok(Some(meta.kind))
    }

    /// Opens the log of a document of type `Op`. In
    /// [`OpenMode::Write`] a missing document is created, and a torn last
    /// record is cut off the file; in [`OpenMode::Read`] nothing on disk
    /// changes. O(n) in the size of the log, which is read and checked
    /// whole.
    pub fn open<Op: DocumentOp>(
        &self,
        doc: &DocumentId,
        mode: OpenMode,
    ) -> Result<FileLog<Op>, StoreError> {
        let dir = self.document_dir(doc);
        match self.kind(doc)? {
            Some(stored) if stored != Op::KIND => {
                return Err(StoreError::WrongKind {
                    doc: doc.clone(),
                    stored,
                    requested: Op::KIND,
                })
            }
            Some(_) => {}
            None if mode == OpenMode::Read => return Err(StoreError::NotFound(doc.clone())),
            None => self.create(doc, Op::KIND)?,
        }
        FileLog::open(dir, doc.clone(), mode)
    }

    fn create(&self, doc: &DocumentId, kind: DocumentKind) -> Result<(), StoreError> {
        let dir = self.document_dir(doc);
        std::fs::create_dir_all(&dir).map_err(StoreError::io("creating", &dir))?;
        let meta = serde_json::to_vec(&Meta { kind }).expect("meta always serializes");
        file_log::write_durably(&dir, "meta.json", &meta)?;
        file_log::sync_dir(&self.root.join("docs"))?;
        tracing::info!(doc = %doc, kind = %kind, "created document");
        Ok(())
    }
}
