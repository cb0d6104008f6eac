//! Reading C arguments: the key text, an instance UUID with its flags, a GLPI version, a path. Each function
//! checks what can be checked (NULL, UTF-8, length) and says what it could not; the caller's
//! `# Safety` contract covers the rest.

use std::ffi::{c_char, CStr};

use glpi_key::{Error, GlpiVersion, InstanceCheck, InstanceId};

use crate::status::{Failure, GlpiStatus};
use crate::types::{GLPI_INSECURE_SKIP_INSTANCE_BINDING, GLPI_INSTANCE_ID_LEN, GLPI_MAX_INPUT_LEN};

/// The key text: `len` bytes of UTF-8 at `text` (required), at most `GLPI_MAX_INPUT_LEN`.
///
/// # Safety
/// `text`, when not NULL, must be readable for `len` bytes for the lifetime `'a`.
pub(crate) unsafe fn key_text<'a>(text: *const u8, len: usize) -> Result<&'a str, Failure> {
    if text.is_null() {
        return Err(Failure::null("text"));
    }
    if len > GLPI_MAX_INPUT_LEN {
        return Err(Error::TooLong {
            max: GLPI_MAX_INPUT_LEN,
        }
        .into());
    }
    // SAFETY: non-null; the caller guarantees `len` readable bytes, and
    // `len <= GLPI_MAX_INPUT_LEN` is far below `isize::MAX`.
    let bytes = unsafe { std::slice::from_raw_parts(text, len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            GlpiStatus::InvalidUtf8,
            format!(
                "the key text is not valid UTF-8 (bad byte at offset {}): pass the key as UTF-8 text",
                e.valid_up_to()
            ),
        )
    })
}

/// Bytes of any length (a revocation list): `bytes` is required, even when `len` is 0.
///
/// # Safety
/// `bytes`, when not NULL, must be readable for `len` bytes for the lifetime `'a`.
pub(crate) unsafe fn byte_slice<'a>(
    bytes: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if bytes.is_null() {
        return Err(Failure::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            GlpiStatus::InvalidArgument,
            format!("`{name}` is {len} bytes long: more than any buffer can be"),
        ));
    }
    // SAFETY: non-null; the caller guarantees `len` readable bytes, and `len <= isize::MAX`.
    Ok(unsafe { std::slice::from_raw_parts(bytes, len) })
}

/// An optional 16-byte instance UUID.
///
/// # Safety
/// `instance`, when not NULL, must be readable for 16 bytes.
pub(crate) unsafe fn instance(instance: *const u8) -> Option<InstanceId> {
    if instance.is_null() {
        return None;
    }
    // SAFETY: non-null; the caller guarantees 16 readable bytes (any alignment).
    let id = unsafe {
        instance
            .cast::<[u8; GLPI_INSTANCE_ID_LEN]>()
            .read_unaligned()
    };
    Some(InstanceId(id))
}

/// The instance check of `glpi_verify` and `glpi_site_verify`: this instance's optional
/// 16-byte UUID and the `flags` (0 or `GLPI_INSECURE_SKIP_INSTANCE_BINDING`). Unknown flag bits,
/// or the flag together with an instance id, are refused as invalid arguments. The rule itself
/// is the core's (`InstanceCheck::binding_unchecked`).
///
/// # Safety
/// `instance`, when not NULL, must be readable for 16 bytes.
pub(crate) unsafe fn instance_check(
    instance: *const u8,
    flags: u32,
) -> Result<InstanceCheck, Failure> {
    if flags & !GLPI_INSECURE_SKIP_INSTANCE_BINDING != 0 {
        return Err(Failure::new(
            GlpiStatus::InvalidArgument,
            format!(
                "flags {flags:#x} hold unknown bits: pass 0 or GLPI_INSECURE_SKIP_INSTANCE_BINDING ({GLPI_INSECURE_SKIP_INSTANCE_BINDING})"
            ),
        ));
    }
    let skip = flags & GLPI_INSECURE_SKIP_INSTANCE_BINDING != 0;
    // SAFETY: the caller guarantees `instance` (when not NULL) readable for 16 bytes.
    match (unsafe { self::instance(instance) }, skip) {
        (Some(id), false) => Ok(InstanceCheck::This(id)),
        (None, false) => Ok(InstanceCheck::Unknown),
        (None, true) => Ok(InstanceCheck::InsecureSkipBinding),
        (Some(_), true) => Err(Failure::new(
            GlpiStatus::InvalidArgument,
            "an instance id and GLPI_INSECURE_SKIP_INSTANCE_BINDING were both given: pass the instance id alone (the binding is then checked)",
        )),
    }
}

/// An optional GLPI version, `"MAJOR.MINOR"` or `"MAJOR.MINOR.PATCH"`, NUL-terminated.
///
/// # Safety
/// `version`, when not NULL, must point to a NUL-terminated string.
pub(crate) unsafe fn glpi_version(version: *const c_char) -> Result<Option<GlpiVersion>, Failure> {
    if version.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null; the caller guarantees a NUL-terminated string.
    let v = unsafe { CStr::from_ptr(version) };
    let v = v.to_str().map_err(|_| {
        Failure::new(
            GlpiStatus::InvalidUtf8,
            "the GLPI version is not valid UTF-8: pass it as \"MAJOR.MINOR\", for example \"10.0\"",
        )
    })?;
    GlpiVersion::parse(v).map(Some).ok_or_else(|| {
        Failure::new(
            GlpiStatus::InvalidArgument,
            format!("the GLPI version {v:?} is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH (for example \"10.0\")"),
        )
    })
}

/// A required directory path, NUL-terminated UTF-8, not empty.
///
/// # Safety
/// `dir`, when not NULL, must point to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn directory<'a>(dir: *const c_char) -> Result<&'a str, Failure> {
    if dir.is_null() {
        return Err(Failure::null("dir"));
    }
    // SAFETY: non-null; the caller guarantees a NUL-terminated string.
    let d = unsafe { CStr::from_ptr(dir) };
    let d = d.to_str().map_err(|e| {
        Failure::new(
            GlpiStatus::InvalidUtf8,
            format!(
                "the site directory path is not valid UTF-8 (bad byte at offset {}): use a directory whose path is UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    if d.is_empty() {
        return Err(Failure::new(
            GlpiStatus::InvalidArgument,
            "the site directory path is empty: pass the directory that holds (or will hold) the site, for example \"/var/lib/glpi/key-site\"",
        ));
    }
    Ok(d)
}
