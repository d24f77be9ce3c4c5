//! Loading a document of the file store.

use echostream::sync::Authority;
use echostream::{OpLog, Snapshot};

use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::store::{DocumentLog, OpenMode};

/// Opens a document of the file store, reads its latest readable snapshot
/// and replays the log after it. Blocks the thread.
pub(super) fn load<Op: DocumentOp>(
    store: &crate::store::FileStore,
    doc: &DocumentId,
) -> anyhow::Result<(DocumentLog<Op>, Authority<Op>, usize)> {
    let mut log = store.open::<Op>(doc, OpenMode::Write)?;
    // Starting from the oldest snapshot kept gives clients that
    // reconnect after a restart the operations since then.
    let start = log.replay_start(false)?;

    // Newer snapshots are read too, so that a damaged one is
    // replaced now rather than found when it is the only one left.
    let from = start.snapshot.as_ref().map_or(0, |s| s.revision);
    let mut damaged = start.skipped;
    for &revision in log.snapshot_revisions() {
        let skipped = damaged.iter().any(|&(r, _)| r == revision);
        if revision > from && !skipped {
            if let Err(error) = log.snapshot_at(revision) {
                damaged.push((revision, error));
            }
        }
    }
    for (revision, error) in &damaged {
        tracing::warn!(doc = %doc, revision, %error, "found a damaged snapshot");
    }

    let (authority, replayed) = replay(&log, start.snapshot)?;

    for &(revision, _) in &damaged {
        log.remove_snapshot(revision)?;
    }
    log.check_replayed(authority.revision())?;
    if !damaged.is_empty() {
        if authority.revision() > 0 {
            log.save_snapshot(authority.snapshot())?;
        }
        tracing::info!(doc = %doc, revision = authority.revision(), damaged = damaged.len(), "replaced damaged snapshots by one at the head");
    }
    Ok((DocumentLog::File(log), authority, replayed))
}

/// Builds the authority from `snapshot`, or from the empty document, and
/// replays the entries of `log` after it. Returns the authority and the
/// number of entries replayed. O(n) in those entries.
pub(super) fn replay<Op: DocumentOp>(
    log: &impl OpLog<Op>,
    snapshot: Option<Snapshot<Op>>,
) -> anyhow::Result<(Authority<Op>, usize)> {
    let mut authority = match snapshot {
        Some(snapshot) => Authority::from_snapshot(snapshot),
        None => Authority::new(),
    };
    let entries = log.read_since(authority.revision())?;
    let replayed = entries.len();
    for entry in entries {
        let revision = entry.revision;
        authority
            .replay(entry)
            .map_err(|e| anyhow::anyhow!("replaying revision {revision} failed: {e}"))?;
    }
    Ok((authority, replayed))
}
