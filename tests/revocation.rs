//! Revocation lists: issue, read (text and file), verify, look up, refuse what is malformed,
//! tampered, of the wrong kind or rolled back; and the committed vectors.

use ed25519_dalek::Signer;
use glpi_key::*;
use proptest::prelude::*;
use sha2::{Digest, Sha512};

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[42u8; 32])
}

fn trust() -> TrustStore {
    TrustStore::with(issuer().trusted_key().unwrap())
}

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap()
}

fn serials(values: &[u64]) -> Vec<Serial> {
    values.iter().map(|&v| Serial::new(v).unwrap()).collect()
}

/// Issues a list and returns its file bytes.
fn issue_file(sequence: u64, revoked: &[Serial]) -> Vec<u8> {
    let new = NewRevocationList {
        sequence,
        issued_at: t(2027, 1, 1),
        next_update: Some(t(2027, 2, 1)),
        serials: revoked,
    };
    let mut out = vec![0u8; max_revocation_list_len(revoked.len())];
    issuer()
        .issue_revocation_list(&new, &mut out)
        .unwrap()
        .to_file_bytes()
}

fn key_with_serial(serial: u64) -> UnverifiedKey {
    let mut c = Claims::new(
        Serial::new(serial).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        t(2026, 11, 23),
    );
    c.expires_at = Some(t(2028, 1, 1));
    issuer().issue(&c).unwrap()
}

/// Signs an arbitrary payload as a revocation list, the way the spec says, bypassing the
/// issuer's own checks (to build malformed but signed lists).
fn sign_raw(payload: &[u8]) -> Vec<u8> {
    let issuer = issuer();
    let mut body = vec![1u8, ObjectKind::RevocationList.to_byte()];
    body.extend_from_slice(&issuer.key_id().0);
    let mut msg = b"glpi-key/v1/revocation-list\0".to_vec();
    msg.extend_from_slice(&body);
    msg.extend_from_slice(&Sha512::digest(payload));
    body.extend_from_slice(payload);
    body.extend_from_slice(&issuer.signing_key().sign(&msg).to_bytes());
    let mut file = LIST_FILE_MAGIC.to_vec();
    file.extend_from_slice(&body);
    file
}

/// A payload: sequence 1, issued 1000 s, no next update, then the raw serial bytes.
fn payload_with(serial_bytes: &[u8]) -> Vec<u8> {
    let mut p = vec![1, 0xe8, 0x07, 0];
    let mut n = serial_bytes.len();
    while n >= 0x80 {
        p.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    p.push(n as u8);
    p.extend_from_slice(serial_bytes);
    p
}

fn verify_file(file: &[u8]) -> Result<u64, Error> {
    UnverifiedRevocationList::from_file_bytes(file)?
        .verify(&trust())
        .map(|l| l.sequence())
}

#[test]
fn issue_then_verify_in_text_and_file_form() {
    let revoked = serials(&[3, 77, 0x0fff_ffff_ffff_fff0]);
    let new = NewRevocationList {
        sequence: 15,
        issued_at: t(2027, 1, 1),
        next_update: Some(t(2027, 4, 1)),
        serials: &revoked,
    };
    let mut out = [0u8; MAX_TEXT_LIST_LEN];
    let issued = issuer().issue_revocation_list(&new, &mut out).unwrap();
    let text = issued.text(TextStyle::Grouped).unwrap().to_string();
    let file = issued.to_file_bytes();
    assert_eq!(&file[..8], b"GLPI-RL\n");

    let mut buf = [0u8; MAX_TEXT_LIST_LEN];
    let from_text = UnverifiedRevocationList::parse_text(&text, &mut buf)
        .unwrap()
        .verify(&trust())
        .unwrap();
    let from_file = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    assert_eq!(from_text, from_file);
    let list = from_file;
    assert_eq!(list.sequence(), 15);
    assert_eq!(list.issued_at(), t(2027, 1, 1));
    assert_eq!(list.next_update(), Some(t(2027, 4, 1)));
    assert_eq!(list.issuer_key_id(), issuer().key_id());
    assert_eq!(list.serials().collect::<Vec<_>>(), revoked);
    assert_eq!(list.len(), 3);
    assert!(!list.is_empty());
    assert!(!list.is_due(t(2027, 3, 31)));
    assert!(list.is_due(t(2027, 4, 1)));
    for s in &revoked {
        assert!(list.contains(*s));
    }
    for v in [0, 2, 4, 76, 78, Serial::MAX.value()] {
        assert!(!list.contains(Serial::new(v).unwrap()));
    }
    let mut small = [0u8; 10];
    assert_eq!(issued.write_file_into(&mut small), Err(file.len()));
    let mut exact = vec![0u8; file.len()];
    assert_eq!(issued.write_file_into(&mut exact).unwrap(), &file[..]);
}

#[test]
fn empty_list_is_valid() {
    let file = issue_file(1, &[]);
    let list = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    assert!(list.is_empty());
    assert!(!list.contains(Serial::new(0).unwrap()));
}

#[test]
fn text_form_holds_the_documented_number_of_serials() {
    let revoked: Vec<Serial> = (0..MAX_TEXT_LIST_SERIALS as u64)
        .map(|i| Serial::new(Serial::MAX.value() - 1000 + i).unwrap())
        .collect();
    let new = NewRevocationList {
        sequence: u64::MAX,
        issued_at: UnixTime::from_secs(u64::MAX - 1),
        next_update: Some(UnixTime::from_secs(u64::MAX)),
        serials: &revoked,
    };
    let mut out = vec![0u8; max_revocation_list_len(revoked.len())];
    let issued = issuer().issue_revocation_list(&new, &mut out).unwrap();
    let text = issued.text(TextStyle::Compact).unwrap().to_string();
    let mut buf = [0u8; MAX_TEXT_LIST_LEN];
    let list = UnverifiedRevocationList::parse_text(&text, &mut buf)
        .unwrap()
        .verify(&trust())
        .unwrap();
    assert_eq!(list.len(), MAX_TEXT_LIST_SERIALS);
    assert_eq!(list.sequence(), u64::MAX);

    // Many more serials only have a file form.
    let many = serials(&(0..200).collect::<Vec<_>>());
    let mut out = vec![0u8; max_revocation_list_len(many.len())];
    let new = NewRevocationList {
        serials: &many,
        ..new
    };
    let issued = issuer().issue_revocation_list(&new, &mut out).unwrap();
    assert!(issued.text(TextStyle::Compact).is_none());
}

#[test]
fn large_file_list_verifies_in_place() {
    let revoked: Vec<Serial> = (0..100_000u64)
        .map(|i| Serial::new(i * 7 + 1).unwrap())
        .collect();
    let file = issue_file(9, &revoked);
    let list = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    assert_eq!(list.len(), 100_000);
    for i in (0..700_000u64).step_by(997) {
        assert_eq!(list.contains(Serial::new(i).unwrap()), i % 7 == 1, "{i}");
    }
}

#[test]
fn wrong_kind_is_refused_both_ways() {
    let key_text = key_with_serial(5).text(TextStyle::Compact).to_string();
    let mut buf = [0u8; MAX_TEXT_LIST_LEN];
    assert_eq!(
        UnverifiedRevocationList::parse_text(&key_text, &mut buf).err(),
        Some(Error::WrongObjectKind {
            found: ObjectKind::InstanceRegistration,
            expected: Some(ObjectKind::RevocationList),
        })
    );
    let mut out = [0u8; MAX_TEXT_LIST_LEN];
    let list_text = issuer()
        .issue_revocation_list(
            &NewRevocationList {
                sequence: 1,
                issued_at: t(2027, 1, 1),
                next_update: None,
                serials: &serials(&[1, 2]),
            },
            &mut out,
        )
        .unwrap()
        .text(TextStyle::Compact)
        .unwrap()
        .to_string();
    assert_eq!(
        UnverifiedKey::parse(&list_text).err(),
        Some(Error::WrongObjectKind {
            found: ObjectKind::RevocationList,
            expected: None,
        })
    );
    // A key body inside a list file is refused as well.
    let mut file = LIST_FILE_MAGIC.to_vec();
    file.extend_from_slice(key_with_serial(5).as_bytes());
    assert!(matches!(
        verify_file(&file),
        Err(Error::WrongObjectKind { .. })
    ));
}

#[test]
fn every_tampered_byte_is_refused() {
    let file = issue_file(4, &serials(&[10, 20, 30]));
    for i in 8..file.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = file.clone();
            bad[i] ^= bit;
            let r = verify_file(&bad);
            assert!(r.is_err(), "byte {i} bit {bit:#x} accepted");
            if i >= 8 + HEADER_LEN {
                assert_eq!(r, Err(Error::BadSignature), "byte {i}");
            }
        }
    }
    let mut bad_magic = file.clone();
    bad_magic[0] = b'X';
    assert_eq!(verify_file(&bad_magic), Err(Error::NotARevocationListFile));
    assert!(verify_file(&file[..file.len() - 1]).is_err());
    assert!(verify_file(&file[..20]).is_err());
}

#[test]
fn unknown_issuer_and_retired_issuer_key() {
    let file = issue_file(4, &serials(&[10]));
    let other = Issuer::from_secret_key_bytes(&[1u8; 32]);
    let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap();
    assert_eq!(
        list.verify(&TrustStore::with(other.trusted_key().unwrap())),
        Err(Error::UnknownIssuer {
            key_id: issuer().key_id()
        })
    );
    let retired = issuer()
        .trusted_key()
        .unwrap()
        .with_validity(None, Some(t(2026, 12, 1)))
        .unwrap();
    assert_eq!(
        list.verify(&TrustStore::with(retired)),
        Err(Error::IssuerKeyNotValid {
            key_id: issuer().key_id(),
            issued_at: t(2027, 1, 1)
        })
    );
}

#[test]
fn malformed_signed_lists_are_refused_with_their_reason() {
    let be = |v: &[u64]| v.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>();
    let malformed = |payload: &[u8]| match verify_file(&sign_raw(payload)) {
        Err(Error::MalformedRevocationList(e)) => e,
        other => panic!("{other:?}"),
    };
    // Well-formed control.
    assert_eq!(verify_file(&sign_raw(&payload_with(&be(&[1, 2])))), Ok(1));
    assert_eq!(
        malformed(&payload_with(&be(&[5, 2]))),
        ListError::Unsorted { index: 1 }
    );
    assert_eq!(
        malformed(&payload_with(&be(&[2, 2]))),
        ListError::Duplicate {
            serial: Serial::new(2).unwrap()
        }
    );
    assert_eq!(
        malformed(&payload_with(&be(&[1 << 60]))),
        ListError::SerialOutOfRange { index: 0 }
    );
    assert_eq!(
        malformed(&payload_with(&[0u8; 12])),
        ListError::SerialsLength(12)
    );
    let mut trailing = payload_with(&be(&[1]));
    trailing.push(0);
    assert_eq!(malformed(&trailing), ListError::TrailingBytes);
    // Sequence 1 as a two-byte varint.
    let mut long = vec![0x81, 0x00];
    long.extend_from_slice(&payload_with(&[])[1..]);
    assert_eq!(malformed(&long), ListError::NotCanonical);
    // Option tag 2.
    assert!(matches!(
        malformed(&[1, 1, 2, 0]),
        ListError::Truncated { .. } | ListError::NotCanonical
    ));
    // Next update (500 s) before the issue time (1000 s).
    assert_eq!(
        malformed(&[1, 0xe8, 0x07, 1, 0xf4, 0x03, 0]),
        ListError::NextUpdateNotAfterIssue
    );
    assert!(matches!(malformed(&[1, 0xe8]), ListError::Truncated { .. }));
    // Messages are for a person, not Debug dumps.
    let e = Error::MalformedRevocationList(ListError::Unsorted { index: 1 });
    assert_eq!(e.code(), "malformed-revocation-list");
    assert!(e.to_string().contains("serial number 2 is smaller"), "{e}");
}

#[test]
fn issuer_refuses_unsorted_duplicate_and_small_buffers() {
    let issue = |values: &[u64], buf: &mut [u8]| {
        issuer()
            .issue_revocation_list(
                &NewRevocationList {
                    sequence: 1,
                    issued_at: t(2027, 1, 1),
                    next_update: None,
                    serials: &serials(values),
                },
                buf,
            )
            .map(|l| l.file_len())
    };
    let mut buf = [0u8; 1024];
    assert_eq!(
        issue(&[3, 1], &mut buf),
        Err(IssueError::RevocationList(ListError::Unsorted { index: 1 }))
    );
    assert!(matches!(
        issue(&[3, 3], &mut buf),
        Err(IssueError::RevocationList(ListError::Duplicate { .. }))
    ));
    assert!(matches!(
        issue(&[1, 2, 3], &mut [0u8; 50]),
        Err(IssueError::BufferTooSmall { .. })
    ));
    let bad_times = issuer().issue_revocation_list(
        &NewRevocationList {
            sequence: 1,
            issued_at: t(2027, 1, 1),
            next_update: Some(t(2027, 1, 1)),
            serials: &[],
        },
        &mut buf,
    );
    assert_eq!(
        bad_times.err(),
        Some(IssueError::RevocationList(
            ListError::NextUpdateNotAfterIssue
        ))
    );
    assert!(issue(&[1, 2, 3], &mut buf).unwrap() <= max_revocation_list_len(3));
}

#[test]
fn revoked_key_fails_naming_serial_and_sequence() {
    let file = issue_file(15, &serials(&[5, 6]));
    let list = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    let options = VerifyOptions::at(t(2027, 1, 1));
    let revoked = key_with_serial(6);
    let err = revoked
        .verify_with_revocations(&trust(), &options, Some(&list))
        .unwrap_err();
    assert_eq!(
        err,
        Error::Revoked {
            short_id: Serial::new(6).unwrap().short_id(),
            sequence: 15
        }
    );
    assert_eq!(err.code(), "revoked");
    let msg = err.to_string();
    assert!(msg.contains(&Serial::new(6).unwrap().short_id().to_string()));
    assert!(msg.contains("revocation list 15"), "{msg}");
    // Without the list, or with a key not in it, the key verifies.
    assert!(revoked
        .verify_with_revocations(&trust(), &options, None)
        .is_ok());
    assert!(key_with_serial(7)
        .verify_with_revocations(&trust(), &options, Some(&list))
        .is_ok());
    // A revoked key is reported as revoked even after it expired.
    assert_eq!(
        revoked
            .verify_with_revocations(&trust(), &VerifyOptions::at(t(2030, 1, 1)), Some(&list))
            .err()
            .map(|e| e.code()),
        Some("revoked")
    );
}

#[test]
fn rollback_message_is_exact() {
    let file = issue_file(12, &[]);
    let list = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    let err = list.check_not_older_than(15).unwrap_err();
    assert_eq!(
        err,
        Error::RevocationListRolledBack {
            sequence: 12,
            installed: 15
        }
    );
    assert!(err
        .to_string()
        .starts_with("revocation list 12 is older than the one already installed (15)"));
    assert_eq!(list.check_not_older_than(12), Ok(()));
    assert_eq!(list.check_not_older_than(3), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn listed_serials_are_always_refused_and_others_never(
        values in proptest::collection::btree_set(0u64..(1 << 60), 0..200),
        probes in proptest::collection::vec(0u64..(1 << 60), 0..50),
    ) {
        let revoked: Vec<Serial> = values.iter().map(|&v| Serial::new(v).unwrap()).collect();
        let file = issue_file(3, &revoked);
        let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap().verify(&trust()).unwrap();
        for s in &revoked {
            prop_assert!(list.contains(*s));
            prop_assert_eq!(list.check(*s), Err(Error::Revoked { short_id: s.short_id(), sequence: 3 }));
        }
        for p in probes {
            let s = Serial::new(p).unwrap();
            prop_assert_eq!(list.contains(s), values.contains(&p));
            // Neighbours of listed serials too.
            for n in [p.saturating_sub(1), (p + 1).min(Serial::MAX.value())] {
                prop_assert_eq!(list.contains(Serial::new(n).unwrap()), values.contains(&n));
            }
        }
    }

    #[test]
    fn sequence_rollback_is_always_refused(installed: u64, sequence: u64) {
        let r = check_sequence(sequence, installed);
        if sequence < installed {
            prop_assert_eq!(r, Err(Error::RevocationListRolledBack { sequence, installed }));
        } else {
            prop_assert_eq!(r, Ok(()));
        }
    }

    #[test]
    fn a_verified_list_refuses_every_older_install(sequence in 0u64..1000, installed in 0u64..1000) {
        let file = issue_file(sequence, &[]);
        let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap().verify(&trust()).unwrap();
        prop_assert_eq!(list.check_not_older_than(installed).is_err(), sequence < installed);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut file = LIST_FILE_MAGIC.to_vec();
        file.extend_from_slice(&bytes);
        let _ = verify_file(&file);
        let _ = verify_file(&sign_raw(&bytes));
    }
}

// ---- committed vectors (spec/vectors/revocation/) ----

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors/revocation");

#[test]
fn committed_vectors_have_their_expected_outcome() {
    let manifest = std::fs::read_to_string(format!("{VECTORS}/vectors.txt")).unwrap();
    let trust_hex = manifest
        .lines()
        .find_map(|l| l.strip_prefix("# trust "))
        .unwrap()
        .trim();
    let pk: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&trust_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let trust = TrustStore::with(TrustedKey::from_public_key_bytes(&pk).unwrap());
    let read = |file: &str| std::fs::read(format!("{VECTORS}/{file}")).unwrap();
    let list_of = |file: &str, bytes: &[u8], buf: &mut [u8; MAX_TEXT_LIST_LEN]| {
        let r = if file.ends_with(".txt") {
            let text = std::str::from_utf8(bytes).unwrap();
            UnverifiedRevocationList::parse_text(text, buf).map(|u| u.as_bytes().to_vec())
        } else {
            UnverifiedRevocationList::from_file_bytes(bytes).map(|u| u.as_bytes().to_vec())
        };
        r
    };
    let mut count = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, kind, file, installed, now, expect, ..] = cols[..] else {
            panic!("bad line {line:?}")
        };
        let bytes = read(file);
        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
        let outcome: Result<(), Error> = match kind {
            "list" => list_of(file, &bytes, &mut buf).and_then(|body| {
                let list = UnverifiedRevocationList::from_body(&body)?.verify(&trust)?;
                match installed {
                    "-" => Ok(()),
                    n => list.check_not_older_than(n.parse().unwrap()),
                }
            }),
            "key" => {
                // Keys are checked against the list named in the `installed` column.
                let list_file = installed;
                let list_bytes = read(list_file);
                let body = list_of(list_file, &list_bytes, &mut buf).unwrap();
                let list = UnverifiedRevocationList::from_body(&body)
                    .unwrap()
                    .verify(&trust)
                    .unwrap();
                let text = std::str::from_utf8(&bytes).unwrap();
                let options = VerifyOptions::at(UnixTime::from_secs(now.parse().unwrap()));
                UnverifiedKey::parse(text).and_then(|k| {
                    k.verify_with_revocations(&trust, &options, Some(&list))
                        .map(|_| ())
                })
            }
            other => panic!("unknown kind {other}"),
        };
        let got = match &outcome {
            Ok(()) => "valid",
            Err(e) => e.code(),
        };
        assert_eq!(got, expect, "vector {name}: {outcome:?}");
        count += 1;
    }
    assert!(count >= 9, "only {count} vectors");
}

/// A caller's buffer that is too small is the caller's bug, and the error says so: it is not
/// "this text is too long to be a GLPI key".
#[test]
fn a_small_caller_buffer_is_named_as_such() {
    let file = issue_file(4, &serials(&[3, 9]));
    let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap();
    let text = list.text(TextStyle::Compact).unwrap().to_string();
    let body_len = list.as_bytes().len();
    let mut small = vec![0u8; body_len - 1];
    let err = UnverifiedRevocationList::parse_text(&text, &mut small).unwrap_err();
    assert_eq!(err, Error::BufferTooSmall { needed: body_len });
    assert_eq!(err.code(), "buffer-too-small");
    assert!(err
        .to_string()
        .contains("bug in the program calling glpi-key"));
    let mut enough = vec![0u8; body_len];
    assert!(UnverifiedRevocationList::parse_text(&text, &mut enough).is_ok());
}

#[test]
fn unverified_list_shows_its_claimed_issuer_and_size_only() {
    let file = issue_file(7, &serials(&[1, 2, 3]));
    let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap();
    assert_eq!(list.unverified_key_id(), issuer().key_id());
    let body_len = list.as_bytes().len();
    assert_eq!(
        format!("{list:?}"),
        format!(
            "UnverifiedRevocationList {{ key_id: {:?}, len: {body_len} }}",
            issuer().key_id()
        )
    );
}

#[test]
fn a_body_shorter_than_any_list_is_truncated_at_its_header() {
    // spec/REVOCATION.md: a body has at least 74 bytes (header 6, the shortest payload 4,
    // signature 64); anything shorter is truncated before its header is even read.
    let file = issue_file(7, &serials(&[1]));
    let list = UnverifiedRevocationList::from_file_bytes(&file).unwrap();
    let body = list.as_bytes();
    for len in 0..74 {
        assert_eq!(
            UnverifiedRevocationList::from_body(&body[..len]).err(),
            Some(Error::MalformedRevocationList(ListError::Truncated {
                field: "header"
            })),
            "{len} bytes"
        );
    }
    // From 74 bytes on, the header is read (the signature then decides).
    assert!(UnverifiedRevocationList::from_body(&body[..74]).is_ok());
}

/// `max_revocation_list_len` is a bound, and a close one: a list with every fixed field at
/// its longest (10-byte sequence and times, a next update) fills it but for the serials'
/// length field, which takes at most 4 of its 5 bytes below `MAX_LIST_SERIALS`.
#[test]
fn the_list_length_bound_is_reached_but_for_the_length_field() {
    let issued = UnixTime::from_secs(1 << 63);
    for n in [0usize, 1, 3, 200] {
        let revoked: Vec<Serial> = (1..=n as u64).map(|v| Serial::new(v).unwrap()).collect();
        let new = NewRevocationList {
            sequence: u64::MAX,
            issued_at: issued,
            next_update: Some(issued.saturating_add_secs(1)),
            serials: &revoked,
        };
        let bound = max_revocation_list_len(n);
        let mut out = vec![0u8; bound];
        let file = issuer()
            .issue_revocation_list(&new, &mut out)
            .unwrap()
            .to_file_bytes();
        let slack = bound - file.len();
        // The length field of n·8 bytes: 1 byte below 128, 2 below 16,384.
        let expected = if n * 8 < 128 { 4 } else { 3 };
        assert_eq!(
            slack,
            expected,
            "{n} serials: {} of {bound} bytes",
            file.len()
        );
    }
}

/// The serial count's bound on both sides: a list of exactly `MAX_LIST_SERIALS` serials is
/// issued and verifies with all of them; one more is refused before anything is signed.
#[test]
fn a_list_of_the_most_serials_is_issued_and_one_more_is_refused() {
    let most: Vec<Serial> = (1..=MAX_LIST_SERIALS as u64 + 1)
        .map(|v| Serial::new(v).unwrap())
        .collect();
    let file = issue_file(1, &most[..MAX_LIST_SERIALS]);
    let list = UnverifiedRevocationList::from_file_bytes(&file)
        .unwrap()
        .verify(&trust())
        .unwrap();
    assert_eq!(list.len(), MAX_LIST_SERIALS);
    assert!(list.contains(most[MAX_LIST_SERIALS - 1]));
    assert!(!list.contains(most[MAX_LIST_SERIALS]));

    let new = NewRevocationList {
        sequence: 2,
        issued_at: t(2027, 1, 1),
        next_update: None,
        serials: &most,
    };
    let mut out = vec![0u8; max_revocation_list_len(most.len())];
    let e = issuer().issue_revocation_list(&new, &mut out).unwrap_err();
    assert!(
        matches!(
            e,
            IssueError::RevocationList(ListError::TooManySerials { count })
                if count == MAX_LIST_SERIALS + 1
        ),
        "{e:?}"
    );
    // Refused before signing: nothing was written.
    assert!(out.iter().all(|&b| b == 0));
}
