//! The z-order: every shape on the board, bottom to top, with O(log n)
//! lookups in both directions.

use associative_positional_list::AssociativePositionalList;

use super::id::ShapeId;

/// The z-order of a board's shapes, bottom (position 0) to top.
///
/// It is an AVL tree whose nodes count their subtrees, with a hash map from
/// id to node (the crate `associative_positional_list`). Finding the shape
/// at a position, finding a shape's position, inserting and removing all
/// cost O(log n) in the number of shapes. A crate of sorted keys
/// (fractional indices in an order-statistic B-tree) was the alternative,
/// but its keys grow with repeated moves to the same place, and a move
/// would then cost more than O(log n).
#[derive(Clone)]
pub(crate) struct ZOrder {
    list: AssociativePositionalList<ShapeId>,
}

impl Default for ZOrder {
    fn default() -> Self {
        ZOrder {
            list: AssociativePositionalList::new(),
        }
    }
}

impl ZOrder {
    /// Returns the number of shapes. O(1).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Returns the position of `id`, or `None` if it is not in the
    /// z-order. O(log n).
    pub fn position(&self, id: ShapeId) -> Option<usize> {
        self.list.find(&id)
    }

    /// Returns the shape at `position`. O(log n).
    pub fn get(&self, position: usize) -> Option<ShapeId> {
        self.list.get(position).copied()
    }

    /// Inserts `id` at `position`, which must be at most `len()` and `id`
    /// must not be in the z-order yet. O(log n).
    pub fn insert(&mut self, position: usize, id: ShapeId) {
        debug_assert!(position <= self.len());
        let inserted = self.list.insert(position, id);
        assert!(inserted, "shape {id} is already in the z-order");
    }

    /// Removes the shape at `position`, which must be less than `len()`.
    /// O(log n).
    pub fn remove(&mut self, position: usize) {
        debug_assert!(position < self.len());
        self.list.remove(position);
    }

    /// Moves the shape at `from` so that it ends at `to`. Both must be less
    /// than `len()`. O(log n).
    pub fn move_to(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        let id = self.get(from).expect("move from a position in range");
        self.list.remove(from);
        self.list.insert(to, id);
    }

    /// Iterates over the shapes bottom to top. O(n) in all.
    pub fn iter(&self) -> impl Iterator<Item = ShapeId> + '_ {
        self.list.iter()
    }
}
