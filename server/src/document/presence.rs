//! Presence in an open document: members' cursors and selections, kept
//! at the durable revision and broadcast to the other members.

use echostream::SiteId;

use super::task::{Member, Open};
use super::ConnId;
use crate::document_op::DocumentOp;
use crate::protocol::{ErrorBody, ErrorCode, PresenceUpdate, ServerMessage};

impl<Op: DocumentOp> Open<Op> {
    pub(super) fn presence(&mut self, conn: ConnId, update: PresenceUpdate<Op>) {
        let Some(site) = self.members.get(&conn).map(|m| m.site) else {
            return;
        };
        let presence = match update.presence {
            None => None,
            Some(presence) => match self.move_presence(presence, update.revision, site) {
                Ok(presence) => Some(presence),
                Err(error) => {
                    tracing::warn!(doc = %self.doc, client = %site, conn, code = error.code.as_str(), "rejected a presence update");
                    self.send_to(conn, error.to_text().into());
                    return;
                }
            },
        };
        let message: ServerMessage<Op> = ServerMessage::Presence {
            site,
            revision: self.durable,
            presence: presence.as_ref(),
        };
        let text = message.to_text();
        if let Some(member) = self.members.get_mut(&conn) {
            member.presence = presence;
        }
        self.broadcast(conn, site, text.into());
    }

    /// Checks a presence and moves it from `revision` to the durable
    /// revision. O(k) in the operations between them.
    fn move_presence(
        &self,
        presence: Op::Presence,
        revision: u64,
        site: SiteId,
    ) -> Result<Op::Presence, ErrorBody> {
        Op::check_presence(&presence).map_err(|m| ErrorBody::new(ErrorCode::InvalidMessage, m))?;
        if revision > self.durable {
            let message = format!(
                "presence revision {revision} is above the head revision {}",
                self.durable
            );
            return Err(ErrorBody::new(ErrorCode::RevisionAhead, message));
        }
        let Some(ops) = self.durable_since(revision) else {
            let message = format!(
                "presence revision {revision} is older than the history kept, which starts after {}",
                self.compacted
            );
            return Err(ErrorBody::new(ErrorCode::HistoryCompacted, message));
        };
        let moved = ops.iter().fold(presence, |presence, entry| {
            entry
                .op
                .transform_presence(&presence, entry.id.site == site)
        });
        Op::check_presence_fits(&moved, &self.durable_doc)
            .map_err(|m| ErrorBody::new(ErrorCode::InvalidMessage, m))?;
        Ok(moved)
    }

    pub(super) fn clear_presence(&mut self, conn: ConnId, member: &Member<Op>) {
        if member.presence.is_some() {
            let message: ServerMessage<Op> = ServerMessage::Presence {
                site: member.site,
                revision: self.durable,
                presence: None,
            };
            let text = message.to_text();
            self.broadcast(conn, member.site, text.into());
        }
    }
}
