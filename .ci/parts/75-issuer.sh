#!/usr/bin/env bash
# The vendor's side (issue 15): PKCS#11 signing against SoftHSM2 tokens made in temporary
# directories, and the issuer ledger (concurrent processes, a bulk issue killed midway).
# `cargo test --workspace` in .ci/run already ran these tests, skipping the token ones when
# SoftHSM2 was missing; here SoftHSM2 is installed if needed and is REQUIRED
# (GLPI_KEY_REQUIRE_SOFTHSM=1), so a missing token library fails instead of skipping.
# Measured on the CI machine (2 cores, everything already built by .ci/run): about 25 s, plus
# about 20 s for apt-get on a machine without softhsm2 and opensc.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf -- '--- %s\n' "$*"; }
started=$(date +%s)

apt_install() {
  apt-get install -y --no-install-recommends "$@" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

if ! command -v softhsm2-util >/dev/null || [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then
  say "install softhsm2"
  apt_install softhsm2
fi
# pkcs11-tool makes the non-Ed25519 key of the "wrong key type" test.
command -v pkcs11-tool >/dev/null || { say "install opensc (pkcs11-tool)"; apt_install opensc; }
softhsm2-util --version

export GLPI_KEY_REQUIRE_SOFTHSM=1
say "issuer crate: ledger, atomic files, PKCS#11 against SoftHSM2"
cargo test -p glpi-key-issuer
say "CLI end to end: token key ceremony, ledger, bulk, concurrent and killed processes"
cargo test -p glpi-key-cli --test issuer
say "75-issuer done in $(( $(date +%s) - started )) s"
