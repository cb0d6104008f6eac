//! The offline site (`spec/SITE.md`): each attack of issue 12 reproduced against the stateless
//! pieces first, then refused by the site; the state record; the directory's file handling.

use glpi_key::*;

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap()
}

const DAY: u64 = 86_400;

/// A: the old issuer key, retired (signing window ended 2026-12-31), later stolen.
fn a() -> Issuer {
    Issuer::from_secret_key_bytes(&[0xA1; 32])
}

/// B: the current issuer key.
fn b() -> Issuer {
    Issuer::from_secret_key_bytes(&[0xB2; 32])
}

fn trust() -> TrustStore {
    let mut trust = TrustStore::new();
    trust
        .add(
            a().trusted_key()
                .unwrap()
                .with_validity(None, Some(t(2026, 12, 31)))
                .unwrap(),
        )
        .unwrap();
    trust
        .add(
            b().trusted_key()
                .unwrap()
                .with_validity(Some(t(2026, 6, 1)), None)
                .unwrap(),
        )
        .unwrap();
    trust
}

fn policy() -> SitePolicy {
    SitePolicy {
        grace_secs: 30 * DAY,
        clock_tolerance_secs: 600,
    }
}

fn claims(serial: u64, tier: Tier, issued: UnixTime, expires: Option<UnixTime>) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap(),
        KeyKind::InstanceRegistration,
        tier,
        "ACME Corp",
        issued,
    );
    c.expires_at = expires;
    c
}

fn list(issuer: &Issuer, sequence: u64, issued: UnixTime, serials: &[u64]) -> Vec<u8> {
    let serials: Vec<Serial> = serials.iter().map(|s| Serial::new(*s).unwrap()).collect();
    let new = NewRevocationList {
        sequence,
        issued_at: issued,
        next_update: None,
        serials: &serials,
    };
    let mut buf = vec![0u8; max_revocation_list_len(serials.len())];
    issuer
        .issue_revocation_list(&new, &mut buf)
        .unwrap()
        .to_file_bytes()
}

fn check(now: UnixTime) -> SiteCheck {
    SiteCheck::new(now, KeyKind::InstanceRegistration, InstanceCheck::Unknown)
}

fn code<T, E: HasCode>(r: Result<T, E>) -> &'static str {
    r.err().map_or("valid", |e| e.code_of())
}

trait HasCode {
    fn code_of(&self) -> &'static str;
}
impl HasCode for Error {
    fn code_of(&self) -> &'static str {
        self.code()
    }
}
impl HasCode for SiteError {
    fn code_of(&self) -> &'static str {
        self.code()
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("glpi-site-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Attack 1a: with the stolen retired key A, a perpetual Advanced key dated one minute before
/// A's window ended verifies in 2035. The site refuses it once A is distrusted, and setting
/// the clock back does not bring it back.
#[test]
fn attack_back_dated_key_from_stolen_retired_issuer_key() {
    let forged = a()
        .issue(&claims(
            0xBAD,
            Tier::Advanced,
            t(2026, 12, 31).saturating_sub_secs(60),
            None,
        ))
        .unwrap();
    // Before: the signing window is judged on the forged date, so it passes.
    let stateless = forged.verify(&trust(), &VerifyOptions::at(t(2035, 1, 1)));
    assert_eq!(stateless.map(|l| l.tier()), Ok(Tier::Advanced));

    // After: the vendor learned of the theft and ships "distrust A from 2027-03-01".
    let mut state = SiteState::new(&trust(), policy());
    state.distrust(a().key_id(), t(2027, 3, 1)).unwrap();
    let r = state.verify(&forged, &check(t(2035, 1, 1)), &[]);
    assert_eq!(
        r.unwrap_err(),
        Error::IssuerKeyDistrusted {
            key_id: a().key_id(),
            since: t(2027, 3, 1),
            now: t(2035, 1, 1),
        }
    );
    // Setting the clock back before D is itself refused: the mark never goes back.
    assert_eq!(
        code(state.verify(&forged, &check(t(2027, 1, 1)), &[])),
        "clock-rollback"
    );
    // The date of distrust only moves earlier.
    assert_eq!(
        state.distrust(a().key_id(), t(2030, 1, 1)),
        Ok(t(2027, 3, 1))
    );
    // Keys from B are not affected.
    let genuine = b()
        .issue(&claims(7, Tier::Standard, t(2034, 1, 1), None))
        .unwrap();
    assert_eq!(
        code(state.verify(&genuine, &check(t(2035, 1, 1)), &[])),
        "valid"
    );
}

/// Attack 1b: the stolen key signs a back-dated list numbered 2^64-1. A host that keeps one
/// sequence number (what REVOCATION.md asked) then refuses every genuine list for ever. At a
/// site, sequences count per issuer key: B's lists still install, and once A is distrusted its
/// list stops counting.
#[test]
fn attack_list_with_maximal_sequence_from_stolen_key() {
    let trust = trust();
    let evil_bytes = list(&a(), u64::MAX, t(2026, 12, 30), &[42]);
    let evil = UnverifiedRevocationList::from_file_bytes(&evil_bytes).unwrap();
    let good_bytes = list(&b(), 5, t(2027, 6, 1), &[0x51]);
    let good = UnverifiedRevocationList::from_file_bytes(&good_bytes).unwrap();

    // Before: one number per host.
    let installed = evil.verify(&trust).unwrap().sequence();
    assert_eq!(installed, u64::MAX);
    let genuine = good.verify(&trust).unwrap();
    assert_eq!(
        genuine.check_not_older_than(installed),
        Err(Error::RevocationListRolledBack {
            sequence: 5,
            installed: u64::MAX
        })
    );

    // After.
    let mut state = SiteState::new(&trust, policy());
    let now = t(2027, 7, 1);
    assert!(matches!(
        state.install_revocations(&evil, now),
        Ok(Installed::New(_))
    ));
    assert!(matches!(
        state.install_revocations(&good, now),
        Ok(Installed::New(_))
    ));
    // Key 42 (genuine, from B) is revoked by A's forged list while A is honoured...
    let k42 = b()
        .issue(&claims(42, Tier::Standard, t(2027, 1, 1), None))
        .unwrap();
    let k51 = b()
        .issue(&claims(0x51, Tier::Standard, t(2027, 1, 1), None))
        .unwrap();
    let lists = [evil, good];
    assert_eq!(code(state.verify(&k42, &check(now), &lists)), "revoked");
    // ... and no longer once A is distrusted; B's revocation stays.
    state.distrust(a().key_id(), t(2027, 7, 1)).unwrap();
    assert_eq!(code(state.verify(&k42, &check(now), &lists)), "valid");
    assert_eq!(code(state.verify(&k51, &check(now), &lists)), "revoked");
    // A's lists are refused from now on; B's next list installs.
    assert_eq!(
        code(state.install_revocations(&evil, now)),
        "issuer-key-distrusted"
    );
    let next = list(&b(), 6, t(2027, 7, 1), &[0x51, 0x52]);
    let next = UnverifiedRevocationList::from_file_bytes(&next).unwrap();
    assert!(matches!(
        state.install_revocations(&next, now),
        Ok(Installed::New(_))
    ));
}

/// Attack 2: `best_of` brings a superseded perpetual Advanced key back once the Free key that
/// renewed it expires. A site that accepted the renewal remembers it.
#[test]
fn attack_renewal_undone_by_best_of() {
    let old = b()
        .issue(&claims(100, Tier::Advanced, t(2026, 7, 1), None))
        .unwrap();
    let mut renewal = claims(101, Tier::Free, t(2027, 1, 1), Some(t(2028, 1, 1)));
    renewal.supersedes = Serial::new(100);
    let renewal = b().issue(&renewal).unwrap();
    let keys = [old.clone(), renewal.clone()];
    let trust = trust();

    // Before: in 2027 the renewal wins; in 2029 (renewal expired) the old Advanced key is back.
    let mut outcomes = [Outcome::NotExamined; 2];
    let best = best_of(
        &keys,
        &trust,
        &VerifyOptions::at(t(2027, 6, 1)),
        None,
        &mut outcomes,
    );
    assert_eq!(best.map(|b| b.index), Some(1));
    let best = best_of(
        &keys,
        &trust,
        &VerifyOptions::at(t(2029, 1, 1)),
        None,
        &mut outcomes,
    );
    assert_eq!(best.map(|b| b.license.tier()), Some(Tier::Advanced));

    // After: the site accepted the renewal once; the old key stays superseded, across reopen.
    let mut state = SiteState::new(&trust, policy());
    assert_eq!(
        code(state.verify(&renewal, &check(t(2027, 6, 1)), &[])),
        "valid"
    );
    let mut state = SiteState::from_bytes(&state.to_bytes()).unwrap();
    assert_eq!(
        state.verify(&old, &check(t(2029, 1, 1)), &[]).unwrap_err(),
        Error::Superseded {
            short_id: Serial::new(100).unwrap().short_id(),
            by: Serial::new(101).unwrap().short_id(),
        }
    );
    assert_eq!(
        code(state.verify(&renewal, &check(t(2029, 1, 1)), &[])),
        "expired"
    );
    assert_eq!(
        state.superseded().collect::<Vec<_>>(),
        [(Serial::new(100).unwrap(), Serial::new(101).unwrap())]
    );
}

fn parse(b: &[u8]) -> UnverifiedRevocationList<'_> {
    UnverifiedRevocationList::from_file_bytes(b).unwrap()
}

#[test]
fn older_equal_and_identical_lists() {
    let mut state = SiteState::new(&trust(), policy());
    let now = t(2027, 7, 1);
    let bytes = |seq, serials: &[u64]| list(&b(), seq, t(2027, 6, 1), serials);
    let (l5, l5b, l4, l6) = (
        bytes(5, &[1]),
        bytes(5, &[1, 2]),
        bytes(4, &[]),
        bytes(6, &[]),
    );
    assert!(matches!(
        state.install_revocations(&parse(&l5), now),
        Ok(Installed::New(_))
    ));
    assert!(matches!(
        state.install_revocations(&parse(&l5), now),
        Ok(Installed::Unchanged(_))
    ));
    assert_eq!(
        state.install_revocations(&parse(&l5b), now),
        Err(Error::RevocationListRolledBack {
            sequence: 5,
            installed: 5
        })
    );
    assert_eq!(
        code(state.install_revocations(&parse(&l4), now)),
        "revocation-list-rollback"
    );
    assert_eq!(state.installed_list(b().key_id()).unwrap().sequence, 5);
    assert!(matches!(
        state.install_revocations(&parse(&l6), now),
        Ok(Installed::New(_))
    ));
    // A's first list (sequence 1) is not a rollback: sequences count per issuer key.
    let a1 = list(&a(), 1, t(2026, 12, 1), &[]);
    assert!(matches!(
        state.install_revocations(&parse(&a1), now),
        Ok(Installed::New(_))
    ));
    // The installed list must be given to verify; a changed one does not count.
    let k = b()
        .issue(&claims(9, Tier::Basic, t(2027, 1, 1), None))
        .unwrap();
    assert_eq!(
        code(state.verify(&k, &check(now), &[parse(&l6)])),
        "installed-list-missing"
    );
    assert_eq!(
        code(state.verify(&k, &check(now), &[parse(&l6), parse(&a1)])),
        "valid"
    );
    assert_eq!(
        code(state.verify(&k, &check(now), &[parse(&l5), parse(&a1)])),
        "installed-list-missing"
    );
}

#[test]
fn kind_instance_version_grace_and_warnings() {
    let mut state = SiteState::new(&trust(), policy());
    let uuid = InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b").unwrap();
    let other = InstanceId::parse("00000000-0000-4000-8000-000000000001").unwrap();
    let mut c = claims(5, Tier::Standard, t(2027, 1, 1), Some(t(2028, 1, 1)));
    c.instance = Some(uuid);
    c.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(10, 0),
        max: GlpiVersion::new(10, 9),
    });
    let bound = b().issue(&c).unwrap();
    let now = t(2027, 6, 1);
    let with = |i| SiteCheck::new(now, KeyKind::InstanceRegistration, i);
    assert_eq!(
        code(state.verify(&bound, &with(InstanceCheck::Unknown), &[])),
        "instance-required"
    );
    assert_eq!(
        code(state.verify(&bound, &with(InstanceCheck::This(other)), &[])),
        "wrong-instance"
    );
    let v = state
        .verify(&bound, &with(InstanceCheck::InsecureSkipBinding), &[])
        .unwrap();
    assert!(v.warnings.instance_not_checked);
    let v = state
        .verify(&bound, &with(InstanceCheck::This(uuid)), &[])
        .unwrap();
    assert_eq!(
        v.warnings.codes().collect::<Vec<_>>(),
        ["no-revocation-list"]
    );
    // Kind is required: an agent key is refused where an instance key is needed.
    let mut agent = claims(6, Tier::Standard, t(2027, 1, 1), None);
    agent.kind = KeyKind::AgentEnrollment;
    let agent = b().issue(&agent).unwrap();
    assert_eq!(
        code(state.verify(&agent, &check(now), &[])),
        "wrong-object-kind"
    );
    // Version.
    let v11 = with(InstanceCheck::This(uuid)).with_glpi_version(GlpiVersion::new(11, 0));
    assert_eq!(
        code(state.verify(&bound, &v11, &[])),
        "unsupported-glpi-version"
    );
    // Grace: 10 days after expiry, in grace; 31 days after, expired.
    let late = SiteCheck::new(
        t(2028, 1, 1).saturating_add_secs(10 * DAY),
        KeyKind::InstanceRegistration,
        InstanceCheck::This(uuid),
    );
    let v = state.verify(&bound, &late, &[]).unwrap();
    assert_eq!(
        v.warnings.in_grace_until,
        Some(t(2028, 1, 1).saturating_add_secs(30 * DAY))
    );
    let later = SiteCheck {
        now: t(2028, 2, 1),
        ..late
    };
    assert_eq!(code(state.verify(&bound, &later, &[])), "expired");
}

#[test]
fn clock_mark_moves_even_when_the_key_is_refused() {
    let mut state = SiteState::new(&trust(), policy());
    let forged = a()
        .issue(&claims(1, Tier::Advanced, t(2027, 1, 1), None))
        .unwrap();
    assert_eq!(
        code(state.verify(&forged, &check(t(2030, 1, 1)), &[])),
        "issuer-key-not-valid"
    );
    assert_eq!(state.clock_mark(), Some(t(2030, 1, 1)));
    // Within the tolerance back: checked at the mark.
    let k = b()
        .issue(&claims(2, Tier::Basic, t(2027, 1, 1), None))
        .unwrap();
    let v = state
        .verify(&k, &check(t(2030, 1, 1).saturating_sub_secs(600)), &[])
        .unwrap();
    assert_eq!(v.checked_at, t(2030, 1, 1));
    assert_eq!(
        code(state.verify(&k, &check(t(2030, 1, 1).saturating_sub_secs(601)), &[])),
        "clock-rollback"
    );
}

#[test]
fn record_round_trip_sizes_and_every_corruption() {
    let mut state = SiteState::new(&TrustStore::with(b().trusted_key().unwrap()), policy());
    assert_eq!(state.to_bytes().len(), 81);
    let l = list(&b(), 3, t(2027, 1, 1), &[1, 2, 3]);
    state
        .install_revocations(
            &UnverifiedRevocationList::from_file_bytes(&l).unwrap(),
            t(2027, 2, 1),
        )
        .unwrap();
    state.add_trusted_key(a().trusted_key().unwrap()).unwrap();
    state.distrust(a().key_id(), t(2027, 3, 1)).unwrap();
    let mut renewal = claims(11, Tier::Free, t(2027, 1, 1), None);
    renewal.supersedes = Serial::new(10);
    let renewal = b().issue(&renewal).unwrap();
    let lists = [UnverifiedRevocationList::from_file_bytes(&l).unwrap()];
    state
        .verify(&renewal, &check(t(2027, 2, 2)), &lists)
        .unwrap();
    let bytes = state.to_bytes();
    assert_eq!(SiteState::from_bytes(&bytes).unwrap(), state);
    assert_eq!(bytes.len(), state.record_len());
    // A bit flip in every byte (the bit moving along) and every truncation is refused.
    for i in 0..bytes.len() {
        {
            let bit = i % 8;
            let mut v = bytes.clone();
            v[i] ^= 1 << bit;
            let e = SiteState::from_bytes(&v).unwrap_err();
            assert!(
                matches!(
                    e,
                    StateError::Corrupted { .. } | StateError::UnsupportedVersion { .. }
                ),
                "byte {i} bit {bit}: {e:?}"
            );
        }
    }
    for n in 0..bytes.len() {
        assert!(SiteState::from_bytes(&bytes[..n]).is_err(), "cut at {n}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(SiteState::from_bytes(&longer).is_err());
    // The largest record fits MAX_SITE_STATE_LEN exactly.
    let big = fullest_state();
    assert_eq!(big.to_bytes().len(), MAX_SITE_STATE_LEN);
    assert_eq!(MAX_SITE_STATE_LEN, 3013);
    assert_eq!(SiteState::from_bytes(&big.to_bytes()).unwrap(), big);
}

/// The largest state a site can hold: every trusted key with a signing window, a distrust
/// date and an installed list, and every superseded slot taken (a further renewal is refused
/// as `site-state-full`).
fn fullest_state() -> SiteState {
    let mut full = TrustStore::new();
    for seed in 1..=MAX_TRUSTED_KEYS as u8 {
        let key = Issuer::from_secret_key_bytes(&[seed; 32])
            .trusted_key()
            .unwrap();
        full.add(
            key.with_validity(Some(t(2020, 1, 1)), Some(t(2040, 1, 1)))
                .unwrap()
                .with_distrust(Some(t(2039, 1, 1))),
        )
        .unwrap();
    }
    let mut big = SiteState::new(&full, policy());
    let mut bodies = Vec::new();
    for seed in 1..=MAX_TRUSTED_KEYS as u8 {
        let issuer = Issuer::from_secret_key_bytes(&[seed; 32]);
        let new = NewRevocationList {
            sequence: 1,
            issued_at: t(2027, 1, 1),
            next_update: Some(t(2028, 1, 1)),
            serials: &[],
        };
        let mut buf = vec![0u8; max_revocation_list_len(0)];
        let l = issuer.issue_revocation_list(&new, &mut buf).unwrap();
        big.install_revocations(&l, t(2027, 2, 1)).unwrap();
        bodies.push(l.to_file_bytes());
    }
    let lists: Vec<_> = bodies.iter().map(|b| parse(b)).collect();
    let signer = Issuer::from_secret_key_bytes(&[1; 32]);
    for n in 0..MAX_SUPERSEDED as u64 {
        let mut c = claims(1000 + n, Tier::Free, t(2027, 1, 1), None);
        c.supersedes = Serial::new(n + 1);
        let k = signer.issue(&c).unwrap();
        big.verify(&k, &check(t(2027, 2, 1)), &lists).unwrap();
    }
    let mut c = claims(5000, Tier::Free, t(2027, 1, 1), None);
    c.supersedes = Serial::new(4999);
    assert_eq!(
        code(big.verify(&signer.issue(&c).unwrap(), &check(t(2027, 2, 1)), &lists)),
        "site-state-full"
    );
    big
}

/// A state file of exactly `MAX_SITE_STATE_LEN` bytes is read whole; one byte more is a
/// corrupted record, not a valid one read cut short.
#[test]
fn directory_reads_the_largest_record_whole_and_refuses_one_byte_more() {
    let dir = temp_dir("largest");
    Site::create(&dir, &trust(), policy()).unwrap();
    let big = fullest_state().to_bytes();
    assert_eq!(big.len(), MAX_SITE_STATE_LEN);
    std::fs::write(dir.join("state"), &big).unwrap();
    let site = Site::open(&dir).unwrap();
    assert_eq!(site.state().unwrap().to_bytes(), big);
    let mut longer = big.clone();
    longer.push(0);
    std::fs::write(dir.join("state"), &longer).unwrap();
    assert_eq!(code(Site::open(&dir)), "site-state-corrupted");
    assert_eq!(code(site.state()), "site-state-corrupted");
    // Left as it was, for the operator to restore.
    assert_eq!(std::fs::read(dir.join("state")).unwrap(), longer);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn directory_refuses_symlinks_and_reports_corruption_without_reset() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("files");
    let site = Site::create(&dir, &trust(), policy()).unwrap();
    assert_eq!(code(Site::create(&dir, &trust(), policy())), "site-exists");
    let l = list(&b(), 3, t(2027, 1, 1), &[77]);
    site.install_revocations(&l, t(2027, 2, 1)).unwrap();
    // Permissions: owner only.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("state"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");

    // A corrupted record is an error naming the file; it is left as it was.
    let good = std::fs::read(dir.join("state")).unwrap();
    let mut bad = good.clone();
    bad[20] ^= 1;
    std::fs::write(dir.join("state"), &bad).unwrap();
    let e = Site::open(&dir).unwrap_err();
    assert_eq!(e.code(), "site-state-corrupted");
    assert!(e.to_string().contains("restore it from a backup"), "{e}");
    let cause = std::error::Error::source(&e).expect("the record's own error is the cause");
    assert!(
        matches!(
            cause.downcast_ref::<StateError>(),
            Some(StateError::Corrupted { .. })
        ),
        "{cause:?}"
    );
    let k = b()
        .issue(&claims(77, Tier::Basic, t(2027, 1, 1), None))
        .unwrap();
    assert_eq!(
        code(site.verify(&k, &check(t(2027, 3, 1)))),
        "site-state-corrupted"
    );
    assert_eq!(std::fs::read(dir.join("state")).unwrap(), bad);
    std::fs::write(dir.join("state"), &good[..good.len() - 3]).unwrap();
    assert_eq!(code(Site::open(&dir)), "site-state-corrupted");
    std::fs::write(dir.join("state"), &good).unwrap();

    // A state file replaced by a symlink (to a valid copy) is refused, not followed.
    std::fs::rename(dir.join("state"), dir.join("copy")).unwrap();
    symlink(dir.join("copy"), dir.join("state")).unwrap();
    assert_eq!(code(Site::open(&dir)), "not-a-regular-file");
    std::fs::remove_file(dir.join("state")).unwrap();
    std::fs::rename(dir.join("copy"), dir.join("state")).unwrap();
    assert_eq!(code(site.verify(&k, &check(t(2027, 3, 1)))), "revoked");

    // The installed list's file removed, or swapped: the site cannot decide.
    let lists = dir.join("lists");
    let name = std::fs::read_dir(&lists)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::rename(&name, dir.join("saved")).unwrap();
    assert_eq!(
        code(site.verify(&k, &check(t(2027, 3, 1)))),
        "installed-list-missing"
    );
    std::fs::write(&name, list(&b(), 3, t(2027, 1, 1), &[])).unwrap();
    assert_eq!(
        code(site.verify(&k, &check(t(2027, 3, 1)))),
        "installed-list-missing"
    );
    symlink(dir.join("saved"), dir.join("link")).unwrap();
    std::fs::rename(dir.join("link"), &name).unwrap();
    assert_eq!(
        code(site.verify(&k, &check(t(2027, 3, 1)))),
        "not-a-regular-file"
    );
    std::fs::remove_file(&name).unwrap();
    std::fs::rename(dir.join("saved"), &name).unwrap();
    assert_eq!(code(site.verify(&k, &check(t(2027, 3, 1)))), "revoked");

    // Missing directory or state: not a site.
    assert_eq!(code(Site::open(&dir.join("nope"))), "not-a-site");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_site_error_gives_the_refusal_when_there_is_one() {
    let dir = temp_dir("refusal");
    let site = Site::create(&dir, &trust(), policy()).unwrap();
    let now = t(2027, 6, 1);
    let text = b()
        .issue_string(
            &claims(0x77, Tier::Basic, t(2027, 1, 1), Some(t(2027, 3, 1))),
            TextStyle::Compact,
        )
        .unwrap();
    let key = UnverifiedKey::parse(&text).unwrap();
    // Expired beyond the 30-day grace: the site refuses it, and says why.
    let refused = site.verify(&key, &check(now)).unwrap_err();
    assert_eq!(refused.code(), "expired");
    assert!(
        matches!(refused.refusal(), Some(Error::Expired { .. })),
        "{refused:?}"
    );
    let cause = std::error::Error::source(&refused).expect("a refusal has its error as cause");
    assert!(
        matches!(cause.downcast_ref::<Error>(), Some(Error::Expired { .. })),
        "{cause:?}"
    );
    // Not a refusal: the site itself is missing.
    std::fs::remove_dir_all(&dir).unwrap();
    let missing = Site::open(&dir).unwrap_err();
    assert_eq!(missing.refusal(), None);
}

/// An issuer key rotation on a site directory: a key of the new issuer is refused until its
/// public key is added, then verifies, and the addition survives reopening; adding it twice
/// is a trust-store error. The state answers which list each issuer has installed, and the
/// clock guard alone moves the mark forward only.
#[test]
fn rotation_installed_list_per_issuer_and_the_clock_guard_alone() {
    let c = Issuer::from_secret_key_bytes(&[0xC3; 32]);
    let dir = temp_dir("rotation");
    let site = Site::create(&dir, &trust(), policy()).unwrap();
    let from_c = c
        .issue(&claims(30, Tier::Standard, t(2027, 1, 1), None))
        .unwrap();
    assert_eq!(
        code(site.verify(&from_c, &check(t(2027, 6, 1)))),
        "unknown-issuer"
    );
    site.add_trusted_key(c.trusted_key().unwrap()).unwrap();
    assert_eq!(code(site.verify(&from_c, &check(t(2027, 6, 1)))), "valid");
    let reopened = Site::open(&dir).unwrap();
    assert_eq!(reopened.state().unwrap().trust().len(), 3);
    assert_eq!(
        code(reopened.verify(&from_c, &check(t(2027, 6, 1)))),
        "valid"
    );
    let twice = reopened.add_trusted_key(c.trusted_key().unwrap());
    let twice = twice.unwrap_err();
    assert_eq!(twice.code(), "trust-store");
    let cause = std::error::Error::source(&twice).expect("the trust store's error is the cause");
    assert_eq!(
        cause.downcast_ref::<TrustError>(),
        Some(&TrustError::DuplicateKeyId(c.key_id()))
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let mut state = SiteState::new(&trust(), policy());
    let now = t(2027, 7, 1);
    state
        .install_revocations(&parse(&list(&b(), 9, t(2027, 6, 1), &[4, 5])), now)
        .unwrap();
    let installed = state.installed_list(b().key_id()).unwrap();
    assert_eq!((installed.key_id, installed.sequence), (b().key_id(), 9));
    assert_eq!((installed.issued_at, installed.serials), (t(2027, 6, 1), 2));
    assert_eq!(state.installed_list(a().key_id()), None);
    assert_eq!(state.installed_list(c.key_id()), None);

    // The mark is the install's time; 600 s back is tolerated (judged at the mark), 601 s is
    // a rollback, and a later time moves the mark.
    assert_eq!(state.clock_mark(), Some(now));
    assert_eq!(state.observe_clock(now.saturating_sub_secs(600)), Ok(now));
    assert_eq!(
        code(state.observe_clock(now.saturating_sub_secs(601))),
        "clock-rollback"
    );
    let later = now.saturating_add_secs(DAY);
    assert_eq!(state.observe_clock(later), Ok(later));
    assert_eq!(state.clock_mark(), Some(later));
}

/// An install that is refused, or that finds the list already installed, still moves the
/// clock mark forward on disk: a clock set back later is caught either way.
#[test]
fn refused_and_unchanged_installs_still_move_the_clock_mark_on_disk() {
    let dir = temp_dir("install-mark");
    let site = Site::create(&dir, &trust(), policy()).unwrap();
    let l5 = list(&b(), 5, t(2027, 1, 1), &[1]);
    let l4 = list(&b(), 4, t(2027, 1, 1), &[]);
    site.install_revocations(&l5, t(2027, 2, 1)).unwrap();
    let mark = || Site::open(&dir).unwrap().state().unwrap().clock_mark();
    assert_eq!(mark(), Some(t(2027, 2, 1)));
    // Unchanged: the same list again, a month later.
    assert!(matches!(
        site.install_revocations(&l5, t(2027, 3, 1)),
        Ok(Installed::Unchanged(_))
    ));
    assert_eq!(mark(), Some(t(2027, 3, 1)));
    // Refused: an older list, another month later.
    assert_eq!(
        code(site.install_revocations(&l4, t(2027, 4, 1))),
        "revocation-list-rollback"
    );
    assert_eq!(mark(), Some(t(2027, 4, 1)));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A directory without a state file holds no site, and says how to make one; a state path
/// that is there but is no file (here a directory in its place) is not mistaken for "no
/// site".
#[test]
fn no_state_file_is_not_a_site_and_a_directory_in_its_place_is_not_a_file() {
    let dir = temp_dir("not-a-site");
    Site::create(&dir, &trust(), policy()).unwrap();
    std::fs::remove_file(dir.join("state")).unwrap();
    let e = Site::open(&dir).unwrap_err();
    assert_eq!(e.code(), "not-a-site");
    assert!(e.to_string().contains("glpi-key site init"), "{e}");
    std::fs::create_dir(dir.join("state")).unwrap();
    assert_eq!(code(Site::open(&dir)), "not-a-regular-file");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The clean-up after an install removes temporary files a crashed writer left and lists no
/// longer installed, and nothing else: a file of the operator's (a dotfile too) stays.
#[test]
fn clean_up_removes_only_stale_temporary_files_and_lists() {
    let dir = temp_dir("clean-up");
    let site = Site::create(&dir, &trust(), policy()).unwrap();
    let lists = dir.join("lists");
    let mine = [
        dir.join(".keep"),
        lists.join(".keep"),
        dir.join("notes.tmp.txt"),
    ];
    let stale = [dir.join(".state.tmp.1.2"), lists.join(".x.glpirl.tmp.3.4")];
    for p in mine.iter().chain(&stale) {
        std::fs::write(p, b"x").unwrap();
    }
    site.install_revocations(&list(&b(), 1, t(2027, 1, 1), &[1]), t(2027, 2, 1))
        .unwrap();
    for p in &mine {
        assert!(p.exists(), "{} was removed", p.display());
    }
    for p in &stale {
        assert!(!p.exists(), "{} was left", p.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
