#!/usr/bin/env bash
# The offline verifier page (page/): one HTML file with the npm package's WebAssembly module
# inlined, built by page/build.sh into target/page/glpi-key-verifier.html, then tested end to
# end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core, kept off the
# network) with the vectors of spec/vectors. Installs Chromium (apt) and the pinned
# playwright-core (npm ci, cached outside the clone) only when missing or at another version.
# Reuses npm/wasm/ when 80-npm.sh has just built it (newer than the Rust sources), else runs
# npm/build.sh (which needs the tools 80-npm.sh installs).
# Measured with everything installed and npm/wasm/ built by 80-npm.sh: 35-45 s (about 15 s CPU;
# 14 tests, 34 s of them in Chromium) on the shared 2-core machine at load 6-9. The first run
# adds `npm ci` (a few seconds) and, where it is missing, the Chromium install.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
say() { printf -- '--- %s\n' "$*"; }
apt_install() {
  apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
}
started=$(date +%s)

say "tools"
command -v node >/dev/null || apt_install nodejs npm
[ -x /usr/bin/chromium ] || apt_install chromium
# playwright-core at the version pinned in page/package.json (and its lock), installed once
# into a cache keyed by the lock file, then linked into page/node_modules.
pin=$(node -p 'require("./page/package.json").devDependencies["playwright-core"]')
lock=$(sha256sum page/package-lock.json | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/glpi-key-ci/page-$lock"
have=$(node -p "try { require('$cache/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$have" != "$pin" ]; then
  rm -rf "$cache"
  mkdir -p "$cache"
  cp page/package.json page/package-lock.json "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --silent)
fi
if [ ! -e page/node_modules ] || [ "$(readlink page/node_modules)" != "$cache/node_modules" ]; then
  rm -rf page/node_modules
  ln -s "$cache/node_modules" page/node_modules
fi
echo "$(/usr/bin/chromium --version 2>/dev/null), playwright-core $(node -p 'require("./page/node_modules/playwright-core/package.json").version'), node $(node --version)"

say "build (page/build.sh)"
sh page/build.sh
out=target/page/glpi-key-verifier.html
size=$(wc -c <"$out")

say "tests in headless Chromium (page/test/)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
(cd page && node --test --test-reporter=spec --test-timeout=120000 test/) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
total=$(sed -n 's/^ℹ tests \([0-9]*\)$/\1/p' "$log")
passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log")
failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log")
echo "page: $out is $size bytes; ${total:-0} tests; screenshots in target/page/screenshots/"
echo "page: ${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] && [ "${total:-0}" -gt 0 ] || exit 1
echo "page: done in $(( $(date +%s) - started )) s"
