//! Offline policy: key status with a grace period, the clock-rollback guard, verification
//! against a revocation list, and choosing the best of several keys (renewal).
//!
//! An air-gapped host cannot ask the vendor anything, so every decision here is made from the
//! key, the files the administrator carried in, and the host's own memory of the latest time
//! it has seen.

use core::fmt;

use crate::claims::Claims;
use crate::error::Error;
use crate::key::UnverifiedKey;
use crate::revocation::RevocationList;
use crate::time::UnixTime;
use crate::trust::TrustStore;
use crate::verify::{License, VerifyOptions};

/// Where a verified key stands in time. See [`License::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyStatus {
    /// Within its validity period (or perpetual).
    Active,
    /// Past its expiry but within the grace period the host allows
    /// ([`VerifyOptions::with_grace_secs`]): usable, but the administrator should be warned.
    InGrace {
        /// When the key expired.
        expired_at: UnixTime,
        /// The first moment the key is refused as expired.
        until: UnixTime,
    },
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyStatus::Active => f.write_str("active"),
            KeyStatus::InGrace { expired_at, until } => write!(
                f,
                "expired on {expired_at}, usable during the grace period until {until}: renew the subscription"
            ),
        }
    }
}

/// A storage-agnostic guard against a clock set back to stretch a key's validity.
///
/// The host persists the high-water mark (the latest time it has seen) wherever it likes and
/// passes it back on each check; with `std`, [`ClockFile`](crate::ClockFile) keeps it in a
/// file. The clock may go back up to `tolerance_secs` (NTP steps, a dead RTC battery fixed by
/// hand) without complaint; further back is reported as [`Error::ClockRolledBack`].
///
/// ```
/// use glpi_key::{ClockGuard, UnixTime};
/// let guard = ClockGuard::new(300);
/// let t = UnixTime::from_secs;
/// assert_eq!(guard.check(None, t(1_000)), Ok(t(1_000)));          // first run
/// assert_eq!(guard.check(Some(t(1_000)), t(800)), Ok(t(1_000)));  // 200 s back: tolerated
/// assert!(guard.check(Some(t(1_000)), t(699)).is_err());          // 301 s back: refused
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockGuard {
    /// How far back the clock may go, in seconds, before it counts as rolled back.
    pub tolerance_secs: u64,
}

impl ClockGuard {
    /// A guard with this tolerance in seconds.
    pub const fn new(tolerance_secs: u64) -> Self {
        ClockGuard { tolerance_secs }
    }

    /// Checks `now` against the latest time seen (`None` on the first run) and returns the new
    /// high-water mark: the later of the two, so it never moves backwards. Persist it, and
    /// verify keys at it rather than at `now` (a small tolerated step back then gains nothing).
    ///
    /// Refused when `now` is more than the tolerance before `last_seen`; exactly the tolerance
    /// back is accepted.
    pub fn check(&self, last_seen: Option<UnixTime>, now: UnixTime) -> Result<UnixTime, Error> {
        match last_seen {
            None => Ok(now),
            Some(last_seen) if now.saturating_add_secs(self.tolerance_secs) < last_seen => {
                Err(Error::ClockRolledBack {
                    now,
                    last_seen,
                    tolerance_secs: self.tolerance_secs,
                })
            }
            Some(last_seen) => Ok(now.max(last_seen)),
        }
    }
}

impl UnverifiedKey {
    /// Like [`verify`](UnverifiedKey::verify), and also refuses a key whose serial is in
    /// `revocations` ([`Error::Revoked`], naming the key's short ID and the list's sequence
    /// number). The list is checked right after the signature, before the time checks: a
    /// revoked key is reported as revoked even when it has also expired.
    pub fn verify_with_revocations(
        &self,
        trust: &TrustStore,
        options: &VerifyOptions,
        revocations: Option<&RevocationList<'_>>,
    ) -> Result<License<'_>, Error> {
        let kind = self.unverified_kind();
        if let Some(expected) = options.kind {
            if expected != kind {
                return Err(Error::WrongObjectKind {
                    found: kind.object_kind(),
                    expected: Some(expected.object_kind()),
                });
            }
        }
        let key_id = self.unverified_key_id();
        let issuer = trust.get(key_id).ok_or(Error::UnknownIssuer { key_id })?;
        self.check_signature(issuer)?;
        let claims = Claims::decode(kind, self.payload())?;
        if let Some(list) = revocations {
            list.check(claims.serial)?;
        }
        crate::verify::check_claims(claims, issuer, options)
    }
}

/// What [`best_of`] concluded about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Not looked at (the default of an outcome slot).
    #[default]
    NotExamined,
    /// The key chosen.
    Chosen,
    /// Valid, but another valid key is better: it expires later (or is perpetual), or expires
    /// at the same time and was issued later.
    OutrankedBy {
        /// Index of the chosen key.
        index: usize,
    },
    /// Valid, but another valid key says it renews (supersedes) this one.
    SupersededBy {
        /// Index of the superseding key.
        index: usize,
    },
    /// Not valid.
    Rejected(Error),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::NotExamined => f.write_str("not examined"),
            Outcome::Chosen => f.write_str("chosen: the valid key that lasts longest"),
            Outcome::OutrankedBy { index } => write!(
                f,
                "valid, but key {} lasts longer and is used instead",
                index + 1
            ),
            Outcome::SupersededBy { index } => write!(
                f,
                "valid, but renewed by key {}, which is used instead",
                index + 1
            ),
            Outcome::Rejected(e) => write!(f, "rejected: {e}"),
        }
    }
}

/// The key [`best_of`] chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Best<'k> {
    /// Its index in the slice given.
    pub index: usize,
    /// The verified key.
    pub license: License<'k>,
}

/// Chooses, among the keys a host holds, the valid one that lasts longest: perpetual beats any
/// expiry, then the later expiry wins, then the later issue time, then the earlier position.
/// A valid key that another valid key supersedes ([`Claims::supersedes`]) is never chosen.
///
/// Each key is verified with [`UnverifiedKey::verify_with_revocations`]. Why each key was
/// chosen or not is written to `outcomes[i]` for key `i` (keys beyond `outcomes.len()` are
/// still considered, just not reported). No allocation.
///
/// Returns `None` when no key is valid.
pub fn best_of<'k>(
    keys: &'k [UnverifiedKey],
    trust: &TrustStore,
    options: &VerifyOptions,
    revocations: Option<&RevocationList<'_>>,
    outcomes: &mut [Outcome],
) -> Option<Best<'k>> {
    let verify = |key: &'k UnverifiedKey| key.verify_with_revocations(trust, options, revocations);
    // Only a key that claims to renew this one (read unverified, cheaply) is verified again.
    let superseder = |i: usize, license: &License<'_>| {
        keys.iter().enumerate().find_map(|(j, other)| {
            let renews = j != i
                && other
                    .unverified_claims()
                    .is_ok_and(|c| c.supersedes == Some(license.serial()))
                && verify(other).is_ok();
            renews.then_some(j)
        })
    };
    let mut best: Option<Best<'k>> = None;
    for (i, key) in keys.iter().enumerate() {
        let outcome = match verify(key) {
            Err(e) => Outcome::Rejected(e),
            Ok(license) => match superseder(i, &license) {
                Some(j) => Outcome::SupersededBy { index: j },
                None => {
                    if best.is_none_or(|b| ranks_above(&license, &b.license)) {
                        best = Some(Best { index: i, license });
                    }
                    Outcome::Chosen
                }
            },
        };
        if let Some(slot) = outcomes.get_mut(i) {
            *slot = outcome;
        }
    }
    if let Some(b) = &best {
        for (i, slot) in outcomes.iter_mut().enumerate().take(keys.len()) {
            if *slot == Outcome::Chosen && i != b.index {
                *slot = Outcome::OutrankedBy { index: b.index };
            }
        }
    }
    best
}

/// Whether `a` should be preferred over `b` (strictly).
fn ranks_above(a: &License<'_>, b: &License<'_>) -> bool {
    // `None` (perpetual) must rank above every expiry: map it to the largest time.
    let last = |l: &License<'_>| l.expires_at().unwrap_or(UnixTime::from_secs(u64::MAX));
    (last(a), a.claims().issued_at) > (last(b), b.claims().issued_at)
}
