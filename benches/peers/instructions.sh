#!/usr/bin/env bash
# Counts the instructions each verifier executes per token (valgrind's cachegrind), a figure
# that does not move with the load of a shared machine as times do. Each verifier runs N
# times; the setup (making the tokens) is measured alone and subtracted.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
n=${N:-200}
cargo build --release --quiet -p glpi-key-peers --example instructions
bin="${CARGO_TARGET_DIR:-target}/release/examples/instructions"
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
base=$(count none 0)
raw=$(( ($(count raw "$n") - base) / n ))
echo "verifier | instructions per token | ratio to raw verify_strict"
echo "raw verify_strict | $raw | 1.000"
for which in glpi-key glpi-key-tables glpi-key-tables-small jwt paseto; do
  per=$(( ($(count "$which" "$n") - base) / n ))
  echo "$which | $per | $(python3 -c "print(f'{$per / $raw:.3f}')")"
done
