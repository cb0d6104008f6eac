//! The verifier handle: `glpi_verifier_new`, `glpi_verifier_free` and `glpi_verify`.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use glpi_key::{TrustError, TrustStore, TrustedKey, UnixTime, UnverifiedKey, VerifyOptions};

use crate::args;
use crate::boundary::finish;
use crate::status::{Failure, GlpiStatus};
use crate::types::{
    license_record, GlpiError, GlpiKind, GlpiLicense, GLPI_MAX_TRUSTED_KEYS, GLPI_PUBLIC_KEY_LEN,
};

/// A set of trusted issuer public keys. Opaque; made by `glpi_verifier_new`, released by
/// `glpi_verifier_free`.
pub struct GlpiVerifier {
    trust: TrustStore,
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
/// Checks, in order: the arguments (kind, instance and flags, GLPI version), the text (prefix,
/// characters, length, check symbols, with a suggested fix for a single typo, confirmed against
/// the signature when possible), the kind, the issuer, the Ed25519 signature (strict), the
/// claims, the issuer key window, the validity period at `now`, the binding to a given
/// instance, the GLPI version, and last the binding of a key when no instance was given (the
/// same rule as `glpi_site_verify`).
///
/// Stateless: it keeps nothing between calls, so it cannot refuse an older revocation list, a
/// clock set back, or a key a renewal superseded. A host that can keep a directory uses
/// `glpi_site_verify` instead.
///
/// - `verifier`: required; only read.
/// - `text`, `text_len`: required; the key as the user gave it (white space, quotes, grouping,
///   lowercase are tolerated), UTF-8, not NUL-terminated. Read only during the call; more
///   than `GLPI_MAX_INPUT_LEN` bytes is refused unread.
/// - `now`: the current time in Unix seconds (the library has no clock).
/// - `kind`: required, the `GlpiKind` this host accepts (`GLPI_KIND_INSTANCE_REGISTRATION` or
///   `GLPI_KIND_AGENT_ENROLLMENT`); a key of the other kind is refused with
///   `GLPI_STATUS_WRONG_OBJECT_KIND`. 0 or an unknown value gives
///   `GLPI_STATUS_INVALID_ARGUMENT`: there is no "either kind".
/// - `instance`: optional; this instance's 16-byte UUID. When given, a key bound to another
///   instance is refused with `GLPI_STATUS_WRONG_INSTANCE`. When NULL, a key bound to an
///   instance is refused with `GLPI_STATUS_INSTANCE_REQUIRED`, unless `flags` holds
///   `GLPI_INSECURE_SKIP_INSTANCE_BINDING`.
/// - `flags`: 0, or `GLPI_INSECURE_SKIP_INSTANCE_BINDING` (only with `instance` NULL: the
///   binding is then NOT checked, and `license->instance_not_checked` says so for a bound key);
///   other bits, or the flag with an instance, give `GLPI_STATUS_INVALID_ARGUMENT`.
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
    flags: u32,
    glpi_version: *const c_char,
    license: *mut GlpiLicense,
    error: *mut GlpiError,
) -> GlpiStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if verifier.is_null() {
            return Err(Failure::null("verifier"));
        }
        if license.is_null() {
            return Err(Failure::null("license"));
        }
        // SAFETY: non-null and, per the contract, a live verifier from `glpi_verifier_new`.
        let verifier = unsafe { &*verifier };
        let mut options = VerifyOptions::at(UnixTime::from_secs(now));
        options.kind = Some(GlpiKind::required(kind)?);
        // SAFETY (the three calls): the caller guarantees `instance` (when not NULL) readable
        // for 16 bytes, `glpi_version` (when not NULL) NUL-terminated, `text` readable for
        // `text_len` bytes during this call.
        let instance = unsafe { args::instance_check(instance, flags) }?;
        options.instance = instance.instance();
        options.glpi_version = unsafe { args::glpi_version(glpi_version) }?;
        let text = unsafe { args::key_text(text, text_len) }?;
        let key = UnverifiedKey::parse_with_trust(text, &verifier.trust)?;
        let verified = key.verify(&verifier.trust, &options)?;
        // The one binding rule of the core: refused without an instance id unless the caller
        // opted out, and then reported.
        let unchecked = instance.binding_unchecked(verified.claims().instance)?;
        let record = license_record(&verified, unchecked);
        // SAFETY: `license` is non-null and writable per the contract.
        unsafe { license.write(record) };
        Ok(())
    }));
    finish(outcome, error)
}
