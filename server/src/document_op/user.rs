//! The user a presence belongs to: a display name and a color, chosen by
//! the client and relayed as sent.

use serde::{Deserialize, Serialize};

/// The maximum length of a user name, in characters (Unicode scalar
/// values).
pub const MAX_USER_NAME_CHARS: usize = 64;

/// The user behind a presence, as other clients show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceUser {
    /// The display name: 1 to [`MAX_USER_NAME_CHARS`] characters, with no
    /// control characters.
    pub name: String,
    /// The color, as `#rrggbb` in hexadecimal digits.
    pub color: String,
}

impl PresenceUser {
    /// Checks the name and the color. Returns a message naming the value
    /// and the limit when one is invalid.
    pub fn check(&self) -> Result<(), String> {
        let chars = self.name.chars().count();
        if chars == 0 || chars > MAX_USER_NAME_CHARS {
            return Err(format!(
                "presence user name {:?} has {chars} characters: expected 1 to \
                 {MAX_USER_NAME_CHARS}",
                truncated(&self.name)
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(format!(
                "presence user name {:?} contains a control character",
                truncated(&self.name)
            ));
        }
        let hex = self.color.strip_prefix('#').unwrap_or_default();
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "presence user color {:?} is invalid: expected #rrggbb with 6 hexadecimal digits",
                truncated(&self.color)
            ));
        }
        Ok(())
    }
}

/// Returns at most the first 80 characters of `value`, so that an error
/// about an oversized value stays short.
fn truncated(value: &str) -> String {
    const MAX_SHOWN_CHARS: usize = 80;
    if value.chars().count() <= MAX_SHOWN_CHARS {
        value.to_owned()
    } else {
        let mut prefix: String = value.chars().take(MAX_SHOWN_CHARS).collect();
        prefix.push('…');
        prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, color: &str) -> PresenceUser {
        PresenceUser {
            name: name.to_owned(),
            color: color.to_owned(),
        }
    }

    #[test]
    fn user_accepts_valid_values() {
        assert_eq!(user("Ada", "#1e90ff").check(), Ok(()));
        assert_eq!(user("Zoë 🎨", "#ABCDEF").check(), Ok(()));
        assert_eq!(user(&"é".repeat(64), "#000000").check(), Ok(()));
    }

    #[test]
    fn user_name_limits() {
        let error = user("", "#000000").check().unwrap_err();
        assert_eq!(
            error,
            "presence user name \"\" has 0 characters: expected 1 to 64"
        );
        let error = user(&"a".repeat(65), "#000000").check().unwrap_err();
        assert_eq!(
            error,
            format!(
                "presence user name {:?} has 65 characters: expected 1 to 64",
                "a".repeat(65)
            )
        );
        let error = user("a\nb", "#000000").check().unwrap_err();
        assert_eq!(
            error,
            "presence user name \"a\\nb\" contains a control character"
        );
    }

    #[test]
    fn user_color_format() {
        for color in ["red", "#12345", "#1234567", "#12345g", "123456"] {
            let error = user("Ada", color).check().unwrap_err();
            assert_eq!(
                error,
                format!(
                    "presence user color {color:?} is invalid: expected #rrggbb with 6 \
                     hexadecimal digits"
                )
            );
        }
    }

    #[test]
    fn user_error_truncates_long_values() {
        let error = user(&"b".repeat(1000), "#000000").check().unwrap_err();
        assert!(error.len() < 200, "{error}");
        assert!(error.contains("has 1000 characters"), "{error}");
    }
}
