//! Precomputed tables for verifying under a trusted key (feature `tables`): a fixed-base
//! comb with signed digits for the base point `B` and one for `−A` of each trusted key, so a
//! verification makes no doublings, only one point addition per nonzero digit.
//!
//! A table for a point `P` and window `w` holds, for each digit position `i` (of
//! `⌈253 / w⌉`), the multiples `j · 2^(w·i) · P` for `j = 1 ..= 2^(w−1)`. A scalar below
//! 2^253 is written in signed digits `d_i ∈ [−2^(w−1), 2^(w−1))` and `[k]P = Σ ± table[i][|d_i|]`.
//! Lookups depend on the scalars: verification handles public data only (the signature, the
//! signed bytes and the public key), so variable time is fine here, as in `verify_strict`.
//!
//! Built from curve25519-dalek's public API only: the entries are `EdwardsPoint`s (extended
//! coordinates). A more compact entry (affine Niels form, `(y+x, y−x, 2dxy)`, three field
//! elements instead of four, and one multiplication less per addition) is `pub(crate)` in
//! curve25519-dalek 4.1 and cannot be built from outside it.

use alloc::{boxed::Box, vec::Vec};
use core::fmt;

use curve25519_dalek::edwards::EdwardsPoint;

/// How large the tables of a [`TrustStore`](crate::TrustStore) are: a trade of memory and
/// build time against verification time (figures in `benches/TABLES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TableSize {
    /// Window 8: 32 rows of 128 points, 640 KiB per table (one per trusted key, and one for
    /// the base point), the fastest verification.
    Large,
    /// Window 6: 43 rows of 32 points, 215 KiB per table.
    Small,
}

impl TableSize {
    /// The comb's window in bits.
    pub const fn window(self) -> u32 {
        match self {
            TableSize::Large => 8,
            TableSize::Small => 6,
        }
    }

    /// Bytes of one table (one trusted key's, or the base point's).
    pub const fn table_bytes(self) -> usize {
        rows(self.window()) * half(self.window()) * core::mem::size_of::<EdwardsPoint>()
    }
}

/// Bits of a scalar the tables take: every scalar used is below the group order `ℓ < 2^253`
/// (`s` is checked canonical, the challenge is reduced modulo `ℓ`).
const SCALAR_BITS: u32 = 253;

/// Digit positions for window `w`.
const fn rows(w: u32) -> usize {
    SCALAR_BITS.div_ceil(w) as usize
}

/// Entries per digit position: the multiples 1 ..= 2^(w−1).
const fn half(w: u32) -> usize {
    1 << (w - 1)
}

/// The comb table of one point.
#[derive(Clone)]
pub(crate) struct CombTable {
    window: u32,
    /// Row-major: the multiple `j` of row `i` is at `i · half + j − 1`.
    points: Box<[EdwardsPoint]>,
}

impl fmt::Debug for CombTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CombTable")
            .field("window", &self.window)
            .field("points", &self.points.len())
            .finish()
    }
}

impl CombTable {
    /// The table of `point` (allocates [`TableSize::table_bytes`]).
    pub fn new(point: &EdwardsPoint, size: TableSize) -> Self {
        let window = size.window();
        let mut points = Vec::with_capacity(rows(window) * half(window));
        let mut row_base = *point;
        for _ in 0..rows(window) {
            let mut multiple = row_base;
            for _ in 0..half(window) {
                points.push(multiple);
                multiple += row_base;
            }
            for _ in 0..window {
                row_base += row_base;
            }
        }
        CombTable {
            window,
            points: points.into_boxed_slice(),
        }
    }

    /// Adds `[scalar] P` to `acc`, for a little-endian scalar below 2^253; `acc` is `None`
    /// for the identity (so the first term costs no addition).
    pub fn add_multiple(&self, acc: &mut Option<EdwardsPoint>, scalar: &[u8; 32]) {
        let w = self.window;
        let half = half(w) as i32;
        let mask = (1u32 << w) - 1;
        let mut carry = 0;
        for row in 0..rows(w) {
            let bit = row * w as usize;
            // The window's bits lie within three bytes (w ≤ 8); past the end they are 0.
            let mut bits = 0u32;
            for (k, shift) in [0, 8, 16].into_iter().enumerate() {
                bits |= u32::from(scalar.get(bit / 8 + k).copied().unwrap_or(0)) << shift;
            }
            let value = ((bits >> (bit % 8)) & mask) as i32 + carry;
            // Signed digit in [−half, half); the borrow moves to the next row. The top row
            // holds at most 5 bits of a scalar below 2^253 (w = 8; 1 bit for w = 6), so it
            // never carries out.
            let (digit, next) = if value >= half {
                (value - 2 * half, 1)
            } else {
                (value, 0)
            };
            carry = next;
            let Some(index) = (digit.unsigned_abs() as usize).checked_sub(1) else {
                continue;
            };
            let Some(p) = self.points.get(row * half as usize + index) else {
                continue;
            };
            *acc = Some(match (acc.as_ref(), digit > 0) {
                (None, true) => *p,
                (None, false) => -p,
                (Some(a), true) => a + p,
                (Some(a), false) => a - p,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::{constants::ED25519_BASEPOINT_POINT, scalar::Scalar};

    fn mul(table: &CombTable, k: &Scalar) -> EdwardsPoint {
        let mut acc = None;
        table.add_multiple(&mut acc, k.as_bytes());
        acc.unwrap_or_default()
    }

    #[test]
    fn table_sizes_are_the_documented_ones() {
        // 160-byte points: Large 32 rows of 128 points (640 KiB), Small 43 rows of 32 (215 KiB).
        assert_eq!(core::mem::size_of::<EdwardsPoint>(), 160);
        assert_eq!((rows(8), half(8)), (32, 128));
        assert_eq!((rows(6), half(6)), (43, 32));
        assert_eq!(TableSize::Large.table_bytes(), 640 * 1024);
        assert_eq!(TableSize::Small.table_bytes(), 220_160);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds 640 KiB tables and multiplies dozens of points, too slow under Miri"
    )]
    fn comb_multiplies_like_dalek_at_the_edges() {
        let p = ED25519_BASEPOINT_POINT * Scalar::from(7u64);
        let minus_one = -Scalar::ONE;
        for size in [TableSize::Large, TableSize::Small] {
            let table = CombTable::new(&p, size);
            assert_eq!(
                table.points.len() * core::mem::size_of::<EdwardsPoint>(),
                size.table_bytes()
            );
            for k in [
                Scalar::ZERO,
                Scalar::ONE,
                minus_one,
                Scalar::from(128u64),
                Scalar::from(127u64),
                Scalar::from(u64::MAX),
                minus_one - Scalar::from(127u64),
            ] {
                assert_eq!(mul(&table, &k), p * k, "{size:?}");
            }
            // Every digit at its extremes: 0x80 and 0x7f in every byte, ℓ − 1.
            for byte in [0x80u8, 0x7f, 0xff, 0x20] {
                let k = Scalar::from_bytes_mod_order([byte; 32]);
                assert_eq!(mul(&table, &k), p * k, "{size:?} {byte:#x}");
            }
        }
    }
}
