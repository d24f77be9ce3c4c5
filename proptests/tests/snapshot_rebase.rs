//! Clients that come back after the authority compacted the history they
//! missed, or restarted from a snapshot. The authority compacts its whole
//! history at random moments, so a client that reconnects often gets a
//! snapshot in place of the operations it missed, and moves its pending
//! operations onto it with `Client::rebase_onto_snapshot`. A submission
//! based on a compacted revision is rejected, and the client then
//! reconnects as after a lost connection. Once every message is
//! delivered, every client's document equals the authority's, every
//! operation id was committed once, and every id each client gave out was
//! committed.
//!
//! 300 cases per document type by default. A longer run:
//!
//! ```sh
//! ECHOSTREAM_PROPTEST_CASES=5000 cargo test --release -p echostream-proptests --test snapshot_rebase
//! ```

use std::collections::{HashMap, VecDeque};

use echostream::board::{Board, BoardOp};
use echostream::sync::{Authority, Client, ClientState, Receipt, Submission, SyncError};
use echostream::text::{TextDocument, TextOp};
use echostream::{Diff, LoggedOp, OpId, Operation, SiteId};
use echostream_proptests::board::{valid_op, Rng};
use echostream_proptests::cases;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// The maximum number of delivery rounds in the final drain before the run
/// counts as stuck.
const MAX_DRAIN_STEPS: usize = 10_000;

#[derive(Clone, Debug)]
enum Action {
    /// An edit by a client, from a seed: where, how much to delete, what
    /// to insert, and the seed of a board operation.
    Edit(usize, u16, usize, String, u64),
    DeliverToAuthority(usize),
    DeliverToClient(usize),
    /// Drops the connection; `true` also loses what the client had sent
    /// but the authority had not read.
    Disconnect(usize, bool),
    Reconnect(usize),
    /// Compacts the history up to this share (of 255) of the head.
    Compact(u8),
    /// Restarts the authority from a snapshot of its head, with no
    /// history: every connection drops.
    Restart,
}

fn any_action(clients: usize) -> impl Strategy<Value = Action> {
    let client = 0..clients;
    let insert = prop::collection::vec(
        prop_oneof![4 => prop::char::range('a', 'd'), 1 => Just('😀')],
        0..4,
    )
    .prop_map(String::from_iter);
    prop_oneof![
        6 => (client.clone(), any::<u16>(), 0..4usize, insert, any::<u64>())
            .prop_map(|(c, at, delete, insert, seed)| Action::Edit(c, at, delete, insert, seed)),
        5 => client.clone().prop_map(Action::DeliverToAuthority),
        5 => client.clone().prop_map(Action::DeliverToClient),
        2 => (client.clone(), any::<bool>()).prop_map(|(c, lose)| Action::Disconnect(c, lose)),
        2 => client.prop_map(Action::Reconnect),
        2 => any::<u8>().prop_map(Action::Compact),
        1 => Just(Action::Restart),
    ]
}

fn any_run() -> impl Strategy<Value = (usize, Vec<Action>)> {
    (2..=5usize).prop_flat_map(|clients| {
        (
            Just(clients),
            prop::collection::vec(any_action(clients), 10..120),
        )
    })
}

fn text_edit(doc: &TextDocument, at: u16, delete: usize, insert: &str, _: u64) -> TextOp {
    let len = doc.len();
    let start = at as usize * len / (u16::MAX as usize + 1);
    let end = (start + delete).min(len);
    TextOp::replace(start..end, insert)
}

fn board_edit(board: &Board, _: u16, _: usize, _: &str, seed: u64) -> BoardOp {
    valid_op(&mut Rng::new(seed), board, 3)
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

struct Network<Op: Operation> {
    authority: Authority<Op>,
    peers: Vec<Peer<Op>>,
    /// Every id the authority committed, in order.
    committed: Vec<OpId>,
    /// How many reconnects moved pending operations onto a snapshot.
    rebases_with_pending: usize,
}

type Edit<Op> = fn(&<Op as Operation>::Document, u16, usize, &str, u64) -> Op;

impl<Op: Diff> Network<Op> {
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
            rebases_with_pending: 0,
        }
    }

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
        let receipt = match self.authority.receive(submission) {
            Ok(receipt) => receipt,
            // The server replies with `history_compacted`, and the client
            // reconnects.
            Err(SyncError::BaseCompacted { .. }) => {
                self.disconnect(c, true);
                return Ok(());
            }
            Err(e) => {
                return Err(format!(
                    "authority rejected a submission of client {c}: {e}"
                ))
            }
        };
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
            Down::Ack(id, revision) => peer
                .client
                .acknowledge(id, revision)
                .map_err(|e| format!("client {c} rejected an acknowledgement: {e}"))?,
            Down::Entry(entry) => {
                peer.client
                    .receive_remote(entry)
                    .map_err(|e| format!("client {c} rejected an entry: {e}"))?;
            }
        }
        self.pump(c);
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

    /// Reconnects: catches up from the client's revision when the history
    /// still has it, or else moves onto a snapshot of the head.
    fn reconnect(&mut self, c: usize) -> Result<(), String> {
        if self.peers[c].connected {
            return Ok(());
        }
        let revision = self.peers[c].client.revision();
        if revision >= self.authority.oldest_revision() {
            let missed = self.authority.since(revision).map_err(|e| e.to_string())?;
            for entry in missed.iter().cloned() {
                self.peers[c]
                    .client
                    .receive_remote(entry)
                    .map_err(|e| format!("client {c} rejected an entry: {e}"))?;
            }
            self.peers[c].client.reconnect();
        } else {
            // The server drops the old connection when the new one joins
            // (close code 4003), so a submission still on its way there
            // never commits the in-flight operation in its old form.
            self.peers[c].up.clear();
            let snapshot = self.authority.snapshot();
            let site = self.peers[c].client.site();
            let had_pending = self.peers[c].client.has_pending();
            let before = self.peers[c].client.document().clone();
            let applied = self.peers[c]
                .client
                .rebase_onto_snapshot(
                    snapshot.document,
                    snapshot.revision,
                    self.authority.last_seq(site),
                )
                .map_err(|e| format!("client {c} failed to rebase: {e}"))?;
            // The returned operation turns the old local document into
            // the new one, as editors need.
            let mut moved = before;
            applied
                .apply(&mut moved)
                .map_err(|e| format!("client {c}: the returned change does not apply: {e}"))?;
            if &moved != self.peers[c].client.document() {
                return Err(format!(
                    "client {c}: the returned change gives another document"
                ));
            }
            if had_pending {
                self.rebases_with_pending += 1;
            }
        }
        self.peers[c].connected = true;
        self.pump(c);
        Ok(())
    }

    fn compact(&mut self, share: u8) {
        let head = self.authority.revision();
        self.authority.compact(head * share as u64 / 255);
    }

    fn restart(&mut self) {
        self.authority = Authority::from_snapshot(self.authority.snapshot());
        for c in 0..self.peers.len() {
            self.disconnect(c, true);
        }
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
        }
        for _ in 0..MAX_DRAIN_STEPS {
            if self.quiet() {
                return Ok(());
            }
            for c in 0..self.peers.len() {
                self.reconnect(c)?;
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

    fn run(&mut self, actions: &[Action], edit: Edit<Op>) -> Result<(), String> {
        for action in actions {
            match action {
                Action::Edit(c, at, delete, insert, seed) => {
                    let op = edit(
                        self.peers[*c].client.document(),
                        *at,
                        *delete,
                        insert,
                        *seed,
                    );
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
                Action::Compact(share) => self.compact(*share),
                Action::Restart => self.restart(),
            }
        }
        self.drain()
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let expected = self.authority.document();
        for (c, peer) in self.peers.iter().enumerate() {
            prop_assert_eq!(peer.client.document(), expected, "client {}", c);
            prop_assert_eq!(peer.client.confirmed(), expected, "client {}", c);
            prop_assert_eq!(peer.client.state(), ClientState::Synchronized);
            prop_assert_eq!(peer.client.revision(), self.authority.revision());
            // Every id the client gave out was committed.
            let site = peer.client.site();
            prop_assert_eq!(
                self.authority.last_seq(site),
                peer.client.clock().get(site),
                "client {}",
                c
            );
        }
        let mut times_committed: HashMap<OpId, usize> = HashMap::new();
        for id in &self.committed {
            *times_committed.entry(*id).or_default() += 1;
        }
        for (id, times) in &times_committed {
            prop_assert_eq!(*times, 1, "{} committed {} times", id, times);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    #[test]
    fn text_rebased_clients_converge((clients, actions) in any_run()) {
        let mut network = Network::<TextOp>::new(clients);
        network.run(&actions, text_edit).map_err(TestCaseError::fail)?;
        network.check()?;
    }

    #[test]
    fn board_rebased_clients_converge((clients, actions) in any_run()) {
        let mut network = Network::<BoardOp>::new(clients);
        network.run(&actions, board_edit).map_err(TestCaseError::fail)?;
        network.check()?;
    }
}

/// The generator must reach the case under test: a reconnect that moves
/// pending operations onto a snapshot.
#[test]
fn runs_reach_rebase_with_pending() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut rebases = 0;
    for _ in 0..50 {
        let (clients, actions) = any_run().new_tree(&mut runner).unwrap().current();
        let mut network = Network::<TextOp>::new(clients);
        network.run(&actions, text_edit).unwrap();
        rebases += network.rebases_with_pending;
    }
    assert!(
        rebases > 0,
        "no run moved pending operations onto a snapshot"
    );
}
