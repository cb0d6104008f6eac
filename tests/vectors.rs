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

/// Runs every vector of `spec/vectors/policy.json`: issuer key windows, clock tolerance,
/// grace, an installed revocation list, the clock guard, and byte input.
#[test]
fn every_policy_vector_gives_its_expected_outcome() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/policy.json")).unwrap())
            .unwrap();
    let pk = hex32(doc["trust"][0]["public_key_hex"].as_str().unwrap());
    let time = |v: &Value| v.as_u64().map(UnixTime::from_secs);
    let read_list = |file: &str| -> Vec<u8> {
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
        if file.ends_with(".txt") {
            let mut buf = [0u8; MAX_TEXT_LIST_LEN];
            let text = std::str::from_utf8(&bytes).unwrap();
            UnverifiedRevocationList::parse_text(text, &mut buf)
                .unwrap()
                .as_bytes()
                .to_vec()
        } else {
            UnverifiedRevocationList::from_file_bytes(&bytes)
                .unwrap()
                .as_bytes()
                .to_vec()
        }
    };
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 20);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let window = &v["issuer_window"];
        let trust = TrustStore::with(
            TrustedKey::from_public_key_bytes(&pk)
                .unwrap()
                .with_validity(time(&window["valid_from"]), time(&window["valid_until"]))
                .unwrap(),
        );
        let plain = TrustStore::with(TrustedKey::from_public_key_bytes(&pk).unwrap());
        let now = time(&v["now"]);
        let tolerance = v["clock_tolerance_secs"].as_u64();
        let outcome: Result<Option<&str>, Error> = match v["check"].as_str().unwrap() {
            "clock" => ClockGuard {
                tolerance_secs: tolerance.unwrap(),
            }
            .check(time(&v["clock_mark"]), now.unwrap())
            .map(|_| None),
            "clock-file" => {
                let h = v["file_hex"].as_str().unwrap();
                let bytes: Vec<u8> = (0..h.len() / 2)
                    .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                    .collect();
                let path = std::env::temp_dir()
                    .join(format!("glpi-key-policy-{}-{name}", std::process::id()));
                std::fs::write(&path, bytes).unwrap();
                let got = ClockFile::new(&path).load();
                std::fs::remove_file(&path).unwrap();
                match got {
                    Ok(mark) => {
                        assert_eq!(mark.map(|m| m.as_secs()), v["result"]["mark"].as_u64());
                        assert_eq!(v["expect"], "valid", "{name}");
                    }
                    Err(e) => assert_eq!(e.code(), v["expect"].as_str().unwrap(), "{name}"),
                }
                continue;
            }
            "list" => {
                let body = read_list(v["list"].as_str().unwrap());
                UnverifiedRevocationList::from_body(&body)
                    .and_then(|l| l.verify(&trust))
                    .map(|_| None)
            }
            "key" => {
                let text = match (v["key"].as_str(), v["key_hex"].as_str()) {
                    (Some(k), _) => Ok(k.to_string()),
                    (None, Some(h)) => {
                        let bytes: Vec<u8> = (0..h.len() / 2)
                            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                            .collect();
                        String::from_utf8(bytes).map_err(|_| ())
                    }
                    _ => panic!("{name}: no key"),
                };
                match text {
                    // What a byte-taking binding reports before step 1.
                    Err(()) => {
                        assert_eq!(v["expect"], "invalid-utf8", "{name}");
                        continue;
                    }
                    Ok(text) => {
                        let list_body = v["revocation_list"].as_str().map(read_list);
                        let list = list_body.as_ref().map(|b| {
                            UnverifiedRevocationList::from_body(b)
                                .unwrap()
                                .verify(&plain)
                                .unwrap()
                        });
                        let mut options = VerifyOptions::at(now.unwrap())
                            .with_grace_secs(v["grace_secs"].as_u64().unwrap());
                        options.clock_tolerance_secs = tolerance;
                        UnverifiedKey::parse(&text).and_then(|k| {
                            let license =
                                k.verify_with_revocations(&trust, &options, list.as_ref())?;
                            Ok(Some(match license.status() {
                                KeyStatus::Active => "active",
                                _ => "in-grace",
                            }))
                        })
                    }
                }
            }
            other => panic!("{name}: unknown check {other}"),
        };
        let got = match &outcome {
            Ok(_) => "valid",
            Err(e) => e.code(),
        };
        assert_eq!(
            got,
            v["expect"].as_str().unwrap(),
            "vector {name}: {outcome:?}"
        );
        match &outcome {
            Ok(Some(status)) => assert_eq!(*status, v["status"], "vector {name}"),
            Ok(None) => {}
            Err(e) => assert_eq!(e.to_string(), v["message"].as_str().unwrap(), "{name}"),
        }
    }
}

/// The error classes of the spec's class tables (`| class | meaning ... |` in FORMAT.md
/// section 10 and REVOCATION.md section 5).
fn classes_named_in(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| class |") {
            in_table = true;
        } else if !line.starts_with('|') {
            in_table = false;
        } else if in_table {
            if let Some(class) = line
                .strip_prefix("| `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(class, _)| class)
            {
                out.push(class.to_string());
            }
        }
    }
    out
}

/// Every `expect` value in a JSON document, at any depth.
fn expects(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expect", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => expects(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| expects(v, out)),
        _ => {}
    }
}

/// Issue 13: every error class named in the spec appears as the expected outcome of at least
/// one vector (keys.json, policy.json, any other JSON vector file, revocation/vectors.txt).
#[test]
fn every_error_class_named_in_the_spec_has_a_vector() {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/spec");
    let mut named = Vec::new();
    for doc in ["FORMAT.md", "REVOCATION.md"] {
        let text = std::fs::read_to_string(format!("{spec}/{doc}")).unwrap();
        let classes = classes_named_in(&text);
        assert!(classes.len() >= 6, "{doc}: class table not found");
        named.extend(classes);
    }
    let mut covered = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(format!("{spec}/vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            expects(&doc, &mut covered);
        }
    }
    let manifest =
        std::fs::read_to_string(format!("{spec}/vectors/revocation/vectors.txt")).unwrap();
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        covered.insert(line.split('\t').nth(5).unwrap().to_string());
    }
    let missing: Vec<&String> = named.iter().filter(|c| !covered.contains(*c)).collect();
    assert!(
        missing.is_empty(),
        "error classes named in the spec with no vector: {missing:?}"
    );
    // The parser sees the whole tables (a class per row of both).
    assert!(named.iter().any(|c| c == "unsupported-glpi-version"));
    assert!(named.iter().any(|c| c == "clock-file-corrupted"));
}
