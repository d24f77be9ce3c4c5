//! Crashes: the server runs as a subprocess under load and is killed with
//! SIGKILL. A new server on the same data folder must hold every
//! acknowledged operation exactly once, drop a torn last record, and let
//! the clients reconnect, resend and converge.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::dump;
use common::process::ServerProcess;
use common::store_files::{damage, segment_paths, snapshot_paths};
use echostream::text::{TextDocument, TextOp};
use echostream::{OpId, OpLog, SiteId};
use echostream_server::client::{NativeClient, ServerEvent};
use echostream_server::document_id::DocumentId;
use echostream_server::store::{record, FileStore, OpenMode};

const CLIENTS: usize = 4;
const TIMEOUT: Duration = Duration::from_secs(30);

/// The operations acknowledged to one client: id and revision.
type Acked = Vec<(OpId, u64)>;

/// Edits until `stop` is set or the connection fails, recording every
/// acknowledgement. Returns the client for reconnecting.
async fn edit_until_stopped(
    mut client: NativeClient<TextOp>,
    stop: Arc<AtomicBool>,
    acked_total: Arc<AtomicU64>,
    seed: u64,
) -> (NativeClient<TextOp>, Acked) {
    let mut acked = Vec::new();
    let mut n = seed;
    while !stop.load(Ordering::Relaxed) {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = client.document().len();
        let pos = (n >> 33) as usize % (len + 1);
        let op = if len > 10 && n % 4 == 0 {
            TextOp::delete_range(pos.min(len - 1)..(pos + 1).min(len))
        } else {
            TextOp::insert_at(pos, "ab")
        };
        if client.edit(op).await.is_err() {
            break;
        }
        match client.poll(Duration::from_millis(2)).await {
            Ok(Some(ServerEvent::Ack { id, revision })) => {
                acked.push((id, revision));
                acked_total.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (client, acked)
}

/// Checks the stored log of `doc`: revisions follow each other, no
/// operation id appears twice, and every acknowledged operation is there
/// with its revision (or, before the oldest snapshot kept, is counted in
/// the snapshot's sequence numbers).
fn check_log(data: &Path, doc: &DocumentId, acked: &[(OpId, u64)]) -> u64 {
    let store = FileStore::new(data, false).unwrap();
    let log = store.open::<TextOp>(doc, OpenMode::Read).unwrap();
    let (base, last_seq) = match log.snapshot_revisions().first() {
        Some(&revision) => (revision, log.snapshot_at(revision).unwrap().last_seq),
        None => (0, BTreeMap::new()),
    };
    let entries = log.read_since(base).unwrap();
    let mut ids = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(
            entry.revision,
            base + 1 + i as u64,
            "revisions follow each other"
        );
        assert!(
            ids.insert(entry.id),
            "operation {} is stored twice",
            entry.id
        );
        let before = last_seq.get(&entry.id.site).copied().unwrap_or(0);
        assert!(
            entry.id.seq > before,
            "operation {} is in the snapshot and the log",
            entry.id
        );
    }
    for &(id, revision) in acked {
        if revision > base {
            let entry = &entries[(revision - base - 1) as usize];
            assert_eq!(entry.id, id, "acknowledged revision {revision}");
        } else {
            let seq = last_seq.get(&id.site).copied().unwrap_or(0);
            assert!(id.seq <= seq, "acknowledged {id} at {revision} is missing");
        }
    }
    log.head()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_keeps_every_acknowledged_operation() {
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentId::new("crash").unwrap();
    let mut first = ServerProcess::start(dir.path(), &["--snapshot-every", "100"]);

    let stop = Arc::new(AtomicBool::new(false));
    let acked_total = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for index in 0..CLIENTS {
        let client =
            NativeClient::<TextOp>::connect(&first.url(), &doc, SiteId(0x10 + index as u64))
                .await
                .unwrap();
        let task = edit_until_stopped(client, stop.clone(), acked_total.clone(), index as u64);
        tasks.push(tokio::spawn(task));
    }
    // Kill the server under load, once it has acknowledged a few hundred
    // operations, which spans several snapshots.
    let deadline = std::time::Instant::now() + TIMEOUT;
    while acked_total.load(Ordering::Relaxed) < 400 {
        assert!(
            std::time::Instant::now() < deadline,
            "the load never reached 400 acks"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill();
    stop.store(true, Ordering::Relaxed);

    let mut clients = Vec::new();
    let mut acked = Vec::new();
    for task in tasks {
        let (client, client_acked) = task.await.unwrap();
        clients.push(client);
        acked.extend(client_acked);
    }
    let head_after_crash = check_log(dir.path(), &doc, &acked);
    assert!(head_after_crash >= acked.len() as u64);
    let unacknowledged = clients.iter().filter(|c| c.state().has_pending()).count();
    eprintln!(
        "killed at revision {head_after_crash} with {} acknowledged operations; \
         {unacknowledged} clients had operations in flight",
        acked.len()
    );

    let mut second = ServerProcess::start(dir.path(), &["--snapshot-every", "100"]);
    for client in &mut clients {
        client.reconnect_to(&second.url()).await.unwrap();
    }
    for (index, client) in clients.iter_mut().enumerate() {
        let pos = client.document().len();
        client
            .edit(TextOp::insert_at(pos, &format!("<{index}>")))
            .await
            .unwrap();
    }
    for client in &mut clients {
        client.flush(TIMEOUT).await.unwrap();
    }
    let observer = NativeClient::<TextOp>::connect(&second.url(), &doc, SiteId(0xff))
        .await
        .unwrap();
    let head = observer.revision();
    for client in &mut clients {
        client.sync_to(head, TIMEOUT).await.unwrap();
        assert_eq!(client.document(), observer.document());
        assert!(client.errors().is_empty(), "{:?}", client.errors());
    }
    let expected = observer.document().to_string();
    for index in 0..CLIENTS {
        assert_eq!(expected.matches(&format!("<{index}>")).count(), 1);
    }
    for client in clients {
        client.close().await.unwrap();
    }
    observer.close().await.unwrap();

    let status = second.terminate(TIMEOUT);
    assert!(
        status.success(),
        "the server exits cleanly on SIGTERM: {status}"
    );
    assert!(second.wait_logged("server stopped"));
    check_log(dir.path(), &doc, &acked);
    assert_eq!(
        dump(&["--data", dir.path().to_str().unwrap()], doc.as_str()),
        expected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_last_record_is_dropped_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentId::new("torn").unwrap();
    let mut first = ServerProcess::start(dir.path(), &[]);
    let mut client = NativeClient::<TextOp>::connect(&first.url(), &doc, SiteId(0x21))
        .await
        .unwrap();
    for word in ["one ", "two ", "three ", "four "] {
        let pos = client.document().len();
        client.edit(TextOp::insert_at(pos, word)).await.unwrap();
        client.flush(TIMEOUT).await.unwrap();
    }
    assert_eq!(client.revision(), 4);
    first.kill();

    // A crash in the middle of writing revision 5: its header and part of
    // its payload reached the disk.
    let store = FileStore::new(dir.path(), false).unwrap();
    let segment = segment_paths(&store, &doc).pop().unwrap();
    let intact_len = std::fs::metadata(&segment).unwrap().len();
    let payload =
        br#"{"revision":5,"id":{"site":"0000000000000021","seq":5},"clock":{},"op":["five"]}"#;
    let mut torn = Vec::new();
    record::encode(5, payload, &mut torn);
    torn.truncate(torn.len() - 20);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&segment)
        .unwrap()
        .write_all(&torn)
        .unwrap();

    let mut second = ServerProcess::start(dir.path(), &[]);
    client.reconnect_to(&second.url()).await.unwrap();
    assert_eq!(client.revision(), 4);
    assert_eq!(
        client.document(),
        &TextDocument::from("one two three four ")
    );
    assert!(
        second.wait_logged("dropped a torn last record"),
        "{:?}",
        second.log.lock().unwrap()
    );
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), intact_len);

    client.edit(TextOp::insert_at(19, "five")).await.unwrap();
    client.flush(TIMEOUT).await.unwrap();
    assert_eq!(client.revision(), 5);
    client.close().await.unwrap();
    assert!(second.terminate(TIMEOUT).success());
    assert_eq!(
        dump(&["--data", dir.path().to_str().unwrap()], doc.as_str()),
        "one two three four five"
    );
}

/// Server arguments that save a snapshot every two operations and keep two
/// operations of history.
const SNAPSHOT_EVERY_TWO: [&str; 4] = ["--history", "2", "--snapshot-every", "2"];

/// Types six words, one acknowledged operation each, into `doc` on a
/// server with [`SNAPSHOT_EVERY_TWO`], then stops the server, so that
/// the data folder ends with snapshots at revisions 4 and 6.
async fn type_six_words(data: &Path, doc: &DocumentId, site: SiteId) {
    let mut server = ServerProcess::start(data, &SNAPSHOT_EVERY_TWO);
    let mut client = NativeClient::<TextOp>::connect(&server.url(), doc, site)
        .await
        .unwrap();
    for word in ["one ", "two ", "three ", "four ", "five ", "six "] {
        let pos = client.document().len();
        client.edit(TextOp::insert_at(pos, word)).await.unwrap();
        client.flush(TIMEOUT).await.unwrap();
    }
    client.close().await.unwrap();
    assert!(server.terminate(TIMEOUT).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_snapshot_is_replaced_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentId::new("damaged").unwrap();
    let args = SNAPSHOT_EVERY_TWO;
    type_six_words(dir.path(), &doc, SiteId(0x31)).await;

    // A bit flipped in the middle of the newest snapshot.
    let store = FileStore::new(dir.path(), false).unwrap();
    let mut snapshots = snapshot_paths(&store, &doc);
    assert_eq!(snapshots.len(), 2, "{snapshots:?}");
    damage(&snapshots.pop().unwrap());
    let text = "one two three four five six ";
    assert_eq!(
        dump(&["--data", dir.path().to_str().unwrap()], doc.as_str()),
        text
    );

    let mut second = ServerProcess::start(dir.path(), &args);
    let reader = NativeClient::<TextOp>::connect(&second.url(), &doc, SiteId(0x32))
        .await
        .unwrap();
    assert_eq!(reader.document(), &TextDocument::from(text));
    assert_eq!(reader.revision(), 6);
    assert!(
        second.wait_logged("found a damaged snapshot"),
        "{:?}",
        second.log.lock().unwrap()
    );
    assert!(second.wait_logged("replaced damaged snapshots by one at the head"));
    reader.close().await.unwrap();
    assert!(second.terminate(TIMEOUT).success());

    // The snapshot written at the head replaced the damaged file.
    let log = store.open::<TextOp>(&doc, OpenMode::Read).unwrap();
    let start = log.replay_start(true).unwrap();
    assert!(start.skipped.is_empty(), "{:?}", start.skipped);
    assert_eq!(start.snapshot.map(|s| s.revision), Some(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_cut_below_snapshot_is_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentId::new("cut").unwrap();
    let args = SNAPSHOT_EVERY_TWO;
    type_six_words(dir.path(), &doc, SiteId(0x41)).await;

    // The last segment loses its last record, acknowledged revision 6,
    // which the snapshot at revision 6 still contains.
    let store = FileStore::new(dir.path(), false).unwrap();
    let segment = segment_paths(&store, &doc).pop().unwrap();
    let bytes = std::fs::read(&segment).unwrap();
    let (records, bad) = record::decode_all(&bytes);
    assert!(bad.is_none());
    let revisions: Vec<u64> = records.iter().map(|r| r.revision).collect();
    assert_eq!(revisions, [5, 6]);
    let cut = records[1].offset;
    std::fs::write(&segment, &bytes[..cut]).unwrap();
    let text = "one two three four five six ";
    assert_eq!(
        dump(&["--data", dir.path().to_str().unwrap()], doc.as_str()),
        text
    );

    // Loading from the snapshot at revision 4 would serve revision 5 and
    // drop "six ", so the server refuses to load the document.
    let mut second = ServerProcess::start(dir.path(), &args);
    let joined = NativeClient::<TextOp>::connect(&second.url(), &doc, SiteId(0x42)).await;
    let Err(error) = joined else {
        panic!("a document whose log lost an acknowledged revision was loaded");
    };
    assert!(
        error.to_string().contains("could not be loaded"),
        "{error:#}"
    );
    assert!(
        second.wait_logged("revisions 6 to 6 are missing"),
        "{:?}",
        second.log.lock().unwrap()
    );
    assert!(!second.logged("panicked"));
    assert!(second.terminate(TIMEOUT).success());
    assert_eq!(std::fs::read(&segment).unwrap(), &bytes[..cut]);
    assert_eq!(
        dump(&["--data", dir.path().to_str().unwrap()], doc.as_str()),
        text
    );
}
