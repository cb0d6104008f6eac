//! The vendor's side of glpi-key: issuer keys in PKCS#11 tokens, and a ledger of issued and
//! revoked keys.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod atomic;
pub mod ledger;
pub mod pkcs11;
