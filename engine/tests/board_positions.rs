//! Absurd z-order and group positions sent from outside, such as
//! `usize::MAX`: transform keeps them out of range instead of overflowing,
//! and the board and the authority reject them without change.

use echostream::board::ShapeKind;
use echostream::board::{Board, BoardError, BoardOp, Change, GroupId, Member, Shape, ShapeId};
use echostream::sync::{Authority, Receipt, Submission, SyncError};
use echostream::{OpId, Side, SiteId, VectorClock};

const A: ShapeId = ShapeId(1);
const B: ShapeId = ShapeId(2);
const C: ShapeId = ShapeId(3);
const MAX: usize = usize::MAX;

/// Returns a board of A (bottom) and B.
fn board() -> Board {
    let shapes = [
        (A, Shape::new(ShapeKind::Rectangle)),
        (B, Shape::new(ShapeKind::Ellipse)),
    ];
    Board::from_shapes(shapes).unwrap()
}

/// Returns the concurrent change that the absurd ones are transformed
/// against: a create at the bottom, which shifts every position above it
/// up by one.
fn create_c_at_bottom() -> BoardOp {
    BoardOp::create(C, Shape::new(ShapeKind::Diamond), 0)
}

/// Applies `op` to the board after `create_c_at_bottom`, expecting
/// `expected` and no change.
fn rejected_after_create(op: &BoardOp, expected: BoardError) {
    let mut before = board();
    before.apply(&create_c_at_bottom()).unwrap();
    let mut after = before.clone();
    assert_eq!(after.apply(op), Err(expected));
    after.assert_invariants();
    assert_eq!(after, before, "the board changed");
}

#[test]
fn create_at_max_z_stays_out_of_range() {
    let op = BoardOp::create(ShapeId(4), Shape::new(ShapeKind::Line), MAX);
    for side in [Side::Left, Side::Right] {
        let moved = op.transform(&create_c_at_bottom(), side);
        let [Change::Create { z, .. }] = moved.changes.as_slice() else {
            panic!("expected one create, got {moved:?}");
        };
        assert_eq!(*z, MAX);
        let expected = BoardError::ZOutOfRange {
            id: ShapeId(4),
            position: MAX,
            max: 3,
        };
        rejected_after_create(&moved, expected);
    }
}

#[test]
fn move_from_max_z_stays_out_of_range() {
    let op = BoardOp::move_z(A, MAX, 0);
    let moved = op.transform(&create_c_at_bottom(), Side::Right);
    let [Change::Move { from, .. }] = moved.changes.as_slice() else {
        panic!("expected one move, got {moved:?}");
    };
    assert_eq!(*from, MAX);
    let expected = BoardError::ZOutOfRange {
        id: A,
        position: MAX,
        max: 2,
    };
    rejected_after_create(&moved, expected);
}

#[test]
fn group_at_max_index_stays_out_of_range() {
    let outer = GroupId(1);
    let inner = GroupId(2);
    let absurd = BoardOp::from_change(Change::Group {
        group: outer,
        members: vec![Member { id: A, index: MAX }],
    });
    let concurrent = BoardOp::from_change(Change::Group {
        group: inner,
        members: vec![Member { id: A, index: 0 }],
    });
    for side in [Side::Left, Side::Right] {
        let moved = absurd.transform(&concurrent, side);
        let [Change::Group { members, .. }] = moved.changes.as_slice() else {
            panic!("expected one group change, got {moved:?}");
        };
        assert_eq!(members, &[Member { id: A, index: MAX }]);

        let mut grouped = board();
        grouped.apply(&concurrent).unwrap();
        let before = grouped.clone();
        let expected = BoardError::GroupIndexOutOfRange {
            id: A,
            group: outer,
            index: MAX,
            max: 1,
        };
        assert_eq!(grouped.apply(&moved), Err(expected));
        assert_eq!(grouped, before, "the board changed");
    }
}

fn submission(site: u64, base: u64, op: BoardOp) -> Submission<BoardOp> {
    Submission {
        id: OpId {
            site: SiteId(site),
            seq: 1,
        },
        base,
        clock: VectorClock::new(),
        op,
    }
}

#[test]
fn authority_rejects_max_z_unchanged() {
    let mut authority = Authority::<BoardOp>::new();
    let first = submission(
        1,
        0,
        BoardOp::create(A, Shape::new(ShapeKind::Rectangle), 0),
    );
    assert!(matches!(
        authority.receive(first),
        Ok(Receipt::Committed(_))
    ));
    let before = authority.document().clone();

    // Made against revision 0, so the authority transforms it past the
    // create above before it applies it.
    let absurd = BoardOp::create(B, Shape::new(ShapeKind::Ellipse), MAX);
    let error = authority.receive(submission(2, 0, absurd)).unwrap_err();

    let expected_source = BoardError::ZOutOfRange {
        id: B,
        position: MAX,
        max: 1,
    };
    let SyncError::Rejected { source, .. } = &error else {
        panic!("expected a rejection, got {error:?}");
    };
    assert_eq!(source, &expected_source);
    assert!(
        error.to_string().contains("18446744073709551615"),
        "{error}"
    );
    assert_eq!(authority.revision(), 1);
    assert_eq!(authority.document(), &before);
    assert_eq!(authority.last_seq(SiteId(2)), 0);
}
