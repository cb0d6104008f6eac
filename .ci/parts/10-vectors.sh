#!/usr/bin/env bash
# The test vectors are the contract: regenerate them and fail on any difference.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
cargo run -q -p glpi-key-vectors -- "$out"
if ! diff -r spec/vectors "$out" --exclude=revocation --exclude=README.md; then
  echo "error: spec/vectors/ differs from what spec/generator produces; run 'cargo run -p glpi-key-vectors' and commit the result with the code change" >&2
  exit 1
fi
echo "spec/vectors/ matches the generator"
