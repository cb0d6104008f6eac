//! Issue then verify, every verification failure with its exact error, and key length.

use glpi_key::*;

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[42u8; 32])
}

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap()
}

const INSTANCE: &str = "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b";

fn typical() -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(0x0fed_cba9_8765_4321).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        t(2026, 11, 23),
    );
    c.expires_at = Some(t(2028, 1, 1));
    c.instance = InstanceId::parse(INSTANCE);
    c.entitlements =
        Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
    c
}

fn trust() -> TrustStore {
    TrustStore::with(issuer().trusted_key().unwrap())
}

fn at(y: u32, m: u32, d: u32) -> VerifyOptions {
    VerifyOptions::at(t(y, m, d))
}

#[test]
fn typical_key_is_at_most_200_characters() {
    let text = issuer()
        .issue_string(&typical(), TextStyle::Compact)
        .unwrap();
    println!("typical key ({} characters): {text}", text.len());
    assert!(text.len() <= 200, "{} characters", text.len());
    assert!(text.starts_with("GLPI-"));
}

#[test]
fn issue_then_verify_returns_the_same_claims() {
    let text = issuer()
        .issue_string(&typical(), TextStyle::Compact)
        .unwrap();
    let key = UnverifiedKey::parse(&text).unwrap();
    let license = key.verify(&trust(), &at(2027, 6, 1)).unwrap();
    assert_eq!(license.claims(), &typical());
    assert_eq!(license.issuer_key_id(), issuer().key_id());
    assert_eq!(license.short_id(), typical().serial.short_id());
    // Grouped text reads back to the same key.
    let grouped = issuer()
        .issue_string(&typical(), TextStyle::Grouped)
        .unwrap();
    assert_eq!(UnverifiedKey::parse(&grouped).unwrap(), key);
    assert_eq!(key.text(TextStyle::Compact).to_string(), text);
}

#[test]
fn time_checks_at_their_boundaries() {
    let key = issuer().issue(&typical()).unwrap();
    let trust = trust();
    let start = t(2026, 11, 23);
    let end = t(2028, 1, 1);
    assert!(key.verify(&trust, &VerifyOptions::at(start)).is_ok());
    assert_eq!(
        key.verify(&trust, &VerifyOptions::at(start.saturating_sub_secs(1)))
            .err(),
        Some(Error::NotYetValid {
            not_before: start,
            now: start.saturating_sub_secs(1)
        })
    );
    assert!(key
        .verify(&trust, &VerifyOptions::at(end.saturating_sub_secs(1)))
        .is_ok());
    assert_eq!(
        key.verify(&trust, &VerifyOptions::at(end)).err(),
        Some(Error::Expired {
            expired_at: end,
            now: end
        })
    );
}

#[test]
fn instance_version_and_kind_checks() {
    let mut c = typical();
    c.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(10, 0),
        max: GlpiVersion::new(11, 0),
    });
    let key = issuer().issue(&c).unwrap();
    let trust = trust();
    let here = InstanceId::parse(INSTANCE).unwrap();
    let elsewhere = InstanceId([9; 16]);
    let o = at(2027, 1, 1);
    assert!(key.verify(&trust, &o.with_instance(here)).is_ok());
    assert_eq!(
        key.verify(&trust, &o.with_instance(elsewhere)).err(),
        Some(Error::WrongInstance {
            bound_to: here,
            this_instance: elsewhere
        })
    );
    assert!(key
        .verify(&trust, &o.with_glpi_version(GlpiVersion::new(11, 0)))
        .is_ok());
    assert_eq!(
        key.verify(&trust, &o.with_glpi_version(GlpiVersion::new(11, 1)))
            .err(),
        Some(Error::UnsupportedGlpiVersion {
            version: GlpiVersion::new(11, 1),
            supported: c.glpi_versions.unwrap()
        })
    );
    assert_eq!(
        key.verify(&trust, &o.with_kind(KeyKind::AgentEnrollment))
            .err(),
        Some(Error::WrongObjectKind {
            found: ObjectKind::InstanceRegistration,
            expected: Some(ObjectKind::AgentEnrollment)
        })
    );
}

/// Both ends of a version range are included (FORMAT.md): a range of one version is valid
/// and admits that version only; a range that runs backwards cannot be issued.
#[test]
fn a_version_range_of_one_version() {
    let mut c = typical();
    let v10 = GlpiVersion::new(10, 0);
    c.glpi_versions = Some(VersionRange { min: v10, max: v10 });
    let key = issuer().issue(&c).unwrap();
    let o = at(2027, 1, 1);
    let license = key.verify(&trust(), &o.with_glpi_version(v10)).unwrap();
    assert_eq!(license.claims().glpi_versions, c.glpi_versions);
    for other in [GlpiVersion::new(9, 5), GlpiVersion::new(10, 1)] {
        assert_eq!(
            key.verify(&trust(), &o.with_glpi_version(other)).err(),
            Some(Error::UnsupportedGlpiVersion {
                version: other,
                supported: VersionRange { min: v10, max: v10 }
            })
        );
    }
    c.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(10, 1),
        max: v10,
    });
    assert_eq!(
        issuer().issue(&c).err(),
        Some(IssueError::Claims(ClaimsError::InvertedVersionRange))
    );
}

#[test]
fn unknown_and_retired_issuers() {
    let key = issuer().issue(&typical()).unwrap();
    let other = Issuer::from_secret_key_bytes(&[1u8; 32]);
    let store = TrustStore::with(other.trusted_key().unwrap());
    assert_eq!(
        key.verify(&store, &at(2027, 1, 1)).err(),
        Some(Error::UnknownIssuer {
            key_id: issuer().key_id()
        })
    );
    let retired = issuer()
        .trusted_key()
        .unwrap()
        .with_validity(None, Some(t(2026, 1, 1)))
        .unwrap();
    assert_eq!(
        key.verify(&TrustStore::with(retired), &at(2027, 1, 1))
            .err(),
        Some(Error::IssuerKeyNotValid {
            key_id: issuer().key_id(),
            issued_at: t(2026, 11, 23)
        })
    );
}

#[test]
fn a_key_signed_by_another_issuer_under_our_key_id_fails_the_signature() {
    // Forge: sign with another key but put our issuer's key id in the header.
    let forger = Issuer::from_secret_key_bytes(&[3u8; 32]);
    let genuine = issuer().issue(&typical()).unwrap();
    let forged = forger.issue(&typical()).unwrap();
    let mut body = forged.as_bytes().to_vec();
    body[2..6].copy_from_slice(&genuine.as_bytes()[2..6]);
    let text = rewrap(&body);
    let key = UnverifiedKey::parse(&text).unwrap();
    assert_eq!(
        key.verify(&trust(), &at(2027, 1, 1)).err(),
        Some(Error::BadSignature)
    );
}

/// Re-encodes raw body bytes as key text with a fresh, valid check.
fn rewrap(body: &[u8]) -> String {
    glpi_key::hazmat::key_text_of_body(body, TextStyle::Compact).to_string()
}

#[test]
fn tampered_tier_fails_the_signature() {
    let key = issuer().issue(&typical()).unwrap();
    let mut body = key.as_bytes().to_vec();
    // Tier byte follows the 6-byte header and 8-byte serial.
    body[6 + 8] = Tier::Advanced.to_byte();
    let forged = UnverifiedKey::parse(&rewrap(&body)).unwrap();
    assert_eq!(forged.unverified_claims().unwrap().tier, Tier::Advanced);
    assert_eq!(
        forged.verify(&trust(), &at(2027, 1, 1)).err(),
        Some(Error::BadSignature)
    );
}

#[test]
fn short_id_is_recognised_and_refused_as_a_key() {
    let id = typical().serial.short_id();
    assert_eq!(
        UnverifiedKey::parse(&id.to_string()),
        Err(Error::ShortIdNotKey(id))
    );
}

#[test]
fn typo_is_located_and_confirmed_by_the_signature() {
    let text = issuer()
        .issue_string(&typical(), TextStyle::Grouped)
        .unwrap();
    let pos = (40..).find(|&i| text.as_bytes()[i] != b'-').unwrap();
    let original = text.as_bytes()[pos] as char;
    assert_ne!(original, '-');
    let typo = if original == 'Q' { 'R' } else { 'Q' };
    let mut bad = text.clone();
    bad.replace_range(pos..pos + 1, &typo.to_string());
    let Err(Error::Checksum(ChecksumError {
        suggestion: Some(c),
    })) = UnverifiedKey::parse(&bad)
    else {
        panic!("expected a suggestion");
    };
    assert_eq!(
        (c.position, c.found, c.replacement),
        (pos + 1, typo, original)
    );
    assert_eq!(c.status, CorrectionStatus::Unconfirmed);
    let Err(Error::Checksum(ChecksumError {
        suggestion: Some(c),
    })) = UnverifiedKey::parse_with_trust(&bad, &trust())
    else {
        panic!("expected a confirmed suggestion");
    };
    assert_eq!(c.status, CorrectionStatus::ConfirmedBySignature);
    let message = Error::Checksum(ChecksumError {
        suggestion: Some(c),
    })
    .to_string();
    assert!(
        message.contains(&format!("position {}", pos + 1)),
        "{message}"
    );
}

#[test]
fn malformed_signed_claims_are_reported_after_the_signature() {
    // An issuer cannot produce these through Claims, so sign raw bytes by hand.
    use ed25519_dalek::Signer;
    let sk = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let mut claims = vec![0u8; 8];
    claims.extend_from_slice(&[9, 0, 0, 1, b'x', 0, 0]); // tier 9
    let header = [
        1u8,
        1,
        issuer().key_id().0[0],
        issuer().key_id().0[1],
        issuer().key_id().0[2],
        issuer().key_id().0[3],
    ];
    let mut msg = b"glpi-key/v1/instance-registration\0".to_vec();
    msg.extend_from_slice(&header);
    msg.extend_from_slice(&claims);
    let sig = sk.sign(&msg).to_bytes();
    let mut body = header.to_vec();
    body.extend_from_slice(&claims);
    body.extend_from_slice(&sig);
    let key = UnverifiedKey::parse(&rewrap(&body)).unwrap();
    assert_eq!(
        key.verify(&trust(), &at(2027, 1, 1)).err(),
        Some(Error::MalformedClaims(ClaimsError::UnknownTier(9)))
    );
}

/// The library applies a suggested fix itself (the CLI used to keep its own copy): the
/// correction counts characters as the person typed them, grouping and lowercase included.
#[test]
fn parse_corrected_applies_the_suggestion() {
    let issuer = Issuer::from_secret_key_bytes(&[3; 32]);
    let claims = Claims::new(
        Serial::new(7).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Basic,
        "Ünïcode Owner",
        UnixTime::from_secs(1_800_000_000 / 60 * 60),
    );
    let key = issuer.issue(&claims).unwrap();
    for style in [TextStyle::Compact, TextStyle::Grouped] {
        let good = key.text(style).to_string();
        let typed = format!("  {}", good.to_lowercase());
        for pos in [8, 12, 40] {
            let mut chars: Vec<char> = typed.chars().collect();
            if chars[pos - 1] == '-' {
                continue;
            }
            chars[pos - 1] = if chars[pos - 1] == 'z' { 'y' } else { 'z' };
            let bad: String = chars.into_iter().collect();
            let Err(Error::Checksum(ChecksumError {
                suggestion: Some(fix),
            })) = UnverifiedKey::parse(&bad)
            else {
                panic!("a one-symbol typo at {pos} must be located");
            };
            assert_eq!(fix.position, pos);
            let fixed = UnverifiedKey::parse_corrected(&bad, &fix).unwrap();
            assert_eq!(fixed, key);
        }
    }
    // A correction that does not fix the text is refused with the text's own error.
    let text = key.text(TextStyle::Compact).to_string();
    let found = text.chars().nth(7).unwrap();
    let wrong = Correction {
        position: 8,
        group: 1,
        position_in_group: 3,
        found,
        replacement: if found == 'Q' { 'R' } else { 'Q' },
        status: CorrectionStatus::Unconfirmed,
    };
    assert!(matches!(
        UnverifiedKey::parse_corrected(&text, &wrong),
        Err(Error::Checksum(_))
    ));
}

#[test]
fn a_one_symbol_fix_is_dropped_when_the_signature_refutes_it() {
    // Two changes: a forged tier re-wrapped with a valid check (bad signature), then a typo
    // in that text. The typo's one-symbol fix gives back a well-formed key from a trusted
    // issuer, but its signature fails: the suggestion must be dropped, not offered.
    let key = issuer().issue(&typical()).unwrap();
    let mut body = key.as_bytes().to_vec();
    body[6 + 8] = Tier::Advanced.to_byte();
    let forged = rewrap(&body);
    let pos = (40..).find(|&i| forged.as_bytes()[i] != b'-').unwrap();
    let typo = if forged.as_bytes()[pos] == b'Q' {
        "R"
    } else {
        "Q"
    };
    let mut bad = forged.clone();
    bad.replace_range(pos..pos + 1, typo);
    let Err(Error::Checksum(ChecksumError {
        suggestion: Some(unconfirmed),
    })) = UnverifiedKey::parse(&bad)
    else {
        panic!("a one-symbol typo is located without trust");
    };
    assert_eq!(unconfirmed.status, CorrectionStatus::Unconfirmed);
    assert_eq!(
        UnverifiedKey::parse_with_trust(&bad, &trust()),
        Err(Error::Checksum(ChecksumError { suggestion: None }))
    );
    // With the issuer unknown, the suggestion stays, unconfirmed.
    let Err(Error::Checksum(ChecksumError {
        suggestion: Some(c),
    })) = UnverifiedKey::parse_with_trust(&bad, &TrustStore::new())
    else {
        panic!("no trusted issuer: the suggestion is kept");
    };
    assert_eq!(c, unconfirmed);
}

#[test]
fn unverified_accessors_and_debug_show_only_what_the_header_claims() {
    let text = issuer()
        .issue_string(&typical(), TextStyle::Compact)
        .unwrap();
    let key: UnverifiedKey = text.parse().unwrap();
    assert_eq!(key, UnverifiedKey::parse(&text).unwrap());
    let mut other_claims = typical();
    other_claims.serial = Serial::new(7).unwrap();
    let other = issuer().issue(&other_claims).unwrap();
    assert_ne!(key, other);
    for style in [TextStyle::Compact, TextStyle::Grouped] {
        let t = key.text(style);
        assert!(!t.is_empty());
        assert_eq!(t.len(), t.to_string().len());
    }
    assert_eq!(key.text(TextStyle::Compact).to_string(), text);
    assert_eq!(key.unverified_kind(), KeyKind::InstanceRegistration);
    assert_eq!(key.unverified_key_id(), issuer().key_id());
    assert_eq!(key.unverified_short_id(), Some(typical().serial.short_id()));
    assert_eq!(
        format!("{key:?}"),
        format!("UnverifiedKey {{ text: {text} }}")
    );
    assert_eq!("GLPI-".parse::<UnverifiedKey>().err().map(|e| e.class()), {
        Some(UnverifiedKey::parse("GLPI-").unwrap_err().class())
    });
}

#[test]
fn license_accessors_and_status_text() {
    let text = issuer()
        .issue_string(&typical(), TextStyle::Compact)
        .unwrap();
    let key = UnverifiedKey::parse(&text).unwrap();
    let license = key.verify(&trust(), &at(2027, 6, 1)).unwrap();
    let c = typical();
    assert_eq!(license.kind(), c.kind);
    assert_eq!(license.tier(), Tier::Standard);
    assert_eq!(license.owner(), "ACME Corp");
    assert_eq!(license.entitlements().bits(), 7);
    assert_eq!(license.expires_at(), Some(t(2028, 1, 1)));
    assert_eq!(license.serial(), c.serial);
    assert_eq!(license.status(), KeyStatus::Active);
    assert_eq!(license.status().to_string(), "active");
    // One day after expiry, inside a 30-day grace.
    let late = VerifyOptions::at(t(2028, 1, 2)).with_grace_secs(30 * 86_400);
    let graced = key.verify(&trust(), &late).unwrap();
    let until = UnixTime::from_secs(t(2028, 1, 1).as_secs() + 30 * 86_400);
    assert_eq!(
        graced.status(),
        KeyStatus::InGrace {
            expired_at: t(2028, 1, 1),
            until
        }
    );
    assert_eq!(
        graced.status().to_string(),
        format!(
            "expired on {}, usable during the grace period until {until}: renew the subscription",
            t(2028, 1, 1)
        )
    );
}

#[test]
fn options_now_reads_the_system_clock() {
    let before = UnixTime::now();
    let options = VerifyOptions::now();
    let after = UnixTime::now();
    assert!(before <= options.now && options.now <= after);
    assert_eq!(options.kind, None);
    assert_eq!(options.instance, None);
}

/// An issuer printed for debugging shows which key it is, never the secret key it holds.
#[test]
fn an_issuer_prints_its_key_id_and_never_its_secret() {
    let secret = [0x5Au8; 32];
    let issuer = Issuer::from_secret_key_bytes(&secret);
    let shown = format!("{issuer:?}");
    let id = issuer.key_id();
    assert_eq!(shown, format!("Issuer {{ key_id: {id:?}, .. }}"));
    // Neither the bytes of the seed nor the public key, in any usual rendering.
    let public = issuer.trusted_key().unwrap().public_key_bytes();
    for bytes in [&secret, &public] {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!shown.to_lowercase().contains(&hex), "{shown}");
        assert!(!shown.contains(&format!("{:?}", &bytes[..4])), "{shown}");
    }
}

/// The issuer's public key is its seed's Ed25519 public key: RFC 8032, section 7.1, test 1.
#[test]
fn an_issuer_from_the_rfc_8032_seed_has_its_public_key() {
    let hex = |s: &str| -> [u8; 32] {
        let bytes: Vec<u8> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        bytes.try_into().unwrap()
    };
    let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    let issuer = Issuer::from_secret_key_bytes(&seed);
    assert_eq!(issuer.public_key_bytes(), public);
    assert_eq!(issuer.trusted_key().unwrap().public_key_bytes(), public);
    assert_eq!(issuer.key_id(), KeyId::of_public_key(&public));
}
