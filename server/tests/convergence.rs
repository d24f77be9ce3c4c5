//! Several clients edit one document at once through a real server and
//! end with the server's document.

mod common;

use std::time::Duration;

use echostream::board::{Board, BoardOp, PropertyValue, Shape, ShapeKind};
use echostream::text::{TextDocument, TextOp};
use echostream::{OpLog, SiteId};
use echostream_server::client::NativeClient;
use echostream_server::config::Limits;
use echostream_server::document_id::DocumentId;
use echostream_server::document_op::DocumentOp;
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

/// Returns a random board edit that fits `board`: create, delete,
/// translate, recolor, text edit or z-order move.
fn random_board_edit(rng: &mut Rng, board: &Board) -> BoardOp {
    let order = board.order();
    let choice = if order.is_empty() { 0 } else { rng.below(7) };
    if choice <= 1 {
        let x = rng.below(500) as f64;
        let shape = Shape::new(ShapeKind::Rectangle)
            .with_number("x", x)
            .with_number("y", 10.0)
            .with_text("");
        return board.create_op(shape).1;
    }
    let id = order[rng.below(order.len())];
    match choice {
        2 => board.delete_op(id).unwrap(),
        3 => BoardOp::translate(id, rng.below(20) as f64, 1.5),
        4 => {
            let colors = ["#ff0000", "#00ff00", "#0000ff"];
            let color = colors[rng.below(colors.len())].to_owned();
            board
                .set_op(id, "strokeColor", Some(PropertyValue::Color(color)))
                .unwrap()
        }
        5 => {
            let len = board
                .shape(id)
                .unwrap()
                .text
                .as_ref()
                .map_or(0, |t| t.len());
            BoardOp::edit_text(id, TextOp::insert_at(rng.below(len + 1), "ok"))
        }
        _ => board.move_op(id, rng.below(order.len())).unwrap(),
    }
}

/// The two document types, with their random edits.
trait Edits: DocumentOp {
    fn random(rng: &mut Rng, document: &Self::Document) -> Self;
}

impl Edits for TextOp {
    fn random(rng: &mut Rng, document: &TextDocument) -> Self {
        random_edit(rng, document)
    }
}

impl Edits for BoardOp {
    fn random(rng: &mut Rng, document: &Board) -> Self {
        random_board_edit(rng, document)
    }
}

/// Runs `clients` clients that each make `EDITS_PER_CLIENT` edits, reading
/// what arrives between edits, then checks that all of them, a new client
/// and the stored log agree.
async fn converge<Op: Edits>(clients: usize) {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(dir.path(), Limits::default()).await;
    let url = common::url(&server);
    let doc = DocumentId::new(format!("converge-{}-{clients}", Op::KIND).as_str()).unwrap();

    let mut tasks = Vec::new();
    for index in 0..clients {
        let url = url.clone();
        let doc = doc.clone();
        tasks.push(tokio::spawn(async move {
            let site = SiteId(0x100 + index as u64);
            let mut client = NativeClient::<Op>::connect(&url, &doc, site).await.unwrap();
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (index as u64 + 1));
            for _ in 0..EDITS_PER_CLIENT {
                let op = Op::random(&mut rng, client.document());
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
    let observer = NativeClient::<Op>::connect(&url, &doc, SiteId(0xffff))
        .await
        .unwrap();
    let head = observer.revision();
    let expected = observer.document().clone();
    assert!(head >= clients as u64, "head {head}");
    for client in &mut finished {
        client.sync_to(head, TIMEOUT).await.unwrap();
        assert_eq!(client.revision(), head);
        assert_eq!(
            client.document(),
            &expected,
            "site {}",
            client.state().site()
        );
        assert!(client.errors().is_empty(), "{:?}", client.errors());
    }
    for client in finished {
        client.close().await.unwrap();
    }
    observer.close().await.unwrap();
    server.shutdown().await.unwrap();

    let store = FileStore::new(dir.path(), false).unwrap();
    let log = store.open::<Op>(&doc, OpenMode::Read).unwrap();
    let (mut revision, mut stored) = match log.latest_snapshot().unwrap() {
        Some(snapshot) => (snapshot.revision, snapshot.document),
        None => (0, Op::Document::default()),
    };
    for entry in log.read_since(revision).unwrap() {
        entry.op.apply(&mut stored).unwrap();
        revision = entry.revision;
    }
    assert_eq!(revision, head);
    assert_eq!(stored, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_text_clients_converge() {
    converge::<TextOp>(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_text_clients_converge() {
    converge::<TextOp>(5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_text_clients_converge() {
    converge::<TextOp>(10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_board_clients_converge() {
    converge::<BoardOp>(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_board_clients_converge() {
    converge::<BoardOp>(10).await;
}
