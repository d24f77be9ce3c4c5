//! Moving a client's pending operations onto a snapshot from the
//! authority, when the history between the client's revision and the
//! snapshot is gone.

use super::client::{Buffer, Client, InFlight};
use super::envelope::Submission;
use super::error::SyncError;
use super::REMOTE_SIDE;
use crate::{Diff, OpId, VectorClock};

/// A pending operation on its way onto the snapshot.
struct Moving<Op> {
    id: OpId,
    op: Op,
    /// The clock it was sent with, for the in-flight operation.
    sent_clock: Option<VectorClock>,
}

impl<Op: Diff> Client<Op> {
    /// Replaces the client's state by the authority's `snapshot` at
    /// `revision` and keeps the pending operations: they are transformed
    /// onto the snapshot and sent again under their original ids. Returns
    /// the operation applied to the local document, which editors use as
    /// they use the result of [`receive_remote`](Client::receive_remote).
    ///
    /// `last_seq` is the last sequence number of this client's site that
    /// the authority committed at or below `revision`. Pending operations
    /// up to it are already in the snapshot: they count as acknowledged
    /// and are not sent again, so no operation applies twice. The others
    /// are moved past the change from the committed document (plus those
    /// acknowledged ones) to the snapshot, computed with [`Diff::diff`],
    /// which replaces the history the client missed. The change gets
    /// [`REMOTE_SIDE`] on a tie, as a remote entry would.
    ///
    /// The cost is one diff of the two documents plus two transforms per
    /// pending operation (at most two: the in-flight one and the buffer).
    /// On error nothing changes.
    pub fn rebase_onto_snapshot(
        &mut self,
        snapshot: Op::Document,
        revision: u64,
        last_seq: u64,
    ) -> Result<Op, SyncError<Op::Error>> {
        if revision < self.revision {
            return Err(SyncError::SnapshotBehind {
                revision,
                client: self.revision,
            });
        }
        let failed = |source| SyncError::RebaseFailed { revision, source };

        let mut pending = Vec::new();
        if let Some(in_flight) = &self.in_flight {
            pending.push(Moving {
                id: in_flight.submission.id,
                op: in_flight.current.clone(),
                sent_clock: Some(in_flight.submission.clock.clone()),
            });
        }
        if let Some(op) = self.buffer_op() {
            let id = self.buffer.as_ref().expect("buffer_op found it").id;
            pending.push(Moving {
                id,
                op,
                sent_clock: None,
            });
        }

        let mut base = self.confirmed.clone();
        let mut acked_seq = self.acked_seq;
        let (committed, kept): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|p| p.id.seq <= last_seq);
        for moving in &committed {
            moving.op.apply(&mut base).map_err(failed)?;
            acked_seq = acked_seq.max(moving.id.seq);
        }

        let mut change = Op::diff(&base, &snapshot).map_err(failed)?;
        let mut moved = Vec::with_capacity(kept.len());
        for moving in kept {
            let op = moving.op.transform(&change, REMOTE_SIDE.opposite());
            change = change.transform(&moving.op, REMOTE_SIDE);
            moved.push(Moving { op, ..moving });
        }
        let mut document = self.document.clone();
        change.apply(&mut document).map_err(failed)?;

        self.document = document;
        self.confirmed = snapshot;
        self.revision = revision;
        self.acked_seq = acked_seq;
        self.in_flight = None;
        self.buffer = None;
        self.resend = false;
        for moving in moved {
            match moving.sent_clock {
                Some(clock) => {
                    let submission = Submission {
                        id: moving.id,
                        base: revision,
                        clock,
                        op: moving.op.clone(),
                    };
                    self.in_flight = Some(InFlight {
                        submission,
                        current: moving.op,
                    });
                    self.resend = true;
                }
                None => {
                    self.buffer = Some(Buffer {
                        id: moving.id,
                        ops: vec![moving.op],
                    });
                }
            }
        }
        if last_seq >= self.next_seq {
            self.next_seq = last_seq.saturating_add(1);
        }
        if self.clock.get(self.site) < last_seq {
            self.clock.set(self.site, last_seq);
        }
        self.undo.transform_remote(&change);
        Ok(change)
    }
}
