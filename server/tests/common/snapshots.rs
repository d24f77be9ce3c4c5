//! Snapshot files on disk, for the tests that damage them.

use std::path::{Path, PathBuf};

use echostream_server::document_id::DocumentId;
use echostream_server::store::FileStore;

/// Returns the paths of the snapshot files of `doc`, oldest first.
pub fn snapshot_paths(store: &FileStore, doc: &DocumentId) -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(store.document_dir(doc))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snapshot-")
        })
        .collect();
    paths.sort();
    paths
}

/// Flips every bit of the middle byte of the file at `path`.
pub fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(path, bytes).unwrap();
}
