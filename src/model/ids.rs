//! Identifiers: the issuer key id carried in headers, and a GLPI instance's UUID.

use core::fmt;

use sha2::{Digest, Sha512};

/// A GLPI instance's UUID, to which a key may be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstanceId(pub [u8; 16]);

impl InstanceId {
    /// Reads a UUID, hyphenated or not, in either case, optionally in braces.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let mut out = [0u8; 16];
        let mut digits = s.chars().filter(|&c| c != '-');
        for byte in out.iter_mut() {
            let hi = digits.next()?.to_digit(16)?;
            let lo = digits.next()?.to_digit(16)?;
            *byte = (hi * 16 + lo) as u8;
        }
        if digits.next().is_some() || s.chars().filter(|&c| c == '-').count() > 4 {
            return None;
        }
        Some(InstanceId(out))
    }
}

/// The canonical lowercase hyphenated UUID form.
impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for InstanceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Domain tag hashed in front of a public key to derive its key id.
pub const KEY_ID_DOMAIN: &str = "glpi-key/v1/key-id";

/// A short identifier of an issuer public key, carried in every key's header so the verifier
/// picks the right public key without trying them all.
///
/// Derived as the first 4 bytes of `SHA-512("glpi-key/v1/key-id" || 0x00 || public key)`.
/// It is a lookup hint, not a security property: the signature decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    /// Bytes in a key id.
    pub const LEN: usize = 4;

    /// The key id of an Ed25519 public key.
    pub fn of_public_key(public_key: &[u8; 32]) -> Self {
        let mut h = Sha512::new();
        h.update(KEY_ID_DOMAIN.as_bytes());
        h.update([0u8]);
        h.update(public_key);
        let digest = h.finalize();
        let mut id = [0u8; 4];
        for (dst, src) in id.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        KeyId(id)
    }
}

/// Shown as 8 lowercase hex digits.
impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
