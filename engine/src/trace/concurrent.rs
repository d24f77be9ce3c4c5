//! Concurrent traces: sessions in which several people typed at once, and
//! their merge with operational transformation.
//!
//! ```json
//! { "kind": "concurrent", "endContent": "...", "numAgents": 2,
//!   "txns": [ { "parents": [0], "agent": 0, "patches": [[pos, del, ins]] } ] }
//! ```
//!
//! A transaction's patches apply in sequence to the merged document of its
//! parents, which are transactions earlier in the list. A transaction with
//! no parents applies to the empty document.
//!
//! # How the merge works
//!
//! 1. **Runs.** A run is a maximal chain of transactions by one agent in
//!    which each transaction is the only child of the one before it. Its
//!    patches are composed into one operation, so the merge transforms
//!    runs, not single keystrokes.
//! 2. **Clocks.** Runs are laid out in chains, one per agent where the
//!    agent's runs follow one another. Each run gets the vector clock (over
//!    chains) of the runs it had seen. A clock is a version of the
//!    document, and one counter comparison tells whether a run is part of
//!    it.
//! 3. **Transforms.** A run's operation is moved from the version it was
//!    made on to a later version by peeling off the concurrent run added
//!    last and transforming against that run's operation at the version
//!    before it, recursively. Every such step is memoized, so each pair of
//!    concurrent runs costs at most one transform: the work grows with the
//!    number of concurrent runs, not with the number of concurrent
//!    keystrokes.
//! 4. **Integration.** Runs are applied in a causal order. Each run is
//!    transformed to the version of the runs before it in the trace, and
//!    applied runs that come after it in the trace are undone first and
//!    redone after it. Every order therefore reaches the text of the trace
//!    order. The text transform satisfies TP1 but not TP2: on "abc", an
//!    insert of "x" after "a", a delete of "a" and an insert of "y" at the
//!    start give "yxbc" or "xybc" depending on which two are transformed
//!    against each other first, so without the undo the text would depend
//!    on the order.
//!
//! # The side rule
//!
//! When two concurrent runs insert at the same place, the run of the lower
//! agent number goes first; between two concurrent runs of one agent, the
//! one on the lower chain goes first. The rule depends only on the trace.
//! In friendsforever it puts agent 0's insert first at its one real tie.

use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use thiserror::Error;

use super::{Patch, TraceError, TraceKind};
use crate::sync::compose_all;
use crate::text::{TextDocument, TextError, TextOp};
use crate::{Side, SiteId, VectorClock};

/// The maximum number of vector clock entries a merge keeps: one clock
/// per run for what it had seen, and one per memoized transformed form,
/// each with an entry per chain.
///
/// The count grows with the cube of the number of runs that are all
/// concurrent with each other, and faster in an order other than the
/// trace's, which undoes and redoes runs. In the trace order, 292
/// transactions typed at once from an empty document stay under the
/// maximum and 294 do not. The recorded traces need under 40,000 in every
/// order tried. A merge at the maximum took about 110 MB and 0.6 s
/// (release build, x86-64).
pub const MAX_CLOCK_ENTRIES: u64 = 1 << 22;

/// A recorded session of several agents typing at once.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrentTrace {
    /// The document after every transaction, merged.
    pub end_content: String,
    /// The number of agents, as recorded.
    #[serde(default)]
    pub num_agents: usize,
    /// The transactions, each after all of its parents.
    pub txns: Vec<ConcurrentTransaction>,
}

/// The patches one agent made on the merged document of `parents`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConcurrentTransaction {
    /// The indexes of the transactions this one was made after.
    pub parents: Vec<usize>,
    /// The agent that made it.
    pub agent: u32,
    /// The patches, applied in the listed order.
    pub patches: Vec<Patch>,
}

/// The reason a concurrent trace could not be merged.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MergeError {
    /// The trace could not be read.
    #[error(transparent)]
    Trace(#[from] TraceError),

    /// A transaction names a parent that is not before it in the list.
    #[error(
        "transaction {transaction} names parent {parent}, which is not an \
         earlier transaction (expected an index below {transaction})"
    )]
    Parent {
        /// The transaction's index.
        transaction: usize,
        /// The parent index named.
        parent: usize,
    },

    /// The trace has so many concurrent runs, over so many chains, that
    /// the clocks of the merge would exceed [`MAX_CLOCK_ENTRIES`].
    #[error(
        "the trace is too concurrent to merge: its clocks need at least \
         {entries} entries, more than the maximum of {max}"
    )]
    TooConcurrent {
        /// The clock entries counted when the count passed `max`.
        entries: u64,
        /// The maximum, [`MAX_CLOCK_ENTRIES`].
        max: u64,
    },

    /// The patches of a run of transactions do not compose, or the merged
    /// run does not apply to the document.
    #[error(
        "the run of transactions {first}..={last} does not apply to the \
         merged document: {source}"
    )]
    Apply {
        /// The first transaction of the run.
        first: usize,
        /// The last transaction of the run.
        last: usize,
        /// The document's error.
        source: TextError,
    },
}

impl ConcurrentTrace {
    /// Parses a concurrent trace. A trace whose `"kind"` is not
    /// `"concurrent"` is rejected with [`TraceError::WrongKind`]. O(n) in
    /// the length of the text.
    pub fn from_json(json: &str) -> Result<ConcurrentTrace, TraceError> {
        let actual = TraceKind::detect(json)?;
        if actual != TraceKind::Concurrent {
            return Err(TraceError::WrongKind {
                expected: TraceKind::Concurrent,
                actual,
            });
        }
        serde_json::from_str(json).map_err(|e| TraceError::Json(e.to_string()))
    }

    /// Returns the number of patches in all transactions.
    pub fn patch_count(&self) -> usize {
        self.txns.iter().map(|txn| txn.patches.len()).sum()
    }

    /// Merges every transaction, integrating them in the order of the
    /// list, and returns the final document.
    pub fn merge(&self) -> Result<TextDocument, MergeError> {
        let plan = MergePlan::new(self)?;
        let order: Vec<usize> = (0..plan.runs.len()).collect();
        plan.integrate(&order)
    }

    /// Merges every transaction, integrating them in another causal order
    /// chosen by `seed`, and returns the final document, which is the same
    /// for every seed.
    ///
    /// The seed drives a random topological sort of the transactions. Each
    /// run then moves up to the place of its first transaction, and the
    /// order stays causal because a run's later transactions depend on
    /// nothing else.
    pub fn merge_with_seed(&self, seed: u64) -> Result<TextDocument, MergeError> {
        let plan = MergePlan::new(self)?;
        let order = plan.seeded_order(self, seed);
        plan.integrate(&order)
    }
}

/// A run of transactions, composed into one operation.
#[derive(Clone, Debug)]
struct Run {
    first: usize,
    last: usize,
    agent: u32,
    chain: usize,
    /// The run's position in its chain, from 1.
    seq: u64,
    /// The version the run was made on.
    context: VectorClock,
    op: TextOp,
}

impl Run {
    /// Returns the tie-break key: the lower key goes first.
    fn key(&self) -> (u32, usize) {
        (self.agent, self.chain)
    }
}

/// The runs of a trace with their clocks, ready to integrate in any causal
/// order.
struct MergePlan {
    runs: Vec<Run>,
    /// For each chain, its runs in order.
    chains: Vec<Vec<usize>>,
    /// For each transaction, its run.
    run_of: Vec<usize>,
    /// The entries of the runs' context clocks.
    clock_entries: u64,
}

fn chain_site(chain: usize) -> SiteId {
    SiteId(chain as u64)
}

impl MergePlan {
    /// Splits the trace into runs and lays them out in chains. O(p) for
    /// `p` patches, plus the cost of composing each run.
    fn new(trace: &ConcurrentTrace) -> Result<MergePlan, MergeError> {
        let txns = &trace.txns;
        let mut children = vec![0u32; txns.len()];
        for (index, txn) in txns.iter().enumerate() {
            for &parent in &txn.parents {
                if parent >= index {
                    return Err(MergeError::Parent {
                        transaction: index,
                        parent,
                    });
                }
                children[parent] += 1;
            }
        }

        // Group transactions into runs, collecting each run's patches.
        let mut run_of = vec![0usize; txns.len()];
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (index, txn) in txns.iter().enumerate() {
            let continues = match txn.parents.as_slice() {
                [parent] => children[*parent] == 1 && txns[*parent].agent == txn.agent,
                _ => false,
            };
            if continues {
                let run = run_of[txn.parents[0]];
                run_of[index] = run;
                members[run].push(index);
            } else {
                run_of[index] = members.len();
                members.push(vec![index]);
            }
        }

        let mut runs: Vec<Run> = Vec::with_capacity(members.len());
        let mut clock_entries: u64 = 0;
        let mut chains: Vec<Vec<usize>> = Vec::new();
        let mut chain_agent: Vec<u32> = Vec::new();
        for (id, member) in members.iter().enumerate() {
            let first = member[0];
            let last = *member.last().expect("a run has a transaction");
            let agent = txns[first].agent;

            // A parent list may name a transaction beside one of its
            // ancestors, in any order, so a counter only ever rises here.
            let mut context = VectorClock::new();
            for &parent in &txns[first].parents {
                let parent_run = &runs[run_of[parent]];
                context.merge(&parent_run.context);
                let site = chain_site(parent_run.chain);
                context.set(site, context.get(site).max(parent_run.seq));
            }

            // Continue a chain of the same agent whose last run this one
            // has seen; otherwise start a new chain.
            let chain = (0..chains.len())
                .find(|&c| {
                    chain_agent[c] == agent && context.get(chain_site(c)) == chains[c].len() as u64
                })
                .unwrap_or_else(|| {
                    chains.push(Vec::new());
                    chain_agent.push(agent);
                    chains.len() - 1
                });
            chains[chain].push(id);

            clock_entries = clock_entries.saturating_add(context.len() as u64);
            if clock_entries > MAX_CLOCK_ENTRIES {
                return Err(MergeError::TooConcurrent {
                    entries: clock_entries,
                    max: MAX_CLOCK_ENTRIES,
                });
            }

            let ops: Vec<TextOp> = member
                .iter()
                .flat_map(|&txn| txns[txn].patches.iter().map(Patch::to_op))
                .collect();
            let op = compose_all(&ops).map_err(|source| MergeError::Apply {
                first,
                last,
                source,
            })?;
            runs.push(Run {
                first,
                last,
                agent,
                chain,
                seq: chains[chain].len() as u64,
                context,
                op,
            });
        }
        Ok(MergePlan {
            runs,
            chains,
            run_of,
            clock_entries,
        })
    }

    /// Returns the runs in the order of a random topological sort of the
    /// transactions, each run at the place of its first transaction.
    fn seeded_order(&self, trace: &ConcurrentTrace, seed: u64) -> Vec<usize> {
        let txns = &trace.txns;
        let mut waiting: Vec<usize> = txns.iter().map(|txn| txn.parents.len()).collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); txns.len()];
        for (index, txn) in txns.iter().enumerate() {
            for &parent in &txn.parents {
                children[parent].push(index);
            }
        }
        let mut ready: Vec<usize> = (0..txns.len()).filter(|&i| waiting[i] == 0).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut order = Vec::with_capacity(self.runs.len());
        while !ready.is_empty() {
            let pick = rng.random_range(0..ready.len());
            let txn = ready.swap_remove(pick);
            let run = self.run_of[txn];
            if self.runs[run].first == txn {
                order.push(run);
            }
            for &child in &children[txn] {
                waiting[child] -= 1;
                if waiting[child] == 0 {
                    ready.push(child);
                }
            }
        }
        order
    }

    /// Applies the runs in `order`, which must be causal, and returns the
    /// text that the order of the trace gives.
    ///
    /// Each run takes its place in the trace, wherever it comes in
    /// `order`: the applied runs that come later in the trace are undone,
    /// newest first, then the run is applied and they are applied again,
    /// each transformed to the version of the runs before it in the trace.
    /// The text transform satisfies TP1 but not TP2, so applying each run
    /// at the version of whatever came before it in `order` would make the
    /// text depend on the order. The order of the trace undoes nothing.
    /// Another order costs, per run undone, one apply of its inverse and
    /// one of its new form.
    fn integrate(&self, order: &[usize]) -> Result<TextDocument, MergeError> {
        // A run keeps its inverse only when a run before it in the trace
        // arrives after it and so undoes it.
        let mut undoable = vec![false; self.runs.len()];
        let mut lowest_later = usize::MAX;
        for &id in order.iter().rev() {
            undoable[id] = lowest_later < id;
            lowest_later = lowest_later.min(id);
        }

        let mut document = TextDocument::new();
        let mut version = VectorClock::new();
        let mut forms = Forms {
            memo: FxHashMap::default(),
            entries: self.clock_entries,
        };
        // The applied runs in trace order, with the inverse of each form
        // as applied when the run may be undone.
        let mut applied: Vec<(usize, Option<TextOp>)> = Vec::new();
        for &id in order {
            let later = applied.split_off(applied.partition_point(|(run, _)| *run < id));
            for (run, inverse) in later.iter().rev() {
                let inverse = inverse.as_ref().expect("an undone run kept its inverse");
                document
                    .apply(inverse)
                    .expect("the inverse of an applied operation applies");
                let run = &self.runs[*run];
                version.set(chain_site(run.chain), run.seq - 1);
            }
            let redone = later.into_iter().map(|(run, _)| run);
            for run in std::iter::once(id).chain(redone) {
                let inverse =
                    self.apply_run(run, undoable[run], &mut document, &mut version, &mut forms)?;
                applied.push((run, inverse));
            }
        }
        Ok(document)
    }

    /// Applies run `id` transformed to `version` and adds it to `version`.
    /// Returns the inverse of the operation applied when `keep_inverse`
    /// is true.
    fn apply_run(
        &self,
        id: usize,
        keep_inverse: bool,
        document: &mut TextDocument,
        version: &mut VectorClock,
        forms: &mut Forms,
    ) -> Result<Option<TextOp>, MergeError> {
        let run = &self.runs[id];
        let op = forms.at(self, id, version)?;
        let error = |source| MergeError::Apply {
            first: run.first,
            last: run.last,
            source,
        };
        let inverse = match keep_inverse {
            true => Some(document.invert(&op).map_err(error)?),
            false => None,
        };
        document.apply(&op).map_err(error)?;
        version.set(chain_site(run.chain), run.seq);
        Ok(inverse)
    }

    /// Returns the concurrent run to peel off `version` when moving run
    /// `id` there: the run of `version` not seen by `id` that came last in
    /// the trace. No run of `version` depends on it, so `version` without
    /// it is still a version.
    fn peel(&self, id: usize, version: &VectorClock) -> usize {
        let context = &self.runs[id].context;
        version
            .iter()
            .filter(|&(site, count)| count > context.get(site))
            .map(|(site, count)| self.chains[site.0 as usize][count as usize - 1])
            .max()
            .expect("a version above the run's context has a run it did not see")
    }
}

/// The memoized forms of runs at versions: `(run, version)` to the run's
/// operation transformed to apply to that version. The keys are small
/// integers, so the map uses the Fx hash rather than SipHash, which has no
/// attacker to resist here.
struct Forms {
    memo: FxHashMap<(usize, VectorClock), TextOp>,
    /// The clock entries held by the keys of `memo`, plus the count the
    /// plan started with.
    entries: u64,
}

impl Forms {
    /// Returns run `id` transformed to apply to `version`, which must
    /// contain the run's context but not the run, or an error once the
    /// memo would pass [`MAX_CLOCK_ENTRIES`]. Iterative, so that long
    /// stretches of concurrency do not exhaust the stack.
    fn at(
        &mut self,
        plan: &MergePlan,
        id: usize,
        version: &VectorClock,
    ) -> Result<TextOp, MergeError> {
        let mut stack = vec![(id, version.clone())];
        while let Some((run, version)) = stack.last().cloned() {
            if self.known(plan, run, &version).is_some() {
                stack.pop();
                continue;
            }
            let other = plan.peel(run, &version);
            let mut before = version.clone();
            before.set(chain_site(plan.runs[other].chain), plan.runs[other].seq - 1);

            let mine = self.known(plan, run, &before);
            let theirs = self.known(plan, other, &before);
            match (mine, theirs) {
                (Some(mine), Some(theirs)) => {
                    let side = if plan.runs[run].key() < plan.runs[other].key() {
                        Side::Left
                    } else {
                        Side::Right
                    };
                    let moved = mine.transform(theirs, side);
                    self.entries = self.entries.saturating_add(version.len() as u64);
                    if self.entries > MAX_CLOCK_ENTRIES {
                        return Err(MergeError::TooConcurrent {
                            entries: self.entries,
                            max: MAX_CLOCK_ENTRIES,
                        });
                    }
                    self.memo.insert((run, version), moved);
                    stack.pop();
                }
                (mine, theirs) => {
                    let need_mine = mine.is_none();
                    if theirs.is_none() {
                        stack.push((other, before.clone()));
                    }
                    if need_mine {
                        stack.push((run, before));
                    }
                }
            }
        }
        let form = self
            .known(plan, id, version)
            .cloned()
            .expect("the loop resolves the requested form");
        Ok(form)
    }

    fn known<'a>(
        &'a self,
        plan: &'a MergePlan,
        run: usize,
        version: &VectorClock,
    ) -> Option<&'a TextOp> {
        if *version == plan.runs[run].context {
            return Some(&plan.runs[run].op);
        }
        self.memo.get(&(run, version.clone()))
    }
}
