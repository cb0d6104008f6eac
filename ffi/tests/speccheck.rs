//! The 12 ed25519-speccheck cases of `spec/reference/ed25519-speccheck.json` under the strict
//! verification the core uses (ed25519-dalek `verify_strict`). `spec/reference/verify.php`
//! runs the same file through libsodium and expects the same verdicts: only case 3 passes.

use ed25519_dalek::{Signature, VerifyingKey};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The value of `"field":"<hex>"` in one JSON object of the file (flat, hex strings only).
fn field(object: &str, name: &str) -> Vec<u8> {
    let start = object.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
    let end = start + object[start..].find('"').unwrap();
    hex(&object[start..end])
}

#[test]
fn strict_verification_accepts_only_case_3() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/reference/ed25519-speccheck.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let objects: Vec<&str> = text.split('}').filter(|o| o.contains("pub_key")).collect();
    assert_eq!(objects.len(), 12);
    let accepted: Vec<usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            let pk: [u8; 32] = field(o, "pub_key").try_into().unwrap();
            let sig: [u8; 64] = field(o, "signature").try_into().unwrap();
            VerifyingKey::from_bytes(&pk)
                .and_then(|k| k.verify_strict(&field(o, "message"), &Signature::from_bytes(&sig)))
                .is_ok()
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(accepted, vec![3]);
}
