#!/usr/bin/env bash
# Every test, in the order that fails fastest: formatting and lints, native tests,
# browser tests of the wasm build, then the built package end to end in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flow-widget/target}"
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native crates, and the wasm32 builds)"
cargo clippy --workspace --exclude flow-widget --all-targets --all-features -- -D warnings
cargo clippy -p flow-widget --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy -p kyc-vision --target wasm32-unknown-unknown --lib --tests -- -D warnings

step "native tests"
# The server's accept-path tests must fail, not skip, if the reader stops reading.
export FLOW_REQUIRE_READER=1
cargo test --workspace
cargo test -p kyc-vision --features cli --test cli

step "session server on PostgreSQL + S3 (moto)"
bash scripts/pg-test.sh

step "test-data generator (Python)"
python3 tests/vision/test_gen.py

step "browser tests (wasm-bindgen-test in headless Chromium)"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test -p flow-widget --target wasm32-unknown-unknown --test browser
cargo test -p kyc-vision --target wasm32-unknown-unknown --test wasm

step "build dist/ and the session server the end-to-end tests run against"
node scripts/build.mjs
cargo build -p flow-server

step "end-to-end tests (Playwright, headless Chromium)"
node --test --test-concurrency=1 tests/e2e/
