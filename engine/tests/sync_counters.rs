//! Revisions and sequence numbers at `u64::MAX`, as a snapshot or a start
//! revision read from outside can hold: the authority and the client
//! return an error instead of overflowing, and change nothing.

use std::collections::BTreeMap;

use echostream::sync::{Authority, Client, ClientState, Receipt, Submission, SyncError};
use echostream::text::{TextDocument, TextError, TextOp};
use echostream::{LoggedOp, OpId, SiteId, Snapshot, VectorClock};

const MAX: u64 = u64::MAX;
const SITE: SiteId = SiteId(1);

fn snapshot(revision: u64, last_seq: &[(SiteId, u64)]) -> Snapshot<TextOp> {
    Snapshot {
        revision,
        document: TextDocument::from("abc"),
        last_seq: last_seq.iter().copied().collect::<BTreeMap<_, _>>(),
    }
}

fn submission(seq: u64, base: u64) -> Submission<TextOp> {
    Submission {
        id: OpId { site: SITE, seq },
        base,
        clock: VectorClock::new(),
        op: TextOp::insert_at(0, "x"),
    }
}

fn revision_overflow() -> SyncError<TextError> {
    SyncError::CounterOverflow {
        counter: "revision".into(),
    }
}

#[test]
fn authority_at_max_revision_rejects() {
    let mut authority = Authority::from_snapshot(snapshot(MAX, &[]));
    let error = authority.receive(submission(1, MAX)).unwrap_err();
    assert_eq!(error, revision_overflow());
    assert_eq!(
        error.to_string(),
        "revision is at the maximum 18446744073709551615, so no operation can follow it"
    );
    assert_eq!(authority.revision(), MAX);
    assert_eq!(authority.document().to_string(), "abc");
    assert_eq!(authority.last_seq(SITE), 0);
}

#[test]
fn authority_replay_at_max_revision_rejects() {
    let mut authority = Authority::from_snapshot(snapshot(MAX, &[]));
    let entry = LoggedOp {
        revision: 0,
        id: OpId { site: SITE, seq: 1 },
        clock: VectorClock::new(),
        op: TextOp::insert_at(0, "x"),
    };
    assert_eq!(authority.replay(entry), Err(revision_overflow()));
    assert_eq!(authority.revision(), MAX);
    assert_eq!(authority.document().to_string(), "abc");
}

#[test]
fn authority_at_max_seq_rejects_next() {
    let mut authority = Authority::from_snapshot(snapshot(3, &[(SITE, MAX)]));

    // Every sequence number from 1 up was committed before the snapshot.
    let receipt = authority.receive(submission(5, 3)).unwrap();
    assert_eq!(
        receipt,
        Receipt::Duplicate {
            id: OpId { site: SITE, seq: 5 },
            revision: 3
        }
    );

    let error = authority.receive(submission(0, 3)).unwrap_err();
    let expected = SyncError::CounterOverflow {
        counter: "sequence number of site 0000000000000001".into(),
    };
    assert_eq!(error, expected);
    assert_eq!(authority.revision(), 3);
    assert_eq!(authority.document().to_string(), "abc");
}

#[test]
fn client_at_max_revision_rejects_ack() {
    let mut client = Client::<TextOp>::new(SITE, TextDocument::new(), MAX);
    client.apply_local(TextOp::insert_at(0, "x")).unwrap();
    let sent = client.next_submission().unwrap();

    assert_eq!(client.acknowledge(sent.id, 0), Err(revision_overflow()));
    assert_eq!(client.state(), ClientState::AwaitingAck);
    assert_eq!(client.revision(), MAX);
    assert_eq!(client.in_flight(), Some(&sent));
}

#[test]
fn client_after_max_seq_sends_zero() {
    // The authority last committed sequence number MAX - 1 of this site.
    let mut authority = Authority::from_snapshot(snapshot(3, &[(SITE, MAX - 1)]));
    let mut client = Client::with_first_seq(SITE, TextDocument::from("abc"), 3, MAX);

    client.apply_local(TextOp::insert_at(0, "x")).unwrap();
    let last = client.next_submission().unwrap();
    assert_eq!(last.id.seq, MAX);
    let Receipt::Committed(entry) = authority.receive(last).unwrap() else {
        panic!("expected a commit");
    };
    client.acknowledge(entry.id, entry.revision).unwrap();

    client.apply_local(TextOp::insert_at(0, "y")).unwrap();
    let after = client.next_submission().unwrap();
    assert_eq!(after.id.seq, 0);
    let error = authority.receive(after).unwrap_err();
    let expected = SyncError::CounterOverflow {
        counter: "sequence number of site 0000000000000001".into(),
    };
    assert_eq!(error, expected);
    assert_eq!(authority.revision(), 4);
    assert_eq!(authority.document().to_string(), "xabc");
}
