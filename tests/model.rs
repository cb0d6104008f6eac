//! The plain values of `glpi_key::model`, pinned by the library's own tests: their numbers and
//! names are part of the format (entitlement bits and tier bytes are signed into keys) and of
//! every host's output (names, JSON forms), so a change to any of them must fail here, not
//! only in the CLI's tests.

use glpi_key::*;

#[test]
fn entitlement_bits_are_the_format_s_numbers() {
    // spec/FORMAT.md: bit 0 marketplace, bit 1 network plugins, bit 2 level-3 support.
    assert_eq!(Entitlements::NONE.bits(), 0);
    assert_eq!(Entitlements::MARKETPLACE.bits(), 1);
    assert_eq!(Entitlements::NETWORK_PLUGINS.bits(), 2);
    assert_eq!(Entitlements::L3_SUPPORT.bits(), 4);
    let named: Vec<(u32, &str)> = Entitlements::NAMED
        .iter()
        .map(|(e, n)| (e.bits(), *n))
        .collect();
    assert_eq!(
        named,
        [
            (1, "marketplace"),
            (2, "network-plugins"),
            (4, "l3-support")
        ]
    );
}

#[test]
fn entitlement_names_read_back_in_any_case_and_nothing_else() {
    for (e, name) in Entitlements::NAMED {
        assert_eq!(Entitlements::from_name(name), Some(e));
        assert_eq!(Entitlements::from_name(&name.to_uppercase()), Some(e));
    }
    for bad in ["", "none", "l3", "marketplace ", "network_plugins", "bit 3"] {
        assert_eq!(Entitlements::from_name(bad), None, "{bad:?}");
    }
}

#[test]
fn entitlement_sets_combine_contain_and_print() {
    let all = Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
    assert_eq!(all.bits(), 7);
    assert_eq!(
        Entitlements::MARKETPLACE.union(Entitlements::L3_SUPPORT),
        Entitlements::from_bits(5)
    );
    // A union with a bit already present keeps it (an exclusive or would drop it).
    assert_eq!(all.union(Entitlements::MARKETPLACE), all);
    assert_eq!(all | all, all);
    assert!(all.contains(Entitlements::NETWORK_PLUGINS));
    assert!(all.contains(Entitlements::NONE));
    assert!(!Entitlements::MARKETPLACE.contains(all));
    assert!(!Entitlements::from_bits(2).contains(Entitlements::from_bits(3)));
    assert_eq!(
        all.names().collect::<Vec<_>>(),
        ["marketplace", "network-plugins", "l3-support"]
    );
    assert_eq!(Entitlements::from_bits(6).names().count(), 2);
    assert_eq!(Entitlements::NONE.to_string(), "none");
    assert_eq!(all.to_string(), "marketplace, network-plugins, l3-support");
    // A bit this version does not name is shown, not hidden.
    assert_eq!(
        Entitlements::from_bits(1 | 1 << 5 | 1 << 31).to_string(),
        "marketplace, bit 5, bit 31"
    );
    assert_eq!(Entitlements::default(), Entitlements::NONE);
}

#[test]
fn tiers_bytes_names_and_order() {
    let want = [
        (Tier::Free, 0, "free"),
        (Tier::Starter, 1, "starter"),
        (Tier::Basic, 2, "basic"),
        (Tier::Standard, 3, "standard"),
        (Tier::Advanced, 4, "advanced"),
    ];
    assert_eq!(Tier::ALL.len(), want.len());
    for (i, (tier, byte, name)) in want.into_iter().enumerate() {
        assert_eq!(Tier::ALL[i], tier);
        assert_eq!(tier.to_byte(), byte);
        assert_eq!(Tier::from_byte(byte), Some(tier));
        assert_eq!(tier.name(), name);
        assert_eq!(tier.to_string(), name);
        assert_eq!(Tier::from_name(name), Some(tier));
        assert_eq!(Tier::from_name(&name.to_uppercase()), Some(tier));
    }
    for b in 5..=u8::MAX {
        assert_eq!(Tier::from_byte(b), None, "byte {b}");
    }
    for bad in ["", "pro", "premium", "3", "free ", "standard\n"] {
        assert_eq!(Tier::from_name(bad), None, "{bad:?}");
    }
    // Best-of renewal ranks tiers by this order.
    assert!(Tier::Free < Tier::Starter && Tier::Starter < Tier::Basic);
    assert!(Tier::Basic < Tier::Standard && Tier::Standard < Tier::Advanced);
}

#[test]
fn object_kinds_bytes_names_and_domain_tags() {
    let want = [
        (
            ObjectKind::InstanceRegistration,
            1,
            "instance-registration",
            "glpi-key/v1/instance-registration",
        ),
        (
            ObjectKind::AgentEnrollment,
            2,
            "agent-enrollment",
            "glpi-key/v1/agent-enrollment",
        ),
        (
            ObjectKind::RevocationList,
            3,
            "revocation-list",
            "glpi-key/v1/revocation-list",
        ),
    ];
    assert_eq!(ObjectKind::ALL.len(), want.len());
    for (i, (kind, byte, name, tag)) in want.into_iter().enumerate() {
        assert_eq!(ObjectKind::ALL[i], kind);
        assert_eq!(kind.to_byte(), byte);
        assert_eq!(ObjectKind::from_byte(byte), Some(kind));
        assert_eq!(kind.name(), name);
        assert_eq!(kind.to_string(), name);
        assert_eq!(kind.domain_tag(), tag);
    }
    for b in (0..=u8::MAX).filter(|b| !(1..=3).contains(b)) {
        assert_eq!(ObjectKind::from_byte(b), None, "byte {b}");
    }
    for k in [KeyKind::InstanceRegistration, KeyKind::AgentEnrollment] {
        assert_eq!(KeyKind::from_object_kind(k.object_kind()), Some(k));
    }
    assert_eq!(KeyKind::from_object_kind(ObjectKind::RevocationList), None);
}

#[test]
fn key_id_is_the_documented_hash_prefix() {
    // spec/vectors/keys.json: the test issuer and its key id.
    let public = hex32("9160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb77995604");
    let id = KeyId::of_public_key(&public);
    assert_eq!(id.to_string(), "6cea30f2");
    assert_eq!(id.0, [0x6c, 0xea, 0x30, 0xf2]);
    assert_eq!(KeyId::LEN, 4);
    // Any other key gives another id (the domain tag and every key byte count).
    let mut other = public;
    other[31] ^= 1;
    assert_ne!(KeyId::of_public_key(&other), id);
    assert_eq!(KeyId([0, 1, 0xab, 0xff]).to_string(), "0001abff");
}

#[test]
fn instance_ids_read_every_documented_form() {
    let want = InstanceId([
        0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40,
        0x00,
    ]);
    for form in [
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-E89B-12D3-A456-426614174000",
        "123e4567e89b12d3a456426614174000",
        "{123e4567-e89b-12d3-a456-426614174000}",
        "  123e4567-e89b-12d3-a456-426614174000\n",
    ] {
        assert_eq!(InstanceId::parse(form), Some(want), "{form:?}");
    }
    assert_eq!(want.to_string(), "123e4567-e89b-12d3-a456-426614174000");
    for bad in [
        "",
        "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456-42661417400g",
        "1-2-3-4-5-3e4567e89b12d3a456426614174000",
        "{123e4567-e89b-12d3-a456-426614174000",
    ] {
        assert_eq!(InstanceId::parse(bad), None, "{bad:?}");
    }
}

#[cfg(feature = "serde")]
#[test]
fn json_forms_of_the_plain_values() {
    use serde_json::{json, to_value};
    let public = hex32("9160b3b06568b456cc1d235dab820f257112406bed67726cae5a58cb77995604");
    assert_eq!(
        to_value(KeyId::of_public_key(&public)).unwrap(),
        json!("6cea30f2")
    );
    let instance = InstanceId::parse("123e4567e89b12d3a456426614174000").unwrap();
    assert_eq!(
        to_value(instance).unwrap(),
        json!("123e4567-e89b-12d3-a456-426614174000")
    );
    assert_eq!(to_value(Tier::Standard).unwrap(), json!("standard"));
    assert_eq!(
        serde_json::from_value::<Tier>(json!("advanced")).unwrap(),
        Tier::Advanced
    );
    assert!(serde_json::from_value::<Tier>(json!("gold")).is_err());
    assert_eq!(
        to_value(KeyKind::AgentEnrollment).unwrap(),
        json!("agent-enrollment")
    );
    assert_eq!(
        to_value(Entitlements::from_bits(5)).unwrap(),
        json!(["marketplace", "l3-support"])
    );
    assert_eq!(to_value(Entitlements::NONE).unwrap(), json!([]));
    let serial = Serial::new(0xd0d).unwrap();
    assert_eq!(to_value(serial).unwrap(), json!(0xd0d));
    assert_eq!(
        serde_json::from_value::<Serial>(json!(0xd0d)).unwrap(),
        serial
    );
    assert!(serde_json::from_value::<Serial>(json!(u64::MAX)).is_err());
    assert_eq!(
        to_value(serial.short_id()).unwrap(),
        json!("GLPI-00000000038D-2F72NV")
    );
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn short_ids_of_the_wrong_length_are_refused_as_such() {
    let id = Serial::new(0xd0d).unwrap().short_id();
    let text = id.to_string();
    assert_eq!(ShortId::parse(&text), Ok(id));
    // One symbol fewer: a wrong length; one more: longer than any short ID.
    assert_eq!(
        ShortId::parse(&text[..text.len() - 1]),
        Err(Error::WrongLength { symbols: 17 })
    );
    assert_eq!(
        ShortId::parse(&format!("{text}0")),
        Err(Error::TooLong { max: 18 })
    );
}

/// Random serials use all 60 bits and never more: each is a valid serial, and among 64 draws
/// one has its top bit set (all 64 missing it has odds of 2^-64).
#[test]
fn random_serials_fill_sixty_bits_and_no_more() {
    let draws: Vec<Serial> = (0..64).map(|_| Serial::random().unwrap()).collect();
    for s in &draws {
        assert!(*s <= Serial::MAX, "{s:?}");
        assert_eq!(Serial::new(s.value()), Some(*s));
    }
    assert!(draws.iter().any(|s| s.value() >> 59 == 1), "{draws:?}");
    let mut distinct = draws.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), draws.len());
}

/// GLPI versions read as `major.minor` with an optional numeric patch, which is ignored;
/// anything else is refused.
#[test]
fn glpi_versions_read_major_minor_and_an_optional_patch() {
    for (text, major, minor) in [
        ("10.0", 10, 0),
        ("10.0.17", 10, 0),
        (" 11.2 ", 11, 2),
        ("255.255.4294967295", 255, 255),
    ] {
        assert_eq!(
            GlpiVersion::parse(text),
            Some(GlpiVersion::new(major, minor)),
            "{text:?}"
        );
    }
    for bad in [
        "",
        "10",
        "10.",
        "10.x",
        "x.0",
        "256.0",
        "10.0.",
        "10.0.x",
        "10.0.-1",
        "10.0.17.1",
        "10.0.x.1",
        "10,0",
    ] {
        assert_eq!(GlpiVersion::parse(bad), None, "{bad:?}");
    }
    assert_eq!(GlpiVersion::new(10, 0).to_string(), "10.0");
}
