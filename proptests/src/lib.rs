//! Property-based convergence suites for EchoStream.

pub mod board;

/// The environment variable that sets the number of cases per property.
pub const CASES_ENV: &str = "ECHOSTREAM_PROPTEST_CASES";

/// Returns the number of cases per property: [`CASES_ENV`] when it is set
/// to a positive integer, `default` otherwise.
///
/// # Panics
///
/// Panics if the variable is set but is not a positive integer, so that a
/// typo does not silently run the default count.
pub fn cases(default: u32) -> u32 {
    match std::env::var(CASES_ENV) {
        Err(_) => default,
        Ok(text) => match text.trim().parse() {
            Ok(n) if n > 0 => n,
            _ => panic!("invalid {CASES_ENV} {text:?}: expected a positive integer"),
        },
    }
}
