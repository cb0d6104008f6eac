//! Layer 5, verification: unverified keys and revocation lists, the checks after the
//! signature, the verified results, batch verification. Imports the layers below.

#[cfg(feature = "batch")]
pub(crate) mod batch;
pub(crate) mod key;
pub(crate) mod license;
pub(crate) mod options;
pub(crate) mod revocation;
pub(crate) mod signed;
