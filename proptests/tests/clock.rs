//! Laws of vector clocks: the happened-before order is a partial order,
//! merge is the least upper bound, and the JSON form round-trips. Each is
//! checked against a plain map from site to counter.
//!
//! Each property runs 2,000 cases. A longer run:
//!
//! ```sh
//! ECHOSTREAM_PROPTEST_CASES=100000 cargo test --release -p echostream-proptests --test clock
//! ```

use std::collections::BTreeMap;

use echostream::{ClockOrdering, SiteId, VectorClock};
use echostream_proptests::cases;
use proptest::prelude::*;

/// A plain model of a clock: the counter of each site, zeros left out.
type Model = BTreeMap<u64, u64>;

/// Clocks over a few sites with small counters, so that equal and
/// ordered pairs come up often. One site id is large, to cover ids that
/// need all 16 hex digits.
fn any_model() -> impl Strategy<Value = Model> {
    let site = prop_oneof![0..6u64, Just(u64::MAX)];
    prop::collection::btree_map(site, 0..4u64, 0..5)
        .prop_map(|map| map.into_iter().filter(|(_, n)| *n > 0).collect())
}

fn clock_of(model: &Model) -> VectorClock {
    model
        .iter()
        .map(|(site, counter)| (SiteId(*site), *counter))
        .collect()
}

fn model_le(a: &Model, b: &Model) -> bool {
    a.iter()
        .all(|(site, counter)| b.get(site).copied().unwrap_or(0) >= *counter)
}

fn model_merge(a: &Model, b: &Model) -> Model {
    let mut merged = a.clone();
    for (site, counter) in b {
        let entry = merged.entry(*site).or_insert(0);
        *entry = (*entry).max(*counter);
    }
    merged
}

fn merged(a: &VectorClock, b: &VectorClock) -> VectorClock {
    let mut out = a.clone();
    out.merge(b);
    out
}

fn reversed(ordering: ClockOrdering) -> ClockOrdering {
    match ordering {
        ClockOrdering::Before => ClockOrdering::After,
        ClockOrdering::After => ClockOrdering::Before,
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2_000)))]

    #[test]
    fn compare_matches_model(a in any_model(), b in any_model()) {
        let expected = match (model_le(&a, &b), model_le(&b, &a)) {
            (true, true) => ClockOrdering::Equal,
            (true, false) => ClockOrdering::Before,
            (false, true) => ClockOrdering::After,
            (false, false) => ClockOrdering::Concurrent,
        };
        let (x, y) = (clock_of(&a), clock_of(&b));
        prop_assert_eq!(x.compare(&y), expected);
        prop_assert_eq!(y.compare(&x), reversed(expected));
        prop_assert_eq!(x.le(&y), model_le(&a, &b));
    }

    #[test]
    fn order_is_reflexive(a in any_model()) {
        let x = clock_of(&a);
        prop_assert_eq!(x.compare(&x), ClockOrdering::Equal);
        prop_assert!(x.le(&x));
        prop_assert_eq!(x.partial_cmp(&x), Some(std::cmp::Ordering::Equal));
    }

    #[test]
    fn order_is_antisymmetric(a in any_model(), b in any_model()) {
        let (x, y) = (clock_of(&a), clock_of(&b));
        if x.le(&y) && y.le(&x) {
            prop_assert_eq!(&x, &y);
        }
        // Raising one counter of a copy gives a pair that is strictly
        // ordered one way only.
        let mut raised = x.clone();
        raised.increment(SiteId(3));
        prop_assert!(x.le(&raised));
        prop_assert!(!raised.le(&x));
    }

    #[test]
    fn order_is_transitive(a in any_model(), b in any_model(), c in any_model()) {
        // Random triples are rarely ordered, so the chain is also built
        // by merging: x <= x merged with b <= that merged with c.
        let x = clock_of(&a);
        let y = merged(&x, &clock_of(&b));
        let z = merged(&y, &clock_of(&c));
        prop_assert!(x.le(&y) && y.le(&z));
        prop_assert!(x.le(&z));

        let (p, q, r) = (clock_of(&a), clock_of(&b), clock_of(&c));
        if p.le(&q) && q.le(&r) {
            prop_assert!(p.le(&r));
        }
    }

    #[test]
    fn merge_is_least_upper_bound(a in any_model(), b in any_model(), c in any_model()) {
        let (x, y) = (clock_of(&a), clock_of(&b));
        let join = merged(&x, &y);
        prop_assert_eq!(&join, &clock_of(&model_merge(&a, &b)));
        prop_assert!(x.le(&join));
        prop_assert!(y.le(&join));

        // Any clock above both is above the merge: one built that way and
        // a random one.
        let above = merged(&join, &clock_of(&c));
        prop_assert!(join.le(&above));
        let other = clock_of(&c);
        if x.le(&other) && y.le(&other) {
            prop_assert!(join.le(&other));
        }

        prop_assert_eq!(&merged(&y, &x), &join);
        prop_assert_eq!(&merged(&join, &x), &join);
    }

    #[test]
    fn get_and_increment_match_model(a in any_model(), site in 0..8u64) {
        let mut x = clock_of(&a);
        let before = a.get(&site).copied().unwrap_or(0);
        prop_assert_eq!(x.get(SiteId(site)), before);
        prop_assert_eq!(x.increment(SiteId(site)), before + 1);
        prop_assert!(x.contains(SiteId(site), before + 1));
        prop_assert!(!x.contains(SiteId(site), before + 2));
        prop_assert_eq!(x.len(), a.len() + usize::from(before == 0));
    }

    #[test]
    fn serde_round_trip(a in any_model()) {
        let x = clock_of(&a);
        let json = serde_json::to_string(&x).unwrap();
        let back: VectorClock = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &x);

        let keys: Vec<String> = a.keys().map(|site| format!("{site:016x}")).collect();
        let object: BTreeMap<String, u64> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(object.keys().cloned().collect::<Vec<_>>(), keys);
    }
}
