//! The board: shapes by id, their z-order, and the indexes that keep
//! references and groups consistent.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::BoardError;
use super::id::{GroupId, ShapeId};
use super::property::PropertyValue;
use super::shape::{Shape, ShapeKind};
use super::sorted_set::SortedSet;
use super::zorder::ZOrder;
use crate::invariant::expect_ok;
use crate::text::TextDocument;

/// A whiteboard: shapes keyed by id, in a z-order.
///
/// Besides the shapes, the board indexes which properties refer to each
/// shape and which shapes each group holds, so that a delete finds what
/// refers to the deleted shape in O(1). Lookups by id are O(1); z-order
/// lookups and moves are O(log n) in the number of shapes.
///
/// The JSON form lists the shapes bottom to top:
/// `{"shapes": [{"id": "...", "kind": "rectangle", "props": {...}}]}`.
#[derive(Clone, Default)]
pub struct Board {
    pub(crate) shapes: HashMap<ShapeId, Shape>,
    pub(crate) order: ZOrder,
    /// For each shape that a property refers to: the referring shape and
    /// property key.
    pub(crate) referrers: HashMap<ShapeId, SortedSet<(ShapeId, String)>>,
    /// For each group: its members.
    pub(crate) members: HashMap<GroupId, SortedSet<ShapeId>>,
}

impl Board {
    /// Returns an empty board.
    pub fn new() -> Self {
        Board::default()
    }

    /// Returns the number of shapes.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Returns true if the board has no shapes.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Returns the shape `id`, if it is on the board. O(1).
    pub fn shape(&self, id: ShapeId) -> Option<&Shape> {
        self.shapes.get(&id)
    }

    /// Returns true if shape `id` is on the board. O(1).
    pub fn contains(&self, id: ShapeId) -> bool {
        self.shapes.contains_key(&id)
    }

    /// Returns the z-order position of shape `id` (0 is the bottom).
    /// O(log n).
    pub fn position(&self, id: ShapeId) -> Option<usize> {
        self.order.position(id)
    }

    /// Returns the shape at z-order `position`. O(log n).
    pub fn shape_at(&self, position: usize) -> Option<ShapeId> {
        self.order.get(position)
    }

    /// Iterates over the shapes bottom to top. O(n) in all.
    pub fn iter(&self) -> impl Iterator<Item = (ShapeId, &Shape)> + '_ {
        self.order.iter().map(|id| (id, &self.shapes[&id]))
    }

    /// Returns the ids bottom to top. O(n).
    pub fn order(&self) -> Vec<ShapeId> {
        self.order.iter().collect()
    }

    /// Returns the members of `group`, in id order.
    pub fn group_members(&self, group: GroupId) -> Vec<ShapeId> {
        self.members
            .get(&group)
            .map(|members| members.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Returns the shapes and property keys that refer to shape `id`.
    pub fn referrers(&self, id: ShapeId) -> Vec<(ShapeId, String)> {
        self.referrers
            .get(&id)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Returns the number of shapes of each kind.
    pub fn count_by_kind(&self) -> std::collections::BTreeMap<ShapeKind, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for shape in self.shapes.values() {
            *counts.entry(shape.kind).or_insert(0) += 1;
        }
        counts
    }

    /// Builds a board from shapes listed bottom to top, checking every
    /// property, reference and group. O(n log n).
    pub fn from_shapes(
        shapes: impl IntoIterator<Item = (ShapeId, Shape)>,
    ) -> Result<Board, BoardError> {
        let mut board = Board::new();
        for (id, shape) in shapes {
            if board.shapes.contains_key(&id) {
                return Err(BoardError::DuplicateShape { id });
            }
            board.check_shape_content(id, &shape)?;
            board.order.insert(board.order.len(), id);
            board.shapes.insert(id, shape);
        }
        let ids: Vec<ShapeId> = board.order.iter().collect();
        for id in ids {
            let shape = board.shapes[&id].clone();
            for (key, value) in &shape.props {
                board.check_reference(id, key, value)?;
            }
            board.index_shape(id, &shape);
        }
        Ok(board)
    }

    /// Parses the JSON form, returning an error that names what is wrong.
    pub fn from_json(json: &str) -> Result<Board, BoardError> {
        serde_json::from_str(json).map_err(|e| BoardError::Json(e.to_string()))
    }

    /// Returns the JSON form.
    pub fn to_json(&self) -> String {
        expect_ok(serde_json::to_string(self), "a board encodes as JSON")
    }

    /// Adds the shape's references and groups to the indexes.
    pub(crate) fn index_shape(&mut self, id: ShapeId, shape: &Shape) {
        for (key, target) in shape.references() {
            self.referrers
                .entry(target)
                .or_default()
                .insert((id, key.to_owned()));
        }
        for group in &shape.groups {
            self.members.entry(*group).or_default().insert(id);
        }
    }

    /// Removes the shape's references and groups from the indexes.
    pub(crate) fn unindex_shape(&mut self, id: ShapeId, shape: &Shape) {
        for (key, target) in shape.references() {
            self.remove_referrer(target, id, key);
        }
        for group in &shape.groups {
            self.remove_member(*group, id);
        }
    }

    pub(crate) fn remove_referrer(&mut self, target: ShapeId, id: ShapeId, key: &str) {
        if let Some(set) = self.referrers.get_mut(&target) {
            set.remove(&(id, key.to_owned()));
            if set.is_empty() {
                self.referrers.remove(&target);
            }
        }
    }

    pub(crate) fn remove_member(&mut self, group: GroupId, id: ShapeId) {
        if let Some(set) = self.members.get_mut(&group) {
            set.remove(&id);
            if set.is_empty() {
                self.members.remove(&group);
            }
        }
    }

    /// Panics unless the board's invariants hold: the z-order lists every
    /// shape exactly once, every reference names a live shape and is
    /// indexed, every group member is a live shape, and every property is
    /// valid. O(n log n). For tests.
    #[doc(hidden)]
    pub fn assert_invariants(&self) {
        assert_eq!(self.order.len(), self.shapes.len(), "z-order length");
        for (position, id) in self.order.iter().enumerate() {
            assert!(
                self.shapes.contains_key(&id),
                "z-order entry {id} is not a shape"
            );
            assert_eq!(self.order.position(id), Some(position), "position of {id}");
            assert_eq!(self.order.get(position), Some(id), "shape at {position}");
        }

        let mut reference_count = 0;
        let mut membership_count = 0;
        for (&id, shape) in &self.shapes {
            if let Err(e) = self.check_shape_content(id, shape) {
                panic!("shape {id} is invalid: {e}");
            }
            for (key, value) in &shape.props {
                if let Err(e) = self.check_reference(id, key, value) {
                    panic!("shape {id} has a bad reference: {e}");
                }
            }
            for (key, target) in shape.references() {
                reference_count += 1;
                let indexed = self.referrers.get(&target);
                assert!(
                    indexed.is_some_and(|set| set.contains(&(id, key.to_owned()))),
                    "reference {id}.{key} -> {target} is not indexed"
                );
            }
            for group in &shape.groups {
                membership_count += 1;
                let indexed = self.members.get(group);
                assert!(
                    indexed.is_some_and(|set| set.contains(&id)),
                    "member {id} of group {group} is not indexed"
                );
            }
        }

        let indexed_references: usize = self.referrers.values().map(SortedSet::len).sum();
        assert_eq!(indexed_references, reference_count, "stale reference index");
        let indexed_members: usize = self.members.values().map(SortedSet::len).sum();
        assert_eq!(indexed_members, membership_count, "stale group index");
        for (group, members) in &self.members {
            assert!(!members.is_empty(), "empty group {group} is indexed");
            for id in members {
                assert!(
                    self.shapes.contains_key(id),
                    "group {group} names deleted {id}"
                );
            }
        }
    }
}

impl PartialEq for Board {
    /// Compares the shapes and their order. The indexes follow from the
    /// shapes, so they are not compared. O(n).
    fn eq(&self, other: &Board) -> bool {
        self.shapes == other.shapes && self.order.iter().eq(other.order.iter())
    }
}

impl fmt::Debug for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[derive(Serialize)]
struct EntryRef<'a> {
    id: ShapeId,
    #[serde(flatten)]
    shape: &'a Shape,
}

#[derive(Serialize)]
struct BoardRef<'a> {
    shapes: Vec<EntryRef<'a>>,
}

/// A shape in the JSON form of a board: its id beside the fields of
/// [`Shape`]. Spelled out rather than flattened, because `serde` does not
/// reject unknown fields through `flatten`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: ShapeId,
    kind: ShapeKind,
    #[serde(default)]
    props: BTreeMap<String, PropertyValue>,
    #[serde(default)]
    text: Option<TextDocument>,
    #[serde(default)]
    groups: Vec<GroupId>,
}

impl From<Entry> for Shape {
    fn from(entry: Entry) -> Self {
        Shape {
            kind: entry.kind,
            props: entry.props,
            text: entry.text,
            groups: entry.groups,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardData {
    shapes: Vec<Entry>,
}

impl Serialize for Board {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shapes = self
            .iter()
            .map(|(id, shape)| EntryRef { id, shape })
            .collect();
        BoardRef { shapes }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Board {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = BoardData::deserialize(d)?;
        Board::from_shapes(data.shapes.into_iter().map(|e| (e.id, Shape::from(e))))
            .map_err(D::Error::custom)
    }
}
