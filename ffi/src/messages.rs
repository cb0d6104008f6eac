//! The functions that read a status or an error record back: `glpi_error_message` and
//! `glpi_status_name` (after the verifier in the header).

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::cstr::copy_c_str;
use crate::status::GlpiStatus;
use crate::types::{GlpiError, GLPI_MESSAGE_CAPACITY};

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
