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

use crate::error::{Error, ListError};
use crate::model::ids::KeyId;
use crate::model::kind::ObjectKind;
use crate::model::serial::Serial;
use crate::model::time::UnixTime;
use crate::text::reader::Scan;
use crate::text::spec::{TextStyle, KEY_HRP};
use crate::text::writer::Text;
use crate::trust::store::TrustStore;
use crate::verify::signed;
use crate::wire::envelope::{Envelope, HEADER_LEN, SIGNATURE_LEN};
use crate::wire::revocation::{
    signing_input, Fields, LIST_FILE_MAGIC, LIST_TEXT, MAX_TEXT_LIST_LEN, MIN_PAYLOAD_LEN,
    SERIAL_LEN, SIGNING_INPUT_LEN,
};

/// A revocation list read from text or a file whose signature has not been checked. Borrows
/// its body from the caller's buffer. Call [`verify`](Self::verify) to get a
/// [`RevocationList`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UnverifiedRevocationList<'a> {
    pub(crate) body: &'a [u8],
    pub(crate) envelope: Envelope<'a>,
}

impl fmt::Debug for UnverifiedRevocationList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedRevocationList")
            .field("key_id", &self.envelope.key_id)
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
            envelope: env,
        })
    }

    /// The body: header, payload, signature.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// The issuer key id the header claims (unverified).
    pub fn unverified_key_id(&self) -> KeyId {
        self.envelope.key_id
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

    /// Verifies the list: issuer lookup by key id, strict Ed25519 signature over the raw bytes,
    /// then (only then) the payload is decoded and checked (canonical form, serials in range,
    /// sorted, no duplicates) and the issuer key's window must cover the issue time.
    ///
    /// Works in place: no allocation, whatever the list's size.
    pub fn verify(&self, trust: &TrustStore) -> Result<RevocationList<'a>, Error> {
        let env = &self.envelope;
        let issuer = signed::issuer(trust, env.key_id)?;
        let mut buf = [0u8; SIGNING_INPUT_LEN];
        let msg = signing_input(env.header, env.payload, &mut buf);
        signed::check_signature(issuer, msg, env.signature)?;
        let fields = Fields::decode(env.payload)?;
        signed::check_window(issuer, fields.issued_at)?;
        Ok(RevocationList {
            issuer: env.key_id,
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
