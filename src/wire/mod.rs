//! Layer 4, wire formats: the signed envelope (header, payload, signature), the claims and
//! their canonical bytes, and the revocation list payload. Imports the layers below.

pub(crate) mod claims;
pub(crate) mod codec;
pub(crate) mod envelope;
pub(crate) mod revocation;
