//! Random text edits for the tests with several clients.

use echostream::text::{TextDocument, TextOp};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Returns a random edit of `doc`: one time in three a delete of 1 to 3
/// code points, otherwise an insert of a short text, one of them
/// outside ASCII.
pub fn random_edit(rng: &mut ChaCha8Rng, doc: &TextDocument) -> TextOp {
    let len = doc.len();
    if len > 0 && rng.random_range(0..3) == 0 {
        let start = rng.random_range(0..len);
        let end = (start + 1 + rng.random_range(0..3)).min(len);
        return TextOp::delete_range(start..end);
    }
    TextOp::insert_at(
        rng.random_range(0..=len),
        ["x", "yz", "é"][rng.random_range(0..3)],
    )
}
