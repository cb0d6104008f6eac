//! The panic boundary: every call's outcome, a caught panic included, becomes a status and an
//! optional `GlpiError` record; strings cross into C buffers cut at a character boundary.

use std::ffi::c_char;

use crate::cstr::copy_c_str;
use crate::status::{Failure, GlpiStatus};
use crate::types::{GlpiError, GLPI_MESSAGE_CAPACITY};

/// Writes the outcome of a call into the optional error record and returns its status.
pub(crate) fn finish(
    outcome: std::thread::Result<Result<(), Failure>>,
    error: *mut GlpiError,
) -> GlpiStatus {
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
