//! The revocation list payload: its fields, their one canonical byte form, and the signing
//! input (see `spec/REVOCATION.md`).

use sha2::{Digest, Sha512};

use crate::encoding::checksum::{hrp_expansion_len, CHECK_LEN, CODE_LENGTH};
use crate::error::ListError;
use crate::model::kind::ObjectKind;
use crate::model::limits::MAX_LIST_SERIALS;
use crate::model::serial::Serial;
use crate::model::time::UnixTime;
use crate::text::spec::{TextSpec, KEY_HRP};
use crate::wire::codec::{CodecError, Reader, Writer};
use crate::wire::envelope::{self, HEADER_LEN, SIGNATURE_LEN, TAG_ROOM};

/// Bytes of one serial in a list (big-endian).
pub(crate) const SERIAL_LEN: usize = 8;

/// The first bytes of a revocation list file; the list's body follows.
pub const LIST_FILE_MAGIC: [u8; 8] = *b"GLPI-RL\n";

/// The longest list body that has a text form: as many symbols as the bech32m code length
/// allows (1023, including the expansion of the `glpi` checksum domain and the check).
pub const MAX_TEXT_LIST_LEN: usize = (CODE_LENGTH - hrp_expansion_len(KEY_HRP) - CHECK_LEN) * 5 / 8;

/// Most bytes of the fixed payload fields: sequence and issue time (10-byte varints), next
/// update (tag and 10-byte varint) and the length of the serials (5-byte varint).
pub(crate) const MAX_FIXED_FIELDS_LEN: usize = 10 + 10 + 11 + 5;

/// Fewest payload bytes: four one-byte fields.
pub(crate) const MIN_PAYLOAD_LEN: usize = 4;

/// The most serials that always fit in a list's text form, whatever its other fields hold.
pub const MAX_TEXT_LIST_SERIALS: usize =
    (MAX_TEXT_LIST_LEN - HEADER_LEN - SIGNATURE_LEN - MAX_FIXED_FIELDS_LEN) / SERIAL_LEN;

pub(crate) const LIST_TEXT: TextSpec = TextSpec::new(
    KEY_HRP,
    HEADER_LEN + MIN_PAYLOAD_LEN + SIGNATURE_LEN,
    MAX_TEXT_LIST_LEN,
);

/// An upper bound of the file length (magic included) of a list with `serials` serials: size
/// the buffers for [`Issuer::issue_revocation_list`](crate::Issuer::issue_revocation_list) and for reading files with it.
pub const fn max_revocation_list_len(serials: usize) -> usize {
    LIST_FILE_MAGIC.len()
        + HEADER_LEN
        + MAX_FIXED_FIELDS_LEN
        + serials.saturating_mul(SERIAL_LEN)
        + SIGNATURE_LEN
}

/// What a new revocation list says, for [`Issuer::issue_revocation_list`](crate::Issuer::issue_revocation_list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewRevocationList<'s> {
    /// The list's number; each new list must have a higher one than every list before it.
    pub sequence: u64,
    /// When the list was issued.
    pub issued_at: UnixTime,
    /// When the next list is planned, if announced.
    pub next_update: Option<UnixTime>,
    /// The revoked serials, strictly increasing.
    pub serials: &'s [Serial],
}

/// The decoded payload.
pub(crate) struct Fields<'a> {
    pub(crate) sequence: u64,
    pub(crate) issued_at: UnixTime,
    pub(crate) next_update: Option<UnixTime>,
    pub(crate) serials: &'a [u8],
}

impl<'a> Fields<'a> {
    pub(crate) fn decode(payload: &'a [u8]) -> Result<Self, ListError> {
        let mut r = Reader::new(payload);
        let sequence = r.take::<u64>("sequence")?;
        let issued = r.take::<u64>("issued_at")?;
        let next = r.take::<Option<u64>>("next_update")?;
        let serials = r.take::<&[u8]>("serials")?;
        if !r.is_empty() {
            return Err(ListError::TrailingBytes);
        }
        let fields = Fields {
            sequence,
            issued_at: UnixTime::from_secs(issued),
            next_update: next.map(UnixTime::from_secs),
            serials,
        };
        // Canonical form: the fixed fields re-encode to the same bytes.
        let mut again = [0u8; MAX_FIXED_FIELDS_LEN];
        let n = fields.encode_fixed(serials.len(), &mut again)?;
        if again.get(..n) != payload.get(..n) {
            return Err(ListError::NotCanonical);
        }
        check_serials(serials.chunks(SERIAL_LEN).map(|c| {
            c.try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| ListError::SerialsLength(serials.len()))
        }))?;
        Ok(fields)
    }

    /// Writes sequence, issue time, next update and the serials' byte length (the serials
    /// follow it); checks the times.
    pub(crate) fn encode_fixed(
        &self,
        serials_len: usize,
        out: &mut [u8],
    ) -> Result<usize, ListError> {
        if self.next_update.is_some_and(|next| next <= self.issued_at) {
            return Err(ListError::NextUpdateNotAfterIssue);
        }
        let mut w = Writer::new(out);
        w.put(&self.sequence)?;
        w.put(&self.issued_at.as_secs())?;
        w.put(&self.next_update.map(UnixTime::as_secs))?;
        w.put(&serials_len)?;
        Ok(w.len())
    }
}

impl From<CodecError> for ListError {
    fn from(e: CodecError) -> Self {
        match e {
            CodecError::Truncated(field) => ListError::Truncated { field },
            // Only the fixed fields are written through the codec, into a buffer of this size.
            CodecError::Full => ListError::BufferTooSmall {
                needed: MAX_FIXED_FIELDS_LEN,
            },
        }
    }
}

/// Checks serial values in order: in range, strictly increasing. Counts them.
pub(crate) fn check_serials(
    values: impl Iterator<Item = Result<u64, ListError>>,
) -> Result<usize, ListError> {
    let mut previous: Option<u64> = None;
    let mut count = 0usize;
    for (index, value) in values.enumerate() {
        let value = value?;
        let serial = Serial::new(value).ok_or(ListError::SerialOutOfRange { index })?;
        match previous {
            Some(p) if p == value => return Err(ListError::Duplicate { serial }),
            Some(p) if p > value => return Err(ListError::Unsorted { index }),
            _ => {}
        }
        previous = Some(value);
        count += 1;
        if count > MAX_LIST_SERIALS {
            return Err(ListError::TooManySerials { count });
        }
    }
    Ok(count)
}

/// Bytes of the signing input of every list: tag room, header and the payload's SHA-512.
pub(crate) const SIGNING_INPUT_LEN: usize = TAG_ROOM + HEADER_LEN + 64;

/// `domain tag || 0x00 || header || SHA-512(payload)`.
pub(crate) fn signing_input<'b>(
    header: &[u8; HEADER_LEN],
    payload: &[u8],
    buf: &'b mut [u8; SIGNING_INPUT_LEN],
) -> &'b [u8] {
    let mut signed = [0u8; HEADER_LEN + 64];
    let (h, digest) = signed.split_at_mut(HEADER_LEN);
    h.copy_from_slice(header);
    digest.copy_from_slice(&Sha512::digest(payload));
    envelope::signing_input(ObjectKind::RevocationList, &signed, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limit_matches_the_code_length() {
        assert_eq!(MAX_TEXT_LIST_LEN, 630);
        assert!(LIST_TEXT.max_symbols() + hrp_expansion_len(KEY_HRP) <= CODE_LENGTH);
        assert_eq!(MAX_TEXT_LIST_SERIALS, 65);
    }

    #[test]
    #[cfg_attr(miri, ignore = "a million serials, too slow under Miri")]
    fn at_most_2_pow_20_serials() {
        let n = MAX_LIST_SERIALS as u64;
        assert_eq!(check_serials((1..=n).map(Ok)), Ok(MAX_LIST_SERIALS));
        assert_eq!(
            check_serials((1..=n + 1).map(Ok)),
            Err(ListError::TooManySerials {
                count: MAX_LIST_SERIALS + 1
            })
        );
    }

    #[test]
    fn serial_checks() {
        let ok = |v: &[u64]| check_serials(v.iter().map(|&x| Ok(x)));
        assert_eq!(ok(&[]), Ok(0));
        assert_eq!(ok(&[1, 2, 9]), Ok(3));
        assert_eq!(ok(&[1, 3, 2]), Err(ListError::Unsorted { index: 2 }));
        assert_eq!(
            ok(&[1, 3, 3]),
            Err(ListError::Duplicate {
                serial: Serial::new(3).unwrap()
            })
        );
        assert_eq!(
            ok(&[1, 1 << 60]),
            Err(ListError::SerialOutOfRange { index: 1 })
        );
    }
}
