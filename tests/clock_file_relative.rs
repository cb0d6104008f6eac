//! A clock file named without a directory lives in the current directory: its temporary file
//! and the directory flush must use `.`, not an empty path. A test binary of its own, since it
//! changes the process's current directory.

use glpi_key::{ClockFile, UnixTime};

#[test]
fn a_bare_file_name_is_stored_in_the_current_directory() {
    let dir = std::env::temp_dir().join(format!("glpi-clock-rel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let file = ClockFile::new("clock");
    file.store(UnixTime::from_secs(1_800_000_000)).unwrap();
    assert_eq!(
        file.load().unwrap(),
        Some(UnixTime::from_secs(1_800_000_000))
    );
    // Only the clock file is left: the temporary file was renamed over it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["clock"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
