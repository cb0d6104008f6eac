//! The canonical writer: a body as `GLPI-<symbols>-<check>`, without allocation.

use core::fmt;

use crate::encoding::base32;
use crate::encoding::checksum::{Polymod, CHECK_LEN};
use crate::text::spec::{TextStyle, GROUP_LEN, KEY_HRP, PREFIX};

/// A binary body as text: prefix, symbols and check. Displays without allocating.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    body: &'a [u8],
    hrp: &'static str,
    style: TextStyle,
}

impl<'a> Text<'a> {
    pub(crate) fn new(body: &'a [u8], hrp: &'static str, style: TextStyle) -> Self {
        Text { body, hrp, style }
    }

    /// Low level: any bytes written as key text (prefix, symbols, a valid check), whether or
    /// not they form a valid key. For tools, test vectors and tests that build hostile keys.
    pub fn of_key_body(body: &'a [u8], style: TextStyle) -> Self {
        Text::new(body, KEY_HRP, style)
    }

    /// Length of the text in characters (all ASCII, so also in bytes).
    pub fn len(&self) -> usize {
        let symbols = base32::symbols_for_bytes(self.body.len());
        let groups = match self.style {
            TextStyle::Compact => 1,
            TextStyle::Grouped => symbols.div_ceil(GROUP_LEN).max(1),
        };
        PREFIX.len() + groups + symbols + 1 + CHECK_LEN
    }

    /// Always false: a text has at least its prefix and check.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Writes the text into `out` and returns it, or the length needed if `out` is too small.
    pub fn write_into<'o>(&self, out: &'o mut [u8]) -> Result<&'o str, usize> {
        let needed = self.len();
        let mut w = SliceWriter::new(out);
        fmt::Write::write_fmt(&mut w, format_args!("{self}")).map_err(|_| needed)?;
        w.finish().map_err(|_| needed)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_checked(f, self.hrp, base32::symbols_of(self.body), self.style)
    }
}

/// Writes `GLPI-<symbols>-<check>`, with the check computed in domain `hrp`.
pub(crate) fn write_checked(
    f: &mut fmt::Formatter<'_>,
    hrp: &str,
    symbols: impl Iterator<Item = u8>,
    style: TextStyle,
) -> fmt::Result {
    f.write_str(PREFIX)?;
    let mut p = Polymod::new(hrp);
    for (i, v) in symbols.enumerate() {
        if i == 0 || (style == TextStyle::Grouped && i % GROUP_LEN == 0) {
            fmt::Write::write_char(f, '-')?;
        }
        p.push(v);
        fmt::Write::write_char(f, base32::symbol_char(v))?;
    }
    fmt::Write::write_char(f, '-')?;
    for v in p.check_symbols() {
        fmt::Write::write_char(f, base32::symbol_char(v))?;
    }
    Ok(())
}

/// `fmt::Write` into a byte slice, for formatting without allocation.
pub(crate) struct SliceWriter<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl<'o> SliceWriter<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        SliceWriter { out, len: 0 }
    }

    pub(crate) fn finish(self) -> Result<&'o str, core::str::Utf8Error> {
        let written = self.out.get(..self.len).unwrap_or_default();
        core::str::from_utf8(written)
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.out.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
