#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing, so a second run
# takes seconds. Called by every npm script and by .ci/run. See README "Toolchain".
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; exit 1
  fi
}

# Rust's wasm32 standard library, from rustup (seconds).
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's CLI must match the library in Cargo.lock exactly. Installed without
# --locked: the registry lacks one of its locked dependencies.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (have: ${have:-none}; takes ~6 min once)"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# Debian packages: Chromium and its driver for the browser tests.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python packages of the synthetic-frame generator and scorer (tests/vision).
if ! python3 -c 'import numpy, PIL' 2>/dev/null; then
  say "installing Python packages for tests/vision"
  python3 -m pip install --quiet --disable-pip-version-check -r tests/vision/requirements.txt
fi

# Fonts the generator renders documents with (OCR-B for the MRZ, two common monospace
# fonts so the reader is not tuned to one typeface).
fonts=()
[ -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ] || fonts+=(fonts-ocr-b)
[ -d /usr/share/fonts/truetype/dejavu ] || fonts+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || fonts+=(fonts-liberation)
if [ ${#fonts[@]} -gt 0 ]; then
  say "installing ${fonts[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${fonts[@]}"
fi

# npm dev dependencies (playwright-core drives /usr/bin/chromium; it never downloads a
# browser). Reinstalled only when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
