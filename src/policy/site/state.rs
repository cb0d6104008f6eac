//! A site's state and the whole verification policy, without `std` (`spec/SITE.md`).
//!
//! [`SiteState`] holds the trust store (with each issuer key's signing window and distrust
//! date), one installed-list slot per issuer key, the clock's high-water mark and the serials
//! that renewals superseded. Its operations apply every rule of the spec and change the state
//! in memory; the host persists it ([`SiteState::write_bytes`]) after each operation that
//! changed it, or uses the directory-backed [`Site`](crate::Site) (with `std`).

use sha2::{Digest, Sha512};

use crate::error::{Error, TrustError};
use crate::model::ids::{InstanceId, KeyId};
use crate::model::kind::KeyKind;
use crate::model::limits::MAX_TRUSTED_KEYS;
use crate::model::serial::Serial;
use crate::model::time::UnixTime;
use crate::model::version::GlpiVersion;
use crate::policy::clock::ClockGuard;
use crate::trust::store::{TrustStore, TrustedKey};
use crate::verify::key::UnverifiedKey;
use crate::verify::license::{check_claims, License};
use crate::verify::options::VerifyOptions;
use crate::verify::revocation::UnverifiedRevocationList;

/// How many superseded serials a site remembers (`spec/SITE.md` section 1).
pub const MAX_SUPERSEDED: usize = 64;

/// Bytes of a list digest: the first 32 bytes of SHA-512 over the list body.
pub const LIST_DIGEST_LEN: usize = 32;

/// The site's fixed policy, chosen when it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SitePolicy {
    /// How long after expiry a key stays usable, in seconds (reported as in grace).
    pub grace_secs: u64,
    /// How far back the clock may go without counting as set back, in seconds; also how far
    /// in the future a key's issue time may lie.
    pub clock_tolerance_secs: u64,
}

/// What the host knows about its GLPI instance, for keys bound to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceCheck {
    /// This instance's UUID: a key bound to another instance is refused.
    This(InstanceId),
    /// The host has no instance id: a key bound to an instance is refused
    /// ([`Error::InstanceRequired`]); unbound keys pass.
    Unknown,
    /// INSECURE: accept bound keys without checking the binding (a key bound to another
    /// instance passes). Reported with the warning `instance-not-checked`.
    InsecureSkipBinding,
}

impl InstanceCheck {
    /// The instance id to check a binding against ([`VerifyOptions::instance`]): only
    /// [`InstanceCheck::This`] has one.
    ///
    /// [`VerifyOptions::instance`]: crate::VerifyOptions::instance
    pub const fn instance(self) -> Option<InstanceId> {
        match self {
            InstanceCheck::This(id) => Some(id),
            InstanceCheck::Unknown | InstanceCheck::InsecureSkipBinding => None,
        }
    }

    /// The binding rule for a key bound to `bound_to` (`None`: a key for any instance), the
    /// same for the site and for stateless hosts: `Ok(false)` when the binding holds or there
    /// is none; `Ok(true)` when the host chose not to check it (report `instance-not-checked`);
    /// [`Error::WrongInstance`] for a key bound to another instance, and
    /// [`Error::InstanceRequired`] when the host gave no instance id.
    pub fn binding_unchecked(self, bound_to: Option<InstanceId>) -> Result<bool, Error> {
        let Some(bound_to) = bound_to else {
            return Ok(false);
        };
        match self {
            InstanceCheck::This(this_instance) if this_instance == bound_to => Ok(false),
            InstanceCheck::This(this_instance) => Err(Error::WrongInstance {
                bound_to,
                this_instance,
            }),
            InstanceCheck::Unknown => Err(Error::InstanceRequired { bound_to }),
            InstanceCheck::InsecureSkipBinding => Ok(true),
        }
    }
}

/// One verification request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteCheck {
    /// The host's clock.
    pub now: UnixTime,
    /// The kind of key accepted here (there is no "either kind").
    pub kind: KeyKind,
    /// The instance binding check.
    pub instance: InstanceCheck,
    /// This GLPI version, when known: a key not covering it is refused.
    pub glpi_version: Option<GlpiVersion>,
}

impl SiteCheck {
    /// A request at `now` for a key of `kind`, with the instance check given.
    pub const fn new(now: UnixTime, kind: KeyKind, instance: InstanceCheck) -> Self {
        SiteCheck {
            now,
            kind,
            instance,
            glpi_version: None,
        }
    }

    /// Also check the supported GLPI versions.
    pub const fn with_glpi_version(mut self, version: GlpiVersion) -> Self {
        self.glpi_version = Some(version);
        self
    }
}

/// What the site remembers of the list installed from one issuer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstalledList {
    /// The issuer key that signed it.
    pub key_id: KeyId,
    /// Its sequence number (sequences count per issuer key).
    pub sequence: u64,
    /// When it was issued.
    pub issued_at: UnixTime,
    /// When the next list was announced, if it was.
    pub next_update: Option<UnixTime>,
    /// How many serials it revokes.
    pub serials: u32,
    /// The first 32 bytes of SHA-512 over its body.
    pub digest: [u8; LIST_DIGEST_LEN],
}

/// The result of installing a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The list is now installed (it replaced its issuer key's older list, if any).
    New(InstalledList),
    /// This very list was already installed: nothing changed.
    Unchanged(InstalledList),
}

impl Installed {
    /// The installed list.
    pub fn list(&self) -> &InstalledList {
        match self {
            Installed::New(l) | Installed::Unchanged(l) => l,
        }
    }
}

/// Warnings that come with an accepted key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SiteWarnings {
    /// The key has expired and is usable until this time (grace period).
    pub in_grace_until: Option<UnixTime>,
    /// The earliest announced next update of an installed list that has passed: get a newer
    /// list.
    pub list_update_due: Option<UnixTime>,
    /// No revocation list is installed (from an issuer key honoured now).
    pub no_revocation_list: bool,
    /// The key is bound to an instance, and the host chose not to check the binding.
    pub instance_not_checked: bool,
}

impl SiteWarnings {
    /// The names of the warnings present (`in-grace`, `list-update-due`,
    /// `no-revocation-list`, `instance-not-checked`), in that (alphabetical) order.
    pub fn codes(&self) -> impl Iterator<Item = &'static str> {
        [
            (self.in_grace_until.is_some(), "in-grace"),
            (self.instance_not_checked, "instance-not-checked"),
            (self.list_update_due.is_some(), "list-update-due"),
            (self.no_revocation_list, "no-revocation-list"),
        ]
        .into_iter()
        .filter_map(|(on, code)| on.then_some(code))
    }

    /// Whether there is no warning.
    pub fn is_empty(&self) -> bool {
        self.codes().next().is_none()
    }
}

/// An accepted key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteVerdict<'k> {
    /// The verified key.
    pub license: License<'k>,
    /// The site's time the key was checked at (its clock mark).
    pub checked_at: UnixTime,
    /// What the administrator should be told.
    pub warnings: SiteWarnings,
}

/// A site's state (`spec/SITE.md` sections 1 to 5): trust store, installed lists, clock mark,
/// superseded serials. Fixed size, no allocation; stored as a versioned, checksummed record
/// ([`from_bytes`](Self::from_bytes), [`write_bytes`](Self::write_bytes)).
///
/// ```
/// use glpi_key::{Claims, InstanceCheck, Issuer, KeyKind, Serial, SiteCheck, SitePolicy,
///                SiteState, Tier, TrustStore, UnixTime, UnverifiedKey, MAX_SITE_STATE_LEN};
/// let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
/// let at = UnixTime::from_date(2027, 1, 1).unwrap();
/// let claims = Claims::new(Serial::new(42).unwrap(), KeyKind::InstanceRegistration,
///                          Tier::Standard, "ACME Corp", at);
/// let key = issuer.issue(&claims)?;
///
/// let policy = SitePolicy { grace_secs: 0, clock_tolerance_secs: 300 };
/// let mut state = SiteState::new(&TrustStore::with(issuer.trusted_key()?), policy);
/// let check = SiteCheck::new(at, KeyKind::InstanceRegistration, InstanceCheck::Unknown);
/// let verdict = state.verify(&key, &check, &[])?;
/// assert_eq!(verdict.license.tier(), Tier::Standard);
///
/// // The host keeps the record and passes it back next time.
/// let mut buf = [0u8; MAX_SITE_STATE_LEN];
/// let record = state.write_bytes(&mut buf)?;
/// let mut state = SiteState::from_bytes(record)?;
/// // The clock set back a day is refused.
/// let back = SiteCheck::new(at.saturating_sub_secs(86_400), KeyKind::InstanceRegistration,
///                           InstanceCheck::Unknown);
/// assert_eq!(state.verify(&key, &back, &[]).unwrap_err().code(), "clock-rollback");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteState {
    pub(crate) policy: SitePolicy,
    pub(crate) trust: TrustStore,
    /// Slot `i` belongs to the `i`-th key of `trust`.
    pub(crate) lists: [Option<InstalledList>; MAX_TRUSTED_KEYS],
    pub(crate) mark: Option<UnixTime>,
    /// `(superseded, by)`, the first `superseded_len` entries, serials strictly increasing.
    pub(crate) superseded: [(Serial, Serial); MAX_SUPERSEDED],
    pub(crate) superseded_len: usize,
}

/// The first 32 bytes of SHA-512 over a list body.
pub(crate) fn list_digest(body: &[u8]) -> [u8; LIST_DIGEST_LEN] {
    let full = Sha512::digest(body);
    let mut out = [0u8; LIST_DIGEST_LEN];
    out.copy_from_slice(
        full.get(..LIST_DIGEST_LEN)
            .unwrap_or(&[0u8; LIST_DIGEST_LEN]),
    );
    out
}

impl SiteState {
    /// A new site trusting the keys of `trust` (with their windows and distrust dates), with
    /// no list installed, no clock mark and no superseded serial.
    pub fn new(trust: &TrustStore, policy: SitePolicy) -> Self {
        SiteState {
            policy,
            trust: trust.clone(),
            lists: [None; MAX_TRUSTED_KEYS],
            mark: None,
            superseded: [(Serial::MAX, Serial::MAX); MAX_SUPERSEDED],
            superseded_len: 0,
        }
    }

    /// The site's policy.
    pub fn policy(&self) -> SitePolicy {
        self.policy
    }

    /// The trusted issuer keys.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The latest time the site has seen (`None` before its first operation).
    pub fn clock_mark(&self) -> Option<UnixTime> {
        self.mark
    }

    /// The installed lists, one per issuer key at most, in trust-store order.
    pub fn installed_lists(&self) -> impl Iterator<Item = InstalledList> + '_ {
        self.lists.iter().flatten().copied()
    }

    /// The list installed from this issuer key, if any.
    pub fn installed_list(&self, key_id: KeyId) -> Option<InstalledList> {
        self.slot_of(key_id)
            .and_then(|i| self.lists.get(i).copied().flatten())
    }

    /// The superseded serials, increasing, each with the serial of the key that renewed it.
    pub fn superseded(&self) -> impl Iterator<Item = (Serial, Serial)> + '_ {
        self.superseded.iter().take(self.superseded_len).copied()
    }

    /// Whether the site has accepted a key that renews `serial`, and which.
    pub fn superseded_by(&self, serial: Serial) -> Option<Serial> {
        self.superseded()
            .find_map(|(s, by)| (s == serial).then_some(by))
    }

    fn slot_of(&self, key_id: KeyId) -> Option<usize> {
        self.trust.iter().position(|k| k.key_id() == key_id)
    }

    /// Trusts one more issuer key (a rotation: the vendor shipped its public key).
    pub fn add_trusted_key(&mut self, key: TrustedKey) -> Result<(), TrustError> {
        self.trust.add(key)
    }

    /// Distrusts an issuer key from `from` on (site time): nothing it signed is honoured from
    /// then on, including lists already installed from it. The date only moves earlier; the
    /// date in force is returned.
    pub fn distrust(&mut self, key_id: KeyId, from: UnixTime) -> Result<UnixTime, TrustError> {
        let key = self
            .trust
            .get_mut(key_id)
            .ok_or(TrustError::NotTrusted(key_id))?;
        let since = key.distrusted_from().map_or(from, |d| d.min(from));
        *key = key.with_distrust(Some(since));
        Ok(since)
    }

    /// The clock guard (`REVOCATION.md` 2.2): refuses `now` more than the tolerance before
    /// the mark, else moves the mark to `max(mark, now)` and returns it. Every operation
    /// starts with this, and judges everything at the returned mark.
    pub fn observe_clock(&mut self, now: UnixTime) -> Result<UnixTime, Error> {
        let mark = ClockGuard::new(self.policy.clock_tolerance_secs).check(self.mark, now)?;
        self.mark = Some(mark);
        Ok(mark)
    }

    fn honoured(&self, key: &TrustedKey, at: UnixTime) -> Result<(), Error> {
        match key.distrusted_from() {
            Some(since) if !key.honoured_at(at) => Err(Error::IssuerKeyDistrusted {
                key_id: key.key_id(),
                since,
                now: at,
            }),
            _ => Ok(()),
        }
    }

    /// Installs a revocation list (`spec/SITE.md` sections 3 and 5): clock guard, list
    /// verification, distrust of its issuer key, then the sequence rule of its issuer key's
    /// slot. A refused list leaves the slot as it was (the mark may have moved forward).
    ///
    /// With a directory-less host, keep the list's body: [`verify`](Self::verify) needs it.
    pub fn install_revocations(
        &mut self,
        list: &UnverifiedRevocationList<'_>,
        now: UnixTime,
    ) -> Result<Installed, Error> {
        let at = self.observe_clock(now)?;
        let verified = list.verify(&self.trust)?;
        let key_id = verified.issuer_key_id();
        let slot = self
            .slot_of(key_id)
            .ok_or(Error::UnknownIssuer { key_id })?;
        if let Some(key) = self.trust.get(key_id) {
            self.honoured(key, at)?;
        }
        let new = InstalledList {
            key_id,
            sequence: verified.sequence(),
            issued_at: verified.issued_at(),
            next_update: verified.next_update(),
            serials: u32::try_from(verified.len()).unwrap_or(u32::MAX),
            digest: list_digest(list.as_bytes()),
        };
        let entry = self
            .lists
            .get_mut(slot)
            .ok_or(Error::UnknownIssuer { key_id })?;
        match *entry {
            Some(current) if current.sequence == new.sequence && current.digest == new.digest => {
                Ok(Installed::Unchanged(current))
            }
            Some(current) if new.sequence <= current.sequence => {
                Err(Error::RevocationListRolledBack {
                    sequence: new.sequence,
                    installed: current.sequence,
                })
            }
            _ => {
                *entry = Some(new);
                Ok(Installed::New(new))
            }
        }
    }

    /// Verifies a key with the whole policy, in the order of `spec/SITE.md` section 4: clock
    /// guard, kind, issuer, signature, claims, distrust, installed lists (their bodies are
    /// given in `lists`, in any order; each installed slot's digest must be matched), revoked,
    /// superseded, signing window, issued in the future, validity and grace, instance,
    /// GLPI version. An accepted key that renews another serial makes the site remember it.
    ///
    /// The state may change even when the key is refused (the clock mark moves forward):
    /// persist it when it differs from before.
    pub fn verify<'k>(
        &mut self,
        key: &'k UnverifiedKey,
        check: &SiteCheck,
        lists: &[UnverifiedRevocationList<'_>],
    ) -> Result<SiteVerdict<'k>, Error> {
        let at = self.observe_clock(check.now)?;
        let mut options = VerifyOptions::at(at)
            .with_kind(check.kind)
            .with_grace_secs(self.policy.grace_secs)
            .with_clock_tolerance_secs(self.policy.clock_tolerance_secs);
        options.instance = check.instance.instance();
        let issuer = key.issuer_in(&self.trust, &options)?;
        key.check_signature(&self.trust, issuer)?;
        // The signature checked out: the claims are the issuer's.
        let claims = key.unverified_claims()?;
        self.honoured(issuer, at)?;

        // Match the given list bodies to the installed slots, then look the serial up in
        // every slot of an honoured key, in trust-store order.
        let mut given: [Option<usize>; MAX_TRUSTED_KEYS] = [None; MAX_TRUSTED_KEYS];
        for (j, list) in lists.iter().enumerate() {
            let digest = list_digest(list.as_bytes());
            for (slot, installed) in given.iter_mut().zip(&self.lists) {
                if installed.is_some_and(|l| l.digest == digest) {
                    *slot = Some(j);
                }
            }
        }
        let mut warnings = SiteWarnings {
            no_revocation_list: true,
            ..SiteWarnings::default()
        };
        for ((trusted, installed), given) in self.trust.iter().zip(&self.lists).zip(given) {
            let Some(installed) = installed else { continue };
            if !trusted.honoured_at(at) {
                continue;
            }
            let missing = Error::InstalledListMissing {
                key_id: installed.key_id,
            };
            let list = given
                .and_then(|j| lists.get(j))
                .ok_or(missing)?
                .verify(&self.trust)
                .map_err(|_| missing)?;
            list.check(claims.serial)?;
            warnings.no_revocation_list = false;
            if list.is_due(at) {
                let next = list.next_update();
                warnings.list_update_due = match (warnings.list_update_due, next) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }

        if let Some(by) = self.superseded_by(claims.serial) {
            return Err(Error::Superseded {
                short_id: claims.serial.short_id(),
                by: by.short_id(),
            });
        }
        // The claims decoded above, checked once: decoding them again would repeat the work.
        let license = check_claims(claims, issuer, &options)?;
        warnings.instance_not_checked = check.instance.binding_unchecked(claims.instance)?;
        if let (Some(supported), Some(version)) = (claims.glpi_versions, check.glpi_version) {
            if !supported.contains(version) {
                return Err(Error::UnsupportedGlpiVersion { version, supported });
            }
        }
        if let Some(old) = claims.supersedes {
            if old != claims.serial {
                self.remember_superseded(old, claims.serial)?;
            }
        }
        if let crate::verify::license::KeyStatus::InGrace { until, .. } = license.status() {
            warnings.in_grace_until = Some(until);
        }
        Ok(SiteVerdict {
            license,
            checked_at: at,
            warnings,
        })
    }

    /// Records that `by` renewed `old` (kept sorted by serial; the first renewal recorded
    /// stays).
    fn remember_superseded(&mut self, old: Serial, by: Serial) -> Result<(), Error> {
        let used = self
            .superseded
            .get(..self.superseded_len)
            .unwrap_or_default();
        let at = match used.binary_search_by(|(s, _)| s.cmp(&old)) {
            Ok(_) => return Ok(()),
            Err(at) => at,
        };
        if self.superseded_len >= MAX_SUPERSEDED {
            return Err(Error::SiteStateFull {
                capacity: MAX_SUPERSEDED,
            });
        }
        let tail = self
            .superseded
            .get_mut(at..=self.superseded_len)
            .unwrap_or_default();
        tail.rotate_right(1);
        if let Some(first) = tail.first_mut() {
            *first = (old, by);
        }
        self.superseded_len += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Runs without default features too (CI: `cargo test --lib --no-default-features`): the
    //! state and its record need neither `std` nor `alloc`.
    use super::*;
    // Through the crate root: the record module is above this one.
    use crate::{Claims, Issuer, Tier, MAX_SITE_STATE_LEN};

    #[test]
    fn warnings_are_empty_only_without_any() {
        let none = SiteWarnings::default();
        assert!(none.is_empty());
        assert_eq!(none.codes().count(), 0);
        let t = UnixTime::from_secs(60);
        for (w, code) in [
            (
                SiteWarnings {
                    in_grace_until: Some(t),
                    ..none
                },
                "in-grace",
            ),
            (
                SiteWarnings {
                    list_update_due: Some(t),
                    ..none
                },
                "list-update-due",
            ),
            (
                SiteWarnings {
                    no_revocation_list: true,
                    ..none
                },
                "no-revocation-list",
            ),
            (
                SiteWarnings {
                    instance_not_checked: true,
                    ..none
                },
                "instance-not-checked",
            ),
        ] {
            assert!(!w.is_empty(), "{code}");
            assert!(w.codes().eq([code]), "{code}");
        }
    }

    #[test]
    fn instance_binding_rule() {
        let a = InstanceId([0xa; 16]);
        let b = InstanceId([0xb; 16]);
        let all = [
            InstanceCheck::This(a),
            InstanceCheck::Unknown,
            InstanceCheck::InsecureSkipBinding,
        ];
        // A key for any instance passes every check, with nothing to report.
        for check in all {
            assert_eq!(check.binding_unchecked(None), Ok(false));
        }
        assert_eq!(InstanceCheck::This(a).binding_unchecked(Some(a)), Ok(false));
        assert_eq!(
            InstanceCheck::This(a).binding_unchecked(Some(b)),
            Err(Error::WrongInstance {
                bound_to: b,
                this_instance: a
            })
        );
        assert_eq!(
            InstanceCheck::Unknown.binding_unchecked(Some(b)),
            Err(Error::InstanceRequired { bound_to: b })
        );
        assert_eq!(
            InstanceCheck::InsecureSkipBinding.binding_unchecked(Some(b)),
            Ok(true)
        );
        assert_eq!(InstanceCheck::This(a).instance(), Some(a));
        assert_eq!(InstanceCheck::Unknown.instance(), None);
        assert_eq!(InstanceCheck::InsecureSkipBinding.instance(), None);
    }

    #[test]
    fn whole_policy_and_record_without_std() {
        let issuer = Issuer::from_secret_key_bytes(&[3; 32]);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let policy = SitePolicy {
            grace_secs: 0,
            clock_tolerance_secs: 60,
        };
        let mut state = SiteState::new(&trust, policy);
        assert_eq!(state.policy(), policy);
        let at = UnixTime::from_secs(1_800_000_000 / 60 * 60);
        let mut c = Claims::new(
            Serial::new(2).unwrap(),
            KeyKind::InstanceRegistration,
            Tier::Basic,
            "ACME",
            at,
        );
        c.supersedes = Serial::new(1);
        let key = issuer.issue(&c).unwrap();
        let check = SiteCheck::new(at, KeyKind::InstanceRegistration, InstanceCheck::Unknown);
        let verdict = state.verify(&key, &check, &[]).unwrap();
        assert!(verdict.warnings.no_revocation_list);
        assert_eq!(state.superseded_by(Serial::new(1).unwrap()), Serial::new(2));
        let mut buf = [0u8; MAX_SITE_STATE_LEN];
        let record = state.write_bytes(&mut buf).unwrap();
        let mut back = SiteState::from_bytes(record).unwrap();
        assert_eq!(back, state);
        let early = SiteCheck {
            now: at.saturating_sub_secs(61),
            ..check
        };
        assert_eq!(
            back.verify(&key, &early, &[]).unwrap_err().code(),
            "clock-rollback"
        );
        let mut small = [0u8; 10];
        assert!(matches!(
            state.write_bytes(&mut small),
            Err(crate::error::StateError::BufferTooSmall { .. })
        ));
    }
}
