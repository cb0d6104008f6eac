//! Key serials and their public form, the short ID `GLPI-XXXXXXXXXXXX-YYYYYY`.

use core::fmt;

use crate::checksum::CHECK_LEN;
use crate::error::Error;
use crate::text::{write_checked, Scan, TextStyle};

/// Bits in a serial.
pub const SERIAL_BITS: u32 = 60;

/// Symbols a serial takes in a short ID (60 bits, 5 per symbol).
pub const SERIAL_SYMBOLS: usize = 12;

/// Checksum domain of short IDs: distinct from keys', so neither can pass for the other.
pub(crate) const SHORT_ID_HRP: &str = "glpi-id";

/// A key's serial number: 60 random bits, unique per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial(u64);

impl Serial {
    /// The largest serial, 2^60 - 1.
    pub const MAX: Serial = Serial((1 << SERIAL_BITS) - 1);

    /// A serial from its value, or `None` if it has more than 60 bits.
    pub const fn new(value: u64) -> Option<Self> {
        if value >> SERIAL_BITS == 0 {
            Some(Serial(value))
        } else {
            None
        }
    }

    /// A fresh random serial from the operating system's generator.
    #[cfg(feature = "std")]
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes)?;
        Ok(Serial(u64::from_be_bytes(bytes) >> (64 - SERIAL_BITS)))
    }

    /// The serial's value.
    pub const fn value(self) -> u64 {
        self.0
    }

    /// The serial as 8 big-endian bytes, as stored in keys and revocation lists.
    pub const fn to_be_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    /// A serial from 8 big-endian bytes, or `None` if the top 4 bits are not zero.
    pub const fn from_be_bytes(bytes: [u8; 8]) -> Option<Self> {
        Serial::new(u64::from_be_bytes(bytes))
    }

    /// The public short ID of the key with this serial.
    pub const fn short_id(self) -> ShortId {
        ShortId(self)
    }

    fn symbols(self) -> impl Iterator<Item = u8> {
        (0..SERIAL_SYMBOLS).map(move |i| ((self.0 >> (5 * (SERIAL_SYMBOLS - 1 - i))) & 31) as u8)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Serial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Serial {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = <u64 as serde::Deserialize>::deserialize(d)?;
        Serial::new(v).ok_or_else(|| serde::de::Error::custom("serial larger than 60 bits"))
    }
}

/// The public identifier of a key: `GLPI-XXXXXXXXXXXX-YYYYYY`, the 60-bit serial in 12 symbols
/// and a 6-symbol check. It names a key in support tickets, logs and revocation lists; it
/// cannot be verified offline, since it carries no signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShortId(Serial);

impl ShortId {
    /// The serial this short ID names.
    pub const fn serial(self) -> Serial {
        self.0
    }

    /// Reads a short ID, with the same tolerance as keys (case, `O`/`I`/`L`, separators).
    ///
    /// ```
    /// use glpi_key::{Serial, ShortId};
    /// let serial = Serial::new(0x0123_4567_89ab_cdef).unwrap();
    /// let text = serial.short_id().to_string();
    /// assert_eq!(ShortId::parse(&text.to_lowercase()), Ok(serial.short_id()));
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut symbols = [0u8; SERIAL_SYMBOLS + CHECK_LEN];
        let scan = Scan::new(text, &mut symbols)?;
        Self::from_scan(&scan)
    }

    /// Reads a short ID from an already scanned text.
    pub(crate) fn from_scan(scan: &Scan<'_>) -> Result<Self, Error> {
        if scan.count() != SERIAL_SYMBOLS + CHECK_LEN {
            return Err(Error::WrongLength {
                symbols: scan.count(),
            });
        }
        scan.verify_check(SHORT_ID_HRP)?;
        let value = scan
            .symbols()
            .iter()
            .take(SERIAL_SYMBOLS)
            .fold(0u64, |acc, &v| (acc << 5) | u64::from(v));
        // 12 symbols hold exactly 60 bits, so this cannot fail.
        Serial::new(value).map(ShortId).ok_or(Error::WrongLength {
            symbols: scan.count(),
        })
    }

    /// Whether `scan` is a valid short ID (used to explain why it is not a key).
    pub(crate) fn recognise(scan: &Scan<'_>) -> Option<Self> {
        Self::from_scan(scan).ok()
    }
}

impl fmt::Display for ShortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_checked(f, SHORT_ID_HRP, self.0.symbols(), TextStyle::Compact)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ShortId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn serial_range() {
        assert!(Serial::new(1 << 60).is_none());
        assert_eq!(Serial::new((1 << 60) - 1), Some(Serial::MAX));
        assert!(Serial::from_be_bytes([0x10, 0, 0, 0, 0, 0, 0, 0]).is_none());
    }

    #[test]
    fn short_id_shape_and_round_trip() {
        for v in [0u64, 1, 0x0123_4567_89ab_cdef, Serial::MAX.value()] {
            let id = Serial::new(v).unwrap().short_id();
            let s = id.to_string();
            assert_eq!(s.len(), 24);
            assert_eq!(&s[..5], "GLPI-");
            assert_eq!(&s[17..18], "-");
            assert_eq!(ShortId::parse(&s), Ok(id));
            assert_eq!(ShortId::parse(&s.to_lowercase()), Ok(id));
        }
    }

    #[test]
    fn short_id_typo_is_caught() {
        let s = Serial::new(42).unwrap().short_id().to_string();
        let mut bad = s.clone();
        bad.replace_range(8..9, if &s[8..9] == "7" { "8" } else { "7" });
        assert!(matches!(ShortId::parse(&bad), Err(Error::Checksum(_))));
    }
}
