//! Property-based convergence suites for EchoStream.
