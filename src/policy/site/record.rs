//! The site's state as bytes: the versioned, checksummed record of `spec/SITE.md` section 7.
//!
//! ```text
//! record    = magic "GLPISITE" || version 0x01 || body || check (16 bytes)
//! body      = grace_secs u64 || clock_tolerance_secs u64 || mark opt64
//!          || key_count u8 || key_count × key_entry
//!          || superseded_count u16 || superseded_count × (serial u64 || by_serial u64)
//! key_entry = public_key (32) || valid_from opt64 || valid_until opt64 || distrusted_from opt64
//!          || list (00 | 01 sequence u64 issued_at u64 next_update opt64 serial_count u32 digest(32))
//! opt64     = 00 | 01 u64                      (integers big-endian)
//! check     = first 16 bytes of SHA-512(magic .. end of body)
//! ```

use sha2::{Digest, Sha512};

use crate::error::{StateError, TrustError};
use crate::model::ids::KeyId;
use crate::model::limits::MAX_TRUSTED_KEYS;
use crate::model::serial::Serial;
use crate::model::time::UnixTime;
use crate::policy::site::state::{
    InstalledList, SitePolicy, SiteState, LIST_DIGEST_LEN, MAX_SUPERSEDED,
};
use crate::trust::store::{TrustStore, TrustedKey};

/// The first bytes of a site state record.
pub const SITE_STATE_MAGIC: [u8; 8] = *b"GLPISITE";

/// The record version this library writes and reads.
pub const SITE_STATE_VERSION: u8 = 1;

/// Bytes of the record's check value.
const CHECK_LEN: usize = 16;

const OPT64_LEN: usize = 9;
const LIST_LEN: usize = 1 + 8 + 8 + OPT64_LEN + 4 + LIST_DIGEST_LEN;
const KEY_ENTRY_LEN: usize = 32 + 3 * OPT64_LEN + LIST_LEN;
const HEAD_LEN: usize = SITE_STATE_MAGIC.len() + 1 + 8 + 8 + OPT64_LEN + 1;

/// The largest state record, in bytes: a buffer this long always holds
/// [`SiteState::write_bytes`]'s output.
pub const MAX_SITE_STATE_LEN: usize =
    HEAD_LEN + MAX_TRUSTED_KEYS * KEY_ENTRY_LEN + 2 + MAX_SUPERSEDED * 16 + CHECK_LEN;

struct Writer<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        if let Some(dst) = self.out.get_mut(self.at..end) {
            dst.copy_from_slice(bytes);
        }
        self.at = end;
    }

    fn u64(&mut self, v: u64) {
        self.put(&v.to_be_bytes());
    }

    fn opt(&mut self, v: Option<UnixTime>) {
        match v {
            None => self.put(&[0]),
            Some(t) => {
                self.put(&[1]);
                self.u64(t.as_secs());
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

const fn corrupted(reason: &'static str) -> StateError {
    StateError::Corrupted { reason }
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], StateError> {
        let (head, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or(corrupted("it is cut short"))?;
        self.bytes = rest;
        Ok(*head)
    }

    fn u8(&mut self) -> Result<u8, StateError> {
        Ok(self.take::<1>()?[0])
    }

    fn u64(&mut self) -> Result<u64, StateError> {
        self.take::<8>().map(u64::from_be_bytes)
    }

    fn flag(&mut self) -> Result<bool, StateError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupted("an option tag is neither 0 nor 1")),
        }
    }

    fn opt(&mut self) -> Result<Option<UnixTime>, StateError> {
        Ok(if self.flag()? {
            Some(UnixTime::from_secs(self.u64()?))
        } else {
            None
        })
    }
}

fn check_of(bytes: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha512::digest(bytes);
    let mut out = [0u8; CHECK_LEN];
    out.copy_from_slice(digest.get(..CHECK_LEN).unwrap_or(&[0u8; CHECK_LEN]));
    out
}

impl SiteState {
    /// Length of this state's record in bytes.
    pub fn record_len(&self) -> usize {
        self.encode(&mut [])
    }

    /// Writes the record (`spec/SITE.md` section 7) into `out` ([`MAX_SITE_STATE_LEN`] bytes
    /// always suffice) and returns it.
    pub fn write_bytes<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], StateError> {
        let needed = self.record_len();
        let out = out
            .get_mut(..needed)
            .ok_or(StateError::BufferTooSmall { needed })?;
        self.encode(out);
        Ok(out)
    }

    /// Writes the record into `out` when it fits, and returns its length either way.
    fn encode(&self, out: &mut [u8]) -> usize {
        let mut w = Writer { out, at: 0 };
        w.put(&SITE_STATE_MAGIC);
        w.put(&[SITE_STATE_VERSION]);
        w.u64(self.policy.grace_secs);
        w.u64(self.policy.clock_tolerance_secs);
        w.opt(self.mark);
        // At most MAX_TRUSTED_KEYS (16) keys: the count fits a byte.
        w.put(&[u8::try_from(self.trust.len()).unwrap_or(u8::MAX)]);
        for (key, list) in self.trust.iter().zip(&self.lists) {
            w.put(&key.public_key_bytes());
            w.opt(key.valid_from());
            w.opt(key.valid_until());
            w.opt(key.distrusted_from());
            match list {
                None => w.put(&[0]),
                Some(l) => {
                    w.put(&[1]);
                    w.u64(l.sequence);
                    w.u64(l.issued_at.as_secs());
                    w.opt(l.next_update);
                    w.put(&l.serials.to_be_bytes());
                    w.put(&l.digest);
                }
            }
        }
        // At most MAX_SUPERSEDED (64): fits two bytes.
        w.put(
            &u16::try_from(self.superseded_len)
                .unwrap_or(u16::MAX)
                .to_be_bytes(),
        );
        for (serial, by) in self.superseded() {
            w.u64(serial.value());
            w.u64(by.value());
        }
        let check = w.out.get(..w.at).map(check_of).unwrap_or_default();
        w.put(&check);
        w.at
    }

    /// The record as a new vector.
    #[cfg(feature = "alloc")]
    pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec![0u8; self.record_len()];
        let len = self.write_bytes(&mut out).map_or(0, <[u8]>::len);
        out.truncate(len);
        out
    }

    /// Reads a record. Anything but a record this library wrote is refused as
    /// [`StateError::Corrupted`] (or [`StateError::UnsupportedVersion`]): never reset a site
    /// whose record fails to read, since a reset grants exactly the rollback it exists to stop.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StateError> {
        let (magic, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or(corrupted("it is empty or cut short"))?;
        if *magic != SITE_STATE_MAGIC {
            return Err(corrupted("it is not a site state record"));
        }
        let (&version, _) = rest.split_first().ok_or(corrupted("it is cut short"))?;
        if version != SITE_STATE_VERSION {
            return Err(StateError::UnsupportedVersion { found: version });
        }
        let (signed, check) = bytes
            .split_last_chunk::<CHECK_LEN>()
            .ok_or(corrupted("it is cut short"))?;
        if signed.len() < HEAD_LEN || check_of(signed) != *check {
            return Err(corrupted(
                "its check value does not match its content (damaged or cut short)",
            ));
        }
        let mut r = Reader {
            bytes: signed.get(SITE_STATE_MAGIC.len() + 1..).unwrap_or_default(),
        };
        let policy = SitePolicy {
            grace_secs: r.u64()?,
            clock_tolerance_secs: r.u64()?,
        };
        let mark = r.opt()?;
        let key_count = usize::from(r.u8()?);
        if key_count > MAX_TRUSTED_KEYS {
            return Err(corrupted("it lists more issuer keys than a site holds"));
        }
        let mut state = SiteState::new(&TrustStore::new(), policy);
        state.mark = mark;
        for slot in 0..key_count {
            let public = r.take::<32>()?;
            let (from, until, distrust) = (r.opt()?, r.opt()?, r.opt()?);
            let key = TrustedKey::from_public_key_bytes(&public)
                .and_then(|k| k.with_validity(from, until))
                .map_err(|_| corrupted("an issuer key or its window is not valid"))?
                .with_distrust(distrust);
            state.trust.add(key).map_err(|e| match e {
                TrustError::DuplicateKeyId(_) => corrupted("two issuer keys have the same key id"),
                _ => corrupted("it lists more issuer keys than a site holds"),
            })?;
            if r.flag()? {
                let list = InstalledList {
                    key_id: KeyId::of_public_key(&public),
                    sequence: r.u64()?,
                    issued_at: UnixTime::from_secs(r.u64()?),
                    next_update: r.opt()?,
                    serials: r.take::<4>().map(u32::from_be_bytes)?,
                    digest: r.take::<LIST_DIGEST_LEN>()?,
                };
                if let Some(entry) = state.lists.get_mut(slot) {
                    *entry = Some(list);
                }
            }
        }
        let count = usize::from(r.take::<2>().map(u16::from_be_bytes)?);
        if count > MAX_SUPERSEDED {
            return Err(corrupted(
                "it lists more superseded serials than a site holds",
            ));
        }
        let serial = |v: u64| Serial::new(v).ok_or(corrupted("a serial is larger than 60 bits"));
        let mut last: Option<Serial> = None;
        for entry in state.superseded.iter_mut().take(count) {
            let (s, by) = (serial(r.u64()?)?, serial(r.u64()?)?);
            if last.is_some_and(|l| s <= l) {
                return Err(corrupted(
                    "the superseded serials are not in increasing order",
                ));
            }
            last = Some(s);
            *entry = (s, by);
        }
        state.superseded_len = count;
        if !r.bytes.is_empty() {
            return Err(corrupted("bytes are left over after the last field"));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Issuer;
    use std::vec::Vec;

    /// Builds a record field by field, sealed with a valid check value, so that each check
    /// behind the check value is reached with exactly the flaw it names.
    struct Record(Vec<u8>);

    impl Record {
        fn new(key_count: u8) -> Self {
            let mut r = Record(Vec::new());
            r.put(&SITE_STATE_MAGIC).put(&[SITE_STATE_VERSION]);
            r.u64(0).u64(300).put(&[0]).put(&[key_count]);
            r
        }
        fn put(&mut self, bytes: &[u8]) -> &mut Self {
            self.0.extend_from_slice(bytes);
            self
        }
        fn u64(&mut self, v: u64) -> &mut Self {
            self.put(&v.to_be_bytes())
        }
        /// A key with no window, no distrust date and no list.
        fn key(&mut self, public: &[u8; 32]) -> &mut Self {
            self.put(public).put(&[0, 0, 0, 0])
        }
        fn sealed(&self) -> Vec<u8> {
            let mut out = self.0.clone();
            out.extend_from_slice(&check_of(&self.0));
            out
        }
    }

    fn public(seed: u8) -> [u8; 32] {
        Issuer::from_secret_key_bytes(&[seed; 32])
            .trusted_key()
            .unwrap()
            .public_key_bytes()
    }

    fn reason(bytes: &[u8]) -> &'static str {
        match SiteState::from_bytes(bytes) {
            Err(StateError::Corrupted { reason }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "derives 20 Ed25519 public keys: over 4 minutes under Miri"
    )]
    fn each_flaw_behind_a_valid_check_value_has_its_own_reason() {
        // The well-formed base: one key, two superseded serials in order.
        let mut good = Record::new(1);
        good.key(&public(1))
            .put(&[0, 2])
            .u64(1)
            .u64(2)
            .u64(3)
            .u64(4);
        let state = SiteState::from_bytes(&good.sealed()).unwrap();
        let mut buf = [0u8; MAX_SITE_STATE_LEN];
        assert_eq!(state.write_bytes(&mut buf).unwrap(), &good.sealed()[..]);
        assert_eq!(state.superseded_by(Serial::new(3).unwrap()), Serial::new(4));

        let mut twice = Record::new(2);
        twice.key(&public(1)).key(&public(1)).put(&[0, 0]);
        assert_eq!(
            reason(&twice.sealed()),
            "two issuer keys have the same key id"
        );

        let mut many = Record::new(MAX_TRUSTED_KEYS as u8 + 1);
        for seed in 0..=MAX_TRUSTED_KEYS as u8 {
            many.key(&public(seed));
        }
        many.put(&[0, 0]);
        assert_eq!(
            reason(&many.sealed()),
            "it lists more issuer keys than a site holds"
        );

        // The identity point (a small-order key); then a window that ends before it starts.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut not_a_key = Record::new(1);
        not_a_key.key(&identity).put(&[0, 0]);
        let mut backwards = Record::new(1);
        backwards.put(&public(1)).put(&[1]).u64(2_000_000_000);
        backwards.put(&[1]).u64(1_000_000_000).put(&[0, 0, 0, 0]);
        for r in [&not_a_key, &backwards] {
            assert_eq!(
                reason(&r.sealed()),
                "an issuer key or its window is not valid"
            );
        }

        let mut tag = Record::new(1);
        tag.put(&public(1)).put(&[2]);
        assert_eq!(reason(&tag.sealed()), "an option tag is neither 0 nor 1");

        let mut full = Record::new(0);
        full.put(&(MAX_SUPERSEDED as u16 + 1).to_be_bytes());
        for n in 1..=MAX_SUPERSEDED as u64 + 1 {
            full.u64(n).u64(n + 1000);
        }
        assert_eq!(
            reason(&full.sealed()),
            "it lists more superseded serials than a site holds"
        );

        let mut big = Record::new(0);
        big.put(&[0, 1]).u64(1 << 60).u64(5);
        assert_eq!(reason(&big.sealed()), "a serial is larger than 60 bits");

        for (first, second) in [(7, 7), (8, 7)] {
            let mut order = Record::new(0);
            order.put(&[0, 2]).u64(first).u64(100).u64(second).u64(101);
            assert_eq!(
                reason(&order.sealed()),
                "the superseded serials are not in increasing order"
            );
        }

        // (Eight bytes over: a record shorter than the longest head is refused by its length.)
        let mut left = Record::new(0);
        left.put(&[0, 0]).u64(0);
        assert_eq!(
            reason(&left.sealed()),
            "bytes are left over after the last field"
        );

        let mut cut = Record::new(0);
        cut.put(&[0, 1]).u64(5);
        assert_eq!(reason(&cut.sealed()), "it is cut short");
    }
}
