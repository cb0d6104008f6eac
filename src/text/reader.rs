//! The text envelope `GLPI-<body>-<check>`: the forgiving reader and the canonical writer.
//!
//! Reading tolerates what mail clients and web forms do to keys (surrounding white space and
//! quote marks, line breaks, any grouping with hyphens or spaces, lowercase, `O` for 0 and
//! `I`/`L` for 1) and nothing else: every other character is reported with its position.
//! Work is linear in the input and bounded by [`MAX_INPUT_LEN`]; the reader never allocates.

use core::fmt;

use crate::encoding::base32::{self, Char, PackError};
use crate::encoding::checksum::{self, Polymod, CHECK_LEN};
#[cfg(feature = "fast")]
use crate::encoding::{
    base32::{UNIT_BYTES, UNIT_SYMBOLS},
    checksum::UnitsAhead,
};
use crate::error::{ChecksumError, Correction, CorrectionStatus, Error};
use crate::text::spec::{TextSpec, MAX_INPUT_LEN, PREFIX};
use crate::text::writer::SliceWriter;

/// What may surround a key and is dropped: white space, quote marks and the byte-order mark
/// U+FEFF (which Windows Notepad writes at the start of a saved file).
///
/// The white space is Unicode's White_Space set, the same as `char::is_whitespace`, written
/// out so that small targets do not link the standard library's Unicode table for it.
fn is_wrapping(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
            | '"'
            | '\''
            | '`'
            | '<'
            | '>'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{00AB}'
            | '\u{00BB}'
    )
}

/// `input` without the white space and quote marks around it, and how many characters were
/// dropped in front (to report positions in the original input).
///
/// A loop over `chars` rather than `trim_matches`: the same work, without the pattern
/// machinery and character counting that would otherwise be linked into small targets.
fn unwrap(input: &str) -> (usize, &str) {
    let mut text = input;
    let mut leading_chars = 0;
    while let Some(c) = text.chars().next().filter(|&c| is_wrapping(c)) {
        text = text.get(c.len_utf8()..).unwrap_or_default();
        leading_chars += 1;
    }
    while let Some(c) = text.chars().next_back().filter(|&c| is_wrapping(c)) {
        text = text.get(..text.len() - c.len_utf8()).unwrap_or_default();
    }
    (leading_chars, text)
}

/// A text whose prefix and characters have been checked, with its symbol values read into
/// the caller's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scan<'a> {
    /// Everything after the prefix (symbols and separators only).
    rest: &'a str,
    /// Characters of the original input before `rest`.
    offset: usize,
    /// The symbol values in order, check included.
    symbols: &'a [u8],
}

impl<'a> Scan<'a> {
    /// Checks the prefix and every character, and reads the symbol values into `buf`; more
    /// symbols than `buf` holds is [`Error::TooLong`], found as soon as the one too many is.
    pub fn new(input: &'a str, buf: &'a mut [u8]) -> Result<Self, Error> {
        if input.len() > MAX_INPUT_LEN {
            return Err(Error::TooLong { max: MAX_INPUT_LEN });
        }
        let (leading_chars, text) = unwrap(input);
        if text.is_empty() {
            return Err(Error::Empty);
        }
        let rest = match (text.get(..PREFIX.len()), text.get(PREFIX.len()..)) {
            (Some(p), Some(rest)) if p.eq_ignore_ascii_case(PREFIX) => rest,
            _ => return Err(Error::NotAGlpiKey),
        };
        let offset = leading_chars + PREFIX.len();
        let count = read_symbols(rest.as_bytes(), buf).map_err(|stop| match stop {
            Stop::Full => Error::TooLong { max: buf.len() },
            Stop::Invalid(i) => Error::InvalidCharacter {
                character: rest
                    .get(i..)
                    .and_then(|tail| tail.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
                position: offset + i + 1,
            },
        })?;
        let buf: &'a [u8] = buf;
        Ok(Scan {
            rest,
            offset,
            symbols: buf.get(..count).unwrap_or_default(),
        })
    }

    /// Symbols found, check included.
    pub fn count(&self) -> usize {
        self.symbols.len()
    }

    /// Symbol values in order, check included.
    pub fn symbols(&self) -> &'a [u8] {
        self.symbols
    }

    /// The checksum residue over all symbols in domain `hrp`.
    pub fn residue(&self, hrp: &str) -> Polymod {
        let mut p = Polymod::new(hrp);
        p.push_all(self.symbols);
        p
    }

    /// Checks the check symbols in domain `hrp`; on failure, suggests the one symbol to fix
    /// when exactly one single-symbol change would make the check pass.
    pub fn verify_check(&self, hrp: &str) -> Result<(), Error> {
        let residue = self.residue(hrp);
        if residue.is_valid() {
            return Ok(());
        }
        Err(self.checksum_error(residue))
    }

    /// The error for a failed check, with the suggested fix when one symbol is suspected.
    fn checksum_error(&self, residue: Polymod) -> Error {
        let suggestion = checksum::locate_single_error(residue.residue(), self.count())
            .and_then(|e| self.correction(e.index, e.delta));
        ChecksumError { suggestion }.into()
    }

    /// Checks length and check symbols, then packs the body into `out`, returning its length.
    ///
    /// When both the check and the length are wrong, the length is reported: a dropped or
    /// doubled symbol is the likelier mistake, and no single-symbol fix can repair it.
    pub fn decode(&self, spec: &TextSpec, out: &mut [u8]) -> Result<usize, Error> {
        let count = self.count();
        let Some(bytes) = spec.body_bytes(count) else {
            return Err(Error::WrongLength { symbols: count });
        };
        let out = out
            .get_mut(..bytes)
            .ok_or(Error::BufferTooSmall { needed: bytes })?;
        let mut residue = spec.start;
        // With `fast`: checking and packing in one loop, 24 body symbols (15 bytes) at a time.
        // The packed bits are also the checksum's input (four groups of six symbols), and the
        // checksum is a chain of dependent steps while packing is independent work, so the
        // processor packs while it waits on the chain. The bytes are used only if the check
        // passes. The rest, and everything without `fast`, goes through the plain loops below.
        #[cfg(feature = "fast")]
        let (symbols, out) = {
            let units = count.saturating_sub(CHECK_LEN) / UNIT_SYMBOLS;
            let (head, tail) = self.symbols.split_at(units * UNIT_SYMBOLS);
            let (head_out, tail_out) = out.split_at_mut(units * UNIT_BYTES);
            let mut ahead = UnitsAhead::default();
            for (unit, unit_out) in head
                .chunks_exact(UNIT_SYMBOLS)
                .zip(head_out.chunks_exact_mut(UNIT_BYTES))
            {
                let input = Polymod::unit_input(base32::pack_unit(unit, unit_out));
                ahead.push(&mut residue, input);
            }
            ahead.finish(&mut residue);
            (tail, tail_out)
        };
        #[cfg(not(feature = "fast"))]
        let symbols = self.symbols;
        residue.push_all(symbols);
        if !residue.is_valid() {
            return Err(self.checksum_error(residue));
        }
        let body = symbols
            .get(..symbols.len().saturating_sub(CHECK_LEN))
            .unwrap_or_default();
        match base32::pack(body, out) {
            Ok(()) => Ok(bytes),
            Err(PackError::WrongLength) => Err(Error::WrongLength { symbols: count }),
            Err(PackError::NonZeroPadding) => Err(Error::NonCanonical),
        }
    }

    /// Describes the symbol at `index` (among symbols) for a person: where it is and what it
    /// should be. Rescans the text (the slow path only runs on a failed check).
    fn correction(&self, index: usize, delta: u8) -> Option<Correction> {
        let mut symbol = 0usize;
        let mut group = 0usize;
        let mut in_group = 0usize;
        let mut previous_was_symbol = false;
        for (i, c) in self.rest.chars().enumerate() {
            match base32::classify(c) {
                Char::Symbol(v) => {
                    if !previous_was_symbol {
                        group += 1;
                        in_group = 0;
                    }
                    in_group += 1;
                    previous_was_symbol = true;
                    if symbol == index {
                        return Some(Correction {
                            position: self.offset + i + 1,
                            group,
                            position_in_group: in_group,
                            found: c,
                            replacement: base32::symbol_char(v ^ delta),
                            status: CorrectionStatus::Unconfirmed,
                        });
                    }
                    symbol += 1;
                }
                _ => previous_was_symbol = false,
            }
        }
        None
    }

    /// Writes the canonical text with one symbol changed, as a correction suggests, into `out`.
    pub fn corrected_into<'o>(
        &self,
        correction: &Correction,
        out: &'o mut [u8],
    ) -> Option<&'o str> {
        let mut w = SliceWriter::new(out);
        fmt::Write::write_str(&mut w, PREFIX).ok()?;
        fmt::Write::write_char(&mut w, '-').ok()?;
        for (i, c) in self.rest.chars().enumerate() {
            if let Char::Symbol(v) = base32::classify(c) {
                let c = if self.offset + i + 1 == correction.position {
                    correction.replacement
                } else {
                    base32::symbol_char(v)
                };
                fmt::Write::write_char(&mut w, c).ok()?;
            }
        }
        w.finish().ok()
    }
}

/// Why [`read_symbols`] stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The buffer is full and another symbol follows.
    Full,
    /// The byte at this index is not a symbol or separator.
    Invalid(usize),
}

/// Reads the symbol values of `bytes` into `buf`, skipping separators; returns how many.
///
/// Eight bytes at a time while all eight are symbols (the whole of a compact key but for its
/// two hyphens): one table lookup each, one test for all eight and one copy. A chunk holding
/// anything else is read byte by byte, which also finds the exact place of a bad byte or of
/// the first symbol too many.
#[cfg(feature = "fast")]
fn read_symbols(bytes: &[u8], buf: &mut [u8]) -> Result<usize, Stop> {
    let mut count = 0usize;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0usize;
    for chunk in &mut chunks {
        let mut all_symbols = false;
        if let Some(dst) = buf.get_mut(count..count + 8) {
            // Written before knowing they are all symbols: if one is not, the byte-by-byte
            // pass below overwrites them, and nothing past `count` is ever read.
            let mut classes = 0u8;
            for (slot, &b) in dst.iter_mut().zip(chunk) {
                *slot = base32::byte_class(b);
                classes |= *slot;
            }
            all_symbols = classes < 32;
        }
        count = if all_symbols {
            count + 8
        } else {
            read_bytewise(chunk, at, count, buf)?
        };
        at += 8;
    }
    read_bytewise(chunks.remainder(), at, count, buf)
}

/// Reads the symbol values of `bytes` into `buf`, skipping separators; returns how many.
/// Byte by byte: without the `fast` feature (small targets), less code.
#[cfg(not(feature = "fast"))]
fn read_symbols(bytes: &[u8], buf: &mut [u8]) -> Result<usize, Stop> {
    read_bytewise(bytes, 0, 0, buf)
}

/// The byte-by-byte part of [`read_symbols`]: `bytes` starts at index `at` of the text, and
/// `count` symbols are already in `buf`.
fn read_bytewise(bytes: &[u8], at: usize, mut count: usize, buf: &mut [u8]) -> Result<usize, Stop> {
    for (i, &b) in bytes.iter().enumerate() {
        match base32::classify_byte(b) {
            Char::Symbol(v) => {
                *buf.get_mut(count).ok_or(Stop::Full)? = v;
                count += 1;
            }
            Char::Separator => {}
            // Every byte before was ASCII, so the byte index is also the character index.
            Char::Invalid => return Err(Stop::Invalid(at + i)),
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use super::*;
    use crate::text::spec::TextStyle;
    use crate::text::writer::Text;
    use alloc::string::ToString;

    const SPEC: TextSpec = TextSpec::new("glpi", 1, 20);

    fn decode(s: &str) -> Result<alloc::vec::Vec<u8>, Error> {
        let mut out = [0u8; 20];
        let mut symbols = [0u8; SPEC.max_symbols()];
        let scan = Scan::new(s, &mut symbols)?;
        let n = scan.decode(&SPEC, &mut out)?;
        Ok(out[..n].to_vec())
    }

    #[test]
    fn round_trip_in_both_styles() {
        let body = b"hello, keys";
        for style in [TextStyle::Compact, TextStyle::Grouped] {
            let t = Text::new(body, "glpi", style);
            let s = t.to_string();
            assert_eq!(s.len(), t.len());
            assert_eq!(decode(&s).unwrap(), body);
            let mut buf = [0u8; 64];
            assert_eq!(t.write_into(&mut buf).unwrap(), s);
            assert_eq!(t.write_into(&mut [0u8; 10]), Err(t.len()));
        }
    }

    #[test]
    fn unwrapping_matches_trim_and_counts_characters() {
        for input in [
            "",
            "  ",
            "GLPI-X",
            " \u{201C}GLPI-X\u{201D}\r\n",
            "\u{3000}\u{A0}'GLPI- X'\t",
            "\u{2018}\u{2019}",
            "\u{AB} GLPI \u{BB}",
        ] {
            let expected = input.trim_matches(is_wrapping);
            let dropped = input.len() - input.trim_start_matches(is_wrapping).len();
            assert_eq!(
                unwrap(input),
                (input[..dropped].chars().count(), expected),
                "{input:?}"
            );
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "every Unicode scalar value, too slow under Miri")]
    fn wrapping_white_space_is_unicode_white_space() {
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            let quote = "\"'`<>\u{2018}\u{2019}\u{201C}\u{201D}\u{AB}\u{BB}".contains(c);
            let bom = c == '\u{FEFF}';
            assert_eq!(is_wrapping(c), c.is_whitespace() || quote || bom, "{c:?}");
        }
    }

    #[test]
    fn tolerates_what_people_and_mailers_do() {
        let s = Text::new(b"tolerance", "glpi", TextStyle::Compact).to_string();
        let lower = s.to_lowercase();
        let spaced: alloc::string::String = "GLPI-"
            .chars()
            .chain(s[5..].chars().enumerate().flat_map(|(i, c)| {
                let sep = if i % 3 == 2 { Some(' ') } else { None };
                core::iter::once(c).chain(sep)
            }))
            .collect();
        for variant in [
            lower.clone(),
            alloc::format!("  \"{s}\"\r\n"),
            alloc::format!("\u{201C}{s}\u{201D}"),
            s.replace('0', "O").replace('1', "l"),
            alloc::format!("{}\n  {}", &s[..10], &s[10..]),
            spaced,
        ] {
            assert_eq!(decode(&variant).unwrap(), b"tolerance", "{variant:?}");
        }
    }

    #[test]
    fn reports_positions_of_invalid_characters() {
        let s = Text::new(b"abc", "glpi", TextStyle::Compact).to_string();
        let bad = alloc::format!("  {}\u{0410}{}", &s[..7], &s[7..]);
        assert_eq!(
            decode(&bad),
            Err(Error::InvalidCharacter {
                character: '\u{0410}',
                position: 10
            })
        );
        assert_eq!(decode(""), Err(Error::Empty));
        assert_eq!(decode(" '' "), Err(Error::Empty));
        assert_eq!(decode("KEY-123"), Err(Error::NotAGlpiKey));
        assert_eq!(decode("GLP"), Err(Error::NotAGlpiKey));
    }

    #[test]
    fn suggests_the_one_wrong_symbol() {
        let s = Text::new(b"suggest me", "glpi", TextStyle::Grouped).to_string();
        // Replace the 3rd symbol of the 2nd group.
        let pos = s.match_indices('-').nth(1).unwrap().0 + 3;
        let original = s.as_bytes()[pos] as char;
        let typo = if original == 'X' { 'Y' } else { 'X' };
        let mut bad = s.clone();
        bad.replace_range(pos..pos + 1, &typo.to_string());
        match decode(&bad) {
            Err(Error::Checksum(ChecksumError {
                suggestion: Some(c),
            })) => {
                assert_eq!(c.position, pos + 1);
                assert_eq!((c.group, c.position_in_group), (2, 3));
                assert_eq!((c.found, c.replacement), (typo, original));
                assert_eq!(c.status, CorrectionStatus::Unconfirmed);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive comparison of two readers, too slow under Miri"
    )]
    fn eight_at_a_time_reads_like_one_at_a_time() {
        // Inputs mixing symbols, separators and bad bytes at every offset, read into buffers
        // of every size around the symbol count: same symbols, same stop, same place.
        let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZabcxyzOoIiLl-- \n\tU*\x80\xff";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let clean = next() % 2 == 0; // half the inputs have only symbols and separators
            let bytes: alloc::vec::Vec<u8> = (0..len)
                .map(|_| {
                    let pick = (next() % alphabet.len() as u64) as usize;
                    let pick = if clean {
                        pick % (alphabet.len() - 5)
                    } else {
                        pick
                    };
                    alphabet[pick]
                })
                .collect();
            for cap in 0..=len {
                let mut fast = alloc::vec![0u8; cap];
                let mut slow = alloc::vec![0u8; cap];
                let got = read_symbols(&bytes, &mut fast);
                let want = read_bytewise(&bytes, 0, 0, &mut slow);
                assert_eq!(got, want, "{bytes:?} into {cap}");
                if let Ok(n) = got {
                    assert_eq!(fast[..n], slow[..n]);
                }
            }
        }
    }

    #[test]
    fn lengths_are_checked_before_and_after_the_check() {
        let s = Text::new(b"length", "glpi", TextStyle::Compact).to_string();
        let mut dropped = s.clone();
        dropped.remove(7);
        assert!(matches!(decode(&dropped), Err(Error::WrongLength { .. })));
        let huge = "GLPI-".to_string() + &"A".repeat(MAX_INPUT_LEN);
        assert_eq!(decode(&huge), Err(Error::TooLong { max: MAX_INPUT_LEN }));
        let long = "GLPI-".to_string() + &"A".repeat(100);
        assert_eq!(
            decode(&long),
            Err(Error::TooLong {
                max: SPEC.max_symbols()
            })
        );
    }
}
