//! The check symbols: the BCH code of bech32m (BIP-350) over 5-bit symbol values.
//!
//! # Why a BCH code and not a CRC
//! A CRC is designed for bit errors on a wire; people make *symbol* errors: they mistype one
//! character, or swap two. The bech32m code is a BCH code over GF(32), so it works on symbols
//! directly: for any text of up to 1023 symbols (hrp expansion included) it detects every error
//! in up to 3 symbols, every error confined to 6 consecutive symbols, and every adjacent
//! transposition. Measured: CRC-30/CDMA over the same symbols' bits misses some 3-symbol
//! substitutions from about 200 symbols on, and CRC-32 truncated to 30 bits misses some at
//! every length. Because the code is linear, a single wrong symbol can also be *located*:
//! [`locate_single_error`] does that in one pass.
//!
//! # Why not the `bech32` crate's engine
//! `bech32::primitives::checksum::Engine` computes the same residue (a unit test checks that we
//! agree with it), but it hides the generator step that the single-error locator needs, and
//! the polymod is ten lines. The crate stays a dev-dependency, as the reference we test against.

/// Number of check symbols at the end of a key (30 bits).
pub const CHECK_LEN: usize = 6;

/// The most symbols one checksummed text may hold, human-readable-part expansion included:
/// the length of the bech32m code, up to which its detection guarantees hold.
pub const CODE_LENGTH: usize = 1023;

/// The bech32m constant that a valid residue equals.
pub const BECH32M_CONST: u32 = 0x2bc8_30a3;

const GENERATOR: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

/// `GENERATOR_TABLE[t]`: the XOR of the generator terms selected by the 5 bits of `t`, so one
/// polymod step costs one table lookup instead of five conditional XORs.
// Indexing here runs at compile time: out of range would fail the build, never panic at run time.
#[allow(clippy::indexing_slicing)]
#[cfg(feature = "fast")]
const GENERATOR_TABLE: [u32; 32] = {
    let mut table = [0u32; 32];
    let mut t = 0;
    while t < 32 {
        let mut i = 0;
        while i < 5 {
            if (t >> i) & 1 == 1 {
                table[t] ^= GENERATOR[i];
            }
            i += 1;
        }
        t += 1;
    }
    table
};

/// One step of the BCH polymod: feeds one 5-bit value into the running residue (30 bits).
#[inline]
pub const fn step(residue: u32, value: u8) -> u32 {
    (((residue & 0x01ff_ffff) << 5) ^ (value as u32 & 31)) ^ generator_terms(residue >> 25)
}

/// The XOR of the generator terms selected by the 5 bits of `top`: one lookup with `fast`.
// Masked to 5 bits: always inside the 32-entry table. Plain indexing keeps the function
// `const` (a `get` would not be).
#[cfg(feature = "fast")]
#[allow(clippy::indexing_slicing)]
#[inline]
const fn generator_terms(top: u32) -> u32 {
    GENERATOR_TABLE[(top & 31) as usize]
}

/// The XOR of the generator terms selected by the 5 bits of `top`: without `fast` (small
/// targets), five masked XORs instead of a 128-byte table.
#[cfg(not(feature = "fast"))]
#[allow(clippy::indexing_slicing)] // `i < 5`: inside the 5-entry array
const fn generator_terms(top: u32) -> u32 {
    let mut terms = 0;
    let mut i = 0;
    while i < 5 {
        terms ^= GENERATOR[i] & 0u32.wrapping_sub((top >> i) & 1);
        i += 1;
    }
    terms
}

/// Six symbols are 30 bits, the whole residue: the unit of [`Polymod::push_all`].
#[cfg(feature = "fast")]
const BLOCK: usize = 6;

/// How far [`SHIFT_TABLES`] move a residue, in blocks of six symbols: 1, 2 and 4 blocks.
#[cfg(feature = "fast")]
const SHIFTS: [usize; 3] = [1, 2, 4];

/// The residue left by each 5-bit group of a residue after 6, 12 and 24 zero symbols:
/// `SHIFT_TABLES[k][j][t]` starts from the group value `t` at bits `5j..5j+5` and moves it
/// past `6 * SHIFTS[k]` zero symbols. 2.25 KiB.
///
/// The code is linear, so moving a residue past 6 symbols is the XOR of six lookups, one per
/// 5-bit group, and six symbols simply fill the 30 bits shifted in. [`Polymod::push_all`]
/// feeds 24 symbols (four groups of six, `a b c d`) per step:
///
/// `r' = shift24(r) ^ shift12(shift6(a) ^ b) ^ shift6(c) ^ d`
///
/// Only the first term waits for the old residue, so the chain from one residue to the next
/// is one round of independent loads and XORs per 24 symbols, rather than 24 dependent steps;
/// the rest is independent work the processor overlaps with it.
// Indexing here runs at compile time: out of range would fail the build, never panic at run time.
#[allow(clippy::indexing_slicing)]
#[cfg(feature = "fast")]
const SHIFT_TABLES: [[[u32; 32]; BLOCK]; 3] = {
    let mut tables = [[[0u32; 32]; BLOCK]; 3];
    let mut k = 0;
    while k < SHIFTS.len() {
        let mut j = 0;
        while j < BLOCK {
            let mut t = 0;
            while t < 32 {
                let mut r = (t as u32) << (5 * j);
                let mut n = 0;
                while n < BLOCK * SHIFTS[k] {
                    r = step(r, 0);
                    n += 1;
                }
                tables[k][j][t] = r;
                t += 1;
            }
            j += 1;
        }
        k += 1;
    }
    tables
};

/// Moves `residue` (30 bits) past `6 * SHIFTS[k]` zero symbols.
#[cfg(feature = "fast")]
#[inline]
fn shifted(k: usize, residue: u32) -> u32 {
    let Some(tables) = SHIFT_TABLES.get(k) else {
        return 0;
    };
    let term = |j: usize| {
        let group = ((residue >> (5 * j)) & 31) as usize;
        tables
            .get(j)
            .and_then(|table| table.get(group))
            .copied()
            .unwrap_or(0)
    };
    (term(0) ^ term(1)) ^ (term(2) ^ term(3)) ^ (term(4) ^ term(5))
}

/// Indexes of [`SHIFT_TABLES`].
#[cfg(feature = "fast")]
const BY_6: usize = 0;
#[cfg(feature = "fast")]
const BY_12: usize = 1;
#[cfg(feature = "fast")]
const BY_24: usize = 2;

/// Six symbol values (each masked to 5 bits) as 30 bits, the first one highest.
#[cfg(feature = "fast")]
#[inline]
fn join_six(symbols: &[u8]) -> u32 {
    symbols
        .iter()
        .fold(0u32, |acc, &v| (acc << 5) | (u32::from(v) & 31))
}

/// What a run of 24 symbols adds to a residue ([`Polymod::unit_input`]).
#[cfg(feature = "fast")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnitInput(u32);

/// Feeds units one behind: each unit's input is worked out one iteration before it is fed.
///
/// Why: the compiler regroups a chain of XORs freely, and given `r' = shift24(r) ^ input` in
/// one expression it makes one long chain in which the XORs of `input` wait for `r` too (19
/// XORs in a row per unit, in the generated x86-64 code). A value carried over from the previous iteration
/// cannot be regrouped with this one's, so only the six lookups of `shift24(r)` stay on the
/// chain from one residue to the next.
#[cfg(feature = "fast")]
#[derive(Debug, Default)]
pub(crate) struct UnitsAhead(Option<UnitInput>);

#[cfg(feature = "fast")]
impl UnitsAhead {
    /// Feeds the unit before `input` (if any) into `residue`, and keeps `input` for next time.
    #[inline(always)]
    pub(crate) fn push(&mut self, residue: &mut Polymod, input: UnitInput) {
        if let Some(previous) = self.0.replace(input) {
            residue.push_unit(previous);
        }
    }

    /// Feeds the last unit kept.
    #[inline(always)]
    pub(crate) fn finish(self, residue: &mut Polymod) {
        if let Some(last) = self.0 {
            residue.push_unit(last);
        }
    }
}

/// The running residue of the checksum over a human-readable part (the domain, such as
/// `glpi`) and then symbol values fed one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polymod(u32);

impl Polymod {
    /// Starts a checksum in the domain `hrp` (lowercase ASCII), expanded as bech32 does:
    /// the high bits of each character, a zero, then the low bits of each character.
    pub const fn new(hrp: &str) -> Self {
        let hrp = hrp.as_bytes();
        let mut r = 1;
        let mut i = 0;
        while i < hrp.len() {
            // `i < hrp.len()`: in range. (`get` is not `const`.)
            #[allow(clippy::indexing_slicing)]
            let b = hrp[i];
            r = step(r, b >> 5);
            i += 1;
        }
        r = step(r, 0);
        let mut i = 0;
        while i < hrp.len() {
            #[allow(clippy::indexing_slicing)]
            let b = hrp[i];
            r = step(r, b & 31);
            i += 1;
        }
        Polymod(r)
    }

    /// Feeds one symbol value (0..32).
    #[inline]
    pub fn push(&mut self, value: u8) {
        self.0 = step(self.0, value);
    }

    /// What 24 symbols, given as four groups of six (each group's 30 bits with its first
    /// symbol highest), add to the residue: `shift12(shift6(a) ^ b) ^ shift6(c) ^ d` (see
    /// `SHIFT_TABLES`). It does not depend on the residue, so it can be worked out ahead.
    #[cfg(feature = "fast")]
    #[inline(always)]
    pub(crate) fn unit_input([a, b, c, d]: [u32; 4]) -> UnitInput {
        UnitInput(shifted(BY_12, shifted(BY_6, a) ^ b) ^ (shifted(BY_6, c) ^ d))
    }

    /// Feeds 24 symbols, given as their [`unit_input`](Self::unit_input).
    #[cfg(feature = "fast")]
    #[inline(always)]
    pub(crate) fn push_unit(&mut self, input: UnitInput) {
        self.0 = shifted(BY_24, self.0) ^ input.0;
    }

    /// Feeds symbol values (each 0..32) in order: the same residue as calling
    /// [`push`](Self::push) for each. With the `fast` feature, computed 24 symbols per step
    /// with 2.25 KiB of tables (see `SHIFT_TABLES`); without it, one symbol per step.
    #[cfg(feature = "fast")]
    #[inline(always)]
    pub fn push_all(&mut self, symbols: &[u8]) {
        let mut units = symbols.chunks_exact(4 * BLOCK);
        let mut ahead = UnitsAhead::default();
        for unit in &mut units {
            let mut sixes = unit.chunks_exact(BLOCK).map(join_six);
            let mut next = || sixes.next().unwrap_or(0);
            ahead.push(self, Self::unit_input([next(), next(), next(), next()]));
        }
        ahead.finish(self);
        let mut sixes = units.remainder().chunks_exact(BLOCK);
        for six in &mut sixes {
            self.0 = shifted(BY_6, self.0) ^ join_six(six);
        }
        for &v in sixes.remainder() {
            self.push(v);
        }
    }

    /// Feeds symbol values (each 0..32) in order: the same residue as calling
    /// [`push`](Self::push) for each. With the `fast` feature, computed 24 symbols per step
    /// with 2.25 KiB of tables; without it (small targets), one symbol per step.
    #[cfg(not(feature = "fast"))]
    pub fn push_all(&mut self, symbols: &[u8]) {
        symbols.iter().for_each(|&v| self.push(v));
    }

    /// The residue so far. Over a whole text including its check symbols, a valid text's
    /// residue is [`BECH32M_CONST`].
    pub const fn residue(&self) -> u32 {
        self.0
    }

    /// Whether the symbols fed so far, check symbols included, form a valid text.
    pub const fn is_valid(&self) -> bool {
        self.0 == BECH32M_CONST
    }

    /// The check symbols to append after the data symbols fed so far.
    pub fn check_symbols(mut self) -> [u8; CHECK_LEN] {
        for _ in 0..CHECK_LEN {
            self.push(0);
        }
        let r = self.0 ^ BECH32M_CONST;
        let mut out = [0u8; CHECK_LEN];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = ((r >> (5 * (CHECK_LEN - 1 - i))) & 31) as u8;
        }
        out
    }
}

/// Number of symbols the expansion of `hrp` adds in front of the data.
pub const fn hrp_expansion_len(hrp: &str) -> usize {
    2 * hrp.len() + 1
}

/// A located single-symbol error: the symbol at `index` (0-based among the data and check
/// symbols) should be XORed with `delta` to make the checksum valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingleError {
    /// 0-based index of the symbol among the `len` data and check symbols.
    pub index: usize,
    /// XOR difference between the symbol received and the one that makes the text valid.
    pub delta: u8,
}

/// Given the final `residue` of a text of `len` symbols (data and check) whose checksum failed,
/// finds every single-symbol change that would make it valid. Returns the change when there
/// is exactly one, `None` otherwise.
///
/// The code is linear: changing the symbol `d` places from the end by XOR `e` changes the
/// residue by `e * x^d mod g(x)`, independent of everything else. So one backwards pass that
/// keeps `x^d mod g` for each of the five bits of `e` tests all `31 * len` single changes in
/// O(len) time, without re-reading the text.
pub fn locate_single_error(residue: u32, len: usize) -> Option<SingleError> {
    let syndrome = residue ^ BECH32M_CONST;
    if syndrome == 0 {
        return None;
    }
    let mut found = None;
    let mut count = 0usize;
    // basis[j]: residue change from flipping bit j of the symbol `d` places from the end.
    let mut basis = [1u32, 2, 4, 8, 16];
    for d in 0..len {
        let mut table = [0u32; 32];
        for e in 1..32usize {
            let low = e & (e - 1);
            let bit = e.trailing_zeros() as usize;
            let value = table.get(low).copied().unwrap_or(0) ^ basis.get(bit).copied().unwrap_or(0);
            if let Some(slot) = table.get_mut(e) {
                *slot = value;
            }
            if value == syndrome {
                count += 1;
                found = Some(SingleError {
                    index: len - 1 - d,
                    delta: e as u8,
                });
            }
        }
        for b in basis.iter_mut() {
            *b = step(*b, 0);
        }
    }
    if count == 1 {
        found
    } else {
        None
    }
}

/// The residue change caused by XORing `delta` into the symbol `distance` places from the end
/// of a text (0 is the last symbol). Exposed so tests can reason about every error pattern
/// exhaustively through linearity; see `tests/typo_detection.rs`. Public through
/// [`hazmat`](crate::hazmat).
pub(crate) fn error_syndrome(distance: usize, delta: u8) -> u32 {
    let mut r = u32::from(delta & 31);
    for _ in 0..distance {
        r = step(r, 0);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use bech32::primitives::checksum::Engine;
    use bech32::{Bech32m, Fe32, Hrp};

    fn reference_residue(hrp: &str, data: &[u8]) -> u32 {
        let mut engine = Engine::<Bech32m>::new();
        engine.input_hrp(Hrp::parse(hrp).unwrap());
        for &d in data {
            engine.input_fe(Fe32::try_from(d).unwrap());
        }
        *engine.residue()
    }

    /// `hrp_expansion_len` counts the symbols `Polymod::new` feeds for a domain: the same
    /// residue comes from pushing the expansion written out by its definition, and rust-bech32
    /// agrees.
    #[test]
    fn the_expansion_of_a_domain_has_the_counted_length() {
        let long = "x".repeat(83);
        for hrp in ["a", "glpi", "glpirl", long.as_str()] {
            let bytes = hrp.as_bytes();
            let expansion: std::vec::Vec<u8> = bytes
                .iter()
                .map(|b| b >> 5)
                .chain([0])
                .chain(bytes.iter().map(|b| b & 31))
                .collect();
            assert_eq!(hrp_expansion_len(hrp), expansion.len(), "{hrp}");
            let mut by_hand = Polymod(1);
            for &v in &expansion {
                by_hand.push(v);
            }
            assert_eq!(by_hand, Polymod::new(hrp), "{hrp}");
            assert_eq!(
                Polymod::new(hrp).residue(),
                reference_residue(hrp, &[]),
                "{hrp}"
            );
        }
    }

    #[test]
    fn agrees_with_the_bech32_crate() {
        let data: [u8; 40] = core::array::from_fn(|i| ((i * 7 + 3) % 32) as u8);
        for len in 0..data.len() {
            let mut p = Polymod::new("glpi");
            for &d in &data[..len] {
                p.push(d);
            }
            assert_eq!(p.residue(), reference_residue("glpi", &data[..len]));
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive over every table entry, too slow under Miri"
    )]
    fn table_step_matches_the_definition() {
        let reference = |residue: u32, value: u8| {
            let top = residue >> 25;
            let mut chk = ((residue & 0x01ff_ffff) << 5) ^ u32::from(value);
            for (i, g) in GENERATOR.iter().enumerate() {
                if (top >> i) & 1 == 1 {
                    chk ^= g;
                }
            }
            chk
        };
        let mut r = 1u32;
        for i in 0..100_000u32 {
            let v = (i.wrapping_mul(2_654_435_761) >> 27) as u8;
            assert_eq!(step(r, v), reference(r, v));
            r = step(r, v);
        }
    }

    #[test]
    fn push_all_matches_one_symbol_at_a_time() {
        let data: [u8; 100] = core::array::from_fn(|i| ((i * 29 + 11) % 32) as u8);
        for start in [
            Polymod::new("glpi"),
            Polymod::new("glpi-id"),
            Polymod(0x3fff_ffff),
        ] {
            for len in 0..data.len() {
                let mut one = start;
                data[..len].iter().for_each(|&v| one.push(v));
                let mut all = start;
                all.push_all(&data[..len]);
                assert_eq!(all, one, "len {len}");
            }
        }
    }

    #[test]
    fn bip350_test_vector() {
        // "a1lqfn3a" is a valid bech32m string from BIP-350: hrp "a", no data.
        let mut p = Polymod::new("a");
        for c in "lqfn3a".chars() {
            let v = "qpzry9x8gf2tvdw0s3jn54khce6mua7l".find(c).unwrap() as u8;
            p.push(v);
        }
        assert!(p.is_valid());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive: every single error at every length, hours under Miri"
    )]
    fn created_check_validates_and_locates_every_single_error() {
        let data: [u8; 30] = core::array::from_fn(|i| ((i * 13 + 5) % 32) as u8);
        let mut p = Polymod::new("glpi");
        for &d in &data {
            p.push(d);
        }
        let check = p.check_symbols();
        let mut all = [0u8; 36];
        all[..30].copy_from_slice(&data);
        all[30..].copy_from_slice(&check);
        let residue = |s: &[u8]| {
            let mut p = Polymod::new("glpi");
            s.iter().for_each(|&v| p.push(v));
            p.residue()
        };
        assert_eq!(residue(&all), BECH32M_CONST);
        for i in 0..all.len() {
            for e in 1..32u8 {
                let mut bad = all;
                bad[i] ^= e;
                let r = residue(&bad);
                assert_ne!(r, BECH32M_CONST);
                assert_eq!(
                    locate_single_error(r, all.len()),
                    Some(SingleError { index: i, delta: e })
                );
                assert_eq!(r ^ BECH32M_CONST, error_syndrome(all.len() - 1 - i, e));
            }
        }
    }
}
