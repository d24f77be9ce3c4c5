//! Reading input files for the subcommands.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a UTF-8 text file, decompressing it first when it is gzip
/// (recognized by its first bytes, whatever its name).
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
    if bytes.starts_with(&GZIP_MAGIC) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .with_context(|| {
                format!("failed to decompress {} as gzip UTF-8 text", path.display())
            })?;
        Ok(text)
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
    }
}
