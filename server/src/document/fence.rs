//! The connection fence with Redis, which works across nodes.
//!
//! A site belongs to one client, so a newer connection of a site replaces
//! the older ones: their late submissions must not be stored, because the
//! client resends the same operation ids rebased onto its new welcome.
//! Each join takes a fencing token from Redis (`SiteFence`), and the
//! append script rejects entries of connections with an older token. A
//! join waits until this node has applied the stream up to the head at
//! the time of its token, so its welcome contains every entry that an
//! older connection stored. Then the join drops what the older
//! connections of its site left on this node. A node that has an older connection
//! learns of the newer one when its append is rejected, or when it
//! applies an entry that the newer connection stored.

use std::collections::{HashMap, VecDeque};

use echostream::{LoggedOp, SiteId};

use super::join_queue::WaitingJoin;
use super::task::{Open, Pending};
use super::{Dropped, Join, JoinReply};
use crate::document_op::DocumentOp;

impl<Op: DocumentOp> Open<Op> {
    /// Welcomes the waiting joins whose token's head is durable here,
    /// unless a write is running: its batch may hold entries that the
    /// joins fence off. Joins are admitted in the order of their heads,
    /// which for one site is the order of their tokens.
    pub(super) fn admit_fenced_joins(&mut self) {
        if self.writing.is_some() {
            return;
        }
        let durable = self.durable;
        let head = |waiting: &WaitingJoin| waiting.join.fence.map_or(0, |fence| fence.head);
        let (mut ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting_joins)
            .into_iter()
            .partition(|waiting| head(waiting) <= durable);
        self.waiting_joins = waiting;
        ready.sort_by_key(|waiting| {
            let fence = waiting.join.fence.expect("queued joins have a fence");
            (fence.head, fence.token)
        });
        for waiting in ready {
            self.admit(waiting.join, waiting.reply);
        }
    }

    /// Drops what the older connections of the joining site left here,
    /// then welcomes the join.
    fn admit(&mut self, join: Join, reply: JoinReply) {
        let site = join.site;
        let token = join.fence.expect("queued joins have a fence").token;
        self.fence_out(&[(site, token)]);
        if !self.welcome(join, reply) {
            return;
        }
        // A newer connection of the site may have been admitted here
        // first. Then this one is the older connection.
        if let Some(newest) = self.newest_token(site).filter(|&newest| newest > token) {
            self.fence_out(&[(site, newest)]);
        }
    }

    /// Returns the fencing token of the newest connection of `site` here.
    fn newest_token(&self, site: SiteId) -> Option<u64> {
        self.members
            .values()
            .filter(|member| member.site == site)
            .filter_map(|member| member.token)
            .max()
    }

    /// Handles an append that Redis rejected because it carried entries
    /// of replaced connections: `fenced` lists each such site with the
    /// token of its newest connection. Nothing of the batch was stored.
    pub(super) fn take_fenced(&mut self, fenced: &[(SiteId, u64)]) {
        tracing::debug!(doc = %self.doc, sites = fenced.len(), revision = self.durable, "an append carried operations of replaced connections");
        self.written = self.durable;
        self.fence_out(fenced);
    }

    /// Drops the connections of each site in `fenced` whose token is older
    /// than the one given, closing them with code 4003, and drops their
    /// operations that are not stored. The other operations that are not
    /// stored are received again without them, on the authority rebuilt
    /// at the durable revision: O(n) in the document when any is dropped.
    /// Runs only while no write is running.
    pub(super) fn fence_out(&mut self, fenced: &[(SiteId, u64)]) {
        debug_assert!(self.writing.is_none());
        self.close_replaced(fenced);

        let doomed =
            |pending: &Pending<Op>| is_replaced(fenced, pending.entry.id.site, pending.token);
        if !self.pending.iter().any(doomed) {
            return;
        }
        let waiting = std::mem::take(&mut self.pending);
        let cluster = self
            .cluster
            .as_ref()
            .expect("fencing tokens exist with Redis only");
        self.authority = cluster.durable.clone();
        self.written = self.durable;
        let no_remote = HashMap::new();
        let (mut dropped, mut kept) = (0, 0);
        for pending in waiting {
            if doomed(&pending) {
                dropped += 1;
                self.reject_fenced(&pending);
                continue;
            }
            kept += 1;
            self.receive_again(pending, &no_remote);
        }
        self.move_late_acks(&no_remote);
        tracing::info!(doc = %self.doc, revision = self.durable, dropped, kept, "dropped the operations of replaced connections and received the others again");
    }

    /// Closes the connections of each site in `fenced` whose token is
    /// older than the one given, with code 4003.
    fn close_replaced(&mut self, fenced: &[(SiteId, u64)]) {
        let stale: Vec<_> = self
            .members
            .iter()
            .filter(|(_, member)| is_replaced(fenced, member.site, member.token))
            .map(|(&conn, _)| conn)
            .collect();
        for conn in stale {
            let Some(mut member) = self.members.remove(&conn) else {
                continue;
            };
            tracing::info!(doc = %self.doc, client = %member.site, conn, token = member.token, "replaced a connection by a newer one of the same client");
            if let Some(dropped) = member.dropped.take() {
                let _ = dropped.send(Dropped::Replaced);
            }
            self.clear_presence(conn, &member);
        }
    }

    /// Counts and logs an operation of a replaced connection that is
    /// dropped instead of stored.
    fn reject_fenced(&self, pending: &Pending<Op>) {
        let id = pending.entry.id;
        self.registry.metrics.operations_fenced.inc();
        tracing::warn!(doc = %self.doc, client = %id.site, conn = pending.origin, op = %id, "rejected an operation of a replaced connection");
    }

    /// Returns the sites whose connections here were replaced, as shown by
    /// `entries` that another writer stored, each with a token above
    /// those of its connections here.
    ///
    /// A connection joins only once this node has applied the stream up
    /// to the head at the time of its token. From then on the append
    /// script stores entries of its site only from connections with the
    /// same or a newer token. So an entry of the site that another node
    /// stored comes from a newer connection, whose client gave up on the
    /// one here. An entry equal to a waiting one is this node's own,
    /// stored by an append whose reply was lost. Entries without a token,
    /// from tools rather than connections, pass no check in Redis.
    /// NOTE: so a tool that stores an entry under a connected client's
    /// site closes that client's connections here. O(e (p + m)) for e
    /// entries, p waiting operations and m connections.
    pub(super) fn replaced_by(
        &self,
        entries: &[LoggedOp<Op>],
        waiting: &VecDeque<Pending<Op>>,
    ) -> Vec<(SiteId, u64)> {
        let mut fenced: Vec<(SiteId, u64)> = Vec::new();
        for entry in entries {
            let site = entry.id.site;
            if fenced.iter().any(|&(fenced, _)| fenced == site)
                || waiting.iter().any(|pending| pending.entry == *entry)
            {
                continue;
            }
            if let Some(token) = self.newest_token(site) {
                fenced.push((site, token + 1));
            }
        }
        fenced
    }

    /// Drops the operations in `waiting` of connections that `fenced`
    /// replaced, and closes those connections, for a rebase that
    /// receives the others again.
    pub(super) fn drop_replaced(
        &mut self,
        fenced: &[(SiteId, u64)],
        waiting: VecDeque<Pending<Op>>,
    ) -> VecDeque<Pending<Op>> {
        if fenced.is_empty() {
            return waiting;
        }
        tracing::info!(doc = %self.doc, sites = fenced.len(), revision = self.durable, "another node stored operations of newer connections of clients connected here");
        self.close_replaced(fenced);
        let mut kept = VecDeque::with_capacity(waiting.len());
        for pending in waiting {
            if is_replaced(fenced, pending.entry.id.site, pending.token) {
                self.reject_fenced(&pending);
            } else {
                kept.push_back(pending);
            }
        }
        kept
    }
}

/// Returns true if `fenced` names `site` with a token newer than `token`,
/// the token of one of its connections. A connection without a token
/// (with the file store) is never replaced this way.
fn is_replaced(fenced: &[(SiteId, u64)], site: SiteId, token: Option<u64>) -> bool {
    fenced
        .iter()
        .any(|&(fenced, newest)| fenced == site && token.is_some_and(|t| t < newest))
}
