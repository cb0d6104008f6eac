//! The vendor's side end to end, through the binary: the ledger, bulk issuing, processes at
//! once and killed, and PKCS#11 keys in SoftHSM2 tokens made in a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_glpi-key");
const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const NOW: &str = "2027-06-01T12:00:00Z";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finish(out: Output) -> Run {
    Run {
        code: out
            .status
            .code()
            .expect("exited by a signal (a panic abort?)"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A directory to work in, and the environment every command there gets.
struct Bench {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Bench {
    fn new() -> Self {
        Bench {
            dir: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("GLPI_KEY_PKCS11_MODULE")
            .env_remove("GLPI_KEY_PKCS11_PIN")
            .env_remove("GLPI_KEY_PKCS11_PIN_FILE");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        finish(self.command(args).output().unwrap())
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "{args:?}\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    fn fails(&self, args: &[&str], code: i32, needle: &str) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "{args:?}\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        let first = r.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("error: "), "{}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(
            r.stderr.contains(needle),
            "expected {needle:?} in:\n{}",
            r.stderr
        );
        r
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// A bench with a file key `issuer.key` and a ledger `l.db`.
fn file_issuer() -> Bench {
    let b = Bench::new();
    b.ok(&["keygen", "--out", "issuer.key"]);
    b.ok(&["ledger", "init", "--ledger", "l.db"]);
    b
}

fn issue_args<'a>(key: &'a str, owner: &'a str) -> Vec<&'a str> {
    vec![
        "issue",
        "--signing-key",
        key,
        "--ledger",
        "l.db",
        "--tier",
        "standard",
        "--owner",
        owner,
        "--issued-at",
        "2026-12-01",
        "--expires",
        "2028-12-31",
    ]
}

fn ledger_keys(b: &Bench) -> Vec<serde_json::Value> {
    b.json(&[
        "ledger", "list", "--ledger", "l.db", "--limit", "0", "--json",
    ])
    .as_array()
    .unwrap()
    .clone()
}

#[test]
fn ledger_records_revokes_publishes_and_sites_refuse_the_revoked_key() {
    let b = file_issuer();
    let mut args = issue_args("issuer.key", "ACME Corp");
    args.extend([
        "--serial",
        "0x42",
        "--instance",
        "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b",
    ]);
    let acme = b.ok(&args).trim().to_owned();
    let globex = b.ok(&issue_args("issuer.key", "Globex")).trim().to_owned();
    // A serial is unique.
    b.fails(
        &args,
        2,
        "is already in the ledger, issued to \"ACME Corp\"",
    );
    assert_eq!(ledger_keys(&b).len(), 2);

    let found = b.json(&["ledger", "search", "--ledger", "l.db", "acme", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["key_text"], acme.as_str());
    assert_eq!(found[0]["serial"], "0000000000000042");
    assert_eq!(found[0]["instance"], "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
    let short_id = found[0]["short_id"].as_str().unwrap().to_owned();
    let by_uuid = b.json(&[
        "ledger",
        "search",
        "--ledger",
        "l.db",
        "5C9E8F4A3B2D4E1F9A8B7C6D5E4F3A2B",
        "--json",
    ]);
    assert_eq!(by_uuid[0]["short_id"], short_id.as_str());

    // Revoke by short ID; the reason is required and a second revocation is refused.
    let r = b.run(&["ledger", "revoke", "--ledger", "l.db", &short_id]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    b.ok(&[
        "ledger",
        "revoke",
        "--ledger",
        "l.db",
        &short_id,
        "--reason",
        "posted on a forum",
    ]);
    b.fails(
        &[
            "ledger", "revoke", "--ledger", "l.db", "0x42", "--reason", "again",
        ],
        2,
        "already revoked",
    );
    b.fails(
        &[
            "ledger", "revoke", "--ledger", "l.db", "0x43", "--reason", "x",
        ],
        2,
        "no key with serial",
    );
    let shown = b.json(&["ledger", "show", "--ledger", "l.db", "0x42", "--json"]);
    assert_eq!(shown["revoked"]["reason"], "posted on a forum");

    std::fs::create_dir(b.path("pub")).unwrap();
    let out = b.ok(&[
        "ledger",
        "publish-revocations",
        "--ledger",
        "l.db",
        "--signing-key",
        "issuer.key",
        "--out-dir",
        "pub",
        "--issued-at",
        "2027-05-01",
        "--next-update",
        "2027-08-01",
    ]);
    assert!(
        out.contains("Published revocation list 1 (1 serials"),
        "{out}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.path("pub/revocations-000001.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["sequence"], 1);
    assert_eq!(manifest["file"], "revocations-000001.glpirl");

    // A site with only the public key and the list: the revoked key is refused, the other not.
    let verify = |key: &str| {
        b.run(&[
            "verify",
            key,
            "--trust",
            "issuer.pub",
            "--now",
            NOW,
            "--revocations",
            "pub/revocations-000001.glpirl",
        ])
    };
    let r = verify(&acme);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("revoked by revocation list 1"),
        "{}",
        r.stderr
    );
    assert_eq!(verify(&globex).code, 0);

    // The next list has the next sequence; nothing is overwritten.
    let out = b.ok(&[
        "ledger",
        "publish-revocations",
        "--ledger",
        "l.db",
        "--signing-key",
        "issuer.key",
        "--out-dir",
        "pub",
    ]);
    assert!(out.contains("list 2 "), "{out}");
    let status = b.json(&["ledger", "status", "--ledger", "l.db", "--json"]);
    assert_eq!(status["schema_version"], 2);
    assert_eq!(status["integrity"], "ok");
    assert_eq!(
        (status["keys"].as_u64(), status["revoked"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(status["lists"].as_array().unwrap().len(), 2);

    // CSV export: a header and one line per key.
    let csv = b.ok(&["ledger", "export", "--ledger", "l.db"]);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("serial,short_id,kind,tier,owner,"));
    assert_eq!(lines.count(), 2);
    assert!(csv.contains("posted on a forum"));

    // No ledger is made by mistake, and none is replaced.
    b.fails(
        &issue_args("issuer.key", "X")
            .iter()
            .map(|a| if *a == "l.db" { "typo.db" } else { *a })
            .collect::<Vec<_>>(),
        2,
        "no ledger at typo.db",
    );
    assert!(!b.path("typo.db").exists());
    b.fails(&["ledger", "init", "--ledger", "l.db"], 2, "already exists");
}

#[test]
fn bulk_issue_lands_whole_once_and_bad_rows_issue_nothing() {
    let b = file_issuer();
    std::fs::write(
        b.path("renewals.csv"),
        "owner,tier,expires,instance,entitle,kind\n\
         Cust A,standard,2028-01-01,,marketplace;l3-support,\n\
         \"Cust, B\",advanced,2029-06-30,5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b,,instance\n\
         Cust C,,2028-01-01,,,\n",
    )
    .unwrap();
    let r = b.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--ledger",
        "l.db",
        "--bulk",
        "renewals.csv",
        "--tier",
        "basic",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Issued 3 keys from renewals.csv as batch 1"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("keys/s"), "{}", r.stderr);
    let mut rows = r.stdout.lines();
    assert_eq!(rows.next(), Some("row,serial,short_id,owner,key"));
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[1].starts_with("2,") && rows[1].contains("\"Cust, B\""),
        "{}",
        rows[1]
    );
    let keys = b.json(&["ledger", "search", "--ledger", "l.db", "Cust C", "--json"]);
    assert_eq!(
        keys[0]["tier"], "basic",
        "the --tier default fills the empty cell"
    );
    assert_eq!(keys[0]["batch_row"], 3);

    // The same file again: refused, with where its keys are.
    b.fails(
        &[
            "issue",
            "--signing-key",
            "issuer.key",
            "--ledger",
            "l.db",
            "--bulk",
            "renewals.csv",
            "--tier",
            "basic",
        ],
        2,
        "already issued: batch 1, all 3 rows landed",
    );
    // A bad cell: named by row, line and column; nothing issued.
    std::fs::write(
        b.path("bad.csv"),
        "owner,tier,expires\nGood,basic,2028-01-01\nBad,platinum,2028-01-01\n",
    )
    .unwrap();
    b.fails(
        &[
            "issue",
            "--signing-key",
            "issuer.key",
            "--ledger",
            "l.db",
            "--bulk",
            "bad.csv",
        ],
        2,
        "bad.csv, row 2 (line 3), column tier",
    );
    std::fs::write(b.path("col.csv"), "owner,tier,colour\nA,basic,red\n").unwrap();
    b.fails(
        &[
            "issue",
            "--signing-key",
            "issuer.key",
            "--ledger",
            "l.db",
            "--bulk",
            "col.csv",
        ],
        2,
        "unknown column \"colour\"",
    );
    assert_eq!(ledger_keys(&b).len(), 3);
    // --bulk needs a ledger.
    let r = b.run(&[
        "issue",
        "--signing-key",
        "issuer.key",
        "--bulk",
        "renewals.csv",
    ]);
    assert_eq!(r.code, 2);
}

#[test]
fn processes_issuing_at_once_all_land() {
    let b = file_issuer();
    let rows: String = (0..400)
        .map(|i| format!("Bulk {i},basic,2028-01-01\n"))
        .collect();
    std::fs::write(b.path("bulk.csv"), format!("owner,tier,expires\n{rows}")).unwrap();
    let mut children: Vec<(String, Child)> = Vec::new();
    let bulk = b
        .command(&[
            "issue",
            "--signing-key",
            "issuer.key",
            "--ledger",
            "l.db",
            "--bulk",
            "bulk.csv",
        ])
        .spawn()
        .unwrap();
    children.push(("bulk".into(), bulk));
    for round in 0..3 {
        for p in 0..8 {
            let owner = format!("Proc {round}-{p}");
            let child = b
                .command(&issue_args("issuer.key", &owner))
                .spawn()
                .unwrap();
            children.push((owner, child));
        }
    }
    let mut printed = Vec::new();
    for (who, child) in children {
        let r = finish(child.wait_with_output().unwrap());
        assert_eq!(r.code, 0, "{who}: {}", r.stderr);
        if who == "bulk" {
            printed.extend(
                r.stdout
                    .lines()
                    .skip(1)
                    .map(|l| l.rsplit(',').next().unwrap().to_owned()),
            );
        } else {
            printed.push(r.stdout.trim().to_owned());
        }
    }
    let stored = ledger_keys(&b);
    assert_eq!(stored.len(), 400 + 24);
    assert_eq!(printed.len(), 400 + 24);
    let texts: std::collections::HashSet<&str> = stored
        .iter()
        .map(|k| k["key_text"].as_str().unwrap())
        .collect();
    for key in &printed {
        assert!(
            texts.contains(key.as_str()),
            "printed but not in the ledger: {key}"
        );
    }
    let status = b.json(&["ledger", "status", "--ledger", "l.db", "--json"]);
    assert_eq!(status["integrity"], "ok");
}

/// Kills a bulk issue with SIGKILL at several points after its transaction began: the
/// ledger stays whole, holds either no row of the file or all of them, and running the same
/// command again says which.
#[test]
fn a_bulk_issue_killed_midway_leaves_the_ledger_whole() {
    let b = file_issuer();
    const ROWS: usize = 3000;
    let rows: String = (0..ROWS)
        .map(|i| format!("Renewal {i},standard,2029-01-01\n"))
        .collect();
    std::fs::write(b.path("big.csv"), format!("owner,tier,expires\n{rows}")).unwrap();
    let args = [
        "issue",
        "--signing-key",
        "issuer.key",
        "--ledger",
        "l.db",
        "--bulk",
        "big.csv",
        "--keys-out",
        "keys.csv",
    ];
    let mut killed_while_running = 0;
    for delay_ms in [0u64, 20, 100, 300] {
        let mut child = b.command(&args).spawn().unwrap();
        // Wait for "Signing and recording …": the transaction is about to begin.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        if !line.starts_with("Signing and recording") {
            // Already landed by an earlier round: the refusal is the answer.
            assert!(
                line.contains("already issued: batch 1, all 3000 rows landed"),
                "{line}"
            );
            child.wait().unwrap();
            continue;
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed_while_running += 1;
        }
        child.wait().unwrap();
        let status = b.json(&["ledger", "status", "--ledger", "l.db", "--json"]);
        assert_eq!(status["integrity"], "ok");
        let keys = status["keys"].as_u64().unwrap() as usize;
        let batches = status["batches"].as_array().unwrap();
        match batches.len() {
            0 => assert_eq!(keys, 0, "rows landed without their batch"),
            1 => {
                assert_eq!(keys, ROWS);
                assert_eq!(batches[0]["rows"], ROWS);
            }
            n => panic!("{n} batches from one file"),
        }
        let _ = std::fs::remove_file(b.path("keys.csv"));
    }
    assert!(
        killed_while_running >= 1,
        "no kill hit a running bulk issue"
    );
    // The operator's recovery is the same command: it issues the file if nothing landed, or
    // says that all rows did.
    let r = b.run(&args);
    if r.code == 0 {
        assert!(
            r.stdout.contains("rows 1 to 3000 all landed"),
            "{}",
            r.stdout
        );
    } else {
        assert!(r.stderr.contains("already issued: batch"), "{}", r.stderr);
    }
    assert_eq!(ledger_keys(&b).len(), ROWS);
}

#[test]
fn key_files_are_never_written_through_a_link() {
    let b = Bench::new();
    // keygen: a dangling link where the .pub file goes must not create its target.
    std::os::unix::fs::symlink(b.path("elsewhere.pub"), b.path("issuer.pub")).unwrap();
    b.fails(
        &["keygen", "--out", "issuer.key"],
        2,
        "issuer.pub is a symbolic link",
    );
    b.fails(
        &["keygen", "--out", "issuer.key", "--force"],
        2,
        "symbolic link",
    );
    assert!(!b.path("elsewhere.pub").exists());
    // Both files are checked before either is written: no signing key without its .pub.
    assert!(!b.path("issuer.key").exists());
    std::fs::remove_file(b.path("issuer.pub")).unwrap();
    b.ok(&["keygen", "--out", "issuer.key"]);
    // revoke --out: the same, and a real file is replaced whole with --force.
    std::os::unix::fs::symlink(b.path("elsewhere.glpirl"), b.path("list.glpirl")).unwrap();
    let revoke = [
        "revoke",
        "--signing-key",
        "issuer.key",
        "--sequence",
        "1",
        "0x42",
        "--out",
        "list.glpirl",
    ];
    b.fails(&revoke, 2, "already exists");
    b.fails(&[&revoke[..], &["--force"]].concat(), 2, "symbolic link");
    assert!(!b.path("elsewhere.glpirl").exists());
    std::fs::remove_file(b.path("list.glpirl")).unwrap();
    b.ok(&revoke);
    b.ok(&[&revoke[..], &["--force"]].concat());
    let names: Vec<String> = std::fs::read_dir(b.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

// ---- PKCS#11 (SoftHSM2) -------------------------------------------------------------------

/// A bench with a SoftHSM2 token "Vendor" (user PIN in a 0600 file) in a temporary
/// directory, and the environment pointing at it. `None` when SoftHSM2 is not installed
/// (a failure instead under GLPI_KEY_REQUIRE_SOFTHSM=1, as in CI).
fn token_bench() -> Option<Bench> {
    if !Path::new(SOFTHSM).exists() {
        assert!(
            std::env::var_os("GLPI_KEY_REQUIRE_SOFTHSM").is_none(),
            "SoftHSM2 is required here but {SOFTHSM} is missing"
        );
        eprintln!("SKIPPED: SoftHSM2 not installed");
        return None;
    }
    let mut b = Bench::new();
    std::fs::create_dir(b.path("tokens")).unwrap();
    let conf = b.path("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            b.path("tokens").display()
        ),
    )
    .unwrap();
    let out = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            "Vendor",
            "--so-pin",
            "99999999",
            "--pin",
            "123456",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write_private(&b.path("pin"), "123456\n");
    b.env = vec![
        ("SOFTHSM2_CONF".into(), conf.display().to_string()),
        ("GLPI_KEY_PKCS11_MODULE".into(), SOFTHSM.into()),
        (
            "GLPI_KEY_PKCS11_PIN_FILE".into(),
            b.path("pin").display().to_string(),
        ),
    ];
    Some(b)
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

const URI: &str = "pkcs11:token=Vendor;object=glpi-issuer-2027";

#[test]
fn key_ceremony_in_a_token_then_issue_revoke_publish_and_verify_offline() {
    let Some(b) = token_bench() else { return };
    let out = b.ok(&["keygen", "--pkcs11", URI, "--pub-out", "vendor.pub"]);
    assert!(
        out.contains("Private key exportable: no (sensitive, never extractable"),
        "{out}"
    );
    assert!(out.contains(&format!("--signing-key '{URI}'")), "{out}");
    // Never replaced.
    b.fails(
        &["keygen", "--pkcs11", URI],
        2,
        "already has a key labelled \"glpi-issuer-2027\"",
    );
    // Export the public key again from the token: the same.
    b.ok(&["public-key", "--signing-key", URI, "--out", "exported.pub"]);
    assert_eq!(
        std::fs::read(b.path("exported.pub")).unwrap(),
        std::fs::read(b.path("vendor.pub")).unwrap()
    );

    b.ok(&["ledger", "init", "--ledger", "l.db"]);
    let key = b.ok(&issue_args(URI, "ACME Corp")).trim().to_owned();
    let other = b.ok(&issue_args(URI, "Initech")).trim().to_owned();
    let r = b.run(&["verify", &key, "--trust", "vendor.pub", "--now", NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Offline, with nothing but the public key file: no token, no module.
    let offline = Bench::new();
    std::fs::copy(b.path("vendor.pub"), offline.path("vendor.pub")).unwrap();
    assert_eq!(
        offline
            .run(&["verify", &key, "--trust", "vendor.pub", "--now", NOW])
            .code,
        0
    );

    let short_id = b.json(&["ledger", "search", "--ledger", "l.db", "ACME", "--json"])[0]
        ["short_id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.ok(&[
        "ledger",
        "revoke",
        "--ledger",
        "l.db",
        &short_id,
        "--reason",
        "customer reported theft",
    ]);
    std::fs::create_dir(b.path("pub")).unwrap();
    b.ok(&[
        "ledger",
        "publish-revocations",
        "--ledger",
        "l.db",
        "--signing-key",
        URI,
        "--out-dir",
        "pub",
        "--issued-at",
        "2027-05-01",
    ]);
    std::fs::copy(
        b.path("pub/revocations-000001.glpirl"),
        offline.path("list.glpirl"),
    )
    .unwrap();
    let r = offline.run(&[
        "verify",
        &key,
        "--trust",
        "vendor.pub",
        "--now",
        NOW,
        "--revocations",
        "list.glpirl",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("revoked by revocation list 1"),
        "{}",
        r.stderr
    );
    assert_eq!(
        offline
            .run(&[
                "verify",
                &other,
                "--trust",
                "vendor.pub",
                "--now",
                NOW,
                "--revocations",
                "list.glpirl"
            ])
            .code,
        0
    );

    // The stateless revoke command signs with the token too.
    let list = b.ok(&[
        "revoke",
        "--signing-key",
        URI,
        "--sequence",
        "7",
        &short_id,
        "--issued-at",
        "2027-05-02",
    ]);
    assert!(list.trim().starts_with("GLPI-"));
    // Bulk issuing through the token.
    let rows: String = (0..20)
        .map(|i| format!("Token cust {i},basic,2028-01-01\n"))
        .collect();
    std::fs::write(b.path("t.csv"), format!("owner,tier,expires\n{rows}")).unwrap();
    let r = b.run(&[
        "issue",
        "--signing-key",
        URI,
        "--ledger",
        "l.db",
        "--bulk",
        "t.csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ledger_keys(&b).len(), 22);
}

#[test]
fn token_errors_say_what_to_do() {
    let Some(mut b) = token_bench() else { return };
    b.ok(&["keygen", "--pkcs11", URI]);
    b.ok(&["ledger", "init", "--ledger", "l.db"]);
    let issue = issue_args(URI, "X");

    // A missing object: the token's keys are listed.
    let missing = issue_args("pkcs11:token=Vendor;object=glpi-issuer-2099", "X");
    b.fails(&missing, 2, "has no private key \"glpi-issuer-2099\"; private keys in it: \"glpi-issuer-2027\" (Ed25519)");
    b.fails(
        &issue_args("pkcs11:token=Nope;object=k", "X"),
        2,
        "no token matches token=\"Nope\"; tokens present: \"Vendor\"",
    );
    // A PIN on the command line is refused before anything is loaded.
    b.fails(
        &issue_args(
            "pkcs11:token=Vendor;object=glpi-issuer-2027;pin-value=123456",
            "X",
        ),
        2,
        "carries a PIN",
    );
    b.fails(
        &issue_args("pkcs11:token=Vendor;object=k?module-path=/tmp/x.so", "X"),
        2,
        "GLPI_KEY_PKCS11_MODULE",
    );

    let saved = b.env.clone();
    // Wrong PIN, from the variable.
    b.env.retain(|(k, _)| k != "GLPI_KEY_PKCS11_PIN_FILE");
    b.env.push(("GLPI_KEY_PKCS11_PIN".into(), "000000".into()));
    let r = b.fails(
        &issue,
        2,
        "token \"Vendor\" refused the PIN from GLPI_KEY_PKCS11_PIN: wrong PIN",
    );
    assert!(
        r.stderr.contains("hint: put the user PIN alone in a file"),
        "{}",
        r.stderr
    );
    // No PIN at all.
    b.env.retain(|(k, _)| k != "GLPI_KEY_PKCS11_PIN");
    b.fails(&issue, 2, "needs the user PIN");
    // A PIN file others can read.
    b.env = saved.clone();
    std::fs::write(b.path("loose-pin"), "123456\n").unwrap();
    b.env.retain(|(k, _)| k != "GLPI_KEY_PKCS11_PIN_FILE");
    b.env.push((
        "GLPI_KEY_PKCS11_PIN_FILE".into(),
        b.path("loose-pin").display().to_string(),
    ));
    b.fails(
        &issue,
        2,
        "other users can read it (mode 0644); chmod 600 it",
    );
    // Module: not set, not there, not a PKCS#11 library.
    b.env = saved.clone();
    b.env.retain(|(k, _)| k != "GLPI_KEY_PKCS11_MODULE");
    b.fails(&issue, 2, "no PKCS#11 module: set GLPI_KEY_PKCS11_MODULE");
    b.env.push((
        "GLPI_KEY_PKCS11_MODULE".into(),
        "/nonexistent/libvendor-pkcs11.so".into(),
    ));
    b.fails(
        &issue,
        2,
        "the PKCS#11 module /nonexistent/libvendor-pkcs11.so does not exist",
    );
    b.env = saved;
    std::fs::write(b.path("fake.so"), b"not a library").unwrap();
    b.env.retain(|(k, _)| k != "GLPI_KEY_PKCS11_MODULE");
    b.env.push((
        "GLPI_KEY_PKCS11_MODULE".into(),
        b.path("fake.so").display().to_string(),
    ));
    b.fails(&issue, 2, "not a PKCS#11 library");
    // Nothing was recorded by any of these.
    b.env.clear();
    assert!(ledger_keys(&b).is_empty());
}

#[test]
fn keys_issued_before_the_ledger_can_be_imported_then_revoked() {
    let b = Bench::new();
    b.ok(&["keygen", "--out", "issuer.key"]);
    let mut keys = String::from("# issued in 2026, before the ledger\n");
    for owner in ["Early A", "Early B"] {
        let args = [
            "issue",
            "--signing-key",
            "issuer.key",
            "--tier",
            "basic",
            "--owner",
            owner,
            "--issued-at",
            "2026-01-01",
            "--expires",
            "2026-06-30",
            "--grouped",
        ];
        keys.push_str(&b.ok(&args));
        keys.push('\n');
    }
    std::fs::write(b.path("old-keys.txt"), &keys).unwrap();
    b.ok(&["ledger", "init", "--ledger", "l.db"]);
    let out = b.ok(&[
        "ledger",
        "import",
        "--ledger",
        "l.db",
        "--trust",
        "issuer.pub",
        "old-keys.txt",
    ]);
    assert!(out.contains("Recorded 2 keys"), "{out}");
    let out = b.ok(&[
        "ledger",
        "import",
        "--ledger",
        "l.db",
        "--trust",
        "issuer.pub",
        "old-keys.txt",
    ]);
    assert!(
        out.contains("Recorded 0 keys") && out.contains("2 were already"),
        "{out}"
    );
    // Under another issuer's key nothing verifies, and nothing is recorded.
    b.ok(&["keygen", "--out", "other.key"]);
    b.fails(
        &[
            "ledger",
            "import",
            "--ledger",
            "l.db",
            "--trust",
            "other.pub",
            "old-keys.txt",
        ],
        2,
        "key 1 cannot be imported",
    );
    let id = b.json(&["ledger", "search", "--ledger", "l.db", "Early B", "--json"])[0]["short_id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.ok(&[
        "ledger",
        "revoke",
        "--ledger",
        "l.db",
        &id,
        "--reason",
        "found in a public repository",
    ]);
    assert_eq!(ledger_keys(&b).len(), 2);
}
