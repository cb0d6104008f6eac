//! Time as the library sees it: seconds since the Unix epoch, always supplied by the caller.
//!
//! The library has no clock (it runs on machines without one, and an offline host cannot trust
//! its clock anyway). Keys store their times in whole minutes; see `spec/FORMAT.md` for why.

use core::fmt;

/// Seconds in one minute, the resolution of every time stored in a key.
pub const SECONDS_PER_MINUTE: u64 = 60;
/// Seconds in one day.
pub const SECONDS_PER_DAY: u64 = 86_400;

/// A point in time: whole seconds since 1970-01-01 00:00:00 UTC.
///
/// Displayed as `2027-12-31 00:00 UTC` (seconds are shown only when they are not zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct UnixTime(u64);

impl UnixTime {
    /// The Unix epoch, 1970-01-01 00:00 UTC.
    pub const EPOCH: UnixTime = UnixTime(0);

    /// A time from seconds since the Unix epoch.
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// Midnight UTC at the start of the given calendar day, or `None` for an impossible date
    /// (month 13, 31 April, 29 February of a common year) or one before 1970.
    ///
    /// ```
    /// use glpi_key::UnixTime;
    /// assert_eq!(UnixTime::from_date(2027, 12, 31).map(|t| t.as_secs()), Some(1_830_211_200));
    /// assert_eq!(UnixTime::from_date(2027, 2, 29), None);
    /// ```
    pub const fn from_date(year: u32, month: u32, day: u32) -> Option<Self> {
        if year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(UnixTime(
            days_from_civil(year, month, day) * SECONDS_PER_DAY,
        ))
    }

    /// The current time from the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        UnixTime(secs)
    }

    /// This time rounded down to a whole minute (keys store whole minutes).
    pub const fn floor_to_minute(self) -> Self {
        UnixTime(self.0 - self.0 % SECONDS_PER_MINUTE)
    }

    /// Whether this time is a whole minute, as every time stored in a key must be.
    pub const fn is_whole_minute(self) -> bool {
        self.whole_minutes().is_some()
    }

    /// The number of minutes since the epoch, when this time is a whole minute.
    ///
    /// Computed without a division: verification re-encodes claims (to refuse non-canonical
    /// ones), and on 32-bit targets a 64-bit division links a ~1 KiB runtime routine. Exact
    /// division by an odd number is a multiplication by its inverse modulo 2^64, and that
    /// product is at most `u64::MAX / 15` exactly when the division is exact (Granlund and
    /// Montgomery, 1994). `60 = 4 * 15`: the factor 4 is a shift.
    pub const fn whole_minutes(self) -> Option<u64> {
        /// `15 * INVERSE_OF_15 == 1 (mod 2^64)`.
        const INVERSE_OF_15: u64 = 0xeeee_eeee_eeee_eeef;
        if self.0 & 3 != 0 {
            return None;
        }
        let quarter_minutes = (self.0 >> 2).wrapping_mul(INVERSE_OF_15);
        if quarter_minutes <= u64::MAX / 15 {
            Some(quarter_minutes)
        } else {
            None
        }
    }

    /// This time plus `secs` seconds, saturating at the largest representable time.
    pub const fn saturating_add_secs(self, secs: u64) -> Self {
        UnixTime(self.0.saturating_add(secs))
    }

    /// This time minus `secs` seconds, saturating at the epoch.
    pub const fn saturating_sub_secs(self, secs: u64) -> Self {
        UnixTime(self.0.saturating_sub(secs))
    }

    /// The calendar date and time of day (UTC) of this time.
    pub const fn to_civil(self) -> CivilTime {
        let days = self.0 / SECONDS_PER_DAY;
        let rem = self.0 % SECONDS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: ((rem % 3600) / 60) as u8,
            second: (rem % 60) as u8,
        }
    }
}

/// A UTC calendar date and time of day, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    /// Year (1970 or later).
    pub year: u64,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 59.
    pub second: u8,
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.to_civil();
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute
        )?;
        if c.second != 0 {
            write!(f, ":{:02}", c.second)?;
        }
        f.write_str(" UTC")
    }
}

const fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`,
/// restricted to dates from 1970 on so that it stays in unsigned arithmetic).
const fn days_from_civil(year: u32, month: u32, day: u32) -> u64 {
    let y = if month <= 2 { year - 1 } else { year } as u64;
    let era = y / 400;
    let yoe = y - era * 400;
    let m = month as u64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as u64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`] for days since 1970-01-01.
const fn civil_from_days(days: u64) -> (u64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "exhaustive over a range of times, too slow under Miri")]
    fn whole_minutes_without_division() {
        let edges = [
            0,
            1,
            59,
            60,
            61,
            120,
            u64::MAX,
            u64::MAX - 15,
            u64::MAX / 60 * 60,
        ];
        let mut seed = 0x853c_49e6_748f_ea9bu64;
        let mut check = |secs: u64| {
            let t = UnixTime::from_secs(secs);
            let expected = (secs % 60 == 0).then_some(secs / 60);
            assert_eq!(t.whole_minutes(), expected, "{secs}");
            assert_eq!(t.is_whole_minute(), expected.is_some());
        };
        edges.into_iter().for_each(&mut check);
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            check(seed);
            check(seed / 60 * 60); // a whole minute
            check((seed % 1_000_000_000) / 60 * 60 + seed % 2); // near today's times
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(UnixTime::from_date(1970, 1, 1), Some(UnixTime::EPOCH));
        assert_eq!(
            UnixTime::from_date(2000, 3, 1),
            Some(UnixTime::from_secs(951_868_800))
        );
        assert_eq!(
            UnixTime::from_date(2024, 2, 29),
            Some(UnixTime::from_secs(1_709_164_800))
        );
        // Leap years: every fourth, but not a century, unless it divides by 400.
        assert_eq!(
            UnixTime::from_date(2000, 2, 29),
            Some(UnixTime::from_secs(951_782_400))
        );
        assert_eq!(
            UnixTime::from_date(2400, 2, 29),
            Some(UnixTime::from_secs(13_574_563_200))
        );
        assert_eq!(UnixTime::from_date(2100, 2, 29), None);
        assert_eq!(UnixTime::from_date(2027, 2, 29), None);
        assert_eq!(UnixTime::from_date(2026, 4, 31), None);
        assert_eq!(UnixTime::from_date(2026, 13, 1), None);
        assert_eq!(UnixTime::from_date(2026, 0, 1), None);
        assert_eq!(UnixTime::from_date(1969, 12, 31), None);
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        let mut days = 0u64;
        while days < 146_097 * 2 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as u32, m as u32, d as u32), days);
            days += 1;
        }
    }

    #[test]
    fn display() {
        extern crate alloc;
        use alloc::string::ToString;
        let t = UnixTime::from_date(2027, 12, 31).map(|t| t.saturating_add_secs(3_723));
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2027-12-31 01:02:03 UTC")
        );
        assert_eq!(UnixTime::EPOCH.to_string(), "1970-01-01 00:00 UTC");
        for (secs, floor) in [
            (0, 0),
            (59, 0),
            (60, 60),
            (119, 60),
            (1_800_000_059, 1_800_000_000),
            (u64::MAX, u64::MAX - 15),
        ] {
            assert_eq!(
                UnixTime::from_secs(secs).floor_to_minute().as_secs(),
                floor,
                "{secs}"
            );
        }
    }
}
