//! The `--help` texts, compared with committed snapshots so that interface changes show up in
//! review. After an intended change, rewrite them with:
//! `UPDATE_SNAPSHOTS=1 cargo test -p glpi-key-cli --test help`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_glpi-key");

fn help(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("help-{name}.txt"))
}

/// Compares `actual` with the snapshot, or rewrites it under `UPDATE_SNAPSHOTS=1`.
/// Returns a description of the mismatch, if any.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = snapshot_path(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs.\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(e) => Some(format!("{} cannot be read: {e}", path.display())),
    }
}

/// The subcommand names listed in the top-level help.
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_texts_match_their_snapshots() {
    let top = help(&[]);
    let commands = subcommands(&top);
    assert!(commands.len() >= 6, "{commands:?}");
    let mut problems: Vec<String> = check("glpi-key", &top).into_iter().collect();
    for c in &commands {
        problems.extend(check(c, &help(&[c])));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nIf the change is intended: UPDATE_SNAPSHOTS=1 cargo test -p glpi-key-cli --test help",
        problems.join("\n\n")
    );
}
