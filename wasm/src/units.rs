//! The one place where UTF-16 offsets, as JavaScript editors count them,
//! are converted to and from code points, as the engine counts them.
//!
//! Every conversion is O(log n) in the document length, through the rope's
//! index. An offset between the two halves of a surrogate pair is rejected
//! with an error that names it.

use echostream::text::{Component, Selection, TextDocument, TextError, TextOp};
use echostream::Side;
use serde::{Deserialize, Serialize};

/// The reason a UTF-16 position or a change list was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// A position does not fit the document, or the operation does not.
    #[error(transparent)]
    Text(#[from] TextError),

    /// A range ends before it starts.
    #[error("invalid UTF-16 range {from}..{to}: the end is before the start")]
    Range {
        /// The UTF-16 offset where the range starts.
        from: usize,
        /// The UTF-16 offset where the range ends.
        to: usize,
    },

    /// A change starts before the end of the change before it.
    #[error(
        "invalid change {index}: it starts at UTF-16 offset {from}, before \
         the end {previous_end} of the change before it; changes must be \
         sorted and must not overlap"
    )]
    Unsorted {
        /// The index of the change in the list.
        index: usize,
        /// The UTF-16 offset where the change starts.
        from: usize,
        /// The UTF-16 offset where the change before it ends.
        previous_end: usize,
    },

    /// A change of a list does not fit the document.
    #[error("invalid change {index}: {source}")]
    Change {
        /// The index of the change in the list.
        index: usize,
        /// The error of that change.
        source: Box<UnitError>,
    },
}

/// The result of a conversion.
pub type UnitResult<T> = Result<T, UnitError>;

/// One change in UTF-16 code units: replace `from..to` of the text before
/// the whole list of changes by `insert`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utf16Change {
    /// The UTF-16 offset where the replaced range starts.
    pub from: usize,
    /// The UTF-16 offset where the replaced range ends.
    pub to: usize,
    /// The text inserted in its place.
    #[serde(default)]
    pub insert: String,
}

/// Converts a UTF-16 offset to a code point position. O(1) in a document
/// without characters outside the Basic Multilingual Plane, O(log n)
/// otherwise.
pub fn to_code_point(doc: &TextDocument, offset: usize) -> UnitResult<usize> {
    if has_one_unit_per_code_point(doc) && offset <= doc.len() {
        return Ok(offset);
    }
    Ok(doc.utf16_to_char(offset)?)
}

/// Converts a code point position to a UTF-16 offset. O(1) in a document
/// without characters outside the Basic Multilingual Plane, O(log n)
/// otherwise.
pub fn to_utf16(doc: &TextDocument, pos: usize) -> UnitResult<usize> {
    if has_one_unit_per_code_point(doc) && pos <= doc.len() {
        return Ok(pos);
    }
    Ok(doc.char_to_utf16(pos)?)
}

/// Returns true if every code point of `doc` is one UTF-16 code unit, so that both
/// counts agree at every position. O(1): both lengths are stored.
fn has_one_unit_per_code_point(doc: &TextDocument) -> bool {
    doc.len_utf16() == doc.len()
}

/// Converts a UTF-16 range to code points, rejecting an end before its
/// start.
pub fn to_code_point_range(
    doc: &TextDocument,
    from: usize,
    to: usize,
) -> UnitResult<(usize, usize)> {
    if to < from {
        return Err(UnitError::Range { from, to });
    }
    Ok((to_code_point(doc, from)?, to_code_point(doc, to)?))
}

/// Converts a selection in UTF-16 offsets to code points.
pub fn selection_to_code_points(doc: &TextDocument, selection: Selection) -> UnitResult<Selection> {
    Ok(Selection::new(
        to_code_point(doc, selection.anchor)?,
        to_code_point(doc, selection.head)?,
    ))
}

/// Builds the operation for a list of UTF-16 changes made to `doc`, as an
/// editor reports them: sorted by position, not overlapping, every offset
/// counted in the text before all changes. O(c log n) for c changes.
pub fn op_from_changes(doc: &TextDocument, changes: &[Utf16Change]) -> UnitResult<TextOp> {
    let mut op = TextOp::new();
    let mut done = 0; // code points of `doc` already covered by `op`
    let mut last_end = 0; // UTF-16 end of the previous change
    for (index, change) in changes.iter().enumerate() {
        if change.from < last_end {
            return Err(UnitError::Unsorted {
                index,
                from: change.from,
                previous_end: last_end,
            });
        }
        let (from, to) =
            to_code_point_range(doc, change.from, change.to).map_err(|e| UnitError::Change {
                index,
                source: Box::new(e),
            })?;
        op.retain(from - done);
        op.insert(&change.insert);
        op.delete(to - from);
        done = to;
        last_end = change.to;
    }
    Ok(op.normalize())
}

/// Returns the UTF-16 changes that `op` makes to `before`, the document
/// it applies to, for an editor to replay. Offsets count in `before`, as
/// [`op_from_changes`] reads them. O(k log n) for k components.
pub fn changes_from_op(before: &TextDocument, op: &TextOp) -> UnitResult<Vec<Utf16Change>> {
    before.check(op)?;
    let mut changes: Vec<Utf16Change> = Vec::new();
    let mut pos = 0; // code point in `before`
    for component in op.components() {
        match component {
            Component::Retain(n) => pos += n,
            Component::Insert(text) => {
                let at = before.char_to_utf16(pos)?;
                push_change(&mut changes, at, at, text);
            }
            Component::Delete(_) | Component::DeleteText(_) => {
                let end = pos + component.len();
                let from = before.char_to_utf16(pos)?;
                let to = before.char_to_utf16(end)?;
                push_change(&mut changes, from, to, "");
                pos = end;
            }
        }
    }
    Ok(changes)
}

/// Appends a change, merging it with the previous one when they touch, so
/// that a replace comes out as one change.
fn push_change(changes: &mut Vec<Utf16Change>, from: usize, to: usize, insert: &str) {
    if let Some(last) = changes.last_mut() {
        if last.to == from {
            last.to = to;
            last.insert.push_str(insert);
            return;
        }
    }
    changes.push(Utf16Change {
        from,
        to,
        insert: insert.to_owned(),
    });
}

/// Returns where UTF-16 offset `offset` of `before` moves when `op`
/// applies, in UTF-16 offsets of the document after. O(k log n).
pub fn transform_utf16_position(
    before: &TextDocument,
    op: &TextOp,
    offset: usize,
    side: Side,
) -> UnitResult<usize> {
    before.check(op)?;
    let pos = to_code_point(before, offset)?;
    let moved = op.transform_position(pos, side);
    utf16_after(before, op, moved)
}

/// Returns the UTF-16 offset of code point `target` in the document that
/// `op` makes from `before`, without building that document: it adds the
/// UTF-16 lengths of what the operation keeps and inserts before `target`.
/// `op` must apply to `before`, which keeps every position in range.
fn utf16_after(before: &TextDocument, op: &TextOp, target: usize) -> UnitResult<usize> {
    let span = |from: usize, to: usize| -> UnitResult<usize> {
        Ok(before.char_to_utf16(to)? - before.char_to_utf16(from)?)
    };
    let mut old = 0; // code point in `before`
    let mut new = 0; // code point in the document after
    let mut units = 0; // UTF-16 offset in the document after
    for component in op.components() {
        if new >= target {
            return Ok(units);
        }
        match component {
            Component::Retain(n) => {
                let step = (*n).min(target - new);
                units += span(old, old + step)?;
                old += n;
                new += step;
            }
            Component::Insert(text) => {
                let step = text.chars().count().min(target - new);
                units += text.chars().take(step).map(char::len_utf16).sum::<usize>();
                new += step;
            }
            Component::Delete(_) | Component::DeleteText(_) => old += component.len(),
        }
    }
    Ok(units + span(old, old + (target - new))?)
}

/// Returns where a selection in UTF-16 offsets of `before` moves when `op`
/// applies, with the same rules as `TextOp::transform_selection`.
pub fn transform_utf16_selection(
    before: &TextDocument,
    op: &TextOp,
    selection: Selection,
    side: Side,
) -> UnitResult<Selection> {
    before.check(op)?;
    let selection = selection_to_code_points(before, selection)?;
    let moved = op.transform_selection(selection, side);
    Ok(Selection::new(
        utf16_after(before, op, moved.anchor)?,
        utf16_after(before, op, moved.head)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(from: usize, to: usize, insert: &str) -> Utf16Change {
        Utf16Change {
            from,
            to,
            insert: insert.to_owned(),
        }
    }

    #[test]
    fn changes_build_code_point_op() {
        let doc = TextDocument::from("a😀b😀c");
        let op = op_from_changes(&doc, &[change(1, 3, "X"), change(4, 6, "")]).unwrap();
        assert_eq!(op.to_json(), r#"[1,"X",{"d":1},1,{"d":1}]"#);
    }

    #[test]
    fn changes_round_trip() {
        let doc = TextDocument::from("a😀b😀c");
        let changes = vec![change(0, 1, "Z"), change(3, 3, "🎉")];
        let op = op_from_changes(&doc, &changes).unwrap();
        assert_eq!(changes_from_op(&doc, &op).unwrap(), changes);
    }

    #[test]
    fn change_inside_pair_rejected() {
        let doc = TextDocument::from("a😀b");
        let error = op_from_changes(&doc, &[change(2, 2, "x")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid change 0: UTF-16 offset 2 is inside a surrogate pair"
        );
    }

    #[test]
    fn overlapping_changes_rejected() {
        let doc = TextDocument::from("abcdef");
        let error = op_from_changes(&doc, &[change(1, 4, ""), change(3, 5, "")]).unwrap_err();
        assert_eq!(
            error,
            UnitError::Unsorted {
                index: 1,
                from: 3,
                previous_end: 4
            }
        );
    }

    #[test]
    fn reversed_range_rejected() {
        let doc = TextDocument::from("abc");
        let error = to_code_point_range(&doc, 2, 1).unwrap_err();
        assert_eq!(error, UnitError::Range { from: 2, to: 1 });
    }

    #[test]
    fn plain_text_offsets_equal_positions() {
        let doc = TextDocument::from("abc é");
        for offset in 0..=5 {
            assert_eq!(to_code_point(&doc, offset), Ok(offset), "offset {offset}");
            assert_eq!(to_utf16(&doc, offset), Ok(offset), "position {offset}");
        }
        let past_end = TextError::PositionPastEnd {
            unit: "UTF-16",
            position: 6,
            len: 5,
        };
        assert_eq!(to_code_point(&doc, 6), Err(UnitError::Text(past_end)));
        assert!(to_utf16(&doc, 6).is_err());
    }

    #[test]
    fn astral_text_offsets_convert() {
        let doc = TextDocument::from("a😀b");
        assert_eq!(to_code_point(&doc, 3), Ok(2));
        assert_eq!(to_utf16(&doc, 2), Ok(3));
        assert_eq!(
            to_code_point(&doc, 2),
            Err(UnitError::Text(TextError::InsideSurrogatePair {
                offset: 2
            }))
        );
    }

    #[test]
    fn utf16_position_moves() {
        // "😀ab" with "🎉" inserted at code point 1 and "b" deleted.
        let doc = TextDocument::from("😀ab");
        let op = TextOp::from_json(r#"[1,"🎉",1,{"d":1}]"#).unwrap();
        let cases = [
            (0, Side::Left, 0),
            (2, Side::Left, 2),
            (2, Side::Right, 4),
            (3, Side::Left, 5),
            (4, Side::Left, 5),
        ];
        for (offset, side, expected) in cases {
            let moved = transform_utf16_position(&doc, &op, offset, side).unwrap();
            assert_eq!(moved, expected, "offset {offset} with {side:?}");
        }
    }

    #[test]
    fn utf16_selection_keeps_direction() {
        let doc = TextDocument::from("😀abc");
        let op = TextOp::insert_at(0, "😀");
        let moved = transform_utf16_selection(&doc, &op, Selection::new(5, 2), Side::Left).unwrap();
        assert_eq!(moved, Selection::new(7, 4));
    }
}
