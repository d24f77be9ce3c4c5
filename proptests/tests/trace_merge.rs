//! Properties of the concurrent-trace merge on random transaction graphs:
//! every causal order of integration reaches the same text, and a graph
//! that is one chain merges like a sequential replay.
//!
//! Parent lists are drawn freely: several roots, repeated parents, and a
//! parent named beside one of its ancestors, in any order, as the trace
//! format allows.
//!
//! Each property runs 500 cases by default:
//!
//!     cargo test -p echostream-proptests --test trace_merge
//!
//! Longer runs set the case count:
//!
//!     ECHOSTREAM_PROPTEST_CASES=20000 cargo test --release -p echostream-proptests --test trace_merge

use std::collections::BTreeSet;

use echostream::text::TextDocument;
use echostream::trace::{ConcurrentTrace, ConcurrentTransaction, Patch};
use echostream_proptests::board::Rng;
use echostream_proptests::cases;
use proptest::prelude::*;

/// Returns the indexes of `parents` and all their ancestors, sorted.
fn ancestry(txns: &[ConcurrentTransaction], parents: &[usize]) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = parents.to_vec();
    while let Some(index) = stack.pop() {
        if seen.insert(index) {
            stack.extend(&txns[index].parents);
        }
    }
    seen.into_iter().collect()
}

/// Returns the merged document of `parents`: the merge of the trace cut
/// down to them and their ancestors.
fn document_at(txns: &[ConcurrentTransaction], parents: &[usize]) -> TextDocument {
    let kept = ancestry(txns, parents);
    let renumbered = |old: &usize| kept.binary_search(old).expect("an ancestor is kept");
    let cut = kept
        .iter()
        .map(|&index| ConcurrentTransaction {
            parents: txns[index].parents.iter().map(renumbered).collect(),
            agent: txns[index].agent,
            patches: txns[index].patches.clone(),
        })
        .collect();
    let trace = ConcurrentTrace {
        end_content: String::new(),
        num_agents: 0,
        txns: cut,
    };
    trace.merge().expect("a generated prefix merges")
}

/// Returns up to three patches that apply in turn to `doc`.
fn random_patches(rng: &mut Rng, doc: &TextDocument) -> Vec<Patch> {
    let mut len = doc.len();
    let mut patches = Vec::new();
    for _ in 0..rng.below(4) {
        let pos = rng.below(len + 1);
        let del_count = rng.below(len - pos + 1).min(3);
        let insert: String = (0..rng.below(3))
            .map(|_| ['x', 'y', 'é', '😀'][rng.below(4)])
            .collect();
        len = len - del_count + insert.chars().count();
        patches.push(Patch {
            pos,
            del_count,
            insert,
        });
    }
    patches
}

/// Returns a parent list for transaction `index`: none, the one before it,
/// or a few earlier ones, sometimes repeated or beside an ancestor.
fn random_parents(rng: &mut Rng, txns: &[ConcurrentTransaction], index: usize) -> Vec<usize> {
    if index == 0 || rng.chance(10) {
        return Vec::new();
    }
    if rng.chance(40) {
        return vec![index - 1];
    }
    let mut parents: Vec<usize> = (0..1 + rng.below(3)).map(|_| rng.below(index)).collect();
    if rng.chance(20) {
        let ancestors = ancestry(txns, &parents);
        parents.push(ancestors[rng.below(ancestors.len())]);
    }
    parents
}

/// Returns a random trace of up to `max_txns` transactions by up to three
/// agents, each made on the merged document of its parents.
fn random_trace(seed: u64, max_txns: usize, chain: bool) -> ConcurrentTrace {
    let mut rng = Rng::new(seed);
    let mut txns: Vec<ConcurrentTransaction> = Vec::new();
    for index in 0..1 + rng.below(max_txns) {
        let parents = match (chain, index) {
            (true, 0) => Vec::new(),
            (true, _) => vec![index - 1],
            (false, _) => random_parents(&mut rng, &txns, index),
        };
        let doc = document_at(&txns, &parents);
        let patches = random_patches(&mut rng, &doc);
        txns.push(ConcurrentTransaction {
            parents,
            agent: rng.below(3) as u32,
            patches,
        });
    }
    ConcurrentTrace {
        end_content: String::new(),
        num_agents: 3,
        txns,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(500)))]

    #[test]
    fn every_order_merges_alike(seed in any::<u64>(), order_seed in any::<u64>()) {
        let trace = random_trace(seed, 12, false);
        let merged = trace.merge().map(|doc| doc.to_string());
        let reordered = trace.merge_with_seed(order_seed).map(|doc| doc.to_string());
        prop_assert!(merged.is_ok(), "{merged:?}\n{trace:?}");
        prop_assert_eq!(merged, reordered, "{:?}", trace);
    }

    #[test]
    fn chain_merges_like_replay(seed in any::<u64>()) {
        let trace = random_trace(seed, 12, true);
        let mut replayed = TextDocument::new();
        for txn in &trace.txns {
            for patch in &txn.patches {
                replayed.apply(&patch.to_op()).unwrap();
            }
        }
        let merged = trace.merge().unwrap();
        prop_assert_eq!(merged.to_string(), replayed.to_string());
    }
}
