#!/usr/bin/env bash
# Revocation list vectors: regenerate them and fail if they differ from the committed ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet --example gen_revocation_vectors
if ! git diff --exit-code -- spec/vectors/revocation; then
  echo "spec/vectors/revocation differs from the generator's output: run" >&2
  echo "  cargo run --example gen_revocation_vectors   and commit the result" >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- spec/vectors/revocation)
if [ -n "$untracked" ]; then
  echo "the generator wrote files that are not committed: $untracked" >&2
  exit 1
fi
cargo test --quiet -p glpi-key --test revocation committed_vectors
