//! Checks of arguments that arrive from JavaScript, with errors that name
//! the rejected value.

use echostream::Side;
use js_sys::JsString;
use wasm_bindgen::prelude::*;

/// The result type of every fallible binding: the error becomes a thrown
/// JavaScript `Error`.
pub type JsResult<T> = Result<T, JsError>;

/// The largest integer a JavaScript number holds exactly, 2^53 - 1.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[wasm_bindgen]
extern "C" {
    /// A JavaScript string, viewed for the one method that `js_sys` lacks.
    type StringValue;

    /// `String.prototype.isWellFormed`: false when the string holds a lone
    /// surrogate. Present in Node 20 and current browsers.
    #[wasm_bindgen(method, js_name = isWellFormed)]
    fn is_well_formed(this: &StringValue) -> bool;
}

/// True if `value` holds no lone surrogate.
fn is_well_formed(value: &JsString) -> bool {
    value.unchecked_ref::<StringValue>().is_well_formed()
}

/// Returns an error with `message`.
pub fn error(message: impl AsRef<str>) -> JsError {
    JsError::new(message.as_ref())
}

/// Converts a JavaScript number to an index or a length, rejecting
/// negative, fractional, infinite and unsafe values.
pub fn to_index(value: f64, name: &str) -> JsResult<usize> {
    if !(value.is_finite() && value >= 0.0 && value.fract() == 0.0) {
        return Err(error(format!(
            "invalid {name} {value}: expected a non-negative integer"
        )));
    }
    if value > MAX_SAFE_INTEGER || value > usize::MAX as f64 {
        return Err(error(format!(
            "invalid {name} {value}: the maximum is {}",
            MAX_SAFE_INTEGER.min(usize::MAX as f64)
        )));
    }
    Ok(value as usize)
}

/// Converts a JavaScript number to a counter, such as a sequence number or
/// a revision.
pub fn to_counter(value: f64, name: &str) -> JsResult<u64> {
    to_index(value, name).map(|n| n as u64)
}

/// Converts a counter to a JavaScript number, rejecting counters above
/// 2^53 - 1, which a number cannot hold exactly.
pub fn from_counter(value: u64, name: &str) -> JsResult<f64> {
    if value as f64 > MAX_SAFE_INTEGER {
        return Err(error(format!(
            "{name} {value} is above the maximum {MAX_SAFE_INTEGER} that a JavaScript number holds exactly"
        )));
    }
    Ok(value as f64)
}

/// Reads a side, `"left"` or `"right"`.
pub fn to_side(value: &str) -> JsResult<Side> {
    match value {
        "left" => Ok(Side::Left),
        "right" => Ok(Side::Right),
        other => Err(error(format!(
            "invalid side {other:?}: expected \"left\" or \"right\""
        ))),
    }
}

/// Converts a JavaScript string to Rust, rejecting a string that holds a
/// lone surrogate, which has no code point and would otherwise be replaced
/// by U+FFFD without notice. Costs one extra call across the boundary.
pub fn to_text(value: &JsString, name: &str) -> JsResult<String> {
    if !is_well_formed(value) {
        return Err(lone_surrogate_error(value, name));
    }
    Ok(String::from(value))
}

/// Returns the error for a string with a lone surrogate, naming the UTF-16
/// offset of the first one.
fn lone_surrogate_error(value: &JsString, name: &str) -> JsError {
    let units: Vec<u16> = value.iter().collect();
    let mut offset = 0;
    for unit in std::char::decode_utf16(units.iter().copied()) {
        match unit {
            Ok(c) => offset += c.len_utf16(),
            Err(_) => break,
        }
    }
    error(format!(
        "invalid {name}: it holds a lone UTF-16 surrogate at offset {offset}, which is no code point"
    ))
}

/// Checks every string inside a JSON-compatible value (arrays and plain
/// objects, recursively) for lone surrogates. O(size of the value), with
/// one call across the boundary per element.
pub fn check_strings(value: &JsValue, name: &str) -> JsResult<()> {
    if let Some(text) = value.dyn_ref::<JsString>() {
        if !is_well_formed(text) {
            return Err(lone_surrogate_error(text, name));
        }
    } else if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        for item in array.iter() {
            check_strings(&item, name)?;
        }
    } else if value.is_object() {
        for item in js_sys::Object::values(value.unchecked_ref()).iter() {
            check_strings(&item, name)?;
        }
    }
    Ok(())
}
