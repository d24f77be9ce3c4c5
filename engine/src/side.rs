//! Which of two concurrent operations goes first on a tie.

use serde::{Deserialize, Serialize};

/// The side an operation takes when it is transformed against a
/// concurrent one.
///
/// When both operations insert at the same position, the operation
/// transformed with [`Side::Left`] keeps its insert first and the one
/// transformed with [`Side::Right`] moves after the other insert. The two
/// operations of a pair must always be transformed with opposite sides.
/// For positions, [`Side::Left`] keeps a position before an insert made
/// exactly at it and [`Side::Right`] moves it after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Goes first on a tie.
    Left,
    /// Goes second on a tie.
    Right,
}

impl Side {
    /// Returns the other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}
