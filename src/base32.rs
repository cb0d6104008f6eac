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

/// Classifies one character. Case-insensitive; `O` reads as 0 and `I`/`L` read as 1.
/// Only ASCII is accepted: Unicode look-alikes (Cyrillic `А`, full-width digits) are invalid.
pub(crate) const fn classify(c: char) -> Char {
    let v = match c {
        '-' | ' ' | '\t' | '\r' | '\n' => return Char::Separator,
        '0'..='9' => c as u8 - b'0',
        'O' | 'o' => 0,
        'I' | 'i' | 'L' | 'l' => 1,
        'A'..='H' => c as u8 - b'A' + 10,
        'a'..='h' => c as u8 - b'a' + 10,
        'J' | 'j' => 18,
        'K' | 'k' => 19,
        'M' | 'm' => 20,
        'N' | 'n' => 21,
        'P' | 'p' => 22,
        'Q' | 'q' => 23,
        'R' | 'r' => 24,
        'S' | 's' => 25,
        'T' | 't' => 26,
        'V' | 'v' => 27,
        'W' | 'w' => 28,
        'X' | 'x' => 29,
        'Y' | 'y' => 30,
        'Z' | 'z' => 31,
        _ => return Char::Invalid,
    };
    Char::Symbol(v)
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
