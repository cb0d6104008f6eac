//! The offline site: `glpi_site_create`, `glpi_site_open`, `glpi_site_install_revocations`,
//! `glpi_site_verify`, `glpi_site_status`, `glpi_site_distrust` and `glpi_site_free`, over the
//! core's `glpi_key::Site` (a directory with a lock and atomic writes; `spec/SITE.md`). Nothing
//! of the policy lives here: every decision is the core's.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use glpi_key::{
    Error, Installed, InstalledList, KeyId, Site, SiteCheck, SitePolicy, SiteState, SiteWarnings,
    TrustError, TrustStore, TrustedKey, UnixTime, UnverifiedKey, LIST_DIGEST_LEN, MAX_SUPERSEDED,
};

use crate::args;
use crate::boundary::finish;
use crate::status::{Failure, GlpiStatus};
use crate::types::{
    license_record, GlpiError, GlpiKind, GlpiLicense, GLPI_MAX_TRUSTED_KEYS, GLPI_PUBLIC_KEY_LEN,
};

/// The most renewals (superseded serials) a site records.
pub const GLPI_MAX_SUPERSEDED: usize = 64;

/// Bytes in an issuer key id.
pub const GLPI_KEY_ID_LEN: usize = 4;

/// Bytes in the digest of an installed revocation list.
pub const GLPI_LIST_DIGEST_LEN: usize = 32;

const _: () = {
    assert!(GLPI_MAX_SUPERSEDED == MAX_SUPERSEDED);
    assert!(GLPI_LIST_DIGEST_LEN == LIST_DIGEST_LEN);
    assert!(GLPI_KEY_ID_LEN == KeyId::LEN);
};

/// A site: the trusted issuer keys, the installed revocation lists (one per issuer key), the
/// clock's high-water mark and the superseded serials, kept in a directory. Opaque; made by
/// `glpi_site_create` or `glpi_site_open`, released by `glpi_site_free`.
///
/// Thread safety: the handle holds only the directory's path. Every call takes an exclusive
/// `flock` on `DIR/lock` through a file it opens itself, reads the state, acts, and writes the
/// state back atomically; the lock serialises threads of one process exactly as it serialises
/// processes. Any number of threads (and processes) may therefore use one site at once, through
/// one handle or several; a handle must not be freed while another thread uses it.
pub struct GlpiSite {
    site: Site,
}

// The handle is shared between threads: it must stay `Send + Sync`.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<GlpiSite>();
};

/// A trusted issuer key with its windows (`spec/SITE.md` section 2). Times are Unix seconds;
/// a bound is meaningful only when its `has_` flag is true (otherwise it is open).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiTrustedKey {
    /// The Ed25519 public key.
    pub public_key: [u8; GLPI_PUBLIC_KEY_LEN],
    /// Start of the signing window (inclusive): keys and lists issued before it are refused.
    pub valid_from: u64,
    /// Whether `valid_from` is set.
    pub has_valid_from: bool,
    /// End of the signing window (exclusive).
    pub valid_until: u64,
    /// Whether `valid_until` is set.
    pub has_valid_until: bool,
    /// From this time of the site's clock on, nothing signed by the key is honoured.
    pub distrusted_from: u64,
    /// Whether `distrusted_from` is set.
    pub has_distrusted_from: bool,
}

/// What the site keeps of the revocation list installed from one issuer key.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiInstalledList {
    /// The id of the issuer key that signed the list (sequences count per issuer key).
    pub issuer_key_id: [u8; GLPI_KEY_ID_LEN],
    /// The list's sequence number.
    pub sequence: u64,
    /// When the list was issued (Unix seconds).
    pub issued_at: u64,
    /// When the next list is announced, when `has_next_update`.
    pub next_update: u64,
    /// Whether the list announces its next update.
    pub has_next_update: bool,
    /// How many serials the list revokes.
    pub serials: u32,
    /// The first 32 bytes of SHA-512 over the list's body.
    pub digest: [u8; GLPI_LIST_DIGEST_LEN],
}

/// The outcome of `glpi_site_install_revocations`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiInstallInfo {
    /// True: the list is now installed (it replaced its issuer key's older list, if any).
    /// False: this very list was already installed, nothing changed.
    pub is_new: bool,
    /// The installed list.
    pub list: GlpiInstalledList,
}

/// Warnings that come with an accepted key (`glpi_site_verify`). Each is a plain field; the
/// key is valid in every case, but the host should tell the administrator.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiSiteWarnings {
    /// The key has expired and is accepted only for the grace period, until `in_grace_until`
    /// (Unix seconds): renew it.
    pub in_grace: bool,
    /// End of the grace period, when `in_grace`.
    pub in_grace_until: u64,
    /// An installed list announced a next update that has passed (`list_update_due_at`): get
    /// and install a newer revocation list.
    pub list_update_due: bool,
    /// The earliest passed announced update, when `list_update_due`.
    pub list_update_due_at: u64,
    /// No revocation list is installed (from an issuer key honoured now).
    pub no_revocation_list: bool,
    /// The key is bound to an instance that was NOT checked
    /// (`GLPI_INSECURE_SKIP_INSTANCE_BINDING`; also `GlpiLicense.instance_not_checked`).
    pub instance_not_checked: bool,
    /// The site's time the key was checked at: its clock mark (Unix seconds).
    pub checked_at: u64,
}

/// A renewal the site remembers: `serial` stays refused (`GLPI_STATUS_SUPERSEDED`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiSupersession {
    /// The superseded key's serial.
    pub serial: u64,
    /// The serial of the key that renewed it.
    pub by: u64,
}

/// The state of a site (`glpi_site_status`). Plain data, about 3 KiB; only the first
/// `trusted_key_count`, `list_count` and `superseded_count` entries of the arrays are
/// meaningful.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiSiteStatus {
    /// How long an expired key stays accepted, with a warning (seconds).
    pub grace_secs: u64,
    /// How far the clock may go back before it is refused (seconds).
    pub clock_tolerance_secs: u64,
    /// The clock's high-water mark (Unix seconds), when `has_clock_mark`.
    pub clock_mark: u64,
    /// Whether the site has seen a time yet.
    pub has_clock_mark: bool,
    /// Number of trusted issuer keys.
    pub trusted_key_count: usize,
    /// The trusted issuer keys and their windows.
    pub trusted_keys: [GlpiTrustedKey; GLPI_MAX_TRUSTED_KEYS],
    /// The key id of each trusted key (same order).
    pub trusted_key_ids: [[u8; GLPI_KEY_ID_LEN]; GLPI_MAX_TRUSTED_KEYS],
    /// Number of installed lists (at most one per trusted key).
    pub list_count: usize,
    /// The installed lists.
    pub lists: [GlpiInstalledList; GLPI_MAX_TRUSTED_KEYS],
    /// Number of superseded serials.
    pub superseded_count: usize,
    /// The superseded serials, in increasing order.
    pub superseded: [GlpiSupersession; GLPI_MAX_SUPERSEDED],
}

fn time(t: Option<UnixTime>) -> (u64, bool) {
    t.map_or((0, false), |t| (t.as_secs(), true))
}

fn installed_record(l: &InstalledList) -> GlpiInstalledList {
    let (next_update, has_next_update) = time(l.next_update);
    GlpiInstalledList {
        issuer_key_id: l.key_id.0,
        sequence: l.sequence,
        issued_at: l.issued_at.as_secs(),
        next_update,
        has_next_update,
        serials: l.serials,
        digest: l.digest,
    }
}

fn warnings_record(w: &SiteWarnings, checked_at: UnixTime) -> GlpiSiteWarnings {
    let (in_grace_until, in_grace) = time(w.in_grace_until);
    let (list_update_due_at, list_update_due) = time(w.list_update_due);
    GlpiSiteWarnings {
        in_grace,
        in_grace_until,
        list_update_due,
        list_update_due_at,
        no_revocation_list: w.no_revocation_list,
        instance_not_checked: w.instance_not_checked,
        checked_at: checked_at.as_secs(),
    }
}

fn trusted_key_record(k: &TrustedKey) -> GlpiTrustedKey {
    let (valid_from, has_valid_from) = time(k.valid_from());
    let (valid_until, has_valid_until) = time(k.valid_until());
    let (distrusted_from, has_distrusted_from) = time(k.distrusted_from());
    GlpiTrustedKey {
        public_key: k.public_key_bytes(),
        valid_from,
        has_valid_from,
        valid_until,
        has_valid_until,
        distrusted_from,
        has_distrusted_from,
    }
}

fn status_record(state: &SiteState) -> GlpiSiteStatus {
    const NO_KEY: GlpiTrustedKey = GlpiTrustedKey {
        public_key: [0; GLPI_PUBLIC_KEY_LEN],
        valid_from: 0,
        has_valid_from: false,
        valid_until: 0,
        has_valid_until: false,
        distrusted_from: 0,
        has_distrusted_from: false,
    };
    const NO_LIST: GlpiInstalledList = GlpiInstalledList {
        issuer_key_id: [0; GLPI_KEY_ID_LEN],
        sequence: 0,
        issued_at: 0,
        next_update: 0,
        has_next_update: false,
        serials: 0,
        digest: [0; GLPI_LIST_DIGEST_LEN],
    };
    let policy = state.policy();
    let (clock_mark, has_clock_mark) = time(state.clock_mark());
    let mut record = GlpiSiteStatus {
        grace_secs: policy.grace_secs,
        clock_tolerance_secs: policy.clock_tolerance_secs,
        clock_mark,
        has_clock_mark,
        trusted_key_count: 0,
        trusted_keys: [NO_KEY; GLPI_MAX_TRUSTED_KEYS],
        trusted_key_ids: [[0; GLPI_KEY_ID_LEN]; GLPI_MAX_TRUSTED_KEYS],
        list_count: 0,
        lists: [NO_LIST; GLPI_MAX_TRUSTED_KEYS],
        superseded_count: 0,
        superseded: [GlpiSupersession { serial: 0, by: 0 }; GLPI_MAX_SUPERSEDED],
    };
    // The core bounds each collection by the arrays' sizes; `zip` stops at the shorter anyway.
    for ((slot, id), k) in record
        .trusted_keys
        .iter_mut()
        .zip(record.trusted_key_ids.iter_mut())
        .zip(state.trust().iter())
    {
        *slot = trusted_key_record(k);
        *id = k.key_id().0;
        record.trusted_key_count += 1;
    }
    for (slot, l) in record.lists.iter_mut().zip(state.installed_lists()) {
        *slot = installed_record(&l);
        record.list_count += 1;
    }
    for (slot, (serial, by)) in record.superseded.iter_mut().zip(state.superseded()) {
        *slot = GlpiSupersession {
            serial: serial.value(),
            by: by.value(),
        };
        record.superseded_count += 1;
    }
    record
}

/// Refuses a number of trusted keys outside 1 to `GLPI_MAX_TRUSTED_KEYS`, before any is read.
fn check_count(count: usize) -> Result<(), Failure> {
    if count == 0 {
        return Err(Failure::new(
            GlpiStatus::NoTrustedKeys,
            "no trusted issuer key was given: pass at least one 32-byte Ed25519 public key",
        ));
    }
    if count > GLPI_MAX_TRUSTED_KEYS {
        return Err(Failure::new(
            GlpiStatus::TooManyTrustedKeys,
            format!("{count} trusted issuer keys were given; at most {GLPI_MAX_TRUSTED_KEYS} are supported"),
        ));
    }
    Ok(())
}

/// The trust store of a new site; a refused key is named by its 1-based index in
/// `GlpiError.position`.
fn trust_store(keys: &[GlpiTrustedKey]) -> Result<TrustStore, Failure> {
    let count = keys.len();
    check_count(count)?;
    let opt = |t: u64, has: bool| has.then(|| UnixTime::from_secs(t));
    let mut trust = TrustStore::new();
    for (i, k) in keys.iter().enumerate() {
        let refused = |e: TrustError| Failure {
            position: i + 1,
            ..Failure::new(
                GlpiStatus::of_trust_error(&e),
                format!("trusted key {} of {count}: {e}", i + 1),
            )
        };
        let key = TrustedKey::from_public_key_bytes(&k.public_key)
            .and_then(|key| {
                key.with_validity(
                    opt(k.valid_from, k.has_valid_from),
                    opt(k.valid_until, k.has_valid_until),
                )
            })
            .map_err(refused)?
            .with_distrust(opt(k.distrusted_from, k.has_distrusted_from));
        trust.add(key).map_err(refused)?;
    }
    Ok(trust)
}

/// Creates the site and hands it to `out`.
///
/// # Safety
/// `dir` as in `glpi_site_create`; `out` non-null and writable for one pointer.
unsafe fn create(
    dir: *const c_char,
    keys: &[GlpiTrustedKey],
    grace_secs: u64,
    clock_tolerance_secs: u64,
    out: *mut *mut GlpiSite,
) -> Result<(), Failure> {
    // SAFETY: the caller guarantees a NUL-terminated `dir` when it is not NULL.
    let dir = unsafe { args::directory(dir) }?;
    let trust = trust_store(keys)?;
    let policy = SitePolicy {
        grace_secs,
        clock_tolerance_secs,
    };
    let site = Site::create(Path::new(dir), &trust, policy)?;
    let handle = Box::into_raw(Box::new(GlpiSite { site }));
    // SAFETY: `out` is non-null and writable per the contract.
    unsafe { out.write(handle) };
    Ok(())
}

/// Sets `*out` to NULL first, so that it is NULL on every failure.
///
/// # Safety
/// `out`, when not NULL, must be writable for one pointer.
unsafe fn reset_out(out: *mut *mut GlpiSite) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null("out_site"));
    }
    // SAFETY: non-null and writable per the contract.
    unsafe { out.write(std::ptr::null_mut()) };
    Ok(())
}

/// Creates a new site in the directory `dir` (made, mode 0700, if it does not exist; its parent
/// must exist), trusting `key_count` issuer public keys given back to back as
/// `key_count * GLPI_PUBLIC_KEY_LEN` bytes, with no signing windows. A directory that already
/// holds a site is refused (`GLPI_STATUS_SITE_EXISTS`): a site is never overwritten.
///
/// - `dir`: required; NUL-terminated UTF-8 path.
/// - `public_keys`: required; read only during the call.
/// - `grace_secs`: how long an expired key stays accepted, with a warning (0: none).
/// - `clock_tolerance_secs`: how far the clock may go back before it is refused.
/// - `out_site`: required; on success a new handle the caller releases with `glpi_site_free`;
///   NULL on failure.
/// - `error`: optional (may be NULL); filled on return.
///
/// Thread safety: safe from any thread.
///
/// # Safety
/// `dir` must be NUL-terminated; `public_keys` readable for `key_count * 32` bytes; `out_site`
/// and `error` (when not NULL) writable for one value of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_create(
    dir: *const c_char,
    public_keys: *const u8,
    key_count: usize,
    grace_secs: u64,
    clock_tolerance_secs: u64,
    out_site: *mut *mut GlpiSite,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `out_site` is writable when not NULL, per the contract.
        unsafe { reset_out(out_site) }?;
        if public_keys.is_null() {
            return Err(Failure::null("public_keys"));
        }
        check_count(key_count)?;
        // SAFETY: non-null; the caller guarantees `key_count * 32` readable bytes
        // (key_count <= 16, so the product cannot overflow).
        let bytes =
            unsafe { std::slice::from_raw_parts(public_keys, key_count * GLPI_PUBLIC_KEY_LEN) };
        let keys: Vec<GlpiTrustedKey> = bytes
            .chunks_exact(GLPI_PUBLIC_KEY_LEN)
            .map(|chunk| {
                let mut public_key = [0u8; GLPI_PUBLIC_KEY_LEN];
                public_key.copy_from_slice(chunk);
                GlpiTrustedKey {
                    public_key,
                    valid_from: 0,
                    has_valid_from: false,
                    valid_until: 0,
                    has_valid_until: false,
                    distrusted_from: 0,
                    has_distrusted_from: false,
                }
            })
            .collect();
        // SAFETY: `dir` per the contract; `out_site` checked non-null above.
        unsafe { create(dir, &keys, grace_secs, clock_tolerance_secs, out_site) }
    }));
    finish(outcome, error)
}

/// Like `glpi_site_create`, with each trusted key's signing window and distrust date
/// (`GlpiTrustedKey`, an array of `key_count`). A key whose window ends before it starts is
/// refused (`GLPI_STATUS_TRUSTED_KEY_EMPTY_WINDOW`, `error->position` its 1-based index).
///
/// # Safety
/// `dir` must be NUL-terminated; `keys` readable for `key_count` values; `out_site` and `error`
/// (when not NULL) writable for one value of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_create_with_keys(
    dir: *const c_char,
    keys: *const GlpiTrustedKey,
    key_count: usize,
    grace_secs: u64,
    clock_tolerance_secs: u64,
    out_site: *mut *mut GlpiSite,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `out_site` is writable when not NULL, per the contract.
        unsafe { reset_out(out_site) }?;
        if keys.is_null() {
            return Err(Failure::null("keys"));
        }
        check_count(key_count)?;
        // SAFETY: non-null; the caller guarantees `key_count` (at most 16) readable values.
        // `read_unaligned` copies each without assuming alignment.
        let keys: Vec<GlpiTrustedKey> = (0..key_count)
            .map(|i| unsafe { keys.add(i).read_unaligned() })
            .collect();
        // SAFETY: `dir` per the contract; `out_site` checked non-null above.
        unsafe { create(dir, &keys, grace_secs, clock_tolerance_secs, out_site) }
    }));
    finish(outcome, error)
}

/// Opens the site in the directory `dir`. Its state must read: a damaged record is
/// `GLPI_STATUS_SITE_STATE_CORRUPTED` (never reset: restore the directory from a backup, or
/// re-create the site and install the current list), a missing directory or state
/// `GLPI_STATUS_NOT_A_SITE`.
///
/// - `dir`: required; NUL-terminated UTF-8 path.
/// - `out_site`: required; on success a new handle the caller releases with `glpi_site_free`;
///   NULL on failure.
/// - `error`: optional (may be NULL); filled on return.
///
/// Thread safety: safe from any thread; any number of handles may be open on one directory.
///
/// # Safety
/// `dir` must be NUL-terminated; `out_site` and `error` (when not NULL) writable for one value
/// of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_open(
    dir: *const c_char,
    out_site: *mut *mut GlpiSite,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `out_site` is writable when not NULL, per the contract.
        unsafe { reset_out(out_site) }?;
        // SAFETY: the caller guarantees a NUL-terminated `dir` when it is not NULL.
        let dir = unsafe { args::directory(dir) }?;
        let site = Site::open(Path::new(dir))?;
        let handle = Box::into_raw(Box::new(GlpiSite { site }));
        // SAFETY: `out_site` is non-null (checked above) and writable per the contract.
        unsafe { out_site.write(handle) };
        Ok(())
    }));
    finish(outcome, error)
}

/// Releases a site handle. The directory and its state stay. NULL is accepted and ignored.
///
/// Thread safety: no other thread may use this handle during or after this call.
///
/// # Safety
/// `site` must be NULL or a pointer returned by `glpi_site_create`, `glpi_site_create_with_keys`
/// or `glpi_site_open`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_free(site: *mut GlpiSite) {
    if site.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the pointer came from `Box::into_raw` in this module and, per the contract,
        // has not been freed; ownership returns to the Box, which drops it.
        drop(unsafe { Box::from_raw(site) });
    }));
}

/// The site behind a handle.
///
/// # Safety
/// `site`, when not NULL, must be a live handle of this module for the lifetime `'a`.
unsafe fn handle<'a>(site: *const GlpiSite) -> Result<&'a Site, Failure> {
    if site.is_null() {
        return Err(Failure::null("site"));
    }
    // SAFETY: non-null and, per the contract, a live handle (shared references only: the
    // handle is never mutated after creation).
    Ok(&unsafe { &*site }.site)
}

/// Installs a revocation list, given in its text form (`GLPI-…`) or its file form (`.glpirl`,
/// starting with `GLPI-RL\n`). The list is verified (signature, issuer, windows, distrust, clock)
/// and compared with the list installed from the same issuer key: an older sequence, or the same
/// sequence with other content, is refused with `GLPI_STATUS_REVOCATION_LIST_ROLLBACK` and the
/// installed list stays; the very same list again is not an error (`info->is_new` false).
///
/// - `site`: required.
/// - `list`, `list_len`: required; the list's bytes, read only during the call.
/// - `now`: the current time in Unix seconds; the site's clock guard checks it.
/// - `info`: optional (may be NULL); on success receives what is installed.
/// - `error`: optional (may be NULL); filled on return.
///
/// The site's clock mark may move forward even when the list is refused.
///
/// Thread safety: safe from any thread and process at once (the site is locked per call).
///
/// # Safety
/// `site` must be a live handle; `list` readable for `list_len` bytes; `info` and `error` (when
/// not NULL) writable for one value of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_install_revocations(
    site: *const GlpiSite,
    list: *const u8,
    list_len: usize,
    now: u64,
    info: *mut GlpiInstallInfo,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle when not NULL, per the contract.
        let site = unsafe { handle(site) }?;
        // SAFETY: the caller guarantees `list_len` readable bytes when `list` is not NULL.
        let bytes = unsafe { args::byte_slice(list, list_len, "list") }?;
        let installed = site.install_revocations(bytes, UnixTime::from_secs(now))?;
        if !info.is_null() {
            let record = GlpiInstallInfo {
                is_new: matches!(installed, Installed::New(_)),
                list: installed_record(installed.list()),
            };
            // SAFETY: non-null and writable per the contract.
            unsafe { info.write(record) };
        }
        Ok(())
    }));
    finish(outcome, error)
}

/// Verifies a key with the site's whole policy (`spec/SITE.md` section 4): text and check
/// symbols, kind, issuer, signature, issuer windows and distrust, claims, the clock guard
/// (a clock set back beyond the tolerance is `GLPI_STATUS_CLOCK_ROLLBACK`), validity with the
/// grace period, the installed revocation lists, renewals already accepted
/// (`GLPI_STATUS_SUPERSEDED`), the instance binding and the GLPI version. On success fills
/// `license` and `warnings`.
///
/// - `site`: required.
/// - `text`, `text_len`: required; the key as the user gave it, UTF-8, not NUL-terminated.
/// - `kind`: required, the `GlpiKind` this host accepts; 0 or an unknown value gives
///   `GLPI_STATUS_INVALID_ARGUMENT` (there is no "either kind").
/// - `instance`: optional; this instance's 16-byte UUID. When NULL, a key bound to an instance
///   is refused with `GLPI_STATUS_INSTANCE_REQUIRED`, unless `flags` holds
///   `GLPI_INSECURE_SKIP_INSTANCE_BINDING`.
/// - `flags`: 0, or `GLPI_INSECURE_SKIP_INSTANCE_BINDING` (only with `instance` NULL);
///   other bits give `GLPI_STATUS_INVALID_ARGUMENT`.
/// - `glpi_version`: optional; this GLPI version, NUL-terminated (`"10.0"`, `"10.0.17"`).
/// - `now`: the current time in Unix seconds.
/// - `license`, `warnings`: required; written only on success.
/// - `error`: optional (may be NULL); filled on return.
///
/// The site's state (clock mark, a renewal) may change even when the key is refused.
///
/// Thread safety: safe from any thread and process at once (the site is locked per call).
///
/// # Safety
/// `site` must be a live handle; `text` readable for `text_len` bytes; `instance` (when not
/// NULL) for 16 bytes; `glpi_version` (when not NULL) NUL-terminated; `license`, `warnings` and
/// `error` (when not NULL) writable for one value of their type.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn glpi_site_verify(
    site: *const GlpiSite,
    text: *const u8,
    text_len: usize,
    kind: u32,
    instance: *const u8,
    flags: u32,
    glpi_version: *const c_char,
    now: u64,
    license: *mut GlpiLicense,
    warnings: *mut GlpiSiteWarnings,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle when not NULL, per the contract.
        let site = unsafe { handle(site) }?;
        if license.is_null() {
            return Err(Failure::null("license"));
        }
        if warnings.is_null() {
            return Err(Failure::null("warnings"));
        }
        let kind = GlpiKind::required(kind)?;
        // SAFETY (the three calls): the caller guarantees `instance` (when not NULL) readable
        // for 16 bytes, `glpi_version` (when not NULL) NUL-terminated, `text` readable for
        // `text_len` bytes during this call.
        let instance = unsafe { args::instance_check(instance, flags) }?;
        let mut check = SiteCheck::new(UnixTime::from_secs(now), kind, instance);
        check.glpi_version = unsafe { args::glpi_version(glpi_version) }?;
        let text = unsafe { args::key_text(text, text_len) }?;
        let key = parse_key(site, text)?;
        let verdict = site.verify(&key, &check)?;
        let license_out = license_record(&verdict.license, verdict.warnings.instance_not_checked);
        let warnings_out = warnings_record(&verdict.warnings, verdict.checked_at);
        // SAFETY: both non-null (checked above) and writable per the contract.
        unsafe {
            license.write(license_out);
            warnings.write(warnings_out);
        }
        Ok(())
    }));
    finish(outcome, error)
}

/// Parses a key; after a typo, parses again against the site's trusted keys so that the
/// suggested correction is confirmed by the signature when it can be (the state is read only
/// on that path).
fn parse_key(site: &Site, text: &str) -> Result<UnverifiedKey, Failure> {
    match UnverifiedKey::parse(text) {
        Err(e @ Error::Checksum(_)) => match site.state() {
            Ok(state) => Ok(UnverifiedKey::parse_with_trust(text, state.trust())?),
            Err(_) => Err(e.into()),
        },
        other => Ok(other?),
    }
}

/// Reads the site's state: policy, trusted keys with their windows, installed lists (sequence,
/// next update), clock mark and superseded serials. Changes nothing.
///
/// - `site`, `status`: required; `status` is written only on success.
/// - `error`: optional (may be NULL); filled on return.
///
/// Thread safety: safe from any thread and process at once (the site is locked per call).
///
/// # Safety
/// `site` must be a live handle; `status` and `error` (when not NULL) writable for one value of
/// their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_status(
    site: *const GlpiSite,
    status: *mut GlpiSiteStatus,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle when not NULL, per the contract.
        let site = unsafe { handle(site) }?;
        if status.is_null() {
            return Err(Failure::null("status"));
        }
        let record = status_record(&site.state()?);
        // SAFETY: non-null and writable per the contract.
        unsafe { status.write(record) };
        Ok(())
    }));
    finish(outcome, error)
}

/// Distrusts the issuer key with id `issuer_key_id` (4 bytes) from `from` (Unix seconds, the
/// site's clock) on: nothing it signed is honoured after that, whatever dates it carries, and
/// the lists installed from it stop counting. The date only ever moves earlier; the date in
/// force is written to `in_force` (optional). An unknown key id gives
/// `GLPI_STATUS_ISSUER_KEY_NOT_TRUSTED`.
///
/// Thread safety: safe from any thread and process at once (the site is locked per call).
///
/// # Safety
/// `site` must be a live handle; `issuer_key_id` readable for 4 bytes; `in_force` and `error`
/// (when not NULL) writable for one value of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_site_distrust(
    site: *const GlpiSite,
    issuer_key_id: *const u8,
    from: u64,
    in_force: *mut u64,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle when not NULL, per the contract.
        let site = unsafe { handle(site) }?;
        if issuer_key_id.is_null() {
            return Err(Failure::null("issuer_key_id"));
        }
        // SAFETY: non-null; the caller guarantees 4 readable bytes (any alignment).
        let id = unsafe {
            issuer_key_id
                .cast::<[u8; GLPI_KEY_ID_LEN]>()
                .read_unaligned()
        };
        let date = site.distrust(KeyId(id), UnixTime::from_secs(from))?;
        if !in_force.is_null() {
            // SAFETY: non-null and writable per the contract.
            unsafe { in_force.write(date.as_secs()) };
        }
        Ok(())
    }));
    finish(outcome, error)
}
