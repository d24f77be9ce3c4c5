//! The file op log: appends survive reopening, snapshots compact the log,
//! a torn last record is dropped and damage elsewhere is reported.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

mod common;

use common::store_files::{damage, snapshot_paths};
use echostream::text::{TextDocument, TextOp};
use echostream::{LoggedOp, OpId, OpLog, SiteId, Snapshot, VectorClock};
use echostream_server::document_id::DocumentId;
use echostream_server::protocol::DocumentKind;
use echostream_server::store::{FileStore, OpenMode, StoreError};

const SITE: SiteId = SiteId(0xa1);

fn doc_id() -> DocumentId {
    DocumentId::new("notes").unwrap()
}

/// Returns the entry that appends the letter for `revision` at the end of a
/// document of `revision - 1` letters.
fn entry(revision: u64) -> LoggedOp<TextOp> {
    let letter = char::from(b'a' + ((revision - 1) % 26) as u8).to_string();
    let mut clock = VectorClock::new();
    clock.set(SITE, revision - 1);
    LoggedOp {
        revision,
        id: OpId {
            site: SITE,
            seq: revision,
        },
        clock,
        op: TextOp::insert_at((revision - 1) as usize, &letter),
    }
}

fn text_after(revisions: u64) -> String {
    (1..=revisions)
        .map(|r| char::from(b'a' + ((r - 1) % 26) as u8))
        .collect()
}

fn open(store: &FileStore) -> echostream_server::store::FileLog<TextOp> {
    store.open::<TextOp>(&doc_id(), OpenMode::Write).unwrap()
}

fn segment_paths(store: &FileStore) -> Vec<PathBuf> {
    common::store_files::segment_paths(store, &doc_id())
}

#[test]
fn appends_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let mut log = open(&store);
    for revision in 1..=5 {
        log.append(entry(revision)).unwrap();
    }
    log.sync().unwrap();
    drop(log);

    assert_eq!(store.kind(&doc_id()).unwrap(), Some(DocumentKind::Text));
    let log = open(&store);
    assert_eq!(log.head(), 5);
    let entries = log.read_since(0).unwrap();
    assert_eq!(entries, (1..=5).map(entry).collect::<Vec<_>>());
    assert_eq!(log.read_since(3).unwrap(), vec![entry(4), entry(5)]);
}

#[test]
fn append_out_of_order_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let mut log = open(&store);
    log.append(entry(1)).unwrap();
    let error = log.append(entry(3)).unwrap_err();
    assert!(
        matches!(error, StoreError::OutOfOrder { head: 1, got: 3 }),
        "{error}"
    );
    assert_eq!(log.head(), 1);
}

#[test]
fn unsynced_appends_are_readable() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let mut log = open(&store);
    log.append(entry(1)).unwrap();
    log.append(entry(2)).unwrap();
    assert_eq!(log.read_since(0).unwrap(), vec![entry(1), entry(2)]);
}

#[test]
fn snapshot_compacts_segments() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let mut log = open(&store);
    for revision in 1..=4 {
        log.append(entry(revision)).unwrap();
    }
    log.sync().unwrap();
    let snapshot = Snapshot {
        revision: 4,
        document: TextDocument::from(text_after(4).as_str()),
        last_seq: BTreeMap::from([(SITE, 4)]),
    };
    log.save_snapshot(snapshot.clone()).unwrap();
    log.compact(4).unwrap();
    // The segment holding 1..=4 stays until a later segment exists.
    assert_eq!(segment_paths(&store).len(), 1);

    for revision in 5..=7 {
        log.append(entry(revision)).unwrap();
    }
    log.sync().unwrap();
    assert_eq!(segment_paths(&store).len(), 2);
    log.compact(4).unwrap();
    assert_eq!(segment_paths(&store).len(), 1);
    drop(log);

    let log = open(&store);
    assert_eq!(log.head(), 7);
    assert_eq!(log.latest_snapshot().unwrap(), Some(snapshot));
    assert_eq!(
        log.read_since(4).unwrap(),
        vec![entry(5), entry(6), entry(7)]
    );
}

#[test]
fn compaction_above_snapshot_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let mut log = open(&store);
    log.append(entry(1)).unwrap();
    let error = log.compact(1).unwrap_err();
    assert!(
        matches!(error, StoreError::InvalidRevision { revision: 1, .. }),
        "{error}"
    );
}

fn write_five(store: &FileStore) -> PathBuf {
    let mut log = open(store);
    for revision in 1..=5 {
        log.append(entry(revision)).unwrap();
    }
    log.sync().unwrap();
    segment_paths(store).pop().unwrap()
}

#[test]
fn torn_last_record_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let segment = write_five(&store);
    let full_len = std::fs::metadata(&segment).unwrap().len();

    // Half a record: a header that promises more bytes than follow.
    let mut bytes = Vec::new();
    echostream_server::store::record::encode(6, b"{\"revision\":6}", &mut bytes);
    bytes.truncate(bytes.len() - 5);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&segment)
        .unwrap();
    file.write_all(&bytes).unwrap();
    drop(file);

    let read_only = store.open::<TextOp>(&doc_id(), OpenMode::Read).unwrap();
    assert_eq!(read_only.head(), 5);
    assert_eq!(read_only.read_since(0).unwrap().len(), 5);
    let torn_len = full_len + bytes.len() as u64;
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), torn_len);

    let mut log = open(&store);
    assert_eq!(log.head(), 5);
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), full_len);
    assert_eq!(
        log.read_since(0).unwrap(),
        (1..=5).map(entry).collect::<Vec<_>>()
    );
    log.append(entry(6)).unwrap();
    log.sync().unwrap();
    drop(log);
    assert_eq!(open(&store).read_since(5).unwrap(), vec![entry(6)]);
}

#[test]
fn damaged_middle_record_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let segment = write_five(&store);
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes[20] ^= 0x20;
    std::fs::write(&segment, &bytes).unwrap();

    let error = store
        .open::<TextOp>(&doc_id(), OpenMode::Write)
        .unwrap_err();
    match error {
        StoreError::Corrupt { offset, reason, .. } => {
            assert_eq!(offset, 0);
            assert!(reason.starts_with("checksum mismatch"), "{reason}");
        }
        other => panic!("expected a corrupt log, got {other}"),
    }
    assert_eq!(
        std::fs::read(&segment).unwrap(),
        bytes,
        "the file is unchanged"
    );
}

#[test]
fn wrong_kind_and_missing_document() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let missing = store.open::<TextOp>(&doc_id(), OpenMode::Read).unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");

    write_five(&store);
    let meta = store.document_dir(&doc_id()).join("meta.json");
    std::fs::write(&meta, br#"{"type":"board"}"#).unwrap();
    let error = store
        .open::<TextOp>(&doc_id(), OpenMode::Write)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "document notes is a board document, not text"
    );
}

fn snapshot_of(revision: u64) -> Snapshot<TextOp> {
    Snapshot {
        revision,
        document: TextDocument::from(text_after(revision).as_str()),
        last_seq: BTreeMap::from([(SITE, revision)]),
    }
}

/// Writes revisions 1..=4 and a snapshot at revision 4.
fn four_with_snapshot(store: &FileStore) {
    let mut log = open(store);
    for revision in 1..=4 {
        log.append(entry(revision)).unwrap();
    }
    log.sync().unwrap();
    log.save_snapshot(snapshot_of(4)).unwrap();
}

/// Writes revisions 1..=9 with snapshots at 3 and 6, compacted so that
/// the log starts after the first snapshot, and returns the path of the
/// snapshot files, oldest first.
fn two_snapshots(store: &FileStore) -> Vec<PathBuf> {
    let mut log = open(store);
    for revision in 1..=9 {
        log.append(entry(revision)).unwrap();
        log.sync().unwrap();
        if revision % 3 == 0 && revision < 9 {
            log.save_snapshot(snapshot_of(revision)).unwrap();
            log.compact(revision - 3).unwrap();
        }
    }
    snapshot_paths(store, &doc_id())
}

#[test]
fn damaged_newest_snapshot_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let snapshots = two_snapshots(&store);
    assert_eq!(snapshots.len(), 2);
    damage(&snapshots[1]);

    let log = open(&store);
    let start = log.replay_start(true).unwrap();
    assert_eq!(start.snapshot, Some(snapshot_of(3)));
    assert_eq!(start.skipped.len(), 1);
    assert_eq!(start.skipped[0].0, 6);
    assert!(matches!(start.skipped[0].1, StoreError::Corrupt { .. }));
    assert_eq!(log.read_since(3).unwrap().len(), 6);
}

#[test]
fn damaged_oldest_snapshot_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let snapshots = two_snapshots(&store);
    damage(&snapshots[0]);

    let log = open(&store);
    let start = log.replay_start(false).unwrap();
    assert_eq!(start.snapshot, Some(snapshot_of(6)));
    assert_eq!(start.skipped.len(), 1);
}

#[test]
fn no_readable_snapshot_after_compaction_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let snapshots = two_snapshots(&store);
    damage(&snapshots[0]);
    damage(&snapshots[1]);

    let log = open(&store);
    let Err(error) = log.replay_start(true) else {
        panic!("a replay without a snapshot or the start of the log succeeded");
    };
    let message = error.to_string();
    assert!(message.contains("no snapshot is readable"), "{message}");
    assert!(message.contains("log starts at revision 4"), "{message}");
}

#[test]
fn no_readable_snapshot_replays_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    four_with_snapshot(&store);
    damage(&snapshot_paths(&store, &doc_id())[0]);

    let log = open(&store);
    let start = log.replay_start(true).unwrap();
    assert_eq!(start.snapshot, None);
    assert_eq!(start.skipped.len(), 1);
    assert_eq!(log.read_since(0).unwrap().len(), 4);
}

#[test]
fn damaged_snapshot_above_records_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    let snapshots = two_snapshots(&store);
    // A file named for revision 20 that contains the snapshot at revision 6.
    let stray = store
        .document_dir(&doc_id())
        .join(format!("snapshot-{:020}.bin", 20));
    std::fs::copy(&snapshots[1], &stray).unwrap();

    let mut log = open(&store);
    assert_eq!(log.head(), 20);
    let error = log.snapshot_at(20).unwrap_err().to_string();
    assert!(error.contains("holds revision 6"), "{error}");
    log.remove_snapshot(20).unwrap();
    assert_eq!(log.head(), 9);
    log.append(entry(10)).unwrap();
    log.sync().unwrap();
    drop(log);

    let log = open(&store);
    assert_eq!(log.head(), 10);
    assert_eq!(log.snapshot_revisions(), &[3, 6]);
}

#[test]
fn log_cut_below_snapshot_fails_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    two_snapshots(&store);
    let mut log = open(&store);
    log.save_snapshot(snapshot_of(9)).unwrap();
    log.compact(6).unwrap();
    drop(log);
    // Keep revision 7 of the segment that contains 7 to 9.
    let segment = segment_paths(&store).pop().unwrap();
    let bytes = std::fs::read(&segment).unwrap();
    let (records, bad) = echostream_server::store::record::decode_all(&bytes);
    assert!(bad.is_none());
    assert_eq!(records.len(), 3);
    let cut = records[1].offset;
    std::fs::write(&segment, &bytes[..cut]).unwrap();

    let log = open(&store);
    assert_eq!(log.head(), 9);
    let start = log.replay_start(false).unwrap();
    assert_eq!(start.snapshot.map(|s| s.revision), Some(6));
    assert_eq!(log.read_since(6).unwrap().len(), 1);
    let error = log.check_replayed(7).unwrap_err().to_string();
    assert!(error.contains(&segment.display().to_string()), "{error}");
    assert!(error.contains("revisions 8 to 9 are missing"), "{error}");
    assert!(log.check_replayed(9).is_ok());
}

#[test]
fn unreadable_snapshot_without_records_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path(), true).unwrap();
    four_with_snapshot(&store);
    // Only the snapshot is left, as after the log files were moved away,
    // and the document is read as a board.
    for segment in segment_paths(&store) {
        std::fs::remove_file(segment).unwrap();
    }
    let board = store
        .open::<echostream::board::BoardOp>(&doc_id(), OpenMode::Write)
        .unwrap_err();
    assert!(matches!(board, StoreError::WrongKind { .. }), "{board}");
    let meta = store.document_dir(&doc_id()).join("meta.json");
    std::fs::write(&meta, r#"{"type":"board"}"#).unwrap();

    let log = store
        .open::<echostream::board::BoardOp>(&doc_id(), OpenMode::Write)
        .unwrap();
    let Err(error) = log.replay_start(false) else {
        panic!("a replay from the empty document passed over the only snapshot");
    };
    let message = error.to_string();
    assert!(message.contains("the log has no records"), "{message}");
    assert!(
        message.contains("invalid board snapshot: data error at line 1"),
        "{message}"
    );
    // The text of the document stays out of the message, which is logged.
    assert!(!message.contains(&text_after(4)), "{message}");
    assert_eq!(log.snapshot_revisions(), &[4]);
}
