//! Checks of arguments that arrive from JavaScript, with errors that name
//! the rejected value.

use echostream::Side;
use js_sys::{JsString, Number};
use wasm_bindgen::prelude::*;

/// The result type of every fallible binding: the error becomes a thrown
/// JavaScript `Error`.
pub type JsResult<T> = Result<T, JsError>;

/// The largest integer a JavaScript number holds exactly, 2^53 - 1.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The deepest nesting of arrays and objects accepted in a value from
/// JavaScript or in stored JSON text. The conversions recurse once per
/// level on the WebAssembly stack, which has no guard page, so a few
/// thousand levels would overflow it into the module's data and break
/// every later call.
pub const MAX_DEPTH: usize = 128;

/// The maximum number of characters of a rejected value quoted in an error
/// message.
const QUOTED_CHARS: usize = 80;

#[wasm_bindgen]
extern "C" {
    /// A JavaScript string, viewed for the one method that `js_sys` lacks.
    type StringValue;

    /// `String.prototype.isWellFormed`: false when the string holds a lone
    /// surrogate. Present in Node 20 and current browsers.
    #[wasm_bindgen(method, js_name = isWellFormed)]
    fn is_well_formed(this: &StringValue) -> bool;

    /// JavaScript's `String(value)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: f64) -> String;
}

/// Returns true if `value` contains no lone surrogate.
fn is_well_formed(value: &JsString) -> bool {
    value.unchecked_ref::<StringValue>().is_well_formed()
}

/// Returns an error with `message`.
pub fn error(message: impl AsRef<str>) -> JsError {
    JsError::new(message.as_ref())
}

/// The largest index or length, `usize::MAX`: 4,294,967,295 on wasm32.
/// Memory bounds text positions and lengths well below it.
const MAX_INDEX: f64 = usize::MAX as f64;

/// Converts a JavaScript number to an integer from 0 to `max`, rejecting
/// negative, fractional, infinite and larger values.
fn to_integer(value: f64, name: &str, max: f64) -> Result<f64, JsError> {
    if !(value.is_finite() && value >= 0.0 && value.fract() == 0.0) {
        return Err(not_an_integer(&number_text(value), name));
    }
    if value > max {
        return Err(error(format!(
            "invalid {name} {}: the maximum is {max}",
            number_text(value)
        )));
    }
    Ok(value)
}

/// Returns the error for an argument that is no non-negative integer.
#[inline(never)]
fn not_an_integer(printed: &str, name: &str) -> JsError {
    error(format!(
        "invalid {name} {printed}: expected a non-negative integer"
    ))
}

/// Reads a non-negative integer up to `max` from a JavaScript value: the
/// shared slow path of [`index_arg`] and [`counter_arg`], which builds the
/// error.
#[inline(never)]
fn integer_arg(value: &JsValue, name: &str, max: f64) -> Result<f64, JsError> {
    match value.as_f64() {
        Some(number) => to_integer(number, name, max),
        None => Err(not_an_integer(&describe(value), name)),
    }
}

/// Reads an index or a length from a JavaScript value, rejecting anything
/// but a number instead of converting it as `Number()` would (`null` to 0,
/// `"3"` to 3, `true` to 1). The maximum is `usize::MAX`, 4,294,967,295
/// on wasm32.
///
/// A valid index costs two light calls into JavaScript
/// (`Number.isSafeInteger`, then the value as a number). Together they
/// took about half the time of `JsValue::as_f64` in Node 20, because
/// `as_f64` writes its result through memory. Any other value takes the
/// slower path that builds the error.
pub fn index_arg(value: &JsValue, name: &str) -> JsResult<usize> {
    if Number::is_safe_integer(value) {
        let number = value.unchecked_into_f64();
        if (0.0..=MAX_INDEX).contains(&number) {
            return Ok(number as usize);
        }
    }
    integer_arg(value, name, MAX_INDEX).map(|n| n as usize)
}

/// Reads a counter, such as a revision or a sequence number, from a
/// JavaScript value: an integer number from 0 to 2^53 - 1
/// ([`MAX_SAFE_INTEGER`]), the range that JSON input reads exactly. The
/// error names the argument, the value and the limit. Costs the same as
/// [`index_arg`].
pub fn counter_arg(value: &JsValue, name: &str) -> JsResult<u64> {
    if Number::is_safe_integer(value) {
        let number = value.unchecked_into_f64();
        if number >= 0.0 {
            return Ok(number as u64);
        }
    }
    integer_arg(value, name, MAX_SAFE_INTEGER).map(|n| n as u64)
}

/// Reads a number from a JavaScript value, rejecting anything but a
/// number. NaN and infinities pass through for the caller to check.
pub fn number_arg(value: &JsValue, name: &str) -> JsResult<f64> {
    value.as_f64().ok_or_else(|| {
        error(format!(
            "invalid {name} {}: expected a number",
            describe(value)
        ))
    })
}

/// Reads a string from a JavaScript value, rejecting anything else. Use
/// [`to_text`] for text that goes into a document, which must also be
/// free of lone surrogates.
pub fn str_arg(value: &JsValue, name: &str) -> JsResult<String> {
    value.as_string().ok_or_else(|| {
        error(format!(
            "invalid {name} {}: expected a string",
            describe(value)
        ))
    })
}

/// Reads a side, `"left"` or `"right"`, from a JavaScript value.
pub fn side_arg(value: &JsValue) -> JsResult<Side> {
    match value.as_string() {
        Some(text) => to_side(&text),
        None => Err(error(format!(
            "invalid side {}: expected \"left\" or \"right\"",
            describe(value)
        ))),
    }
}

/// Writes a number as JavaScript prints it: `NaN`, `Infinity`, and an
/// exponent from 1e21 on and below 1e-6, instead of Rust's `inf`, hundreds
/// of digits and long runs of zeros. JavaScript's `String` writes it, so
/// that Rust's exponent formatting stays out of the module. One call into
/// JavaScript.
pub fn number_text(value: f64) -> String {
    js_string(value)
}

/// Describes a rejected JavaScript value for an error message: its JSON
/// text cut to 80 characters, as `new Number(1)` for a boxed primitive,
/// or its type when it has none.
pub fn describe(value: &JsValue) -> String {
    if value.is_undefined() {
        return "undefined".to_owned();
    }
    if let Some(number) = value.as_f64() {
        return number_text(number);
    }
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string());
    // JSON writes a boxed primitive as the primitive, which would make
    // `new Number(1)` read as "invalid range start 1: expected a
    // non-negative integer".
    let text = match (boxed_class(value), text) {
        (Some(class), Some(text)) => Some(format!("new {class}({text})")),
        (_, text) => text,
    };
    match text {
        Some(text) if text.chars().count() > QUOTED_CHARS => {
            let cut: String = text.chars().take(QUOTED_CHARS).collect();
            format!("{cut}…")
        }
        Some(text) => text,
        None => format!(
            "of type {}",
            value.js_typeof().as_string().unwrap_or_default()
        ),
    }
}

/// Returns the class of a boxed primitive (`new Number(1)`,
/// `new String("a")`, `new Boolean(true)`), or `None` for another value.
fn boxed_class(value: &JsValue) -> Option<&'static str> {
    if !value.is_object() {
        None
    } else if value.is_instance_of::<Number>() {
        Some("Number")
    } else if value.is_instance_of::<JsString>() {
        Some("String")
    } else if value.is_instance_of::<js_sys::Boolean>() {
        Some("Boolean")
    } else {
        None
    }
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
fn to_side(value: &str) -> JsResult<Side> {
    match value {
        "left" => Ok(Side::Left),
        "right" => Ok(Side::Right),
        other => Err(error(format!(
            "invalid side {other:?}: expected \"left\" or \"right\""
        ))),
    }
}

/// The maximum length, in UTF-16 code units, of a text that [`to_text`]
/// reads one code unit at a time. Each unit is one light call across the
/// boundary, which for a typed character or two costs less than copying
/// the string through memory. Longer texts are copied.
const SHORT_TEXT_UNITS: u32 = 4;

/// Converts a JavaScript string to Rust, rejecting another type and a
/// string that contains a lone surrogate, which has no code point and would
/// otherwise be replaced by U+FFFD without notice. A text of up to 4 code
/// units costs two calls across the boundary plus one per unit. A longer
/// one costs three calls and a copy, and one more call when it contains
/// U+FFFD.
pub fn to_text(value: &JsString, name: &str) -> JsResult<String> {
    if !value.is_string() {
        return Err(error(format!(
            "invalid {name} {}: expected a string",
            describe(value)
        )));
    }
    let units = value.length();
    if units <= SHORT_TEXT_UNITS {
        let code_units = (0..units).map(|index| value.char_code_at(index) as u16);
        return std::char::decode_utf16(code_units)
            .collect::<Result<String, _>>()
            .map_err(|_| lone_surrogate_error(value, name));
    }
    let text = String::from(value);
    // The copy into WebAssembly memory writes U+FFFD in place of each lone
    // surrogate, so only a text with U+FFFD in it can have held one.
    if text.contains('\u{FFFD}') && !is_well_formed(value) {
        return Err(lone_surrogate_error(value, name));
    }
    Ok(text)
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
