//! A file the site may not read or a directory it may not write is an I/O error that names the
//! path and carries the operating system's "permission denied": never mistaken for a missing
//! file (a missing state would read as "not a site", a missing list as "not installed").
//!
//! Permissions do not apply to root, and CI runs as root: then the test runs itself again as
//! the user `nobody` through util-linux's `setpriv`, from a copy of its executable that
//! `nobody` may run (cargo-mutants builds in a private temporary directory).

#![cfg(unix)]

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use glpi_key::*;

const CHILD: &str = "GLPI_KEY_PERMISSION_TEST_CHILD";
const NOBODY: &str = "65534";

fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[0x5E; 32])
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A fresh directory under `base` with the given mode.
fn fresh_dir(base: &Path, name: &str, mode: u32) -> PathBuf {
    let dir = base.join(format!("glpi-perm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new().mode(mode).create(&dir).unwrap();
    chmod(&dir, mode); // the umask may have taken bits away
    dir
}

/// The effective user owns the files it creates.
fn running_as_root() -> bool {
    let dir = fresh_dir(&std::env::temp_dir(), "whoami", 0o700);
    let uid = std::fs::metadata(&dir).unwrap().uid();
    std::fs::remove_dir_all(&dir).unwrap();
    uid == 0
}

fn permission_denied(e: SiteError, path: &Path) {
    match e {
        SiteError::Io { path: p, source } => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied);
        }
        other => panic!("expected an I/O error on {}: {other:?}", path.display()),
    }
}

#[test]
fn permission_errors_are_io_errors_never_missing_files() {
    if running_as_root() && std::env::var_os(CHILD).is_none() {
        return run_again_as_nobody("permission_errors_are_io_errors_never_missing_files");
    }
    let base = fresh_dir(&std::env::temp_dir(), "base", 0o700);

    // A site in a directory this user may not write: creating it is refused as such.
    let locked = fresh_dir(&base, "locked", 0o500);
    let trust = TrustStore::with(issuer().trusted_key().unwrap());
    let e = Site::create(&locked.join("site"), &trust, SitePolicy::default()).unwrap_err();
    permission_denied(e, &locked.join("site"));
    chmod(&locked, 0o700);

    // A working site with one list installed and a key it lists as revoked.
    let dir = base.join("site");
    let site = Site::create(&dir, &trust, SitePolicy::default()).unwrap();
    let serials = [Serial::new(9).unwrap()];
    let new = NewRevocationList {
        sequence: 1,
        issued_at: t(1_800_000_000),
        next_update: None,
        serials: &serials,
    };
    let mut buf = vec![0u8; max_revocation_list_len(1)];
    let list = issuer().issue_revocation_list(&new, &mut buf).unwrap();
    site.install_revocations(&list.to_file_bytes(), t(1_800_000_100))
        .unwrap();
    let claims = Claims::new(
        serials[0],
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        t(1_800_000_000 / 60 * 60),
    );
    let key = issuer().issue(&claims).unwrap();
    let check = SiteCheck::new(
        t(1_800_000_200),
        KeyKind::InstanceRegistration,
        InstanceCheck::Unknown,
    );
    assert_eq!(site.verify(&key, &check).unwrap_err().code(), "revoked");

    // The state file unreadable: an I/O error, not "not a site".
    let state = dir.join("state");
    chmod(&state, 0o000);
    permission_denied(Site::open(&dir).unwrap_err(), &state);
    permission_denied(site.verify(&key, &check).unwrap_err(), &state);
    chmod(&state, 0o600);

    // The installed list unreadable: an I/O error, not "installed-list-missing" (which
    // would refuse the key for the wrong reason and tell the operator to reinstall a list
    // that is there).
    let lists: Vec<PathBuf> = std::fs::read_dir(dir.join("lists"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(lists.len(), 1, "{lists:?}");
    chmod(&lists[0], 0o000);
    permission_denied(site.verify(&key, &check).unwrap_err(), &lists[0]);
    chmod(&lists[0], 0o600);
    assert_eq!(site.verify(&key, &check).unwrap_err().code(), "revoked");

    std::fs::remove_dir_all(&base).unwrap();
}

/// Runs one test of this executable again as `nobody`, and fails with its output if it fails.
fn run_again_as_nobody(test: &str) {
    // A directory and a copy of this executable that `nobody` may enter and run, and a
    // temporary directory it may write.
    let home = fresh_dir(&std::env::temp_dir(), "as-nobody", 0o755);
    let exe = home.join("site_permissions");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    chmod(&exe, 0o755);
    let tmp = home.join("tmp");
    std::fs::DirBuilder::new().create(&tmp).unwrap();
    chmod(&tmp, 0o777);
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
        ])
        .arg(&exe)
        .args(["--exact", test, "--test-threads=1"])
        .env(CHILD, "1")
        .env("TMPDIR", &tmp)
        .current_dir(&home)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "running as root, this test needs util-linux's `setpriv` to run again as \
                 `nobody` ({e}); install util-linux or run the tests as another user"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "as nobody:\n{text}");
    // It really ran (a filter that matched nothing would pass too).
    assert!(text.contains("1 passed"), "as nobody:\n{text}");
    std::fs::remove_dir_all(&home).unwrap();
}
