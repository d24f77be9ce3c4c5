//! Bad site ids and vector clocks from outside: each is rejected with an
//! error that names the value, and counters at the maximum do not
//! overflow.

use echostream::text::TextOp;
use echostream::{SiteId, SiteIdError, Snapshot, VectorClock};

#[test]
fn site_id_rejects_sign_and_prefix() {
    for bad in ["+1", "-1", "+00000000000000a", " 1", "0x1", "1 "] {
        assert_eq!(
            bad.parse::<SiteId>(),
            Err(SiteIdError(bad.to_owned())),
            "{bad:?}"
        );
    }
    let message = "+1".parse::<SiteId>().unwrap_err().to_string();
    assert_eq!(
        message,
        "invalid site id \"+1\": expected 1 to 16 hex digits"
    );
}

#[test]
fn site_id_reads_hex_digits() {
    assert_eq!("a1".parse::<SiteId>(), Ok(SiteId(0xa1)));
    assert_eq!("00A1".parse::<SiteId>(), Ok(SiteId(0xa1)));
    assert_eq!("ffffffffffffffff".parse::<SiteId>(), Ok(SiteId(u64::MAX)));
}

#[test]
fn clock_json_rejects_repeated_site() {
    // The same site twice, and once in two spellings: a map would keep
    // only the last counter, 3, and lose the 5.
    for json in [r#"{"a1": 5, "a1": 3}"#, r#"{"a1": 5, "00A1": 3}"#] {
        let error = serde_json::from_str::<VectorClock>(json).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("site 00000000000000a1 appears twice"),
            "{message}"
        );
    }
}

#[test]
fn clock_json_rejects_invalid_site() {
    let error = serde_json::from_str::<VectorClock>(r#"{"+1": 2}"#).unwrap_err();
    assert!(error.to_string().contains("\"+1\""), "{error}");
}

#[test]
fn clock_json_reads_distinct_sites() {
    let clock: VectorClock = serde_json::from_str(r#"{"b2": 1, "a1": 7, "c3": 0}"#).unwrap();
    let entries: Vec<(SiteId, u64)> = clock.iter().collect();
    assert_eq!(entries, [(SiteId(0xa1), 7), (SiteId(0xb2), 1)]);
}

#[test]
fn increment_stays_at_max() {
    let site = SiteId(1);
    let mut clock: VectorClock =
        serde_json::from_str(r#"{"0000000000000001": 18446744073709551615}"#).unwrap();
    assert_eq!(clock.increment(site), u64::MAX);
    assert_eq!(clock.get(site), u64::MAX);
}

#[test]
fn snapshot_json_rejects_repeated_site() {
    // Kept as the last value, 3, the authority would commit the site's
    // operations 4 and 5 a second time.
    let json = r#"{"revision": 7, "document": "abc", "last_seq": {"a1": 5, "00A1": 3}}"#;
    let error = serde_json::from_str::<Snapshot<TextOp>>(json).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("site 00000000000000a1 appears twice"),
        "{message}"
    );

    let json = r#"{"revision": 7, "document": "abc", "last_seq": {"a1": 5, "b2": 3}}"#;
    let snapshot: Snapshot<TextOp> = serde_json::from_str(json).unwrap();
    let last_seq: Vec<(SiteId, u64)> = snapshot.last_seq.into_iter().collect();
    assert_eq!(last_seq, [(SiteId(0xa1), 5), (SiteId(0xb2), 3)]);
}
