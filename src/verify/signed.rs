//! The one verification path that keys and revocation lists share: the issuer looked up by the
//! key id of the header, the strict Ed25519 signature over the signing input, and the issuer
//! key's validity window. Splitting a body into header, payload and signature is the wire
//! layer's [`Envelope::split`](crate::wire::envelope::Envelope::split), also shared.

use ed25519_dalek::Signature;

use crate::error::Error;
use crate::model::ids::KeyId;
use crate::model::time::UnixTime;
use crate::trust::store::{TrustStore, TrustedKey};
use crate::wire::envelope::SIGNATURE_LEN;

/// The trusted issuer key named by `key_id`, or [`Error::UnknownIssuer`].
pub(crate) fn issuer(trust: &TrustStore, key_id: KeyId) -> Result<&TrustedKey, Error> {
    trust.get(key_id).ok_or(Error::UnknownIssuer { key_id })
}

/// Strict Ed25519 (`verify_strict`: canonical `S` and `R`, neither `R` nor the public key of
/// small order, the cofactorless equation) of `signature` over `signing_input`.
pub(crate) fn check_signature(
    issuer: &TrustedKey,
    signing_input: &[u8],
    signature: &[u8; SIGNATURE_LEN],
) -> Result<(), Error> {
    issuer
        .verifying_key()
        .verify_strict(signing_input, &Signature::from_bytes(signature))
        .map_err(|_| Error::BadSignature)
}

/// Refuses an object that says it was issued at `issued_at` when the issuer key's window does
/// not cover that time.
pub(crate) fn check_window(issuer: &TrustedKey, issued_at: UnixTime) -> Result<(), Error> {
    if issuer.covers(issued_at) {
        Ok(())
    } else {
        Err(Error::IssuerKeyNotValid {
            key_id: issuer.key_id(),
            issued_at,
        })
    }
}
