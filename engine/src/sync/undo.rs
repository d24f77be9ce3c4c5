//! The undo and redo stacks of one client's own operations.

use serde::{Deserialize, Serialize};

use crate::{Operation, Side};

/// The side an undo or redo operation takes against a remote operation on
/// an insert tie: [`Side::Right`], so text a remote user inserted at the
/// same place stays first.
pub const UNDO_SIDE: Side = Side::Right;

/// A client's undo and redo stacks, bottom first, as an offline log keeps
/// them. The last entry of each applies to the client's local document,
/// and each entry before it applies after the one that follows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound = "Op: Operation")]
pub struct UndoHistory<Op: Operation> {
    /// The inverses of the local edits that can be undone.
    pub undo: Vec<Op>,
    /// The edits that can be redone.
    pub redo: Vec<Op>,
}

/// The undo and redo stacks. The top of each stack applies to the current
/// document, and each entry below it applies after the one above it.
#[derive(Clone, Debug)]
pub(crate) struct UndoStack<Op> {
    undo: Vec<Op>,
    redo: Vec<Op>,
    limit: usize,
}

impl<Op: Operation> UndoStack<Op> {
    pub(crate) fn new(limit: usize) -> Self {
        UndoStack {
            undo: Vec::new(),
            redo: Vec::new(),
            limit,
        }
    }

    /// Records the inverse of a new local edit and clears the redo stack.
    pub(crate) fn push_edit(&mut self, inverse: Op) {
        self.redo.clear();
        self.push_undo(inverse);
    }

    pub(crate) fn push_undo(&mut self, inverse: Op) {
        self.undo.push(inverse);
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
    }

    pub(crate) fn push_redo(&mut self, inverse: Op) {
        self.redo.push(inverse);
    }

    pub(crate) fn pop_undo(&mut self) -> Option<Op> {
        self.undo.pop()
    }

    pub(crate) fn pop_redo(&mut self) -> Option<Op> {
        self.redo.pop()
    }

    pub(crate) fn history(&self) -> UndoHistory<Op> {
        UndoHistory {
            undo: self.undo.clone(),
            redo: self.redo.clone(),
        }
    }

    /// Replaces both stacks, keeping the newest `limit` undo entries.
    pub(crate) fn set_history(&mut self, history: UndoHistory<Op>) {
        let UndoHistory { mut undo, redo } = history;
        let excess = undo.len().saturating_sub(self.limit);
        undo.drain(..excess);
        self.undo = undo;
        self.redo = redo;
    }

    pub(crate) fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub(crate) fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// Rewrites both stacks to apply after `remote`, an operation that was
    /// just applied to the document. O(u) transforms for `u` entries.
    pub(crate) fn transform_remote(&mut self, remote: &Op) {
        transform_stack(&mut self.undo, remote);
        transform_stack(&mut self.redo, remote);
    }
}

/// Walks a stack from its top: each entry moves past the remote operation,
/// and the remote operation moves past the entry to meet the next one.
fn transform_stack<Op: Operation>(stack: &mut [Op], remote: &Op) {
    let mut remote = remote.clone();
    for entry in stack.iter_mut().rev() {
        let moved = entry.transform(&remote, UNDO_SIDE);
        remote = remote.transform(entry, UNDO_SIDE.opposite());
        *entry = moved;
    }
}
