//! Layer 6, issuing: encode the claims, sign them, write the text; sign revocation lists.
//! Imports the layers below.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::error::{ClaimsError, IssueError, SignerError, TrustError};
use crate::model::ids::KeyId;
use crate::text::spec::TextStyle;
use crate::trust::store::TrustedKey;
use crate::verify::key::UnverifiedKey;
use crate::wire::claims::{Claims, MAX_CLAIMS_LEN};
use crate::wire::envelope::SIGNATURE_LEN;

mod revocation;
pub(crate) mod sign;

pub use sign::Sign;

/// An issuer: a signer of the vendor's Ed25519 key and its key id. Works without `std`.
///
/// The signer is an in-memory ed25519-dalek key by default; any [`Sign`] (an HSM through
/// PKCS#11, for one) works the same. Signing is deterministic (Ed25519), so the same claims
/// always give the same key.
pub struct Issuer<S: Sign = SigningKey> {
    signer: S,
    key_id: KeyId,
    public_key: [u8; 32],
    /// The public key decoded once, to check an external signer's signatures; `None` when
    /// the signer names bytes that are not a public key (it then cannot issue anything).
    verifying_key: Option<VerifyingKey>,
}

impl<S: Sign> core::fmt::Debug for Issuer<S> {
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
        Self::from_signer(signing_key)
    }

    /// The signing key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signer
    }
}

impl<S: Sign> Issuer<S> {
    /// An issuer that signs through `signer` (for example a key in an HSM).
    pub fn from_signer(signer: S) -> Self {
        let public_key = signer.public_key();
        Issuer {
            key_id: KeyId::of_public_key(&public_key),
            verifying_key: VerifyingKey::from_bytes(&public_key).ok(),
            public_key,
            signer,
        }
    }

    /// The signer.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The key id that keys signed by this issuer carry.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The 32-byte public key.
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.public_key
    }

    /// The public key as a trust-store entry (no validity window).
    pub fn trusted_key(&self) -> Result<TrustedKey, TrustError> {
        TrustedKey::from_public_key_bytes(&self.public_key)
    }

    /// Signs `message`; a signature from outside this process must verify (strictly) under
    /// the public key before it is used.
    pub(crate) fn sign_checked(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], IssueError> {
        if S::CHECK_SIGNATURES && self.verifying_key.is_none() {
            return Err(IssueError::Signer(SignerError::new(
                "the signer's public key is not a valid Ed25519 public key",
            )));
        }
        let signature = self
            .signer
            .sign_ed25519(message)
            .map_err(IssueError::Signer)?;
        if S::CHECK_SIGNATURES {
            let checked = self.verifying_key.as_ref().map(|k| {
                k.verify_strict(message, &Signature::from_bytes(&signature))
                    .is_ok()
            });
            if checked != Some(true) {
                return Err(IssueError::SignatureMismatch);
            }
        }
        Ok(signature)
    }

    /// Signs `claims` into a key. Write it out with
    /// [`UnverifiedKey::text`](crate::UnverifiedKey::text).
    pub fn issue(&self, claims: &Claims<'_>) -> Result<UnverifiedKey, IssueError> {
        let mut buf = [0u8; MAX_CLAIMS_LEN];
        let n = claims.encode(&mut buf)?;
        let encoded = buf.get(..n).ok_or(ClaimsError::BufferTooSmall)?;
        UnverifiedKey::from_parts(claims.kind, self.key_id, encoded, |msg| {
            self.sign_checked(msg)
        })
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
