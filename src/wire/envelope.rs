//! The signed binary envelope shared by every object: header, payload, signature.
//!
//! ```text
//! body = version (1 byte) || kind (1 byte) || issuer key id (4 bytes) || payload || signature (64 bytes)
//! signed message = domain tag of kind || 0x00 || version || kind || key id || payload
//! ```
//! The domain tag names the object kind and format version, so a signature made for one kind
//! of object can never be valid for another.

use crate::encoding::base32;
use crate::encoding::checksum::CHECK_LEN;
use crate::error::Error;
use crate::model::ids::KeyId;
use crate::model::kind::ObjectKind;
use crate::model::limits::FORMAT_VERSION;

/// Bytes in the header: version, kind, issuer key id.
pub const HEADER_LEN: usize = 2 + KeyId::LEN;

/// Bytes in an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// Longest domain tag (`glpi-key/v1/instance-registration`), for sizing the signing-input
/// buffers: exact, checked when the crate compiles.
pub(crate) const MAX_TAG_LEN: usize = 33;

/// Room in front of a body for its domain tag and the `0x00` separator: an object whose body
/// is stored right after this room has its whole signing input in one contiguous slice.
pub(crate) const TAG_ROOM: usize = MAX_TAG_LEN + 1;

// Every domain tag fits in front of a body: checked when the crate compiles, so writing a tag
// can never run out of room.
// The bound is also exact: no room is left unused.
const _: () = {
    let mut rest: &[ObjectKind] = &ObjectKind::ALL;
    let mut longest = 0;
    while let [kind, tail @ ..] = rest {
        let len = kind.domain_tag().len();
        assert!(len < TAG_ROOM);
        if len > longest {
            longest = len;
        }
        rest = tail;
    }
    assert!(longest == MAX_TAG_LEN);
};

/// The parts of a body. Borrowed from the body; nothing here is verified yet. Header and
/// signature are arrays, taken from the body once, so nothing downstream can read a header or
/// signature of the wrong size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    pub kind: ObjectKind,
    pub key_id: KeyId,
    pub header: &'a [u8; HEADER_LEN],
    /// The bytes between header and signature.
    pub payload: &'a [u8],
    pub signature: &'a [u8; SIGNATURE_LEN],
}

impl<'a> Envelope<'a> {
    /// Splits a body into header, payload and signature, checking version and kind. A body
    /// shorter than a header and a signature is [`Error::WrongLength`]; callers that know a
    /// longer minimum for their kind check it before.
    pub fn split(body: &'a [u8]) -> Result<Self, Error> {
        let too_short = Error::WrongLength {
            symbols: symbols_with_check(body.len()),
        };
        let (header, rest) = body.split_first_chunk::<HEADER_LEN>().ok_or(too_short)?;
        let (payload, signature) = rest.split_last_chunk::<SIGNATURE_LEN>().ok_or(too_short)?;
        let [version, kind, id @ ..] = *header;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion { found: version });
        }
        let kind = ObjectKind::from_byte(kind).ok_or(Error::UnknownObjectKind { found: kind })?;
        Ok(Envelope {
            kind,
            key_id: KeyId(id),
            header,
            payload,
            signature,
        })
    }
}

/// Symbols in the text form of a body of `len` bytes, check included (for length errors).
pub(crate) const fn symbols_with_check(len: usize) -> usize {
    base32::symbols_for_bytes(len) + CHECK_LEN
}

/// Writes `domain tag || 0x00 || signed` into `buf` and returns it: the exact bytes an
/// object's signature covers (`signed` is the header and the payload, or for lists the header
/// and the payload's hash).
///
/// `buf` must hold [`TAG_ROOM`] bytes more than the longest `signed` part of its object kind;
/// each caller sizes it with its own constant (`SIGNING_INPUT_MAX` for keys, whose body buffer
/// bounds the signed part; `LIST_SIGNING_INPUT_LEN` for lists, whose signed part has a fixed
/// length). The tag fits in [`TAG_ROOM`] by the compile-time assertion above.
pub(crate) fn signing_input<'b, const N: usize>(
    kind: ObjectKind,
    signed: &[u8],
    buf: &'b mut [u8; N],
) -> &'b [u8] {
    let tag = kind.domain_tag().as_bytes();
    let (out, _) = buf.split_at_mut(tag.len() + 1 + signed.len());
    let (t, rest) = out.split_at_mut(tag.len());
    t.copy_from_slice(tag);
    let (zero, s) = rest.split_at_mut(1);
    zero.fill(0);
    s.copy_from_slice(signed);
    out
}

/// The bytes an object's signature covers, as [`signing_input`] writes them, in parts
/// (`domain tag`, `0x00`, `signed`) for hashing without a copy.
pub(crate) fn signing_input_parts(kind: ObjectKind, signed: &[u8]) -> [&[u8]; 3] {
    [kind.domain_tag().as_bytes(), &[0], signed]
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

    /// A body too short for header and signature is `wrong-length`, counting the symbols its
    /// text had: 8 bits per byte in 5-bit symbols, rounded up, and the 6 check symbols.
    #[test]
    fn a_short_body_reports_the_symbols_of_its_text() {
        let body = [0u8; HEADER_LEN + SIGNATURE_LEN];
        for len in 0..body.len() {
            let symbols = (len * 8).div_ceil(5) + 6;
            assert_eq!(
                Envelope::split(&body[..len]),
                Err(Error::WrongLength { symbols }),
                "{len}"
            );
        }
        assert_eq!(symbols_with_check(40), 70);
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
