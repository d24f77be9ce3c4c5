//! Joins that wait for their welcome, so that the welcome accounts for
//! every operation of the joining site that the authority committed.
//!
//! A welcome is at the durable revision. With the file store, a join of a
//! site therefore waits while an operation of that site is committed but
//! not on disk. Welcomed earlier, its client would resend such an
//! operation in the form it rebased onto the welcome, and the server
//! would acknowledge that form as a duplicate of the committed one, which
//! can differ from it. The join replaces the older connections of its
//! site when it arrives, so no operation of the site commits while it
//! waits.
//!
//! With Redis, a join waits until this node has applied the stream up to
//! the head at the time of its fencing token (see `fence.rs`).

use std::time::Duration;

use echostream::SiteId;
use tokio::time::Instant;

use super::task::Open;
use super::{Join, JoinReply};
use crate::document_op::DocumentOp;
use crate::protocol::{ErrorBody, ErrorCode};

/// How long a join waits. With Redis this is longer than the retries of a
/// Redis command (about 6.4 s), so that a short outage delays joins
/// without failing them. With the file store a join waits for at most
/// two batch writes: the one running and the next.
const JOIN_WAIT: Duration = Duration::from_secs(10);

/// A join waiting for its welcome.
pub(super) struct WaitingJoin {
    pub(super) join: Join,
    pub(super) reply: JoinReply,
    queued: Instant,
}

impl WaitingJoin {
    fn deadline(&self) -> Instant {
        self.queued + JOIN_WAIT
    }
}

impl<Op: DocumentOp> Open<Op> {
    /// Queues a join until [`admit_joins`] can admit it.
    ///
    /// [`admit_joins`]: Open::admit_joins
    pub(super) fn queue_join(&mut self, join: Join, reply: JoinReply) {
        self.waiting_joins.push(WaitingJoin {
            join,
            reply,
            queued: Instant::now(),
        });
    }

    /// Returns true if a join of `site` without a fencing token must wait:
    /// an operation of the site is committed but not on disk, or an
    /// earlier join of the site waits, which must be welcomed first. O(p +
    /// w) in the operations not on disk and the waiting joins.
    pub(super) fn must_wait(&self, site: SiteId) -> bool {
        self.unstored_count(site) > 0 || self.waiting_joins.iter().any(|w| w.join.site == site)
    }

    /// Returns the number of operations of `site` committed but not on
    /// disk. O(p) in the operations not on disk.
    fn unstored_count(&self, site: SiteId) -> usize {
        self.pending
            .iter()
            .filter(|pending| pending.entry.id.site == site)
            .count()
    }

    /// Queues a join of the file store that [`must_wait`] and logs why.
    ///
    /// [`must_wait`]: Open::must_wait
    pub(super) fn queue_unstored_join(&mut self, join: Join, reply: JoinReply) {
        let unstored = self.unstored_count(join.site);
        tracing::info!(doc = %self.doc, client = %join.site, conn = join.conn, unstored, revision = self.durable, "join waits until the client's committed operations are stored");
        self.queue_join(join, reply);
    }

    /// Welcomes the waiting joins that can be welcomed now.
    pub(super) fn admit_joins(&mut self) {
        if self.waiting_joins.is_empty() {
            return;
        }
        if self.cluster.is_some() {
            self.admit_fenced_joins();
        } else {
            self.admit_stored_joins();
        }
    }

    /// Welcomes, in the order they arrived, the waiting joins of the file
    /// store whose site has no operation left that is not on disk. Joins
    /// of one site become ready together, so the newest is welcomed last
    /// and replaces the others.
    fn admit_stored_joins(&mut self) {
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting_joins)
            .into_iter()
            .partition(|waiting| self.unstored_count(waiting.join.site) == 0);
        self.waiting_joins = waiting;
        for waiting in ready {
            let join = &waiting.join;
            let waited_ms = waiting.queued.elapsed().as_millis() as u64;
            tracing::info!(doc = %self.doc, client = %join.site, conn = join.conn, revision = self.durable, waited_ms, "the client's committed operations are stored; welcoming its join");
            self.welcome(waiting.join, waiting.reply);
        }
    }

    /// Returns the earliest deadline of the waiting joins.
    pub(super) fn next_join_deadline(&self) -> Option<Instant> {
        self.waiting_joins.iter().map(WaitingJoin::deadline).min()
    }

    /// Fails the waiting joins whose deadline passed, with `unavailable`.
    pub(super) fn expire_joins(&mut self) {
        let now = Instant::now();
        let (expired, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting_joins)
            .into_iter()
            .partition(|waiting| waiting.deadline() <= now);
        self.waiting_joins = waiting;
        for waiting in expired {
            let join = &waiting.join;
            let seconds = JOIN_WAIT.as_secs();
            let message = match join.fence {
                Some(fence) => {
                    let head = fence.head;
                    tracing::warn!(doc = %self.doc, client = %join.site, conn = join.conn, head, revision = self.durable, "join timed out waiting for the Redis stream");
                    format!(
                        "document {} did not reach revision {head} from Redis within {seconds} s. Try again",
                        self.doc
                    )
                }
                None => {
                    let unstored = self.unstored_count(join.site);
                    tracing::warn!(doc = %self.doc, client = %join.site, conn = join.conn, unstored, revision = self.durable, "join timed out waiting for the client's committed operations to be stored");
                    format!(
                        "document {} did not store the earlier operations of site {} within {seconds} s. Try again",
                        self.doc, join.site
                    )
                }
            };
            let error = ErrorBody::new(ErrorCode::Unavailable, message);
            let _ = waiting.reply.send(Err(error));
        }
    }

    /// Fails every waiting join, when the document closes.
    pub(super) fn reject_waiting_joins(&mut self, message: &str) {
        for waiting in self.waiting_joins.drain(..) {
            let error = ErrorBody::new(ErrorCode::DocumentUnavailable, message);
            let _ = waiting.reply.send(Err(error));
        }
    }
}
