//! The clock-rollback guard.

use crate::error::Error;
use crate::model::time::UnixTime;

/// A storage-agnostic guard against a clock set back to stretch a key's validity.
///
/// The host persists the high-water mark (the latest time it has seen) wherever it likes and
/// passes it back on each check; with `std`, [`ClockFile`](crate::ClockFile) keeps it in a
/// file. The clock may go back up to `tolerance_secs` (NTP steps, a dead RTC battery fixed by
/// hand) without complaint; further back is reported as [`Error::ClockRolledBack`].
///
/// ```
/// use glpi_key::{ClockGuard, UnixTime};
/// let guard = ClockGuard::new(300);
/// let t = UnixTime::from_secs;
/// assert_eq!(guard.check(None, t(1_000)), Ok(t(1_000)));          // first run
/// assert_eq!(guard.check(Some(t(1_000)), t(800)), Ok(t(1_000)));  // 200 s back: tolerated
/// assert!(guard.check(Some(t(1_000)), t(699)).is_err());          // 301 s back: refused
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockGuard {
    /// How far back the clock may go, in seconds, before it counts as rolled back.
    pub tolerance_secs: u64,
}

impl ClockGuard {
    /// A guard with this tolerance in seconds.
    pub const fn new(tolerance_secs: u64) -> Self {
        ClockGuard { tolerance_secs }
    }

    /// Checks `now` against the latest time seen (`None` on the first run) and returns the new
    /// high-water mark: the later of the two, so it never moves backwards. Persist it, and
    /// verify keys at it rather than at `now` (a small tolerated step back then gains nothing).
    ///
    /// Refused when `now` is more than the tolerance before `last_seen`; exactly the tolerance
    /// back is accepted.
    pub fn check(&self, last_seen: Option<UnixTime>, now: UnixTime) -> Result<UnixTime, Error> {
        match last_seen {
            None => Ok(now),
            Some(last_seen) if now.saturating_add_secs(self.tolerance_secs) < last_seen => {
                Err(Error::ClockRolledBack {
                    now,
                    last_seen,
                    tolerance_secs: self.tolerance_secs,
                })
            }
            Some(last_seen) => Ok(now.max(last_seen)),
        }
    }
}
