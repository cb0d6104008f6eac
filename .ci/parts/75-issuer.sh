#!/usr/bin/env bash
# The vendor's side (issue 15): PKCS#11 signing against SoftHSM2 tokens made in temporary
# directories, and the issuer ledger (concurrent processes, a bulk issue killed midway).
# `cargo test --workspace` in .ci/run already ran these tests, skipping the token ones when
# SoftHSM2 was missing; here SoftHSM2 is installed if needed and is REQUIRED
# (GLPI_KEY_REQUIRE_SOFTHSM=1), so a missing token library fails instead of skipping.
# Measured on this machine (2 cores, everything already built by .ci/run): 7 s of tests, plus
# the apt-get install of softhsm2 and opensc on a machine without them (not measured: both
# were installed here; two small Debian packages).
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
# --workspace keeps the feature set of .ci/run's `cargo test --workspace`: nothing is rebuilt.
# softhsm: the issuer crate against SoftHSM2 (keygen, sign, PIN, object, module errors);
# issuer: the CLI end to end (token key ceremony, ledger, bulk, concurrent and killed processes).
say "PKCS#11 against SoftHSM2, and the issuer CLI end to end"
cargo test --workspace --test softhsm --test issuer
say "75-issuer done in $(( $(date +%s) - started )) s"
