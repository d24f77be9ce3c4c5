//! The Redis op log against a real `redis-server`: appends are a
//! compare-and-set on the stream's last id, snapshots never go back, and
//! compaction trims with `XTRIM MINID` but never past the snapshot.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::redis::RedisServer;
use echostream::board::BoardOp;
use echostream::text::{TextDocument, TextOp};
use echostream::{LoggedOp, OpId, OpLog, SiteId, Snapshot, VectorClock};
use echostream_server::document_id::DocumentId;
use echostream_server::protocol::DocumentKind;
use echostream_server::store::{OpenMode, RedisLog, RedisStore, StoreError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn doc_id() -> DocumentId {
    DocumentId::new("notes").unwrap()
}

/// Returns an entry of `site` that inserts `text` at the start.
fn entry(revision: u64, site: u64, seq: u64, text: &str) -> LoggedOp<TextOp> {
    LoggedOp {
        revision,
        id: OpId {
            site: SiteId(site),
            seq,
        },
        clock: VectorClock::new(),
        op: TextOp::insert_at(0, text),
    }
}

fn open(store: &RedisStore) -> RedisLog<TextOp> {
    store.open::<TextOp>(&doc_id(), OpenMode::Write).unwrap()
}

#[test]
fn appends_survive_reopen() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let mut log = open(&store);
    for revision in 1..=3 {
        log.append(entry(revision, 1, revision, "x")).unwrap();
    }
    assert_eq!(log.head(), 3);
    log.sync().unwrap();
    drop(log);

    let log = open(&store);
    assert_eq!(log.head(), 3);
    let entries = log.read_since(1).unwrap();
    let revisions: Vec<u64> = entries.iter().map(|e| e.revision).collect();
    assert_eq!(revisions, vec![2, 3]);
    assert_eq!(entries[0], entry(2, 1, 2, "x"));
    assert_eq!(store.kind(&doc_id()).unwrap(), Some(DocumentKind::Text));
    let ids = redis.cli(&["xrange", "echostream:{notes}:log", "-", "+"]);
    assert!(ids.starts_with("1-0\n"), "stream ids: {ids}");
}

#[test]
fn stale_append_is_a_conflict() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let mut first = open(&store);
    let mut second = open(&store);
    first.append(entry(1, 1, 1, "a")).unwrap();
    first.sync().unwrap();

    second.append(entry(1, 2, 1, "b")).unwrap();
    let error = second.sync().unwrap_err();
    match &error {
        StoreError::Conflict {
            doc,
            key,
            expected,
            head,
        } => {
            assert_eq!(doc.as_str(), "notes");
            assert_eq!(key, "echostream:{notes}:log");
            assert_eq!(*expected, 0);
            assert_eq!(*head, 1);
        }
        other => panic!("expected a conflict, got {other}"),
    }
    let message = error.to_string();
    assert!(message.contains("notes"), "{message}");
    assert!(message.contains("echostream:{notes}:log"), "{message}");

    // After reading the winner's entry, the loser appends after it.
    let read = second.read_since(0).unwrap();
    assert_eq!(read, vec![entry(1, 1, 1, "a")]);
    second.append(entry(2, 2, 1, "b")).unwrap();
    second.sync().unwrap();
    assert_eq!(first.read_since(0).unwrap().len(), 2);
}

#[test]
fn append_skipping_ahead_is_a_conflict() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let mut log = open(&store);
    // An empty buffer accepts any later revision locally; the script in
    // Redis rejects it because the stream ends at 0, not 4.
    log.append(entry(5, 1, 1, "a")).unwrap();
    let error = log.sync().unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Conflict {
                expected: 4,
                head: 0,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(redis.cli(&["xlen", "echostream:{notes}:log"]).trim(), "0");
}

#[test]
fn out_of_order_append_is_rejected() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let mut log = open(&store);
    log.append(entry(1, 1, 1, "a")).unwrap();
    let error = log.append(entry(3, 1, 2, "b")).unwrap_err();
    assert!(
        matches!(error, StoreError::OutOfOrder { head: 1, got: 3 }),
        "{error}"
    );
}

#[test]
fn snapshot_and_compaction() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let mut log = open(&store);
    for revision in 1..=6 {
        log.append(entry(revision, 1, revision, "x")).unwrap();
    }
    log.sync().unwrap();
    let snapshot = Snapshot {
        revision: 4,
        document: TextDocument::from("xxxx"),
        last_seq: BTreeMap::from([(SiteId(1), 4)]),
    };
    log.save_snapshot(snapshot.clone()).unwrap();
    assert_eq!(log.latest_snapshot().unwrap(), Some(snapshot.clone()));

    // An older snapshot from a node that lags behind is not stored.
    let older = Snapshot {
        revision: 2,
        document: TextDocument::from("xx"),
        last_seq: BTreeMap::from([(SiteId(1), 2)]),
    };
    let mut lagging = open(&store);
    lagging.save_snapshot(older).unwrap();
    assert_eq!(log.latest_snapshot().unwrap(), Some(snapshot));

    // Compaction stops at the snapshot's revision 4.
    log.compact(6).unwrap();
    let left: Vec<u64> = log
        .read_since(4)
        .unwrap()
        .iter()
        .map(|e| e.revision)
        .collect();
    assert_eq!(left, vec![5, 6]);
    assert_eq!(redis.cli(&["xlen", "echostream:{notes}:log"]).trim(), "2");
    let error = log.read_since(2).unwrap_err();
    assert!(error.to_string().contains("no entry 3-0"), "{error}");

    // The last id survives the trim, so a stale append still conflicts.
    let mut reopened = open(&store);
    let mut stale = open(&store);
    assert_eq!(reopened.head(), 6);
    log.compact(4).unwrap();
    reopened.append(entry(7, 1, 7, "x")).unwrap();
    reopened.sync().unwrap();
    stale.append(entry(7, 2, 1, "y")).unwrap();
    assert!(matches!(
        stale.sync(),
        Err(StoreError::Conflict { head: 7, .. })
    ));
}

#[test]
fn kind_mismatch_and_missing_document() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).unwrap();
    let error = store.open::<TextOp>(&doc_id(), OpenMode::Read).unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    assert_eq!(store.kind(&doc_id()).unwrap(), None);

    open(&store);
    let error = store
        .open::<BoardOp>(&doc_id(), OpenMode::Write)
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::WrongKind {
                stored: DocumentKind::Text,
                requested: DocumentKind::Board,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn unreachable_redis_names_the_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = RedisStore::connect(&format!("redis://127.0.0.1:{port}")).unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    let error = RedisStore::connect("http://example.invalid").unwrap_err();
    assert!(error.to_string().contains("Redis URL"), "{error}");
}

/// Appends `count` entries of `site` from one log, reading the other
/// writer's entries after each lost race. Returns the conflicts seen.
fn append_racing(store: &RedisStore, site: u64, count: u64, seed: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = open(store);
    // The other writer may have appended already.
    let mut head = log.head();
    let mut conflicts = 0;
    let mut seq = 1;
    while seq <= count {
        // A batch of 1 to 3 entries, as a group commit would send.
        let batch = rng.random_range(1..=3).min(count - seq + 1);
        for offset in 0..batch {
            let revision = head + 1 + offset;
            log.append(entry(revision, site, seq + offset, "s"))
                .unwrap();
        }
        match log.sync() {
            Ok(()) => {
                head += batch;
                seq += batch;
            }
            Err(StoreError::Conflict { .. }) => {
                conflicts += 1;
                head += log.read_since(head).unwrap().len() as u64;
            }
            Err(other) => panic!("append failed: {other}"),
        }
        if rng.random_bool(0.3) {
            std::thread::sleep(Duration::from_micros(rng.random_range(0..200)));
        }
    }
    conflicts
}

/// Two writers race on one stream. Longer runs:
/// `ECHOSTREAM_PROPTEST_CASES=50 cargo test -p echostream-server --test redis_log`.
#[test]
fn concurrent_appends_keep_each_entry_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let rounds: u64 = std::env::var("ECHOSTREAM_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(5);
    const PER_WRITER: u64 = 200;
    let store = RedisStore::connect(&redis.url()).unwrap();
    for round in 0..rounds {
        redis.cli(&["flushall"]);
        let writers: Vec<_> = (1..=2u64)
            .map(|site| {
                let store = store.clone();
                std::thread::spawn(move || {
                    append_racing(&store, site, PER_WRITER, round * 10 + site)
                })
            })
            .collect();
        let conflicts: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();

        let entries = open(&store).read_since(0).unwrap();
        assert_eq!(entries.len() as u64, 2 * PER_WRITER, "round {round}");
        for (index, entry) in entries.iter().enumerate() {
            assert_eq!(entry.revision, index as u64 + 1, "round {round}");
        }
        for site in 1..=2u64 {
            let seqs: Vec<u64> = entries
                .iter()
                .filter(|e| e.id.site == SiteId(site))
                .map(|e| e.id.seq)
                .collect();
            let expected: Vec<u64> = (1..=PER_WRITER).collect();
            assert_eq!(seqs, expected, "round {round}, site {site}");
        }
        println!("round {round}: {conflicts} conflicts");
    }
}
