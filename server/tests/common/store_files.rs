//! The files of a document in the file store, for the tests that damage
//! or cut them.

use std::path::{Path, PathBuf};

use echostream_server::document_id::DocumentId;
use echostream_server::store::FileStore;

/// Returns the paths of the files of `doc` whose names start with
/// `prefix`, sorted, so oldest first.
fn paths_with_prefix(store: &FileStore, doc: &DocumentId, prefix: &str) -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(store.document_dir(doc))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    paths.sort();
    paths
}

/// Returns the paths of the snapshot files of `doc`, oldest first.
pub fn snapshot_paths(store: &FileStore, doc: &DocumentId) -> Vec<PathBuf> {
    paths_with_prefix(store, doc, "snapshot-")
}

/// Returns the paths of the log segments of `doc`, oldest first.
pub fn segment_paths(store: &FileStore, doc: &DocumentId) -> Vec<PathBuf> {
    paths_with_prefix(store, doc, "log-")
}

/// Flips every bit of the middle byte of the file at `path`.
pub fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(path, bytes).unwrap();
}
