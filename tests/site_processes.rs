//! Several processes on one site directory (PHP-FPM runs many workers), and a writer process
//! killed at many points. The test binary re-runs itself as the child processes (the
//! `child_process` test does the work when `GLPI_SITE_CHILD` is set, and nothing otherwise).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use glpi_key::*;

const WORKERS: u64 = 4;
const ROUNDS: u64 = 12;
const BASE: u64 = 1_800_000_000;
const CHILD_ENV: &str = "GLPI_SITE_CHILD";

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[0x5E; 32])
}

fn policy() -> SitePolicy {
    // A wide tolerance: workers check at interleaved times, in any order.
    SitePolicy {
        grace_secs: 0,
        clock_tolerance_secs: 1_000_000,
    }
}

fn list(sequence: u64) -> Vec<u8> {
    let serials = [Serial::new(900_000 + sequence).unwrap()];
    let new = NewRevocationList {
        sequence,
        issued_at: UnixTime::from_secs(BASE),
        next_update: None,
        serials: &serials,
    };
    let mut buf = vec![0u8; max_revocation_list_len(1)];
    issuer()
        .issue_revocation_list(&new, &mut buf)
        .unwrap()
        .to_file_bytes()
}

/// Worker `w`'s key of round `r`: renews serial `1 + w * ROUNDS + r`.
fn renewal(w: u64, r: u64) -> UnverifiedKey {
    let old = 1 + w * ROUNDS + r;
    let mut c = Claims::new(
        Serial::new(10_000 + old).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        UnixTime::from_secs(BASE / 60 * 60),
    );
    c.supersedes = Serial::new(old);
    issuer().issue(&c).unwrap()
}

fn check(now: u64) -> SiteCheck {
    SiteCheck::new(
        UnixTime::from_secs(now),
        KeyKind::InstanceRegistration,
        InstanceCheck::Unknown,
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("glpi-site-proc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spawn(role: &str, dir: &Path, worker: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{role}:{worker}:{}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The child processes' work; does nothing in a normal test run.
#[test]
fn child_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, ':');
    let role = parts.next().unwrap().to_owned();
    let w: u64 = parts.next().unwrap().parse().unwrap();
    let dir = PathBuf::from(parts.next().unwrap());
    let site = Site::open(&dir).unwrap();
    match role.as_str() {
        "worker" => {
            let (mut new, mut refused, mut verified) = (0, 0, 0);
            for r in 0..ROUNDS {
                let n = r * WORKERS + w;
                match site.install_revocations(&list(n + 1), UnixTime::from_secs(BASE + n)) {
                    Ok(Installed::New(_)) => new += 1,
                    Err(e) if e.code() == "revocation-list-rollback" => refused += 1,
                    other => panic!("install: {other:?}"),
                }
                let key = renewal(w, r);
                site.verify(&key, &check(BASE + n)).unwrap();
                verified += 1;
            }
            println!("RESULT {new} {refused} {verified}");
        }
        "writer" => {
            // Installs and verifies until killed.
            for n in 1.. {
                site.install_revocations(&list(n), UnixTime::from_secs(BASE + n))
                    .unwrap();
                let key = renewal(0, n % ROUNDS);
                let _ = site.verify(&key, &check(BASE + n));
                println!("DONE {n}");
            }
        }
        other => panic!("unknown role {other}"),
    }
}

/// WORKERS processes install lists and verify renewals on one site at once: every renewal is
/// remembered, the highest list is the one installed, the clock mark is the latest time seen.
#[test]
fn several_processes_share_one_site_and_lose_nothing() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = temp_dir("share");
    let trust = TrustStore::with(issuer().trusted_key().unwrap());
    Site::create(&dir, &trust, policy()).unwrap();
    let children: Vec<_> = (0..WORKERS).map(|w| spawn("worker", &dir, w)).collect();
    let (mut new, mut refused, mut verified) = (0u64, 0u64, 0u64);
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        // The harness may print its own words before ours on the same line.
        let line = text
            .split("RESULT ")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_else(|| panic!("no result in {text:?}"));
        let v: Vec<u64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
        new += v[0];
        refused += v[1];
        verified += v[2];
    }
    let state = Site::open(&dir).unwrap().state().unwrap();
    let total = WORKERS * ROUNDS;
    assert_eq!(new + refused, total);
    assert_eq!(verified, total);
    assert!(new >= 1);
    // Nothing lost: every renewal is remembered, the newest list and the latest time won.
    assert_eq!(state.superseded().count() as u64, total);
    for w in 0..WORKERS {
        for r in 0..ROUNDS {
            let old = Serial::new(1 + w * ROUNDS + r).unwrap();
            assert_eq!(state.superseded_by(old), Serial::new(10_000 + old.value()));
        }
    }
    assert_eq!(state.installed_lists().next().unwrap().sequence, total);
    assert_eq!(
        state.clock_mark(),
        Some(UnixTime::from_secs(BASE + total - 1))
    );
    // Only the installed list's file is left.
    assert_eq!(std::fs::read_dir(dir.join("lists")).unwrap().count(), 1);
    println!(
        "{WORKERS} processes, {} operations ({total} installs: {new} new, {refused} refused as older; {verified} verifications), {} renewals remembered, nothing lost",
        2 * total,
        state.superseded().count()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A writer process killed (SIGKILL) at many points: the site always opens, holds a list the
/// writer had installed or was installing, and that list's file is present.
#[test]
fn writer_killed_at_many_points_leaves_a_working_site() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let trust = TrustStore::with(issuer().trusted_key().unwrap());
    let (mut kills, mut mid_run) = (0, 0);
    for point in 0..24u64 {
        let dir = temp_dir(&format!("kill-{point}"));
        Site::create(&dir, &trust, policy()).unwrap();
        let mut child = spawn("writer", &dir, 0);
        // Let the writer run a varying while (the coverage varies; what is checked does not).
        std::thread::sleep(std::time::Duration::from_millis(40 + 15 * point));
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        kills += 1;
        let done = String::from_utf8_lossy(&out.stdout)
            .split("DONE ")
            .skip(1)
            .filter_map(|rest| rest.lines().next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let site = Site::open(&dir).unwrap();
        let state = site.state().unwrap();
        let seq = state.installed_lists().next().map_or(0, |l| l.sequence);
        // The list in force is the last one reported done, or the one after it (killed
        // between its commit and its report).
        assert!(
            seq == done || seq == done + 1,
            "point {point}: {seq} vs {done}"
        );
        if seq > 0 {
            mid_run += 1;
            // Its file is there: a key it revokes is refused as revoked, not as missing.
            let mut c = Claims::new(
                Serial::new(900_000 + seq).unwrap(),
                KeyKind::InstanceRegistration,
                Tier::Basic,
                "ACME Corp",
                UnixTime::from_secs(BASE / 60 * 60),
            );
            c.expires_at = None;
            let revoked = issuer().issue(&c).unwrap();
            let e = site.verify(&revoked, &check(BASE + seq + 10)).unwrap_err();
            assert_eq!(e.code(), "revoked", "point {point}");
            // And the writer's work goes on where it stopped.
            site.install_revocations(&list(seq + 1), UnixTime::from_secs(BASE + seq + 10))
                .unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(mid_run > kills / 2, "{mid_run} of {kills}");
    println!("{kills} kills, {mid_run} after the writer had installed lists; every site opened with old or new state");
}
