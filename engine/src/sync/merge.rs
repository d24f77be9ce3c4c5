//! Composition of runs of operations and the merge of two divergent
//! histories.

use crate::{OpId, Operation, Side, VectorClock};

/// Composes `ops` into one operation with the same effect, applied in
/// order. Returns the identity for an empty list.
///
/// The operations are composed pairwise in a balanced tree, so the cost is
/// O(c log n) for `n` operations whose compositions hold about `c`
/// components, where composing them one after the other would cost
/// O(c n).
pub fn compose_all<Op: Operation>(ops: &[Op]) -> Result<Op, Op::Error> {
    match ops {
        [] => Ok(Op::identity()),
        [single] => Ok(single.clone()),
        _ => {
            let mut level: Vec<Op> = ops.chunks(2).map(compose_chunk).collect::<Result<_, _>>()?;
            while level.len() > 1 {
                level = level
                    .chunks(2)
                    .map(compose_chunk)
                    .collect::<Result<_, _>>()?;
            }
            Ok(level
                .pop()
                .expect("a non-empty list composes to one operation"))
        }
    }
}

fn compose_chunk<Op: Operation>(chunk: &[Op]) -> Result<Op, Op::Error> {
    match chunk {
        [first, second] => first.compose(second),
        [single] => Ok(single.clone()),
        _ => unreachable!("chunks(2) yields one or two operations"),
    }
}

/// The result of merging two divergent runs of operations.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged<Op> {
    /// The remote run, composed and transformed to apply after the local
    /// run: what the local replica applies.
    pub remote_after_local: Op,
    /// The local run, composed and transformed to apply after the remote
    /// run: what the remote replica applies.
    pub local_after_remote: Op,
}

/// Merges two runs of operations made concurrently on the same document:
/// `local` by this replica, `remote` by the other. Each run is composed
/// into one operation and the two are transformed against each other
/// once. The cost grows with the lengths of both runs,
/// O((n + m) log(n + m)) for runs of `n` and `m` operations, not with
/// their product.
///
/// `local_side` is the side of the local run on an insert tie. The remote
/// run takes the opposite side, so both replicas reach the same document.
/// That document may differ from the one that transforming the operations
/// one at a time gives, also for text: one run is transformed with
/// [`Side::Left`], where composing first is not exact (see
/// [`Operation::TRANSFORMS_THROUGH_COMPOSE`]).
pub fn merge_divergent<Op: Operation>(
    local: &[Op],
    remote: &[Op],
    local_side: Side,
) -> Result<Merged<Op>, Op::Error> {
    let local = compose_all(local)?;
    let remote = compose_all(remote)?;
    Ok(Merged {
        remote_after_local: remote.transform(&local, local_side.opposite()),
        local_after_remote: local.transform(&remote, local_side),
    })
}

/// Returns the index where `history` stops being contained in the clock
/// `seen`: the operations from there on are the ones the other replica
/// has not seen. The history must list the operations both replicas share
/// first, as replicas that diverged from a common state do. O(k s) for the
/// `k` operations scanned from the end and `s` sites in the clock.
///
/// Two replicas that diverged use it on each other's clock to find the
/// runs to pass to [`merge_divergent`].
pub fn divergence_point<Op>(history: &[(OpId, Op)], seen: &VectorClock) -> usize {
    let mut start = history.len();
    while start > 0 {
        let (id, _) = &history[start - 1];
        if seen.contains(id.site, id.seq) {
            break;
        }
        start -= 1;
    }
    start
}
