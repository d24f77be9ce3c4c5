//! Random boards and board operations for the property tests.
//!
//! Everything is built from a 64-bit seed with a SplitMix64 generator, so
//! a failing case is reproduced by its seed. Ids come from small pools, so
//! that random operations often touch the same shapes and groups.

use echostream::board::{
    Binding, Board, BoardOp, Change, GroupId, Member, Point, PropertyValue, Shape, ShapeId,
    ShapeKind,
};
use echostream::text::TextOp;

/// The number of shape ids in the pool.
pub const SHAPE_POOL: u128 = 10;

/// The number of group ids in the pool.
pub const GROUP_POOL: u128 = 4;

/// A SplitMix64 random number generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Returns a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Returns the next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..n`, or 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Returns true with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// Returns a random element of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len())])
        }
    }
}

fn shape_id(rng: &mut Rng) -> ShapeId {
    ShapeId(1 + rng.below(SHAPE_POOL as usize) as u128)
}

fn group_id(rng: &mut Rng) -> GroupId {
    GroupId(1 + rng.below(GROUP_POOL as usize) as u128)
}

/// Returns a coordinate or delta on the grid: a multiple of 1/4 px, or
/// rarely a multiple of 1/65536 px.
fn coordinate(rng: &mut Rng) -> f64 {
    if rng.chance(10) {
        (rng.below(1 << 20) as f64 - (1 << 19) as f64) / 65536.0
    } else {
        (rng.below(400) as f64 - 200.0) / 4.0
    }
}

fn word(rng: &mut Rng) -> String {
    const WORDS: [&str; 6] = ["a", "bc", "é", "x y", "😀", "\n"];
    let mut text = String::new();
    for _ in 0..1 + rng.below(3) {
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    text
}

fn color(rng: &mut Rng) -> PropertyValue {
    const COLORS: [&str; 4] = ["#1e1e1e", "#ff0000", "transparent", "#a5d8ff"];
    PropertyValue::Color(COLORS[rng.below(COLORS.len())].to_owned())
}

/// Returns a random value for `key` that the board accepts, or `None` when
/// none fits (a binding with no other live shape).
fn valid_value(rng: &mut Rng, board: &Board, id: ShapeId, key: &str) -> Option<PropertyValue> {
    let value = match key {
        "x" | "y" => PropertyValue::Number(coordinate(rng)),
        "opacity" => PropertyValue::Number(rng.below(101) as f64),
        "strokeColor" => color(rng),
        "points" => {
            let n = rng.below(4);
            PropertyValue::Points((0..n).map(|i| Point(i as f64, coordinate(rng))).collect())
        }
        "startBinding" | "endBinding" => {
            let others: Vec<ShapeId> = board.order().into_iter().filter(|o| *o != id).collect();
            PropertyValue::Binding(Binding {
                shape: rng.pick(&others)?,
                focus: 0.5,
                gap: rng.below(10) as f64,
                fixed_point: None,
            })
        }
        "frame" => {
            let frames: Vec<ShapeId> = board
                .iter()
                .filter(|(other, shape)| *other != id && shape.kind == ShapeKind::Frame)
                .map(|(other, _)| other)
                .collect();
            PropertyValue::Shape(rng.pick(&frames)?)
        }
        _ => PropertyValue::String(word(rng)),
    };
    Some(value)
}

const KEYS: [&str; 9] = [
    "x",
    "y",
    "opacity",
    "strokeColor",
    "points",
    "startBinding",
    "endBinding",
    "frame",
    "label",
];

fn random_shape(rng: &mut Rng, board: &Board, id: ShapeId) -> Shape {
    let kind = ShapeKind::ALL[rng.below(ShapeKind::ALL.len())];
    let mut shape = Shape::new(kind)
        .with_number("x", coordinate(rng))
        .with_number("y", coordinate(rng));
    for _ in 0..rng.below(3) {
        let key = KEYS[rng.below(KEYS.len())];
        if let Some(value) = valid_value(rng, board, id, key) {
            shape.props.insert(key.to_owned(), value);
        }
    }
    if rng.chance(50) {
        shape = shape.with_text(&word(rng));
    }
    for _ in 0..rng.below(3) {
        let group = group_id(rng);
        if !shape.groups.contains(&group) {
            shape.groups.push(group);
        }
    }
    shape
}

/// Returns a random board of up to `max_shapes` shapes.
pub fn random_board(rng: &mut Rng, max_shapes: usize) -> Board {
    let mut board = Board::new();
    for _ in 0..rng.below(max_shapes + 1) {
        let id = shape_id(rng);
        if board.contains(id) {
            continue;
        }
        let shape = random_shape(rng, &board, id);
        let z = rng.below(board.len() + 1);
        board
            .apply(&BoardOp::create(id, shape, z))
            .expect("random shapes are valid");
    }
    board
}

fn random_text_op(rng: &mut Rng, len: usize) -> TextOp {
    let pos = rng.below(len + 1);
    if len > pos && rng.chance(40) {
        let end = pos + 1 + rng.below(len - pos);
        TextOp::delete_range(pos..end)
    } else {
        TextOp::insert_at(pos, &word(rng))
    }
}

/// Returns one random change that applies to `board`, or `None` when the
/// drawn kind does not fit the board (a move on an empty board).
fn valid_change(rng: &mut Rng, board: &Board) -> Option<BoardOp> {
    let ids = board.order();
    let len = ids.len();
    let op = match rng.below(9) {
        0 | 1 => {
            let id = shape_id(rng);
            if board.contains(id) {
                return None;
            }
            let shape = random_shape(rng, board, id);
            BoardOp::create(id, shape, rng.below(len + 1))
        }
        2 => board.delete_op(rng.pick(&ids)?).ok()?,
        3 => {
            let id = rng.pick(&ids)?;
            let key = KEYS[rng.below(KEYS.len())];
            let new = if rng.chance(15) {
                None
            } else {
                Some(valid_value(rng, board, id, key)?)
            };
            board.set_op(id, key, new).ok()?
        }
        4 => {
            let id = rng.pick(&ids)?;
            let shape = board.shape(id)?;
            let dx = if shape.number("x").is_some() {
                coordinate(rng)
            } else {
                0.0
            };
            let dy = if shape.number("y").is_some() {
                coordinate(rng)
            } else {
                0.0
            };
            BoardOp::translate(id, dx, dy)
        }
        5 => {
            let id = rng.pick(&ids)?;
            let text = board.shape(id)?.text.as_ref()?;
            BoardOp::edit_text(id, random_text_op(rng, text.len()))
        }
        6 => {
            let id = rng.pick(&ids)?;
            let to = match rng.below(3) {
                0 => 0,
                1 => len - 1,
                _ => rng.below(len),
            };
            board.move_op(id, to).ok()?
        }
        7 => {
            let group = group_id(rng);
            let mut members = Vec::new();
            for id in &ids {
                let shape = board.shape(*id)?;
                if rng.chance(50) && !shape.groups.contains(&group) {
                    let index = rng.below(shape.groups.len() + 1);
                    members.push(Member { id: *id, index });
                }
            }
            BoardOp::from_change(Change::Group { group, members })
        }
        _ => {
            let group = group_id(rng);
            if rng.chance(50) {
                board.ungroup_op(group)
            } else {
                let mut op = board.ungroup_op(group);
                if let Some(Change::Ungroup { members, .. }) = op.changes.first_mut() {
                    members.retain(|_| rng.chance(50));
                }
                op
            }
        }
    };
    Some(op)
}

/// Returns a random operation of up to `max_changes` changes that applies
/// to `board`, built by applying each change to a copy of the board.
pub fn valid_op(rng: &mut Rng, board: &Board, max_changes: usize) -> BoardOp {
    let mut scratch = board.clone();
    let mut op = BoardOp::new();
    for _ in 0..1 + rng.below(max_changes) {
        let Some(part) = valid_change(rng, &scratch) else {
            continue;
        };
        scratch.apply(&part).expect("generated changes apply");
        op.changes.extend(part.changes);
    }
    op
}

fn any_value(rng: &mut Rng) -> PropertyValue {
    match rng.below(9) {
        0 => PropertyValue::Number(coordinate(rng)),
        1 => PropertyValue::Number([f64::NAN, 0.3, 1e300, -0.0][rng.below(4)]),
        2 => PropertyValue::String(word(rng)),
        3 => PropertyValue::Bool(rng.chance(50)),
        4 => color(rng),
        5 => PropertyValue::Points(vec![Point(0.0, 1.0), Point(f64::INFINITY, 0.0)]),
        6 => PropertyValue::Binding(Binding {
            shape: shape_id(rng),
            focus: 0.0,
            gap: 1.0,
            fixed_point: None,
        }),
        7 => PropertyValue::Link("https://example.invalid".into()),
        _ => PropertyValue::Shape(shape_id(rng)),
    }
}

fn any_key(rng: &mut Rng) -> String {
    if rng.chance(10) {
        ["", "bad key", "ü"][rng.below(3)].to_owned()
    } else {
        KEYS[rng.below(KEYS.len())].to_owned()
    }
}

/// Returns a position below `limit`, or rarely an absurd one near
/// `usize::MAX`, as a client could send.
fn any_position(rng: &mut Rng, limit: usize) -> usize {
    if rng.chance(5) {
        [usize::MAX, usize::MAX - 1, 1 << 63][rng.below(3)]
    } else {
        rng.below(limit)
    }
}

/// Returns a random change with no regard to the board: unknown shapes,
/// wrong old values, wrong types, positions out of range.
fn any_change(rng: &mut Rng, board: &Board) -> Change {
    let id = shape_id(rng);
    let z = any_position(rng, board.len() + 3);
    let maybe = |rng: &mut Rng| {
        if rng.chance(30) {
            None
        } else {
            Some(any_value(rng))
        }
    };
    match rng.below(8) {
        0 => {
            let mut shape = random_shape(rng, board, id);
            if rng.chance(30) {
                shape.props.insert(any_key(rng), any_value(rng));
            }
            Change::Create { id, shape, z }
        }
        1 => {
            let shape = match board.shape(id) {
                Some(shape) if rng.chance(70) => shape.clone(),
                _ => random_shape(rng, board, id),
            };
            Change::Delete { id, shape, z }
        }
        2 => Change::Set {
            id,
            key: any_key(rng),
            old: maybe(rng),
            new: maybe(rng),
        },
        3 => Change::Translate {
            id,
            dx: [coordinate(rng), 0.1, f64::NAN, 1e12][rng.below(4)],
            dy: coordinate(rng),
        },
        4 => {
            let len = rng.below(12);
            Change::EditText {
                id,
                op: random_text_op(rng, len),
            }
        }
        5 => Change::Move {
            id,
            from: z,
            to: any_position(rng, board.len() + 2),
        },
        6 => Change::Group {
            group: group_id(rng),
            members: (0..rng.below(3))
                .map(|_| Member {
                    id: shape_id(rng),
                    index: any_position(rng, 4),
                })
                .collect(),
        },
        _ => Change::Ungroup {
            group: group_id(rng),
            members: (0..rng.below(3))
                .map(|_| Member {
                    id: shape_id(rng),
                    index: any_position(rng, 4),
                })
                .collect(),
        },
    }
}

/// Returns a random operation that may or may not apply to `board`: valid
/// changes mixed with arbitrary ones.
pub fn any_op(rng: &mut Rng, board: &Board, max_changes: usize) -> BoardOp {
    let mut op = if rng.chance(50) {
        valid_op(rng, board, max_changes)
    } else {
        BoardOp::new()
    };
    for _ in 0..1 + rng.below(max_changes) {
        let change = any_change(rng, board);
        let at = rng.below(op.changes.len() + 1);
        op.changes.insert(at, change);
    }
    op
}
