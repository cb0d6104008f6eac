//! The temporary file of an atomic replacement (with `std`), shared by the clock file and the
//! site directory: each writes its new content to a fresh file next to the target, flushes
//! it and renames it over the target, so that a crash leaves the old file or the new one.
//!
//! One function for both, so that both get the same guarantees: the file is new (never an
//! existing file truncated, never a symbolic link followed), readable by its owner only, and
//! a name left behind by a crashed writer is stepped over rather than reused or fatal.

use std::format;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many temporary names are tried before giving up (a name left by a crashed process
/// with the same pid is skipped, never reused).
const TEMP_ATTEMPTS: usize = 64;

/// Numbers this process's temporary names; with the pid, a name no live writer uses.
pub(crate) static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Creates `.<name>.tmp.<pid>.<n>` in `dir`: exclusively (`O_CREAT | O_EXCL`, so an existing
/// file or link of that name is neither opened nor truncated), with `O_NOFOLLOW` and
/// `O_CLOEXEC`, mode 0600 on Unix; elsewhere with `create_new`. A name that is already taken
/// (a container restarted with the same pid finds its predecessor's leftovers) is skipped,
/// up to 64 names; any other error is returned at once.
pub(crate) fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for _ in 0..TEMP_ATTEMPTS {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.tmp.{pid}.{n}"));
        match open_new(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Opens a new file for writing, refusing an existing name (see [`create_temp`]).
fn open_new(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        open_flags(path, OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL, 0o600)
    }
    #[cfg(not(unix))]
    {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }
}

/// Opens `path` with `flags` plus `O_NOFOLLOW | O_CLOEXEC` (a symbolic link is refused, and
/// the file is closed in any program the process starts); `mode` applies when it is created.
#[cfg(unix)]
pub(crate) fn open_flags(path: &Path, flags: rustix::fs::OFlags, mode: u32) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(mode),
    )?;
    Ok(File::from(fd))
}

/// For the tests of each writer: plants the next `count` temporary names this process would
/// try for `name` in `dir`, as a crashed predecessor with the same pid would have left them.
/// Other tests may take numbers meanwhile; they write in other directories.
#[cfg(test)]
pub(crate) fn plant_stale(dir: &Path, name: &str, count: usize) -> std::vec::Vec<PathBuf> {
    let pid = std::process::id();
    let next = TEMP_COUNTER.load(Ordering::Relaxed);
    (next..next + count)
        .map(|n| {
            let p = dir.join(format!(".{name}.tmp.{pid}.{n}"));
            std::fs::write(&p, STALE).unwrap();
            p
        })
        .collect()
}

/// For the tests: every planted file still holds what the crash left.
#[cfg(test)]
pub(crate) fn assert_untouched(stale: &[PathBuf]) {
    for p in stale {
        assert_eq!(std::fs::read(p).unwrap(), STALE, "{}", p.display());
    }
}

#[cfg(test)]
const STALE: &[u8] = b"left by a crash";

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("glpi-temp-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Every name taken: the writer gives up after 64 names with "already exists", having
    /// opened none of them.
    #[test]
    fn gives_up_when_every_name_is_taken() {
        let dir = temp("full");
        // Four times the attempts: other tests may take numbers meanwhile (in other
        // directories), so the names tried here may start a little further on.
        let stale = plant_stale(&dir, "state", 4 * TEMP_ATTEMPTS);
        let before = TEMP_COUNTER.load(Ordering::Relaxed);
        let e = create_temp(&dir, "state").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        // Other tests may take numbers meanwhile: at least 64 were tried here.
        assert!(TEMP_COUNTER.load(Ordering::Relaxed) >= before + TEMP_ATTEMPTS);
        assert_untouched(&stale);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), stale.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A link planted on a name is never followed: its target is not created or written. The
    /// new file is its owner's alone, and closed in any program the process starts.
    #[cfg(unix)]
    #[test]
    fn a_link_on_the_name_is_stepped_over_and_the_file_is_private() {
        let dir = temp("link");
        let pid = std::process::id();
        let next = TEMP_COUNTER.load(Ordering::Relaxed);
        let target = dir.join("elsewhere");
        let links: std::vec::Vec<PathBuf> = (next..next + 8)
            .map(|n| dir.join(format!(".clock.tmp.{pid}.{n}")))
            .collect();
        for l in &links {
            std::os::unix::fs::symlink(&target, l).unwrap();
        }
        let (path, file) = create_temp(&dir, "clock").unwrap();
        assert!(!links.contains(&path), "{}", path.display());
        assert!(!target.exists());
        // Not inherited by a program this process starts.
        let fd = rustix::io::fcntl_getfd(&file).unwrap();
        assert!(fd.contains(rustix::io::FdFlags::CLOEXEC), "{fd:?}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Another error (here a missing directory) is returned as it is.
    #[test]
    fn other_errors_are_returned_as_they_are() {
        let dir = temp("missing").join("not-there");
        let e = create_temp(&dir, "state").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
