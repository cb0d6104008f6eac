//! Where a clock file's temporary file is made: in the clock file's own directory, `.` for a
//! bare file name. A test binary of its own, since it changes the process's current directory.

#![cfg(unix)]

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use glpi_key::{ClockFile, UnixTime};

fn fresh_dir(base: &Path, name: &str) -> std::path::PathBuf {
    let dir = base.join(format!("glpi-clock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect()
}

/// One test (the current directory is the process's): a bare name, then a path elsewhere.
#[test]
fn the_temporary_file_is_made_beside_the_clock_file() {
    let mark = UnixTime::from_secs(1_800_000_000);

    // A bare file name lives in the current directory.
    let here = fresh_dir(&std::env::temp_dir(), "rel");
    std::env::set_current_dir(&here).unwrap();
    let file = ClockFile::new("clock");
    file.store(mark).unwrap();
    assert_eq!(file.load().unwrap(), Some(mark));
    assert_eq!(names(&here), ["clock"], "the temporary file was renamed");

    // A path in another directory: the temporary file is made there, not in the current
    // directory. With the current directory on another file system (tmpfs /dev/shm, where
    // there is one), a temporary file made in the wrong place cannot even be renamed.
    let shm = Path::new("/dev/shm");
    let elsewhere = fresh_dir(&std::env::temp_dir(), "abs");
    let cwd =
        if shm.is_dir() && shm.metadata().unwrap().dev() != elsewhere.metadata().unwrap().dev() {
            fresh_dir(shm, "cwd")
        } else {
            fresh_dir(&std::env::temp_dir(), "cwd")
        };
    std::env::set_current_dir(&cwd).unwrap();
    let file = ClockFile::new(elsewhere.join("clock"));
    file.store(mark).unwrap();
    assert_eq!(file.load().unwrap(), Some(mark));
    assert_eq!(names(&elsewhere), ["clock"]);
    assert!(
        names(&cwd).is_empty(),
        "nothing is written to the current directory"
    );

    std::env::set_current_dir(std::env::temp_dir()).unwrap();
    for d in [here, elsewhere, cwd] {
        std::fs::remove_dir_all(d).unwrap();
    }
}
