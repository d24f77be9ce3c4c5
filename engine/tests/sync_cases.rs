//! Named cases of the sync layer with their expected values written out:
//! lost and late acknowledgements, overlapping remote deletes, offline
//! edits, undo next to a remote edit, and every rejection of the
//! authority.

use echostream::sync::{Authority, Client, ClientState, Receipt, Submission, SyncError};
use echostream::text::{TextDocument, TextError, TextOp};
use echostream::{LoggedOp, OpId, SiteId, VectorClock};

type TextAuthority = Authority<TextOp>;
type TextClient = Client<TextOp>;

const ALICE: SiteId = SiteId(0xa11ce);
const BOB: SiteId = SiteId(0xb0b);

/// Sends the client's next submission and returns the committed entry.
fn commit(authority: &mut TextAuthority, client: &mut TextClient) -> LoggedOp<TextOp> {
    let submission = client.next_submission().expect("a submission to send");
    match authority
        .receive(submission)
        .expect("the authority accepts it")
    {
        Receipt::Committed(entry) => entry,
        Receipt::Duplicate { id, .. } => panic!("{id} was committed twice"),
    }
}

/// Returns an authority holding `text` at revision 1, committed by a third
/// site, and a client of `site` synchronized with it.
fn start(text: &str, sites: &[SiteId]) -> (TextAuthority, Vec<TextClient>) {
    let mut authority = TextAuthority::new();
    let setup = Submission {
        id: OpId {
            site: SiteId(1),
            seq: 1,
        },
        base: 0,
        clock: VectorClock::new(),
        op: TextOp::insert_at(0, text),
    };
    authority.receive(setup).unwrap();
    let clients = sites
        .iter()
        .map(|site| TextClient::new(*site, TextDocument::from(text), 1))
        .collect();
    (authority, clients)
}

fn text(client: &TextClient) -> String {
    client.document().to_string()
}

fn history_ids(authority: &TextAuthority) -> Vec<OpId> {
    authority
        .since(authority.oldest_revision())
        .unwrap()
        .iter()
        .map(|entry| entry.id)
        .collect()
}

#[test]
fn lost_ack_resend_commits_once() {
    let mut authority = TextAuthority::new();
    let mut alice = TextClient::new(ALICE, TextDocument::new(), 0);
    alice.apply_local(TextOp::insert_at(0, "x")).unwrap();

    let sent = alice.next_submission().unwrap();
    let first = authority.receive(sent.clone()).unwrap();
    assert!(matches!(first, Receipt::Committed(_)));
    // The acknowledgement is lost with the connection.
    alice.reconnect();
    let resent = alice.next_submission().unwrap();
    assert_eq!(resent, sent);

    let again = authority.receive(resent).unwrap();
    assert_eq!(
        again,
        Receipt::Duplicate {
            id: sent.id,
            revision: 1
        }
    );
    alice.acknowledge(again.id(), again.revision()).unwrap();

    assert_eq!(authority.document().to_string(), "x");
    assert_eq!(text(&alice), "x");
    assert_eq!(authority.revision(), 1);
    assert_eq!(alice.state(), ClientState::Synchronized);
}

#[test]
fn overlapping_delete_hits_in_flight_and_buffer() {
    let (mut authority, mut clients) = start("abcdef", &[ALICE, BOB]);
    let (alice, bob) = clients.split_at_mut(1);
    let (alice, bob) = (&mut alice[0], &mut bob[0]);

    alice.apply_local(TextOp::insert_at(3, "X")).unwrap();
    let in_flight = alice.next_submission().unwrap();
    alice.apply_local(TextOp::insert_at(5, "Y")).unwrap();
    assert_eq!(text(alice), "abcXdYef");
    assert_eq!(alice.state(), ClientState::AwaitingAckWithBuffer);

    // Bob deletes "cde", across both of Alice's inserts, and wins the race.
    bob.apply_local(TextOp::delete_range(2..5)).unwrap();
    let delete = commit(&mut authority, bob);
    bob.acknowledge(delete.id, delete.revision).unwrap();
    let applied = alice.receive_remote(delete).unwrap();
    assert_eq!(
        applied,
        TextOp::from_json(r#"[2,{"d":1},1,{"d":1},1,{"d":1}]"#).unwrap()
    );
    assert_eq!(text(alice), "abXYf");
    // The in-flight submission is kept exactly as sent.
    assert_eq!(alice.in_flight(), Some(&in_flight));

    alice.apply_local(TextOp::insert_at(2, "Z")).unwrap();
    assert_eq!(text(alice), "abZXYf");

    let x = match authority.receive(in_flight).unwrap() {
        Receipt::Committed(entry) => entry,
        duplicate => panic!("unexpected {duplicate:?}"),
    };
    assert_eq!(authority.document().to_string(), "abXf");
    alice.acknowledge(x.id, x.revision).unwrap();
    bob.receive_remote(x).unwrap();

    let yz = commit(&mut authority, alice);
    alice.acknowledge(yz.id, yz.revision).unwrap();
    bob.receive_remote(yz).unwrap();

    assert_eq!(authority.document().to_string(), "abZXYf");
    assert_eq!(text(alice), "abZXYf");
    assert_eq!(text(bob), "abZXYf");
    assert_eq!(authority.revision(), 4);
}

#[test]
fn offline_edits_land_once_after_reconnect() {
    let (mut authority, mut clients) = start("hello", &[ALICE, BOB]);
    let (alice, bob) = clients.split_at_mut(1);
    let (alice, bob) = (&mut alice[0], &mut bob[0]);

    alice.apply_local(TextOp::insert_at(5, " world")).unwrap();
    let in_flight = alice.next_submission().unwrap();
    // The authority commits it, but the connection drops before the
    // acknowledgement arrives.
    let committed = authority.receive(in_flight.clone()).unwrap();
    assert_eq!(committed.revision(), 2);

    // Offline, Alice keeps typing.
    alice.apply_local(TextOp::insert_at(0, "Oh, ")).unwrap();
    alice.apply_local(TextOp::insert_at(15, "!")).unwrap();
    assert_eq!(text(alice), "Oh, hello world!");

    // Bob edits meanwhile.
    let Receipt::Committed(hello) = committed else {
        panic!("the first send commits")
    };
    bob.receive_remote(hello).unwrap();
    bob.apply_local(TextOp::replace(6..7, "W")).unwrap();
    let capital = commit(&mut authority, bob);
    bob.acknowledge(capital.id, capital.revision).unwrap();

    // Reconnect: catch up from the last revision seen, then resend.
    let missed: Vec<_> = authority.since(alice.revision()).unwrap().to_vec();
    assert_eq!(missed.len(), 2);
    for entry in missed {
        alice.receive_remote(entry).unwrap();
    }
    alice.reconnect();
    let resent = alice.next_submission().unwrap();
    assert_ne!(
        resent.id, in_flight.id,
        "the in-flight operation was acknowledged by the catch-up"
    );
    let offline = match authority.receive(resent).unwrap() {
        Receipt::Committed(entry) => entry,
        duplicate => panic!("offline edits were not new: {duplicate:?}"),
    };
    alice.acknowledge(offline.id, offline.revision).unwrap();
    bob.receive_remote(offline).unwrap();

    assert_eq!(authority.document().to_string(), "Oh, hello World!");
    assert_eq!(text(alice), "Oh, hello World!");
    assert_eq!(text(bob), "Oh, hello World!");
    let alice_ids: Vec<u64> = history_ids(&authority)
        .iter()
        .filter(|id| id.site == ALICE)
        .map(|id| id.seq)
        .collect();
    assert_eq!(alice_ids, vec![1, 2]);
}

#[test]
fn in_flight_resent_after_reconnect_lands_once() {
    let (mut authority, mut clients) = start("ab", &[ALICE]);
    let alice = &mut clients[0];

    alice.apply_local(TextOp::insert_at(2, "c")).unwrap();
    let lost = alice.next_submission().unwrap();
    // The submission itself is lost and never reaches the authority.
    drop(lost);
    alice.apply_local(TextOp::insert_at(3, "d")).unwrap();

    alice.reconnect();
    let first = commit(&mut authority, alice);
    alice.acknowledge(first.id, first.revision).unwrap();
    let second = commit(&mut authority, alice);
    alice.acknowledge(second.id, second.revision).unwrap();

    assert_eq!(authority.document().to_string(), "abcd");
    assert_eq!(text(alice), "abcd");
    assert_eq!(
        history_ids(&authority),
        vec![
            OpId {
                site: SiteId(1),
                seq: 1
            },
            OpId {
                site: ALICE,
                seq: 1
            },
            OpId {
                site: ALICE,
                seq: 2
            },
        ]
    );
}

#[test]
fn both_delete_same_char_with_late_ack() {
    let (mut authority, mut clients) = start("abc", &[ALICE, BOB]);
    let (alice, bob) = clients.split_at_mut(1);
    let (alice, bob) = (&mut alice[0], &mut bob[0]);

    alice.apply_local(TextOp::delete_range(1..2)).unwrap();
    bob.apply_local(TextOp::delete_range(1..2)).unwrap();
    let alice_sent = alice.next_submission().unwrap();

    // Bob's delete reaches the authority first; Alice's is late.
    let bob_entry = commit(&mut authority, bob);
    bob.acknowledge(bob_entry.id, bob_entry.revision).unwrap();
    let alice_entry = match authority.receive(alice_sent).unwrap() {
        Receipt::Committed(entry) => entry,
        duplicate => panic!("unexpected {duplicate:?}"),
    };
    assert!(
        alice_entry.op.is_identity(),
        "the second delete of b deletes nothing"
    );

    // Bob's delete reaches Alice before her acknowledgement.
    let applied = alice.receive_remote(bob_entry).unwrap();
    assert!(applied.is_identity());
    assert_eq!(text(alice), "ac");
    alice
        .acknowledge(alice_entry.id, alice_entry.revision)
        .unwrap();
    bob.receive_remote(alice_entry).unwrap();

    assert_eq!(authority.document().to_string(), "ac");
    assert_eq!(text(alice), "ac");
    assert_eq!(text(bob), "ac");
    assert_eq!(alice.state(), ClientState::Synchronized);
    assert_eq!(bob.state(), ClientState::Synchronized);
}

#[test]
fn undo_keeps_remote_chars_in_word() {
    let mut authority = TextAuthority::new();
    let mut alice = TextClient::new(ALICE, TextDocument::new(), 0);
    let mut bob = TextClient::new(BOB, TextDocument::new(), 0);

    alice.apply_local(TextOp::insert_at(0, "hello")).unwrap();
    let hello = commit(&mut authority, &mut alice);
    alice.acknowledge(hello.id, hello.revision).unwrap();
    bob.receive_remote(hello).unwrap();

    // Bob types into the middle of Alice's word.
    bob.apply_local(TextOp::insert_at(2, "XY")).unwrap();
    let xy = commit(&mut authority, &mut bob);
    bob.acknowledge(xy.id, xy.revision).unwrap();
    alice.receive_remote(xy).unwrap();
    assert_eq!(text(&alice), "heXYllo");

    let undo = alice.undo().unwrap().expect("an edit to undo");
    assert_eq!(
        undo,
        TextOp::from_json(r#"[{"d":"he"},2,{"d":"llo"}]"#).unwrap()
    );
    assert_eq!(text(&alice), "XY");
    let undone = commit(&mut authority, &mut alice);
    alice.acknowledge(undone.id, undone.revision).unwrap();
    bob.receive_remote(undone).unwrap();
    assert_eq!(authority.document().to_string(), "XY");
    assert_eq!(text(&bob), "XY");

    // Redo brings Alice's letters back around Bob's.
    alice.redo().unwrap().expect("an edit to redo");
    assert_eq!(text(&alice), "heXYllo");
    assert!(!alice.can_redo());
}

fn submission(site: SiteId, seq: u64, base: u64, op: TextOp) -> Submission<TextOp> {
    Submission {
        id: OpId { site, seq },
        base,
        clock: VectorClock::new(),
        op,
    }
}

/// Returns an authority holding "abc" at revision 3, committed by Alice
/// one character at a time.
fn abc_authority() -> TextAuthority {
    let mut authority = TextAuthority::new();
    for (seq, ch) in ["a", "b", "c"].into_iter().enumerate() {
        let op = TextOp::insert_at(seq, ch);
        authority
            .receive(submission(ALICE, seq as u64 + 1, seq as u64, op))
            .unwrap();
    }
    authority
}

fn assert_unchanged(authority: &TextAuthority, revision: u64, text: &str) {
    assert_eq!(authority.revision(), revision);
    assert_eq!(authority.document().to_string(), text);
    assert_eq!(
        authority.since(authority.oldest_revision()).unwrap().len() as u64,
        revision - authority.oldest_revision()
    );
}

#[test]
fn authority_rejects_sequence_gap() {
    let mut authority = abc_authority();
    let error = authority
        .receive(submission(ALICE, 5, 3, TextOp::insert_at(0, "z")))
        .unwrap_err();
    assert_eq!(
        error,
        SyncError::SequenceGap {
            site: ALICE,
            expected: 4,
            got: 5
        }
    );
    assert_eq!(
        error.to_string(),
        "sequence gap from site 00000000000a11ce: expected operation 4, got 5; \
         resend the missing operations first"
    );
    assert_unchanged(&authority, 3, "abc");
    assert_eq!(authority.last_seq(ALICE), 3);
}

#[test]
fn authority_rejects_base_above_head() {
    let mut authority = abc_authority();
    let error = authority
        .receive(submission(BOB, 1, 4, TextOp::insert_at(0, "z")))
        .unwrap_err();
    assert_eq!(error, SyncError::BaseAboveHead { base: 4, head: 3 });
    assert_unchanged(&authority, 3, "abc");
    assert_eq!(authority.last_seq(BOB), 0);
}

#[test]
fn authority_rejects_base_below_compacted() {
    let mut authority = abc_authority();
    authority.compact(2);
    let error = authority
        .receive(submission(BOB, 1, 1, TextOp::insert_at(0, "z")))
        .unwrap_err();
    assert_eq!(error, SyncError::BaseCompacted { base: 1, oldest: 2 });
    assert_unchanged(&authority, 3, "abc");
    assert_eq!(authority.since(2).unwrap().len(), 1);
    assert_eq!(authority.last_seq(BOB), 0);
}

#[test]
fn authority_rejects_op_that_does_not_fit() {
    let mut authority = abc_authority();
    let error = authority
        .receive(submission(BOB, 1, 3, TextOp::delete_range(2..5)))
        .unwrap_err();
    assert_eq!(
        error,
        SyncError::Rejected {
            id: OpId { site: BOB, seq: 1 },
            revision: 3,
            source: TextError::BaseLength {
                expected: 5,
                actual: 3
            }
        }
    );
    assert_unchanged(&authority, 3, "abc");
    assert_eq!(authority.last_seq(BOB), 0);
    // The same id can be used again once the operation fits.
    let fixed = authority
        .receive(submission(BOB, 1, 3, TextOp::delete_range(2..3)))
        .unwrap();
    assert_eq!(fixed.revision(), 4);
}

#[test]
fn duplicate_after_compaction_keeps_revision() {
    let mut authority = abc_authority();
    authority.compact(3);
    assert_eq!(authority.since(3).unwrap().len(), 0);

    for seq in 1..=3 {
        let repeat = submission(ALICE, seq, seq - 1, TextOp::insert_at(0, "zz"));
        let receipt = authority.receive(repeat).unwrap();
        assert_eq!(
            receipt,
            Receipt::Duplicate {
                id: OpId { site: ALICE, seq },
                revision: seq
            }
        );
    }
    assert_unchanged(&authority, 3, "abc");
}

#[test]
fn duplicate_after_snapshot_restart_changes_nothing() {
    let authority = abc_authority();
    let mut restarted = TextAuthority::from_snapshot(authority.snapshot());
    let receipt = restarted
        .receive(submission(ALICE, 2, 1, TextOp::insert_at(0, "zz")))
        .unwrap();
    // The snapshot keeps no per-operation revisions, so the acknowledgement
    // names the snapshot's revision.
    assert_eq!(
        receipt,
        Receipt::Duplicate {
            id: OpId {
                site: ALICE,
                seq: 2
            },
            revision: 3
        }
    );
    assert_eq!(restarted.document().to_string(), "abc");
    let next = restarted
        .receive(submission(ALICE, 4, 3, TextOp::insert_at(3, "d")))
        .unwrap();
    assert_eq!(next.revision(), 4);
    assert_eq!(restarted.document().to_string(), "abcd");
}

#[test]
fn replay_rebuilds_and_checks_order() {
    let authority = abc_authority();
    let entries = authority.since(0).unwrap().to_vec();
    let mut copy = TextAuthority::new();
    let error = copy.replay(entries[1].clone()).unwrap_err();
    assert_eq!(
        error,
        SyncError::RevisionGap {
            expected: 1,
            got: 2
        }
    );
    for entry in entries {
        copy.replay(entry).unwrap();
    }
    assert_eq!(copy.document().to_string(), "abc");
    assert_eq!(copy.revision(), 3);
    assert_eq!(copy.last_seq(ALICE), 3);
}

#[test]
fn client_rejects_revision_gap_and_stray_ack() {
    let authority = abc_authority();
    let entries = authority.since(0).unwrap().to_vec();
    let mut bob = TextClient::new(BOB, TextDocument::new(), 0);
    let error = bob.receive_remote(entries[2].clone()).unwrap_err();
    assert_eq!(
        error,
        SyncError::RevisionGap {
            expected: 1,
            got: 3
        }
    );
    assert_eq!(text(&bob), "");

    let stray = OpId { site: BOB, seq: 7 };
    let error = bob.acknowledge(stray, 1).unwrap_err();
    assert_eq!(
        error.to_string(),
        "acknowledgement for operation 0000000000000b0b:7, but nothing is in flight"
    );
    // An entry seen twice is applied once.
    bob.receive_remote(entries[0].clone()).unwrap();
    let again = bob.receive_remote(entries[0].clone()).unwrap();
    assert!(again.is_identity());
    assert_eq!(text(&bob), "a");
}

#[test]
fn align_seqs_moves_reused_ids() {
    let (mut authority, mut clients) = start("abc", &[ALICE]);
    let mut alice = clients.pop().unwrap();
    alice.apply_local(TextOp::insert_at(3, "1")).unwrap();
    let entry = commit(&mut authority, &mut alice);
    alice.acknowledge(entry.id, entry.revision).unwrap();

    // A reload that lost the acknowledged state gives id 1 out again.
    let mut reloaded = TextClient::new(ALICE, TextDocument::from("abc1"), 2);
    reloaded.apply_local(TextOp::insert_at(0, ">")).unwrap();
    assert!(reloaded.align_seqs(authority.last_seq(ALICE)));
    let entry = commit(&mut authority, &mut reloaded);
    assert_eq!(
        entry.id,
        OpId {
            site: ALICE,
            seq: 2
        }
    );
    assert_eq!(authority.document().to_string(), ">abc1");

    // Ids that continue the sequence stay.
    reloaded.acknowledge(entry.id, entry.revision).unwrap();
    reloaded.apply_local(TextOp::insert_at(0, "!")).unwrap();
    assert!(!reloaded.align_seqs(authority.last_seq(ALICE)));
    assert_eq!(reloaded.pending()[0].id.seq, 3);
}

#[test]
fn align_seqs_closes_gap() {
    let (mut authority, _) = start("abc", &[]);
    let mut reloaded = TextClient::with_first_seq(ALICE, TextDocument::from("abc"), 1, 5);
    reloaded.apply_local(TextOp::insert_at(3, "!")).unwrap();
    assert!(reloaded.align_seqs(0));
    let entry = commit(&mut authority, &mut reloaded);
    assert_eq!(
        entry.id,
        OpId {
            site: ALICE,
            seq: 1
        }
    );
}
