//! The Redis store: one stream per document, so that several server nodes
//! can serve the same document, behind the engine's [`OpLog`] interface.
//!
//! ```text
//! echostream:{ID}:log       stream, one entry per revision r, with id r-0
//!                           and the field `op` (the logged operation as JSON)
//! echostream:{ID}:snapshot  hash: `revision` and `data` (the snapshot as JSON)
//! echostream:{ID}:kind      string: "text" or "board"
//! echostream:{ID}:fences    hash: site id (16 hex digits) to the fencing
//!                           token of its newest connection
//! ```
//!
//! The braces are a Redis Cluster hash tag, so one document's keys share a
//! slot and its scripts may touch them together.
//!
//! [`RedisLog`] implements the synchronous [`OpLog`] over a blocking
//! connection, like the file log, so the document task runs its writes on
//! a blocking thread in the same way. Appends are a compare-and-set: the
//! batch goes in only if the stream still ends at the revision this node
//! last saw. [`StoreError::Conflict`] reports that another node appended
//! first, and [`StoreError::Fenced`] that the batch contains operations of
//! connections that newer ones replaced (see `redis_fence`).

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use echostream::{LoggedOp, OpLog, Snapshot};
use redis::streams::StreamRangeReply;
use redis::{Client, Commands, RedisResult, Value};

use super::redis_fence::parse_fenced;
use super::redis_link::Link;
use super::redis_script::{APPEND, COMPACT, SAVE_SNAPSHOT};
use super::{OpenMode, StoreError};
use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::protocol::DocumentKind;

/// The entries read per `XRANGE` call.
const READ_CHUNK: usize = 1000;

/// The names of the Redis keys of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentKeys {
    /// The stream of logged operations.
    pub log: String,
    /// The hash with the latest snapshot.
    pub snapshot: String,
    /// The string with the document kind.
    pub kind: String,
    /// The hash of fencing tokens, site to the token of its newest
    /// connection.
    pub fences: String,
}

impl DocumentKeys {
    /// Returns the keys of `doc`.
    pub fn new(doc: &DocumentId) -> Self {
        DocumentKeys {
            log: format!("echostream:{{{doc}}}:log"),
            snapshot: format!("echostream:{{{doc}}}:snapshot"),
            kind: format!("echostream:{{{doc}}}:kind"),
            fences: format!("echostream:{{{doc}}}:fences"),
        }
    }
}

/// Returns the revision of the stream entry id `r-0`.
pub fn parse_entry_id(id: &str) -> Option<u64> {
    let revision = id.strip_suffix("-0")?;
    revision.parse().ok().filter(|&r| r > 0)
}

/// Decodes the `op` field of a stream entry and checks it against the id.
pub(crate) fn decode_entry<Op: DocumentOp>(
    doc: &DocumentId,
    key: &str,
    entry: &redis::streams::StreamId,
) -> Result<LoggedOp<Op>, StoreError> {
    let corrupt = |reason: String| StoreError::CorruptEntry {
        doc: doc.clone(),
        key: key.to_owned(),
        id: entry.id.clone(),
        reason,
    };
    let revision = parse_entry_id(&entry.id)
        .ok_or_else(|| corrupt("the id is not of the form REVISION-0".to_owned()))?;
    let payload: Vec<u8> = entry
        .get("op")
        .ok_or_else(|| corrupt("the field `op` is missing or not a string".to_owned()))?;
    let logged: LoggedOp<Op> =
        serde_json::from_slice(&payload).map_err(|e| corrupt(e.to_string()))?;
    if logged.revision != revision {
        let reason = format!("the operation names revision {}", logged.revision);
        return Err(corrupt(reason));
    }
    Ok(logged)
}

/// The Redis server behind `echostream serve --redis`: where documents
/// are, and one shared connection for the lookups of document kinds.
#[derive(Clone)]
pub struct RedisStore {
    client: Client,
    lookups: Arc<Mutex<Link>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address())
            .finish()
    }
}

impl RedisStore {
    /// Parses `url` (`redis://HOST:PORT`) and checks with `PING` that the
    /// server replies. Blocks for at most
    /// [`CONNECT_TIMEOUT`](super::redis_link::CONNECT_TIMEOUT) plus
    /// [`COMMAND_TIMEOUT`](super::redis_link::COMMAND_TIMEOUT).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|source| StoreError::RedisConnect {
            address: "the Redis URL".to_owned(),
            source,
        })?;
        let store = RedisStore {
            lookups: Arc::new(Mutex::new(Link::new(client.clone()))),
            client,
        };
        let mut link = Link::new(store.client.clone());
        let pinged: RedisResult<String> = link
            .connection()
            .and_then(|conn| redis::cmd("PING").query(conn));
        pinged.map_err(|source| StoreError::RedisConnect {
            address: store.address(),
            source,
        })?;
        Ok(store)
    }

    /// Returns the server's address, without the user name or password of
    /// the URL, for logs and messages.
    pub fn address(&self) -> String {
        self.client.get_connection_info().addr().to_string()
    }

    /// Locks the shared connection for lookups.
    pub(super) fn lookups(&self) -> MutexGuard<'_, Link> {
        self.lookups.lock().expect("lookup connection lock")
    }

    /// Returns the client, for connections of one's own (a blocking
    /// `XREAD` needs a connection to itself).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Returns the kind of a stored document, or `None` if it does not
    /// exist. One round trip on the shared connection.
    pub fn kind(&self, doc: &DocumentId) -> Result<Option<DocumentKind>, StoreError> {
        let key = DocumentKeys::new(doc).kind;
        let mut link = self.lookups();
        let stored: Option<String> = link.run(doc, "reading the kind", &key, |c| c.get(&key))?;
        stored.map(|name| parse_kind(doc, &key, &name)).transpose()
    }

    /// Opens the log of a document of type `Op` on a connection of its own.
    /// In [`OpenMode::Write`] a missing document is created; in
    /// [`OpenMode::Read`] nothing in Redis changes and appends fail.
    /// Costs three round trips; nothing is read from the stream yet.
    pub fn open<Op: DocumentOp>(
        &self,
        doc: &DocumentId,
        mode: OpenMode,
    ) -> Result<RedisLog<Op>, StoreError> {
        let keys = DocumentKeys::new(doc);
        let mut link = Link::new(self.client.clone());
        let kind = Op::KIND.as_str();
        let created: bool = match mode {
            OpenMode::Write => link.run(doc, "creating", &keys.kind, |c| {
                redis::cmd("SET")
                    .arg(&keys.kind)
                    .arg(kind)
                    .arg("NX")
                    .query::<Option<String>>(c)
                    .map(|reply| reply.is_some())
            })?,
            OpenMode::Read => false,
        };
        if created {
            tracing::info!(doc = %doc, kind, "created document");
        } else {
            let stored: Option<String> =
                link.run(doc, "reading the kind", &keys.kind, |c| c.get(&keys.kind))?;
            match stored
                .map(|name| parse_kind(doc, &keys.kind, &name))
                .transpose()?
            {
                None => return Err(StoreError::NotFound(doc.clone())),
                Some(stored) if stored != Op::KIND => {
                    return Err(StoreError::WrongKind {
                        doc: doc.clone(),
                        stored,
                        requested: Op::KIND,
                    })
                }
                Some(_) => {}
            }
        }
        let head = read_head(&mut link, doc, &keys.log)?;
        let snapshot: Option<u64> = link.run(doc, "reading the snapshot", &keys.snapshot, |c| {
            c.hget(&keys.snapshot, "revision")
        })?;
        Ok(RedisLog {
            doc: doc.clone(),
            keys,
            mode,
            link: RefCell::new(link),
            head: Cell::new(head.max(snapshot.unwrap_or(0))),
            buffer: Vec::new(),
            snapshot,
            previous_snapshot: None,
            op: PhantomData,
        })
    }
}

fn parse_kind(doc: &DocumentId, key: &str, name: &str) -> Result<DocumentKind, StoreError> {
    match name {
        "text" => Ok(DocumentKind::Text),
        "board" => Ok(DocumentKind::Board),
        _ => Err(StoreError::CorruptEntry {
            doc: doc.clone(),
            key: key.to_owned(),
            id: "kind".to_owned(),
            reason: format!("unknown document kind {name:?}; expected \"text\" or \"board\""),
        }),
    }
}

/// Reads the stream's last entry id, which `XTRIM` does not reset.
pub(super) fn read_head(link: &mut Link, doc: &DocumentId, key: &str) -> Result<u64, StoreError> {
    let info: Option<redis::streams::StreamInfoStreamReply> =
        link.run(doc, "reading the head", key, |c| {
            if c.exists(key)? {
                c.xinfo_stream(key).map(Some)
            } else {
                Ok(None)
            }
        })?;
    let Some(info) = info else {
        return Ok(0);
    };
    if info.last_generated_id == "0-0" {
        return Ok(0);
    }
    parse_entry_id(&info.last_generated_id).ok_or_else(|| StoreError::CorruptEntry {
        doc: doc.clone(),
        key: key.to_owned(),
        id: info.last_generated_id.clone(),
        reason: "the id is not of the form REVISION-0".to_owned(),
    })
}

/// The Redis log of one document, on a blocking connection of its own.
///
/// Appends go to a buffer; [`sync`](OpLog::sync) sends the whole buffer in
/// one compare-and-set script. [`head`](OpLog::head) is the last revision
/// this log has seen, appended or read: other nodes may have appended
/// since, which the next `sync` finds out.
pub struct RedisLog<Op> {
    pub(super) doc: DocumentId,
    pub(super) keys: DocumentKeys,
    mode: OpenMode,
    /// The connection, in a `RefCell` because the reads of the interface
    /// take `&self`.
    pub(super) link: RefCell<Link>,
    /// The last revision seen in the stream, buffered appends excluded.
    /// A `Cell`, because reading entries (`&self`) moves it forward.
    head: Cell<u64>,
    /// Entries after `head`, not sent yet.
    buffer: Vec<Buffered>,
    /// The revision of the stored snapshot, as last seen.
    pub(super) snapshot: Option<u64>,
    /// The revision of the snapshot that the last
    /// [`save_snapshot`](OpLog::save_snapshot) replaced.
    previous_snapshot: Option<u64>,
    op: PhantomData<fn() -> Op>,
}

/// An entry waiting in the buffer of a [`RedisLog`], in the arguments of
/// the append script.
struct Buffered {
    /// The entry's site, in the hash's field form.
    site: String,
    /// The fencing token of the connection that sent the entry, or 0 when
    /// none applies.
    token: u64,
    /// The entry as JSON.
    payload: String,
}

impl<Op> std::fmt::Debug for RedisLog<Op> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLog")
            .field("doc", &self.doc)
            .field("head", &self.head.get())
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<Op: DocumentOp> RedisLog<Op> {
    /// Returns the document's keys.
    pub fn keys(&self) -> &DocumentKeys {
        &self.keys
    }

    /// Returns the revision of the stored snapshot, as last seen.
    pub fn snapshot_revision(&self) -> Option<u64> {
        self.snapshot
    }

    /// Returns the revision of the snapshot that the last saved one
    /// replaced: the log up to it may be trimmed.
    pub fn previous_snapshot(&self) -> Option<u64> {
        self.previous_snapshot
    }

    /// Encodes the operation into the buffer, like
    /// [`append`](OpLog::append), as sent by a connection that has the
    /// fencing `token` (0 for none). The `sync` that sends it fails with
    /// [`StoreError::Fenced`] when a newer connection of the operation's
    /// site took a token since.
    pub fn append_fenced(&mut self, entry: LoggedOp<Op>, token: u64) -> Result<(), StoreError> {
        self.writable()?;
        let head = self.head();
        let follows =
            entry.revision == head + 1 || (self.buffer.is_empty() && entry.revision > head);
        if !follows {
            return Err(StoreError::OutOfOrder {
                head,
                got: entry.revision,
            });
        }
        if self.buffer.is_empty() {
            self.head.set(entry.revision - 1);
        }
        let payload = serde_json::to_string(&entry).expect("operations always serialize");
        self.buffer.push(Buffered {
            site: entry.id.site.to_string(),
            token,
            payload,
        });
        Ok(())
    }

    pub(super) fn writable(&self) -> Result<(), StoreError> {
        match self.mode {
            OpenMode::Write => Ok(()),
            OpenMode::Read => Err(StoreError::InvalidRevision {
                action: "append",
                revision: self.head(),
                reason: format!("document {} was opened read-only", self.doc),
            }),
        }
    }
}

impl<Op: DocumentOp> OpLog<Op> for RedisLog<Op> {
    type Error = StoreError;

    /// Encodes the operation into the buffer. With an empty buffer the
    /// entry may follow any revision at or above the head, because a
    /// caller that read later entries (from [`read_since`](OpLog::read_since)
    /// or by following the stream) appends after them. The compare-and-set
    /// in `sync` checks the real head. No fencing token applies.
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), StoreError> {
        self.append_fenced(entry, 0)
    }

    /// Sends the buffer in one `EVALSHA` of the compare-and-set script.
    /// One round trip. Drops the buffer and adds nothing when the stream
    /// no longer ends at the revision before it ([`StoreError::Conflict`])
    /// or when an entry's fencing token is out of date
    /// ([`StoreError::Fenced`]).
    fn sync(&mut self) -> Result<(), StoreError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let expected = self.head.get();
        let keys = &self.keys;
        let buffer = &self.buffer;
        let reply: Vec<Value> =
            self.link
                .get_mut()
                .run(&self.doc, "appending", &keys.log, |c| {
                    let mut invocation = APPEND.key(&keys.log);
                    invocation.key(&keys.fences).arg(expected);
                    for entry in buffer {
                        invocation
                            .arg(&entry.site)
                            .arg(entry.token)
                            .arg(&entry.payload);
                    }
                    invocation.invoke(c)
                })?;
        let count = self.buffer.len() as u64;
        self.buffer.clear();
        let key = &self.keys.log;
        let corrupt = |reason: String| StoreError::CorruptEntry {
            doc: self.doc.clone(),
            key: key.clone(),
            id: "append reply".to_owned(),
            reason,
        };
        let (status, head) = match reply.get(..2) {
            Some([status, head]) => {
                let status: u8 = redis::from_redis_value_ref(status)
                    .map_err(|e| corrupt(format!("invalid status: {e}")))?;
                let head: u64 = redis::from_redis_value_ref(head)
                    .map_err(|e| corrupt(format!("invalid head: {e}")))?;
                (status, head)
            }
            _ => {
                return Err(corrupt(format!(
                    "expected at least 2 values, got {}",
                    reply.len()
                )))
            }
        };
        if status == 2 {
            let fenced = parse_fenced(&self.doc, key, &reply[2..])?;
            return Err(StoreError::Fenced {
                doc: self.doc.clone(),
                key: key.clone(),
                fenced,
            });
        }
        match (status, head) {
            (1, head) if head == expected + count => {
                self.head.set(head);
                Ok(())
            }
            (1, head) => Err(StoreError::CorruptEntry {
                doc: self.doc.clone(),
                key: key.clone(),
                id: format!("{head}-0"),
                reason: format!(
                    "the append script reported head {head} after adding {count} entries to {expected}"
                ),
            }),
            (_, head) => {
                self.head.set(self.head.get().max(head));
                Err(StoreError::Conflict {
                    doc: self.doc.clone(),
                    key: key.clone(),
                    expected,
                    head,
                })
            }
        }
    }

    fn head(&self) -> u64 {
        self.head.get() + self.buffer.len() as u64
    }

    /// Reads the entries after `revision` with `XRANGE`, in chunks of
    /// [`READ_CHUNK`]. O(n) in the entries read. Fails when the stream was
    /// trimmed past `revision`, because the entries it needs are gone.
    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, StoreError> {
        let key = &self.keys.log;
        let mut entries: Vec<LoggedOp<Op>> = Vec::new();
        let mut link = self.link.borrow_mut();
        loop {
            let next = entries.last().map_or(revision, |e| e.revision) + 1;
            let start = format!("{next}-0");
            let reply: StreamRangeReply = link.run(&self.doc, "reading", key, |c| {
                c.xrange_count(key, &start, "+", READ_CHUNK)
            })?;
            let done = reply.ids.len() < READ_CHUNK;
            for raw in &reply.ids {
                let entry = decode_entry::<Op>(&self.doc, key, raw)?;
                let expected = entries.last().map_or(revision, |e| e.revision) + 1;
                if entry.revision != expected {
                    return Err(StoreError::InvalidRevision {
                        action: "read",
                        revision,
                        reason: format!(
                            "Redis key {key} of document {} has no entry {expected}-0 (trimmed?); the next is {}",
                            self.doc, raw.id
                        ),
                    });
                }
                entries.push(entry);
            }
            if done {
                break;
            }
        }
        if let Some(last) = entries.last() {
            self.head.set(self.head.get().max(last.revision));
        }
        Ok(entries)
    }

    /// Reads and decodes the snapshot hash. O(size of the snapshot).
    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, StoreError> {
        let key = &self.keys.snapshot;
        let mut link = self.link.borrow_mut();
        let data: Option<Vec<u8>> = link.run(&self.doc, "reading the snapshot", key, |c| {
            c.hget(key, "data")
        })?;
        let Some(data) = data else {
            return Ok(None);
        };
        let snapshot: Snapshot<Op> =
            serde_json::from_slice(&data).map_err(|e| StoreError::CorruptEntry {
                doc: self.doc.clone(),
                key: key.clone(),
                id: "data".to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Some(snapshot))
    }

    /// Stores the snapshot unless Redis contains one at the same or a later
    /// revision (another node saved it), which is kept. O(size of the
    /// snapshot), one round trip.
    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), StoreError> {
        self.writable()?;
        let revision = snapshot.revision;
        let data = serde_json::to_string(&snapshot).expect("snapshots always serialize");
        let key = &self.keys.snapshot;
        let (saved, other): (u8, i64) =
            self.link
                .get_mut()
                .run(&self.doc, "saving the snapshot", key, |c| {
                    SAVE_SNAPSHOT.key(key).arg(revision).arg(&data).invoke(c)
                })?;
        if saved == 1 {
            self.previous_snapshot = u64::try_from(other).ok();
            self.snapshot = Some(revision);
        } else {
            tracing::debug!(doc = %self.doc, revision, stored = other, "kept a newer snapshot saved by another node");
            self.previous_snapshot = None;
            self.snapshot = u64::try_from(other).ok();
        }
        Ok(())
    }

    /// Trims the entries at or below `revision` with `XTRIM MINID`,
    /// never past the stored snapshot. O(entries removed).
    fn compact(&mut self, revision: u64) -> Result<(), StoreError> {
        self.writable()?;
        let keys = &self.keys;
        let removed: u64 = self
            .link
            .get_mut()
            .run(&self.doc, "compacting", &keys.log, |c| {
                COMPACT
                    .key(&keys.log)
                    .key(&keys.snapshot)
                    .arg(revision)
                    .invoke(c)
            })?;
        tracing::debug!(doc = %self.doc, revision, removed, "trimmed the stream");
        Ok(())
    }
}
