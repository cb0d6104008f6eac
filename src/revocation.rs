//! Signed revocation lists: which key serials an issuer has withdrawn.
//!
//! A list is a signed object of its own kind ([`ObjectKind::RevocationList`]), in the same
//! envelope as keys: header (version, kind, issuer key id), payload, Ed25519 signature. It
//! travels either as text (`GLPI-<body>-<check>`, for small lists that fit in an e-mail) or as
//! a binary file ([`LIST_FILE_MAGIC`] followed by the body, for large ones).
//!
//! ```text
//! payload = sequence (varint u64) || issued_at (varint u64, seconds)
//!        || next_update (postcard Option<u64>, seconds)
//!        || serials (postcard byte string: varint length, then 8 big-endian bytes per serial,
//!                    strictly increasing)
//! signed message = "glpi-key/v1/revocation-list" || 0x00 || header || SHA-512(payload)
//! ```
//! The payload is hashed before signing so that a list of any size verifies in place, from
//! the caller's buffer, without allocation. Looking a serial up is a binary search over the
//! verified bytes. See `spec/REVOCATION.md`.
//!
//! ```
//! use glpi_key::{Issuer, NewRevocationList, Serial, TextStyle, TrustStore, UnixTime,
//!                UnverifiedRevocationList, MAX_TEXT_LIST_LEN};
//!
//! let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
//! let revoked = [Serial::new(5).unwrap(), Serial::new(9).unwrap()];
//! let new = NewRevocationList {
//!     sequence: 3,
//!     issued_at: UnixTime::from_date(2027, 1, 1).unwrap(),
//!     next_update: None,
//!     serials: &revoked,
//! };
//! let mut out = [0u8; MAX_TEXT_LIST_LEN];
//! let text = issuer.issue_revocation_list(&new, &mut out)?.text(TextStyle::Compact).unwrap().to_string();
//!
//! let trust = TrustStore::with(issuer.trusted_key()?);
//! let mut buf = [0u8; MAX_TEXT_LIST_LEN];
//! let list = UnverifiedRevocationList::parse_text(&text, &mut buf)?.verify(&trust)?;
//! assert!(list.contains(Serial::new(9).unwrap()));
//! assert!(!list.contains(Serial::new(7).unwrap()));
//! assert_eq!(list.sequence(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use ed25519_dalek::Signature;
use sha2::{Digest, Sha512};

use crate::checksum::{hrp_expansion_len, CHECK_LEN, CODE_LENGTH};
use crate::envelope::{self, Envelope, ObjectKind, HEADER_LEN, MAX_TAG_LEN, SIGNATURE_LEN};
use crate::error::{Error, IssueError};
use crate::issue::Issuer;
use crate::key::KEY_HRP;
use crate::serial::Serial;
use crate::sign::Sign;
use crate::text::{Scan, Text, TextSpec, TextStyle};
use crate::time::UnixTime;
use crate::trust::{KeyId, TrustStore};

/// Bytes of one serial in a list (big-endian).
pub const SERIAL_LEN: usize = 8;

/// The first bytes of a revocation list file; the list's body follows.
pub const LIST_FILE_MAGIC: [u8; 8] = *b"GLPI-RL\n";

/// The most serials one list may hold (8 MiB of serials).
pub const MAX_LIST_SERIALS: usize = 1 << 20;

/// The longest list body that has a text form: as many symbols as the bech32m code length
/// allows (1023, including the expansion of the `glpi` checksum domain and the check).
pub const MAX_TEXT_LIST_LEN: usize = (CODE_LENGTH - hrp_expansion_len(KEY_HRP) - CHECK_LEN) * 5 / 8;

/// Most bytes of the fixed payload fields: sequence and issue time (10-byte varints), next
/// update (tag and 10-byte varint) and the length of the serials (5-byte varint).
const MAX_FIXED_FIELDS_LEN: usize = 10 + 10 + 11 + 5;

/// Fewest payload bytes: four one-byte fields.
const MIN_PAYLOAD_LEN: usize = 4;

/// The most serials that always fit in a list's text form, whatever its other fields hold.
pub const MAX_TEXT_LIST_SERIALS: usize =
    (MAX_TEXT_LIST_LEN - HEADER_LEN - SIGNATURE_LEN - MAX_FIXED_FIELDS_LEN) / SERIAL_LEN;

const LIST_TEXT: TextSpec = TextSpec::new(
    KEY_HRP,
    HEADER_LEN + MIN_PAYLOAD_LEN + SIGNATURE_LEN,
    MAX_TEXT_LIST_LEN,
);

/// An upper bound of the file length (magic included) of a list with `serials` serials: size
/// the buffers for [`Issuer::issue_revocation_list`] and for reading files with it.
pub const fn max_revocation_list_len(serials: usize) -> usize {
    LIST_FILE_MAGIC.len()
        + HEADER_LEN
        + MAX_FIXED_FIELDS_LEN
        + serials.saturating_mul(SERIAL_LEN)
        + SIGNATURE_LEN
}

/// Why a signed revocation list is malformed (or, when issuing, cannot be made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListError {
    /// The bytes end in the middle of a field, or a field is not validly encoded.
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// Bytes are left over after the serials.
    TrailingBytes,
    /// The fields decode, but are not in their one canonical byte form.
    NotCanonical,
    /// The serials take a number of bytes that is not a multiple of 8.
    SerialsLength(usize),
    /// A serial has bits above the 60 that serials use.
    SerialOutOfRange {
        /// 0-based position in the list.
        index: usize,
    },
    /// A serial is smaller than the one before it: lists are sorted.
    Unsorted {
        /// 0-based position of the out-of-order serial.
        index: usize,
    },
    /// A serial appears twice.
    Duplicate {
        /// The repeated serial.
        serial: Serial,
    },
    /// The next update is not after the issue time.
    NextUpdateNotAfterIssue,
    /// More serials than [`MAX_LIST_SERIALS`].
    TooManySerials {
        /// Serials given.
        count: usize,
    },
    /// The output buffer is too small (see [`max_revocation_list_len`]).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::Truncated { field } => {
                write!(f, "field `{field}` is cut short or badly encoded")
            }
            ListError::TrailingBytes => f.write_str("bytes are left over after the serials"),
            ListError::NotCanonical => f.write_str("the fields are not in canonical form"),
            ListError::SerialsLength(n) => write!(
                f,
                "the serials take {n} bytes, which is not a whole number of 8-byte serials"
            ),
            ListError::SerialOutOfRange { index } => {
                write!(f, "serial number {} is larger than 60 bits", index + 1)
            }
            ListError::Unsorted { index } => write!(
                f,
                "serial number {} is smaller than the one before it (serials must be sorted)",
                index + 1
            ),
            ListError::Duplicate { serial } => write!(
                f,
                "serial {} ({}) is listed twice",
                serial.value(),
                serial.short_id()
            ),
            ListError::NextUpdateNotAfterIssue => {
                f.write_str("the next update is not after the issue time")
            }
            ListError::TooManySerials { count } => write!(
                f,
                "{count} serials are more than a list may hold ({MAX_LIST_SERIALS})"
            ),
            ListError::BufferTooSmall { needed } => {
                write!(
                    f,
                    "the output buffer is too small: {needed} bytes are needed"
                )
            }
        }
    }
}

impl core::error::Error for ListError {}

/// What a new revocation list says, for [`Issuer::issue_revocation_list`].
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

/// A revocation list read from text or a file whose signature has not been checked. Borrows
/// its body from the caller's buffer. Call [`verify`](Self::verify) to get a
/// [`RevocationList`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UnverifiedRevocationList<'a> {
    body: &'a [u8],
    key_id: KeyId,
}

impl fmt::Debug for UnverifiedRevocationList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedRevocationList")
            .field("key_id", &self.key_id)
            .field("len", &self.body.len())
            .finish()
    }
}

impl<'a> UnverifiedRevocationList<'a> {
    /// Reads a list from its text form, decoding the body into `buf` ([`MAX_TEXT_LIST_LEN`]
    /// bytes always suffice). A key given here is refused with [`Error::WrongObjectKind`].
    pub fn parse_text(text: &str, buf: &'a mut [u8]) -> Result<Self, Error> {
        let mut symbols = [0u8; LIST_TEXT.max_symbols()];
        let scan = Scan::new(text, &mut symbols)?;
        let n = scan.decode(&LIST_TEXT, buf)?;
        let body: &'a [u8] = buf.get(..n).unwrap_or_default();
        Self::from_body(body)
    }

    /// Reads a list from the bytes of its file form ([`LIST_FILE_MAGIC`] and the body).
    pub fn from_file_bytes(file: &'a [u8]) -> Result<Self, Error> {
        let body = file
            .strip_prefix(&LIST_FILE_MAGIC)
            .ok_or(Error::NotARevocationListFile)?;
        Self::from_body(body)
    }

    /// Reads a list from its body (header, payload, signature).
    pub fn from_body(body: &'a [u8]) -> Result<Self, Error> {
        if body.len() < HEADER_LEN + MIN_PAYLOAD_LEN + SIGNATURE_LEN {
            return Err(Error::MalformedRevocationList(ListError::Truncated {
                field: "header",
            }));
        }
        let env = Envelope::split(body)?;
        if env.kind != ObjectKind::RevocationList {
            return Err(Error::WrongObjectKind {
                found: env.kind,
                expected: Some(ObjectKind::RevocationList),
            });
        }
        Ok(UnverifiedRevocationList {
            body,
            key_id: env.key_id,
        })
    }

    /// The body: header, payload, signature.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// The issuer key id the header claims (unverified).
    pub fn unverified_key_id(&self) -> KeyId {
        self.key_id
    }

    /// The list as text, or `None` when it is longer than [`MAX_TEXT_LIST_LEN`] (use the file
    /// form).
    pub fn text(&self, style: TextStyle) -> Option<Text<'a>> {
        (self.body.len() <= MAX_TEXT_LIST_LEN).then(|| Text::new(self.body, KEY_HRP, style))
    }

    /// Length of the file form in bytes.
    pub fn file_len(&self) -> usize {
        LIST_FILE_MAGIC.len() + self.body.len()
    }

    /// Writes the file form into `out`; on failure, returns the length needed.
    pub fn write_file_into<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], usize> {
        let needed = self.file_len();
        let dst = out.get_mut(..needed).ok_or(needed)?;
        let (magic, body) = dst.split_at_mut(LIST_FILE_MAGIC.len());
        magic.copy_from_slice(&LIST_FILE_MAGIC);
        body.copy_from_slice(self.body);
        Ok(dst)
    }

    /// The file form.
    #[cfg(feature = "alloc")]
    pub fn to_file_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec::Vec::with_capacity(self.file_len());
        v.extend_from_slice(&LIST_FILE_MAGIC);
        v.extend_from_slice(self.body);
        v
    }

    fn header(&self) -> &'a [u8; HEADER_LEN] {
        self.body
            .first_chunk::<HEADER_LEN>()
            .unwrap_or(&[0; HEADER_LEN])
    }

    fn payload(&self) -> &'a [u8] {
        let end = self.body.len().saturating_sub(SIGNATURE_LEN);
        self.body.get(HEADER_LEN..end).unwrap_or_default()
    }

    fn signature(&self) -> &'a [u8; SIGNATURE_LEN] {
        self.body
            .last_chunk::<SIGNATURE_LEN>()
            .unwrap_or(&[0; SIGNATURE_LEN])
    }

    /// Verifies the list: issuer lookup by key id, strict Ed25519 signature over the raw bytes,
    /// then (only then) the payload is decoded and checked (canonical form, serials in range,
    /// sorted, no duplicates) and the issuer key's window must cover the issue time.
    ///
    /// Works in place: no allocation, whatever the list's size.
    pub fn verify(&self, trust: &TrustStore) -> Result<RevocationList<'a>, Error> {
        let issuer = trust.get(self.key_id).ok_or(Error::UnknownIssuer {
            key_id: self.key_id,
        })?;
        let mut buf = [0u8; SIGNING_INPUT_LEN];
        let msg = signing_input(self.header(), self.payload(), &mut buf);
        issuer
            .verifying_key()
            .verify_strict(msg, &Signature::from_bytes(self.signature()))
            .map_err(|_| Error::BadSignature)?;
        let fields = Fields::decode(self.payload())?;
        if !issuer.covers(fields.issued_at) {
            return Err(Error::IssuerKeyNotValid {
                key_id: self.key_id,
                issued_at: fields.issued_at,
            });
        }
        Ok(RevocationList {
            issuer: self.key_id,
            sequence: fields.sequence,
            issued_at: fields.issued_at,
            next_update: fields.next_update,
            serials: fields.serials,
        })
    }
}

/// A verified revocation list. Only [`UnverifiedRevocationList::verify`] makes one. Borrows the
/// serials from the verified bytes; lookups are binary searches over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationList<'a> {
    issuer: KeyId,
    sequence: u64,
    issued_at: UnixTime,
    next_update: Option<UnixTime>,
    serials: &'a [u8],
}

impl<'a> RevocationList<'a> {
    /// The issuer key that signed the list.
    pub fn issuer_key_id(&self) -> KeyId {
        self.issuer
    }

    /// The list's sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When the list was issued.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// When the issuer planned the next list, if announced.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// Whether the announced next update has passed at `now` (the host should ask for a newer
    /// list; this list stays valid).
    pub fn is_due(&self, now: UnixTime) -> bool {
        self.next_update.is_some_and(|t| now >= t)
    }

    /// Number of revoked serials.
    pub fn len(&self) -> usize {
        self.serials.len() / SERIAL_LEN
    }

    /// Whether no serial is revoked.
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }

    /// The revoked serials, in increasing order.
    pub fn serials(&self) -> impl Iterator<Item = Serial> + 'a {
        self.serials
            .chunks_exact(SERIAL_LEN)
            .filter_map(|c| c.try_into().ok().and_then(Serial::from_be_bytes))
    }

    fn value_at(&self, index: usize) -> u64 {
        let start = index * SERIAL_LEN;
        self.serials
            .get(start..start + SERIAL_LEN)
            .and_then(|c| c.try_into().ok())
            .map_or(0, u64::from_be_bytes)
    }

    /// Whether `serial` is revoked. O(log n), no allocation.
    pub fn contains(&self, serial: Serial) -> bool {
        let target = serial.value();
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.value_at(mid).cmp(&target) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Refuses a revoked serial with [`Error::Revoked`], naming the key and this list.
    pub fn check(&self, serial: Serial) -> Result<(), Error> {
        if self.contains(serial) {
            Err(Error::Revoked {
                short_id: serial.short_id(),
                sequence: self.sequence,
            })
        } else {
            Ok(())
        }
    }

    /// Refuses this list if it is older than the one the host already installed (whose
    /// sequence number the host remembers): [`Error::RevocationListRolledBack`]. A list with
    /// the same number is accepted (installing the same list again).
    pub fn check_not_older_than(&self, installed_sequence: u64) -> Result<(), Error> {
        check_sequence(self.sequence, installed_sequence)
    }
}

/// Refuses a list with sequence number `sequence` when a list numbered `installed` is already
/// installed and is newer.
pub fn check_sequence(sequence: u64, installed: u64) -> Result<(), Error> {
    if sequence < installed {
        Err(Error::RevocationListRolledBack {
            sequence,
            installed,
        })
    } else {
        Ok(())
    }
}

/// The decoded payload.
struct Fields<'a> {
    sequence: u64,
    issued_at: UnixTime,
    next_update: Option<UnixTime>,
    serials: &'a [u8],
}

impl<'a> Fields<'a> {
    fn decode(payload: &'a [u8]) -> Result<Self, ListError> {
        fn take<'b, T: serde::Deserialize<'b>>(
            bytes: &'b [u8],
            field: &'static str,
        ) -> Result<(T, &'b [u8]), ListError> {
            postcard::take_from_bytes(bytes).map_err(|_| ListError::Truncated { field })
        }
        let (sequence, rest) = take::<u64>(payload, "sequence")?;
        let (issued, rest) = take::<u64>(rest, "issued_at")?;
        let (next, rest) = take::<Option<u64>>(rest, "next_update")?;
        let (serials, rest) = take::<&[u8]>(rest, "serials")?;
        if !rest.is_empty() {
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
    fn encode_fixed(&self, serials_len: usize, out: &mut [u8]) -> Result<usize, ListError> {
        if self.next_update.is_some_and(|next| next <= self.issued_at) {
            return Err(ListError::NextUpdateNotAfterIssue);
        }
        let mut w = Writer { out, len: 0 };
        w.put(&self.sequence)?;
        w.put(&self.issued_at.as_secs())?;
        w.put(&self.next_update.map(UnixTime::as_secs))?;
        w.put(&serials_len)?;
        Ok(w.len)
    }
}

/// Writes postcard-encoded fields one after another.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn put<T: serde::Serialize>(&mut self, v: &T) -> Result<(), ListError> {
        let needed = MAX_FIXED_FIELDS_LEN;
        let rest = self
            .out
            .get_mut(self.len..)
            .ok_or(ListError::BufferTooSmall { needed })?;
        self.len += postcard::to_slice(v, rest)
            .map_err(|_| ListError::BufferTooSmall { needed })?
            .len();
        Ok(())
    }
}

/// Checks serial values in order: in range, strictly increasing. Counts them.
fn check_serials(values: impl Iterator<Item = Result<u64, ListError>>) -> Result<usize, ListError> {
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

const SIGNING_INPUT_LEN: usize = MAX_TAG_LEN + 1 + HEADER_LEN + 64;

/// `domain tag || 0x00 || header || SHA-512(payload)`.
fn signing_input<'b>(
    header: &[u8; HEADER_LEN],
    payload: &[u8],
    buf: &'b mut [u8; SIGNING_INPUT_LEN],
) -> &'b [u8] {
    let digest: [u8; 64] = Sha512::digest(payload).into();
    // The tag is at most MAX_TAG_LEN bytes (a unit test in envelope.rs checks it), so the
    // buffer always has room and the fallback is never taken.
    match envelope::signing_input(ObjectKind::RevocationList, header, &digest, buf) {
        Some(msg) => msg,
        None => &[],
    }
}

impl<S: Sign> Issuer<S> {
    /// Signs a revocation list, writing its body into `out` (size it with
    /// [`max_revocation_list_len`]). Write it out with
    /// [`UnverifiedRevocationList::text`] (small lists) or
    /// [`UnverifiedRevocationList::write_file_into`].
    ///
    /// The serials must be strictly increasing; the next update, if any, after the issue time.
    pub fn issue_revocation_list<'o>(
        &self,
        list: &NewRevocationList<'_>,
        out: &'o mut [u8],
    ) -> Result<UnverifiedRevocationList<'o>, IssueError> {
        let count = list.serials.len();
        if count > MAX_LIST_SERIALS {
            return Err(ListError::TooManySerials { count }.into());
        }
        check_serials(list.serials.iter().map(|s| Ok(s.value())))?;
        let fields = Fields {
            sequence: list.sequence,
            issued_at: list.issued_at,
            next_update: list.next_update,
            serials: &[],
        };
        let mut fixed = [0u8; MAX_FIXED_FIELDS_LEN];
        let fixed_len = fields.encode_fixed(count * SERIAL_LEN, &mut fixed)?;
        let payload_len = fixed_len + count * SERIAL_LEN;
        let body_len = HEADER_LEN + payload_len + SIGNATURE_LEN;
        let body = out
            .get_mut(..body_len)
            .ok_or(IssueError::BufferTooSmall { needed: body_len })?;
        let (header, rest) = body.split_at_mut(HEADER_LEN);
        let (payload, signature) = rest.split_at_mut(payload_len);
        let key_header = envelope::header(ObjectKind::RevocationList, self.key_id());
        header.copy_from_slice(&key_header);
        let (head, serials) = payload.split_at_mut(fixed_len);
        head.copy_from_slice(fixed.get(..fixed_len).unwrap_or_default());
        for (dst, s) in serials.chunks_exact_mut(SERIAL_LEN).zip(list.serials) {
            dst.copy_from_slice(&s.to_be_bytes());
        }
        let mut buf = [0u8; SIGNING_INPUT_LEN];
        let msg = signing_input(&key_header, payload, &mut buf);
        signature.copy_from_slice(&self.sign_checked(msg)?);
        let body: &'o [u8] = body;
        Ok(UnverifiedRevocationList {
            body,
            key_id: self.key_id(),
        })
    }
}

impl From<ListError> for Error {
    fn from(e: ListError) -> Self {
        Error::MalformedRevocationList(e)
    }
}

impl From<ListError> for IssueError {
    fn from(e: ListError) -> Self {
        IssueError::RevocationList(e)
    }
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
