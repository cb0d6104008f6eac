//! Files the CLI writes and the signing key it reads, handled so that nobody sharing the
//! machine can redirect them: new files are created exclusively (`O_EXCL`: never through a
//! symbolic link, dangling or not) next to their target, synced, then linked or renamed into
//! place (a crash leaves the old file or the new one); the signing key is opened once without
//! following a link, and the open file's type, mode and owner and its directory are checked.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use glpi_key_issuer::atomic::{self, Existing};

use crate::failure::Failure;

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` atomically with permission bits `mode`, through the one atomic
/// writer of the workspace (`glpi_key_issuer::atomic`: exclusive no-follow temporary file,
/// fsync, link or rename, fsync of the directory). With `replace`, an existing regular file is
/// replaced; without, anything already at `path` is an error, checked atomically. A symbolic
/// link is never written through nor replaced.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> Result<(), Failure> {
    let existing = if replace {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    atomic::write_file(path, bytes, mode, existing).map_err(|e| {
        let shown = path.display();
        if e.kind() == io::ErrorKind::AlreadyExists {
            Failure::usage(format!(
                "{shown} already exists (or is a symbolic link); refusing to overwrite it"
            ))
            .hint("choose another file name, or pass --force to replace a regular file")
        } else {
            Failure::usage(format!("cannot write {shown}: {e}"))
        }
    })
}

/// Reads a file that must stay private (the issuer signing key), at most `limit` bytes: opened
/// once without following a symbolic link; the open file must be a regular file, owned by this
/// user and readable by nobody else, in a directory that only its owner (this user or root)
/// can change (or a sticky one, like /tmp, where others cannot replace the file).
pub fn read_private(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    let file = open_no_follow(path).map_err(|e| {
        Failure::usage(format!("cannot read signing key file {shown}: {e}"))
            .hint("give the signing key file itself, not a symbolic link to it")
    })?;
    let meta = file
        .metadata()
        .map_err(|e| Failure::usage(format!("cannot read signing key file {shown}: {e}")))?;
    if !meta.is_file() || meta.len() > limit {
        return Err(Failure::usage(format!("{shown} is not a signing key file")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Failure::usage(format!(
                "signing key file {shown} can be read by other users (mode {mode:04o}); refusing to use it"
            ))
            .hint(format!(
                "make it private with: chmod 600 {shown} (and consider the key exposed if others could read it)"
            )));
        }
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Err(Failure::usage(format!(
                "signing key file {shown} belongs to another user (uid {}); refusing to use it",
                meta.uid()
            ))
            .hint("keep the signing key in a file of your own (copy it with cp, then chmod 600)"));
        }
        let dir = parent(path);
        let dmeta = fs::metadata(&dir)
            .map_err(|e| Failure::usage(format!("cannot read directory {}: {e}", dir.display())))?;
        let sticky = dmeta.mode() & 0o1000 != 0;
        if (dmeta.uid() != me && dmeta.uid() != 0) || (dmeta.mode() & 0o022 != 0 && !sticky) {
            return Err(Failure::usage(format!(
                "the directory of signing key file {shown} ({}) can be changed by other users (owner uid {}, mode {:04o}): they could swap the key; refusing to use it",
                dir.display(),
                dmeta.uid(),
                dmeta.mode() & 0o7777
            ))
            .hint("keep the signing key in a directory of your own that others cannot write (chmod go-w)"));
        }
    }
    let mut bytes = Vec::new();
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("cannot read signing key file {shown}: {e}")))?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    File::open(path)
}
