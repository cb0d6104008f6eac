//! The signed binary envelope shared by every object: header, payload, signature.
//!
//! ```text
//! body = version (1 byte) || kind (1 byte) || issuer key id (4 bytes) || payload || signature (64 bytes)
//! signed message = domain tag of kind || 0x00 || version || kind || key id || payload
//! ```
//! The domain tag names the object kind and format version, so a signature made for one kind
//! of object can never be valid for another.

use crate::error::Error;
use crate::model::ids::KeyId;
use crate::model::kind::ObjectKind;
use crate::model::limits::FORMAT_VERSION;

/// Bytes in the header: version, kind, issuer key id.
pub const HEADER_LEN: usize = 2 + KeyId::LEN;

/// Bytes in an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// Longest domain tag, for sizing the signing-input buffer.
pub(crate) const MAX_TAG_LEN: usize = 40;

/// The parts of a decoded body. Borrowed from the body; nothing here is verified yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope<'a> {
    pub kind: ObjectKind,
    pub key_id: KeyId,
    /// The bytes between header and signature.
    pub payload: &'a [u8],
}

impl<'a> Envelope<'a> {
    /// Splits a body into header, payload and signature, checking version and kind.
    pub fn split(body: &'a [u8]) -> Result<Self, Error> {
        let (header, rest) = body
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::WrongLength { symbols: 0 })?;
        let (payload, _signature) = rest
            .split_last_chunk::<SIGNATURE_LEN>()
            .ok_or(Error::WrongLength { symbols: 0 })?;
        let [version, kind, id @ ..] = *header;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion { found: version });
        }
        let kind = ObjectKind::from_byte(kind).ok_or(Error::UnknownObjectKind { found: kind })?;
        Ok(Envelope {
            kind,
            key_id: KeyId(id),
            payload,
        })
    }
}

/// Writes `domain tag || 0x00 || header || payload` into `buf`.
pub(crate) fn signing_input<'b>(
    kind: ObjectKind,
    header: &[u8; HEADER_LEN],
    payload: &[u8],
    buf: &'b mut [u8],
) -> Option<&'b [u8]> {
    let tag = kind.domain_tag().as_bytes();
    let len = tag.len() + 1 + HEADER_LEN + payload.len();
    let out = buf.get_mut(..len)?;
    let (t, rest) = out.split_at_mut(tag.len());
    t.copy_from_slice(tag);
    let (zero, rest) = rest.split_first_mut()?;
    *zero = 0;
    let (h, p) = rest.split_at_mut(HEADER_LEN);
    h.copy_from_slice(header);
    p.copy_from_slice(payload);
    Some(out)
}

/// The header bytes for an object of `kind` signed by `key_id`.
pub(crate) fn header(kind: ObjectKind, key_id: KeyId) -> [u8; HEADER_LEN] {
    let [a, b, c, d] = key_id.0;
    [FORMAT_VERSION, kind.to_byte(), a, b, c, d]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_distinct_and_fit() {
        for a in ObjectKind::ALL {
            assert!(a.domain_tag().len() <= MAX_TAG_LEN);
            assert_eq!(ObjectKind::from_byte(a.to_byte()), Some(a));
            for b in ObjectKind::ALL {
                assert_eq!(a == b, a.domain_tag() == b.domain_tag());
            }
        }
        assert_eq!(ObjectKind::from_byte(0), None);
    }

    #[test]
    fn split_checks_version_and_kind() {
        let mut body = [0u8; HEADER_LEN + 3 + SIGNATURE_LEN];
        body[0] = 2;
        body[1] = 1;
        assert!(matches!(
            Envelope::split(&body),
            Err(Error::UnsupportedVersion { found: 2 })
        ));
        body[0] = 1;
        body[1] = 9;
        assert!(matches!(
            Envelope::split(&body),
            Err(Error::UnknownObjectKind { found: 9 })
        ));
        body[1] = 1;
        let e = Envelope::split(&body).unwrap();
        assert_eq!(e.payload.len(), 3);
        assert_eq!(e.kind, ObjectKind::InstanceRegistration);
    }
}
