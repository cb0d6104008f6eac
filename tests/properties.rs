//! Property tests: issue then verify round-trips, tolerated variations verify, typos and bit
//! flips are caught.

use glpi_key::*;
use proptest::prelude::*;

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[9u8; 32])
}

fn trust() -> TrustStore {
    TrustStore::with(issuer().trusted_key().unwrap())
}

#[derive(Debug, Clone)]
struct Spec {
    serial: u64,
    agent: bool,
    tier: u8,
    owner: String,
    issued_min: u32,
    nb_offset: i32,
    validity: Option<u32>,
    instance: Option<[u8; 16]>,
    entitlements: u32,
    versions: Option<(u8, u8, u8, u8)>,
    max_assets: Option<u32>,
    entity: Option<u32>,
    supersedes: Option<u64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            0u64..1 << 60,
            any::<bool>(),
            0u8..5,
            "[\\PC&&[^\\x{2028}\\x{2029}]]{1,24}",
            0u32..60_000_000,
            -100_000i32..100_000,
        ),
        (
            proptest::option::of(1u32..10_000_000),
            proptest::option::of(any::<[u8; 16]>()),
            any::<u32>(),
            proptest::option::of((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(0u64..1 << 60),
        ),
    )
        .prop_map(
            |(
                (serial, agent, tier, owner, issued_min, nb_offset),
                (validity, instance, entitlements, versions, max_assets, entity, supersedes),
            )| Spec {
                serial,
                agent,
                tier,
                owner,
                issued_min,
                nb_offset: nb_offset.max(-(issued_min as i32)),
                validity,
                instance,
                entitlements,
                versions,
                max_assets,
                entity: if agent { entity } else { None },
                supersedes,
            },
        )
}

fn claims(s: &Spec) -> Claims<'_> {
    let kind = if s.agent {
        KeyKind::AgentEnrollment
    } else {
        KeyKind::InstanceRegistration
    };
    let issued = UnixTime::from_secs(u64::from(s.issued_min) * 60);
    let mut c = Claims::new(
        Serial::new(s.serial).unwrap(),
        kind,
        Tier::ALL[s.tier as usize],
        &s.owner,
        issued,
    );
    let nb = (i64::from(s.issued_min) + i64::from(s.nb_offset)) as u64 * 60;
    c.not_before = UnixTime::from_secs(nb);
    c.expires_at = s
        .validity
        .map(|v| UnixTime::from_secs(nb + u64::from(v) * 60));
    c.instance = s.instance.map(InstanceId);
    c.entitlements = Entitlements::from_bits(s.entitlements);
    c.glpi_versions = s.versions.map(|(a, b, c2, d)| {
        let (lo, hi) = if (a, b) <= (c2, d) {
            ((a, b), (c2, d))
        } else {
            ((c2, d), (a, b))
        };
        VersionRange {
            min: GlpiVersion::new(lo.0, lo.1),
            max: GlpiVersion::new(hi.0, hi.1),
        }
    });
    c.max_assets = s.max_assets;
    c.entity = s.entity;
    c.supersedes = s.supersedes.map(|v| Serial::new(v).unwrap());
    c
}

fn when_valid(c: &Claims<'_>) -> VerifyOptions {
    VerifyOptions::at(c.not_before)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn issue_then_verify_returns_the_same_claims(s in spec()) {
        let c = claims(&s);
        let key = issuer().issue(&c).unwrap();
        let text = key.text(TextStyle::Compact).to_string();
        prop_assert!(text.len() <= MAX_KEY_LEN);
        let parsed = UnverifiedKey::parse(&text).unwrap();
        let trust = trust();
        let license = parsed.verify(&trust, &when_valid(&c)).unwrap();
        prop_assert_eq!(license.claims(), &c);
    }

    #[test]
    fn tolerated_variations_still_verify(s in spec(), seed in any::<u64>()) {
        let c = claims(&s);
        let text = issuer().issue(&c).unwrap().text(TextStyle::Compact).to_string();
        // Vary case, O for 0, I/L for 1, and insert separators, driven by `seed`.
        let mut rng = seed;
        let mut next = || { rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); rng >> 33 };
        let mut varied = String::from("GLPI");
        for ch in text[4..].chars() {
            let ch = match (ch, next() % 4) {
                ('0', 0) => 'O', ('0', 1) => 'o',
                ('1', 0) => 'I', ('1', 1) => 'l', ('1', 2) => 'L',
                (c, 3) => c.to_ascii_lowercase(),
                (c, _) => c,
            };
            varied.push(ch);
            match next() % 12 { 0 => varied.push('-'), 1 => varied.push(' '), 2 => varied.push_str("\r\n"), 3 => varied.push('\t'), _ => {} }
        }
        let trust = trust();
        let key = UnverifiedKey::parse(&varied).unwrap();
        let license = key.verify(&trust, &when_valid(&c)).unwrap();
        prop_assert_eq!(license.claims(), &c);
    }

    #[test]
    fn any_single_symbol_substitution_is_caught_by_the_check(s in spec(), pick in any::<u64>(), delta in 1u8..32) {
        let c = claims(&s);
        let text = issuer().issue(&c).unwrap().text(TextStyle::Compact).to_string();
        let positions: Vec<usize> = text.char_indices().skip(5).filter(|&(_, ch)| ch != '-').map(|(i, _)| i).collect();
        let pos = positions[(pick % positions.len() as u64) as usize];
        let old = ALPHABET.iter().position(|&a| a == text.as_bytes()[pos]).unwrap() as u8;
        let new = ALPHABET[usize::from(old ^ delta)] as char;
        let mut bad = text.clone();
        bad.replace_range(pos..pos + 1, &new.to_string());
        match UnverifiedKey::parse(&bad) {
            Err(Error::Checksum(ChecksumError { suggestion: Some(fix) })) => {
                prop_assert_eq!(fix.position, pos + 1);
                prop_assert_eq!(fix.replacement, text.as_bytes()[pos] as char);
            }
            other => prop_assert!(false, "not caught as a located typo: {:?}", other),
        }
    }

    #[test]
    fn any_single_bit_flip_of_the_body_is_rejected(s in spec(), bit in any::<usize>()) {
        let c = claims(&s);
        let key = issuer().issue(&c).unwrap();
        let mut body = key.as_bytes().to_vec();
        let bit = bit % (body.len() * 8);
        body[bit / 8] ^= 0x80 >> (bit % 8);
        // Re-encode with a valid check, so only the header and signature checks stand.
        let text = glpi_key::hazmat::key_text_of_body(&body, TextStyle::Compact).to_string();
        let trust = trust();
        let outcome = UnverifiedKey::parse(&text).and_then(|k| k.verify(&trust, &when_valid(&c)).map(|_| ()));
        prop_assert!(outcome.is_err(), "a flipped bit verified: {:?}", outcome);
    }
}
