//! What the verifier checks beyond the signature, and the verified result.

use core::fmt;

use crate::error::Error;
use crate::model::entitlements::Entitlements;
use crate::model::ids::KeyId;
use crate::model::kind::KeyKind;
use crate::model::serial::{Serial, ShortId};
use crate::model::tier::Tier;
use crate::model::time::UnixTime;
use crate::trust::store::TrustedKey;
use crate::verify::options::VerifyOptions;
use crate::verify::signed;
use crate::wire::claims::Claims;

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
    signed::check_window(issuer, claims.issued_at)?;
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
/// Where a verified key stands in time. See [`License::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyStatus {
    /// Within its validity period (or perpetual).
    Active,
    /// Past its expiry but within the grace period the host allows
    /// ([`VerifyOptions::with_grace_secs`]): usable, but the administrator should be warned.
    InGrace {
        /// When the key expired.
        expired_at: UnixTime,
        /// The first moment the key is refused as expired.
        until: UnixTime,
    },
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyStatus::Active => f.write_str("active"),
            KeyStatus::InGrace { expired_at, until } => write!(
                f,
                "expired on {expired_at}, usable during the grace period until {until}: renew the subscription"
            ),
        }
    }
}
