//! Adversarial inputs: bit flips, object-kind confusion, resource bounds, Unicode look-alikes.

#[allow(dead_code)]
#[path = "../fuzz/src/checks.rs"]
mod checks;

use checks::body_text;
use glpi_key::*;

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[42u8; 32])
}

fn other_issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[43u8; 32])
}

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap()
}

fn claims(kind: KeyKind) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(0x0fed_cba9_8765_4321).unwrap(),
        kind,
        Tier::Standard,
        "ACME Corp",
        t(2026, 11, 23),
    );
    c.expires_at = Some(t(2028, 1, 1));
    c.instance = InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
    c.entitlements = Entitlements::MARKETPLACE | Entitlements::L3_SUPPORT;
    if kind == KeyKind::AgentEnrollment {
        c.entity = Some(7);
    }
    c
}

fn trust_both() -> TrustStore {
    let mut store = TrustStore::with(issuer().trusted_key().unwrap());
    store.add(other_issuer().trusted_key().unwrap()).unwrap();
    store
}

fn now() -> VerifyOptions {
    VerifyOptions::at(t(2027, 6, 1))
}

fn key_text() -> String {
    issuer()
        .issue_string(&claims(KeyKind::InstanceRegistration), TextStyle::Compact)
        .unwrap()
}

#[test]
fn body_text_writes_what_the_issuer_writes() {
    let key = issuer()
        .issue(&claims(KeyKind::InstanceRegistration))
        .unwrap();
    assert_eq!(
        body_text(key.as_bytes()),
        key.text(TextStyle::Compact).to_string()
    );
}

#[test]
fn every_single_bit_flip_of_the_body_is_rejected() {
    let original = issuer()
        .issue(&claims(KeyKind::InstanceRegistration))
        .unwrap();
    let body = original.as_bytes().to_vec();
    let trust = trust_both();
    let mut by_code = std::collections::BTreeMap::<&str, usize>::new();
    for bit in 0..body.len() * 8 {
        let mut flipped = body.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        // Written back with a valid check: only the header, claims and signature can object.
        let text = body_text(&flipped);
        let err = match UnverifiedKey::parse(&text) {
            Err(e) => e,
            Ok(key) => match key.verify(&trust, &now()) {
                Ok(license) => panic!(
                    "bit {bit} flipped still verifies, as {:?}",
                    license.claims()
                ),
                Err(e) => e,
            },
        };
        // The header byte that names the kind, the key id, and everything signed: each flip is
        // caught by the stage that owns it, never accepted.
        let expected_stage = match bit / 8 {
            0 => matches!(err, Error::UnsupportedVersion { .. }),
            1 => matches!(
                err,
                Error::UnknownObjectKind { .. }
                    | Error::WrongObjectKind { .. }
                    | Error::BadSignature
            ),
            2..=5 => matches!(err, Error::UnknownIssuer { .. }),
            _ => matches!(err, Error::BadSignature | Error::NonCanonical),
        };
        assert!(expected_stage, "bit {bit}: {err:?}");
        *by_code.entry(err.code()).or_default() += 1;
    }
    println!(
        "single-bit flips of a {}-byte body: {} rejected: {by_code:?}",
        body.len(),
        body.len() * 8
    );
    assert_eq!(by_code.values().sum::<usize>(), body.len() * 8);
}

#[test]
fn a_revocation_list_presented_as_a_key_is_the_wrong_object_kind() {
    // A real signed list, written as text, given to the key parser.
    let revoked = [Serial::new(5).unwrap(), Serial::new(9).unwrap()];
    let new = NewRevocationList {
        sequence: 3,
        issued_at: t(2027, 1, 1),
        next_update: None,
        serials: &revoked,
    };
    let mut out = [0u8; MAX_TEXT_LIST_LEN];
    let list = issuer().issue_revocation_list(&new, &mut out).unwrap();
    let text = list.text(TextStyle::Compact).unwrap().to_string();
    assert_eq!(
        UnverifiedKey::parse(&text),
        Err(Error::WrongObjectKind {
            found: ObjectKind::RevocationList,
            expected: None
        })
    );
    // A body built by hand: version 1, kind byte 3, a key id, claims-sized payload, signature.
    let key = issuer()
        .issue(&claims(KeyKind::InstanceRegistration))
        .unwrap();
    let mut body = key.as_bytes().to_vec();
    body[1] = ObjectKind::RevocationList.to_byte();
    assert_eq!(
        UnverifiedKey::parse(&body_text(&body)),
        Err(Error::WrongObjectKind {
            found: ObjectKind::RevocationList,
            expected: None
        })
    );
    // And the other way round: a key is no revocation list.
    let mut buf = [0u8; MAX_TEXT_LIST_LEN];
    let as_list = UnverifiedRevocationList::parse_text(&key_text(), &mut buf)
        .and_then(|l| l.verify(&trust_both()).map(|_| ()));
    assert!(
        matches!(as_list, Err(Error::WrongObjectKind { .. })),
        "{as_list:?}"
    );
}

#[test]
fn an_agent_key_where_an_instance_key_is_needed_is_the_wrong_object_kind() {
    let text = issuer()
        .issue_string(&claims(KeyKind::AgentEnrollment), TextStyle::Compact)
        .unwrap();
    let key = UnverifiedKey::parse(&text).unwrap();
    assert!(key.verify(&trust_both(), &now()).is_ok());
    assert_eq!(
        key.verify(
            &trust_both(),
            &now().with_kind(KeyKind::InstanceRegistration)
        )
        .err(),
        Some(Error::WrongObjectKind {
            found: ObjectKind::AgentEnrollment,
            expected: Some(ObjectKind::InstanceRegistration)
        })
    );
    // Rewriting the kind byte of an instance key makes it claim to be an agent key: the
    // signature covers the kind (its domain tag), so it no longer verifies.
    let mut body = issuer()
        .issue(&claims(KeyKind::InstanceRegistration))
        .unwrap()
        .as_bytes()
        .to_vec();
    body[1] = ObjectKind::AgentEnrollment.to_byte();
    let forged = UnverifiedKey::parse(&body_text(&body)).unwrap();
    assert_eq!(
        forged.verify(&trust_both(), &now()).err(),
        Some(Error::BadSignature)
    );
}

#[test]
fn a_header_naming_one_issuer_signed_by_another_is_a_bad_signature() {
    let signed_by_other = other_issuer()
        .issue(&claims(KeyKind::InstanceRegistration))
        .unwrap();
    let mut body = signed_by_other.as_bytes().to_vec();
    body[2..6].copy_from_slice(&issuer().key_id().0);
    let key = UnverifiedKey::parse(&body_text(&body)).unwrap();
    assert_eq!(key.unverified_key_id(), issuer().key_id());
    assert_eq!(
        key.verify(&trust_both(), &now()).err(),
        Some(Error::BadSignature)
    );
}

#[test]
fn hostile_sizes_are_refused_with_a_length_error() {
    // 1 MB.
    let huge = "GLPI-".to_string() + &"A".repeat(1 << 20);
    assert_eq!(
        UnverifiedKey::parse(&huge),
        Err(Error::TooLong { max: MAX_INPUT_LEN })
    );
    // A body of the maximum length plus one symbol (with a check).
    let max_symbols = MAX_BODY_SYMBOLS + glpi_key::checksum::CHECK_LEN;
    let plus_one = format!("GLPI-{}-000000", "0".repeat(MAX_BODY_SYMBOLS + 1));
    assert_eq!(
        UnverifiedKey::parse(&plus_one),
        Err(Error::TooLong { max: max_symbols })
    );
    // A valid key with one symbol added or dropped.
    let text = key_text();
    let added = format!("{}0{}", &text[..10], &text[10..]);
    let dropped = format!("{}{}", &text[..10], &text[11..]);
    for bad in [added, dropped] {
        assert!(
            matches!(
                UnverifiedKey::parse(&bad),
                Err(Error::WrongLength { .. } | Error::Checksum(_))
            ),
            "{bad}"
        );
    }
    // Deeply repeated separators: past the input limit, or with no symbols at all.
    let separators = "GLPI-".to_string() + &"- ".repeat(MAX_INPUT_LEN);
    assert_eq!(
        UnverifiedKey::parse(&separators),
        Err(Error::TooLong { max: MAX_INPUT_LEN })
    );
    let only_separators = "GLPI".to_string() + &"-".repeat(MAX_INPUT_LEN - 4);
    assert_eq!(
        UnverifiedKey::parse(&only_separators),
        Err(Error::WrongLength { symbols: 0 })
    );
    // Separators between the symbols of a valid key are tolerated within the input limit.
    let spaced: String = text[..5].to_string()
        + text[5..]
            .chars()
            .flat_map(|c| [c, '-', ' '])
            .collect::<String>()
            .trim_end_matches(['-', ' ']);
    assert!(spaced.len() <= MAX_INPUT_LEN);
    assert!(UnverifiedKey::parse(&spaced).is_ok());
}

#[test]
fn unicode_look_alikes_are_invalid_characters_at_their_position() {
    let text = key_text();
    // Replace the 11th character (a symbol of the body) by a look-alike.
    let at = 10;
    for look_alike in ['\u{0410}', '\u{FF10}', '\u{FF21}', '\u{0399}', '\u{200B}'] {
        let bad: String = text
            .chars()
            .enumerate()
            .map(|(i, c)| if i == at { look_alike } else { c })
            .collect();
        assert_eq!(
            UnverifiedKey::parse(&bad),
            Err(Error::InvalidCharacter {
                character: look_alike,
                position: at + 1
            }),
            "{look_alike:?}"
        );
        // Positions count characters, not bytes: after a curly quote (3 bytes in UTF-8).
        let quoted = format!("\u{201C}{bad}\u{201D}");
        assert_eq!(
            UnverifiedKey::parse(&quoted),
            Err(Error::InvalidCharacter {
                character: look_alike,
                position: at + 2
            })
        );
        let message = UnverifiedKey::parse(&bad).unwrap_err().to_string();
        assert!(
            message.contains(&format!("position {}", at + 1)),
            "{message}"
        );
    }
    // A zero-width space inserted (not replacing) is named too.
    let inserted = format!("{}\u{200B}{}", &text[..20], &text[20..]);
    assert_eq!(
        UnverifiedKey::parse(&inserted),
        Err(Error::InvalidCharacter {
            character: '\u{200B}',
            position: 21
        })
    );
    // Full-width digits spelled out as a whole key.
    let full_width: String = text
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap(),
            c => c,
        })
        .collect();
    let first = full_width.chars().position(|c| c as u32 >= 0xFF10).unwrap();
    assert!(matches!(
        UnverifiedKey::parse(&full_width),
        Err(Error::InvalidCharacter { position, .. }) if position == first + 1
    ));
}
