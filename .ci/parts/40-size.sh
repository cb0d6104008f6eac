#!/usr/bin/env bash
# Code size: builds the verify-only no_std program in size/ for thumbv7em-none-eabihf (release,
# opt-level "z", LTO) and prints its section sizes; fails when the flash total (vector table,
# code and read-only data) is over 36 KiB. Also prints the floor (a bare ed25519-dalek
# verify_strict) and what sha2's force-soft-compact saves.
# First, the feature-gated batch verification (features batch, parallel), which the default
# clippy and test runs do not build: lint it with its bench, and run its tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 >/dev/null; }

echo "--- batch verification (features batch, parallel) ---"
cargo clippy -p glpi-key --features batch,parallel --lib --tests --bench verify -- -D warnings
cargo test -p glpi-key --features batch,parallel --lib batch

target_dir="$PWD/target/size"
elf="$target_dir/thumbv7em-none-eabihf/release/glpi-key-size"
build() {
  (cd size && cargo build --release --quiet --target-dir "$target_dir" "$@")
}

echo "--- parse + verify (glpi-key, no default features) ---"
build
python3 size/sections.py "$elf" --max-flash $((36 * 1024))

echo "--- the same with sha2's force-soft-compact ---"
build --features compact-sha2
python3 size/sections.py "$elf"

echo "--- floor: a bare ed25519-dalek verify_strict ---"
build --features bare
python3 size/sections.py "$elf"
