#!/usr/bin/env bash
# Speed figures, printed (never asserted): the vision core natively (criterion, per
# 1280×720 frame, median and spread). See README "Measurements".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flow-widget/target}"
printf '== vision core, native (%s, %s cores)\n' "$(uname -m)" "$(nproc)"
cargo bench -p kyc-vision --bench analyse -- --noplot

printf '\n== vision core, wasm32 in headless Chromium (release build)\n'
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release -p kyc-vision --target wasm32-unknown-unknown --test wasm -- --nocapture 2>&1 |
  grep -E '^wasm32'

printf '\n== session server on loopback (session create, capture upload)\n'
cargo bench -p flow-server --bench load
