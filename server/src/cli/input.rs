//! Reading input files for the subcommands.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The byte order mark, which some editors write at the start of UTF-8
/// files and which no JSON value starts with.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Reads a UTF-8 text file, decompressing it first when it is gzip
/// (recognized by its first bytes, whatever its name). A leading byte
/// order mark is dropped.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
    let mut text = if bytes.starts_with(&GZIP_MAGIC) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .with_context(|| {
                format!("failed to decompress {} as gzip UTF-8 text", path.display())
            })?;
        text
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?
    };
    if text.starts_with(BYTE_ORDER_MARK) {
        text.drain(..BYTE_ORDER_MARK.len_utf8());
    }
    Ok(text)
}
