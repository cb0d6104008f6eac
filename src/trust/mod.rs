//! Layer 4, trust: the issuer public keys a verifier trusts, and (feature `tables`) their
//! precomputed verification tables. Imports the layers below the wire formats (encoding,
//! model, error), never the wire formats.

pub(crate) mod store;
#[cfg(feature = "tables")]
pub(crate) mod tables;
