//! GLPI key verification for WebAssembly (`wasm32-unknown-unknown`), with raw exports and no
//! JavaScript glue: the host copies the key text and the trusted public keys into the module's
//! linear memory, calls [`gk_verify`], and reads a small text result back. See `wasm/test.mjs`.
//!
//! Exports:
//! - `gk_alloc(len) -> ptr` and `gk_free(ptr, len)`: buffers in linear memory, owned by the host
//!   between the two calls.
//! - `gk_verify(...) -> status`: 0 for a valid key; for a verification failure, the number of
//!   its class (`glpi_key::ErrorClass::number`, which the C API's `GlpiStatus` repeats); for a
//!   bad argument or trusted key, the number the C API gives it (63 and up, see [`Status`]). The result text written to `out` is
//!   `key=value` lines: `status=<name>` first (the `expect` strings of `spec/vectors/keys.json`),
//!   then `message=` on failure, or the claims on success, with `owner=` last (it may hold any
//!   character).
//!
//! The functions keep no state between calls; each builds its trust store from the given keys.

use core::fmt::Write as _;

use glpi_key::{
    ErrorClass, GlpiVersion, InstanceId, KeyKind, License, TrustError, TrustStore, TrustedKey,
    UnixTime, UnverifiedKey, VerifyOptions, MAX_INPUT_LEN,
};

/// Bytes of one trusted public key.
const PUBLIC_KEY_LEN: usize = 32;

/// The outcome of [`gk_verify`]: its number (the return value) and its name (`status=` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Status {
    number: u32,
    name: &'static str,
}

impl Status {
    /// A valid key.
    const VALID: Status = Status::new(0, "valid");
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
            _ => Status::UNKNOWN_ERROR,
        }
    }
}

/// Allocates `len` bytes of linear memory for the host to fill; release with [`gk_free`] and the
/// same `len`. Returns null when `len` is 0.
#[no_mangle]
pub extern "C" fn gk_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return core::ptr::null_mut();
    }
    let mut buf = Vec::<u8>::with_capacity(len);
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
    // as a `Vec<u8>` with length 0; rebuilding the Vec and dropping it frees it.
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

/// Verifies a key and writes the result text into `out` (`out_cap` bytes): a 4-byte
/// little-endian length, then that many bytes of UTF-8 (cut short if `out_cap` is too small).
/// Returns the status number.
///
/// - `text`/`text_len`: the key as UTF-8.
/// - `trust`/`trust_len`: trusted public keys, 32 bytes each, back to back.
/// - `now`: Unix seconds. `kind`: 0 any, 1 instance registration, 2 agent enrollment.
/// - `instance`/`instance_len`: this instance's 16-byte UUID, or length 0 for none.
/// - `version`/`version_len`: this GLPI version as UTF-8 (`"10.0"`), or length 0 for none.
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
    let status = match run(text, trust, now, kind, instance, version, &mut report) {
        Ok(()) => Status::VALID,
        Err((status, message)) => {
            report = format!("status={}\nmessage={message}\n", status.name);
            status
        }
    };
    if !out.is_null() && out_cap >= 4 {
        let n = report.len().min(out_cap - 4);
        let len = u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        // SAFETY: `out` is non-null and writable for `out_cap >= 4 + n` bytes per the contract.
        let dst = unsafe { core::slice::from_raw_parts_mut(out, out_cap) };
        for (d, s) in dst
            .iter_mut()
            .zip(len.iter().chain(report.as_bytes().iter().take(n)))
        {
            *d = *s;
        }
    }
    status.number
}

type Failure = (Status, String);

fn run(
    text: Option<&[u8]>,
    trust: &[u8],
    now: u64,
    kind: u32,
    instance: &[u8],
    version: &[u8],
    report: &mut String,
) -> Result<(), Failure> {
    let library = |e: glpi_key::Error| (Status::of_class(e.class()), e.to_string());
    let argument = |m: &str| (Status::INVALID_ARGUMENT, m.to_owned());
    let mut store = TrustStore::new();
    if trust.is_empty() || trust.len() % PUBLIC_KEY_LEN != 0 {
        return Err(argument("trust must hold one or more 32-byte public keys"));
    }
    for chunk in trust.chunks_exact(PUBLIC_KEY_LEN) {
        let refused = |e: TrustError| (Status::of_trust_error(&e), e.to_string());
        let key: &[u8; PUBLIC_KEY_LEN] =
            chunk.try_into().map_err(|_| argument("trusted key size"))?;
        store
            .add(TrustedKey::from_public_key_bytes(key).map_err(refused)?)
            .map_err(refused)?;
    }
    let mut options = VerifyOptions::at(UnixTime::from_secs(now));
    options.kind = match kind {
        0 => None,
        1 => Some(KeyKind::InstanceRegistration),
        2 => Some(KeyKind::AgentEnrollment),
        _ => return Err(argument("kind must be 0 (any), 1 or 2")),
    };
    if !instance.is_empty() {
        let id: [u8; 16] = instance
            .try_into()
            .map_err(|_| argument("the instance id must be 16 bytes"))?;
        options.instance = Some(InstanceId(id));
    }
    if !version.is_empty() {
        let v = core::str::from_utf8(version)
            .ok()
            .and_then(GlpiVersion::parse)
            .ok_or_else(|| argument("the GLPI version must be MAJOR.MINOR, like 10.0"))?;
        options.glpi_version = Some(v);
    }
    let text = text.ok_or_else(|| library(glpi_key::Error::TooLong { max: MAX_INPUT_LEN }))?;
    let text = core::str::from_utf8(text).map_err(|e| {
        (
            Status::INVALID_UTF8,
            format!(
                "the key text is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let key = UnverifiedKey::parse_with_trust(text, &store).map_err(library)?;
    let license = key.verify(&store, &options).map_err(library)?;
    write_claims(&license, report);
    Ok(())
}

fn write_claims(l: &License<'_>, out: &mut String) {
    let c = l.claims();
    let opt = |v: Option<u64>| v.map_or(String::from("-"), |v| v.to_string());
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "status=valid\nshort_id={}\nserial={:016x}\nkind={}\ntier={}\nissued_at={}\nnot_before={}\nexpires_at={}\nentitlements={}\nmax_assets={}\nentity={}\ninstance={}\nowner={}",
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
        let mut out = vec![0u8; 2048];
        let s = unsafe {
            gk_verify(
                text.as_ptr(),
                text.len(),
                trust.as_ptr(),
                trust.len(),
                now,
                0,
                core::ptr::null(),
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
        assert!(out.starts_with("status=valid\n"));
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
