//! Replays of the recorded sequential editing traces into EchoStream and
//! into its peers, shared by the benchmarks and their correctness tests.
//!
//! The traces come from the public `josephg/editing-traces` collection
//! (CC BY 4.0): automerge-paper by Martin Kleppmann et al.,
//! json-crdt-patch by JSON Joy, and the others by Joseph Gentle.

use echostream::text::TextDocument;
use echostream::trace::{Patch, SequentialTrace};

/// A patch in UTF-8 byte offsets, for peers that index bytes only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BytePatch {
    /// The byte offset where the patch starts.
    pub start: usize,
    /// The byte offset where the deleted range ends.
    pub end: usize,
    /// The inserted text.
    pub insert: String,
}

/// A trace parsed ahead of time, so that the benchmarks time only the
/// edits.
pub struct PreparedTrace {
    /// The file stem, such as `automerge-paper`.
    pub name: &'static str,
    /// The document before the first patch.
    pub start_content: String,
    /// The document after the last patch.
    pub end_content: String,
    /// Every patch in replay order, in code points.
    pub patches: Vec<Patch>,
}

impl PreparedTrace {
    /// Reads and parses the trace `name` from the shared data, or returns
    /// `None` after printing why the data is missing.
    ///
    /// # Panics
    ///
    /// Panics if the file is there but is not a valid sequential trace.
    pub fn load(name: &'static str) -> Option<PreparedTrace> {
        let json = echostream_testdata::read_text(&format!("traces/sequential/{name}.json.gz"))?;
        let trace = SequentialTrace::from_json(&json)
            .unwrap_or_else(|e| panic!("invalid trace {name}: {e}"));
        let patches = trace.patches().map(|(_, _, patch)| patch.clone()).collect();
        Some(PreparedTrace {
            name,
            start_content: trace.start_content,
            end_content: trace.end_content,
            patches,
        })
    }

    /// Converts every patch to UTF-8 byte offsets by replaying the trace
    /// into a ropey rope, which indexes both units. O(p log n).
    pub fn byte_patches(&self) -> Vec<BytePatch> {
        let mut rope = ropey::Rope::from_str(&self.start_content);
        let mut converted = Vec::with_capacity(self.patches.len());
        for patch in &self.patches {
            let end_char = patch.pos + patch.del_count;
            converted.push(BytePatch {
                start: rope.char_to_byte(patch.pos),
                end: rope.char_to_byte(end_char),
                insert: patch.insert.clone(),
            });
            rope.remove(patch.pos..end_char);
            rope.insert(patch.pos, &patch.insert);
        }
        converted
    }
}

/// Replays through the OT path: each patch becomes a [`TextOp`], which the
/// document validates and applies.
///
/// [`TextOp`]: echostream::text::TextOp
///
/// # Panics
///
/// Panics if a patch does not apply, which a valid trace rules out.
pub fn replay_echostream(trace: &PreparedTrace) -> TextDocument {
    let mut doc = TextDocument::from(trace.start_content.as_str());
    for patch in &trace.patches {
        doc.apply(&patch.to_op())
            .unwrap_or_else(|e| panic!("{}: {patch:?} does not apply: {e}", trace.name));
    }
    doc
}

/// Replays straight into a ropey rope: the floor under the OT path, which
/// stores its text in the same rope.
pub fn replay_ropey(trace: &PreparedTrace) -> ropey::Rope {
    let mut rope = ropey::Rope::from_str(&trace.start_content);
    for patch in &trace.patches {
        if patch.del_count > 0 {
            rope.remove(patch.pos..patch.pos + patch.del_count);
        }
        if !patch.insert.is_empty() {
            rope.insert(patch.pos, &patch.insert);
        }
    }
    rope
}

/// Replays into a jumprope skip-list rope, with a fixed seed so that runs
/// are comparable.
pub fn replay_jumprope(trace: &PreparedTrace) -> jumprope::JumpRope {
    let mut rope = jumprope::JumpRope::new_from_seed(1);
    rope.insert(0, &trace.start_content);
    for patch in &trace.patches {
        if patch.del_count > 0 {
            rope.remove(patch.pos..patch.pos + patch.del_count);
        }
        if !patch.insert.is_empty() {
            rope.insert(patch.pos, &patch.insert);
        }
    }
    rope
}

/// Replays into a crop rope from patches already in byte offsets (see
/// [`PreparedTrace::byte_patches`]), because crop indexes bytes, lines and
/// UTF-16 code units but not code points.
pub fn replay_crop(start_content: &str, patches: &[BytePatch]) -> crop::Rope {
    let mut rope = crop::Rope::from(start_content);
    for patch in patches {
        rope.replace(patch.start..patch.end, &patch.insert);
    }
    rope
}

/// Replays into a plain `String`, finding each byte offset by walking the
/// code points from the start. O(n) per patch.
pub fn replay_string(trace: &PreparedTrace) -> String {
    let mut text = trace.start_content.clone();
    for patch in &trace.patches {
        let start = byte_offset(&text, 0, patch.pos);
        let end = byte_offset(&text, start, patch.del_count);
        text.replace_range(start..end, &patch.insert);
    }
    text
}

/// Returns the byte offset `chars` code points after byte offset `from`.
fn byte_offset(text: &str, from: usize, chars: usize) -> usize {
    match text[from..].char_indices().nth(chars) {
        Some((offset, _)) => from + offset,
        None => text.len(),
    }
}

/// Replays through the `operational-transform` crate, a Rust port of the
/// ot.js text operations: each patch becomes an operation that retains
/// the rest of the document, and applying it builds a new `String`. O(n)
/// per patch.
///
/// # Panics
///
/// Panics if a patch does not apply, which a valid trace rules out.
pub fn replay_operational_transform(trace: &PreparedTrace) -> String {
    let mut text = trace.start_content.clone();
    let mut len = text.chars().count();
    for patch in &trace.patches {
        let mut op = operational_transform::OperationSeq::default();
        op.retain(patch.pos as u64);
        op.delete(patch.del_count as u64);
        op.insert(&patch.insert);
        op.retain((len - patch.pos - patch.del_count) as u64);
        text = op
            .apply(&text)
            .unwrap_or_else(|e| panic!("{}: {patch:?} does not apply: {e}", trace.name));
        len = op.target_len();
    }
    text
}
