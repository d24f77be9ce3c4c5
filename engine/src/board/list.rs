//! Transform of changes to lists of distinct elements: the z-order, and
//! each shape's group list.
//!
//! A change to one element of a list is described by where the element
//! is before (`None` if the change inserts it) and after (`None` if the
//! change removes it). A move has both. Because the elements are
//! distinct, two changes to different elements `X` and `Y` can be
//! transformed exactly: take the list without `X` and `Y`, find the gap
//! each change leaves its element in, and put both elements into their
//! gaps. When both pick the same gap, the element of the `Left` change
//! goes first, that is lower in the z-order. Both transformed changes
//! describe that one final list, so the two orders of application agree.

/// The positions of one element of a list before and after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The element's position before the change, if it is in the list.
    pub before: Option<usize>,
    /// The element's position after the change, if it is in the list.
    pub after: Option<usize>,
}

impl Placement {
    pub fn insert(at: usize) -> Self {
        Placement {
            before: None,
            after: Some(at),
        }
    }

    pub fn remove(at: usize) -> Self {
        Placement {
            before: Some(at),
            after: None,
        }
    }

    pub fn moved(from: usize, to: usize) -> Self {
        Placement {
            before: Some(from),
            after: Some(to),
        }
    }
}

/// Returns where another element, at `index` before the change `by`, is
/// after it.
///
/// Positions come from operations sent by clients and may be absurd, such
/// as `usize::MAX`. The sums saturate, so such a position stays out of
/// range and the board rejects the transformed change when it applies.
fn shift(index: usize, by: Placement) -> usize {
    let mut index = index;
    if let Some(from) = by.before {
        if from < index {
            index -= 1;
        }
    }
    if let Some(to) = by.after {
        if to <= index {
            index = index.saturating_add(1);
        }
    }
    index
}

/// Returns the gap, in the list without both elements, that a change
/// leaves its element in: its position after the change `own`, less one
/// if the other element, at `other_before` before `own`, is below it.
fn gap(own: Placement, other_before: Option<usize>) -> Option<usize> {
    let after = own.after?;
    let other_after = other_before.map(|index| shift(index, own));
    match other_after {
        Some(other) if other < after => Some(after - 1),
        _ => Some(after),
    }
}

/// Rewrites the change `a` to element X so that it applies after the
/// concurrent change `b` to a different element Y. `a_left` is true if
/// `a` goes first on a tie.
pub(crate) fn transform_other(a: Placement, b: Placement, a_left: bool) -> Placement {
    let before = a.before.map(|index| shift(index, b));
    let after = gap(a, b.before).map(|own_gap| match gap(b, a.before) {
        Some(other_gap) if other_gap < own_gap || (other_gap == own_gap && !a_left) => {
            own_gap.saturating_add(1)
        }
        _ => own_gap,
    });
    Placement { before, after }
}

/// Rewrites the change `a` to element X so that it applies after the
/// concurrent change `b` to the same element, or returns `None` when `a`
/// has no effect left. A removal beats everything; of two moves or
/// inserts, the `Left` one wins.
pub(crate) fn transform_same(a: Placement, b: Placement, a_left: bool) -> Option<Placement> {
    match (a.after, b.after) {
        // Both removed it.
        (None, None) => None,
        // `a` removes it from where `b` put it.
        (None, Some(b_after)) => Some(Placement::remove(b_after)),
        // `b` removed it.
        (Some(_), None) => None,
        // Both placed it: the left one's place wins.
        (Some(a_after), Some(b_after)) => a_left.then_some(Placement::moved(b_after, a_after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a placement of `element` to `list`.
    fn apply(list: &mut Vec<char>, element: char, p: Placement) {
        if let Some(before) = p.before {
            assert_eq!(list[before], element);
            list.remove(before);
        }
        if let Some(after) = p.after {
            list.insert(after, element);
        }
    }

    /// Returns every placement of `element` in `list`, including inserting it
    /// when it is absent.
    fn placements(list: &[char], element: char) -> Vec<Placement> {
        let len = list.len();
        match list.iter().position(|&c| c == element) {
            Some(from) => {
                let mut all = vec![Placement::remove(from)];
                all.extend((0..len).map(|to| Placement::moved(from, to)));
                all
            }
            None => (0..=len).map(Placement::insert).collect(),
        }
    }

    fn converges(list: &[char], x: char, y: char) {
        for a in placements(list, x) {
            for b in placements(list, y) {
                for a_left in [true, false] {
                    let (a2, b2) = if x == y {
                        (transform_same(a, b, a_left), transform_same(b, a, !a_left))
                    } else {
                        (
                            Some(transform_other(a, b, a_left)),
                            Some(transform_other(b, a, !a_left)),
                        )
                    };
                    let mut first = list.to_vec();
                    apply(&mut first, x, a);
                    if let Some(b2) = b2 {
                        apply(&mut first, y, b2);
                    }
                    let mut second = list.to_vec();
                    apply(&mut second, y, b);
                    if let Some(a2) = a2 {
                        apply(&mut second, x, a2);
                    }
                    assert_eq!(first, second, "{list:?} a={a:?} b={b:?} a_left={a_left}");
                }
            }
        }
    }

    #[test]
    fn every_pair_of_placements_converges() {
        let list = ['a', 'b', 'c', 'd'];
        for x in ['a', 'b', 'c', 'd', 'x'] {
            for y in ['a', 'b', 'c', 'd', 'y'] {
                converges(&list, x, y);
            }
        }
        converges(&[], 'x', 'y');
        converges(&['a'], 'a', 'y');
    }

    #[test]
    fn tie_puts_left_element_lower() {
        // On [a, b, c, d], a and b both go to the top.
        let a = Placement::moved(0, 3);
        let b = Placement::moved(1, 3);
        assert_eq!(transform_other(a, b, true), Placement::moved(0, 2));
        assert_eq!(transform_other(b, a, false), Placement::moved(0, 3));
    }
}
