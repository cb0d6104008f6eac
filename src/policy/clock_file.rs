//! The clock guard's high-water mark kept in a file (with `std`).
//!
//! The file holds one line, `glpi-key-clock v1 <seconds> <check>`, where `<check>` is the
//! first 8 bytes, in hex, of SHA-512 over the text before it. It is replaced atomically: the
//! new content goes to a temporary file in the same directory, which is flushed to disk
//! (`fsync`) and renamed over the old one; then the directory itself is flushed. A crash
//! leaves either the old or the new file, never a mix. A file that does not read back exactly
//! is reported as [`ClockFileError::Corrupted`], never silently reset: resetting would erase
//! the very memory the guard relies on.

use std::format;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::string::String;

use sha2::{Digest, Sha512};

use crate::error::Error;
use crate::model::time::UnixTime;
use crate::policy::clock::ClockGuard;
use crate::policy::temp_file::create_temp;

const MAGIC: &str = "glpi-key-clock v1";

/// Why the high-water-mark file could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClockFileError {
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        source: io::Error,
    },
    /// The file exists but does not hold a valid high-water mark.
    Corrupted {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The clock was set back (see [`ClockGuard::check`]).
    Clock(Error),
}

impl ClockFileError {
    /// The stable class name (`REVOCATION.md` 2.2 and 5): `clock-file-corrupted`, `io`, or
    /// the class of the clock error.
    pub fn code(&self) -> &'static str {
        match self {
            ClockFileError::Io { .. } => "io",
            ClockFileError::Corrupted { .. } => "clock-file-corrupted",
            ClockFileError::Clock(e) => e.code(),
        }
    }
}

impl core::fmt::Display for ClockFileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ClockFileError::Io { path, source } => write!(
                f,
                "cannot read or write the clock file {}: {source}; check that the directory exists and is writable",
                path.display()
            ),
            ClockFileError::Corrupted { path, reason } => write!(
                f,
                "the clock file {} is corrupted ({reason}): it was not reset, since that would let a set-back clock pass; restore it from a backup, or, if the clock is known to be right, remove it to start afresh",
                path.display()
            ),
            ClockFileError::Clock(e) => core::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ClockFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClockFileError::Io { source, .. } => Some(source),
            ClockFileError::Clock(e) => Some(e),
            ClockFileError::Corrupted { .. } => None,
        }
    }
}

/// The clock guard's high-water mark, persisted in a file.
///
/// ```
/// use glpi_key::{ClockFile, ClockGuard, UnixTime};
/// let dir = std::env::temp_dir().join(format!("glpi-clock-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = ClockFile::new(dir.join("clock"));
/// let guard = ClockGuard::new(600);
/// let mark = file.check(&guard, UnixTime::from_secs(2_000_000_000))?;
/// assert_eq!(file.load()?, Some(mark));
/// assert!(file.check(&guard, UnixTime::from_secs(1_000_000_000)).is_err());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFile {
    path: PathBuf,
}

impl ClockFile {
    /// The high-water mark kept at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ClockFile { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the high-water mark: `None` when the file does not exist (first run). A
    /// symbolic link is refused, not followed (on Unix), as is anything but a regular file.
    pub fn load(&self) -> Result<Option<UnixTime>, ClockFileError> {
        match read_no_follow(&self.path) {
            Ok(bytes) => self.parse(&bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(self.io(source)),
        }
    }

    /// Replaces the high-water mark atomically: a new temporary file in the same directory,
    /// created exclusively (`O_EXCL`: an existing file or symbolic link of that name is never
    /// followed or truncated; a taken name is skipped), mode 0600 on Unix, then written,
    /// flushed (`fsync`), renamed over the old file, and the directory flushed.
    pub fn store(&self, mark: UnixTime) -> Result<(), ClockFileError> {
        let line = encode(mark);
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let (tmp, mut f) = create_temp(&dir, &name).map_err(|e| self.io(e))?;
        let write = || -> io::Result<()> {
            f.write_all(line.as_bytes())?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &self.path)?;
            // Flush the rename itself. On Unix a failure is an error, as for the site's
            // state (an unflushed rename can be lost in a crash); not every other platform
            // can open a directory.
            #[cfg(unix)]
            fs::File::open(&dir)?.sync_all()?;
            #[cfg(not(unix))]
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|source| {
            let _ = fs::remove_file(&tmp);
            self.io(source)
        })
    }

    /// Loads the mark, checks `now` with `guard`, and stores the new mark when it moved
    /// forward. Returns the new mark: verify keys at it.
    pub fn check(&self, guard: &ClockGuard, now: UnixTime) -> Result<UnixTime, ClockFileError> {
        let last = self.load()?;
        let mark = guard.check(last, now).map_err(ClockFileError::Clock)?;
        if last != Some(mark) {
            self.store(mark)?;
        }
        Ok(mark)
    }

    fn io(&self, source: io::Error) -> ClockFileError {
        ClockFileError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<UnixTime, ClockFileError> {
        let corrupted = |reason| ClockFileError::Corrupted {
            path: self.path.clone(),
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| corrupted("it is not text"))?;
        let line = text
            .strip_suffix('\n')
            .ok_or(corrupted("it is empty or cut short"))?;
        let (signed, check) = line
            .rsplit_once(' ')
            .ok_or(corrupted("it has no check value"))?;
        if check != check_of(signed) {
            return Err(corrupted("its check value does not match its content"));
        }
        let secs = signed
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or(corrupted("it does not start with the clock file header"))?;
        if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
            return Err(corrupted("the time is not a number"));
        }
        let secs: u64 = secs
            .parse()
            .map_err(|_| corrupted("the time is too large"))?;
        if encode(UnixTime::from_secs(secs)) != text {
            return Err(corrupted("it is not in canonical form"));
        }
        Ok(UnixTime::from_secs(secs))
    }
}

/// Reads a regular file; on Unix a symbolic link is refused (`O_NOFOLLOW`), not followed.
fn read_no_follow(path: &Path) -> io::Result<std::vec::Vec<u8>> {
    #[cfg(unix)]
    let file = {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        fs::File::from(rustix::fs::open(path, flags, Mode::empty())?)
    };
    #[cfg(not(unix))]
    let file = fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = std::vec::Vec::new();
    // The file holds one short line; read a little more than the longest to notice junk.
    io::Read::read_to_end(&mut io::Read::take(file, 256), &mut bytes)?;
    Ok(bytes)
}

fn check_of(signed: &str) -> String {
    let digest = Sha512::digest(signed.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn encode(mark: UnixTime) -> String {
    let signed = format!("{MAGIC} {}", mark.as_secs());
    let check = check_of(&signed);
    format!("{signed} {check}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::temp_file::{assert_untouched, plant_stale};
    use std::string::ToString;
    use std::vec;
    use std::vec::Vec;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("glpi-clock-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir.join("clock")
    }

    /// A crashed process leaves `.clock.tmp.<pid>.<n>` behind; after a container restart the
    /// next process can have the same pid and count from 0 again. Its store steps over the
    /// taken names (never opening or truncating them) instead of failing.
    #[test]
    fn stale_temporary_files_of_the_same_pid_are_stepped_over() {
        let file = ClockFile::new(temp("stale"));
        let dir = file.path().parent().unwrap().to_path_buf();
        let stale = plant_stale(&dir, "clock", 32);
        file.store(UnixTime::from_secs(1_800_000_000)).unwrap();
        assert_eq!(
            file.load().unwrap(),
            Some(UnixTime::from_secs(1_800_000_000))
        );
        assert_untouched(&stale);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), stale.len() + 1);
    }

    #[test]
    fn round_trip_and_first_run() {
        let file = ClockFile::new(temp("rt"));
        assert_eq!(file.load().unwrap(), None);
        file.store(UnixTime::from_secs(1_234_567)).unwrap();
        assert_eq!(file.load().unwrap(), Some(UnixTime::from_secs(1_234_567)));
        let text = fs::read_to_string(file.path()).unwrap();
        assert!(text.starts_with("glpi-key-clock v1 1234567 "), "{text}");
        // No temporary file is left behind.
        let dir = file.path().parent().unwrap();
        assert_eq!(fs::read_dir(dir).unwrap().count(), 1);
    }

    #[test]
    fn every_corruption_is_reported_not_reset() {
        let file = ClockFile::new(temp("corrupt"));
        file.store(UnixTime::from_secs(1_700_000_000)).unwrap();
        let good = fs::read(file.path()).unwrap();
        let mut variants: Vec<Vec<u8>> = vec![
            Vec::new(),
            good[..good.len() - 1].to_vec(),
            good[..10].to_vec(),
            b"glpi-key-clock v1 1700000000\n".to_vec(),
            vec![0xff, 0xfe, b'\n'],
        ];
        for i in 0..good.len() - 1 {
            let mut v = good.clone();
            v[i] ^= 0x01;
            variants.push(v);
        }
        for v in variants {
            fs::write(file.path(), &v).unwrap();
            assert!(
                matches!(file.load(), Err(ClockFileError::Corrupted { .. })),
                "{:?}",
                String::from_utf8_lossy(&v)
            );
            // The check refuses too, and leaves the file as it was.
            let guard = ClockGuard::new(0);
            assert!(file.check(&guard, UnixTime::from_secs(1)).is_err());
            assert_eq!(fs::read(file.path()).unwrap(), v);
        }
    }

    #[test]
    fn check_moves_forward_only_and_reports_rollback() {
        let file = ClockFile::new(temp("check"));
        let guard = ClockGuard::new(60);
        let t = UnixTime::from_secs;
        assert_eq!(file.check(&guard, t(10_000)).unwrap(), t(10_000));
        assert_eq!(file.check(&guard, t(9_940)).unwrap(), t(10_000));
        assert_eq!(file.load().unwrap(), Some(t(10_000)));
        assert!(matches!(
            file.check(&guard, t(9_939)),
            Err(ClockFileError::Clock(Error::ClockRolledBack { .. }))
        ));
        assert_eq!(file.check(&guard, t(20_000)).unwrap(), t(20_000));
        assert_eq!(file.load().unwrap(), Some(t(20_000)));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        use std::os::unix::fs::symlink;
        let path = temp("links");
        let dir = path.parent().unwrap().to_path_buf();
        let victim = dir.join("victim");
        fs::write(&victim, b"precious").unwrap();
        // The old predictable temporary name, planted as a link to another file: untouched.
        let old_tmp = dir.join(format!("clock.tmp{}", std::process::id()));
        symlink(&victim, &old_tmp).unwrap();
        let file = ClockFile::new(&path);
        file.store(UnixTime::from_secs(5)).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        // The mark file replaced by a link to a valid mark file: refused, not read through.
        fs::rename(&path, dir.join("real")).unwrap();
        symlink(dir.join("real"), &path).unwrap();
        assert!(matches!(file.load(), Err(ClockFileError::Io { .. })));
        // The file is created owner-only.
        fs::remove_file(&path).unwrap();
        file.store(UnixTime::from_secs(6)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o077, 0);
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let path = temp("io").with_file_name("no-such-dir").join("clock");
        let file = ClockFile::new(&path);
        let err = file.store(UnixTime::from_secs(1)).unwrap_err();
        assert!(matches!(err, ClockFileError::Io { .. }));
        assert_eq!(err.code(), "io");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot read or write the clock file {}: ",
                path.display()
            )) && text.ends_with("check that the directory exists and is writable"),
            "{text}"
        );
        // The operating system's error is the source, for callers that log the chain.
        let source = std::error::Error::source(&err).expect("an I/O error has a source");
        assert!(source.downcast_ref::<io::Error>().is_some());
    }

    #[test]
    fn each_corruption_gets_its_own_reason() {
        let file = ClockFile::new("/nowhere/clock");
        let reason = |bytes: &[u8]| match file.parse(bytes) {
            Err(ClockFileError::Corrupted { reason, .. }) => reason,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        };
        // With a matching check value, so that only the time itself is wrong.
        let signed = |time: &str| {
            let signed = std::format!("{MAGIC} {time}");
            let check = check_of(&signed);
            std::format!("{signed} {check}\n").into_bytes()
        };
        for time in ["", "+5", "5x", "-1", " 5", "1e9"] {
            assert_eq!(
                reason(&signed(time)),
                "the time is not a number",
                "{time:?}"
            );
        }
        assert_eq!(
            reason(&signed("99999999999999999999")),
            "the time is too large"
        );
        assert_eq!(reason(&signed("0005")), "it is not in canonical form");
        assert_eq!(reason(b"\xff\n"), "it is not text");
        assert_eq!(reason(b"glpi-key-clock v1 5"), "it is empty or cut short");
        assert_eq!(reason(b"nospace\n"), "it has no check value");
        let mut bad_check = signed("5");
        let at = bad_check.len() - 2;
        bad_check[at] ^= 1;
        assert_eq!(
            reason(&bad_check),
            "its check value does not match its content"
        );
        let check = check_of("other-header 5");
        assert_eq!(
            reason(std::format!("other-header 5 {check}\n").as_bytes()),
            "it does not start with the clock file header"
        );
        assert_eq!(file.parse(&signed("5")).unwrap(), UnixTime::from_secs(5));
    }

    #[test]
    fn each_error_says_what_to_do_and_chains_its_cause() {
        let path = PathBuf::from("/var/lib/glpi/clock");
        let corrupted = ClockFileError::Corrupted {
            path: path.clone(),
            reason: "bad check",
        };
        assert_eq!(corrupted.code(), "clock-file-corrupted");
        assert_eq!(
            corrupted.to_string(),
            "the clock file /var/lib/glpi/clock is corrupted (bad check): it was not reset, since \
             that would let a set-back clock pass; restore it from a backup, or, if the clock is \
             known to be right, remove it to start afresh"
        );
        assert!(std::error::Error::source(&corrupted).is_none());
        let rollback = ClockGuard::new(0)
            .check(Some(UnixTime::from_secs(100)), UnixTime::from_secs(50))
            .unwrap_err();
        let clock = ClockFileError::Clock(rollback);
        assert_eq!(clock.code(), rollback.code());
        assert_eq!(clock.to_string(), rollback.to_string());
        let source = std::error::Error::source(&clock).expect("the clock error is the source");
        assert_eq!(source.downcast_ref::<Error>(), Some(&rollback));
    }
}
