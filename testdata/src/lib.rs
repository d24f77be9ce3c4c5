//! Finds the shared test data (editing traces, whiteboard scenes, OT
//! vectors) for tests and benchmarks.
//!
//! The data lives outside the repository, in `../shared/data` beside the
//! workspace root; the environment variable `ECHOSTREAM_DATA` points
//! elsewhere. When the folder is missing, tests print why and skip.

use std::io::Read;
use std::path::PathBuf;

/// The environment variable that overrides the data folder.
pub const DATA_ENV: &str = "ECHOSTREAM_DATA";

/// Returns the data folder, or `None` after printing why it is missing.
pub fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(DATA_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: test data folder {} not found; set {DATA_ENV} to the \
             folder that holds traces/, whiteboard/ and ot-vectors/",
            dir.display()
        );
        None
    }
}

/// Returns the path of `relative` inside the data folder, or `None` after
/// printing why it is missing.
pub fn data_file(relative: &str) -> Option<PathBuf> {
    let path = data_dir()?.join(relative);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: test data file {} not found", path.display());
        None
    }
}

/// Reads a data file as text, decompressing it when its name ends in
/// `.gz`.
///
/// # Panics
///
/// Panics if the file exists but cannot be read or is not UTF-8, because a
/// test cannot go on without it.
pub fn read_text(relative: &str) -> Option<String> {
    let path = data_file(relative)?;
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()));
    let text = if relative.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("failed to decompress {}: {e}", path.display()));
        text
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
    };
    Some(text)
}

/// The sequential editing traces, by file stem.
pub const SEQUENTIAL_TRACES: [&str; 5] = [
    "automerge-paper",
    "seph-blog1",
    "friendsforever_flat",
    "clownschool_flat",
    "json-crdt-patch",
];

/// The concurrent editing traces, by file stem.
pub const CONCURRENT_TRACES: [&str; 2] = ["friendsforever", "clownschool"];
