//! Several clients edit one document at once through a real server and
//! end with the server's document.

mod common;

use std::time::Duration;

use echostream::text::{TextDocument, TextOp};
use echostream::SiteId;
use echostream_server::client::NativeClient;
use echostream_server::config::Limits;
use echostream_server::document_id::DocumentId;
use echostream_server::store::{FileStore, OpenMode};

const EDITS_PER_CLIENT: usize = 60;
const TIMEOUT: Duration = Duration::from_secs(30);

/// A small xorshift generator, so that each client's edits are fixed by
/// its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Returns a random insert or delete that fits `doc`, with multi-byte
/// characters among the inserted text.
fn random_edit(rng: &mut Rng, doc: &TextDocument) -> TextOp {
    let len = doc.len();
    if len > 0 && rng.below(3) == 0 {
        let start = rng.below(len);
        let end = (start + 1 + rng.below(4)).min(len);
        return TextOp::delete_range(start..end);
    }
    let pieces = ["a", "bc", "é", "日本", "😀", " ", "\n"];
    let text = pieces[rng.below(pieces.len())];
    TextOp::insert_at(rng.below(len + 1), text)
}

/// Runs `clients` clients that each make `EDITS_PER_CLIENT` edits, reading
/// what arrives between edits, then checks that all of them, a new client
/// and the stored log agree.
async fn converge(clients: usize) {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let doc = DocumentId::new(format!("converge-{clients}").as_str()).unwrap();

    let mut tasks = Vec::new();
    for index in 0..clients {
        let url = url.clone();
        let doc = doc.clone();
        tasks.push(tokio::spawn(async move {
            let site = SiteId(0x100 + index as u64);
            let mut client = NativeClient::<TextOp>::connect(&url, &doc, site)
                .await
                .unwrap();
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (index as u64 + 1));
            for _ in 0..EDITS_PER_CLIENT {
                let op = random_edit(&mut rng, client.document());
                client.edit(op).await.unwrap();
                let wait = Duration::from_millis(rng.below(3) as u64);
                while client.poll(wait).await.unwrap().is_some() {}
            }
            client.flush(TIMEOUT).await.unwrap();
            client
        }));
    }
    let mut finished = Vec::new();
    for task in tasks {
        finished.push(task.await.unwrap());
    }

    // Every client has flushed, so the head is final.
    let observer = NativeClient::<TextOp>::connect(&url, &doc, SiteId(0xffff))
        .await
        .unwrap();
    let head = observer.revision();
    let expected = observer.document().clone();
    assert!(head >= clients as u64, "head {head}");
    for client in &mut finished {
        client.sync_to(head, TIMEOUT).await.unwrap();
        assert_eq!(client.revision(), head);
        assert_eq!(client.document(), &expected, "site {}", client.state().site());
        assert!(client.errors().is_empty(), "{:?}", client.errors());
    }
    for client in finished {
        client.close().await.unwrap();
    }
    observer.close().await.unwrap();
    server.shutdown().await.unwrap();

    let store = FileStore::new(dir.path(), false).unwrap();
    let log = store.open::<TextOp>(&doc, OpenMode::Read).unwrap();
    let mut stored = TextDocument::new();
    let snapshot = echostream::OpLog::latest_snapshot(&log).unwrap();
    let mut revision = 0;
    if let Some(snapshot) = snapshot {
        stored = snapshot.document;
        revision = snapshot.revision;
    }
    for entry in echostream::OpLog::read_since(&log, revision).unwrap() {
        stored.apply(&entry.op).unwrap();
        revision = entry.revision;
    }
    assert_eq!(revision, head);
    assert_eq!(stored, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_text_clients_converge() {
    converge(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_text_clients_converge() {
    converge(5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_text_clients_converge() {
    converge(10).await;
}
