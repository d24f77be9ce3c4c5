//! Property-based convergence suites for EchoStream.

pub mod board;

/// The environment variable that raises the number of cases per property.
pub const CASES_ENV: &str = "ECHOSTREAM_PROPTEST_CASES";

/// Returns the number of cases per property: `ECHOSTREAM_PROPTEST_CASES`
/// when set to a number, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var(CASES_ENV)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
