//! Conversion of engine values to and from plain JavaScript values.
//!
//! Values go out through the JSON-compatible serializer of
//! `serde-wasm-bindgen`, so maps become plain objects rather than `Map`s
//! and the result survives `JSON.stringify` unchanged.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{check_strings, error, JsResult};

/// Converts an engine value to a plain JavaScript value.
pub fn to_js<T: Serialize + ?Sized>(value: &T, name: &str) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error(format!("failed to convert the {name} to JavaScript: {e}")))
}

/// Reads an engine value from a plain JavaScript value, rejecting lone
/// surrogates in its strings. The message names what is wrong.
pub fn from_js<T: DeserializeOwned>(value: JsValue, name: &str) -> JsResult<T> {
    check_strings(&value, name)?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| error(format!("invalid {name}: {}", message(e))))
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
