#!/usr/bin/env bash
# Other languages: the C ABI (header freshness, C test with gcc), PHP through FFI, the
# independent PHP reference verifier of spec/FORMAT.md, and the WebAssembly build under Node.
# Every one of them runs all of spec/vectors/keys.json; C and PHP-FFI also run every site scenario
# of spec/vectors/site-scenarios.json on a site directory. Installs what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
languages=()
say() { printf -- '--- %s\n' "$*"; }

apt_install() {
  apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
}

say "build the C library (cdylib + staticlib)"
cargo build -p glpi-key-ffi
lib_dir="$target/debug"

say "the committed header is what cbindgen generates"
# A debug build of cbindgen compiles in a third of the CPU time of a release one (77 s against
# 220 s measured) and still generates the header in under a second.
command -v cbindgen >/dev/null || cargo install --debug --locked cbindgen
cbindgen --quiet --config ffi/cbindgen.toml --crate glpi-key-ffi --output "$work/glpi_key.h"
if ! diff -u ffi/include/glpi_key.h "$work/glpi_key.h"; then
  echo "ffi/include/glpi_key.h is stale: regenerate it with"
  echo "  cbindgen --config ffi/cbindgen.toml --crate glpi-key-ffi --output ffi/include/glpi_key.h"
  exit 1
fi

command -v node >/dev/null || apt_install nodejs
node ffi/tests/c/vectors-to-tsv.mjs spec/vectors/keys.json >"$work/vectors.tsv"
node ffi/tests/c/site-scenarios-to-tsv.mjs spec/vectors/site-scenarios.json >"$work/site-scenarios.tsv"

say "C: test program with gcc, linked statically and dynamically (key vectors, site scenarios, two processes on one site)"
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -O1 -Iffi/include)
gcc "${cflags[@]}" ffi/tests/c/test_glpi_key.c -o "$work/test_static" \
  "$lib_dir/libglpi_key_ffi.a" -lpthread -ldl -lm
"$work/test_static" "$work/vectors.tsv" "$work/site-scenarios.tsv"
gcc "${cflags[@]}" ffi/tests/c/test_glpi_key.c -o "$work/test_shared" \
  -L"$lib_dir" -lglpi_key_ffi -lpthread
LD_LIBRARY_PATH="$lib_dir" "$work/test_shared" "$work/vectors.tsv" "$work/site-scenarios.tsv" >/dev/null
languages+=("C")

say "PHP: FFI class over the shared library"
command -v php >/dev/null || apt_install php-cli
# Asked of PHP itself: `php -m | grep -q` failed now and then under pipefail (grep exits at the
# first match, php dies of SIGPIPE writing the rest).
php -r 'exit(extension_loaded("FFI") ? 0 : 1);' || { echo "PHP lacks the FFI extension"; exit 1; }
php -r 'exit(extension_loaded("sodium") ? 0 : 1);' || { echo "PHP lacks the sodium extension"; exit 1; }
php -d ffi.enable=1 examples/php/test.php "$lib_dir/libglpi_key_ffi.so"
languages+=("PHP via FFI")

say "PHP: independent reference verifier (spec/FORMAT.md only, no Rust)"
php spec/reference/verify.php --test spec/vectors/keys.json spec/reference/ed25519-speccheck.json
languages+=("PHP reference implementation")

say "PHP: differential test, reference verifier against the Rust crate on mutated, re-signed keys"
php -d ffi.enable=1 spec/reference/differential.php "$lib_dir/libglpi_key_ffi.so" spec/vectors/keys.json 600

say "WebAssembly: wasm32-unknown-unknown build, verified under Node (keys, then the site scenarios)"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=true \
  cargo build -p glpi-key-wasm --release --target wasm32-unknown-unknown
wasm="$target/wasm32-unknown-unknown/release/glpi_key_wasm.wasm"
echo "wasm module: $(wc -c <"$wasm") bytes"
node wasm/test.mjs "$wasm"
node wasm/site.test.mjs "$wasm"
languages+=("JavaScript via WebAssembly")

say "languages that verified all vectors: Rust (cargo test), $(IFS=,; echo "${languages[*]}" | sed 's/,/, /g')"
