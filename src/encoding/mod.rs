//! Layer 0, encoding: the base32 alphabet and the bech32m check code. Imports nothing of the
//! crate.

pub(crate) mod base32;
pub mod checksum;
