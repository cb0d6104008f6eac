//! Crockford base32: the alphabet, the forgiving symbol reader, and 5-bit packing.
//!
//! Written by hand rather than with the `base32` crate: that crate decodes a whole string into a
//! `Vec` (it needs `alloc`), returns `Option` without the position of a bad character, and does
//! not skip the separators people put into keys. Here the reader maps one character at a time
//! (so callers stream it and report positions), and packing writes into a caller's buffer.

/// The 32 symbols, in value order. No `I`, `L`, `O` or `U`.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What one input character means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Char {
    /// A symbol with this value (0..32).
    Symbol(u8),
    /// A hyphen or white space: ignored.
    Separator,
    /// Anything else.
    Invalid,
}

/// Marks a separator in [`BYTE_CLASS`].
const SEPARATOR: u8 = 32;
/// Marks an invalid character in [`BYTE_CLASS`].
const INVALID: u8 = 255;

/// Bytes in [`BYTE_CLASS`]: all 256 with the `fast` feature, so that a lookup by any byte needs
/// no range test; only ASCII without it (small targets), bytes from 128 up being invalid.
const CLASS_TABLE_LEN: usize = if cfg!(feature = "fast") { 256 } else { 128 };

/// Meaning of each byte: a symbol value (0..32), [`SEPARATOR`] or [`INVALID`]. Bytes past the
/// end of the table (see [`CLASS_TABLE_LEN`]) and all bytes from 128 up are invalid.
// Indexing here runs at compile time: out of range would fail the build, never panic at run time.
#[allow(clippy::indexing_slicing)]
const BYTE_CLASS: [u8; CLASS_TABLE_LEN] = {
    let mut table = [INVALID; CLASS_TABLE_LEN];
    let mut v = 0;
    while v < 32 {
        let upper = ALPHABET[v];
        table[upper as usize] = v as u8;
        table[upper.to_ascii_lowercase() as usize] = v as u8;
        v += 1;
    }
    table[b'O' as usize] = 0;
    table[b'o' as usize] = 0;
    table[b'I' as usize] = 1;
    table[b'i' as usize] = 1;
    table[b'L' as usize] = 1;
    table[b'l' as usize] = 1;
    table[b'-' as usize] = SEPARATOR;
    table[b' ' as usize] = SEPARATOR;
    table[b'\t' as usize] = SEPARATOR;
    table[b'\r' as usize] = SEPARATOR;
    table[b'\n' as usize] = SEPARATOR;
    table
};

/// The raw class of one byte: a symbol value (0..32), or 32 and up for a separator or an
/// invalid byte. For loops that test several bytes at once: eight bytes are all symbols
/// exactly when the OR of their classes is below 32.
#[inline]
pub(crate) fn byte_class(b: u8) -> u8 {
    BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(INVALID)
}

/// Classifies one byte of UTF-8 text. Every non-ASCII byte is invalid: Unicode look-alikes
/// (Cyrillic `А`, full-width digits) are never mapped.
#[inline]
pub(crate) fn classify_byte(b: u8) -> Char {
    match byte_class(b) {
        SEPARATOR => Char::Separator,
        INVALID => Char::Invalid,
        v => Char::Symbol(v),
    }
}

/// Classifies one character. Case-insensitive; `O` reads as 0 and `I`/`L` read as 1.
/// Only ASCII is accepted: Unicode look-alikes (Cyrillic `А`, full-width digits) are invalid.
pub(crate) fn classify(c: char) -> Char {
    if c.is_ascii() {
        classify_byte(c as u8)
    } else {
        Char::Invalid
    }
}

/// The canonical (uppercase) character of a symbol value; values are masked to 5 bits.
pub(crate) fn symbol_char(value: u8) -> char {
    // `value & 31` always indexes the 32-entry alphabet; the fallback is unreachable.
    char::from(
        ALPHABET
            .get(usize::from(value & 31))
            .copied()
            .unwrap_or(b'0'),
    )
}

/// Number of 5-bit symbols that `bytes` bytes pack into (the last one zero-padded).
pub(crate) const fn symbols_for_bytes(bytes: usize) -> usize {
    (bytes * 8).div_ceil(5)
}

/// Number of bytes a run of `symbols` symbols carries, or `None` when no byte length packs into
/// exactly that many symbols (the length is impossible, so a symbol was dropped or added).
pub(crate) const fn bytes_for_symbols(symbols: usize) -> Option<usize> {
    let bytes = symbols * 5 / 8;
    if symbols_for_bytes(bytes) == symbols {
        Some(bytes)
    } else {
        None
    }
}

/// Packs 5-bit symbol values into bytes, most significant bit first.
pub(crate) struct Packer<'o> {
    out: &'o mut [u8],
    len: usize,
    acc: u32,
    bits: u32,
}

/// Non-zero bits were left over after the last whole byte: the key is not in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NonZeroPadding;

impl<'o> Packer<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        Packer {
            out,
            len: 0,
            acc: 0,
            bits: 0,
        }
    }

    /// Adds one symbol; returns `false` if the output buffer is full.
    pub(crate) fn push(&mut self, value: u8) -> bool {
        self.acc = (self.acc << 5) | u32::from(value & 31);
        self.bits += 5;
        if self.bits >= 8 {
            self.bits -= 8;
            let byte = (self.acc >> self.bits) as u8;
            self.acc &= (1 << self.bits) - 1;
            match self.out.get_mut(self.len) {
                Some(slot) => *slot = byte,
                None => return false,
            }
            self.len += 1;
        }
        true
    }

    /// Finishes; the leftover padding bits (fewer than 5) must be zero.
    pub(crate) fn finish(self) -> Result<usize, NonZeroPadding> {
        if self.acc != 0 {
            Err(NonZeroPadding)
        } else {
            Ok(self.len)
        }
    }
}

/// Packs symbol values (each 0..32) into `out`, which must be exactly as long as the bytes they
/// carry ([`bytes_for_symbols`]). Eight symbols (40 bits) make five whole bytes, so with the
/// `fast` feature all but the last few symbols are packed eight at a time; the rest (all of
/// them without `fast`) go through a [`Packer`], which checks that the padding bits are zero.
#[inline]
pub(crate) fn pack(symbols: &[u8], out: &mut [u8]) -> Result<(), PackError> {
    if bytes_for_symbols(symbols.len()) != Some(out.len()) {
        return Err(PackError::WrongLength);
    }
    #[cfg(feature = "fast")]
    let (symbols, out) = {
        let mut groups = symbols.chunks_exact(8);
        let mut bytes = out.chunks_exact_mut(5);
        for (group, five) in (&mut groups).zip(&mut bytes) {
            pack_group(group, five).ok_or(PackError::WrongLength)?;
        }
        (groups.remainder(), bytes.into_remainder())
    };
    let mut packer = Packer::new(out);
    for &v in symbols {
        if !packer.push(v) {
            return Err(PackError::WrongLength);
        }
    }
    packer
        .finish()
        .map(|_| ())
        .map_err(|NonZeroPadding| PackError::NonZeroPadding)
}

/// Symbols in one step of [`pack_unit`]: three groups of 8 (40 bits each), which are also four
/// groups of 6 (30 bits each, one checksum block).
#[cfg(feature = "fast")]
pub(crate) const UNIT_SYMBOLS: usize = 24;
/// The bytes [`UNIT_SYMBOLS`] symbols pack into.
#[cfg(feature = "fast")]
pub(crate) const UNIT_BYTES: usize = UNIT_SYMBOLS * 5 / 8;

/// Packs 24 symbol values into `out` (15 bytes) and returns the same 120 bits as four 30-bit
/// groups of six symbols, first symbol highest: the checksum's input for these symbols
/// ([`Polymod::unit_input`](crate::encoding::checksum::Polymod::unit_input)), for free.
/// Anything but 24 symbols and 15 bytes packs nothing and returns zeros (callers pass
/// `chunks_exact` pieces of those sizes).
#[cfg(feature = "fast")]
#[inline]
pub(crate) fn pack_unit(symbols: &[u8], out: &mut [u8]) -> [u32; 4] {
    let mut forty = [0u64; 3];
    for ((bits, group), five) in forty
        .iter_mut()
        .zip(symbols.chunks_exact(8))
        .zip(out.chunks_exact_mut(5))
    {
        *bits = pack_group(group, five).unwrap_or(0);
    }
    let [p0, p1, p2] = forty;
    let thirty = |bits: u64| (bits & 0x3fff_ffff) as u32;
    [
        thirty(p0 >> 10),
        thirty((p0 << 20) | (p1 >> 20)),
        thirty((p1 << 10) | (p2 >> 30)),
        thirty(p2),
    ]
}

/// Packs eight symbol values into five bytes of `five` and returns their 40 bits; `None`
/// (nothing written) unless `group` holds exactly eight values.
#[cfg(feature = "fast")]
#[inline]
fn pack_group(group: &[u8], five: &mut [u8]) -> Option<u64> {
    let bits = pack_eight(<[u8; 8]>::try_from(group).ok()?);
    let [_, _, _, b0, b1, b2, b3, b4] = bits.to_be_bytes();
    for (slot, b) in five.iter_mut().zip([b0, b1, b2, b3, b4]) {
        *slot = b;
    }
    Some(bits)
}

/// The 40 bits of eight symbol values (each masked to 5 bits), first symbol highest.
///
/// Joins neighbours in place, SWAR style, rather than shifting in one value at a time: pairs
/// into 10 bits per 16-bit lane, then 20 bits per 32-bit lane, then 40 bits.
#[cfg(feature = "fast")]
#[inline]
fn pack_eight(group: [u8; 8]) -> u64 {
    let x = u64::from_be_bytes(group);
    let pairs = ((x & 0x1f00_1f00_1f00_1f00) >> 3) | (x & 0x001f_001f_001f_001f);
    let quads = ((pairs & 0x03ff_0000_03ff_0000) >> 6) | (pairs & 0x0000_03ff_0000_03ff);
    ((quads & 0x000f_ffff_0000_0000) >> 12) | (quads & 0x0000_0000_000f_ffff)
}

/// Why [`pack`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackError {
    /// `out` does not have the length the symbols carry.
    WrongLength,
    /// Non-zero bits were left over after the last whole byte.
    NonZeroPadding,
}

/// Iterates over the 5-bit symbol values of `bytes`, the last one zero-padded.
pub(crate) fn symbols_of(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let count = symbols_for_bytes(bytes.len());
    (0..count).map(move |i| {
        let bit = i * 5;
        let hi = bytes.get(bit / 8).copied().unwrap_or(0);
        let lo = bytes.get(bit / 8 + 1).copied().unwrap_or(0);
        let pair = (u16::from(hi) << 8) | u16::from(lo);
        ((pair >> (11 - bit % 8)) & 31) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_round_trips_through_classify() {
        for (v, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(classify(c as char), Char::Symbol(v as u8));
            assert_eq!(
                classify((c as char).to_ascii_lowercase()),
                Char::Symbol(v as u8)
            );
            assert_eq!(symbol_char(v as u8), c as char);
        }
        assert_eq!(classify('o'), Char::Symbol(0));
        assert_eq!(classify('L'), Char::Symbol(1));
        assert_eq!(classify('i'), Char::Symbol(1));
        assert_eq!(classify('U'), Char::Invalid);
        assert_eq!(classify('u'), Char::Invalid);
        assert_eq!(classify('\u{0410}'), Char::Invalid); // Cyrillic А
        assert_eq!(classify('\u{FF11}'), Char::Invalid); // full-width 1
        assert_eq!(classify('\u{200B}'), Char::Invalid); // zero-width space
        assert_eq!(classify('\n'), Char::Separator);
        // Every other ASCII byte is invalid.
        for b in 0u8..128 {
            let expected_valid =
                ALPHABET.contains(&b.to_ascii_uppercase()) || b"OoIiLl- \t\r\n".contains(&b);
            assert_eq!(
                classify_byte(b) != Char::Invalid,
                expected_valid,
                "byte {b}"
            );
        }
        for b in 128u8..=255 {
            assert_eq!(classify_byte(b), Char::Invalid);
        }
    }

    #[test]
    fn possible_lengths() {
        for bytes in 0..700 {
            let symbols = symbols_for_bytes(bytes);
            assert_eq!(bytes_for_symbols(symbols), Some(bytes));
        }
        // 2 symbols carry 1 byte (10 bits); 3 symbols (15 bits) carry no more than 1 byte would.
        assert_eq!(bytes_for_symbols(3), None);
        assert_eq!(bytes_for_symbols(4), Some(2));
    }

    #[test]
    fn pack_unpack_round_trip() {
        let data: [u8; 7] = [0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x42];
        for len in 0..=data.len() {
            let src = &data[..len];
            let mut out = [0u8; 8];
            let mut p = Packer::new(&mut out);
            for s in symbols_of(src) {
                assert!(p.push(s));
            }
            let n = p.finish().unwrap();
            assert_eq!(&out[..n], src);
        }
    }

    #[test]
    fn pack_matches_the_packer_at_every_length() {
        let data: [u8; 41] = core::array::from_fn(|i| (i as u8).wrapping_mul(97) ^ 0x5a);
        for len in 0..=data.len() {
            let src = &data[..len];
            let mut symbols = [0u8; 66];
            let n = symbols_for_bytes(len);
            for (slot, s) in symbols.iter_mut().zip(symbols_of(src)) {
                *slot = s;
            }
            let mut out = [0u8; 42];
            assert_eq!(pack(&symbols[..n], &mut out[..len]), Ok(()));
            assert_eq!(&out[..len], src);
            // A wrong output length is refused, never half-written past the end.
            assert_eq!(
                pack(&symbols[..n], &mut out[..len + 1]),
                Err(PackError::WrongLength)
            );
            // Setting a padding bit (when there is one) is refused.
            if n * 5 > len * 8 {
                symbols[n - 1] |= 1;
                assert_eq!(
                    pack(&symbols[..n], &mut out[..len]),
                    Err(PackError::NonZeroPadding)
                );
            }
        }
    }

    #[cfg(feature = "fast")]
    #[test]
    fn pack_eight_matches_one_at_a_time() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let group = seed.to_le_bytes(); // all 8 bits: the masking is tested too
            let expected = group
                .iter()
                .fold(0u64, |acc, &v| (acc << 5) | u64::from(v & 31));
            assert_eq!(pack_eight(group), expected, "{group:?}");
        }
    }

    #[test]
    fn non_zero_padding_is_rejected() {
        // One byte = 2 symbols, 2 padding bits. Setting a padding bit must fail.
        let mut out = [0u8; 2];
        let mut p = Packer::new(&mut out);
        assert!(p.push(0b11111));
        assert!(p.push(0b11101));
        assert_eq!(p.finish(), Err(NonZeroPadding));
    }

    #[test]
    fn full_buffer_is_reported() {
        let mut out = [0u8; 1];
        let mut p = Packer::new(&mut out);
        assert!(p.push(1));
        assert!(p.push(0)); // first byte complete
        assert!(p.push(0));
        assert!(!p.push(0)); // second byte has nowhere to go
    }
}
