//! C ABI of `glpi-key`: verify GLPI registration keys from C, PHP (FFI), Go (cgo) or Python
//! (ctypes) without reimplementing the format.
//!
//! The header `ffi/include/glpi_key.h` is generated from this file by cbindgen; the doc
//! comments below are the C documentation.
//!
//! # Conventions (apply to every function)
//! - Every function returns a [`GlpiStatus`] (or a plain value documented as such) and never
//!   unwinds into the caller: a Rust panic is caught at the boundary and reported as
//!   `GLPI_STATUS_INTERNAL_ERROR`.
//! - Every pointer argument is checked for NULL. A required pointer that is NULL gives
//!   `GLPI_STATUS_NULL_POINTER`; optional pointers say so in their documentation.
//! - Ownership: the caller owns every buffer and struct it passes in; the library keeps no
//!   pointer to them after returning. The only object the library allocates is the
//!   `GlpiVerifier`, released with `glpi_verifier_free`.
//! - Thread safety: there is no global state. A `GlpiVerifier` is immutable after creation, so
//!   any number of threads may call `glpi_verify` on the same verifier at once; it must not be
//!   freed while another thread uses it. Output structs must not be shared between concurrent
//!   calls.
//!
//! # Example (C)
//! ```c
//! GlpiVerifier *v = NULL;
//! GlpiError err;
//! if (glpi_verifier_new(issuer_pub, 1, &v, &err) != GLPI_STATUS_OK) { puts(err.message); }
//! GlpiLicense lic;
//! if (glpi_verify(v, (const uint8_t *)text, strlen(text), time(NULL), GLPI_KIND_ANY, NULL,
//!                 "10.0", &lic, &err) == GLPI_STATUS_OK) { printf("%s %s\n", lic.short_id, lic.owner); }
//! else { printf("%s: %s\n", glpi_status_name(err.status), err.message); }
//! glpi_verifier_free(v);
//! ```

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use glpi_key::{
    CorrectionStatus, Error, GlpiVersion, InstanceId, KeyKind, License, Tier, TrustError,
    TrustStore, TrustedKey, UnixTime, UnverifiedKey, VerifyOptions, MAX_INPUT_LEN, MAX_OWNER_LEN,
    MAX_TRUSTED_KEYS,
};

/// Bytes in an issuer public key (Ed25519).
pub const GLPI_PUBLIC_KEY_LEN: usize = 32;

/// Bytes in a GLPI instance id (a UUID).
pub const GLPI_INSTANCE_ID_LEN: usize = 16;

/// The most trusted issuer keys one verifier holds.
pub const GLPI_MAX_TRUSTED_KEYS: usize = 16;

/// The longest key text accepted, in bytes; longer input is refused with
/// `GLPI_STATUS_TOO_LONG` before it is read.
pub const GLPI_MAX_INPUT_LEN: usize = 4096;

/// Size of `GlpiLicense.owner`: the longest owner (96 bytes of UTF-8) and a NUL.
pub const GLPI_OWNER_CAPACITY: usize = 97;

/// Size of `GlpiLicense.short_id`: `GLPI-XXXXXXXXXXXX-YYYYYY` (24 characters) and a NUL.
pub const GLPI_SHORT_ID_CAPACITY: usize = 25;

/// Size of `GlpiError.message`, NUL included. Every message of this version fits.
pub const GLPI_MESSAGE_CAPACITY: usize = 512;

const _: () = {
    assert!(GLPI_OWNER_CAPACITY == MAX_OWNER_LEN + 1);
    assert!(GLPI_MAX_TRUSTED_KEYS == MAX_TRUSTED_KEYS);
    assert!(GLPI_MAX_INPUT_LEN == MAX_INPUT_LEN);
};

/// The outcome of a call. `GLPI_STATUS_OK` is 0; values 1 to 19 are the verification failure
/// classes of the Rust library (their names, from `glpi_status_name`, are the `expect` strings
/// of `spec/vectors/keys.json`); values from 64 are failures at the C boundary.
/// Numbers are stable: new classes get new numbers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiStatus {
    /// Success (`valid`).
    Ok = 0,
    /// Nothing but white space or quote marks was given (`empty`).
    Empty = 1,
    /// The text does not start with `GLPI-` (`not-a-glpi-key`).
    NotAGlpiKey = 2,
    /// A character that is not a base32 symbol, a hyphen or white space (`invalid-character`);
    /// `GlpiError.position` gives its 1-based position.
    InvalidCharacter = 3,
    /// The text is longer than any key can be (`too-long`).
    TooLong = 4,
    /// A symbol was dropped or added, or the key was cut off (`wrong-length`).
    WrongLength = 5,
    /// The check symbols do not match: a typo (`checksum`). When one symbol is suspected,
    /// `GlpiError.position` and `GlpiError.suggestion` say which and what it should be.
    Checksum = 6,
    /// Stray padding bits: not produced by an issuer (`non-canonical`).
    NonCanonical = 7,
    /// A short ID was given instead of a full key (`short-id`).
    ShortId = 8,
    /// Unknown format version (`unsupported-version`).
    UnsupportedVersion = 9,
    /// Unknown object kind (`unknown-object-kind`).
    UnknownObjectKind = 10,
    /// The object is not of the kind asked for (`wrong-object-kind`).
    WrongObjectKind = 11,
    /// The signing issuer key is not trusted (`unknown-issuer`).
    UnknownIssuer = 12,
    /// The issuer key was not valid when the key says it was issued (`issuer-key-not-valid`).
    IssuerKeyNotValid = 13,
    /// The signature does not verify (`bad-signature`).
    BadSignature = 14,
    /// Signed, but the claims are malformed (`malformed-claims`).
    MalformedClaims = 15,
    /// The validity has not started (`not-yet-valid`).
    NotYetValid = 16,
    /// The key has expired (`expired`).
    Expired = 17,
    /// The key is bound to another instance (`wrong-instance`).
    WrongInstance = 18,
    /// The key does not cover this GLPI version (`unsupported-glpi-version`).
    UnsupportedGlpiVersion = 19,
    /// A failure class newer than this C API (`unknown-error`); the message explains it.
    UnknownError = 63,
    /// A required pointer argument was NULL (`null-pointer`).
    NullPointer = 64,
    /// The key text or a string argument is not valid UTF-8 (`invalid-utf8`).
    InvalidUtf8 = 65,
    /// An argument is out of range: unknown kind, malformed GLPI version (`invalid-argument`).
    InvalidArgument = 66,
    /// A trusted key is not an Ed25519 public key (`trusted-key-not-a-point`).
    TrustedKeyNotAPoint = 67,
    /// A trusted key is not canonically encoded (`trusted-key-non-canonical`).
    TrustedKeyNonCanonical = 68,
    /// A trusted key is weak (small order) (`trusted-key-small-order`).
    TrustedKeySmallOrder = 69,
    /// Two trusted keys have the same key id (`duplicate-trusted-key`).
    DuplicateTrustedKey = 70,
    /// More than `GLPI_MAX_TRUSTED_KEYS` keys (`too-many-trusted-keys`).
    TooManyTrustedKeys = 71,
    /// No trusted key was given (`no-trusted-keys`).
    NoTrustedKeys = 72,
    /// An internal error (a caught panic); please report it (`internal-error`).
    InternalError = 73,
}

impl GlpiStatus {
    /// The stable lowercase name; for verification failures, `glpi_key::Error::code()`.
    pub fn name(self) -> &'static str {
        let name = self.c_name();
        name.strip_suffix('\0').unwrap_or(name)
    }

    /// The name with its terminating NUL, for C.
    const fn c_name(self) -> &'static str {
        match self {
            GlpiStatus::Ok => "valid\0",
            GlpiStatus::Empty => "empty\0",
            GlpiStatus::NotAGlpiKey => "not-a-glpi-key\0",
            GlpiStatus::InvalidCharacter => "invalid-character\0",
            GlpiStatus::TooLong => "too-long\0",
            GlpiStatus::WrongLength => "wrong-length\0",
            GlpiStatus::Checksum => "checksum\0",
            GlpiStatus::NonCanonical => "non-canonical\0",
            GlpiStatus::ShortId => "short-id\0",
            GlpiStatus::UnsupportedVersion => "unsupported-version\0",
            GlpiStatus::UnknownObjectKind => "unknown-object-kind\0",
            GlpiStatus::WrongObjectKind => "wrong-object-kind\0",
            GlpiStatus::UnknownIssuer => "unknown-issuer\0",
            GlpiStatus::IssuerKeyNotValid => "issuer-key-not-valid\0",
            GlpiStatus::BadSignature => "bad-signature\0",
            GlpiStatus::MalformedClaims => "malformed-claims\0",
            GlpiStatus::NotYetValid => "not-yet-valid\0",
            GlpiStatus::Expired => "expired\0",
            GlpiStatus::WrongInstance => "wrong-instance\0",
            GlpiStatus::UnsupportedGlpiVersion => "unsupported-glpi-version\0",
            GlpiStatus::UnknownError => "unknown-error\0",
            GlpiStatus::NullPointer => "null-pointer\0",
            GlpiStatus::InvalidUtf8 => "invalid-utf8\0",
            GlpiStatus::InvalidArgument => "invalid-argument\0",
            GlpiStatus::TrustedKeyNotAPoint => "trusted-key-not-a-point\0",
            GlpiStatus::TrustedKeyNonCanonical => "trusted-key-non-canonical\0",
            GlpiStatus::TrustedKeySmallOrder => "trusted-key-small-order\0",
            GlpiStatus::DuplicateTrustedKey => "duplicate-trusted-key\0",
            GlpiStatus::TooManyTrustedKeys => "too-many-trusted-keys\0",
            GlpiStatus::NoTrustedKeys => "no-trusted-keys\0",
            GlpiStatus::InternalError => "internal-error\0",
        }
    }

    /// Every status, in number order.
    const ALL: [GlpiStatus; 31] = [
        GlpiStatus::Ok,
        GlpiStatus::Empty,
        GlpiStatus::NotAGlpiKey,
        GlpiStatus::InvalidCharacter,
        GlpiStatus::TooLong,
        GlpiStatus::WrongLength,
        GlpiStatus::Checksum,
        GlpiStatus::NonCanonical,
        GlpiStatus::ShortId,
        GlpiStatus::UnsupportedVersion,
        GlpiStatus::UnknownObjectKind,
        GlpiStatus::WrongObjectKind,
        GlpiStatus::UnknownIssuer,
        GlpiStatus::IssuerKeyNotValid,
        GlpiStatus::BadSignature,
        GlpiStatus::MalformedClaims,
        GlpiStatus::NotYetValid,
        GlpiStatus::Expired,
        GlpiStatus::WrongInstance,
        GlpiStatus::UnsupportedGlpiVersion,
        GlpiStatus::UnknownError,
        GlpiStatus::NullPointer,
        GlpiStatus::InvalidUtf8,
        GlpiStatus::InvalidArgument,
        GlpiStatus::TrustedKeyNotAPoint,
        GlpiStatus::TrustedKeyNonCanonical,
        GlpiStatus::TrustedKeySmallOrder,
        GlpiStatus::DuplicateTrustedKey,
        GlpiStatus::TooManyTrustedKeys,
        GlpiStatus::NoTrustedKeys,
        GlpiStatus::InternalError,
    ];

    /// The status with this number, if any.
    pub fn from_u32(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u32 == code)
    }

    /// The status of a verification failure.
    pub fn of_error(e: &Error) -> Self {
        match e {
            Error::Empty => GlpiStatus::Empty,
            Error::NotAGlpiKey => GlpiStatus::NotAGlpiKey,
            Error::InvalidCharacter { .. } => GlpiStatus::InvalidCharacter,
            Error::TooLong { .. } => GlpiStatus::TooLong,
            Error::WrongLength { .. } => GlpiStatus::WrongLength,
            Error::Checksum(_) => GlpiStatus::Checksum,
            Error::NonCanonical => GlpiStatus::NonCanonical,
            Error::ShortIdNotKey(_) => GlpiStatus::ShortId,
            Error::UnsupportedVersion { .. } => GlpiStatus::UnsupportedVersion,
            Error::UnknownObjectKind { .. } => GlpiStatus::UnknownObjectKind,
            Error::WrongObjectKind { .. } => GlpiStatus::WrongObjectKind,
            Error::UnknownIssuer { .. } => GlpiStatus::UnknownIssuer,
            Error::IssuerKeyNotValid { .. } => GlpiStatus::IssuerKeyNotValid,
            Error::BadSignature => GlpiStatus::BadSignature,
            Error::MalformedClaims(_) => GlpiStatus::MalformedClaims,
            Error::NotYetValid { .. } => GlpiStatus::NotYetValid,
            Error::Expired { .. } => GlpiStatus::Expired,
            Error::WrongInstance { .. } => GlpiStatus::WrongInstance,
            Error::UnsupportedGlpiVersion { .. } => GlpiStatus::UnsupportedGlpiVersion,
            _ => GlpiStatus::UnknownError,
        }
    }

    /// The status of an issuer key refused by the trust store.
    pub fn of_trust_error(e: &TrustError) -> Self {
        match e {
            TrustError::NotAPoint => GlpiStatus::TrustedKeyNotAPoint,
            TrustError::NonCanonical => GlpiStatus::TrustedKeyNonCanonical,
            TrustError::SmallOrder => GlpiStatus::TrustedKeySmallOrder,
            TrustError::DuplicateKeyId(_) => GlpiStatus::DuplicateTrustedKey,
            TrustError::Full => GlpiStatus::TooManyTrustedKeys,
            _ => GlpiStatus::UnknownError,
        }
    }
}

/// The kind of key to accept (argument of `glpi_verify`) or found (`GlpiLicense.kind`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiKind {
    /// Either kind (only as an argument).
    Any = 0,
    /// A key registering a GLPI instance.
    InstanceRegistration = 1,
    /// A key enrolling inventory agents into an entity.
    AgentEnrollment = 2,
}

impl GlpiKind {
    fn of(kind: KeyKind) -> Self {
        match kind {
            KeyKind::InstanceRegistration => GlpiKind::InstanceRegistration,
            KeyKind::AgentEnrollment => GlpiKind::AgentEnrollment,
        }
    }
}

/// The subscription tier of a verified key.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiTier {
    /// Free (community).
    Free = 0,
    /// Starter.
    Starter = 1,
    /// Basic.
    Basic = 2,
    /// Standard.
    Standard = 3,
    /// Advanced.
    Advanced = 4,
}

impl GlpiTier {
    fn of(tier: Tier) -> Self {
        match tier {
            Tier::Free => GlpiTier::Free,
            Tier::Starter => GlpiTier::Starter,
            Tier::Basic => GlpiTier::Basic,
            Tier::Standard => GlpiTier::Standard,
            Tier::Advanced => GlpiTier::Advanced,
        }
    }
}

/// The claims of a verified key. Plain data, owned by the caller (usually on its stack);
/// `glpi_verify` fills every field on success and leaves it untouched on failure. A field
/// with a `has_` flag is meaningful only when the flag is true. Times are Unix seconds (UTC).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiLicense {
    /// The kind of key (never `GLPI_KIND_ANY`).
    pub kind: GlpiKind,
    /// The subscription tier.
    pub tier: GlpiTier,
    /// The key's serial (60 bits).
    pub serial: u64,
    /// The public short ID, `GLPI-XXXXXXXXXXXX-YYYYYY`, NUL-terminated.
    pub short_id: [c_char; GLPI_SHORT_ID_CAPACITY],
    /// The id of the issuer key that signed it.
    pub issuer_key_id: [u8; 4],
    /// When the key was issued.
    pub issued_at: u64,
    /// Start of validity.
    pub not_before: u64,
    /// End of validity (exclusive), when `has_expires_at`; otherwise the key is perpetual.
    pub expires_at: u64,
    /// Whether the key expires.
    pub has_expires_at: bool,
    /// Entitlement bits: 1 marketplace, 2 network plugins, 4 level-3 support; other bits may
    /// be granted by newer issuers.
    pub entitlements: u32,
    /// The most assets the instance may manage, when `has_max_assets`.
    pub max_assets: u32,
    /// Whether `max_assets` is set.
    pub has_max_assets: bool,
    /// The entity new agents are assigned to (agent enrollment keys), when `has_entity`.
    pub entity: u32,
    /// Whether `entity` is set.
    pub has_entity: bool,
    /// The instance UUID the key is bound to, when `has_instance`.
    pub instance: [u8; GLPI_INSTANCE_ID_LEN],
    /// Whether the key is bound to an instance.
    pub has_instance: bool,
    /// First covered GLPI version (major, minor), when `has_glpi_versions`.
    pub glpi_version_min: [u8; 2],
    /// Last covered GLPI version (major, minor), when `has_glpi_versions`.
    pub glpi_version_max: [u8; 2],
    /// Whether the key is restricted to some GLPI versions.
    pub has_glpi_versions: bool,
    /// The serial of the key this one renews, when `has_supersedes`.
    pub supersedes: u64,
    /// Whether `supersedes` is set.
    pub has_supersedes: bool,
    /// The owner, UTF-8, NUL-terminated (owners never contain NUL in practice; `owner_len`
    /// is exact regardless).
    pub owner: [c_char; GLPI_OWNER_CAPACITY],
    /// Bytes in `owner`, NUL excluded.
    pub owner_len: usize,
}

/// Why a call failed. Plain data, owned by the caller; filled by every function taking it
/// (also on success: status `GLPI_STATUS_OK`, empty message).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiError {
    /// The status the call returned.
    pub status: GlpiStatus,
    /// For `GLPI_STATUS_INVALID_CHARACTER`: the 1-based character position of the bad
    /// character; for `GLPI_STATUS_CHECKSUM` with a suggestion: of the suspect character; for
    /// trusted-key failures: the 1-based index of the refused key. 0 otherwise.
    pub position: usize,
    /// For `GLPI_STATUS_CHECKSUM`: the character that probably belongs at `position`, or NUL
    /// when no single symbol is suspected.
    pub suggestion: c_char,
    /// Whether the suggested correction also makes the signature verify (almost certain).
    pub suggestion_confirmed: bool,
    /// What went wrong and what to do, for a person: UTF-8, NUL-terminated.
    pub message: [c_char; GLPI_MESSAGE_CAPACITY],
}

/// A set of trusted issuer public keys. Opaque; made by `glpi_verifier_new`, released by
/// `glpi_verifier_free`.
pub struct GlpiVerifier {
    trust: TrustStore,
}

/// A failure on its way to the caller.
struct Failure {
    status: GlpiStatus,
    position: usize,
    suggestion: Option<(char, bool)>,
    message: String,
}

impl Failure {
    fn new(status: GlpiStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            position: 0,
            suggestion: None,
            message: message.into(),
        }
    }

    fn null(argument: &str) -> Self {
        Failure::new(
            GlpiStatus::NullPointer,
            format!("the argument `{argument}` is NULL: pass a valid pointer"),
        )
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let mut f = Failure::new(GlpiStatus::of_error(&e), e.to_string());
        match e {
            Error::InvalidCharacter { position, .. } => f.position = position,
            Error::Checksum(c) => {
                if let Some(s) = c.suggestion {
                    f.position = s.position;
                    let confirmed = s.status == CorrectionStatus::ConfirmedBySignature;
                    f.suggestion = Some((s.replacement, confirmed));
                }
            }
            _ => {}
        }
        f
    }
}

/// Copies `s` into `dst` as a NUL-terminated string, cut at a character boundary if it does not
/// fit. Returns the bytes written, NUL excluded.
fn copy_c_str(dst: &mut [c_char], s: &str) -> usize {
    let Some(room) = dst.len().checked_sub(1) else {
        return 0;
    };
    let mut n = s.len().min(room);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    for (d, b) in dst
        .iter_mut()
        .zip(s.as_bytes().get(..n).unwrap_or_default())
    {
        *d = *b as c_char;
    }
    if let Some(nul) = dst.get_mut(n) {
        *nul = 0;
    }
    n
}

/// Writes the outcome of a call into the optional error record and returns its status.
fn finish(outcome: std::thread::Result<Result<(), Failure>>, error: *mut GlpiError) -> GlpiStatus {
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(f)) => Some(f),
        Err(_) => Some(Failure::new(
            GlpiStatus::InternalError,
            "internal error in glpi-key (a bug): please report it with the key text that caused it",
        )),
    };
    let status = failure.as_ref().map_or(GlpiStatus::Ok, |f| f.status);
    if !error.is_null() {
        let mut record = GlpiError {
            status,
            position: 0,
            suggestion: 0,
            suggestion_confirmed: false,
            message: [0; GLPI_MESSAGE_CAPACITY],
        };
        if let Some(f) = failure {
            record.position = f.position;
            if let Some((c, confirmed)) = f.suggestion {
                // Suggestions are base32 symbols: always ASCII.
                record.suggestion = c as u8 as c_char;
                record.suggestion_confirmed = confirmed;
            }
            copy_c_str(&mut record.message, &f.message);
        }
        // SAFETY: `error` is non-null and, per the contract, points to writable memory for one
        // `GlpiError`; `write` does not read the (possibly uninitialised) old value.
        unsafe { error.write(record) };
    }
    status
}

/// Creates a verifier trusting `key_count` issuer public keys, given back to back as
/// `key_count * GLPI_PUBLIC_KEY_LEN` bytes at `public_keys`.
///
/// Each key is checked: one that is not a canonical Ed25519 public key, or is weak (small
/// order), is refused with its own status and `error->position` set to its 1-based index.
///
/// - `public_keys`: required; read only during the call.
/// - `out`: required; on success receives a new verifier that the caller owns and must release
///   with `glpi_verifier_free`; set to NULL on failure.
/// - `error`: optional (may be NULL); filled on return.
///
/// Thread safety: safe to call from any thread.
///
/// # Safety
/// `public_keys` must point to `key_count * 32` readable bytes; `out` and `error` (when not
/// NULL) must point to writable memory for one value of their type.
#[no_mangle]
pub unsafe extern "C" fn glpi_verifier_new(
    public_keys: *const u8,
    key_count: usize,
    out: *mut *mut GlpiVerifier,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: `out` is non-null and writable per the contract.
        unsafe { out.write(std::ptr::null_mut()) };
        if public_keys.is_null() {
            return Err(Failure::null("public_keys"));
        }
        if key_count == 0 {
            return Err(Failure::new(
                GlpiStatus::NoTrustedKeys,
                "no trusted issuer key was given: pass at least one 32-byte Ed25519 public key",
            ));
        }
        if key_count > GLPI_MAX_TRUSTED_KEYS {
            return Err(Failure::new(
                GlpiStatus::TooManyTrustedKeys,
                format!("{key_count} trusted issuer keys were given; at most {GLPI_MAX_TRUSTED_KEYS} are supported"),
            ));
        }
        // SAFETY: non-null, and the caller guarantees `key_count * 32` readable bytes
        // (key_count <= 16, so the product cannot overflow).
        let bytes =
            unsafe { std::slice::from_raw_parts(public_keys, key_count * GLPI_PUBLIC_KEY_LEN) };
        let mut trust = TrustStore::new();
        for (i, chunk) in bytes.chunks_exact(GLPI_PUBLIC_KEY_LEN).enumerate() {
            let refused = |e: TrustError| Failure {
                position: i + 1,
                ..Failure::new(
                    GlpiStatus::of_trust_error(&e),
                    format!("trusted key {} of {key_count}: {e}", i + 1),
                )
            };
            let key: &[u8; GLPI_PUBLIC_KEY_LEN] = chunk
                .try_into()
                .map_err(|_| Failure::new(GlpiStatus::InternalError, "key chunk size"))?;
            let key = TrustedKey::from_public_key_bytes(key).map_err(refused)?;
            trust.add(key).map_err(refused)?;
        }
        let verifier = Box::into_raw(Box::new(GlpiVerifier { trust }));
        // SAFETY: `out` is non-null and writable per the contract.
        unsafe { out.write(verifier) };
        Ok(())
    }));
    finish(outcome, error)
}

/// Releases a verifier made by `glpi_verifier_new`. NULL is accepted and ignored.
///
/// Thread safety: no other thread may use the verifier during or after this call.
///
/// # Safety
/// `verifier` must be NULL or a pointer returned by `glpi_verifier_new` and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn glpi_verifier_free(verifier: *mut GlpiVerifier) {
    if verifier.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the pointer came from `Box::into_raw` in `glpi_verifier_new` and, per the
        // contract, has not been freed; ownership returns to the Box, which drops it.
        drop(unsafe { Box::from_raw(verifier) });
    }));
}

/// Verifies a key text offline and, on success, fills `license` with its claims.
///
/// Checks, in order: the text (prefix, characters, length, check symbols, with a suggested
/// fix for a single typo, confirmed against the signature when possible), the kind, the
/// issuer, the Ed25519 signature (strict), the claims, the issuer key window, the validity
/// period at `now`, the instance binding and the GLPI version.
///
/// - `verifier`: required; only read.
/// - `text`, `text_len`: required; the key as the user gave it (white space, quotes, grouping,
///   lowercase are tolerated), UTF-8, not NUL-terminated. Read only during the call; more
///   than `GLPI_MAX_INPUT_LEN` bytes is refused unread.
/// - `now`: the current time in Unix seconds (the library has no clock).
/// - `kind`: a `GlpiKind` value; `GLPI_KIND_ANY` accepts either kind.
/// - `instance`: optional; this instance's 16-byte UUID. When given, a key bound to another
///   instance is refused. When NULL, read the binding from `license->instance`.
/// - `glpi_version`: optional; this GLPI version as a NUL-terminated string (`"10.0"` or
///   `"10.0.17"`). When given, a key restricted to other versions is refused.
/// - `license`: required; written only on success.
/// - `error`: optional (may be NULL); filled on return with the status and a message.
///
/// Thread safety: any number of threads may verify with the same verifier at once.
///
/// # Safety
/// Every non-null pointer must be valid for its documented size: `text` for `text_len`
/// bytes, `instance` for 16 bytes, `glpi_version` up to and including its NUL, `license` and
/// `error` writable for one value of their type.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn glpi_verify(
    verifier: *const GlpiVerifier,
    text: *const u8,
    text_len: usize,
    now: u64,
    kind: u32,
    instance: *const u8,
    glpi_version: *const c_char,
    license: *mut GlpiLicense,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if verifier.is_null() {
            return Err(Failure::null("verifier"));
        }
        if text.is_null() {
            return Err(Failure::null("text"));
        }
        if license.is_null() {
            return Err(Failure::null("license"));
        }
        // SAFETY: non-null and, per the contract, a live verifier from `glpi_verifier_new`.
        let verifier = unsafe { &*verifier };
        let mut options = VerifyOptions::at(UnixTime::from_secs(now));
        options.kind = match kind {
            0 => None,
            1 => Some(KeyKind::InstanceRegistration),
            2 => Some(KeyKind::AgentEnrollment),
            other => {
                return Err(Failure::new(
                    GlpiStatus::InvalidArgument,
                    format!("kind {other} is unknown: pass GLPI_KIND_ANY (0), GLPI_KIND_INSTANCE_REGISTRATION (1) or GLPI_KIND_AGENT_ENROLLMENT (2)"),
                ))
            }
        };
        if !instance.is_null() {
            // SAFETY: non-null; the caller guarantees 16 readable bytes.
            let id = unsafe {
                instance
                    .cast::<[u8; GLPI_INSTANCE_ID_LEN]>()
                    .read_unaligned()
            };
            options.instance = Some(InstanceId(id));
        }
        if !glpi_version.is_null() {
            // SAFETY: non-null; the caller guarantees a NUL-terminated string.
            let v = unsafe { CStr::from_ptr(glpi_version) };
            let v = v.to_str().map_err(|_| {
                Failure::new(GlpiStatus::InvalidUtf8, "the GLPI version is not valid UTF-8: pass it as \"MAJOR.MINOR\", for example \"10.0\"")
            })?;
            options.glpi_version = Some(GlpiVersion::parse(v).ok_or_else(|| {
                Failure::new(
                    GlpiStatus::InvalidArgument,
                    format!("the GLPI version {v:?} is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH (for example \"10.0\")"),
                )
            })?);
        }
        if text_len > GLPI_MAX_INPUT_LEN {
            return Err(Error::TooLong {
                max: GLPI_MAX_INPUT_LEN,
            }
            .into());
        }
        // SAFETY: non-null; the caller guarantees `text_len` readable bytes, and
        // `text_len <= GLPI_MAX_INPUT_LEN` is far below `isize::MAX`.
        let bytes = unsafe { std::slice::from_raw_parts(text, text_len) };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Failure::new(
                GlpiStatus::InvalidUtf8,
                format!(
                    "the key text is not valid UTF-8 (bad byte at offset {}): pass the key as UTF-8 text",
                    e.valid_up_to()
                ),
            )
        })?;
        let key = UnverifiedKey::parse_with_trust(text, &verifier.trust)?;
        let verified = key.verify(&verifier.trust, &options)?;
        let record = license_record(&verified);
        // SAFETY: `license` is non-null and writable per the contract.
        unsafe { license.write(record) };
        Ok(())
    }));
    finish(outcome, error)
}

fn license_record(l: &License<'_>) -> GlpiLicense {
    let c = l.claims();
    let mut record = GlpiLicense {
        kind: GlpiKind::of(c.kind),
        tier: GlpiTier::of(c.tier),
        serial: c.serial.value(),
        short_id: [0; GLPI_SHORT_ID_CAPACITY],
        issuer_key_id: l.issuer_key_id().0,
        issued_at: c.issued_at.as_secs(),
        not_before: c.not_before.as_secs(),
        expires_at: c.expires_at.map_or(0, UnixTime::as_secs),
        has_expires_at: c.expires_at.is_some(),
        entitlements: c.entitlements.bits(),
        max_assets: c.max_assets.unwrap_or(0),
        has_max_assets: c.max_assets.is_some(),
        entity: c.entity.unwrap_or(0),
        has_entity: c.entity.is_some(),
        instance: c.instance.map_or([0; GLPI_INSTANCE_ID_LEN], |i| i.0),
        has_instance: c.instance.is_some(),
        glpi_version_min: c
            .glpi_versions
            .map_or([0; 2], |r| [r.min.major, r.min.minor]),
        glpi_version_max: c
            .glpi_versions
            .map_or([0; 2], |r| [r.max.major, r.max.minor]),
        has_glpi_versions: c.glpi_versions.is_some(),
        supersedes: c.supersedes.map_or(0, |s| s.value()),
        has_supersedes: c.supersedes.is_some(),
        owner: [0; GLPI_OWNER_CAPACITY],
        owner_len: 0,
    };
    copy_c_str(&mut record.short_id, &l.short_id().to_string());
    record.owner_len = copy_c_str(&mut record.owner, c.owner);
    record
}

/// Copies the message of `error` into `buf` (`buf_len` bytes, NUL included), cut at a
/// character boundary when it does not fit, like `snprintf`. Returns the message's full
/// length in bytes, NUL excluded; 0 when `error` is NULL.
///
/// - `error`: required (NULL gives 0); a record filled by this library; only read.
/// - `buf`: optional (NULL, or `buf_len` 0, just measures); caller-owned.
///
/// Thread safety: safe from any thread.
///
/// # Safety
/// `error` must point to a readable `GlpiError`; `buf` must be writable for `buf_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn glpi_error_message(
    error: *const GlpiError,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    catch_unwind(AssertUnwindSafe(|| {
        if error.is_null() {
            return 0;
        }
        // SAFETY: non-null and readable per the contract; `addr_of!` reads the array without
        // asserting anything about the rest of the record.
        let message = unsafe { &*std::ptr::addr_of!((*error).message) };
        let len = message
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(GLPI_MESSAGE_CAPACITY);
        let bytes: Vec<u8> = message.iter().take(len).map(|&c| c as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        if !buf.is_null() && buf_len > 0 {
            // SAFETY: non-null and writable for `buf_len` bytes per the contract.
            let out = unsafe { std::slice::from_raw_parts_mut(buf, buf_len) };
            copy_c_str(out, &text);
        }
        text.len()
    }))
    .unwrap_or(0)
}

/// The stable name of a status (`"valid"`, `"checksum"`, `"expired"`, …): for verification
/// failures the error class used by `spec/vectors/keys.json` and every other binding.
/// An unknown number gives `"unknown-status"`.
///
/// Ownership: the returned string is static and NUL-terminated; never free it.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn glpi_status_name(status: u32) -> *const c_char {
    let name = GlpiStatus::from_u32(status).map_or("unknown-status\0", GlpiStatus::c_name);
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glpi_key::{Claims, Issuer, Serial, TextStyle};

    const NOW: u64 = 1_800_000_000;

    fn issuer() -> Issuer {
        Issuer::from_secret_key_bytes(&[9u8; 32])
    }

    fn key_text(expires: Option<u64>) -> String {
        let issued = UnixTime::from_secs(NOW - 86_400).floor_to_minute();
        let mut claims = Claims::new(
            Serial::new(0xABCDEF).unwrap(),
            KeyKind::InstanceRegistration,
            Tier::Advanced,
            "Tëst Owner",
            issued,
        );
        claims.expires_at = expires.map(|s| UnixTime::from_secs(s).floor_to_minute());
        claims.max_assets = Some(500);
        issuer()
            .issue(&claims)
            .unwrap()
            .text(TextStyle::Compact)
            .to_string()
    }

    fn verifier() -> *mut GlpiVerifier {
        let pk = issuer().trusted_key().unwrap().public_key_bytes();
        let mut v = std::ptr::null_mut();
        let s = unsafe { glpi_verifier_new(pk.as_ptr(), 1, &mut v, std::ptr::null_mut()) };
        assert_eq!(s, GlpiStatus::Ok);
        assert!(!v.is_null());
        v
    }

    fn message(e: &GlpiError) -> String {
        unsafe { CStr::from_ptr(e.message.as_ptr()) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    fn verify(v: *const GlpiVerifier, text: &[u8]) -> (GlpiStatus, GlpiLicense, GlpiError) {
        let mut lic = std::mem::MaybeUninit::<GlpiLicense>::zeroed();
        let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
        let s = unsafe {
            glpi_verify(
                v,
                text.as_ptr(),
                text.len(),
                NOW,
                0,
                std::ptr::null(),
                c"10.0".as_ptr(),
                lic.as_mut_ptr(),
                err.as_mut_ptr(),
            )
        };
        unsafe { (s, lic.assume_init(), err.assume_init()) }
    }

    #[test]
    fn names_match_the_library_error_codes() {
        let samples = [
            Error::Empty,
            Error::NotAGlpiKey,
            Error::TooLong { max: 1 },
            Error::WrongLength { symbols: 3 },
            Error::NonCanonical,
            Error::UnsupportedVersion { found: 2 },
            Error::UnknownObjectKind { found: 9 },
            Error::BadSignature,
            Error::InvalidCharacter {
                character: 'x',
                position: 1,
            },
        ];
        for e in samples {
            assert_eq!(GlpiStatus::of_error(&e).name(), e.code());
        }
        for (i, s) in GlpiStatus::ALL.iter().enumerate() {
            assert_eq!(GlpiStatus::from_u32(*s as u32), Some(*s));
            assert!(GlpiStatus::ALL[..i].iter().all(|o| o.name() != s.name()));
            let c = unsafe { CStr::from_ptr(glpi_status_name(*s as u32)) };
            assert_eq!(c.to_str().unwrap(), s.name());
        }
    }

    #[test]
    fn verifies_and_fills_the_license() {
        let v = verifier();
        let text = key_text(Some(NOW + 86_400));
        let (s, lic, err) = verify(v, text.as_bytes());
        assert_eq!(s, GlpiStatus::Ok, "{}", message(&err));
        assert_eq!(err.status, GlpiStatus::Ok);
        assert_eq!(message(&err), "");
        assert_eq!(lic.serial, 0xABCDEF);
        assert_eq!(lic.tier, GlpiTier::Advanced);
        assert_eq!(lic.kind, GlpiKind::InstanceRegistration);
        assert!(lic.has_max_assets && lic.max_assets == 500);
        assert!(!lic.has_entity && !lic.has_instance && lic.has_expires_at);
        let owner = unsafe { CStr::from_ptr(lic.owner.as_ptr()) };
        assert_eq!(owner.to_str().unwrap(), "Tëst Owner");
        assert_eq!(lic.owner_len, "Tëst Owner".len());
        let short = unsafe { CStr::from_ptr(lic.short_id.as_ptr()) };
        assert_eq!(
            short.to_str().unwrap(),
            Serial::new(0xABCDEF).unwrap().short_id().to_string()
        );
        unsafe { glpi_verifier_free(v) };
    }

    #[test]
    fn reports_failures_with_messages() {
        let v = verifier();
        let (s, _, err) = verify(v, key_text(Some(NOW - 60)).as_bytes());
        assert_eq!(s, GlpiStatus::Expired);
        assert!(message(&err).contains("expired"));

        // One mistyped symbol: located, and confirmed by the signature.
        let mut text = key_text(None).into_bytes();
        let at = 20;
        text[at] = if text[at] == b'A' { b'B' } else { b'A' };
        let (s, _, err) = verify(v, &text);
        assert_eq!(s, GlpiStatus::Checksum);
        assert_eq!(err.position, at + 1);
        assert!(err.suggestion != 0 && err.suggestion_confirmed);
        assert!(message(&err).contains("should almost certainly be"));

        let (s, _, err) = verify(v, b"GLPI-\xff\xfe");
        assert_eq!(s, GlpiStatus::InvalidUtf8);
        assert!(message(&err).contains("offset 5"));
        assert_eq!(verify(v, b"").0, GlpiStatus::Empty);
        assert_eq!(verify(v, &[b' '; 5000]).0, GlpiStatus::TooLong);
        unsafe { glpi_verifier_free(v) };
    }

    #[test]
    fn null_pointers_and_bad_arguments_are_refused() {
        let v = verifier();
        let text = key_text(None);
        let mut lic = std::mem::MaybeUninit::<GlpiLicense>::uninit();
        let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
        let call = |v: *const GlpiVerifier, t: *const u8, kind: u32, lic, err| unsafe {
            glpi_verify(
                v,
                t,
                text.len(),
                NOW,
                kind,
                std::ptr::null(),
                std::ptr::null(),
                lic,
                err,
            )
        };
        let (l, e) = (lic.as_mut_ptr(), err.as_mut_ptr());
        assert_eq!(
            call(std::ptr::null(), text.as_ptr(), 0, l, e),
            GlpiStatus::NullPointer
        );
        assert!(message(unsafe { &*e }).contains("`verifier`"));
        assert_eq!(call(v, std::ptr::null(), 0, l, e), GlpiStatus::NullPointer);
        assert_eq!(
            call(v, text.as_ptr(), 0, std::ptr::null_mut(), e),
            GlpiStatus::NullPointer
        );
        assert_eq!(call(v, text.as_ptr(), 7, l, e), GlpiStatus::InvalidArgument);
        assert_eq!(
            call(v, text.as_ptr(), 2, l, std::ptr::null_mut()),
            GlpiStatus::WrongObjectKind
        );
        assert_eq!(call(v, text.as_ptr(), 1, l, e), GlpiStatus::Ok);

        let mut out = std::ptr::null_mut();
        let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
        let s = unsafe { glpi_verifier_new([0u8; 32].as_ptr(), 1, &mut out, err.as_mut_ptr()) };
        assert_eq!(s, GlpiStatus::TrustedKeySmallOrder);
        let err = unsafe { err.assume_init() };
        assert_eq!(err.position, 1);
        assert!(out.is_null());
        let s = unsafe { glpi_verifier_new(std::ptr::null(), 1, &mut out, std::ptr::null_mut()) };
        assert_eq!(s, GlpiStatus::NullPointer);
        let s = unsafe { glpi_verifier_new([0u8; 32].as_ptr(), 0, &mut out, std::ptr::null_mut()) };
        assert_eq!(s, GlpiStatus::NoTrustedKeys);
        let s = unsafe {
            glpi_verifier_new(
                [0u8; 32].as_ptr(),
                1,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(s, GlpiStatus::NullPointer);
        unsafe { glpi_verifier_free(std::ptr::null_mut()) };
        unsafe { glpi_verifier_free(v) };
    }

    #[test]
    fn error_message_copies_like_snprintf() {
        let v = verifier();
        let (_, _, err) = verify(v, b"hello");
        let full = message(&err);
        let n = unsafe { glpi_error_message(&err, std::ptr::null_mut(), 0) };
        assert_eq!(n, full.len());
        let mut small = [0 as c_char; 10];
        let n = unsafe { glpi_error_message(&err, small.as_mut_ptr(), small.len()) };
        assert_eq!(n, full.len());
        let cut = unsafe { CStr::from_ptr(small.as_ptr()) }.to_str().unwrap();
        assert_eq!(cut, &full[..9]);
        assert_eq!(
            unsafe { glpi_error_message(std::ptr::null(), small.as_mut_ptr(), 10) },
            0
        );
        unsafe { glpi_verifier_free(v) };
    }

    #[test]
    fn copy_c_str_cuts_at_a_char_boundary() {
        let mut buf = [1 as c_char; 4];
        assert_eq!(copy_c_str(&mut buf, "aéé"), 3);
        assert_eq!(buf[3], 0);
        let mut none: [c_char; 0] = [];
        assert_eq!(copy_c_str(&mut none, "x"), 0);
    }
}
