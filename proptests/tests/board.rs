//! Property tests of board operations: convergence (TP1), compose,
//! invert, normalize, JSON, and apply on arbitrary input.
//!
//! Each property runs 1,000 cases by default:
//!
//!     cargo test -p echostream-proptests --test board
//!
//! Longer runs set the case count:
//!
//!     ECHOSTREAM_PROPTEST_CASES=100000 cargo test --release -p echostream-proptests --test board

use echostream::board::{Board, BoardOp};
use echostream::Side;
use echostream_proptests::board::{any_op, random_board, valid_op, Rng};
use echostream_proptests::cases;
use proptest::prelude::*;

/// Applies `op` to a copy of `board`, checking the invariants after.
fn applied(board: &Board, op: &BoardOp) -> Board {
    let mut after = board.clone();
    if let Err(e) = after.apply(op) {
        panic!(
            "{} does not apply: {e}\nboard: {}",
            op.to_json(),
            board.to_json()
        );
    }
    after.assert_invariants();
    after
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1000)))]

    #[test]
    fn transform_converges(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        board.assert_invariants();
        let a = valid_op(&mut rng, &board, 3);
        let b = valid_op(&mut rng, &board, 3);

        let a_then_b = applied(&applied(&board, &a), &b.transform(&a, Side::Right));
        let b_then_a = applied(&applied(&board, &b), &a.transform(&b, Side::Left));
        prop_assert_eq!(
            &a_then_b,
            &b_then_a,
            "a = {}\nb = {}\nboard = {}",
            a.to_json(),
            b.to_json(),
            board.to_json()
        );
    }

    #[test]
    fn compose_equals_applying_in_turn(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let a = valid_op(&mut rng, &board, 3);
        let middle = applied(&board, &a);
        let b = valid_op(&mut rng, &middle, 3);

        let in_turn = applied(&middle, &b);
        let composed = applied(&board, &a.compose(&b));
        prop_assert_eq!(&composed, &in_turn, "a = {}\nb = {}", a.to_json(), b.to_json());
    }

    #[test]
    fn invert_restores_the_board(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let op = valid_op(&mut rng, &board, 4);
        let inverse = op.invert(&board).expect("a valid operation inverts");

        let restored = applied(&applied(&board, &op), &inverse);
        prop_assert_eq!(&restored, &board, "op = {}", op.to_json());
    }

    #[test]
    fn normalize_keeps_the_effect(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let op = valid_op(&mut rng, &board, 6);
        let normalized = op.normalize();

        prop_assert_eq!(&applied(&board, &normalized), &applied(&board, &op));
        prop_assert_eq!(normalized.normalize(), normalized);
    }

    #[test]
    fn json_round_trips(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let op = valid_op(&mut rng, &board, 4);

        prop_assert_eq!(Board::from_json(&board.to_json()).unwrap(), board.clone());
        prop_assert_eq!(BoardOp::from_json(&op.to_json()).unwrap(), op);
    }

    #[test]
    fn apply_rejects_without_change(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let op = any_op(&mut rng, &board, 4);

        let mut after = board.clone();
        match after.apply(&op) {
            Ok(()) => after.assert_invariants(),
            Err(_) => {
                after.assert_invariants();
                prop_assert_eq!(&after, &board, "op = {:?}", op);
            }
        }
    }

    #[test]
    fn transform_of_any_ops_does_not_panic(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let board = random_board(&mut rng, 8);
        let a = any_op(&mut rng, &board, 3);
        let b = any_op(&mut rng, &board, 3);

        let transformed = a.transform(&b, Side::Left);
        let _ = transformed.compose(&b).normalize();
        let mut after = board.clone();
        if after.apply(&transformed).is_err() {
            prop_assert_eq!(&after, &board);
        }
        after.assert_invariants();
    }
}
