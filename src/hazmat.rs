//! Low-level tools that can build what a verifier must refuse: hostile keys, forged texts,
//! error patterns. For test-vector generators, fuzzers, tests and demonstrations; a program
//! that issues or verifies keys never needs them.
//!
//! Nothing here is unsafe in Rust's sense, but everything here bypasses the checks that the
//! rest of the API makes: [`key_text_of_body`] writes any bytes as key text, with a valid
//! check but no signature check. The names are kept out of the crate root so that using one
//! is a visible decision (in the manner of ed25519-dalek's `hazmat`).

use crate::text::spec::{TextStyle, KEY_HRP};
use crate::text::writer::Text;

/// Any bytes written as key text (prefix, symbols, a valid check), whether or not they form a
/// valid key: for tools, vectors and tests that build tampered or hostile keys.
pub fn key_text_of_body(body: &[u8], style: TextStyle) -> Text<'_> {
    Text::new(body, KEY_HRP, style)
}

/// The change of the check residue caused by XORing `delta` into the symbol `distance`
/// places from the end of a text (0 is the last symbol). The check code is linear, so this
/// lets a test reason about every error pattern exhaustively; see `tests/typo_detection.rs`.
pub fn error_syndrome(distance: usize, delta: u8) -> u32 {
    crate::encoding::checksum::error_syndrome(distance, delta)
}
