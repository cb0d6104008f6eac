//! Runs the built `glpi-key` binary end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_glpi-key");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().expect("exited by signal (a panic abort?)"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// A failure prints exactly one `error:` line, then only `hint:` lines, and never a panic.
fn assert_clean_failure(r: &Run, code: i32, needle: &str) {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(!lines.is_empty(), "no error message");
    assert!(lines[0].starts_with("error: "), "stderr: {}", r.stderr);
    assert!(
        lines[1..].iter().all(|l| l.starts_with("hint: ")),
        "stderr: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "stderr: {}", r.stderr);
    assert!(
        lines[0].contains(needle),
        "expected {needle:?} in: {}",
        lines[0]
    );
}

struct Setup {
    dir: tempfile::TempDir,
    key: String,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args, None)
    }
}

/// keygen, then issue one key valid through 2027-12-31 from 2026-11-23.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["keygen", "--out", "issuer.key"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(
        dir.path(),
        &[
            "issue",
            "--signing-key",
            "issuer.key",
            "--tier",
            "standard",
            "--owner",
            "ACME Corp",
            "--issued-at",
            "2026-11-23",
            "--expires",
            "2027-12-31",
            "--entitle",
            "marketplace,network-plugins",
            "--glpi",
            "10.0..11.0",
            "--serial",
            "0x123456789",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = r.stdout.trim().to_owned();
    assert!(key.starts_with("GLPI-"), "{key}");
    Setup { dir, key }
}

const NOW: &str = "2027-06-01T12:00:00Z";

#[test]
fn keygen_writes_private_key_and_public_key() {
    let s = setup();
    let secret = std::fs::read_to_string(s.path("issuer.key")).unwrap();
    assert!(secret.starts_with("-----BEGIN PRIVATE KEY-----"));
    let public = std::fs::read_to_string(s.path("issuer.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path("issuer.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Refused without --force, replaced with it.
    let r = s.run(&["keygen", "--out", "issuer.key"]);
    assert_clean_failure(&r, 2, "already exists");
    assert_eq!(
        std::fs::read_to_string(s.path("issuer.key")).unwrap(),
        secret
    );
    let r = s.run(&["keygen", "--out", "issuer.key", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(
        std::fs::read_to_string(s.path("issuer.key")).unwrap(),
        secret
    );
    // The output names the compact public key (64 hex) and the key id (8 hex).
    let hex_line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Public key (hex):"))
        .unwrap();
    let hex = hex_line.split_whitespace().last().unwrap();
    assert_eq!(hex.len(), 64);
    assert!(hex
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    // The compact form works as a trust key too, as a file or inline.
    std::fs::write(s.path("issuer.hex"), format!("{hex}\n")).unwrap();
    let r2 = s.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--tier",
        "free",
        "--owner",
        "X",
    ]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    let key = r2.stdout.trim();
    assert_eq!(s.run(&["verify", key, "--trust", "issuer.hex"]).code, 0);
    assert_eq!(s.run(&["verify", key, "--trust", hex]).code, 0);
}

#[test]
fn issue_verify_tamper() {
    let s = setup();
    let r = s.run(&["verify", &s.key, "--trust", "issuer.pub", "--now", NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("VALID: instance-registration key for ACME Corp (standard tier)"));
    assert!(r.stdout.contains("marketplace, network-plugins"));
    assert!(r
        .stdout
        .contains("2028-01-01 00:00 UTC (valid through 2027-12-31"));
    assert!(r.stdout.contains("10.0 to 11.0"));
    assert!(r.stderr.is_empty());

    // From a file (wrapped over lines, surrounded by blank lines) and from stdin.
    let wrapped: String = s
        .key
        .as_bytes()
        .chunks(40)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    std::fs::write(s.path("k.txt"), format!("\n{wrapped}\n")).unwrap();
    let r = s.run(&["verify", "@k.txt", "--trust", "issuer.pub", "--now", NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(
        s.dir.path(),
        &["verify", "-", "--trust", "issuer.pub", "--now", NOW],
        Some(&s.key),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Tamper: raise the tier byte (header, then the 8-byte serial, then the tier) and
    // re-encode with a valid check, so only the signature can tell.
    let parsed = glpi_key::UnverifiedKey::parse(&s.key).unwrap();
    let mut body = parsed.as_bytes().to_vec();
    let tier_at = glpi_key::HEADER_LEN + 8;
    assert_eq!(body[tier_at], glpi_key::Tier::Standard.to_byte());
    body[tier_at] = glpi_key::Tier::Advanced.to_byte();
    let forged =
        glpi_key::hazmat::key_text_of_body(&body, glpi_key::TextStyle::Compact).to_string();
    let r = s.run(&["verify", &forged, "--trust", "issuer.pub", "--now", NOW]);
    assert_clean_failure(&r, 1, "the key's signature is not valid");
    assert!(r.stdout.is_empty());

    // A changed signature symbol without a recomputed check: the check catches it first.
    let mut chars: Vec<char> = s.key.chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let r = s.run(&["verify", &tampered, "--trust", "issuer.pub", "--now", NOW]);
    assert_clean_failure(&r, 1, "mistyped");
}

/// The demo's forged key (tier changed, valid check) fails the signature here too.
#[test]
fn forged_tier_fails_the_signature() {
    let s = setup();
    let r = s.run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let forged = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("5."))
        .map(str::trim)
        .find(|l| l.starts_with("GLPI-"))
        .unwrap()
        .to_owned();
    let demo_pub = r
        .stdout
        .lines()
        .find(|l| l.contains("public key (hex):"))
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    let r = s.run(&[
        "verify",
        &forged,
        "--trust",
        &demo_pub,
        "--now",
        "2026-12-01",
    ]);
    assert_clean_failure(&r, 1, "signature is not valid");
    let r = s.run(&["inspect", &forged]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("UNVERIFIED"));
    assert!(r.stdout.contains("advanced"));
}

#[test]
fn json_output_has_the_documented_fields() {
    let s = setup();
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["checked_at"], 1_811_851_200u64);
    assert_eq!(v["issuer_key_id"].as_str().unwrap().len(), 8);
    let c = &v["claims"];
    assert_eq!(c["serial"], "0000000123456789");
    assert!(c["short_id"].as_str().unwrap().starts_with("GLPI-"));
    assert_eq!(c["kind"], "instance-registration");
    assert_eq!(c["tier"], "standard");
    assert_eq!(c["owner"], "ACME Corp");
    assert_eq!(c["issued_at"], 1_795_392_000u64);
    assert_eq!(c["not_before"], 1_795_392_000u64);
    assert_eq!(c["expires_at"], 1_830_297_600u64);
    assert_eq!(c["instance"], serde_json::Value::Null);
    assert_eq!(
        c["entitlements"],
        serde_json::json!(["marketplace", "network-plugins"])
    );
    assert_eq!(c["entitlement_bits"], 3);
    assert_eq!(
        c["glpi_versions"],
        serde_json::json!({"min": "10.0", "max": "11.0"})
    );
    for field in ["max_assets", "entity", "supersedes"] {
        assert_eq!(c[field], serde_json::Value::Null, "{field}");
    }
    assert_eq!(c["extensions"], serde_json::json!([]));

    // The short ID printed by `id` is the one in the claims.
    let r = s.run(&["id", &s.key]);
    assert_eq!(r.stdout.trim(), c["short_id"].as_str().unwrap());

    // Failure: JSON on stdout with the error class, the message on stderr, exit 1.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2028-01-01",
        "--json",
    ]);
    assert_clean_failure(&r, 1, "expired");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "invalid");
    assert_eq!(v["error"]["code"], "expired");
    assert!(v.get("claims").is_none());

    // inspect --json: unverified.
    let r = s.run(&["inspect", &s.key, "--json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["claims"]["owner"], "ACME Corp");
    assert_eq!(v["claims_error"], serde_json::Value::Null);
}

#[cfg(unix)]
#[test]
fn readable_signing_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    std::fs::set_permissions(s.path("issuer.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = s.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--tier",
        "free",
        "--owner",
        "X",
    ]);
    assert_clean_failure(&r, 2, "can be read by other users (mode 0644)");
    assert!(r
        .stderr
        .contains("hint: make it private with: chmod 600 issuer.key"));
    assert!(r.stdout.is_empty());
}

#[test]
fn each_failure_has_its_own_message_and_code() {
    let s = setup();
    // Wrong trust key.
    let r = s.run(&["keygen", "--out", "other.key"]);
    assert_eq!(r.code, 0);
    let r = s.run(&["verify", &s.key, "--trust", "other.pub", "--now", NOW]);
    assert_clean_failure(&r, 1, "which is not trusted here");
    assert!(r.stderr.contains("hint: issuer keys trusted here:"));
    // Two trust keys: the right one is found.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "other.pub",
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Expired, and not yet valid.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2028-01-01T00:00:00Z",
    ]);
    assert_clean_failure(&r, 1, "the key expired on 2028-01-01 00:00 UTC");
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2026-11-22",
    ]);
    assert_clean_failure(&r, 1, "not valid yet");
    // The last moment of the last day is still valid.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2027-12-31T23:59:59Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A short ID.
    let id = s.run(&["id", &s.key]).stdout.trim().to_owned();
    let r = s.run(&["verify", &id, "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "is a short key ID, not a key");
    // `id` normalises a short ID.
    assert_eq!(s.run(&["id", &id.to_lowercase()]).stdout.trim(), id);
    // Garbage.
    let r = s.run(&["verify", "hello world", "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "this is not a GLPI key");
    let r = s.run(&["verify", "GLPI-ÅÅÅ", "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "invalid character");
    let r = s.run(&["verify", "GLPI-0123", "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "wrong length");
    let r = run_in(
        s.dir.path(),
        &["verify", "-", "--trust", "issuer.pub"],
        Some("  \n"),
    );
    assert_clean_failure(&r, 1, "no key was given");
    std::fs::write(s.path("binary"), [0xffu8, 0xfe, 0, 1, 2]).unwrap();
    let r = s.run(&["verify", "@binary", "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "");
    // Instance binding and version checks are the core's errors.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--glpi",
        "9.5",
    ]);
    assert_clean_failure(&r, 1, "covers GLPI 10.0 to 11.0, not GLPI 9.5");
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--kind",
        "agent",
    ]);
    assert_clean_failure(&r, 1, "agent");
    // Files: exit 2.
    let r = s.run(&["verify", "@missing.txt", "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 2, "cannot read key file missing.txt");
    let r = s.run(&["verify", &s.key, "--trust", "missing.pub"]);
    assert_clean_failure(&r, 2, "trust key file missing.pub does not exist");
    let r = s.run(&["verify", &s.key, "--trust", "issuer.key"]);
    assert_clean_failure(&r, 2, "is a private (signing) key");
    std::fs::write(s.path("junk.pub"), "not a key\n").unwrap();
    let r = s.run(&["verify", &s.key, "--trust", "junk.pub"]);
    assert_clean_failure(&r, 2, "holds no Ed25519 public key");
    // A weak (all-zero) public key is refused by the core's trust rules.
    let r = s.run(&["verify", &s.key, "--trust", &"0".repeat(64)]);
    assert_clean_failure(&r, 2, "small-order");
}

#[test]
fn typo_gets_the_confirmed_suggestion() {
    let s = setup();
    let mut chars: Vec<char> = s.key.chars().collect();
    let pos = 30; // 1-based, inside the body.
    let orig = chars[pos - 1];
    chars[pos - 1] = if orig == 'Q' { 'R' } else { 'Q' };
    let typo: String = chars.into_iter().collect();
    let r = s.run(&["verify", &typo, "--trust", "issuer.pub", "--now", NOW]);
    assert_clean_failure(&r, 1, &format!("at position {pos}"));
    assert!(
        r.stderr
            .contains(&format!("should almost certainly be {orig:?}")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "hint: with that one symbol corrected the key is signed by a trusted issuer: {}",
            s.key
        )),
        "{}",
        r.stderr
    );
    // Without the issuer's key, the suggestion is only probable.
    let r = s.run(&["inspect", &typo]);
    assert_clean_failure(&r, 1, "should probably be");
}

#[test]
fn issue_options_and_their_errors() {
    let s = setup();
    let r = s.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--tier",
        "basic",
        "--owner",
        "Agents Inc",
        "--kind",
        "agent",
        "--entity",
        "7",
        "--not-before",
        "2026-12-01",
        "--issued-at",
        "2026-11-23T10:15:00+01:00",
        "--max-assets",
        "500",
        "--supersedes",
        "0x123456789",
        "--instance",
        "5C9E8F4A-3B2D-4E1F-9A8B-7C6D5E4F3A2B",
        "--grouped",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = r.stdout.trim();
    assert!(
        key.len() > 30 && key.matches('-').count() > 5,
        "grouped: {key}"
    );
    let r = s.run(&[
        "verify",
        key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--json",
        "--instance",
        "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b",
        "--kind",
        "agent",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let c = &v["claims"];
    assert_eq!(c["kind"], "agent-enrollment");
    assert_eq!(c["entity"], 7);
    assert_eq!(c["max_assets"], 500);
    assert_eq!(c["supersedes"], "0000000123456789");
    assert_eq!(c["issued_at"], 1_795_392_000u64 + 9 * 3600 + 15 * 60);
    assert_eq!(c["not_before"], 1_795_392_000u64 + 8 * 86_400);
    assert_eq!(c["expires_at"], serde_json::Value::Null);
    assert_eq!(c["instance"], "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
    // Wrong instance.
    let r = s.run(&[
        "verify",
        key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--instance",
        "00000000-0000-4000-8000-000000000000",
    ]);
    assert_clean_failure(&r, 1, "bound to GLPI instance 5c9e8f4a");

    let issue = |extra: &[&str]| {
        let mut args = vec![
            "issue",
            "--signing-key",
            "issuer.key",
            "--tier",
            "free",
            "--owner",
            "X",
        ];
        args.extend_from_slice(extra);
        s.run(&args)
    };
    let r = issue(&["--expires", "2027-01-01T10:00:30Z"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("whole minute"), "{}", r.stderr);
    let r = issue(&["--expires", "next year"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a date or time"), "{}", r.stderr);
    let r = issue(&["--entity", "3"]);
    assert_clean_failure(&r, 2, "--entity is only for agent enrollment keys");
    let r = issue(&["--issued-at", "2027-01-01", "--expires", "2026-06-30"]);
    assert_clean_failure(&r, 2, "cannot issue a key with these claims");
    let r = issue(&["--entitle", "marketplace,coffee"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown entitlement \"coffee\""),
        "{}",
        r.stderr
    );
    let long = "x".repeat(97);
    let r = s.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--tier",
        "free",
        "--owner",
        &long,
    ]);
    assert_clean_failure(&r, 2, "owner is 97 bytes long");
    let r = s.run(&[
        "issue",
        "--signing-key",
        "issuer.pub",
        "--tier",
        "free",
        "--owner",
        "X",
    ]);
    #[cfg(unix)]
    {
        // issuer.pub is 0644: the mode check comes first.
        assert_clean_failure(&r, 2, "can be read by other users");
    }
    #[cfg(not(unix))]
    assert_eq!(r.code, 2);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["verify", "GLPI-X"],
        &[
            "verify",
            "GLPI-X",
            "--trust",
            "a.pub",
            "--instance",
            "not-a-uuid",
        ],
        &["verify", "GLPI-X", "--trust", "a.pub", "--now", "yesterday"],
        &["issue", "--tier", "standard"],
        &[
            "issue",
            "--signing-key",
            "k",
            "--tier",
            "gold",
            "--owner",
            "X",
        ],
        &[],
    ] {
        let r = run_in(dir.path(), args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: ") || r.stderr.contains("Usage:"),
            "{}",
            r.stderr
        );
    }
    let r = run_in(dir.path(), &["--help"], None);
    assert_eq!(r.code, 0);
}

#[test]
fn demo_walks_through_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["demo"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for step in ["1. ", "2. ", "3. ", "4. ", "5. "] {
        assert!(r.stdout.contains(step), "missing step {step}");
    }
    assert!(r.stdout.contains("VALID"));
    assert!(r.stdout.contains("should almost certainly be"));
    assert!(r.stdout.contains("signature is not valid"));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "demo wrote files"
    );
}

/// The README's first command.
#[test]
fn readme_sample_verifies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let key = root.join("spec/vectors/sample-standard.key");
    let public = root.join("spec/vectors/test-issuer.pub");
    assert!(
        key.exists() && public.exists(),
        "spec/vectors sample files missing"
    );
    let r = run_in(
        &root,
        &[
            "verify",
            "@spec/vectors/sample-standard.key",
            "--trust",
            "spec/vectors/test-issuer.pub",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("VALID: "), "{}", r.stdout);
}

#[test]
fn revocation_lists_and_grace() {
    let s = setup();
    let id = s.run(&["id", &s.key]).stdout.trim().to_owned();
    // Text form, naming the key by short ID, plus an unrelated serial.
    let r = s.run(&[
        "revoke",
        "--signing-key",
        "issuer.key",
        "--sequence",
        "3",
        "--issued-at",
        "2027-02-01",
        "--next-update",
        "2027-03-01",
        "0x10",
        &id,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("GLPI-"));
    std::fs::write(s.path("revoked.txt"), &r.stdout).unwrap();
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--revocations",
        "revoked.txt",
    ]);
    assert_clean_failure(&r, 1, "was revoked by revocation list 3");
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--revocations",
        "revoked.txt",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["code"], "revoked");

    // File form, serials from a file, the key not in it; the list's next update has passed.
    std::fs::write(
        s.path("serials.txt"),
        "# withdrawn\n0x10\n\n16  # same serial again\n",
    )
    .unwrap();
    let r = s.run(&[
        "revoke",
        "--signing-key",
        "issuer.key",
        "--sequence",
        "4",
        "--issued-at",
        "2027-02-01",
        "--next-update",
        "2027-03-01",
        "--from-file",
        "serials.txt",
        "--out",
        "list.bin",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Wrote revocation list 4 (1 serial"),
        "{}",
        r.stdout
    );
    assert!(std::fs::read(s.path("list.bin"))
        .unwrap()
        .starts_with(b"GLPI-RL\n"));
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        NOW,
        "--revocations",
        "list.bin",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("not revoked (list 4"));
    assert!(r
        .stderr
        .starts_with("warning: the revocation list (number 4) announced its next update"));
    // Refuses to overwrite.
    let r = s.run(&[
        "revoke",
        "--signing-key",
        "issuer.key",
        "--sequence",
        "5",
        "--out",
        "list.bin",
    ]);
    assert_clean_failure(&r, 2, "already exists");
    // A list signed by an untrusted issuer, or not a list: exit 2.
    s.run(&["keygen", "--out", "other.key"]);
    let r = s.run(&[
        "revoke",
        "--signing-key",
        "other.key",
        "--sequence",
        "1",
        "0x10",
    ]);
    std::fs::write(s.path("other-list.txt"), &r.stdout).unwrap();
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--revocations",
        "other-list.txt",
    ]);
    assert_clean_failure(
        &r,
        2,
        "revocation list other-list.txt: the key was signed by issuer key",
    );
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--revocations",
        "issuer.pub",
    ]);
    assert_clean_failure(&r, 2, "revocation list issuer.pub:");
    // A list given where a key is expected.
    let list_text = std::fs::read_to_string(s.path("revoked.txt")).unwrap();
    let r = s.run(&["verify", list_text.trim(), "--trust", "issuer.pub"]);
    assert_clean_failure(&r, 1, "revocation list");
    // Bad serials.
    let r = s.run(&[
        "revoke",
        "--signing-key",
        "issuer.key",
        "--sequence",
        "5",
        "0x1000000000000000",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("larger than a serial"), "{}", r.stderr);

    // Grace: expired on 2028-01-01; 30 days of grace.
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2028-01-10",
        "--grace",
        "30d",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("VALID (IN GRACE PERIOD)"));
    assert!(r
        .stderr
        .starts_with("warning: the key expired on 2028-01-01 00:00 UTC"));
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2028-01-10",
        "--grace",
        "30d",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["key_status"], "in-grace");
    assert_eq!(v["grace_until"], 1_830_297_600u64 + 30 * 86_400);
    let r = s.run(&[
        "verify",
        &s.key,
        "--trust",
        "issuer.pub",
        "--now",
        "2028-01-31",
        "--grace",
        "30d",
    ]);
    assert_clean_failure(&r, 1, "expired");
    let r = s.run(&["verify", &s.key, "--trust", "issuer.pub", "--grace", "30"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a duration"), "{}", r.stderr);
}

/// Runs `openssl` with `args` in `dir`; `None` when OpenSSL is not installed (outside CI).
fn openssl(dir: &Path, args: &[&str]) -> Option<Output> {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(out) => Some(out),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("openssl not runnable ({e}); skipping the interoperability test");
            None
        }
        Err(e) => panic!("CI must have openssl: {e}"),
    }
}

/// Signing-key files interoperate with standard tools (FORMAT.md section 7, question 16 of
/// issue 13): `keygen` writes RFC 8410 PKCS#8 v1, which `openssl pkey` reads and turns into
/// the same public key; `issue` reads `openssl genpkey -algorithm ed25519` output; and the
/// v2 form (with the public key) that earlier versions wrote still reads.
#[test]
fn signing_keys_interoperate_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["keygen", "--out", "issuer.key"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let Some(out) = openssl(dir.path(), &["pkey", "-in", "issuer.key", "-pubout"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "openssl pkey refused keygen's output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = std::fs::read_to_string(dir.path().join("issuer.pub")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ours);

    let out = openssl(
        dir.path(),
        &["genpkey", "-algorithm", "ed25519", "-out", "openssl.key"],
    )
    .unwrap();
    assert!(out.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join("openssl.key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = openssl(
        dir.path(),
        &[
            "pkey",
            "-in",
            "openssl.key",
            "-pubout",
            "-out",
            "openssl.pub",
        ],
    )
    .unwrap();
    assert!(out.status.success());
    for (signing, public) in [("openssl.key", "openssl.pub"), ("v2.key", "v2.pub")] {
        if signing == "v2.key" {
            // The PKCS#8 v2 form (OneAsymmetricKey with the public key).
            let v2 = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pkcs8-v2.key"),
            )
            .unwrap();
            let path = dir.path().join(signing);
            std::fs::write(&path, v2).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pkcs8-v2.pub"),
                dir.path().join(public),
            )
            .unwrap();
        }
        let r = run_in(
            dir.path(),
            &[
                "issue",
                "--signing-key",
                signing,
                "--tier",
                "standard",
                "--owner",
                "ACME Corp",
                "--issued-at",
                "2026-11-23",
                "--serial",
                "7",
            ],
            None,
        );
        assert_eq!(r.code, 0, "{signing}: {}", r.stderr);
        let key = r.stdout.trim().to_owned();
        let r = run_in(
            dir.path(),
            &["verify", &key, "--trust", public, "--now", NOW],
            None,
        );
        assert_eq!(r.code, 0, "{signing}: {}", r.stderr);
    }
}
