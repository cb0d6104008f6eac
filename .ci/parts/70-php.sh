#!/usr/bin/env bash
# The pure-PHP package (php/, issue 14): lint, the PHPUnit suite (every vector of spec/vectors/,
# Ed25519 edge cases, hostile inputs, ...), then the differential test against the Rust core:
# DIFF_CASES mutated and re-signed keys and lists (default 100000) from the Rust generator in
# php/differential/, verified by both and compared (class, message, claims), in two parallel
# shards. Installs php8.2-cli and phpunit from Debian only when missing. Nothing uses Packagist.
# Budget: about 2.5 minutes on 2 cores (release build of the generator about 60 s, PHPUnit
# about 10 s, 100000 cases about 50 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
say() { printf -- '--- [php part: %s s] %s\n' "$(( $(date +%s) - started ))" "$*"; }
apt_install() {
  apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
}

if ! command -v php >/dev/null || ! php -r 'exit(PHP_VERSION_ID >= 80200 ? 0 : 1);'; then
  say "installing php8.2-cli"
  apt_install php8.2-cli
fi
php -r 'exit(extension_loaded("sodium") ? 0 : 1);' || { echo "PHP lacks the sodium extension (php8.2-cli ships it)"; exit 1; }
command -v phpunit >/dev/null || { say "installing phpunit"; apt_install phpunit; }
php --version | head -1
phpunit --version

say "lint"
find php -name '*.php' -not -path 'php/vendor/*' -print0 | xargs -0 -n1 php -l >/dev/null

say "PHPUnit"
(cd php && phpunit)

say "the GLPI Network example runs (first use creates the site, the second reuses it)"
example_files=$(mktemp -d)
first=$(php php/examples/glpi-network.php --files="$example_files")
second=$(php php/examples/glpi-network.php --files="$example_files")
grep -q '^Status: *valid$' <<<"$first" || { echo "$first"; exit 1; }
grep -q 'already installed' <<<"$second" || { echo "$second"; exit 1; }
rm -rf "$example_files"

if command -v composer >/dev/null; then
  say "composer.json is valid (no network)"
  (cd php && COMPOSER_DISABLE_NETWORK=1 composer validate --no-check-publish --no-check-lock --strict)
fi

say "build the differential generator (uses the core through glpi_key::)"
cargo build --release --quiet --manifest-path php/differential/Cargo.toml
gen=php/differential/target/release/glpi-key-php-differential

cases=${DIFF_CASES:-100000}
seed=${DIFF_SEED:-$(date +%Y%m%d)}
half=$(( cases / 2 ))
say "differential: $cases cases (seeds $seed and $(( seed + 1 ))), PHP package against the Rust core"
# extension-varints: the core still accepts non-minimal varints inside the extension block
# (issue 14); the package follows the spec's one-byte-form rule. Allowed until the core's fix
# lands; after it, the kind no longer occurs.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for shard in 0 1; do
  ( "$gen" "$(( shard == 0 ? half : cases - half ))" "$(( seed + shard ))" |
      php php/differential/run.php --allow=extension-varints --show=3 >"$work/shard$shard.log" 2>&1
    echo $? >"$work/shard$shard.rc" ) &
done
wait
status=0
for shard in 0 1; do
  cat "$work/shard$shard.log"
  [ "$(cat "$work/shard$shard.rc")" = 0 ] || status=1
done
[ "$status" = 0 ] || { echo "differential test: divergences between the PHP package and the Rust core (above)"; exit 1; }
say "done"
