//! Writing a file so that it is either absent (or its old self) or complete, never
//! half-written, and never through a symbolic link.
//!
//! Shared by the ledger (published lists and manifests) and the CLI (`keygen`'s `.pub` file,
//! `revoke --out`, `public-key --out`). Each write: exclusive create of a temporary file in the
//! same directory (`O_EXCL | O_NOFOLLOW`, mode 0600 or as asked), write, fsync, rename to the
//! final name, fsync of the directory. A crash leaves at most a `.NAME.tmp-PID-N` file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// `O_NOFOLLOW`: the open fails on a symbolic link (Linux value; the BSDs' elsewhere).
pub const O_NOFOLLOW: i32 = if cfg!(any(target_os = "linux", target_os = "android")) {
    0o400000
} else {
    0x0100
};

/// What to do when the final name exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (`AlreadyExists`): a published list is never overwritten.
    Refuse,
    /// Replace it (a regular file only: a link or a directory there is refused).
    Replace,
}

/// Writes `bytes` to `dir/name`, which must not exist yet, with `mode`.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8], mode: u32) -> io::Result<PathBuf> {
    if name.contains('/') || name.starts_with('.') || name.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not a plain file name"),
        ));
    }
    let path = dir.join(name);
    write_file(&path, bytes, mode, Existing::Refuse)?;
    Ok(path)
}

/// Writes `bytes` to `path` atomically with `mode` (subject to the umask of nothing: the mode
/// is set exactly). With [`Existing::Refuse`] an existing file (or link) at `path` is an
/// `AlreadyExists` error; with [`Existing::Replace`] a regular file is replaced, a link or
/// anything else is refused.
pub fn write_file(path: &Path, bytes: &[u8], mode: u32, existing: Existing) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    check_target(path, existing)?;
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(O_NOFOLLOW)
        .open(&tmp)?;
    let written = (|| {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        match existing {
            // link() fails if the name exists: no window in which another file could be
            // replaced.
            Existing::Refuse => {
                fs::hard_link(&tmp, path)?;
                fs::remove_file(&tmp)?;
            }
            Existing::Replace => {
                check_target(path, existing)?;
                fs::rename(&tmp, path)?;
            }
        }
        File::open(dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

fn check_target(path: &Path, existing: Existing) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is a symbolic link; refusing to write through it",
                path.display()
            ),
        )),
        Ok(m) if existing == Existing::Replace && m.is_file() => Ok(()),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_a_private_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_new(dir.path(), "a.bin", b"hello", 0o600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let e = write_new(dir.path(), "a.bin", b"other", 0o600).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn replace_swaps_a_regular_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.pub");
        write_file(&p, b"one", 0o644, Existing::Replace).unwrap();
        write_file(&p, b"two", 0o644, Existing::Replace).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        fs::create_dir(dir.path().join("d")).unwrap();
        assert!(write_file(&dir.path().join("d"), b"x", 0o644, Existing::Replace).is_err());
    }

    #[test]
    fn a_link_in_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        // A dangling link: following it would create `elsewhere`.
        std::os::unix::fs::symlink(&target, dir.path().join("a.bin")).unwrap();
        assert!(write_new(dir.path(), "a.bin", b"x", 0o600).is_err());
        for existing in [Existing::Refuse, Existing::Replace] {
            assert!(write_file(&dir.path().join("a.bin"), b"x", 0o644, existing).is_err());
        }
        assert!(!target.exists());
        assert!(write_new(dir.path(), "../x", b"x", 0o600).is_err());
        assert!(write_new(dir.path(), ".hidden", b"x", 0o600).is_err());
    }
}
