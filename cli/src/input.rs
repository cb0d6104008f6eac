//! Reading what the user gives: key texts, times, serials, version ranges, entitlements.

use std::io::{IsTerminal, Read};

use glpi_key::{
    Entitlements, GlpiVersion, InstanceId, Serial, ShortId, Tier, UnixTime, VersionRange,
};

use crate::failure::Failure;

/// The most bytes read from a key file or stdin. Keys are far shorter (the parser refuses
/// anything over `glpi_key::MAX_INPUT_LEN`); this only bounds memory on a wrong file.
const MAX_READ: u64 = 1 << 20;

/// Where a key text comes from: `KEY` itself, `@path`, or `-` (stdin). No argument means
/// stdin too, unless stdin is a terminal (then nobody is going to type into it).
pub fn key_text(arg: Option<&str>) -> Result<String, Failure> {
    match arg {
        None if std::io::stdin().is_terminal() => Err(Failure::usage(
            "no key given: pass the key as an argument, as @FILE, or - to read it from standard input",
        )),
        None | Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_READ)
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::usage(format!("cannot read the key from standard input: {e}")))?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| Failure::usage(format!("cannot read key file {path}: {e}")))?;
                let mut bytes = Vec::new();
                file.take(MAX_READ)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Failure::usage(format!("cannot read key file {path}: {e}")))?;
                // A non-UTF-8 file is still read: the parser then names the bad character.
                Ok(String::from_utf8_lossy(&bytes).into_owned())
            }
            None => Ok(arg.to_owned()),
        },
    }
}

/// What a bare date means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateMeans {
    /// The first moment of that day (00:00 UTC).
    StartOfDay,
    /// Through the end of that day: the next midnight UTC.
    EndOfDay,
}

/// Reads `YYYY-MM-DD`, an RFC 3339 time (`2027-12-31T18:00:00Z`, `…+02:00`), or Unix seconds.
pub fn time(s: &str, date: DateMeans) -> Result<UnixTime, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() > 8 {
        return s
            .parse::<u64>()
            .map(UnixTime::from_secs)
            .map_err(|_| format!("{s:?} is too large for a time in Unix seconds"));
    }
    let bad = || {
        format!(
            "{s:?} is not a date or time: use YYYY-MM-DD, an RFC 3339 time such as 2027-12-31T18:00:00Z, or Unix seconds"
        )
    };
    let (date_part, time_part) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let day = parse_date(date_part).ok_or_else(bad)?;
    let Some(t) = time_part else {
        return Ok(match date {
            DateMeans::StartOfDay => day,
            DateMeans::EndOfDay => day.saturating_add_secs(86_400),
        });
    };
    // Split off the zone: Z, or ±HH:MM.
    let (clock, offset_secs) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else {
        let i = t.rfind(['+', '-']).ok_or_else(|| {
            format!("{s:?} has no time zone: end it with Z (UTC) or an offset such as +02:00")
        })?;
        let (c, zone) = t.split_at(i);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (h, m) = zone[1..].split_once(':').ok_or_else(bad)?;
        let (h, m) = (
            two_digits(h).ok_or_else(bad)?,
            two_digits(m).ok_or_else(bad)?,
        );
        if h > 23 || m > 59 {
            return Err(bad());
        }
        (c, sign * (i64::from(h) * 3600 + i64::from(m) * 60))
    };
    let (hms, fraction) = match clock.split_once(['.', ',']) {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if f.bytes().any(|b| b != b'0') {
            return Err(format!(
                "{s:?} has fractions of a second: times are kept to the second at most (keys store whole minutes)"
            ));
        }
    }
    let mut parts = hms.split(':');
    let h = parts.next().and_then(two_digits).ok_or_else(bad)?;
    let m = parts.next().and_then(two_digits).ok_or_else(bad)?;
    let sec = match parts.next() {
        Some(p) => two_digits(p).ok_or_else(bad)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return Err(bad());
    }
    let secs = i64::try_from(day.as_secs()).map_err(|_| bad())?
        + i64::from(h) * 3600
        + i64::from(m) * 60
        + i64::from(sec)
        - offset_secs;
    u64::try_from(secs)
        .map(UnixTime::from_secs)
        .map_err(|_| format!("{s:?} is before 1970"))
}

fn parse_date(s: &str) -> Option<UnixTime> {
    let mut parts = s.split('-');
    let y = parts.next()?;
    let m = parts.next()?;
    let d = parts.next()?;
    if parts.next().is_some() || y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    UnixTime::from_date(y.parse().ok()?, two_digits(m)?, two_digits(d)?)
}

fn two_digits(s: &str) -> Option<u32> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A time stored in a key: it must be a whole minute.
pub fn key_time(s: &str, date: DateMeans) -> Result<UnixTime, String> {
    let t = time(s, date)?;
    if !t.is_whole_minute() {
        return Err(format!(
            "{s:?} is not a whole minute: keys store times in whole minutes; drop the seconds"
        ));
    }
    Ok(t)
}

/// `--expires`: a date means through the end of that day.
pub fn expires(s: &str) -> Result<UnixTime, String> {
    key_time(s, DateMeans::EndOfDay)
}

/// `--not-before`, `--issued-at`: a date means the start of that day.
pub fn key_start(s: &str) -> Result<UnixTime, String> {
    key_time(s, DateMeans::StartOfDay)
}

/// `--now`: any second; a date means its start.
pub fn now(s: &str) -> Result<UnixTime, String> {
    time(s, DateMeans::StartOfDay)
}

/// A serial: a short ID (`GLPI-XXXXXXXXXXXX-YYYYYY`), `0x` and hex digits, or decimal.
pub fn serial(s: &str) -> Result<Serial, String> {
    let s = s.trim();
    let value = if s.len() >= 4 && s[..4].eq_ignore_ascii_case("GLPI") {
        return ShortId::parse(s)
            .map(|id| id.serial())
            .map_err(|e| format!("{s:?} is not a valid short ID: {e}"));
    } else if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else {
        s.parse::<u64>().ok()
    };
    let value = value.ok_or_else(|| {
        format!("{s:?} is not a serial: give a short ID (GLPI-XXXXXXXXXXXX-YYYYYY), 0x and hex digits, or a decimal number")
    })?;
    Serial::new(value).ok_or_else(|| format!("{s:?} is larger than a serial (60 bits)"))
}

/// A subscription tier by name.
pub fn tier(s: &str) -> Result<Tier, String> {
    Tier::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<_> = Tier::ALL.iter().map(|t| t.name()).collect();
        format!("unknown tier {s:?}: use one of {}", names.join(", "))
    })
}

/// One entitlement by name.
pub fn entitlement(s: &str) -> Result<Entitlements, String> {
    Entitlements::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<_> = Entitlements::NAMED.iter().map(|(_, n)| *n).collect();
        format!("unknown entitlement {s:?}: use one of {}", names.join(", "))
    })
}

/// A GLPI version, `10.0`.
pub fn glpi_version(s: &str) -> Result<GlpiVersion, String> {
    GlpiVersion::parse(s)
        .ok_or_else(|| format!("{s:?} is not a GLPI version: use MAJOR.MINOR, such as 10.0"))
}

/// A range of GLPI versions, `10.0..11.0` (both ends included), or one version.
pub fn glpi_range(s: &str) -> Result<VersionRange, String> {
    let (min, max) = s.split_once("..").unwrap_or((s, s));
    let range = VersionRange {
        min: glpi_version(min)?,
        max: glpi_version(max)?,
    };
    if range.min > range.max {
        return Err(format!(
            "{s:?} runs backwards: give the lower version first"
        ));
    }
    Ok(range)
}

/// A GLPI instance UUID.
pub fn instance(s: &str) -> Result<InstanceId, String> {
    InstanceId::parse(s).ok_or_else(|| {
        format!("{s:?} is not a UUID: use the instance UUID, such as 5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b")
    })
}

/// A duration: a number with a unit, `30d`, `12h`, `90m`, `3600s` (or `0`). In seconds.
pub fn duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(0);
    }
    let bad = || {
        format!("{s:?} is not a duration: use a number and a unit, such as 30d, 12h, 90m or 3600s")
    };
    let unit = s.chars().last().ok_or_else(bad)?;
    let per = match unit.to_ascii_lowercase() {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err(bad()),
    };
    let n: u64 = s[..s.len() - 1].parse().map_err(|_| bad())?;
    n.checked_mul(per)
        .ok_or_else(|| format!("{s:?} is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(y: u32, m: u32, d: u32) -> u64 {
        UnixTime::from_date(y, m, d)
            .map(|t| t.as_secs())
            .unwrap_or(0)
    }

    #[test]
    fn dates_and_times() {
        let day = secs(2027, 12, 31);
        assert_eq!(
            time("2027-12-31", DateMeans::StartOfDay).map(|t| t.as_secs()),
            Ok(day)
        );
        assert_eq!(expires("2027-12-31").map(|t| t.as_secs()), Ok(day + 86_400));
        assert_eq!(
            key_start("2027-12-31T18:30:00Z").map(|t| t.as_secs()),
            Ok(day + 18 * 3600 + 1800)
        );
        assert_eq!(
            key_start("2027-12-31T18:30+02:00").map(|t| t.as_secs()),
            Ok(day + 16 * 3600 + 1800)
        );
        assert_eq!(
            key_start("2027-12-31T00:30:00-01:00").map(|t| t.as_secs()),
            Ok(day + 3600 + 1800)
        );
        assert!(key_start("2027-12-31T18:30:05Z")
            .unwrap_err()
            .contains("whole minute"));
        assert!(now("2027-12-31T18:30:05Z").is_ok());
        assert!(key_start("2027-12-31T18:30:00.5Z")
            .unwrap_err()
            .contains("fractions"));
        assert!(key_start("2027-12-31T18:30")
            .unwrap_err()
            .contains("time zone"));
        assert!(time("2027-02-30", DateMeans::StartOfDay).is_err());
        assert!(time("tomorrow", DateMeans::StartOfDay).is_err());
        assert_eq!(now("1800000000").map(|t| t.as_secs()), Ok(1_800_000_000));
    }

    #[test]
    fn serials() {
        let s = Serial::new(0xabc).unwrap_or(Serial::MAX);
        assert_eq!(serial("0xabc"), Ok(s));
        assert_eq!(serial("2748"), Ok(s));
        assert_eq!(serial(&s.short_id().to_string()), Ok(s));
        assert!(serial("0x1000000000000000").is_err());
        assert!(serial("GLPI-000000000000-000000").is_err());
        assert!(serial("abc").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("30d"), Ok(30 * 86_400));
        assert_eq!(duration("12h"), Ok(43_200));
        assert_eq!(duration("90m"), Ok(5_400));
        assert_eq!(duration("7s"), Ok(7));
        assert_eq!(duration("0"), Ok(0));
        assert!(duration("30").is_err());
        assert!(duration("d").is_err());
        assert!(duration("3w").is_err());
        assert!(duration("99999999999999999999d").is_err());
    }

    #[test]
    fn ranges() {
        assert_eq!(
            glpi_range("10.0..11.0").map(|r| r.to_string()).as_deref(),
            Ok("10.0 to 11.0")
        );
        assert_eq!(
            glpi_range("10.0").map(|r| r.to_string()).as_deref(),
            Ok("10.0")
        );
        assert!(glpi_range("11.0..10.0").is_err());
    }
}
