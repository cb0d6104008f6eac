//! Writing a file so that it is either absent or complete, never half-written.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `dir/name`, which must not exist yet: exclusive create of a temporary
/// file (`O_EXCL`, mode 0600, never through a link), write, fsync, rename to the final
/// name, fsync of the directory. A crash leaves at most a `.name.tmp-PID` file, never a
/// partial `name`. Refuses to replace an existing file (a published list is never
/// overwritten).
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    if name.contains('/') || name.starts_with('.') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not a plain file name"),
        ));
    }
    let final_path = dir.join(name);
    if fs::symlink_metadata(&final_path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", final_path.display()),
        ));
    }
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc_o_nofollow())
        .open(&tmp)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, &final_path))
        .and_then(|()| File::open(dir)?.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(final_path)
}

/// `O_NOFOLLOW` on Linux (and the BSDs' value elsewhere): the open fails on a link.
const fn libc_o_nofollow() -> i32 {
    if cfg!(any(target_os = "linux", target_os = "android")) {
        0o400000
    } else {
        0x0100
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_a_private_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_new(dir.path(), "a.bin", b"hello").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        let e = write_new(dir.path(), "a.bin", b"other").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_link_in_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join("a.bin")).unwrap();
        assert!(write_new(dir.path(), "a.bin", b"x").is_err());
        assert!(!target.exists());
        // A link planted at the temporary name is not followed either.
        std::os::unix::fs::symlink(
            &target,
            dir.path().join(format!(".b.bin.tmp-{}", std::process::id())),
        )
        .unwrap();
        assert!(write_new(dir.path(), "b.bin", b"x").is_err());
        assert!(!target.exists());
        assert!(write_new(dir.path(), "../x", b"x").is_err());
    }
}
