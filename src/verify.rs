//! What the verifier checks beyond the signature, and the verified result.

use crate::claims::{Claims, Entitlements, GlpiVersion, InstanceId, KeyKind, Tier};
use crate::error::Error;
use crate::policy::KeyStatus;
use crate::serial::{Serial, ShortId};
use crate::time::UnixTime;
use crate::trust::{KeyId, TrustedKey};

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
    /// [`KeyStatus::InGrace`]). 0: no grace.
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

    /// Accept keys for `secs` seconds after they expire, flagged as [`KeyStatus::InGrace`].
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

/// A verified key. Only [`UnverifiedKey::verify`](crate::UnverifiedKey::verify) makes one, after
/// the signature checked out and every claim passed the checks asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct License<'k> {
    claims: Claims<'k>,
    issuer: KeyId,
    status: KeyStatus,
}

impl<'k> License<'k> {
    /// All the claims.
    pub fn claims(&self) -> &Claims<'k> {
        &self.claims
    }

    /// The key's serial.
    pub fn serial(&self) -> Serial {
        self.claims.serial
    }

    /// The key's public short ID.
    pub fn short_id(&self) -> ShortId {
        self.claims.serial.short_id()
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        self.claims.kind
    }

    /// The subscription tier.
    pub fn tier(&self) -> Tier {
        self.claims.tier
    }

    /// Who the key was issued to.
    pub fn owner(&self) -> &'k str {
        self.claims.owner
    }

    /// What the key entitles to.
    pub fn entitlements(&self) -> Entitlements {
        self.claims.entitlements
    }

    /// End of validity, `None` when perpetual.
    pub fn expires_at(&self) -> Option<UnixTime> {
        self.claims.expires_at
    }

    /// The issuer key that signed it.
    pub fn issuer_key_id(&self) -> KeyId {
        self.issuer
    }

    /// Active, or in its grace period after expiry (usable; warn the administrator).
    pub fn status(&self) -> KeyStatus {
        self.status
    }
}

/// The checks made after the signature, in the order the spec gives.
pub(crate) fn check_claims<'k>(
    claims: Claims<'k>,
    issuer: &TrustedKey,
    options: &VerifyOptions,
) -> Result<License<'k>, Error> {
    if !issuer.covers(claims.issued_at) {
        return Err(Error::IssuerKeyNotValid {
            key_id: issuer.key_id(),
            issued_at: claims.issued_at,
        });
    }
    let now = options.now;
    if let Some(tolerance_secs) = options.clock_tolerance_secs {
        if claims.issued_at > now.saturating_add_secs(tolerance_secs) {
            return Err(Error::IssuedInFuture {
                issued_at: claims.issued_at,
                now,
                tolerance_secs,
            });
        }
    }
    if now < claims.not_before {
        return Err(Error::NotYetValid {
            not_before: claims.not_before,
            now,
        });
    }
    let mut status = KeyStatus::Active;
    if let Some(expired_at) = claims.expires_at {
        if now >= expired_at {
            let until = expired_at.saturating_add_secs(options.grace_secs);
            if now >= until {
                return Err(Error::Expired { expired_at, now });
            }
            status = KeyStatus::InGrace { expired_at, until };
        }
    }
    if let (Some(bound_to), Some(this_instance)) = (claims.instance, options.instance) {
        if bound_to != this_instance {
            return Err(Error::WrongInstance {
                bound_to,
                this_instance,
            });
        }
    }
    if let (Some(supported), Some(version)) = (claims.glpi_versions, options.glpi_version) {
        if !supported.contains(version) {
            return Err(Error::UnsupportedGlpiVersion { version, supported });
        }
    }
    Ok(License {
        claims,
        issuer: issuer.key_id(),
        status,
    })
}
