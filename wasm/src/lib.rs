//! GLPI key verification for WebAssembly (`wasm32-unknown-unknown`), with raw exports and no
//! JavaScript glue: the host copies its inputs into the module's linear memory, calls an
//! export, and reads the result back from an output buffer. `wasm/raw.mjs` is a small
//! JavaScript host of this protocol (about 100 lines, no dependency); `wasm/test.mjs` and
//! `wasm/site.test.mjs` use it.
//!
//! # Memory protocol (every export)
//!
//! - `gk_alloc(len) -> ptr` and `gk_free(ptr, len)`: buffers in linear memory, owned by the
//!   host between the two calls. `gk_alloc` returns 0 (null) when `len` is 0 or the memory
//!   cannot grow.
//! - Inputs are `(ptr, len)` pairs; length 0 means "none" (the pointer is then not read).
//!   Pointers, lengths, the kind and the flags are `i32` in JavaScript (numbers); times and
//!   durations are `u64` (`BigInt`).
//! - Outputs go to one buffer `(out, out_cap)` that the host allocated. The module writes
//!   **sections**, each a 4-byte little-endian length and that many bytes: `gk_verify` writes
//!   one (the result text); the `gk_site_*` exports write three, always in this order: the
//!   result text, the state record, the revocation list to store (either may be empty).
//! - When `out_cap` is too small for the whole result, nothing is cut short: the export
//!   returns `buffer-too-small` (the number of `glpi_key::ErrorClass::BufferTooSmall`), writes
//!   only the number of bytes needed as 4 little-endian bytes at `out` (when `out_cap >= 4`),
//!   and changes nothing else. Every export is a pure function of its inputs (the module keeps
//!   no state between calls), so the host calls it again with a buffer that large.
//!   [`OUT_LEN`] (16 KiB) bytes, plus the length of the list given to
//!   `gk_site_install_revocations`, always suffice.
//! - The return value is the status: 0 for success; for a refusal, the number of its class
//!   (`glpi_key::ErrorClass::number`, which the C API's `GlpiStatus` repeats); for a bad
//!   argument, a trusted key or a state record, the numbers of [`Status`] (63 and up: 63
//!   unknown-error, 65 invalid-utf8, 66 invalid-argument, 67 to 71 trusted-key refusals, 80
//!   site-state-corrupted, 81 site-state-version, 82 trusted-key-empty-window, 83
//!   issuer-key-not-trusted: the numbers the C API's `GlpiStatus` gives the same names).
//! - The result text is `key=value` lines: `status=<name>` first (the names of
//!   `spec/vectors/keys.json` and `spec/vectors/site-scenarios.json`), `message=` on failure
//!   (one line, for the person who has to act), or the fields of the result, with `owner=` last
//!   for a verified key (it may hold any character). `-` stands for "none".
//! - No input makes the module trap: a panic in WebAssembly traps, so every path returns a
//!   status.
//!
//! # Stateless verification
//!
//! `gk_verify(text, trust, now, kind, instance, flags, version, out)`: one key against the
//! trusted public keys (32 bytes each), with no memory of earlier calls (no revocation list,
//! no clock guard). The kind is required: 1 instance registration, 2 agent enrollment; 0 or
//! another number is `invalid-argument` (there is no "any kind"). A key bound to an instance
//! and given no instance is refused (`instance-required`) unless `flags` holds
//! [`INSECURE_SKIP_INSTANCE_BINDING`], as with `gk_site_verify`.
//!
//! # The offline site (`spec/SITE.md`), state kept by the host
//!
//! The state is the core's `SiteState` record (`spec/SITE.md` section 7, at most
//! `glpi_key::MAX_SITE_STATE_LEN` = 3,013 bytes) that the host stores where it can (a file,
//! `localStorage`, a database row) and passes to each call, together with the bodies of the
//! revocation lists it installed. Each call reads the record, applies the core's rules, and
//! gives back the record to store: **store the state section whenever it is not empty**,
//! refusals included (a refused key still moves the clock mark forward; the text's
//! `state=changed` / `state=unchanged` line says whether it differs from the record given).
//! A record that does not read is `site-state-corrupted` or `site-state-version`, with an
//! empty state section (keep the record you have, and restore or re-create it): never a reset.
//!
//! - `gk_site_new(trust, grace_secs, clock_tolerance_secs, out)`: a new site. `trust` holds
//!   1 to 16 entries of [`TRUST_ENTRY_LEN`] (48) bytes: the public key (32), `valid_from` and
//!   `valid_until` (u64 little-endian Unix seconds; 0 = no bound).
//! - `gk_site_install_revocations(state, list, now, out)`: installs a revocation list given as
//!   text (`GLPI-…`) or file bytes (`GLPI-RL\n…`). Text: `status=installed` or `unchanged`,
//!   `key_id`, `sequence`, `issued_at`, `next_update`, `serials`. When installed, the list
//!   section holds the list's file form: store it under its `key_id`, replacing the one stored
//!   for that key. An older list is `revocation-list-rollback`, and the installed one stays.
//! - `gk_site_verify(state, lists, key, kind, instance, flags, version, now, out)`: a key with
//!   the whole policy. `lists`: the stored lists, each framed as a 4-byte little-endian length
//!   and the list (file form or body). `kind` as for `gk_verify`, required. `instance`: this
//!   instance's 16-byte UUID, or none: a key bound to an instance is then refused
//!   (`instance-required`) unless `flags` has [`INSECURE_SKIP_INSTANCE_BINDING`] (1), which
//!   accepts it unchecked with the warning `instance-not-checked`. Text on success:
//!   `checked_at`, `warnings` (comma-separated: `in-grace`, `instance-not-checked`,
//!   `list-update-due`, `no-revocation-list`), `in_grace_until`, `list_update_due`, then the
//!   claims as `gk_verify` gives them.
//! - `gk_site_distrust(state, key_id, from, out)`: nothing signed by the issuer key `key_id`
//!   (its 4 bytes as a big-endian u32) is honoured from `from` (site time) on.
//! - `gk_site_observe_clock(state, now, out)`: the clock guard alone (`clock-rollback`, or
//!   the mark moves forward), for a host that checks its clock at start-up or on a timer.
//! - `gk_site_add_trusted_key(state, entry, out)`: trusts one more issuer key (48-byte entry).
//! - `gk_site_status(state, out)`: the state as text (policy, clock mark, each trusted key with
//!   its window, distrust date and installed list, superseded serials); its state and list
//!   sections are empty.

mod site;

use core::fmt::Write as _;

use glpi_key::{
    ErrorClass, GlpiVersion, InstanceCheck, InstanceId, KeyKind, License, StateError, TrustError,
    TrustStore, TrustedKey, UnixTime, UnverifiedKey, VerifyOptions, MAX_INPUT_LEN,
};

pub use site::TRUST_ENTRY_LEN;

/// Flag of `gk_verify` and `gk_site_verify`: INSECURE, accept a key bound to an instance
/// without checking the binding (a key bound to another instance then passes), reported with
/// the warning `instance-not-checked`. Only for a host that truly has no instance id; without
/// it, a bound key given no instance is refused with `instance-required`.
pub const INSECURE_SKIP_INSTANCE_BINDING: u32 = 1;

/// Bytes of one trusted public key.
const PUBLIC_KEY_LEN: usize = 32;

/// An output buffer of this many bytes holds the result of every export, plus the length of
/// the list for `gk_site_install_revocations`.
pub const OUT_LEN: usize = 16 * 1024;

/// The outcome of an export: its number (the return value) and its name (`status=` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    number: u32,
    name: &'static str,
}

impl Status {
    /// A valid key.
    const VALID: Status = Status::new(0, "valid");
    /// A successful site operation other than verification.
    const OK: Status = Status::new(0, "ok");
    /// A failure class newer than the C API's list of trusted-key failures.
    const UNKNOWN_ERROR: Status = Status::new(63, "unknown-error");
    /// The key text is not UTF-8.
    const INVALID_UTF8: Status = Status::new(65, "invalid-utf8");
    /// An argument is out of range or malformed.
    const INVALID_ARGUMENT: Status = Status::new(66, "invalid-argument");
    /// A trusted key is not an Ed25519 public key.
    const TRUSTED_KEY_NOT_A_POINT: Status = Status::new(67, "trusted-key-not-a-point");
    /// A trusted key is not canonically encoded.
    const TRUSTED_KEY_NON_CANONICAL: Status = Status::new(68, "trusted-key-non-canonical");
    /// A trusted key is weak (small order).
    const TRUSTED_KEY_SMALL_ORDER: Status = Status::new(69, "trusted-key-small-order");
    /// Two trusted keys have the same key id.
    const DUPLICATE_TRUSTED_KEY: Status = Status::new(70, "duplicate-trusted-key");
    /// More trusted keys than a store holds.
    const TOO_MANY_TRUSTED_KEYS: Status = Status::new(71, "too-many-trusted-keys");
    // 72 to 79 are the C API's (no trusted keys, internal error, site directory failures).
    /// The site state record is damaged (`spec/SITE.md` section 7); it is never reset.
    const SITE_STATE_CORRUPTED: Status = Status::new(80, "site-state-corrupted");
    /// The site state record has a version this module does not know.
    const SITE_STATE_VERSION: Status = Status::new(81, "site-state-version");
    /// A trusted key's validity window ends before it starts.
    const TRUSTED_KEY_EMPTY_WINDOW: Status = Status::new(82, "trusted-key-empty-window");
    /// No trusted issuer key of the site has the key id given.
    const ISSUER_KEY_NOT_TRUSTED: Status = Status::new(83, "issuer-key-not-trusted");
    /// The output buffer cannot hold the result (the number of bytes needed is at `out`).
    const BUFFER_TOO_SMALL: Status = Status::of_class(ErrorClass::BufferTooSmall);

    const fn new(number: u32, name: &'static str) -> Self {
        Status { number, name }
    }

    /// A verification failure: the number and name of its class, from the library.
    const fn of_class(class: ErrorClass) -> Self {
        Status::new(class.number() as u32, class.name())
    }

    /// An issuer key refused by the trust store.
    fn of_trust_error(e: &TrustError) -> Self {
        match e {
            TrustError::NotAPoint => Status::TRUSTED_KEY_NOT_A_POINT,
            TrustError::NonCanonical => Status::TRUSTED_KEY_NON_CANONICAL,
            TrustError::SmallOrder => Status::TRUSTED_KEY_SMALL_ORDER,
            TrustError::DuplicateKeyId(_) => Status::DUPLICATE_TRUSTED_KEY,
            TrustError::Full => Status::TOO_MANY_TRUSTED_KEYS,
            TrustError::EmptyWindow => Status::TRUSTED_KEY_EMPTY_WINDOW,
            TrustError::NotTrusted(_) => Status::ISSUER_KEY_NOT_TRUSTED,
            _ => Status::UNKNOWN_ERROR,
        }
    }

    /// A state record that cannot be read or written.
    fn of_state_error(e: &StateError) -> Self {
        match e {
            StateError::Corrupted { .. } => Status::SITE_STATE_CORRUPTED,
            StateError::UnsupportedVersion { .. } => Status::SITE_STATE_VERSION,
            StateError::BufferTooSmall { .. } => Status::BUFFER_TOO_SMALL,
            _ => Status::UNKNOWN_ERROR,
        }
    }

    /// The status number (the export's return value).
    pub const fn number(self) -> u32 {
        self.number
    }

    /// The status name (the `status=` line).
    pub const fn name(self) -> &'static str {
        self.name
    }
}

/// A refusal: its status and the message for the person who has to act.
type Failure = (Status, String);

fn argument(message: impl Into<String>) -> Failure {
    (Status::INVALID_ARGUMENT, message.into())
}

fn library(e: glpi_key::Error) -> Failure {
    (Status::of_class(e.class()), e.to_string())
}

fn trust_failure(e: TrustError) -> Failure {
    (Status::of_trust_error(&e), e.to_string())
}

/// The `status=` and `message=` lines of a failure; the message is kept on one line.
fn failure_text(status: Status, message: &str) -> String {
    format!(
        "status={}\nmessage={}\n",
        status.name,
        message.replace(['\n', '\r'], " ")
    )
}

/// Allocates `len` bytes of linear memory for the host to fill; release with [`gk_free`] and the
/// same `len`. Returns null when `len` is 0 or the memory cannot grow that much.
#[no_mangle]
pub extern "C" fn gk_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return core::ptr::null_mut();
    }
    let mut buf = Vec::<u8>::new();
    if buf.try_reserve_exact(len).is_err() {
        return core::ptr::null_mut();
    }
    let ptr = buf.as_mut_ptr();
    core::mem::forget(buf);
    ptr
}

/// Releases a buffer from [`gk_alloc`]. Null is ignored.
///
/// # Safety
/// `ptr` must come from `gk_alloc(len)` with this `len`, and not have been freed.
#[no_mangle]
pub unsafe extern "C" fn gk_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    // SAFETY: per the contract, `ptr` is a live allocation of capacity `len` made by `gk_alloc`
    // as a `Vec<u8>` with length 0 (`try_reserve_exact` gives exactly `len`); rebuilding the
    // Vec and dropping it frees it.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
}

/// Reads `len` bytes at `ptr` as a byte slice; an empty slice when `len` is 0 or `ptr` null.
///
/// # Safety
/// When `ptr` is non-null and `len` non-zero, `ptr` must be valid for `len` bytes.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: non-null and valid for `len` bytes per the contract.
    unsafe { core::slice::from_raw_parts(ptr, len) }
}

/// Writes `sections` to `out` (each as a 4-byte little-endian length and its bytes) and
/// returns `status`; or, when `out_cap` is too small, writes only the length needed (when
/// `out_cap >= 4`) and returns [`Status::BUFFER_TOO_SMALL`].
///
/// # Safety
/// When `out` is non-null, it must be writable for `out_cap` bytes.
unsafe fn deliver(status: Status, sections: &[&[u8]], out: *mut u8, out_cap: usize) -> u32 {
    let needed = sections
        .iter()
        .fold(0usize, |n, s| n.saturating_add(4).saturating_add(s.len()));
    let dst = if out.is_null() || out_cap == 0 {
        &mut [][..]
    } else {
        // SAFETY: non-null and writable for `out_cap` bytes per the contract.
        unsafe { core::slice::from_raw_parts_mut(out, out_cap) }
    };
    let le = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    if dst.len() < needed {
        if let Some(head) = dst.get_mut(..4) {
            head.copy_from_slice(&le(needed));
        }
        return Status::BUFFER_TOO_SMALL.number;
    }
    let mut at = 0usize;
    for s in sections {
        for part in [&le(s.len())[..], s] {
            if let Some(d) = dst.get_mut(at..at + part.len()) {
                d.copy_from_slice(part);
            }
            at += part.len();
        }
    }
    status.number
}

/// The kind a caller accepts: required, there is no "any kind".
fn kind_of(kind: u32) -> Result<KeyKind, Failure> {
    match kind {
        1 => Ok(KeyKind::InstanceRegistration),
        2 => Ok(KeyKind::AgentEnrollment),
        other => Err(argument(format!(
            "the kind is required: 1 (instance registration) or 2 (agent enrollment), not {other}; there is no \"any kind\", so that a key of the other kind is never accepted by mistake"
        ))),
    }
}

/// The instance check from this instance's 16-byte UUID (or none for an empty input) and the
/// flags: without a UUID, a bound key is refused unless [`INSECURE_SKIP_INSTANCE_BINDING`].
fn instance_check(instance: &[u8], flags: u32) -> Result<InstanceCheck, Failure> {
    if flags & !INSECURE_SKIP_INSTANCE_BINDING != 0 {
        return Err(argument(format!(
            "unknown flags {flags:#x}: the only flag is INSECURE_SKIP_INSTANCE_BINDING (1)"
        )));
    }
    let skip = flags & INSECURE_SKIP_INSTANCE_BINDING != 0;
    if instance.is_empty() {
        return Ok(if skip {
            InstanceCheck::InsecureSkipBinding
        } else {
            InstanceCheck::Unknown
        });
    }
    if skip {
        return Err(argument(
            "give either this instance's id or INSECURE_SKIP_INSTANCE_BINDING, not both",
        ));
    }
    let id: [u8; 16] = instance.try_into().map_err(|_| {
        argument(format!(
            "the instance id must be 16 bytes (a UUID), not {}",
            instance.len()
        ))
    })?;
    Ok(InstanceCheck::This(InstanceId(id)))
}

/// This GLPI version (`"10.0"`), or none for an empty input.
fn version_of(version: &[u8]) -> Result<Option<GlpiVersion>, Failure> {
    if version.is_empty() {
        return Ok(None);
    }
    core::str::from_utf8(version)
        .ok()
        .and_then(GlpiVersion::parse)
        .map(Some)
        .ok_or_else(|| argument("the GLPI version must be MAJOR.MINOR, like 10.0"))
}

/// The key text as UTF-8, refused unread when longer than the longest key text.
fn key_text(text: &[u8]) -> Result<&str, Failure> {
    if text.len() > MAX_INPUT_LEN {
        return Err(library(glpi_key::Error::TooLong { max: MAX_INPUT_LEN }));
    }
    core::str::from_utf8(text).map_err(|e| {
        (
            Status::INVALID_UTF8,
            format!(
                "the key text is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Verifies a key and writes the result text into `out` (`out_cap` bytes) as one section: a
/// 4-byte little-endian length, then that many bytes of UTF-8. Returns the status number
/// (`buffer-too-small` when `out_cap` cannot hold the text: see the crate docs).
///
/// - `text`/`text_len`: the key as UTF-8.
/// - `trust`/`trust_len`: trusted public keys, 32 bytes each, back to back.
/// - `now`: Unix seconds. `kind` (required): 1 instance registration, 2 agent enrollment.
/// - `instance`/`instance_len`: this instance's 16-byte UUID, or length 0 for none: a key
///   bound to an instance is then refused (`instance-required`) unless `flags` holds
///   [`INSECURE_SKIP_INSTANCE_BINDING`] (the result then says `warnings=instance-not-checked`).
/// - `version`/`version_len`: this GLPI version as UTF-8 (`"10.0"`), or length 0 for none.
///
/// This check keeps no state (no revocation list, no clock guard, no supersession):
/// hosts that can store a few kilobytes verify through the `gk_site_*` exports.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn gk_verify(
    text: *const u8,
    text_len: usize,
    trust: *const u8,
    trust_len: usize,
    now: u64,
    kind: u32,
    instance: *const u8,
    instance_len: usize,
    flags: u32,
    version: *const u8,
    version_len: usize,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    let text = if text_len > MAX_INPUT_LEN {
        None // refused unread, below
    } else {
        // SAFETY: the caller guarantees `text` is valid for `text_len` bytes.
        Some(unsafe { bytes(text, text_len) })
    };
    // SAFETY: the caller guarantees each pointer is valid for its length.
    let (trust, instance, version) = unsafe {
        (
            bytes(trust, trust_len),
            bytes(instance, instance_len),
            bytes(version, version_len),
        )
    };
    let mut report = String::new();
    let status = match run(
        text,
        trust,
        now,
        kind,
        instance,
        flags,
        version,
        &mut report,
    ) {
        Ok(()) => Status::VALID,
        Err((status, message)) => {
            report = failure_text(status, &message);
            status
        }
    };
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { deliver(status, &[report.as_bytes()], out, out_cap) }
}

#[allow(clippy::too_many_arguments)]
fn run(
    text: Option<&[u8]>,
    trust: &[u8],
    now: u64,
    kind: u32,
    instance: &[u8],
    flags: u32,
    version: &[u8],
    report: &mut String,
) -> Result<(), Failure> {
    let mut store = TrustStore::new();
    if trust.is_empty() || trust.len() % PUBLIC_KEY_LEN != 0 {
        return Err(argument("trust must hold one or more 32-byte public keys"));
    }
    for chunk in trust.chunks_exact(PUBLIC_KEY_LEN) {
        let key: &[u8; PUBLIC_KEY_LEN] =
            chunk.try_into().map_err(|_| argument("trusted key size"))?;
        store
            .add(TrustedKey::from_public_key_bytes(key).map_err(trust_failure)?)
            .map_err(trust_failure)?;
    }
    let mut options = VerifyOptions::at(UnixTime::from_secs(now)).with_kind(kind_of(kind)?);
    let instance = instance_check(instance, flags)?;
    options.instance = instance.instance();
    options.glpi_version = version_of(version)?;
    let text = text.ok_or_else(|| library(glpi_key::Error::TooLong { max: MAX_INPUT_LEN }))?;
    let key = UnverifiedKey::parse_with_trust(key_text(text)?, &store).map_err(library)?;
    let license = key.verify(&store, &options).map_err(library)?;
    let unchecked = instance
        .binding_unchecked(license.claims().instance)
        .map_err(library)?;
    let warnings = if unchecked {
        "instance-not-checked"
    } else {
        "-"
    };
    let _ = write!(report, "status=valid\nwarnings={warnings}\n");
    write_claims(&license, report);
    Ok(())
}

/// The claims of a verified key as `key=value` lines, `owner=` last (with no line end).
fn write_claims(l: &License<'_>, out: &mut String) {
    let c = l.claims();
    let opt = |v: Option<u64>| v.map_or(String::from("-"), |v| v.to_string());
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "short_id={}\nserial={:016x}\nkind={}\ntier={}\nissued_at={}\nnot_before={}\nexpires_at={}\nentitlements={}\nmax_assets={}\nentity={}\ninstance={}\nowner={}",
        l.short_id(),
        c.serial.value(),
        c.kind,
        c.tier,
        c.issued_at.as_secs(),
        c.not_before.as_secs(),
        opt(c.expires_at.map(UnixTime::as_secs)),
        c.entitlements.bits(),
        opt(c.max_assets.map(u64::from)),
        opt(c.entity.map(u64::from)),
        c.instance.map_or(String::from("-"), |i| i.to_string()),
        c.owner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use glpi_key::{Claims, Issuer, Serial, TextStyle, Tier};

    fn call(text: &[u8], trust: &[u8], now: u64, version: &[u8]) -> (u32, String) {
        call_kind(text, trust, now, 2, version)
    }

    fn call_kind(text: &[u8], trust: &[u8], now: u64, kind: u32, version: &[u8]) -> (u32, String) {
        let mut out = vec![0u8; 2048];
        let s = unsafe {
            gk_verify(
                text.as_ptr(),
                text.len(),
                trust.as_ptr(),
                trust.len(),
                now,
                kind,
                core::ptr::null(),
                0,
                0,
                version.as_ptr(),
                version.len(),
                out.as_mut_ptr(),
                out.len(),
            )
        };
        let n = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
        (s, String::from_utf8(out[4..4 + n].to_vec()).unwrap())
    }

    #[test]
    fn verifies_and_reports() {
        let issuer = Issuer::from_secret_key_bytes(&[3; 32]);
        let at = UnixTime::from_date(2026, 1, 1).unwrap();
        let mut claims = Claims::new(
            Serial::new(77).unwrap(),
            KeyKind::AgentEnrollment,
            Tier::Basic,
            "Owner with=equals, last on its line",
            at,
        );
        claims.entity = Some(4);
        claims.expires_at = UnixTime::from_date(2027, 1, 1);
        let text = issuer
            .issue(&claims)
            .unwrap()
            .text(TextStyle::Grouped)
            .to_string();
        let pk = issuer.public_key_bytes();
        let now = UnixTime::from_date(2026, 6, 1).unwrap().as_secs();
        let (s, out) = call(text.as_bytes(), &pk, now, b"10.0");
        assert_eq!(s, 0, "{out}");
        assert!(out.starts_with("status=valid\nwarnings=-\n"));
        assert!(out.contains("\nserial=000000000000004d\n"));
        assert!(out.contains("\nentity=4\n"));
        assert!(out.ends_with("\nowner=Owner with=equals, last on its line"));

        let later = UnixTime::from_date(2027, 1, 1).unwrap().as_secs();
        let (s, out) = call(text.as_bytes(), &pk, later, b"");
        assert_eq!(s, ErrorClass::Expired.number() as u32);
        assert!(out.starts_with("status=expired\nmessage=the key expired"));

        assert_eq!(call(b"GLPI-\xff", &pk, now, b"").0, 65);
        assert_eq!(call(b"", &pk, now, b"").0, 1);
        assert_eq!(call(&[b'x'; 5000], &pk, now, b"").0, 4);
        assert_eq!(call(text.as_bytes(), &[0; 32], now, b"").0, 69);
        assert_eq!(call(text.as_bytes(), &pk, now, b"x").0, 66);

        // The kind is required: no "any kind".
        for kind in [0, 3, u32::MAX] {
            let (s, out) = call_kind(text.as_bytes(), &pk, now, kind, b"");
            assert_eq!(s, 66, "{out}");
            assert!(out.contains("the kind is required"), "{out}");
        }
        let (s, out) = call_kind(text.as_bytes(), &pk, now, 1, b"");
        assert_eq!(s, ErrorClass::WrongObjectKind.number() as u32, "{out}");

        // Too small an output buffer: a status and the length needed, never a cut text.
        let mut out = vec![0u8; 40];
        let s = unsafe {
            gk_verify(
                text.as_ptr(),
                text.len(),
                pk.as_ptr(),
                pk.len(),
                now,
                2,
                core::ptr::null(),
                0,
                0,
                core::ptr::null(),
                0,
                out.as_mut_ptr(),
                out.len(),
            )
        };
        assert_eq!(s, ErrorClass::BufferTooSmall.number() as u32);
        let needed = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
        assert!(needed > 40);
        assert!(out[4..].iter().all(|&b| b == 0));
        assert_eq!(call(text.as_bytes(), &pk, now, b"").1.len() + 4, needed);
    }

    #[test]
    fn status_numbers_and_names_are_those_of_the_c_api() {
        // The statuses this module returned when it took them from the C API's `GlpiStatus`.
        let verification = [
            "empty",
            "not-a-glpi-key",
            "invalid-character",
            "too-long",
            "wrong-length",
            "checksum",
            "non-canonical",
            "short-id",
            "unsupported-version",
            "unknown-object-kind",
            "wrong-object-kind",
            "unknown-issuer",
            "issuer-key-not-valid",
            "bad-signature",
            "malformed-claims",
            "not-yet-valid",
            "expired",
            "wrong-instance",
            "unsupported-glpi-version",
        ];
        for (number, name) in (1..).zip(verification) {
            let class = ErrorClass::from_number(number).unwrap();
            assert_eq!(Status::of_class(class), Status::new(number.into(), name));
        }
        for class in ErrorClass::ALL {
            let status = Status::of_class(class);
            assert_eq!(
                (status.number, status.name),
                (class.number().into(), class.name())
            );
            assert!(status.number < Status::UNKNOWN_ERROR.number);
        }
        assert_eq!(Status::VALID, Status::new(0, "valid"));
        // The site statuses: the numbers the C API's `GlpiStatus` gives these names.
        for (status, number, name) in [
            (Status::BUFFER_TOO_SMALL, 26, "buffer-too-small"),
            (Status::SITE_STATE_CORRUPTED, 80, "site-state-corrupted"),
            (Status::SITE_STATE_VERSION, 81, "site-state-version"),
            (
                Status::TRUSTED_KEY_EMPTY_WINDOW,
                82,
                "trusted-key-empty-window",
            ),
            (Status::ISSUER_KEY_NOT_TRUSTED, 83, "issuer-key-not-trusted"),
        ] {
            assert_eq!((status.number(), status.name()), (number, name));
        }
    }

    #[test]
    fn alloc_and_free_round_trip() {
        let p = gk_alloc(100);
        assert!(!p.is_null());
        unsafe { gk_free(p, 100) };
        assert!(gk_alloc(0).is_null());
        unsafe { gk_free(core::ptr::null_mut(), 0) };
    }
}
