#!/usr/bin/env bash
# Installs what building and testing EchoStream needs, skipping whatever is
# already there: the wasm32 target, the wasm-bindgen CLI of the crate's
# version, Debian's Chromium and ChromeDriver for the browser tests, Redis
# for the tests of the Redis store, and the npm packages. Then builds the
# npm package and the web demo.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
    # --locked fails against this registry, so it is left out.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

missing=()
for package in chromium chromium-driver redis-server; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
fi

if [ -f package.json ]; then
    step "installing npm packages"
    npm ci --no-audit --no-fund
    step "building the npm package"
    npm run build
    # Read the whole listing first. Piped into `grep -q`, which exits at
    # its first match, npm can write into a closed pipe and print an error.
    scripts=$(npm run)
    if grep -q '^  build:demo$' <<<"$scripts"; then
        step "building the web demo"
        npm run build:demo
    fi
fi
