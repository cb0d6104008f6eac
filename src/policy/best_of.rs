//! Choosing the best of several keys a host holds (renewal).

use core::fmt;

use crate::error::Error;
use crate::model::time::UnixTime;
use crate::trust::store::TrustStore;
use crate::verify::key::UnverifiedKey;
use crate::verify::license::License;
use crate::verify::options::VerifyOptions;
use crate::verify::revocation::RevocationList;

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
