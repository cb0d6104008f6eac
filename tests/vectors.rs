//! Runs every vector in `spec/vectors/keys.json` through the crate: the vectors are the
//! contract between this implementation, the spec and the other implementations.

use glpi_key::*;
use serde_json::Value;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors/keys.json");
    let text = std::fs::read_to_string(path).expect("spec/vectors/keys.json is readable");
    serde_json::from_str(&text).expect("keys.json is valid JSON")
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn trust(doc: &Value) -> TrustStore {
    let mut store = TrustStore::new();
    for t in doc["trust"].as_array().unwrap() {
        let key = TrustedKey::from_public_key_bytes(&hex32(t["public_key_hex"].as_str().unwrap()))
            .unwrap();
        assert_eq!(key.key_id().to_string(), t["key_id"].as_str().unwrap());
        store.add(key).unwrap();
    }
    store
}

fn claims_match(c: &Claims<'_>, want: &Value) {
    assert_eq!(format!("{:016x}", c.serial.value()), want["serial"]);
    assert_eq!(c.serial.short_id().to_string(), want["short_id"]);
    assert_eq!(c.kind.to_string(), want["kind"]);
    assert_eq!(c.tier.to_string(), want["tier"]);
    assert_eq!(c.owner, want["owner"]);
    assert_eq!(c.issued_at.as_secs(), want["issued_at"].as_u64().unwrap());
    assert_eq!(c.not_before.as_secs(), want["not_before"].as_u64().unwrap());
    assert_eq!(
        c.expires_at.map(|t| t.as_secs()),
        want["expires_at"].as_u64()
    );
    assert_eq!(
        c.instance.map(|i| i.to_string()).as_deref(),
        want["instance"].as_str()
    );
    assert_eq!(
        u64::from(c.entitlements.bits()),
        want["entitlement_bits"].as_u64().unwrap()
    );
    assert_eq!(c.max_assets.map(u64::from), want["max_assets"].as_u64());
    assert_eq!(c.entity.map(u64::from), want["entity"].as_u64());
    assert_eq!(
        c.supersedes
            .map(|s| format!("{:016x}", s.value()))
            .as_deref(),
        want["supersedes"].as_str()
    );
    match (&c.glpi_versions, &want["glpi_versions"]) {
        (None, Value::Null) => {}
        (Some(r), w) => {
            assert_eq!(r.min.to_string(), w["min"]);
            assert_eq!(r.max.to_string(), w["max"]);
        }
        (None, w) => panic!("expected versions {w}"),
    }
}

#[test]
fn every_vector_gives_its_expected_outcome() {
    let doc = load();
    every_vector_under(&doc, &trust(&doc));
}

/// With precomputed tables (either size), every vector gives the same outcome and message.
#[cfg(feature = "tables")]
#[test]
fn every_vector_gives_its_expected_outcome_with_tables() {
    let doc = load();
    for size in [glpi_key::TableSize::Large, glpi_key::TableSize::Small] {
        let mut store = trust(&doc);
        store.precompute(size);
        assert_eq!(store.table_size(), Some(size));
        every_vector_under(&doc, &store);
    }
}

fn every_vector_under(doc: &Value, store: &TrustStore) {
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 30, "only {} vectors", vectors.len());
    let mut valid = 0;
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let mut options = VerifyOptions::at(UnixTime::from_secs(v["now"].as_u64().unwrap()));
        options.kind = match v["kind"].as_str() {
            None => None,
            Some("instance-registration") => Some(KeyKind::InstanceRegistration),
            Some("agent-enrollment") => Some(KeyKind::AgentEnrollment),
            Some(other) => panic!("{name}: unknown kind {other}"),
        };
        options.instance = v["instance"]
            .as_str()
            .map(|s| InstanceId::parse(s).unwrap());
        options.glpi_version = v["glpi_version"]
            .as_str()
            .map(|s| GlpiVersion::parse(s).unwrap());
        let key = v["key"].as_str().unwrap();
        let outcome = UnverifiedKey::parse_with_trust(key, store).and_then(|k| {
            let license = k.verify(store, &options)?;
            claims_match(license.claims(), &v["claims"]);
            Ok(())
        });
        let got = match &outcome {
            Ok(()) => "valid",
            Err(e) => e.code(),
        };
        assert_eq!(
            got,
            v["expect"].as_str().unwrap(),
            "vector {name}: {outcome:?}"
        );
        if let Err(e) = &outcome {
            assert_eq!(
                e.to_string(),
                v["message"].as_str().unwrap(),
                "vector {name}"
            );
        } else {
            valid += 1;
        }
    }
    assert!(valid >= 7);
}

#[test]
fn sample_key_file_is_the_first_valid_vector() {
    let doc = load();
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/vectors/sample-standard.key"
    ))
    .unwrap();
    assert_eq!(sample.trim(), doc["vectors"][0]["key"].as_str().unwrap());
    let hex = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/vectors/test-issuer.pub.hex"
    ))
    .unwrap();
    assert_eq!(
        hex.trim(),
        doc["trust"][0]["public_key_hex"].as_str().unwrap()
    );
}
