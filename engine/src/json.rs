//! JSON text of values that the readers quote in their error messages.

use serde_json::Value;

use crate::invariant::expect_ok;

/// Writes `value` as compact JSON, as its `Display` form does. That form
/// would also bring serde_json's pretty printer into the wasm module.
pub(crate) fn json_text(value: &Value) -> String {
    expect_ok(serde_json::to_string(value), "a JSON value encodes as JSON")
}
