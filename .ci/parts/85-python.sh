#!/usr/bin/env bash
# The Python wheel (python/): an abi3 (CPython >= 3.9) extension built with maturin, pytest over
# every vector, then the wheel installed with no network into a fresh virtual environment that
# verifies the sample key (the README's example), under the default python3 and, when present,
# under python3.9 (the oldest the abi3 wheel supports; from pyenv too). maturin and pytest come from PyPI into a
# cached tools environment (with mypy, which checks the typed layer and the .pyi stubs), skipped
# when the pinned versions are already there.
# Measured with the tools present and an empty target directory: 144 s (100 s CPU) on the
# shared 2-core machine at load 7-9; with a warm target about 40 s.
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
maturin_version=1.16.0
pytest_version=8.3.5
mypy_version=2.4.1

say "tools"
command -v python3 >/dev/null || apt_install python3 python3-venv
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
# maturin: the one on PATH when it is the pinned version, else the tools environment's.
tools="${XDG_CACHE_HOME:-$HOME/.cache}/glpi-key-ci/python-tools-$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
wanted="pytest==$pytest_version mypy==$mypy_version"
if [ "$(maturin --version 2>/dev/null || true)" = "maturin $maturin_version" ]; then
  maturin=maturin
else
  maturin="$tools/bin/maturin"
  wanted="$wanted maturin==$maturin_version"
fi
if [ "$(cat "$tools/installed" 2>/dev/null || true)" != "$wanted" ]; then
  [ -x "$tools/bin/python" ] || python3 -m venv "$tools"
  # shellcheck disable=SC2086
  "$tools/bin/pip" install --quiet --disable-pip-version-check $wanted
  echo "$wanted" >"$tools/installed"
fi
echo "$("$maturin" --version), pytest $pytest_version, mypy $mypy_version, $(python3 --version)"

say "type check of the Python layer and the extension's stubs (mypy --strict)"
(cd python && "$tools/bin/python" -m mypy --strict --no-incremental glpi_key)

say "build the wheel (maturin)"
(cd python && "$maturin" build --release --locked --quiet -o "$work/dist")
wheel=$(ls "$work"/dist/glpi_key-*-cp39-abi3-*.whl)
echo "wheel: $(basename "$wheel"), $(wc -c <"$wheel") bytes"

say "format and lints of the Python crate (its own workspace)"
cargo fmt --manifest-path python/Cargo.toml -- --check
# After the wheel, in the same target directory: the proc macros and build scripts maturin
# compiled are reused (only PyO3's own crates are checked again, under other settings).
cargo clippy --manifest-path python/Cargo.toml --release --locked -- -D warnings

say "the wheel installs with no network into a fresh virtual environment and verifies the sample key"
mkdir "$work/app"
cp spec/vectors/sample-standard.key spec/vectors/test-issuer.pub.hex "$work/app/"
cat >"$work/app/verify.py" <<'PY'
from glpi_key import TrustStore, verify
trust = TrustStore([open("test-issuer.pub.hex").read()])
key = open("sample-standard.key").read()
license = verify(key, trust, kind="instance-registration", instance="5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b")
print(license.status, license.claims.owner, license.claims.tier, license.claims.short_id)
PY
# python3.9 from pyenv when installed there (its shim only works for the active versions).
oldest=python3.9
if command -v pyenv >/dev/null; then
  v39=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.9\.[0-9]+$' | tail -1 || true)
  [ -n "$v39" ] && oldest="$(pyenv root)/versions/$v39/bin/python3.9"
fi
n=0
for python in python3 "$oldest"; do
  n=$((n + 1))
  "$python" -c 'import venv' 2>/dev/null || { echo "$python: not installed, skipped"; continue; }
  env="$work/venv-$n"
  t0=$(date +%s%N)
  "$python" -m venv "$env"
  t1=$(date +%s%N)
  "$env/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
  t2=$(date +%s%N)
  (cd "$work/app" && "$env/bin/python" verify.py) | tee "$work/out"
  t3=$(date +%s%N)
  grep -qx 'active ACME Corp standard GLPI-28T5CY4TQKFF-ZNJMKB' "$work/out"
  echo "$("$env/bin/python" --version): fresh venv + install + first verification $(( (t3 - t0) / 1000000 )) ms:" \
    "venv $(( (t1 - t0) / 1000000 )) ms, offline install $(( (t2 - t1) / 1000000 )) ms," \
    "first verification (interpreter start included) $(( (t3 - t2) / 1000000 )) ms"
  if [ "$python" = python3 ]; then
    say "pytest over spec/vectors, against the wheel installed in this environment"
    site=$("$tools/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    # From $work, so that python/glpi_key (the sources without the extension) is not imported.
    (cd "$work" && PYTHONPATH="$site" "$env/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests")
  fi
done
