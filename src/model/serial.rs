//! Key serials and their public form, the short ID `GLPI-XXXXXXXXXXXX-YYYYYY`.

/// Bits in a serial.
pub const SERIAL_BITS: u32 = 60;

/// Symbols a serial takes in a short ID (60 bits, 5 per symbol).
pub const SERIAL_SYMBOLS: usize = 12;

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

    pub(crate) fn symbols(self) -> impl Iterator<Item = u8> {
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
}

#[cfg(feature = "serde")]
impl serde::Serialize for ShortId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_range() {
        assert!(Serial::new(1 << 60).is_none());
        assert_eq!(Serial::new((1 << 60) - 1), Some(Serial::MAX));
        assert!(Serial::from_be_bytes([0x10, 0, 0, 0, 0, 0, 0, 0]).is_none());
    }
}
