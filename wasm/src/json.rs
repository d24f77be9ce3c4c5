//! Conversion of engine values to and from plain JavaScript values.
//!
//! Values go out through the JSON-compatible serializer of
//! `serde-wasm-bindgen`, so maps become plain objects rather than `Map`s
//! and the result survives `JSON.stringify` unchanged.
//!
//! Every value passes through a `serde_json::Value` on the way, so that
//! each engine type has one serializer and one deserializer in the module
//! (the offline log's JSON text uses the same pair) instead of one per
//! format: this keeps the WebAssembly module about a fifth smaller, for
//! an extra copy of each value that crosses.
//!
//! Values come in as the text of `JSON.stringify`, the one call that runs
//! the caller's code (getters, proxies, `toJSON`). Its exceptions are
//! caught there: an exception that unwound through the module while it
//! reads a value would leave the object borrowed for good.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{error, JsResult, MAX_DEPTH};

/// Converts an engine value to a plain JavaScript value.
pub fn to_js<T: Serialize + ?Sized>(value: &T, name: &str) -> JsResult<JsValue> {
    value_to_js(&to_value(value, name)?, name)
}

/// Converts a JSON value to a plain JavaScript value. Kept apart from the
/// generic [`to_js`] so that the module contains one copy of it.
#[inline(never)]
pub fn value_to_js(value: &Value, name: &str) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error(format!("failed to convert the {name} to JavaScript: {e}")))
}

/// Converts an engine value to a JSON value.
pub fn to_value<T: Serialize + ?Sized>(value: &T, name: &str) -> JsResult<Value> {
    serde_json::to_value(value).map_err(|e| encode_error(&e, name))
}

#[inline(never)]
fn encode_error(e: &serde_json::Error, name: &str) -> JsError {
    error(format!("failed to encode the {name}: {e}"))
}

/// Reads an engine value from a JSON value, with a message that names
/// what is wrong.
///
/// It reads from a borrowed value, which copies each string once more,
/// because `serde_json`'s deserializer for `&Value` takes about 10 KB
/// less of the WebAssembly module than the one for an owned `Value`.
pub fn from_value<T: DeserializeOwned>(value: &Value, name: &str) -> JsResult<T> {
    T::deserialize(value).map_err(|e| invalid(&e, name))
}

#[inline(never)]
fn invalid(e: &serde_json::Error, name: &str) -> JsError {
    error(format!("invalid {name}: {e}"))
}

/// Reads an engine value from a plain JavaScript value, rejecting lone
/// surrogates in its strings, nesting deeper than [`MAX_DEPTH`], cycles
/// and values that `JSON.stringify` drops (a `Map` reads as `{}`). The
/// message names what is wrong. O(size of the value).
pub fn from_js<T: DeserializeOwned>(value: JsValue, name: &str) -> JsResult<T> {
    from_value(&js_to_value(value, name)?, name)
}

/// Reads a JSON value from a plain JavaScript value, with the checks of
/// [`from_js`]. Kept apart from the generic [`from_js`] so that the
/// module contains one copy of it. O(size of the value).
#[inline(never)]
pub fn js_to_value(value: JsValue, name: &str) -> JsResult<Value> {
    let text = match js_sys::JSON::stringify(&value) {
        // `undefined` and functions have no JSON text.
        Ok(text) => text.as_string().unwrap_or_else(|| "null".to_owned()),
        Err(thrown) => {
            return Err(error(format!(
                "invalid {name}: it cannot be read as JSON: {}",
                message(thrown)
            )))
        }
    };
    serde_json::from_str(&text).map_err(|e| parse_error(&e, &text, name))
}

/// Returns the error for JSON text that `serde_json` rejects. The text
/// comes from `JSON.stringify`, so only its limits can fail: nesting, and
/// lone surrogates, which it writes as `\uXXXX` escapes.
fn parse_error(e: &serde_json::Error, json: &str, name: &str) -> JsError {
    let text = e.to_string();
    if text.starts_with("recursion limit exceeded") {
        error(format!(
            "invalid {name}: arrays and objects nest deeper than the maximum of {MAX_DEPTH} levels"
        ))
    } else if let Some(offset) = lone_surrogate_offset(json) {
        error(format!(
            "invalid {name}: it holds a lone UTF-16 surrogate at offset {offset}, which is no code point"
        ))
    } else {
        error(format!("invalid {name}: {text}"))
    }
}

/// Returns the UTF-16 offset, inside its string, of the first lone
/// surrogate in JSON text from `JSON.stringify`, which writes every lone
/// surrogate, and only those, as a `\uD800` to `\uDFFF` escape.
fn lone_surrogate_offset(json: &str) -> Option<usize> {
    let mut chars = json.chars();
    let mut in_string = false;
    let mut offset = 0; // UTF-16 units before the current one in the string
    while let Some(c) = chars.next() {
        if !in_string {
            if c == '"' {
                in_string = true;
                offset = 0;
            }
            continue;
        }
        match c {
            '"' => in_string = false,
            '\\' => {
                if chars.next()? == 'u' {
                    let hex: String = chars.by_ref().take(4).collect();
                    let unit = u16::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..=0xDFFF).contains(&unit) {
                        return Some(offset);
                    }
                }
                offset += 1;
            }
            other => offset += other.len_utf16(),
        }
    }
    None
}

/// Returns the message of a thrown JavaScript value: an `Error`'s
/// message, or the value's debug form.
fn message(thrown: JsValue) -> String {
    match thrown.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => format!("{thrown:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::lone_surrogate_offset;

    #[test]
    fn lone_surrogate_offsets() {
        let cases = [
            (r#"["\ud800"]"#, Some(0)),
            (r#"[1,{"d":"x\udc00"}]"#, Some(1)),
            (r#"["a😀\n\u0041\udbff"]"#, Some(5)),
            (r#"["ok","ab\ud800"]"#, Some(2)),
            (r#"["😀"]"#, None),
            (r#"["\\ud800"]"#, None),
        ];
        for (json, expected) in cases {
            assert_eq!(lone_surrogate_offset(json), expected, "{json}");
        }
    }
}
