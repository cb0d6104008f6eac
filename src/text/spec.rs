//! What a text form is: its prefix, length limits, style and checksum domains.

use crate::encoding::base32;
use crate::encoding::checksum::{Polymod, CHECK_LEN};

/// Checksum domain of short IDs: distinct from keys', so neither can pass for the other.
pub(crate) const SHORT_ID_HRP: &str = "glpi-id";

/// Checksum domain of keys.
pub(crate) const KEY_HRP: &str = "glpi";

/// The prefix of every text form, uppercase in canonical output, case-insensitive on input.
pub const PREFIX: &str = "GLPI";

/// The longest raw text accepted, in bytes, before any other work is done. Generous enough for
/// the longest key grouped, wrapped, indented and quoted; anything longer is refused at once.
pub const MAX_INPUT_LEN: usize = 4096;

/// Symbols per group in [`TextStyle::Grouped`] output.
pub const GROUP_LEN: usize = 5;

/// How to write a key as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextStyle {
    /// `GLPI-<body>-<check>`, the body in one piece: the canonical form.
    #[default]
    Compact,
    /// The body in groups of [`GROUP_LEN`] symbols separated by hyphens, for reading aloud or
    /// typing. The reader accepts it back unchanged.
    Grouped,
}

/// The checksum domain and length limits of one kind of text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextSpec {
    /// The checksum state after its human-readable part (`glpi` for keys, `glpi-id` for short
    /// IDs: the domain that keeps one kind of text from passing as the other), computed once
    /// at compile time.
    pub(crate) start: Polymod,
    /// Fewest body bytes a valid text of this kind has.
    pub min_bytes: usize,
    /// Most body bytes a valid text of this kind has.
    pub max_bytes: usize,
}

impl TextSpec {
    /// The spec of texts checksummed in domain `hrp` whose bodies have `min_bytes` to
    /// `max_bytes` bytes.
    pub const fn new(hrp: &'static str, min_bytes: usize, max_bytes: usize) -> Self {
        TextSpec {
            start: Polymod::new(hrp),
            min_bytes,
            max_bytes,
        }
    }

    /// Most symbols after the prefix, check included.
    pub const fn max_symbols(&self) -> usize {
        base32::symbols_for_bytes(self.max_bytes) + CHECK_LEN
    }

    pub(crate) fn body_bytes(&self, symbols: usize) -> Option<usize> {
        let body = symbols.checked_sub(CHECK_LEN)?;
        let bytes = base32::bytes_for_symbols(body)?;
        (self.min_bytes..=self.max_bytes)
            .contains(&bytes)
            .then_some(bytes)
    }
}
