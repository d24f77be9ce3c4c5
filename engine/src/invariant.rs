//! Panics for results that are `Ok` unless the engine has a bug.

use std::fmt::Display;

/// Returns the value of `result`, which is `Ok` unless the engine has a
/// bug, and panics with `invariant` and the error's `Display` form
/// otherwise.
///
/// `Result::expect` would print the error's `Debug` form, and that alone
/// keeps each error type's derived `Debug` code in the wasm module.
///
/// # Panics
///
/// Panics when `result` is an error.
#[track_caller]
pub(crate) fn expect_ok<T, E: Display>(result: Result<T, E>, invariant: &str) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{invariant}: {error}"),
    }
}
