//! What the host knows when it checks a key.

use crate::model::ids::InstanceId;
use crate::model::kind::KeyKind;
use crate::model::time::UnixTime;
use crate::model::version::GlpiVersion;

/// What the host knows when it checks a key. The library has no clock: `now` comes from the
/// caller (with `std`, [`VerifyOptions::now`] reads the system clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The current time.
    pub now: UnixTime,
    /// The kind of key needed here; `None` accepts either kind.
    pub kind: Option<KeyKind>,
    /// This GLPI instance's UUID. When given, a key bound to another instance is refused.
    /// When `None`, the binding is not checked: read it from [`Claims::instance`].
    pub instance: Option<InstanceId>,
    /// This GLPI version. When given, a key restricted to other versions is refused.
    pub glpi_version: Option<GlpiVersion>,
    /// How long after expiry a key stays usable, in seconds (flagged as
    /// [`KeyStatus::InGrace`](crate::KeyStatus::InGrace)). 0: no grace.
    pub grace_secs: u64,
    /// When given, a key whose issue time lies more than this many seconds after `now` is
    /// refused ([`Error::IssuedInFuture`]): the clock was probably set back.
    pub clock_tolerance_secs: Option<u64>,
}

impl VerifyOptions {
    /// Options for checking at time `now`, with nothing else known.
    pub const fn at(now: UnixTime) -> Self {
        VerifyOptions {
            now,
            kind: None,
            instance: None,
            glpi_version: None,
            grace_secs: 0,
            clock_tolerance_secs: None,
        }
    }

    /// Options for checking now, by the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        Self::at(UnixTime::now())
    }

    /// Also require a key of this kind.
    pub const fn with_kind(mut self, kind: KeyKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Also check the instance binding against this instance.
    pub const fn with_instance(mut self, instance: InstanceId) -> Self {
        self.instance = Some(instance);
        self
    }

    /// Also check the supported GLPI versions against this version.
    pub const fn with_glpi_version(mut self, version: GlpiVersion) -> Self {
        self.glpi_version = Some(version);
        self
    }

    /// Accept keys for `secs` seconds after they expire, flagged as [`KeyStatus::InGrace`](crate::KeyStatus::InGrace).
    pub const fn with_grace_secs(mut self, secs: u64) -> Self {
        self.grace_secs = secs;
        self
    }

    /// Refuse keys issued more than `secs` seconds after `now` (see
    /// [`ClockGuard`](crate::ClockGuard) for the clock's own check).
    pub const fn with_clock_tolerance_secs(mut self, secs: u64) -> Self {
        self.clock_tolerance_secs = Some(secs);
        self
    }
}
