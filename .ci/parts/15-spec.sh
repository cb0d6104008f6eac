#!/usr/bin/env bash
# The spec's own checks (issue 13): the independent PHP reference verifier runs the policy and
# revocation-list vectors (keys.json runs in 60-ffi.sh), and the Rust tests that every error
# class named in the spec has a vector and that every policy vector holds. About 5 s once the
# workspace is built (measured: 1.4 s PHP, the rest cargo's up-to-date check).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v php >/dev/null || {
  apt-get install -y php-cli >/dev/null || { apt-get update >/dev/null && apt-get install -y php-cli >/dev/null; }
}
for ext in sodium mbstring; do
  php -r "exit(extension_loaded('$ext') ? 0 : 1);" || { echo "PHP lacks the $ext extension" >&2; exit 1; }
done

php spec/reference/verify.php --test spec/vectors/keys.json spec/reference/ed25519-speccheck.json
php spec/reference/verify.php --test-policy spec/vectors/policy.json
php spec/reference/verify.php --test-lists spec/vectors/revocation/vectors.txt
cargo test --quiet -p glpi-key --test vectors
