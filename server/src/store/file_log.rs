//! The file op log of one document: segments of checksummed records and
//! the latest snapshot, behind the engine's [`OpLog`] interface.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use echostream::{LoggedOp, OpLog, Snapshot};

use super::record::{self, Record};
use super::StoreError;
use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;

/// Whether a log is opened to append or only to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Read only: nothing on disk changes, and appends fail.
    Read,
    /// Read and append: a torn last record is cut off the file.
    Write,
}

/// The file op log of one document.
///
/// Appends go to a buffer; [`sync`](OpLog::sync) writes the buffer and
/// calls `fdatasync`, so one sync makes a whole batch durable (group
/// commit). A snapshot starts a new segment, and compaction deletes the
/// segments that a snapshot covers. The two latest snapshots are kept, so
/// that a server that loads from the older one has the operations between
/// them as history for clients that reconnect.
#[derive(Debug)]
pub struct FileLog<Op> {
    dir: PathBuf,
    doc: DocumentId,
    mode: OpenMode,
    /// The first revision of each segment, ascending.
    segments: Vec<u64>,
    /// The last segment, open for appending.
    file: Option<File>,
    /// Encoded records not yet written to `file`.
    buffer: Vec<u8>,
    /// The revision of the last record in the segments, 0 without any.
    /// Below the head when the newest snapshot is newer than every record.
    records_end: u64,
    /// The revisions of the snapshots on disk, ascending, at most two.
    snapshots: Vec<u64>,
    /// The next append starts a new segment.
    roll: bool,
    /// A file was created or removed since the folder was last synced.
    dir_dirty: bool,
    op: PhantomData<fn() -> Op>,
}

fn segment_name(first: u64) -> String {
    format!("log-{first:020}.bin")
}

/// The starting point of a replay of a [`FileLog`], from
/// [`FileLog::replay_start`].
pub struct ReplayStart<Op: DocumentOp> {
    /// The snapshot to replay from, or `None` for the empty document.
    pub snapshot: Option<Snapshot<Op>>,
    /// The revisions and errors of the damaged snapshots passed over, for
    /// the caller to report.
    pub skipped: Vec<(u64, StoreError)>,
}

fn snapshot_name(revision: u64) -> String {
    format!("snapshot-{revision:020}.bin")
}

/// Parses the revision out of a file name such as `log-…1.bin`.
fn parse_name(name: &str, prefix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?
        .strip_suffix(".bin")?
        .parse()
        .ok()
}

/// Writes a file through a temporary name and renames it into place, so
/// that a crash leaves either the old file or the whole new one.
pub(super) fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = dir.join(format!("{name}.tmp"));
    let path = dir.join(name);
    let mut file = File::create(&tmp).map_err(StoreError::io("creating", &tmp))?;
    file.write_all(bytes)
        .map_err(StoreError::io("writing", &tmp))?;
    file.sync_all().map_err(StoreError::io("syncing", &tmp))?;
    std::fs::rename(&tmp, &path).map_err(StoreError::io("renaming", &tmp))?;
    sync_dir(dir)
}

/// Makes the folder's entries (created, renamed, removed files) durable.
pub(super) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("syncing folder", dir))
}

impl<Op: DocumentOp> FileLog<Op> {
    /// Opens the log in `dir`, checks every record and finds the head.
    pub(super) fn open(dir: PathBuf, doc: DocumentId, mode: OpenMode) -> Result<Self, StoreError> {
        let listing = std::fs::read_dir(&dir).map_err(StoreError::io("listing", &dir))?;
        let mut segments = Vec::new();
        let mut snapshots = Vec::new();
        for entry in listing {
            let entry = entry.map_err(StoreError::io("listing", &dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(first) = parse_name(&name, "log-") {
                segments.push(first);
            } else if let Some(revision) = parse_name(&name, "snapshot-") {
                snapshots.push(revision);
            }
        }
        segments.sort_unstable();
        snapshots.sort_unstable();

        let mut log = FileLog {
            dir,
            doc,
            mode,
            segments,
            file: None,
            buffer: Vec::new(),
            records_end: 0,
            snapshots,
            roll: false,
            dir_dirty: false,
            op: PhantomData,
        };
        log.check_segments()?;
        if mode == OpenMode::Write {
            if let Some(&last) = log.segments.last() {
                let path = log.dir.join(segment_name(last));
                let file = OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(StoreError::io("opening", &path))?;
                log.file = Some(file);
            }
        }
        Ok(log)
    }

    /// Reads every segment, checks that revisions follow each other from
    /// the snapshot on, and sets the head. Cuts a torn last record off the
    /// last segment in write mode.
    fn check_segments(&mut self) -> Result<(), StoreError> {
        let count = self.segments.len();
        let mut expected: Option<u64> = None;
        for (index, &first) in self.segments.clone().iter().enumerate() {
            let path = self.dir.join(segment_name(first));
            let bytes = std::fs::read(&path).map_err(StoreError::io("reading", &path))?;
            let (records, bad) = record::decode_all(&bytes);
            let is_last = index + 1 == count;

            if let Some(bad) = bad {
                if !(bad.torn && is_last) {
                    return Err(StoreError::Corrupt {
                        path,
                        offset: bad.offset,
                        reason: bad.reason,
                    });
                }
                let dropped = bytes.len() - bad.offset;
                tracing::warn!(
                    doc = %self.doc,
                    segment = %path.display(),
                    offset = bad.offset,
                    dropped_bytes = dropped,
                    reason = %bad.reason,
                    "dropped a torn last record"
                );
                if self.mode == OpenMode::Write {
                    truncate(&path, bad.offset as u64)?;
                }
            }

            if first != expected.unwrap_or(first) {
                let reason = format!("segment starts at revision {first}, expected {expected:?}");
                return Err(corrupt(path, 0, reason));
            }
            for (i, rec) in records.iter().enumerate() {
                if rec.revision != first + i as u64 {
                    let reason = format!(
                        "record has revision {}, expected {}",
                        rec.revision,
                        first + i as u64
                    );
                    return Err(corrupt(path, rec.offset, reason));
                }
            }
            let next = first + records.len() as u64;
            expected = Some(next);
            self.records_end = next - 1;
        }

        let snapshot = self.snapshots.first().copied().unwrap_or(0);
        if let Some(&first) = self.segments.first() {
            if first > snapshot + 1 {
                let path = self.dir.join(segment_name(first));
                let reason = format!(
                    "log starts at revision {first} but the oldest snapshot is at {snapshot}"
                );
                return Err(corrupt(path, 0, reason));
            }
        }
        Ok(())
    }

    /// Returns the revisions of the snapshots on disk, oldest first. The
    /// log contains every operation after the oldest one.
    pub fn snapshot_revisions(&self) -> &[u64] {
        &self.snapshots
    }

    /// Reads the snapshot at `revision`, which must be one of
    /// [`snapshot_revisions`](FileLog::snapshot_revisions). O(size of the
    /// document).
    pub fn snapshot_at(&self, revision: u64) -> Result<Snapshot<Op>, StoreError> {
        let path = self.dir.join(snapshot_name(revision));
        let bytes = std::fs::read(&path).map_err(StoreError::io("reading", &path))?;
        let (records, bad) = record::decode_all(&bytes);
        if let Some(bad) = bad {
            return Err(corrupt(path, bad.offset, bad.reason));
        }
        let [rec] = records.as_slice() else {
            let reason = format!("expected 1 record, found {}", records.len());
            return Err(corrupt(path, 0, reason));
        };
        let snapshot: Snapshot<Op> = serde_json::from_slice(rec.payload).map_err(|e| {
            let reason = format!("invalid {} snapshot: {}", Op::KIND, json_error(&e));
            corrupt(path.clone(), 0, reason)
        })?;
        if snapshot.revision != revision {
            let reason = format!("holds revision {}", snapshot.revision);
            return Err(corrupt(path, 0, reason));
        }
        Ok(snapshot)
    }

    /// Returns the first readable snapshot, oldest first or newest first,
    /// with the errors of the snapshots skipped on the way. With none
    /// readable, the replay starts from the empty document if the log
    /// still begins at revision 1, and fails otherwise. O(size of the
    /// snapshots read).
    pub fn replay_start(&self, newest_first: bool) -> Result<ReplayStart<Op>, StoreError> {
        let mut order = self.snapshots.clone();
        if newest_first {
            order.reverse();
        }
        let mut skipped = Vec::new();
        for revision in order {
            match self.snapshot_at(revision) {
                Ok(snapshot) => {
                    return Ok(ReplayStart {
                        snapshot: Some(snapshot),
                        skipped,
                    })
                }
                Err(error) => skipped.push((revision, error)),
            }
        }
        // The empty document is a valid start only for a log that begins
        // at revision 1, or for a document with no records and no
        // snapshots at all.
        let start = match self.segments.first() {
            Some(&1) => None,
            None if skipped.is_empty() => None,
            Some(&first) => Some(format!("the log starts at revision {first}")),
            None => Some("the log has no records".to_owned()),
        };
        match start {
            None => Ok(ReplayStart {
                snapshot: None,
                skipped,
            }),
            Some(start) => {
                let reasons: Vec<String> = skipped.iter().map(|(_, e)| e.to_string()).collect();
                let reason = format!(
                    "no snapshot is readable and {start}: {}",
                    reasons.join("; ")
                );
                Err(corrupt(self.dir.clone(), 0, reason))
            }
        }
    }

    /// Removes the snapshot at `revision`, if there is one, such as a
    /// damaged one after a readable snapshot replaced it. The log keeps
    /// every operation after the oldest snapshot left.
    pub fn remove_snapshot(&mut self, revision: u64) -> Result<(), StoreError> {
        self.writable()?;
        let Some(index) = self.snapshots.iter().position(|&r| r == revision) else {
            return Ok(());
        };
        let path = self.dir.join(snapshot_name(revision));
        std::fs::remove_file(&path).map_err(StoreError::io("removing", &path))?;
        self.snapshots.remove(index);
        self.dir_dirty = true;
        Ok(())
    }

    /// Checks that a replay of this log that reached `revision` reached
    /// the head. It fails when the records end below a newer snapshot,
    /// such as after a segment was cut short, because loading the older
    /// document would drop acknowledged operations that only the snapshot
    /// still contains.
    pub fn check_replayed(&self, revision: u64) -> Result<(), StoreError> {
        let head = self.head();
        if revision >= head {
            return Ok(());
        }
        let path = match self.segments.last() {
            Some(&first) => self.dir.join(segment_name(first)),
            None => self.dir.clone(),
        };
        // The offset is where the missing records would start.
        let end = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
        let reason = format!(
            "the replay ends at revision {revision}, but {} is at revision {}: revisions {} to {} are missing from the log. \
             To load the document from that snapshot, move every log-*.bin file and the older snapshots out of the folder",
            snapshot_name(head),
            head,
            revision + 1,
            head
        );
        Err(corrupt(path, end, reason))
    }

    fn writable(&self) -> Result<(), StoreError> {
        if self.mode == OpenMode::Write {
            return Ok(());
        }
        Err(StoreError::Io {
            action: "writing",
            path: self.dir.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the log was opened read-only",
            ),
        })
    }

    /// Writes the buffer to the current segment, without syncing.
    fn write_buffer(&mut self) -> Result<(), StoreError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let first = *self
            .segments
            .last()
            .expect("a buffered record has a segment");
        let file = self.file.as_mut().expect("a buffered record has a file");
        let path = self.dir.join(segment_name(first));
        file.write_all(&self.buffer)
            .map_err(StoreError::io("writing", &path))?;
        self.buffer.clear();
        Ok(())
    }

    /// Makes the current segment durable and opens a new one starting at
    /// `first`.
    fn start_segment(&mut self, first: u64) -> Result<(), StoreError> {
        if let (Some(&current), true) = (self.segments.last(), self.file.is_some()) {
            self.write_buffer()?;
            let path = self.dir.join(segment_name(current));
            let file = self.file.as_ref().expect("checked above");
            file.sync_data().map_err(StoreError::io("syncing", &path))?;
        }
        let path = self.dir.join(segment_name(first));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(StoreError::io("creating", &path))?;
        self.file = Some(file);
        self.segments.push(first);
        self.dir_dirty = true;
        self.roll = false;
        Ok(())
    }

    /// Reads the records of one segment, with the unwritten buffer when it
    /// is the last one.
    fn read_segment(
        &self,
        index: usize,
        out: &mut Vec<LoggedOp<Op>>,
        after: u64,
    ) -> Result<(), StoreError> {
        let first = self.segments[index];
        let path = self.dir.join(segment_name(first));
        let mut bytes = std::fs::read(&path).map_err(StoreError::io("reading", &path))?;
        if index + 1 == self.segments.len() {
            bytes.extend_from_slice(&self.buffer);
        }
        let (records, bad) = record::decode_all(&bytes);
        if let Some(bad) = bad {
            // A torn tail is left in place in read mode; it was logged at open.
            let torn_tail = bad.torn && index + 1 == self.segments.len();
            if !torn_tail {
                return Err(corrupt(path, bad.offset, bad.reason));
            }
        }
        for rec in records.iter().filter(|r| r.revision > after) {
            out.push(decode_entry(&path, rec)?);
        }
        Ok(())
    }
}

fn corrupt(path: PathBuf, offset: usize, reason: String) -> StoreError {
    StoreError::Corrupt {
        path,
        offset,
        reason,
    }
}

/// Describes a JSON error by its category and position only, because
/// serde's message can quote the document's text, which must not reach
/// the logs.
fn json_error(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "read",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "data",
        serde_json::error::Category::Eof => "unexpected end",
    };
    format!(
        "{category} error at line {}, column {}",
        error.line(),
        error.column()
    )
}

fn truncate(path: &Path, len: u64) -> Result<(), StoreError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(StoreError::io("opening", path))?;
    file.set_len(len)
        .and_then(|()| file.sync_all())
        .map_err(StoreError::io("truncating", path))
}

fn decode_entry<Op: DocumentOp>(path: &Path, rec: &Record<'_>) -> Result<LoggedOp<Op>, StoreError> {
    let entry: LoggedOp<Op> = serde_json::from_slice(rec.payload).map_err(|e| {
        corrupt(
            path.to_owned(),
            rec.offset,
            format!("invalid {} operation: {}", Op::KIND, json_error(&e)),
        )
    })?;
    if entry.revision != rec.revision {
        let reason = format!(
            "header revision {} differs from the operation's {}",
            rec.revision, entry.revision
        );
        return Err(corrupt(path.to_owned(), rec.offset, reason));
    }
    Ok(entry)
}

impl<Op: DocumentOp> OpLog<Op> for FileLog<Op> {
    type Error = StoreError;

    /// Encodes the operation into the buffer. O(size of the operation).
    fn append(&mut self, entry: LoggedOp<Op>) -> Result<(), StoreError> {
        self.writable()?;
        let head = self.head();
        if entry.revision != head + 1 {
            return Err(StoreError::OutOfOrder {
                head,
                got: entry.revision,
            });
        }
        if self.file.is_none() || self.roll {
            self.start_segment(entry.revision)?;
        }
        let payload = serde_json::to_vec(&entry).expect("operations always serialize");
        record::encode(entry.revision, &payload, &mut self.buffer);
        self.records_end = entry.revision;
        Ok(())
    }

    /// Writes the buffer and calls `fdatasync` on the segment, and on the
    /// folder when a segment was created. Costs one disk flush.
    fn sync(&mut self) -> Result<(), StoreError> {
        if self.mode == OpenMode::Read {
            return Ok(());
        }
        self.write_buffer()?;
        if let (Some(file), Some(&first)) = (&self.file, self.segments.last()) {
            let path = self.dir.join(segment_name(first));
            file.sync_data().map_err(StoreError::io("syncing", &path))?;
        }
        if self.dir_dirty {
            sync_dir(&self.dir)?;
            self.dir_dirty = false;
        }
        Ok(())
    }

    /// Returns the last record's revision, or the newest snapshot's when
    /// that is newer, as after compaction or a removed damaged snapshot
    /// that named a revision above every record.
    fn head(&self) -> u64 {
        let snapshot = self.snapshots.last().copied().unwrap_or(0);
        self.records_end.max(snapshot)
    }

    /// Reads the segments that hold revisions after `revision`. O(n) in
    /// their size.
    fn read_since(&self, revision: u64) -> Result<Vec<LoggedOp<Op>>, StoreError> {
        let mut out = Vec::new();
        for index in 0..self.segments.len() {
            let next_first = self.segments.get(index + 1).copied();
            if next_first.is_some_and(|next| next <= revision + 1) {
                continue;
            }
            self.read_segment(index, &mut out, revision)?;
        }
        Ok(out)
    }

    fn latest_snapshot(&self) -> Result<Option<Snapshot<Op>>, StoreError> {
        self.snapshots
            .last()
            .map(|&revision| self.snapshot_at(revision))
            .transpose()
    }

    /// Writes the snapshot durably, removes all but the two latest
    /// snapshots and starts a new segment at the next append. O(size of
    /// the document).
    fn save_snapshot(&mut self, snapshot: Snapshot<Op>) -> Result<(), StoreError> {
        self.writable()?;
        if snapshot.revision > self.head() {
            return Err(StoreError::InvalidRevision {
                action: "snapshot",
                revision: snapshot.revision,
                reason: format!("above the head {}", self.head()),
            });
        }
        let payload = serde_json::to_vec(&snapshot).expect("snapshots always serialize");
        let mut bytes = Vec::with_capacity(payload.len() + record::HEADER_LEN);
        record::encode(snapshot.revision, &payload, &mut bytes);
        write_durably(&self.dir, &snapshot_name(snapshot.revision), &bytes)?;

        if !self.snapshots.contains(&snapshot.revision) {
            self.snapshots.push(snapshot.revision);
            self.snapshots.sort_unstable();
        }
        while self.snapshots.len() > 2 {
            let old = self.snapshots.remove(0);
            let path = self.dir.join(snapshot_name(old));
            std::fs::remove_file(&path).map_err(StoreError::io("removing", &path))?;
            self.dir_dirty = true;
        }
        self.roll = true;
        Ok(())
    }

    /// Deletes the segments whose every revision is at or below
    /// `revision`, and the snapshots that no longer have every operation
    /// after them. The last segment and the latest snapshot are kept.
    fn compact(&mut self, revision: u64) -> Result<(), StoreError> {
        self.writable()?;
        let snapshot = self.snapshots.last().copied().unwrap_or(0);
        if revision > snapshot {
            return Err(StoreError::InvalidRevision {
                action: "compaction",
                revision,
                reason: format!("above the latest snapshot {snapshot}"),
            });
        }
        while self.segments.len() > 1 && self.segments[1] <= revision + 1 {
            let path = self.dir.join(segment_name(self.segments[0]));
            std::fs::remove_file(&path).map_err(StoreError::io("removing", &path))?;
            self.segments.remove(0);
            self.dir_dirty = true;
        }
        // A snapshot whose following operations are gone can no longer
        // start a replay.
        let first = self.segments.first().copied().unwrap_or(self.head() + 1);
        while self.snapshots.len() > 1 && self.snapshots[0] + 1 < first {
            let old = self.snapshots.remove(0);
            let path = self.dir.join(snapshot_name(old));
            std::fs::remove_file(&path).map_err(StoreError::io("removing", &path))?;
            self.dir_dirty = true;
        }
        Ok(())
    }
}
