#!/usr/bin/env bash
# The demo: the session server with its embedded defaults (SQLite and files under
# ./data), the demo flow, the demo host page at http://127.0.0.1:8080/ and the built
# widget from dist/. `npm start` builds dist/ first. The debug build is the one the
# tests already made (the vision crate is optimised even there: see Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flow-widget/target}"
exec cargo run -p flow-server -- serve --demo \
  --addr "${FLOW_ADDR:-127.0.0.1:8080}" --widget-dir dist --data-dir data
