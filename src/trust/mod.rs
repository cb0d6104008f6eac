//! Layer 4, trust: the issuer public keys a verifier trusts. Imports the layers below the wire
//! formats (encoding, model, error), never the wire formats.

pub(crate) mod store;
