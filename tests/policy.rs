//! Time policy at every boundary (expiry, grace, clock tolerance), the clock guard, issuer key
//! rotation with overlap windows, and choosing the best of several keys.

use glpi_key::*;
use proptest::prelude::*;

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap()
}

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[42u8; 32])
}

fn trust() -> TrustStore {
    TrustStore::with(issuer().trusted_key().unwrap())
}

const DAY: u64 = 86_400;

fn claims(serial: u64, issued: UnixTime, expires: Option<UnixTime>) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        issued,
    );
    c.expires_at = expires;
    c
}

fn key(serial: u64, issued: UnixTime, expires: Option<UnixTime>) -> UnverifiedKey {
    issuer().issue(&claims(serial, issued, expires)).unwrap()
}

#[test]
fn grace_period_boundaries() {
    let end = t(2028, 1, 1);
    let k = key(1, t(2026, 11, 23), Some(end));
    let trust = trust();
    let grace = 30 * DAY;
    let status = |now: UnixTime, grace: u64| {
        k.verify(&trust, &VerifyOptions::at(now).with_grace_secs(grace))
            .map(|l| l.status())
    };
    // Just before expiry: active.
    assert_eq!(
        status(end.saturating_sub_secs(1), grace),
        Ok(KeyStatus::Active)
    );
    // Exactly at expiry: in grace (or expired without grace).
    let in_grace = KeyStatus::InGrace {
        expired_at: end,
        until: end.saturating_add_secs(grace),
    };
    assert_eq!(status(end, grace), Ok(in_grace));
    assert_eq!(
        status(end, 0),
        Err(Error::Expired {
            expired_at: end,
            now: end
        })
    );
    // Last second of grace, then exactly at expiry + grace: expired.
    assert_eq!(
        status(end.saturating_add_secs(grace - 1), grace),
        Ok(in_grace)
    );
    let after = end.saturating_add_secs(grace);
    assert_eq!(
        status(after, grace),
        Err(Error::Expired {
            expired_at: end,
            now: after
        })
    );
    assert!(in_grace.to_string().contains("grace period"));
    // A perpetual key is always active, grace or not.
    let perpetual = key(2, t(2026, 11, 23), None);
    assert_eq!(
        perpetual
            .verify(
                &trust,
                &VerifyOptions::at(t(2090, 1, 1)).with_grace_secs(grace)
            )
            .map(|l| l.status()),
        Ok(KeyStatus::Active)
    );
}

#[test]
fn issued_in_future_beyond_tolerance_is_refused() {
    let issued = t(2027, 6, 1);
    let mut c = claims(3, issued, None);
    c.not_before = t(2027, 1, 1); // back-dated, so only the issue time is in the future
    let k = issuer().issue(&c).unwrap();
    let trust = trust();
    let tol = 600;
    let at = |now: UnixTime| {
        k.verify(
            &trust,
            &VerifyOptions::at(now).with_clock_tolerance_secs(tol),
        )
        .map(|_| ())
    };
    // Exactly at the tolerance: accepted.
    assert_eq!(at(issued.saturating_sub_secs(tol)), Ok(()));
    let now = issued.saturating_sub_secs(tol + 1);
    assert_eq!(
        at(now),
        Err(Error::IssuedInFuture {
            issued_at: issued,
            now,
            tolerance_secs: tol
        })
    );
    assert_eq!(at(now).unwrap_err().code(), "issued-in-future");
    // Without a tolerance the check is off.
    assert!(k.verify(&trust, &VerifyOptions::at(now)).is_ok());
}

#[test]
fn clock_guard_boundaries() {
    let guard = ClockGuard::new(300);
    let last = UnixTime::from_secs(1_000_000);
    assert_eq!(
        guard.check(None, UnixTime::from_secs(5)),
        Ok(UnixTime::from_secs(5))
    );
    // Forward: the mark follows the clock.
    assert_eq!(
        guard.check(Some(last), last.saturating_add_secs(1)),
        Ok(last.saturating_add_secs(1))
    );
    assert_eq!(guard.check(Some(last), last), Ok(last));
    // Back exactly the tolerance: accepted, the mark stays.
    assert_eq!(
        guard.check(Some(last), last.saturating_sub_secs(300)),
        Ok(last)
    );
    // One second more: refused.
    let now = last.saturating_sub_secs(301);
    let err = guard.check(Some(last), now).unwrap_err();
    assert_eq!(
        err,
        Error::ClockRolledBack {
            now,
            last_seen: last,
            tolerance_secs: 300
        }
    );
    assert_eq!(err.code(), "clock-rollback");
    assert!(err.to_string().contains("clock was set back"));
    // Zero tolerance: any step back is refused.
    assert!(ClockGuard::new(0)
        .check(Some(last), last.saturating_sub_secs(1))
        .is_err());
}

proptest! {
    #[test]
    fn guard_never_moves_the_mark_backwards(
        last in proptest::option::of(0u64..u64::MAX / 2),
        now in 0u64..u64::MAX / 2,
        tolerance in 0u64..10_000_000,
    ) {
        let guard = ClockGuard::new(tolerance);
        let last_t = last.map(UnixTime::from_secs);
        let now_t = UnixTime::from_secs(now);
        match guard.check(last_t, now_t) {
            Ok(mark) => {
                prop_assert!(mark >= now_t);
                if let Some(l) = last_t {
                    prop_assert!(mark >= l);
                    prop_assert!(now + tolerance >= l.as_secs());
                }
                prop_assert_eq!(mark, last_t.map_or(now_t, |l| l.max(now_t)));
            }
            Err(e) => {
                let l = last.unwrap();
                prop_assert!(now + tolerance < l);
                prop_assert_eq!(e, Error::ClockRolledBack {
                    now: now_t, last_seen: UnixTime::from_secs(l), tolerance_secs: tolerance
                });
            }
        }
    }

    #[test]
    fn a_sequence_of_checks_keeps_the_mark_monotonic(
        steps in proptest::collection::vec(-1000i64..1000, 1..50),
        tolerance in 0u64..500,
    ) {
        let guard = ClockGuard::new(tolerance);
        let mut clock: u64 = 1_000_000;
        let mut mark: Option<UnixTime> = None;
        for s in steps {
            clock = clock.saturating_add_signed(s);
            if let Ok(m) = guard.check(mark, UnixTime::from_secs(clock)) {
                prop_assert!(mark.is_none_or(|old| m >= old));
                mark = Some(m);
            }
        }
    }

    #[test]
    fn grace_status_matches_the_arithmetic(offset in 0u64..(90 * DAY), grace in 0u64..(60 * DAY)) {
        let end = t(2028, 1, 1);
        let k = key(9, t(2026, 11, 23), Some(end));
        let now = end.saturating_add_secs(offset);
        let r = k.verify(&trust(), &VerifyOptions::at(now).with_grace_secs(grace)).map(|l| l.status());
        if offset < grace {
            prop_assert_eq!(r, Ok(KeyStatus::InGrace { expired_at: end, until: end.saturating_add_secs(grace) }));
        } else {
            prop_assert_eq!(r, Err(Error::Expired { expired_at: end, now }));
        }
    }
}

/// A vendor rotates issuer keys with an overlap window: the old key signs until the end of
/// 2026, the new one from July 2026. Installed sites trust both for the overlap, so keys from
/// either verify; a key (or list) made by the old key after its window is refused.
#[test]
fn issuer_key_rotation_with_overlap_window() {
    let old = Issuer::from_secret_key_bytes(&[1u8; 32]);
    let new = Issuer::from_secret_key_bytes(&[2u8; 32]);
    let mut trust = TrustStore::new();
    trust
        .add(
            old.trusted_key()
                .unwrap()
                .with_validity(None, Some(t(2027, 1, 1)))
                .unwrap(),
        )
        .unwrap();
    trust
        .add(
            new.trusted_key()
                .unwrap()
                .with_validity(Some(t(2026, 7, 1)), None)
                .unwrap(),
        )
        .unwrap();
    let now = VerifyOptions::at(t(2027, 3, 1));
    let c = |issued| claims(10, issued, Some(t(2028, 1, 1)));
    // Before the overlap: only the old key.
    assert!(old
        .issue(&c(t(2026, 3, 1)))
        .unwrap()
        .verify(&trust, &now)
        .is_ok());
    assert_eq!(
        new.issue(&c(t(2026, 3, 1)))
            .unwrap()
            .verify(&trust, &now)
            .err(),
        Some(Error::IssuerKeyNotValid {
            key_id: new.key_id(),
            issued_at: t(2026, 3, 1)
        })
    );
    // In the overlap: both.
    assert!(old
        .issue(&c(t(2026, 9, 1)))
        .unwrap()
        .verify(&trust, &now)
        .is_ok());
    assert!(new
        .issue(&c(t(2026, 9, 1)))
        .unwrap()
        .verify(&trust, &now)
        .is_ok());
    // After: only the new key. Keys the old key issued in its window stay valid.
    assert_eq!(
        old.issue(&c(t(2027, 1, 1)))
            .unwrap()
            .verify(&trust, &now)
            .err(),
        Some(Error::IssuerKeyNotValid {
            key_id: old.key_id(),
            issued_at: t(2027, 1, 1)
        })
    );
    assert!(new
        .issue(&c(t(2027, 1, 1)))
        .unwrap()
        .verify(&trust, &now)
        .is_ok());
    // Revocation lists follow the same windows; a list by the new key revokes keys of the old.
    let revoked = [Serial::new(10).unwrap()];
    let list_at = |issuer: &Issuer, issued_at| {
        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
        let list = issuer
            .issue_revocation_list(
                &NewRevocationList {
                    sequence: 1,
                    issued_at,
                    next_update: None,
                    serials: &revoked,
                },
                &mut buf,
            )
            .unwrap();
        list.to_file_bytes()
    };
    let old_late = list_at(&old, t(2027, 2, 1));
    assert!(matches!(
        UnverifiedRevocationList::from_file_bytes(&old_late)
            .unwrap()
            .verify(&trust),
        Err(Error::IssuerKeyNotValid { .. })
    ));
    let new_list = list_at(&new, t(2027, 2, 1));
    let list = UnverifiedRevocationList::from_file_bytes(&new_list)
        .unwrap()
        .verify(&trust)
        .unwrap();
    let old_key = old.issue(&c(t(2026, 9, 1))).unwrap();
    assert!(matches!(
        old_key.verify_with_revocations(&trust, &now, Some(&list)),
        Err(Error::Revoked { .. })
    ));
}

#[test]
fn best_of_prefers_the_key_that_lasts_longest() {
    let trust = trust();
    let now = VerifyOptions::at(t(2027, 6, 1));
    let keys = [
        key(1, t(2026, 1, 1), Some(t(2027, 1, 1))), // expired
        key(2, t(2026, 1, 1), Some(t(2028, 1, 1))),
        key(3, t(2026, 6, 1), Some(t(2029, 1, 1))), // latest expiry
        key(4, t(2026, 1, 1), Some(t(2028, 6, 1))),
    ];
    let mut outcomes = [Outcome::NotExamined; 4];
    let best = best_of(&keys, &trust, &now, None, &mut outcomes).unwrap();
    assert_eq!(best.index, 2);
    assert_eq!(best.license.serial(), Serial::new(3).unwrap());
    assert_eq!(
        outcomes,
        [
            Outcome::Rejected(Error::Expired {
                expired_at: t(2027, 1, 1),
                now: t(2027, 6, 1)
            }),
            Outcome::OutrankedBy { index: 2 },
            Outcome::Chosen,
            Outcome::OutrankedBy { index: 2 },
        ]
    );
    assert!(outcomes[0]
        .to_string()
        .starts_with("rejected: the key expired"));
    assert!(outcomes[1].to_string().contains("key 3"));

    // Perpetual beats any expiry.
    let with_perpetual = [keys[2].clone(), key(5, t(2026, 1, 1), None)];
    let best = best_of(&with_perpetual, &trust, &now, None, &mut []).unwrap();
    assert_eq!(best.index, 1);

    // Same expiry: the later issue wins; same everything: the first.
    let tie = [
        key(6, t(2026, 1, 1), Some(t(2029, 1, 1))),
        key(7, t(2026, 2, 1), Some(t(2029, 1, 1))),
        key(8, t(2026, 2, 1), Some(t(2029, 1, 1))),
    ];
    assert_eq!(best_of(&tie, &trust, &now, None, &mut []).unwrap().index, 1);

    // Nothing valid.
    let mut outcomes = [Outcome::NotExamined; 2];
    assert!(best_of(&keys[..1], &trust, &now, None, &mut outcomes).is_none());
    assert!(matches!(outcomes[0], Outcome::Rejected(_)));
    assert_eq!(outcomes[1], Outcome::NotExamined);
    assert!(best_of(&[], &trust, &now, None, &mut outcomes).is_none());
}

#[test]
fn best_of_honours_supersedes_and_revocations() {
    let trust = trust();
    let now = VerifyOptions::at(t(2027, 6, 1));
    // Key 20 lasts longer, but key 21 says it renews key 20 (say, a changed tier).
    let old = key(20, t(2026, 1, 1), Some(t(2030, 1, 1)));
    let mut renewal = claims(21, t(2027, 1, 1), Some(t(2029, 1, 1)));
    renewal.supersedes = Some(Serial::new(20).unwrap());
    renewal.tier = Tier::Advanced;
    let renewal = issuer().issue(&renewal).unwrap();
    let keys = [old, renewal];
    let mut outcomes = [Outcome::NotExamined; 2];
    let best = best_of(&keys, &trust, &now, None, &mut outcomes).unwrap();
    assert_eq!(best.index, 1);
    assert_eq!(best.license.tier(), Tier::Advanced);
    assert_eq!(
        outcomes,
        [Outcome::SupersededBy { index: 1 }, Outcome::Chosen]
    );

    // A superseding key that is itself invalid (revoked) does not count; the revoked one is
    // rejected with the list's reason.
    let mut buf = [0u8; MAX_TEXT_LIST_LEN];
    let list = issuer()
        .issue_revocation_list(
            &NewRevocationList {
                sequence: 8,
                issued_at: t(2027, 2, 1),
                next_update: None,
                serials: &[Serial::new(21).unwrap()],
            },
            &mut buf,
        )
        .unwrap()
        .verify(&trust)
        .unwrap();
    let best = best_of(&keys, &trust, &now, Some(&list), &mut outcomes).unwrap();
    assert_eq!(best.index, 0);
    assert_eq!(
        outcomes,
        [
            Outcome::Chosen,
            Outcome::Rejected(Error::Revoked {
                short_id: Serial::new(21).unwrap().short_id(),
                sequence: 8
            })
        ]
    );
}

#[test]
fn best_of_applies_grace() {
    let trust = trust();
    let end = t(2027, 6, 1);
    let keys = [key(30, t(2026, 1, 1), Some(end))];
    let opts = VerifyOptions::at(end.saturating_add_secs(DAY)).with_grace_secs(7 * DAY);
    let best = best_of(&keys, &trust, &opts, None, &mut []).unwrap();
    assert!(matches!(best.license.status(), KeyStatus::InGrace { .. }));
}

/// REVOCATION.md section 4 (issue 13, question 10): a key that supersedes itself supersedes
/// nothing; when every valid key is superseded (a cycle), none is chosen.
#[test]
fn best_of_ignores_self_supersession_and_chooses_nothing_in_a_cycle() {
    let trust = trust();
    let now = VerifyOptions::at(t(2027, 6, 1));
    let mut selfish = claims(30, t(2026, 1, 1), Some(t(2030, 1, 1)));
    selfish.supersedes = Some(Serial::new(30).unwrap());
    let keys = [
        issuer().issue(&selfish).unwrap(),
        key(31, t(2026, 1, 1), Some(t(2029, 1, 1))),
    ];
    let mut outcomes = [Outcome::NotExamined; 2];
    let best = best_of(&keys, &trust, &now, None, &mut outcomes).unwrap();
    assert_eq!(best.index, 0);
    assert_eq!(
        outcomes,
        [Outcome::Chosen, Outcome::OutrankedBy { index: 0 }]
    );

    let mut a = claims(40, t(2026, 1, 1), Some(t(2030, 1, 1)));
    a.supersedes = Some(Serial::new(41).unwrap());
    let mut b = claims(41, t(2026, 1, 1), Some(t(2029, 1, 1)));
    b.supersedes = Some(Serial::new(40).unwrap());
    let cycle = [issuer().issue(&a).unwrap(), issuer().issue(&b).unwrap()];
    assert!(best_of(&cycle, &trust, &now, None, &mut outcomes).is_none());
    assert_eq!(
        outcomes,
        [
            Outcome::SupersededBy { index: 1 },
            Outcome::SupersededBy { index: 0 }
        ]
    );
}

/// FORMAT.md 2.4 (issue 13, question 12): confirmation is the signature under a trusted key,
/// without the caller's kind; with an empty trust store the suggestion stays, unconfirmed.
#[test]
fn typo_suggestions_are_confirmed_by_the_signature_alone() {
    let mut agent = claims(50, t(2026, 1, 1), None);
    agent.kind = KeyKind::AgentEnrollment;
    let text = issuer().issue_string(&agent, TextStyle::Compact).unwrap();
    let mut chars: Vec<char> = text.chars().collect();
    chars[30] = if chars[30] == 'Q' { 'R' } else { 'Q' };
    let typo: String = chars.into_iter().collect();
    let status = |trust: &TrustStore| match UnverifiedKey::parse_with_trust(&typo, trust) {
        Err(Error::Checksum(ChecksumError {
            suggestion: Some(c),
        })) => Some(c.status),
        other => panic!("{other:?}"),
    };
    // An agent key's typo is confirmed even though an instance key may be what is needed.
    assert_eq!(
        status(&trust()),
        Some(CorrectionStatus::ConfirmedBySignature)
    );
    assert_eq!(
        status(&TrustStore::new()),
        Some(CorrectionStatus::Unconfirmed)
    );
}
