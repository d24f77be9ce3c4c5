//! Random 128-bit ids of shapes and groups, and their text form.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::invariant::expect_ok;

/// The URL-safe base64 alphabet of RFC 4648, section 5.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The length of the text form: one character for the top 2 bits, then 21
/// characters of 6 bits each.
const TEXT_LEN: usize = 22;

/// The error returned when the text form of an id is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid id {0:?}: expected 22 URL-safe base64 characters \
     (A-Z a-z 0-9 - _), the first one of A, B, C or D"
)]
pub struct IdError(pub String);

fn encode(value: u128, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut text = [0u8; TEXT_LEN];
    text[0] = ALPHABET[(value >> 126) as usize];
    for (i, slot) in text[1..].iter_mut().enumerate() {
        let shift = 120 - 6 * i;
        *slot = ALPHABET[((value >> shift) & 63) as usize];
    }
    // The alphabet is ASCII, so the bytes are valid UTF-8.
    f.write_str(expect_ok(
        std::str::from_utf8(&text),
        "base64 alphabet is ASCII",
    ))
}

fn decode(text: &str) -> Result<u128, IdError> {
    let invalid = || IdError(text.to_owned());
    if text.len() != TEXT_LEN {
        return Err(invalid());
    }
    let mut value: u128 = 0;
    for (i, byte) in text.bytes().enumerate() {
        let digit = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return Err(invalid()),
        };
        if i == 0 && digit > 3 {
            return Err(invalid());
        }
        value = (value << 6) | u128::from(digit);
    }
    Ok(value)
}

fn random_u128() -> u128 {
    let mut bytes = [0u8; 16];
    expect_ok(
        getrandom::fill(&mut bytes),
        "the system random generator failed",
    );
    u128::from_be_bytes(bytes)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u128);

        impl $name {
            /// Returns a random id from the operating system's generator.
            ///
            /// # Panics
            ///
            /// Panics if the system random number generator fails, which
            /// `getrandom` reports only on broken platforms.
            pub fn random() -> Self {
                $name(random_u128())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                encode(self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                encode(self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                decode(s).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(D::Error::custom)
            }
        }
    };
}

id_type!(
    /// The id of a shape: 128 random bits.
    ///
    /// Its text form, used in JSON, is 22 URL-safe base64 characters,
    /// because a JavaScript number cannot store 128 bits.
    ShapeId
);

id_type!(
    /// The id of a group of shapes: 128 random bits, with the same text
    /// form as [`ShapeId`].
    GroupId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for value in [0, 1, u128::MAX, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210] {
            let id = ShapeId(value);
            let text = id.to_string();
            assert_eq!(text.len(), 22);
            assert_eq!(text.parse::<ShapeId>(), Ok(id));
        }
        assert_eq!(ShapeId(0).to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(ShapeId(u128::MAX).to_string(), "D_____________________");
    }

    #[test]
    fn text_form_rejects_bad_input() {
        for bad in [
            "",
            "AAAA",
            "EAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAA+",
        ] {
            assert_eq!(bad.parse::<ShapeId>(), Err(IdError(bad.to_owned())));
        }
    }
}
