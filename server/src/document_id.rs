//! Validated document ids, safe to use as folder names.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The maximum length of a document id, in bytes.
pub const MAX_DOCUMENT_ID_LEN: usize = 128;

/// A document id: 1 to 128 ASCII letters, digits, `-`, `_` or `.`, not
/// starting with `.`. No id can name a parent folder, a hidden file or a
/// path with a separator, so an id used as a folder name stays inside the
/// data folder.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

/// The error returned for an invalid document id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentIdError {
    /// The id is empty.
    #[error("invalid document id: it is empty")]
    Empty,
    /// The id is longer than the limit.
    #[error("invalid document id: {len} bytes exceeds the limit of {MAX_DOCUMENT_ID_LEN}")]
    TooLong {
        /// The length of the id in bytes.
        len: usize,
    },
    /// The id contains a character outside the allowed set.
    #[error(
        "invalid document id: character {character:?} at byte {index} is not \
         an ASCII letter, digit, '-', '_' or '.'"
    )]
    InvalidCharacter {
        /// The rejected character.
        character: char,
        /// Its byte offset in the id.
        index: usize,
    },
    /// The id starts with a dot.
    #[error("invalid document id {0:?}: it must not start with '.'")]
    LeadingDot(String),
}

impl DocumentId {
    /// Validates `id`.
    pub fn new(id: &str) -> Result<Self, DocumentIdError> {
        if id.is_empty() {
            return Err(DocumentIdError::Empty);
        }
        if id.len() > MAX_DOCUMENT_ID_LEN {
            return Err(DocumentIdError::TooLong { len: id.len() });
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if let Some((index, character)) = id.char_indices().find(|&(_, c)| !allowed(c)) {
            return Err(DocumentIdError::InvalidCharacter { character, index });
        }
        if id.starts_with('.') {
            return Err(DocumentIdError::LeadingDot(id.to_owned()));
        }
        Ok(DocumentId(id.to_owned()))
    }

    /// Returns the id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentId::new(s)
    }
}

impl Serialize for DocumentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DocumentId::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_ids() {
        for id in ["a", "notes-2026_01.txt", &"x".repeat(MAX_DOCUMENT_ID_LEN)] {
            assert_eq!(DocumentId::new(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn rejects_paths_and_odd_ids() {
        let cases = [
            ("", DocumentIdError::Empty),
            (
                "../etc",
                DocumentIdError::InvalidCharacter {
                    character: '/',
                    index: 2,
                },
            ),
            ("..", DocumentIdError::LeadingDot("..".to_owned())),
            (".hidden", DocumentIdError::LeadingDot(".hidden".to_owned())),
            (
                "a\\b",
                DocumentIdError::InvalidCharacter {
                    character: '\\',
                    index: 1,
                },
            ),
            (
                "caf\u{e9}",
                DocumentIdError::InvalidCharacter {
                    character: '\u{e9}',
                    index: 3,
                },
            ),
            (
                "a\0",
                DocumentIdError::InvalidCharacter {
                    character: '\0',
                    index: 1,
                },
            ),
        ];
        for (id, expected) in cases {
            assert_eq!(DocumentId::new(id), Err(expected), "id {id:?}");
        }
        let long = "x".repeat(MAX_DOCUMENT_ID_LEN + 1);
        assert_eq!(
            DocumentId::new(&long),
            Err(DocumentIdError::TooLong { len: 129 })
        );
    }
}
