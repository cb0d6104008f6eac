//! The short ID's text form, `GLPI-XXXXXXXXXXXX-YYYYYY`.

use core::fmt;

use crate::encoding::checksum::CHECK_LEN;
use crate::error::Error;
use crate::model::serial::{Serial, ShortId, SERIAL_SYMBOLS};
use crate::text::reader::Scan;
use crate::text::spec::{TextStyle, SHORT_ID_HRP};
use crate::text::writer::write_checked;

impl ShortId {
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
        Serial::new(value)
            .map(Serial::short_id)
            .ok_or(Error::WrongLength {
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
        write_checked(f, SHORT_ID_HRP, self.serial().symbols(), TextStyle::Compact)
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use super::*;
    use alloc::string::ToString;

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
