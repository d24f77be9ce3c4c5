//! A set kept as a sorted vector, for the board's small indexes.

/// A set of values in ascending order, stored in one sorted `Vec`.
///
/// Lookups are O(log k) and inserts and removes O(k) in the set's size k.
/// The board's reference and group indexes mostly hold a few entries per
/// shape or group, where a vector is as fast as a B-tree, and the two
/// `BTreeSet` types this replaced cost about 16 KB of WebAssembly code.
///
/// NOTE: filling one set with k values one insert at a time costs O(k^2)
/// moves. Applying a group of 10,000 new shapes took about as long as
/// with a B-tree (9 ms, release build, 2-core machine), but 30,000 took
/// 0.10 s against 0.035 s.
#[derive(Clone)]
pub(crate) struct SortedSet<T>(Vec<T>);

impl<T: Ord> SortedSet<T> {
    /// Adds `value`, returning false if it was already present.
    pub(crate) fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(index) => {
                self.0.insert(index, value);
                true
            }
        }
    }

    /// Removes `value`, returning false if it was absent.
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        match self.0.binary_search(value) {
            Ok(index) => {
                self.0.remove(index);
                true
            }
            Err(_) => false,
        }
    }

    pub(crate) fn contains(&self, value: &T) -> bool {
        self.0.binary_search(value).is_ok()
    }

    pub(crate) fn first(&self) -> Option<&T> {
        self.0.first()
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet(Vec::new())
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
