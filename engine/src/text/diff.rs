//! The text operation between two documents, from a character diff.

use super::{TextDocument, TextError, TextOp};
use crate::Diff;

impl Diff for TextOp {
    /// Returns the operation from `before` to `after`, with deletes that
    /// carry their text, so that it inverts without the document.
    ///
    /// The diff is the `dissimilar` crate's (Myers' algorithm with the
    /// diff-match-patch speedups and semantic cleanup), run on the two
    /// texts as strings. It costs O(n) to copy the texts plus
    /// O((n + m) d) for `d` changed code points in the worst case, and
    /// about O(n) when the texts share long runs, as a document and an
    /// older copy of it do.
    fn diff(before: &TextDocument, after: &TextDocument) -> Result<TextOp, TextError> {
        Ok(text_diff(before, after))
    }
}

/// Returns the operation from `before` to `after`; see [`Diff::diff`].
pub(crate) fn text_diff(before: &TextDocument, after: &TextDocument) -> TextOp {
    let before = before.to_string();
    let after = after.to_string();
    let mut op = TextOp::new();
    for chunk in dissimilar::diff(&before, &after) {
        match chunk {
            dissimilar::Chunk::Equal(text) => op.retain(text.chars().count()),
            dissimilar::Chunk::Delete(text) => op.delete_text(text),
            dissimilar::Chunk::Insert(text) => op.insert(text),
        };
    }
    op.normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: &str, after: &str) -> TextOp {
        let start = TextDocument::from(before);
        let op = TextOp::diff(&start, &TextDocument::from(after)).unwrap();
        let mut doc = start.clone();
        doc.apply(&op).unwrap();
        assert_eq!(doc.to_string(), after, "diff of {before:?} to {after:?}");
        op
    }

    #[test]
    fn diff_of_equal_texts_is_identity() {
        assert!(check("same text", "same text").is_identity());
        assert!(check("", "").is_identity());
    }

    #[test]
    fn diff_keeps_shared_text() {
        let op = check("Hello world", "Hello, brave world");
        assert_eq!(op.to_json(), r#"[5,", brave"]"#);
    }

    #[test]
    fn diff_counts_code_points() {
        let op = check("a😀b", "a😀Xb");
        assert_eq!(op.to_json(), r#"[2,"X"]"#);
        check("wörld 😀", "");
        check("", "ünïcode 😀 text");
    }

    #[test]
    fn diff_deletes_carry_text() {
        let op = check("keep drop keep", "keep keep");
        assert!(op.is_invertible());
    }
}
