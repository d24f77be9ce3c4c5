//! Fencing tokens for connections to documents in Redis.
//!
//! A site belongs to one client, so when a site joins a document again,
//! its older connections are ones the client gave up on. Their late
//! submissions must not be stored: the client resends the same operation
//! ids in forms rebased onto its new welcome. Each join takes a token from
//! the hash `echostream:{ID}:fences` (site to the token of its newest
//! connection, counting from 1), and the append script rejects an entry
//! whose connection has an older token than the hash. The join also
//! returns the stream's head at the moment it took the token: every entry
//! of an older connection that got in is at or below it.

use echostream::SiteId;
use redis::Value;

use super::redis_log::{DocumentKeys, RedisStore};
use super::redis_script::FENCE;
use super::StoreError;
use crate::document_id::DocumentId;

/// The fencing token of a new connection, and the head of the stream when
/// it was handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteFence {
    /// The token, greater than that of every earlier connection of the
    /// site to the document.
    pub token: u64,
    /// The last revision in the stream when the token was handed out.
    pub head: u64,
}

impl RedisStore {
    /// Hands a new fencing token to a connection of `site` to `doc`, which
    /// fences off the site's older connections on every node. One round
    /// trip on the shared connection, which blocks the thread. A retry after a
    /// lost reply takes one more token, which does no harm, because only
    /// the newest token counts.
    pub fn fence(&self, doc: &DocumentId, site: SiteId) -> Result<SiteFence, StoreError> {
        let keys = DocumentKeys::new(doc);
        let mut link = self.lookups();
        let (token, head): (u64, u64) = link.run(doc, "fencing", &keys.fences, |c| {
            FENCE
                .key(&keys.log)
                .key(&keys.fences)
                .arg(site.to_string())
                .invoke(c)
        })?;
        Ok(SiteFence { token, head })
    }
}

/// Parses the sites and tokens after the head in a `{2, head, site,
/// token, ...}` reply of the append script.
pub(super) fn parse_fenced(
    doc: &DocumentId,
    key: &str,
    values: &[Value],
) -> Result<Vec<(SiteId, u64)>, StoreError> {
    let corrupt = |reason: String| StoreError::CorruptEntry {
        doc: doc.clone(),
        key: key.to_owned(),
        id: "append reply".to_owned(),
        reason,
    };
    if values.len() % 2 != 0 {
        return Err(corrupt(format!(
            "expected pairs of site and token, got {} values",
            values.len()
        )));
    }
    let mut fenced = Vec::with_capacity(values.len() / 2);
    for pair in values.chunks(2) {
        let site: String = redis::from_redis_value_ref(&pair[0])
            .map_err(|e| corrupt(format!("invalid site: {e}")))?;
        let site: SiteId = site.parse().map_err(|e| corrupt(format!("{e}")))?;
        let token: u64 = redis::from_redis_value_ref(&pair[1])
            .map_err(|e| corrupt(format!("invalid token: {e}")))?;
        fenced.push((site, token));
    }
    Ok(fenced)
}
