#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, the Rust tests (unit,
# conformance vectors, trace replays, property suites, server tests) and
# the npm package's tests in Node and headless Chromium. Installs what it
# needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "checking formatting"
cargo fmt --all --check

step "running clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "running the Rust tests"
# The Redis tests start their own redis-server; with this set they fail
# instead of skipping when it is missing.
ECHOSTREAM_REQUIRE_REDIS=1 cargo test --workspace

if [ -f package.json ]; then
    step "running the npm package tests"
    npm test
fi
