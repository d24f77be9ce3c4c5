//! The client state machine: synchronized, one operation in flight, or one
//! in flight plus a buffer.

use super::envelope::Submission;
use super::error::{next_revision, SyncError};
use super::merge::compose_all;
use super::undo::{UndoHistory, UndoStack};
use super::REMOTE_SIDE;
use crate::invariant::expect_ok;
use crate::{LoggedOp, OpId, Operation, SiteId, VectorClock};

/// The number of local edits a client can undo unless set otherwise.
pub const DEFAULT_UNDO_LIMIT: usize = 500;

/// The state of a client's pending work with the authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// Nothing local is waiting: the document equals the authority's at
    /// the client's revision.
    Synchronized,
    /// Local edits wait to be sent, and nothing is in flight.
    Pending,
    /// One operation is in flight, waiting for its acknowledgement.
    AwaitingAck,
    /// One operation is in flight and later local edits wait in the
    /// buffer.
    AwaitingAckWithBuffer,
}

/// The operation in flight: the submission exactly as sent, and the same
/// change transformed past the remote operations received since.
#[derive(Clone, Debug)]
pub(super) struct InFlight<Op: Operation> {
    pub(super) submission: Submission<Op>,
    pub(super) current: Op,
}

/// Local edits not yet sent, under the id they will be sent with. They are
/// composed lazily, when a remote operation or the send needs them as
/// one.
#[derive(Clone, Debug)]
pub(super) struct Buffer<Op> {
    pub(super) id: OpId,
    pub(super) ops: Vec<Op>,
}

/// One replica of a document that syncs with an [`Authority`]: local edits
/// apply at once and are sent one operation at a time.
///
/// An operation that may have been sent keeps its id, and local edits
/// made meanwhile go into the buffer. The in-flight submission stays as
/// sent until a [`reconnect`](Client::reconnect) or a
/// [`rebase_onto_snapshot`](Client::rebase_onto_snapshot) moves it to the
/// client's new revision. It is then sent again under the same id.
/// Remote operations are transformed past the in-flight operation and the
/// buffer with [`REMOTE_SIDE`], the mirror of the authority's
/// side, so that every replica breaks ties the same way.
///
/// [`Authority`]: super::Authority
#[derive(Clone, Debug)]
pub struct Client<Op: Operation> {
    pub(super) site: SiteId,
    pub(super) document: Op::Document,
    /// The authority's document at `revision`: `document` without the
    /// pending operations.
    pub(super) confirmed: Op::Document,
    pub(super) revision: u64,
    pub(super) clock: VectorClock,
    /// The sequence number of the next operation to get an id.
    pub(super) next_seq: u64,
    /// The highest own sequence number acknowledged.
    pub(super) acked_seq: u64,
    pub(super) in_flight: Option<InFlight<Op>>,
    pub(super) buffer: Option<Buffer<Op>>,
    /// Whether the in-flight operation must be sent again.
    pub(super) resend: bool,
    pub(super) undo: UndoStack<Op>,
}

impl<Op: Operation> Client<Op> {
    /// Returns a synchronized client of `site` whose document is the
    /// authority's at `revision`.
    pub fn new(site: SiteId, document: Op::Document, revision: u64) -> Self {
        Client::with_first_seq(site, document, revision, 1)
    }

    /// Returns a synchronized client whose next operation gets sequence
    /// number `first_seq`: a site that reloads a document must go on from
    /// the authority's [`last_seq`](super::Authority::last_seq) plus one.
    pub fn with_first_seq(
        site: SiteId,
        document: Op::Document,
        revision: u64,
        first_seq: u64,
    ) -> Self {
        let mut clock = VectorClock::new();
        clock.set(site, first_seq.saturating_sub(1));
        Client {
            site,
            confirmed: document.clone(),
            document,
            revision,
            clock,
            next_seq: first_seq.max(1),
            acked_seq: first_seq.saturating_sub(1),
            in_flight: None,
            buffer: None,
            resend: false,
            undo: UndoStack::new(DEFAULT_UNDO_LIMIT),
        }
    }

    /// Returns the client's site.
    pub fn site(&self) -> SiteId {
        self.site
    }

    /// Returns the local document, with every local edit applied.
    pub fn document(&self) -> &Op::Document {
        &self.document
    }

    /// Returns the authority's document at the client's revision: the
    /// local document without the pending operations.
    pub fn confirmed(&self) -> &Op::Document {
        &self.confirmed
    }

    /// Returns the last authority revision received.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Returns the clock of what the client has seen, its own edits
    /// included.
    pub fn clock(&self) -> &VectorClock {
        &self.clock
    }

    /// Returns the sequence number that the next local edit gets when no
    /// edit waits in the buffer; a buffered edit joins the buffer's id.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Returns the state of the client's pending work.
    pub fn state(&self) -> ClientState {
        match (&self.in_flight, &self.buffer) {
            (None, None) => ClientState::Synchronized,
            (None, Some(_)) => ClientState::Pending,
            (Some(_), None) => ClientState::AwaitingAck,
            (Some(_), Some(_)) => ClientState::AwaitingAckWithBuffer,
        }
    }

    /// Returns the in-flight operation transformed past the entries received
    /// since it was sent: it applies to [`confirmed`](Client::confirmed),
    /// and it is what the authority commits.
    pub fn in_flight_op(&self) -> Option<&Op> {
        self.in_flight.as_ref().map(|f| &f.current)
    }

    /// Returns the in-flight submission as it was last sent, or as it will
    /// be sent again after a reconnect.
    pub fn in_flight(&self) -> Option<&Submission<Op>> {
        self.in_flight.as_ref().map(|f| &f.submission)
    }

    /// Applies a local edit to the document at once and queues it to be
    /// sent. On error nothing changes.
    pub fn apply_local(&mut self, op: Op) -> Result<(), Op::Error> {
        let inverse = op.invert(&self.document)?;
        op.apply(&mut self.document)?;
        self.queue(op);
        self.undo.push_edit(inverse);
        Ok(())
    }

    fn queue(&mut self, op: Op) {
        match &mut self.buffer {
            Some(buffer) => buffer.ops.push(op),
            None => {
                let id = OpId {
                    site: self.site,
                    seq: self.next_seq,
                };
                // After `u64::MAX`, reachable only from a `first_seq` read
                // from outside, the next id gets sequence number 0, which
                // the authority rejects, rather than panicking here.
                self.next_seq = self.next_seq.wrapping_add(1);
                self.clock.set(self.site, id.seq);
                self.buffer = Some(Buffer { id, ops: vec![op] });
            }
        }
    }

    /// Composes the buffer into one operation and returns it.
    pub(super) fn buffer_op(&mut self) -> Option<Op> {
        let buffer = self.buffer.as_mut()?;
        if buffer.ops.len() > 1 {
            // NOTE: local edits that applied in turn always compose, so an
            // error here is a bug in the operation type.
            let composed = expect_ok(compose_all(&buffer.ops), "local edits compose");
            buffer.ops = vec![composed];
        }
        buffer.ops.first().cloned()
    }

    /// Returns the submission to send now: the in-flight operation again
    /// after a [`reconnect`](Client::reconnect), or else the buffer, which
    /// becomes the in-flight operation. Returns `None` while an operation
    /// is in flight and was sent, or when nothing is pending.
    pub fn next_submission(&mut self) -> Option<Submission<Op>> {
        if let Some(in_flight) = &self.in_flight {
            if !self.resend {
                return None;
            }
            self.resend = false;
            return Some(in_flight.submission.clone());
        }
        let op = self.buffer_op()?;
        let buffer = self.buffer.take()?;
        let submission = Submission {
            id: buffer.id,
            base: self.revision,
            clock: self.clock.clone(),
            op: op.clone(),
        };
        self.in_flight = Some(InFlight {
            submission: submission.clone(),
            current: op,
        });
        Some(submission)
    }

    /// Records the authority's acknowledgement of the in-flight operation,
    /// committed at `revision`. Every remote operation before `revision`
    /// must have been received first. A repeated acknowledgement of an
    /// operation already acknowledged changes nothing.
    pub fn acknowledge(&mut self, id: OpId, revision: u64) -> Result<(), SyncError<Op::Error>> {
        match &self.in_flight {
            Some(in_flight) if in_flight.submission.id == id => {
                let next = next_revision(self.revision)?;
                if revision != next {
                    return Err(SyncError::RevisionGap {
                        expected: next,
                        got: revision,
                    });
                }
                let in_flight = self.in_flight.take().expect("matched above");
                let mut confirmed = self.confirmed.clone();
                if let Err(source) = in_flight.current.apply(&mut confirmed) {
                    self.in_flight = Some(in_flight);
                    return Err(SyncError::Rejected {
                        id,
                        revision,
                        source,
                    });
                }
                self.confirmed = confirmed;
                self.revision = revision;
                self.acked_seq = id.seq;
                self.resend = false;
                Ok(())
            }
            _ if id.site == self.site && id.seq <= self.acked_seq => Ok(()),
            in_flight => Err(SyncError::UnexpectedAck {
                id,
                in_flight: in_flight
                    .as_ref()
                    .map_or("nothing".to_owned(), |f| f.submission.id.to_string()),
            }),
        }
    }

    /// Applies a committed entry from the authority and returns the
    /// operation as applied to the local document, after transforming it
    /// past the in-flight operation and the buffer. Editors use the
    /// returned operation to move cursors and other positions.
    ///
    /// An entry at or below the client's revision was seen already and
    /// returns the identity. The client's own in-flight operation,
    /// arriving in the stream of entries (as after a reconnect), counts as
    /// its acknowledgement. An entry that skips revisions is rejected.
    pub fn receive_remote(&mut self, entry: LoggedOp<Op>) -> Result<Op, SyncError<Op::Error>> {
        if entry.revision <= self.revision {
            return Ok(Op::identity());
        }
        let next = next_revision(self.revision)?;
        if entry.revision != next {
            return Err(SyncError::RevisionGap {
                expected: next,
                got: entry.revision,
            });
        }
        if self.in_flight().is_some_and(|f| f.id == entry.id) {
            self.acknowledge(entry.id, entry.revision)?;
            self.clock.merge(&entry.clock);
            return Ok(Op::identity());
        }
        let mut confirmed = self.confirmed.clone();
        entry
            .op
            .apply(&mut confirmed)
            .map_err(|source| SyncError::Rejected {
                id: entry.id,
                revision: entry.revision,
                source,
            })?;

        let mut remote = entry.op;
        let in_flight = self.in_flight.as_ref().map(|f| {
            let moved = f.current.transform(&remote, REMOTE_SIDE.opposite());
            remote = remote.transform(&f.current, REMOTE_SIDE);
            moved
        });
        let buffer = self.buffer_op().map(|op| {
            let moved = op.transform(&remote, REMOTE_SIDE.opposite());
            remote = remote.transform(&op, REMOTE_SIDE);
            moved
        });
        remote
            .apply(&mut self.document)
            .map_err(|source| SyncError::Rejected {
                id: entry.id,
                revision: entry.revision,
                source,
            })?;

        if let (Some(f), Some(moved)) = (&mut self.in_flight, in_flight) {
            f.current = moved;
        }
        if let (Some(b), Some(moved)) = (&mut self.buffer, buffer) {
            b.ops = vec![moved];
        }
        self.undo.transform_remote(&remote);
        self.confirmed = confirmed;
        self.revision = entry.revision;
        self.clock.merge(&entry.clock);
        Ok(remote)
    }

    /// Marks the in-flight operation to be sent again, under the same id
    /// and clock, by the next [`next_submission`](Client::next_submission).
    /// Call it after the connection was lost and the entries missed were
    /// received again.
    ///
    /// The resend is based on the client's revision and carries the
    /// operation as transformed past the entries received since it was
    /// sent, so that it stays valid after the authority compacted the
    /// history at its first base. That is the same change, because none of
    /// those entries was the operation itself: the authority had not
    /// committed it at or below the client's revision. If it committed it
    /// later, its exactly-once rule acknowledges the resend as a duplicate
    /// and applies nothing.
    pub fn reconnect(&mut self) {
        let revision = self.revision;
        self.resend = match &mut self.in_flight {
            Some(in_flight) => {
                in_flight.submission.base = revision;
                in_flight.submission.op = in_flight.current.clone();
                true
            }
            None => false,
        };
    }

    /// Makes the pending operations' ids continue the authority's
    /// sequence of this site, whose last committed number is `last_seq`.
    /// Call it after a reconnect received the entries missed, so that every
    /// own operation committed up to the client's revision was received
    /// and acknowledged.
    ///
    /// The ids already continue it, unless a site's stored pending
    /// operations were lost on restore: an id at or below `last_seq` was
    /// then committed for another operation, and an id past
    /// `last_seq + 1` leaves a gap that the authority rejects. In both
    /// cases the pending operations become one buffered operation under
    /// id `last_seq + 1`. Returns true if it renumbered.
    pub fn align_seqs(&mut self, last_seq: u64) -> bool {
        let expected = last_seq.saturating_add(1);
        let lowest = match (&self.in_flight, &self.buffer) {
            (Some(f), _) => f.submission.id.seq,
            (None, Some(b)) => b.id.seq,
            (None, None) => {
                self.next_seq = expected;
                return false;
            }
        };
        if lowest == expected {
            return false;
        }
        let mut ops: Vec<Op> = self
            .in_flight
            .take()
            .map(|f| f.current)
            .into_iter()
            .collect();
        if let Some(op) = self.buffer_op() {
            ops.push(op);
        }
        self.buffer = None;
        self.resend = false;
        self.next_seq = expected;
        for op in ops {
            self.queue(op);
        }
        true
    }

    /// Returns true if an operation is in flight or waits in the buffer.
    pub fn has_pending(&self) -> bool {
        self.in_flight.is_some() || self.buffer.is_some()
    }

    /// Returns the operations not yet acknowledged, for an offline log: the
    /// in-flight submission as sent, then the buffer. The buffer's base is
    /// the client's revision, and it applies after the in-flight operation:
    /// send it only once that operation is acknowledged.
    pub fn pending(&self) -> Vec<Submission<Op>> {
        let mut pending: Vec<Submission<Op>> = self.in_flight().cloned().into_iter().collect();
        if let Some(buffer) = &self.buffer {
            let op = expect_ok(compose_all(&buffer.ops), "local edits compose");
            pending.push(Submission {
                id: buffer.id,
                base: self.revision,
                clock: self.clock.clone(),
                op,
            });
        }
        pending
    }

    /// Sets how many local edits can be undone, dropping the oldest beyond
    /// it.
    pub fn set_undo_limit(&mut self, limit: usize) {
        let mut stack = UndoStack::new(limit);
        std::mem::swap(&mut stack, &mut self.undo);
        let mut entries = Vec::new();
        while let Some(entry) = stack.pop_undo() {
            entries.push(entry);
        }
        for entry in entries.into_iter().rev() {
            self.undo.push_undo(entry);
        }
    }

    /// Returns a copy of the undo and redo stacks, for an offline log.
    /// O(u) in the entries.
    pub fn undo_history(&self) -> UndoHistory<Op> {
        self.undo.history()
    }

    /// Replaces the undo and redo stacks by ones read from an offline log.
    /// Their top entries must apply to the current local document, as they
    /// did when [`undo_history`](Client::undo_history) returned them for
    /// the same document. Undo entries past the limit are dropped, oldest
    /// first.
    pub fn set_undo_history(&mut self, history: UndoHistory<Op>) {
        self.undo.set_history(history);
    }

    /// Returns true if there is a local edit to undo.
    pub fn can_undo(&self) -> bool {
        self.undo.undo_len() > 0
    }

    /// Returns true if there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.undo.redo_len() > 0
    }

    /// Undoes the latest local edit not yet undone, transformed past every
    /// operation applied since, so that it removes only this client's
    /// changes. The undo is a new local edit, queued to be sent. Returns
    /// the operation applied, or `None` when there is nothing to undo.
    /// O(u) transforms per remote operation received keep the `u` entries
    /// of the stacks current.
    pub fn undo(&mut self) -> Result<Option<Op>, Op::Error> {
        while let Some(inverse) = self.undo.pop_undo() {
            if inverse.is_identity() {
                continue;
            }
            match self.apply_history_edit(&inverse) {
                Ok(redo) => self.undo.push_redo(redo),
                Err(error) => {
                    self.undo.push_undo(inverse);
                    return Err(error);
                }
            }
            return Ok(Some(inverse));
        }
        Ok(None)
    }

    /// Redoes the latest undone edit, transformed like
    /// [`undo`](Client::undo). Returns the operation applied, or `None`
    /// when there is nothing to redo.
    pub fn redo(&mut self) -> Result<Option<Op>, Op::Error> {
        while let Some(op) = self.undo.pop_redo() {
            if op.is_identity() {
                continue;
            }
            match self.apply_history_edit(&op) {
                Ok(undo) => self.undo.push_undo(undo),
                Err(error) => {
                    self.undo.push_redo(op);
                    return Err(error);
                }
            }
            return Ok(Some(op));
        }
        Ok(None)
    }

    /// Applies an undo or redo as a local edit and returns its inverse.
    fn apply_history_edit(&mut self, op: &Op) -> Result<Op, Op::Error> {
        let inverse = op.invert(&self.document)?;
        op.apply(&mut self.document)?;
        self.queue(op.clone());
        Ok(inverse)
    }
}
