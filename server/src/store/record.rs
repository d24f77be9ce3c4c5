//! The framing of records in log segments and snapshot files.
//!
//! A record is a 16-byte header followed by a JSON payload:
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..4 | payload length, u32 little-endian |
//! | 4..8 | CRC-32 (IEEE) of bytes 8.. of the record, u32 little-endian |
//! | 8..16 | revision, u64 little-endian |
//! | 16.. | payload |
//!
//! Keeping the revision in the header lets a log be scanned without
//! parsing its JSON.

/// The length of a record header in bytes.
pub const HEADER_LEN: usize = 16;

/// The maximum payload length of a record: larger lengths in a header are
/// taken as damage rather than trusted for an allocation.
pub const MAX_PAYLOAD_LEN: usize = 256 << 20;

/// Appends one record to `out`.
///
/// # Panics
///
/// Panics if the payload is longer than [`MAX_PAYLOAD_LEN`]; the server's
/// message size limit keeps operations far below it.
pub fn encode(revision: u64, payload: &[u8], out: &mut Vec<u8>) {
    assert!(
        payload.len() <= MAX_PAYLOAD_LEN,
        "record payload of {} bytes exceeds the limit of {MAX_PAYLOAD_LEN}",
        payload.len()
    );
    let revision = revision.to_le_bytes();
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&revision);
    hasher.update(payload);

    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.extend_from_slice(&revision);
    out.extend_from_slice(payload);
}

/// One record read back from a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The revision in the header.
    pub revision: u64,
    /// The payload.
    pub payload: &'a [u8],
    /// The offset of the record in the buffer.
    pub offset: usize,
}

/// A record that failed to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRecord {
    /// The offset of the record in the buffer.
    pub offset: usize,
    /// The reason it failed.
    pub reason: String,
    /// True if the failure is a write cut short at the end of the buffer:
    /// the record runs past the end or ends exactly at it, or only zero
    /// bytes follow its offset. Damage anywhere else is corruption.
    pub torn: bool,
}

/// Reads the records of `buf` in order, stopping at the first bad one.
/// O(n) in the buffer length, because every checksum is verified.
pub fn decode_all(buf: &[u8]) -> (Vec<Record<'_>>, Option<BadRecord>) {
    let mut records = Vec::new();
    let mut offset = 0;
    while offset < buf.len() {
        match decode_at(buf, offset) {
            Ok(record) => {
                offset += HEADER_LEN + record.payload.len();
                records.push(record);
            }
            Err(bad) => return (records, Some(bad)),
        }
    }
    (records, None)
}

fn decode_at(buf: &[u8], offset: usize) -> Result<Record<'_>, BadRecord> {
    let rest = &buf[offset..];
    let only_zeros = rest.iter().all(|&b| b == 0);
    let bad = |reason: String, torn: bool| BadRecord {
        offset,
        reason,
        torn: torn || only_zeros,
    };

    if rest.len() < HEADER_LEN {
        let reason = format!("header cut short: {} of {HEADER_LEN} bytes", rest.len());
        return Err(bad(reason, true));
    }
    let len = u32::from_le_bytes(rest[0..4].try_into().unwrap()) as usize;
    let crc = u32::from_le_bytes(rest[4..8].try_into().unwrap());
    if len > MAX_PAYLOAD_LEN {
        let reason = format!("payload length {len} exceeds the limit of {MAX_PAYLOAD_LEN}");
        return Err(bad(reason, false));
    }
    let end = HEADER_LEN + len;
    if rest.len() < end {
        let reason = format!(
            "payload cut short: {} of {len} bytes",
            rest.len() - HEADER_LEN
        );
        return Err(bad(reason, true));
    }
    let actual = crc32fast::hash(&rest[8..end]);
    if actual != crc {
        let reason = format!("checksum mismatch: stored {crc:08x}, computed {actual:08x}");
        return Err(bad(reason, rest.len() == end));
    }
    Ok(Record {
        revision: u64::from_le_bytes(rest[8..16].try_into().unwrap()),
        payload: &rest[HEADER_LEN..end],
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_records() -> Vec<u8> {
        let mut buf = Vec::new();
        encode(1, b"one", &mut buf);
        encode(2, b"two", &mut buf);
        encode(3, b"three", &mut buf);
        buf
    }

    #[test]
    fn round_trip() {
        let buf = three_records();
        let (records, bad) = decode_all(&buf);
        assert_eq!(bad, None);
        let payloads: Vec<_> = records.iter().map(|r| (r.revision, r.payload)).collect();
        assert_eq!(
            payloads,
            [(1, &b"one"[..]), (2, &b"two"[..]), (3, &b"three"[..])]
        );
    }

    #[test]
    fn cut_last_record_is_torn() {
        let full = three_records();
        let last_offset = 2 * HEADER_LEN + 6;
        for cut in last_offset + 1..full.len() {
            let (records, bad) = decode_all(&full[..cut]);
            assert_eq!(records.len(), 2, "cut at {cut}");
            let bad = bad.expect("a bad record");
            assert!(bad.torn, "cut at {cut}: {}", bad.reason);
            assert_eq!(bad.offset, last_offset);
        }
    }

    #[test]
    fn flipped_byte_in_last_record_is_torn() {
        let mut buf = three_records();
        let last = buf.len() - 1;
        buf[last] ^= 0xff;
        let (records, bad) = decode_all(&buf);
        assert_eq!(records.len(), 2);
        assert!(bad.unwrap().torn);
    }

    #[test]
    fn flipped_byte_in_middle_is_corruption() {
        let mut buf = three_records();
        buf[HEADER_LEN + 1] ^= 0xff;
        let (records, bad) = decode_all(&buf);
        assert_eq!(records.len(), 0);
        let bad = bad.unwrap();
        assert!(!bad.torn);
        assert!(
            bad.reason.starts_with("checksum mismatch"),
            "{}",
            bad.reason
        );
    }

    #[test]
    fn zero_tail_is_torn() {
        let mut buf = three_records();
        buf.extend_from_slice(&[0; 40]);
        let (records, bad) = decode_all(&buf);
        assert_eq!(records.len(), 3);
        assert!(bad.unwrap().torn);
    }
}
