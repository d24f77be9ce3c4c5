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
//! reads a value would leave the object borrowed for good. The text is
//! checked, parsed back by `JSON.parse` and read with `serde-wasm-bindgen`
//! (see [`parse_json`]).

use std::str::Chars;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{describe, error, number_text, JsResult, MAX_DEPTH, MAX_SAFE_INTEGER};

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

/// Returns the error of [`from_value`]: `invalid {name}: {e}`. An error
/// on a `u64` field, which every counter is, also names the counter
/// range: JSON input reads numbers of 2^53 and more as floats, so serde's
/// message alone names a float and no limit.
#[inline(never)]
pub fn invalid(e: &serde_json::Error, name: &str) -> JsError {
    let message = e.to_string();
    if message.ends_with("expected u64") {
        return error(format!(
            "invalid {name}: {message}; counters are integers from 0 to {MAX_SAFE_INTEGER}"
        ));
    }
    error(format!("invalid {name}: {message}"))
}

/// Reads an engine value from a plain JavaScript value, rejecting lone
/// surrogates in its strings, nesting deeper than [`MAX_DEPTH`], cycles,
/// `BigInt`s, and `Map`s and `Set`s, which `JSON.stringify` writes as `{}`.
/// The message names what is wrong. O(size of the value).
///
/// NOTE: other values that `JSON.stringify` drops or rewrites are read as
/// it writes them, not rejected. `undefined`, functions and symbols read
/// as null or are left out. A `Map` or `Set` with own enumerable
/// properties reads as those properties. A `NaN` or an infinity is
/// rejected when it is the whole value. Inside an array or an object it
/// reads as null, and when `T` rejects that null the error names the
/// number and its path instead.
pub fn from_js<T: DeserializeOwned>(value: JsValue, name: &str) -> JsResult<T> {
    let parsed = js_to_value(value.clone(), name)?;
    T::deserialize(&parsed).map_err(|e| read_error(&e, &parsed, &value, name))
}

/// Returns the error of [`from_js`]. A non-finite number reads as null,
/// which the type rejects under a message that names null, so the error
/// names the number instead when `js` contains one. Not generic, so that
/// the module contains it once.
#[inline(never)]
fn read_error(e: &serde_json::Error, parsed: &Value, js: &JsValue, name: &str) -> JsError {
    let mut path = String::new();
    match find_rewritten(parsed, js, &mut path, Search::NonFinite) {
        Some(found) => rewritten_error(name, found, &path),
        None => invalid(e, name),
    }
}

/// Reads a JSON value from a plain JavaScript value, with the checks of
/// [`from_js`]. Kept apart from the generic [`from_js`] so that the
/// module contains one copy of it. O(size of the value).
#[inline(never)]
pub fn js_to_value(value: JsValue, name: &str) -> JsResult<Value> {
    // `JSON.stringify` writes a non-finite number as null, which an
    // optional value reads as absent, so `setOp(id, key, NaN)` would
    // remove the property.
    if let Some(number) = value.as_f64().filter(|n| !n.is_finite()) {
        return Err(rewritten_error(name, Rewritten::NonFinite(number), ""));
    }
    let text = match js_sys::JSON::stringify(&value) {
        Ok(text) => text,
        Err(thrown) => return Err(stringify_error(thrown, name)),
    };
    // `undefined` and functions have no JSON text.
    let Some(text) = text.as_string() else {
        return Ok(Value::Null);
    };
    let parsed =
        parse_json(&text).map_err(|message| error(format!("invalid {name}: {message}")))?;
    // A `Map` or a `Set` is written as `{}`, so only text with an empty
    // object in it can have held one. Other text pays for this search alone.
    if text.as_bytes().windows(2).any(|pair| pair == b"{}") {
        let mut path = String::new();
        if let Some(found) = find_rewritten(&parsed, &value, &mut path, Search::Collections) {
            return Err(rewritten_error(name, found, &path));
        }
    }
    Ok(parsed)
}

/// Returns the error for a value that `JSON.stringify` threw on. Nesting
/// thousands of levels deep overflows the JavaScript stack, which V8
/// (Node 20, Chromium) reports as a `RangeError`, so that error also names
/// the nesting limit. `JSON.stringify` also throws a `RangeError` for text
/// longer than the maximum string length, where the hint does not apply.
// NOTE: other engines may report the overflow otherwise (Firefox throws an
// `InternalError`), and the message then lacks the limit.
#[inline(never)]
fn stringify_error(thrown: JsValue, name: &str) -> JsError {
    let hint = if thrown.is_instance_of::<js_sys::RangeError>() {
        format!(" (arrays and objects may nest at most {MAX_DEPTH} levels)")
    } else {
        String::new()
    };
    error(format!(
        "invalid {name}: it cannot be read as JSON: {}{hint}",
        message(thrown)
    ))
}

/// Returns the message for arrays and objects nested deeper than
/// [`MAX_DEPTH`].
fn depth_message() -> String {
    format!("arrays and objects nest deeper than the maximum of {MAX_DEPTH} levels")
}

/// A value that `JSON.stringify` wrote as another value.
enum Rewritten {
    /// A `Map` or a `Set`, written as `{}`: its class.
    Collection(&'static str),
    /// `NaN` or an infinity, written as `null`.
    NonFinite(f64),
}

/// The values that [`find_rewritten`] searches for.
#[derive(Clone, Copy, PartialEq)]
enum Search {
    Collections,
    NonFinite,
}

impl Search {
    /// Returns true if the search looks up the JavaScript value of
    /// `child`: an array or an object, or for [`Search::NonFinite`] also
    /// a null.
    fn visits(self, child: &Value) -> bool {
        child.is_object() || child.is_array() || (self == Search::NonFinite && child.is_null())
    }
}

/// Returns the first value in `js` that `JSON.stringify` wrote as
/// another value in `parsed`, and writes its path into `path`. It looks
/// up the JavaScript value of each array and object on the way (and of
/// each null, for [`Search::NonFinite`]), so it costs one call into
/// JavaScript per such value. A value that `toJSON` rewrote has other
/// paths and is not found.
fn find_rewritten(
    parsed: &Value,
    js: &JsValue,
    path: &mut String,
    search: Search,
) -> Option<Rewritten> {
    let start = path.len();
    match parsed {
        Value::Object(entries) if entries.is_empty() && search == Search::Collections => {
            if js.is_instance_of::<js_sys::Map>() {
                return Some(Rewritten::Collection("Map"));
            }
            if js.is_instance_of::<js_sys::Set>() {
                return Some(Rewritten::Collection("Set"));
            }
        }
        Value::Null if search == Search::NonFinite => {
            let number = js.as_f64().filter(|n| !n.is_finite());
            return number.map(Rewritten::NonFinite);
        }
        Value::Object(entries) => {
            for (key, child) in entries.iter().filter(|(_, child)| search.visits(child)) {
                path.push('.');
                path.push_str(key);
                let found = js_sys::Reflect::get(js, &JsValue::from_str(key))
                    .ok()
                    .and_then(|child_js| find_rewritten(child, &child_js, path, search));
                if found.is_some() {
                    return found;
                }
                path.truncate(start);
            }
        }
        Value::Array(items) => {
            let visited = items.iter().enumerate().filter(|(_, c)| search.visits(c));
            for (index, child) in visited {
                path.push_str(&format!("[{index}]"));
                let found = js_sys::Reflect::get_u32(js, index as u32)
                    .ok()
                    .and_then(|child_js| find_rewritten(child, &child_js, path, search));
                if found.is_some() {
                    return found;
                }
                path.truncate(start);
            }
        }
        _ => {}
    }
    None
}

/// Returns the error for a value that `JSON.stringify` rewrote, found at
/// `path`, which is empty for the value itself.
#[inline(never)]
fn rewritten_error(name: &str, found: Rewritten, path: &str) -> JsError {
    let place = if path.is_empty() {
        "it".to_owned()
    } else {
        format!("the value at {}", path.trim_start_matches('.'))
    };
    let message = match found {
        Rewritten::Collection(class) => {
            let fix = if class == "Map" {
                "a plain object, for example Object.fromEntries(map)"
            } else {
                "an array, for example Array.from(set)"
            };
            format!("{place} is a {class}, which JSON.stringify writes as {{}}; pass {fix}")
        }
        Rewritten::NonFinite(number) => format!(
            "{place} is {}, which JSON.stringify writes as null; pass a finite number",
            number_text(number)
        ),
    };
    error(format!("invalid {name}: {message}"))
}

/// Writes `value` as compact JSON text, as its `Display` form does. That
/// form would also bring serde_json's pretty printer into the module.
#[inline(never)]
pub fn value_text(value: &Value) -> String {
    match serde_json::to_string(value) {
        Ok(text) => text,
        Err(error) => panic!("a JSON value encodes as JSON: {error}"),
    }
}

/// Parses JSON text into a JSON value, or returns a message that names
/// what is wrong: nesting deeper than [`MAX_DEPTH`], a lone surrogate, or
/// the syntax error of `JSON.parse`. O(length of the text).
///
/// The text is parsed by JavaScript's `JSON.parse`, and its result is read
/// with `serde-wasm-bindgen`, so that the module contains no JSON text
/// parser of its own. `serde_json`'s parser, with the exact float parsing
/// that the numbers of `JSON.stringify` need, made the optimized module
/// 21 KB larger (13 KB gzipped) than this path does. The price is speed:
/// reading a value this way costs a few calls into JavaScript per array
/// element and object entry. Numbers of 2^53 and more read as floats, as
/// JavaScript stores them, so integer fields reject them.
pub fn parse_json(text: &str) -> Result<Value, String> {
    if let Some(problem) = text_problem(text) {
        return Err(problem);
    }
    let parsed = js_sys::JSON::parse(text).map_err(message)?;
    Value::deserialize(serde_wasm_bindgen::Deserializer::from(parsed)).map_err(|e| e.to_string())
}

/// Returns the message for the first problem in JSON text that `JSON.parse`
/// would let through. Arrays and objects that nest deeper than
/// [`MAX_DEPTH`] would overflow the stack when the result is read, and a
/// lone surrogate has no code point.
fn text_problem(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let mut depth = 0;
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(depth_message());
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '"' => {
                if let Some(offset) = lone_surrogate_offset(&mut chars) {
                    return Some(format!(
                        "it holds a lone UTF-16 surrogate at offset {offset}, which is no code point"
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads a JSON string up to and including its closing quote, and returns
/// the UTF-16 offset, inside the string, of its first lone surrogate. In
/// JSON text a surrogate can only be written as a `\uD800` to `\uDFFF`
/// escape, and `JSON.stringify` writes every lone one so.
fn lone_surrogate_offset(chars: &mut Chars<'_>) -> Option<usize> {
    let mut offset = 0; // UTF-16 units before the current one
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                if chars.next() != Some('u') {
                    offset += 1;
                    continue;
                }
                match hex_unit(chars) {
                    Some(0xD800..=0xDBFF) => {
                        // A pair is two escapes in a row, high then low.
                        let mut rest = chars.clone();
                        let low = match (rest.next(), rest.next()) {
                            (Some('\\'), Some('u')) => hex_unit(&mut rest),
                            _ => None,
                        };
                        if !matches!(low, Some(0xDC00..=0xDFFF)) {
                            return Some(offset);
                        }
                        *chars = rest;
                        offset += 2;
                    }
                    Some(0xDC00..=0xDFFF) => return Some(offset),
                    _ => offset += 1,
                }
            }
            other => offset += other.len_utf16(),
        }
    }
    None
}

/// Reads the four hex digits of a `\u` escape.
fn hex_unit(chars: &mut Chars<'_>) -> Option<u16> {
    let hex: String = chars.by_ref().take(4).collect();
    u16::from_str_radix(&hex, 16).ok()
}

/// Returns the message of a thrown JavaScript value: an `Error`'s
/// message, or "it threw" and the value as [`describe`] quotes it (its
/// JSON text, or its type when it has none).
fn message(thrown: JsValue) -> String {
    match thrown.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => format!("it threw {}", describe(&thrown)),
    }
}

#[cfg(test)]
mod tests {
    use super::{text_problem, MAX_DEPTH};

    fn surrogate_at(offset: usize) -> Option<String> {
        Some(format!(
            "it holds a lone UTF-16 surrogate at offset {offset}, which is no code point"
        ))
    }

    #[test]
    fn lone_surrogate_offsets() {
        let cases = [
            (r#"["\ud800"]"#, surrogate_at(0)),
            (r#"[1,{"d":"x\udc00"}]"#, surrogate_at(1)),
            (r#"["a😀\n\u0041\udbff"]"#, surrogate_at(5)),
            (r#"["ok","ab\ud800"]"#, surrogate_at(2)),
            (r#"["\ud83d\ude00x\ud800"]"#, surrogate_at(3)),
            (r#"["\ud83d\u0041"]"#, surrogate_at(0)),
            (r#"["\ud83d"]"#, surrogate_at(0)),
            (r#"{"\udc00":1}"#, surrogate_at(0)),
            (r#"["😀"]"#, None),
            (r#"["\\ud800"]"#, None),
            (r#"["\ud83d\ude00"]"#, None),
        ];
        for (json, expected) in cases {
            assert_eq!(text_problem(json), expected, "{json}");
        }
    }

    #[test]
    fn nesting_limit() {
        let too_deep = Some(format!(
            "arrays and objects nest deeper than the maximum of {MAX_DEPTH} levels"
        ));
        let deepest = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(text_problem(&deepest), None);
        let deeper = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(text_problem(&deeper), too_deep);
        let objects = r#"{"a":"#.repeat(MAX_DEPTH + 1);
        assert_eq!(text_problem(&objects), too_deep);
        let siblings = "[".to_owned() + &"[[]],".repeat(MAX_DEPTH) + "1]";
        assert_eq!(text_problem(&siblings), None);
    }

    #[test]
    fn brackets_in_strings_do_not_nest() {
        let quoted = format!(r#"["{}"]"#, "[{".repeat(MAX_DEPTH));
        assert_eq!(text_problem(&quoted), None);
        let escaped_quote = format!(r#"["\"{}"]"#, "[".repeat(MAX_DEPTH));
        assert_eq!(text_problem(&escaped_quote), None);
    }

    #[test]
    fn first_problem_is_named() {
        let deep_then_lone = "[".repeat(MAX_DEPTH + 1) + r#""\ud800""#;
        assert!(text_problem(&deep_then_lone)
            .unwrap()
            .starts_with("arrays and objects nest deeper"));
        let lone_then_deep = r#"["\ud800","#.to_owned() + &"[".repeat(MAX_DEPTH + 1);
        assert_eq!(text_problem(&lone_then_deep), surrogate_at(0));
    }
}
