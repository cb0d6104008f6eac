#!/usr/bin/env bash
# The npm package (npm/): wasm-bindgen build at the pinned version, wasm-opt, Node's test runner
# over every vector, then `npm pack` installed with no network into an empty project that
# verifies the sample key (the README's example); the TypeScript declarations are checked with
# tsc. Installs the wasm32 target,
# wasm-bindgen-cli, binaryen and TypeScript (cached) only when missing or at another version.
# Measured with the tools present and an empty target directory: 107 s (54 s CPU) on the
# shared 2-core machine at load 9-10; with a warm target 23 s. A first
# `cargo install wasm-bindgen-cli` adds several minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say() { printf -- '--- %s\n' "$*"; }
apt_install() {
  apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
}

# The one pinned version: npm/Cargo.toml's `wasm-bindgen = "=X"` and the CLI must agree.
typescript_version=5.9.3
pin=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' npm/Cargo.toml)
[ -n "$pin" ] || { echo "npm/Cargo.toml does not pin wasm-bindgen with =X.Y.Z" >&2; exit 1; }

say "tools"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $pin" ]; then
  cargo install wasm-bindgen-cli --version "=$pin" --locked
fi
command -v wasm-opt >/dev/null || apt_install binaryen
command -v node >/dev/null || apt_install nodejs npm
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node $(node --version) is too old: the package and its tests need Node 20 or later" >&2
  exit 1
fi
echo "wasm-bindgen $pin, $(wasm-opt --version), node $(node --version), npm $(npm --version)"

say "format and lints of the npm crate (its own workspace)"
cargo fmt --manifest-path npm/Cargo.toml -- --check
RUSTFLAGS="-C target-feature=-reference-types" \
  cargo clippy --manifest-path npm/Cargo.toml --target wasm32-unknown-unknown --release --locked -- -D warnings

say "build (npm/build.sh)"
sh npm/build.sh

say "node --test over spec/vectors"
(cd npm && node --test --test-reporter=spec test/*.test.js)

say "TypeScript declarations: test/types/usage.ts under tsc --strict (TypeScript $typescript_version)"
tsdir="${XDG_CACHE_HOME:-$HOME/.cache}/glpi-key-ci/typescript-$typescript_version"
if [ "$("$tsdir/node_modules/.bin/tsc" --version 2>/dev/null || true)" != "Version $typescript_version" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tsdir" "typescript@$typescript_version"
fi
mkdir -p "$work/types/node_modules"
cp npm/test/types/usage.ts npm/test/types/tsconfig.json "$work/types/"
ln -s "$root/npm" "$work/types/node_modules/glpi-key"
"$tsdir/node_modules/.bin/tsc" -p "$work/types/tsconfig.json"

say "npm pack, then install with no network into an empty project and verify the sample key"
(cd npm && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/glpi-key-*.tgz)
echo "tarball: $(wc -c <"$tarball") bytes"
mkdir "$work/app"
cp spec/vectors/sample-standard.key spec/vectors/test-issuer.pub.hex "$work/app/"
cat >"$work/app/package.json" <<'JSON'
{ "name": "app", "private": true, "type": "module" }
JSON
cat >"$work/app/verify.mjs" <<'JS'
import { readFileSync } from 'node:fs';
import { TrustStore, verify } from 'glpi-key';
const trust = new TrustStore([readFileSync('test-issuer.pub.hex', 'utf8')]);
const license = verify(readFileSync('sample-standard.key', 'utf8'), trust, { kind: 'instance-registration', instance: '5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b' });
console.log(license.status, license.claims.owner, license.claims.tier, license.claims.shortId);
JS
start=$(date +%s%N)
(cd "$work/app" && npm install --offline --no-audit --no-fund --silent "$tarball" && node verify.mjs) | tee "$work/out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -qx 'active ACME Corp standard GLPI-28T5CY4TQKFF-ZNJMKB' "$work/out"
echo "fresh offline install and first verification: $ms ms"
