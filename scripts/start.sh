#!/usr/bin/env bash
# Sets up everything, then starts the sync server with the web demo on the
# embedded file store, at http://127.0.0.1:8080/ (override with
# ECHOSTREAM_ADDR and ECHOSTREAM_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

addr=${ECHOSTREAM_ADDR:-127.0.0.1:8080}
data=${ECHOSTREAM_DATA_DIR:-echostream-data}

cargo build --release -p echostream-server
printf '\n==> serving on http://%s/ with data in %s\n' "$addr" "$data"
exec target/release/echostream serve --addr "$addr" --data "$data"
