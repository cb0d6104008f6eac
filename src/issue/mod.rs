//! Layer 6, issuing: encode the claims, sign them, write the text; sign revocation lists.
//! Imports the layers below.

use ed25519_dalek::{Signer, SigningKey};

use crate::error::{ClaimsError, IssueError, TrustError};
use crate::model::ids::KeyId;
use crate::text::spec::TextStyle;
use crate::trust::store::TrustedKey;
use crate::verify::key::UnverifiedKey;
use crate::wire::claims::{Claims, MAX_CLAIMS_LEN};

mod revocation;

/// An issuer: the vendor's Ed25519 signing key and its key id. Works without `std`.
///
/// Signing is deterministic (Ed25519), so the same claims always give the same key.
pub struct Issuer {
    signing_key: SigningKey,
    key_id: KeyId,
}

impl core::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Issuer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// An issuer from a 32-byte Ed25519 secret key (seed).
    pub fn from_secret_key_bytes(secret: &[u8; 32]) -> Self {
        Self::from_signing_key(SigningKey::from_bytes(secret))
    }

    /// An issuer from an ed25519-dalek signing key.
    pub fn from_signing_key(signing_key: SigningKey) -> Self {
        let key_id = KeyId::of_public_key(signing_key.verifying_key().as_bytes());
        Issuer {
            signing_key,
            key_id,
        }
    }

    /// The signing key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// The key id that keys signed by this issuer carry.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The 32-byte public key.
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.signing_key.verifying_key().to_bytes()
    }

    /// The public key as a trust-store entry (no validity window).
    pub fn trusted_key(&self) -> Result<TrustedKey, TrustError> {
        TrustedKey::from_public_key_bytes(&self.public_key_bytes())
    }

    /// Signs `claims` into a key. Write it out with
    /// [`UnverifiedKey::text`](crate::UnverifiedKey::text).
    pub fn issue(&self, claims: &Claims<'_>) -> Result<UnverifiedKey, IssueError> {
        let mut buf = [0u8; MAX_CLAIMS_LEN];
        let n = claims.encode(&mut buf)?;
        let encoded = buf.get(..n).ok_or(ClaimsError::BufferTooSmall)?;
        UnverifiedKey::from_parts(claims.kind, self.key_id, encoded, |msg| {
            self.signing_key.sign(msg).to_bytes()
        })
        .map_err(IssueError::SelfCheck)
    }

    /// Signs `claims` and writes the key's text into `out`.
    pub fn issue_into<'o>(
        &self,
        claims: &Claims<'_>,
        style: TextStyle,
        out: &'o mut [u8],
    ) -> Result<&'o str, IssueError> {
        let key = self.issue(claims)?;
        key.text(style)
            .write_into(out)
            .map_err(|needed| IssueError::BufferTooSmall { needed })
    }

    /// Signs `claims` and returns the key's text.
    #[cfg(feature = "alloc")]
    pub fn issue_string(
        &self,
        claims: &Claims<'_>,
        style: TextStyle,
    ) -> Result<alloc::string::String, IssueError> {
        use alloc::string::ToString;
        Ok(self.issue(claims)?.text(style).to_string())
    }
}
