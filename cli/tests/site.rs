//! `glpi-key site …` end to end, and the file-handling attacks of issue 12 (each run against
//! what the old code did: it wrote through links and re-opened the signing key by path).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_glpi-key");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A private working directory (mode 0700) with an issuer key.
fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    ok(tmp.path(), &["keygen", "--out", "iss.key"]);
    tmp
}

#[test]
fn site_commands_end_to_end() {
    let tmp = setup();
    let d = tmp.path();
    let key = ok(
        d,
        &[
            "issue",
            "--signing-key",
            "iss.key",
            "--tier",
            "standard",
            "--owner",
            "ACME",
            "--serial",
            "0x10",
            "--issued-at",
            "2027-01-01",
        ],
    );
    std::fs::write(d.join("k.txt"), &key).unwrap();
    let bound = ok(
        d,
        &[
            "issue",
            "--signing-key",
            "iss.key",
            "--tier",
            "standard",
            "--owner",
            "ACME",
            "--serial",
            "0x11",
            "--issued-at",
            "2027-01-01",
            "--instance",
            "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b",
        ],
    );
    std::fs::write(d.join("bound.txt"), &bound).unwrap();
    let l5 = ok(
        d,
        &[
            "revoke",
            "--signing-key",
            "iss.key",
            "--sequence",
            "5",
            "--issued-at",
            "2027-02-01",
            "0x99",
        ],
    );
    std::fs::write(d.join("l5.txt"), &l5).unwrap();
    ok(
        d,
        &[
            "revoke",
            "--signing-key",
            "iss.key",
            "--sequence",
            "4",
            "--issued-at",
            "2027-01-15",
            "--out",
            "l4.glpirl",
        ],
    );
    ok(
        d,
        &[
            "revoke",
            "--signing-key",
            "iss.key",
            "--sequence",
            "6",
            "--issued-at",
            "2027-02-15",
            "--out",
            "l6.glpirl",
            "0x10",
        ],
    );

    let init = json(&run(
        d,
        &[
            "site", "init", "site", "--trust", "iss.pub", "--grace", "30d", "--json",
        ],
    ));
    assert_eq!(init["grace_secs"], 2_592_000);
    assert_eq!(init["clock_mark"], serde_json::Value::Null);
    // Installing: new, same again, older refused (exit 1), newer.
    let r = json(&run(
        d,
        &[
            "site",
            "install-revocations",
            "site",
            "l5.txt",
            "--now",
            "2027-03-01",
            "--json",
        ],
    ));
    assert_eq!(r["status"], "installed");
    let r = json(&run(
        d,
        &[
            "site",
            "install-revocations",
            "site",
            "l5.txt",
            "--now",
            "2027-03-01",
            "--json",
        ],
    ));
    assert_eq!(r["status"], "unchanged");
    let out = run(
        d,
        &[
            "site",
            "install-revocations",
            "site",
            "l4.glpirl",
            "--now",
            "2027-03-01",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "revocation-list-rollback");

    // Verify: the kind is required; valid; bound key needs the instance.
    assert_eq!(
        run(d, &["site", "verify", "site", "@k.txt"]).status.code(),
        Some(2)
    );
    let v = json(&run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@k.txt",
            "--kind",
            "instance",
            "--now",
            "2027-03-02",
            "--json",
        ],
    ));
    assert_eq!(v["status"], "valid");
    assert_eq!(v["warnings"], serde_json::json!([]));
    let out = run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@bound.txt",
            "--kind",
            "instance",
            "--now",
            "2027-03-02",
            "--json",
        ],
    );
    assert_eq!(json(&out)["error"]["code"], "instance-required");
    let v = json(&run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@bound.txt",
            "--kind",
            "instance",
            "--insecure-no-instance",
            "--now",
            "2027-03-02",
            "--json",
        ],
    ));
    assert_eq!(v["warnings"], serde_json::json!(["instance-not-checked"]));
    // The clock set back a day: refused; the mark stays.
    let out = run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@k.txt",
            "--kind",
            "instance",
            "--now",
            "2027-03-01",
            "--json",
        ],
    );
    assert_eq!(json(&out)["error"]["code"], "clock-rollback");
    // A newer list revokes the key.
    ok(
        d,
        &[
            "site",
            "install-revocations",
            "site",
            "l6.glpirl",
            "--now",
            "2027-03-03",
        ],
    );
    let out = run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@k.txt",
            "--kind",
            "instance",
            "--now",
            "2027-03-03",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was revoked by revocation list 6"));

    let s = json(&run(d, &["site", "status", "site", "--json"]));
    assert_eq!(s["trust"][0]["installed_list"]["sequence"], 6);
    assert_eq!(s["clock_mark"], 1_804_032_000u64); // 2027-03-03 00:00 UTC
    let text = ok(d, &["site", "status", "site"]);
    assert!(text.contains("revocation list 6"), "{text}");
    // Distrust the issuer key: nothing it signed passes.
    let id = s["trust"][0]["key_id"].as_str().unwrap().to_owned();
    ok(
        d,
        &["site", "distrust", "site", &id, "--from", "2027-03-03"],
    );
    let out = run(
        d,
        &[
            "site",
            "verify",
            "site",
            "@bound.txt",
            "--kind",
            "instance",
            "--insecure-no-instance",
            "--now",
            "2027-03-04",
            "--json",
        ],
    );
    assert_eq!(json(&out)["error"]["code"], "issuer-key-distrusted");

    // The stateless verify says it keeps no state.
    let text = ok(
        d,
        &[
            "verify",
            "@k.txt",
            "--trust",
            "iss.pub",
            "--now",
            "2027-03-02",
        ],
    );
    assert!(text.contains("none kept"), "{text}");
    let v = json(&run(
        d,
        &[
            "verify",
            "@k.txt",
            "--trust",
            "iss.pub",
            "--now",
            "2027-03-02",
            "--json",
        ],
    ));
    assert_eq!(v["keeps_state"], false);
}

/// keygen wrote the .pub file through a dangling symbolic link (creating the link's target).
#[test]
fn keygen_never_writes_through_a_dangling_link() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    symlink(d.join("elsewhere.pem"), d.join("new.pub")).unwrap();
    let out = run(d, &["keygen", "--out", "new.key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("elsewhere.pem").exists());
    assert!(!d.join("new.key").exists());
    // Even with --force a link is refused (never written through, never silently replaced),
    // and neither file is written: both are checked first.
    let out = run(d, &["keygen", "--out", "new.key", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("elsewhere.pem").exists());
    assert!(!d.join("new.key").exists());
    std::fs::remove_file(d.join("new.pub")).unwrap();
    ok(d, &["keygen", "--out", "new.key"]);
    let mode = std::fs::metadata(d.join("new.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0);
}

/// revoke --out wrote through a dangling link, and not atomically.
#[test]
fn revoke_out_never_writes_through_a_link_and_is_atomic() {
    let tmp = setup();
    let d = tmp.path();
    symlink(d.join("victim"), d.join("list.glpirl")).unwrap();
    let out = run(
        d,
        &[
            "revoke",
            "--signing-key",
            "iss.key",
            "--sequence",
            "1",
            "--out",
            "list.glpirl",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("victim").exists());
    // A link stays refused with --force; an existing regular file with --force is replaced
    // whole (the old content never half-overwritten), a link's target never touched.
    std::fs::write(d.join("victim"), b"precious").unwrap();
    let forced = [
        "revoke",
        "--signing-key",
        "iss.key",
        "--sequence",
        "1",
        "--out",
        "list.glpirl",
        "--force",
        "5",
    ];
    assert_eq!(run(d, &forced).status.code(), Some(2));
    assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
    std::fs::remove_file(d.join("list.glpirl")).unwrap();
    std::fs::write(d.join("list.glpirl"), b"old list").unwrap();
    ok(
        d,
        &[
            "revoke",
            "--signing-key",
            "iss.key",
            "--sequence",
            "1",
            "--out",
            "list.glpirl",
            "--force",
            "5",
        ],
    );
    assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
    assert!(std::fs::read(d.join("list.glpirl"))
        .unwrap()
        .starts_with(b"GLPI-RL\n"));
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
}

/// The signing key is opened once, never through a link, and checked on the open file: mode,
/// owner, and a directory others cannot change.
#[test]
fn signing_key_checks_are_made_on_the_open_file() {
    let tmp = setup();
    let d = tmp.path();
    let issue = |key: &str| {
        run(
            d,
            &[
                "issue",
                "--signing-key",
                key,
                "--tier",
                "free",
                "--owner",
                "X",
            ],
        )
    };
    assert!(issue("iss.key").status.success());
    // A link to the (private) key is refused, not followed.
    symlink(d.join("iss.key"), d.join("link.key")).unwrap();
    let out = issue("link.key");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    // Readable by others.
    std::fs::copy(d.join("iss.key"), d.join("open.key")).unwrap();
    std::fs::set_permissions(d.join("open.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(
        String::from_utf8_lossy(&issue("open.key").stderr).contains("can be read by other users")
    );
    // Owned by another user (the tests may run as root, who can give it away).
    std::fs::set_permissions(d.join("open.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    if std::os::unix::fs::chown(d.join("open.key"), Some(65534), None).is_ok() {
        assert!(
            String::from_utf8_lossy(&issue("open.key").stderr).contains("belongs to another user")
        );
    }
    // In a directory others can write (not sticky).
    let shared = d.join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::copy(d.join("iss.key"), shared.join("iss.key")).unwrap();
    std::fs::set_permissions(
        shared.join("iss.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = issue("shared/iss.key");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("can be changed by other users"));
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(issue("shared/iss.key").status.success());
}
