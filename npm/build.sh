#!/bin/sh
# Builds the package contents into npm/wasm/ (not committed): the crate for wasm32, the
# JavaScript glue with wasm-bindgen-cli 0.2.130 (the crate's pinned version), then wasm-opt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../target}"
# Debian's wasm-opt (binaryen 108) mangles the externref table wasm-bindgen emits when the
# module uses reference types, so the module is built without them (same exports, same API).
export RUSTFLAGS="${GLPI_WASM_RUSTFLAGS:--C target-feature=-reference-types}"
want=0.2.130
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen-cli $want is needed (found: ${have:-none}): cargo install wasm-bindgen-cli --version =$want --locked" >&2
  exit 1
fi
cargo build --manifest-path "$here/Cargo.toml" --target wasm32-unknown-unknown --release --locked
rm -rf "$here/wasm"
wasm-bindgen --target web --no-typescript --out-dir "$here/wasm" --out-name glpi_key_js \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/glpi_key_js.wasm"
wasm=$here/wasm/glpi_key_js_bg.wasm
raw=$(wc -c <"$wasm")
if command -v wasm-opt >/dev/null; then
  wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue \
    "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
else
  echo "wasm-opt not found: the module is left unoptimised" >&2
fi
opt=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "glpi_key_js_bg.wasm: $raw bytes from wasm-bindgen, $opt after wasm-opt, $gz gzipped"
