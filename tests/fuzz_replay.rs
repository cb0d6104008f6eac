//! Replays every committed fuzz corpus file and every past crash input through the same
//! property checks as the fuzz targets (`fuzz/src/checks.rs`), on stable, with `cargo test`.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_fuzz_target_has_checks_and_a_corpus() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| !matches!(*n, "glpi-key-fuzz" | "glpi_key_fuzz"))
        .collect();
    bins.sort_unstable();
    let mut known: Vec<&str> = checks::TARGETS.to_vec();
    known.sort_unstable();
    assert_eq!(
        bins, known,
        "fuzz/Cargo.toml targets and checks::TARGETS differ"
    );
    for target in checks::TARGETS {
        assert!(fuzz_dir()
            .join(format!("fuzz_targets/{target}.rs"))
            .is_file());
        assert!(
            !files_in(&fuzz_dir().join("corpus").join(target)).is_empty(),
            "no committed corpus for {target}"
        );
    }
    assert!(!checks::run("no-such-target", b""));
}

#[test]
fn committed_corpus_and_regressions_replay_cleanly() {
    let mut total = 0usize;
    for target in checks::TARGETS {
        let mut n = 0usize;
        for sub in ["corpus", "regressions"] {
            for file in files_in(&fuzz_dir().join(sub).join(target)) {
                let data = std::fs::read(&file).unwrap();
                println!("{}", file.display());
                assert!(checks::run(target, &data));
                n += 1;
            }
        }
        println!("{target}: {n} inputs replayed");
        total += n;
    }
    assert!(total > 0);
}
