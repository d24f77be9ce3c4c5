//! A simulated network of 2 to 8 clients and one authority. Messages are
//! delayed (each queue is delivered at random moments), lost when a client
//! disconnects, and repeated when a client resends after reconnecting.
//! Clients make random text or board edits, undo and redo, and disconnect
//! and reconnect at random. Once every message is delivered, every client's
//! document equals the authority's and every acknowledged operation is in
//! the history exactly once.
//!
//! 500 cases per document type by default. A longer run:
//!
//! ```sh
//! ECHOSTREAM_PROPTEST_CASES=20000 cargo test --release -p echostream-proptests --test sync_sim
//! ```

use std::collections::{HashMap, VecDeque};

use echostream::board::{Board, BoardOp};
use echostream::sync::{Authority, Client, ClientState, Receipt, Submission};
use echostream::text::{TextDocument, TextOp};
use echostream::{LoggedOp, OpId, Operation, SiteId};
use echostream_proptests::board::{valid_op, Rng};
use echostream_proptests::cases;
use proptest::prelude::*;

/// The maximum number of delivery rounds in the final drain before the run
/// counts as stuck.
const MAX_DRAIN_STEPS: usize = 100_000;

/// A random edit, fitted to the client's document when it is made.
#[derive(Clone, Debug)]
struct EditSeed {
    /// Where the edit starts, as a fraction of the document length.
    at: u16,
    /// How many code points it deletes, cut to what is left.
    delete: usize,
    /// What it inserts.
    insert: String,
    /// The seed of a random board operation.
    board: u64,
}

#[derive(Clone, Debug)]
enum Action {
    Edit(usize, EditSeed),
    DeliverToAuthority(usize),
    DeliverToClient(usize),
    /// Drops the connection; `true` also loses what the client had sent
    /// but the authority had not read.
    Disconnect(usize, bool),
    Reconnect(usize),
    Undo(usize),
    Redo(usize),
    Compact,
}

fn any_edit() -> impl Strategy<Value = EditSeed> {
    let insert = prop::collection::vec(
        prop_oneof![4 => prop::char::range('a', 'f'), 1 => Just('é'), 1 => Just('😀')],
        0..4,
    )
    .prop_map(String::from_iter);
    (any::<u16>(), 0..4usize, insert, any::<u64>()).prop_map(|(at, delete, insert, board)| {
        EditSeed {
            at,
            delete,
            insert,
            board,
        }
    })
}

fn any_action(clients: usize) -> impl Strategy<Value = Action> {
    let client = 0..clients;
    prop_oneof![
        6 => (client.clone(), any_edit()).prop_map(|(c, e)| Action::Edit(c, e)),
        5 => client.clone().prop_map(Action::DeliverToAuthority),
        5 => client.clone().prop_map(Action::DeliverToClient),
        1 => (client.clone(), any::<bool>()).prop_map(|(c, lose)| Action::Disconnect(c, lose)),
        1 => client.clone().prop_map(Action::Reconnect),
        1 => client.clone().prop_map(Action::Undo),
        1 => client.prop_map(Action::Redo),
        1 => Just(Action::Compact),
    ]
}

fn any_run() -> impl Strategy<Value = (usize, Vec<Action>)> {
    (2..=8usize).prop_flat_map(|clients| {
        (
            Just(clients),
            prop::collection::vec(any_action(clients), 10..150),
        )
    })
}

/// Returns a text edit that fits `doc`.
fn text_edit(doc: &TextDocument, seed: &EditSeed) -> TextOp {
    let len = doc.len();
    let start = seed.at as usize * len / (u16::MAX as usize + 1);
    let end = (start + seed.delete).min(len);
    TextOp::replace(start..end, &seed.insert)
}

/// Returns a board operation of up to three changes that fits `board`:
/// creates, deletes, sets, translations, text edits, z-order moves and
/// groups.
fn board_edit(board: &Board, seed: &EditSeed) -> BoardOp {
    valid_op(&mut Rng::new(seed.board), board, 3)
}

/// A message from the authority to one client.
#[derive(Clone, Debug)]
enum Down<Op: Operation> {
    Entry(LoggedOp<Op>),
    Ack(OpId, u64),
}

struct Peer<Op: Operation> {
    client: Client<Op>,
    connected: bool,
    up: VecDeque<Submission<Op>>,
    down: VecDeque<Down<Op>>,
}

/// The authority, the clients and the queues between them.
struct Network<Op: Operation> {
    authority: Authority<Op>,
    peers: Vec<Peer<Op>>,
    /// Every id the authority committed, in order.
    committed: Vec<OpId>,
    /// Every id a client saw acknowledged.
    acknowledged: Vec<OpId>,
}

impl<Op: Operation> Network<Op> {
    fn new(clients: usize) -> Self {
        let peers = (0..clients)
            .map(|i| Peer {
                client: Client::new(SiteId(100 + i as u64), Op::Document::default(), 0),
                connected: true,
                up: VecDeque::new(),
                down: VecDeque::new(),
            })
            .collect();
        Network {
            authority: Authority::new(),
            peers,
            committed: Vec::new(),
            acknowledged: Vec::new(),
        }
    }

    /// Sends what the client has to send, if it is connected.
    fn pump(&mut self, c: usize) {
        let peer = &mut self.peers[c];
        if !peer.connected {
            return;
        }
        while let Some(submission) = peer.client.next_submission() {
            peer.up.push_back(submission);
        }
    }

    fn deliver_to_authority(&mut self, c: usize) -> Result<(), String> {
        let Some(submission) = self.peers[c].up.pop_front() else {
            return Ok(());
        };
        let receipt = self
            .authority
            .receive(submission)
            .map_err(|e| format!("authority rejected a submission of client {c}: {e}"))?;
        if let Receipt::Committed(entry) = &receipt {
            self.committed.push(entry.id);
            for (other, peer) in self.peers.iter_mut().enumerate() {
                if other != c && peer.connected {
                    peer.down.push_back(Down::Entry(entry.clone()));
                }
            }
        }
        let sender = &mut self.peers[c];
        if sender.connected {
            sender
                .down
                .push_back(Down::Ack(receipt.id(), receipt.revision()));
        }
        Ok(())
    }

    fn deliver_to_client(&mut self, c: usize) -> Result<(), String> {
        let peer = &mut self.peers[c];
        let Some(message) = peer.down.pop_front() else {
            return Ok(());
        };
        match message {
            Down::Ack(id, revision) => {
                let was_in_flight = peer.client.in_flight().map(|s| s.id) == Some(id);
                peer.client
                    .acknowledge(id, revision)
                    .map_err(|e| format!("client {c} rejected an acknowledgement: {e}"))?;
                if was_in_flight {
                    self.acknowledged.push(id);
                }
            }
            Down::Entry(entry) => {
                self.receive(c, entry)?;
            }
        }
        self.pump(c);
        Ok(())
    }

    fn receive(&mut self, c: usize, entry: LoggedOp<Op>) -> Result<(), String> {
        let client = &mut self.peers[c].client;
        let own = client.in_flight().map(|s| s.id) == Some(entry.id);
        let id = entry.id;
        client
            .receive_remote(entry)
            .map_err(|e| format!("client {c} rejected an entry: {e}"))?;
        if own {
            self.acknowledged.push(id);
        }
        Ok(())
    }

    fn disconnect(&mut self, c: usize, lose_sent: bool) {
        let peer = &mut self.peers[c];
        peer.connected = false;
        peer.down.clear();
        if lose_sent {
            peer.up.clear();
        }
    }

    /// Reconnects: catches up from the client's revision, then resends.
    fn reconnect(&mut self, c: usize) -> Result<(), String> {
        if self.peers[c].connected {
            return Ok(());
        }
        let revision = self.peers[c].client.revision();
        let missed = self
            .authority
            .since(revision)
            .map_err(|e| format!("client {c} cannot catch up: {e}"))?
            .to_vec();
        for entry in missed {
            self.receive(c, entry)?;
        }
        let peer = &mut self.peers[c];
        peer.connected = true;
        peer.client.reconnect();
        self.pump(c);
        Ok(())
    }

    /// Compacts the history that no client can need any more: below every
    /// client's revision and below the base of every submission that may
    /// still arrive.
    fn compact(&mut self) {
        let needed = self
            .peers
            .iter()
            .flat_map(|p| {
                let in_flight = p.client.in_flight().map(|s| s.base);
                let queued = p.up.iter().map(|s| s.base);
                [p.client.revision()]
                    .into_iter()
                    .chain(in_flight)
                    .chain(queued)
            })
            .min();
        self.authority.compact(needed.unwrap_or(0));
    }

    fn quiet(&self) -> bool {
        self.peers
            .iter()
            .all(|p| p.up.is_empty() && p.down.is_empty() && !p.client.has_pending())
    }

    /// Reconnects everyone and delivers every message.
    fn drain(&mut self) -> Result<(), String> {
        for c in 0..self.peers.len() {
            self.reconnect(c)?;
            self.pump(c);
        }
        for _ in 0..MAX_DRAIN_STEPS {
            if self.quiet() {
                return Ok(());
            }
            for c in 0..self.peers.len() {
                self.deliver_to_authority(c)?;
            }
            for c in 0..self.peers.len() {
                while !self.peers[c].down.is_empty() {
                    self.deliver_to_client(c)?;
                }
            }
        }
        Err(format!("not quiet after {MAX_DRAIN_STEPS} rounds"))
    }

    fn run(
        &mut self,
        actions: &[Action],
        edit: impl Fn(&Op::Document, &EditSeed) -> Op,
    ) -> Result<(), String> {
        for action in actions {
            match action {
                Action::Edit(c, seed) => {
                    let op = edit(self.peers[*c].client.document(), seed);
                    self.peers[*c]
                        .client
                        .apply_local(op)
                        .map_err(|e| format!("client {c} rejected its own edit: {e}"))?;
                    self.pump(*c);
                }
                Action::DeliverToAuthority(c) => self.deliver_to_authority(*c)?,
                Action::DeliverToClient(c) => self.deliver_to_client(*c)?,
                Action::Disconnect(c, lose) => self.disconnect(*c, *lose),
                Action::Reconnect(c) => self.reconnect(*c)?,
                Action::Undo(c) => {
                    self.peers[*c]
                        .client
                        .undo()
                        .map_err(|e| format!("client {c} failed to undo: {e}"))?;
                    self.pump(*c);
                }
                Action::Redo(c) => {
                    self.peers[*c]
                        .client
                        .redo()
                        .map_err(|e| format!("client {c} failed to redo: {e}"))?;
                    self.pump(*c);
                }
                Action::Compact => self.compact(),
            }
        }
        self.drain()
    }

    /// Checks convergence and exactly-once commits.
    fn check(&self) -> Result<(), TestCaseError> {
        let expected = self.authority.document();
        for (c, peer) in self.peers.iter().enumerate() {
            prop_assert_eq!(peer.client.document(), expected, "client {}", c);
            prop_assert_eq!(peer.client.state(), ClientState::Synchronized);
            prop_assert_eq!(peer.client.revision(), self.authority.revision());
        }
        prop_assert_eq!(self.committed.len() as u64, self.authority.revision());

        let mut times_committed: HashMap<OpId, usize> = HashMap::new();
        for id in &self.committed {
            *times_committed.entry(*id).or_default() += 1;
        }
        for (id, times) in &times_committed {
            prop_assert_eq!(*times, 1, "{} committed {} times", id, times);
        }
        for id in &self.acknowledged {
            prop_assert_eq!(times_committed.get(id), Some(&1), "acknowledged {}", id);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(500)))]

    #[test]
    fn text_clients_converge((clients, actions) in any_run()) {
        let mut network = Network::<TextOp>::new(clients);
        network.run(&actions, text_edit).map_err(TestCaseError::fail)?;
        network.check()?;
    }

    #[test]
    fn board_clients_converge((clients, actions) in any_run()) {
        let mut network = Network::<BoardOp>::new(clients);
        network.run(&actions, board_edit).map_err(TestCaseError::fail)?;
        network.check()?;
    }
}
