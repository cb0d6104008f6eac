#!/bin/sh
# Builds the offline verifier page: target/page/glpi-key-verifier.html (build output, not
# committed), one self-contained HTML file. Reuses the npm package's build (npm/wasm/, from
# npm/build.sh) when it is newer than the Rust sources, and runs npm/build.sh otherwise.
#   sh page/build.sh [--trust VENDOR_PUBLIC_KEY_FILE] [--out FILE]
# --trust: SPKI PEM or 64 hex digits (default spec/vectors/test-issuer.pub, a TEST-ONLY key).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
wasm="$root/npm/wasm/glpi_key_js_bg.wasm"
glue="$root/npm/wasm/glpi_key_js.js"
stale=
if [ ! -f "$wasm" ] || [ ! -f "$glue" ]; then
  stale="npm/wasm/ is missing"
else
  newer=$(cd "$root" && find src npm/src npm/Cargo.toml npm/Cargo.lock Cargo.toml -newer "$wasm" -type f 2>/dev/null | head -n 1)
  [ -z "$newer" ] || stale="$newer is newer than npm/wasm/"
fi
if [ -n "$stale" ]; then
  echo "page: building the npm package first ($stale)"
  sh "$root/npm/build.sh"
else
  echo "page: reusing npm/wasm/ (newer than the Rust sources)"
fi
command -v node >/dev/null || { echo "page: node is needed to assemble the page" >&2; exit 1; }
node "$here/build.mjs" "$@"
