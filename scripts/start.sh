#!/usr/bin/env bash
# Sets up everything, then starts the sync server with the web demo on the
# embedded file store, at http://127.0.0.1:8080/ (override with
# ECHOSTREAM_ADDR and ECHOSTREAM_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

addr=${ECHOSTREAM_ADDR:-127.0.0.1:8080}
data=${ECHOSTREAM_DATA_DIR:-echostream-data}

step() { printf '\n==> %s\n' "$*"; }

step "building the server, target/release/echostream"
cargo build --release -p echostream-server
step "serving on http://$addr/ with data in $data"
exec target/release/echostream serve --addr "$addr" --data "$data"
