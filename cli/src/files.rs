//! Files the CLI writes and the signing key it reads, handled so that nobody sharing the
//! machine can redirect them: new files are created exclusively (`O_EXCL`: never through a
//! symbolic link, dangling or not) next to their target, synced, then linked or renamed into
//! place (a crash leaves the old file or the new one); the signing key is opened once without
//! following a link, and the open file's type, mode and owner and its directory are checked.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::failure::Failure;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Whether anything (a file, a directory, a link even dangling) is at `path`.
pub fn taken(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` atomically with permission bits `mode`. With `replace`, an existing
/// file (or link: the link itself, never its target) is replaced; without, anything already at
/// `path` is an error, checked atomically (the new file is hard-linked into place).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> Result<(), Failure> {
    let shown = path.display();
    if !replace && taken(path) {
        return Err(Failure::usage(format!(
            "{shown} already exists (or is a symbolic link); refusing to overwrite it"
        ))
        .hint("choose another file name, or pass --force to replace it"));
    }
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut file) = create_temp(&dir, &name, mode)
        .map_err(|e| Failure::usage(format!("cannot create a file in {}: {e}", dir.display())))?;
    let result = (|| -> io::Result<()> {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        if replace {
            fs::rename(&tmp, path)?;
        } else {
            fs::hard_link(&tmp, path)?;
            fs::remove_file(&tmp)?;
        }
        File::open(&dir)?.sync_all()
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        if e.kind() == io::ErrorKind::AlreadyExists {
            Failure::usage(format!("{shown} already exists; refusing to overwrite it"))
                .hint("choose another file name, or pass --force to replace it")
        } else {
            Failure::usage(format!("cannot write {shown}: {e}"))
        }
    })
}

fn create_temp(dir: &Path, name: &str, mode: u32) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.tmp.{pid}.{n}"));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
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
