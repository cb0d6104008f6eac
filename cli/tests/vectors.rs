//! Every vector of `spec/vectors/keys.json`, verified through the command line: the exit
//! code, the error class in `--json` output, and the claims of valid keys.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_glpi-key");

#[test]
fn every_key_vector_gives_its_expected_outcome() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("spec/vectors/keys.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let trust: Vec<String> = doc["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["public_key_hex"].as_str().unwrap().to_owned())
        .collect();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 10, "too few vectors");
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let mut args: Vec<String> = vec!["verify".into(), "--json".into()];
        for t in &trust {
            args.push("--trust".into());
            args.push(t.clone());
        }
        args.push("--now".into());
        args.push(v["now"].as_u64().unwrap().to_string());
        if let Some(kind) = v["kind"].as_str() {
            args.push("--kind".into());
            args.push(kind.into());
        }
        if let Some(instance) = v["instance"].as_str() {
            args.push("--instance".into());
            args.push(instance.into());
        }
        if let Some(version) = v["glpi_version"].as_str() {
            args.push("--glpi".into());
            args.push(version.into());
        }
        // The key last, after `--`, so a key text starting with `-` stays a key.
        args.push("--".into());
        args.push(v["key"].as_str().unwrap().into());
        let out = Command::new(BIN).args(&args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: stdout is not JSON ({e}): {stdout} {stderr}"));
        let expect = v["expect"].as_str().unwrap();
        if expect == "valid" {
            assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
            assert_eq!(json["status"], "valid", "{name}");
            assert_eq!(json["claims"], v["claims"], "{name}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{name}: {stdout} {stderr}");
            assert_eq!(json["error"]["code"], expect, "{name}");
            assert!(stderr.starts_with("error: "), "{name}: {stderr}");
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        }
    }
}
