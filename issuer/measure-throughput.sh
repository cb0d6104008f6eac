#!/usr/bin/env bash
# Measures issuing throughput with the release CLI: a bulk issue into a fresh ledger with a
# file key, then with a key in a SoftHSM2 token (made in a temporary directory), then one
# `issue` process per key. Not run by CI (figures depend on the machine); the results are in
# docs/ISSUER.md. Usage: issuer/measure-throughput.sh [FILE_ROWS] [TOKEN_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
file_rows="${1:-50000}"
token_rows="${2:-5000}"
nice -n 10 cargo build -q --release -p glpi-key-cli
bin="$PWD/${CARGO_TARGET_DIR:-target}/release/glpi-key"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
csv() { echo "owner,tier,expires,entitle"; for ((i = 0; i < $1; i++)); do echo "Customer $i,standard,2028-12-31,marketplace"; done; }

echo "--- file key, bulk of $file_rows"
"$bin" keygen --out issuer.key >/dev/null
"$bin" ledger init --ledger file.db >/dev/null
csv "$file_rows" >file.csv
"$bin" issue --signing-key issuer.key --ledger file.db --bulk file.csv --keys-out file-keys.csv

echo "--- SoftHSM2 token key, bulk of $token_rows"
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" >softhsm2.conf
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label Bench --so-pin 99999999 --pin 123456 >/dev/null
(umask 077 && echo 123456 >pin)
export GLPI_KEY_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so GLPI_KEY_PKCS11_PIN_FILE="$work/pin"
uri='pkcs11:token=Bench;object=bench-key'
"$bin" keygen --pkcs11 "$uri" >/dev/null
"$bin" ledger init --ledger token.db >/dev/null
csv "$token_rows" >token.csv
"$bin" issue --signing-key "$uri" --ledger token.db --bulk token.csv --keys-out token-keys.csv

for kind in file token; do
  key=issuer.key; [ "$kind" = token ] && key="$uri"
  echo "--- $kind key, 200 separate issue processes (one key each, ledger recorded)"
  start=$(date +%s%N)
  for ((i = 0; i < 200; i++)); do
    "$bin" issue --signing-key "$key" --ledger "$kind.db" --tier basic --owner "One $i" >/dev/null
  done
  echo "$(( 200 * 1000000000 / ($(date +%s%N) - start) )) keys/s"
done
