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

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{check_strings, error, JsResult};

/// Converts an engine value to a plain JavaScript value.
pub fn to_js<T: Serialize + ?Sized>(value: &T, name: &str) -> JsResult<JsValue> {
    let value = to_value(value, name)?;
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error(format!("failed to convert the {name} to JavaScript: {e}")))
}

/// Converts an engine value to a JSON value.
pub fn to_value<T: Serialize + ?Sized>(value: &T, name: &str) -> JsResult<Value> {
    serde_json::to_value(value).map_err(|e| error(format!("failed to encode the {name}: {e}")))
}

/// Reads an engine value from a JSON value, with a message that names
/// what is wrong.
pub fn from_value<T: DeserializeOwned>(value: Value, name: &str) -> JsResult<T> {
    serde_json::from_value(value).map_err(|e| error(format!("invalid {name}: {e}")))
}

/// Reads an engine value from a plain JavaScript value, rejecting lone
/// surrogates in its strings. The message names what is wrong.
pub fn from_js<T: DeserializeOwned>(value: JsValue, name: &str) -> JsResult<T> {
    check_strings(&value, name)?;
    let value: Value = serde_wasm_bindgen::from_value(value)
        .map_err(|e| error(format!("invalid {name}: {}", message(e))))?;
    from_value(value, name)
}

/// Returns the bare message of a `serde-wasm-bindgen` error, whose
/// `Display` adds an "Error: " prefix.
fn message(e: serde_wasm_bindgen::Error) -> String {
    let value = JsValue::from(e);
    match value.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => format!("{value:?}"),
    }
}
