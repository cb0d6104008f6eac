//! The C-facing constants and plain-data structs (`GlpiKind`, `GlpiTier`, `GlpiLicense`,
//! `GlpiError`), and how a verified license fills a `GlpiLicense`.

use std::ffi::c_char;

use glpi_key::{KeyKind, License, Tier, UnixTime, MAX_INPUT_LEN, MAX_OWNER_LEN, MAX_TRUSTED_KEYS};

use crate::cstr::copy_c_str;
use crate::status::{Failure, GlpiStatus};

/// Bytes in an issuer public key (Ed25519).
pub const GLPI_PUBLIC_KEY_LEN: usize = 32;

/// Bytes in a GLPI instance id (a UUID).
pub const GLPI_INSTANCE_ID_LEN: usize = 16;

/// The most trusted issuer keys one verifier holds.
pub const GLPI_MAX_TRUSTED_KEYS: usize = 16;

/// The longest key text accepted, in bytes; longer input is refused with
/// `GLPI_STATUS_TOO_LONG` before it is read.
pub const GLPI_MAX_INPUT_LEN: usize = 4096;

/// Size of `GlpiLicense.owner`: the longest owner (96 bytes of UTF-8) and a NUL.
pub const GLPI_OWNER_CAPACITY: usize = 97;

/// Size of `GlpiLicense.short_id`: `GLPI-XXXXXXXXXXXX-YYYYYY` (24 characters) and a NUL.
pub const GLPI_SHORT_ID_CAPACITY: usize = 25;

/// Size of `GlpiError.message`, NUL included. Every message of this version fits.
pub const GLPI_MESSAGE_CAPACITY: usize = 512;

/// Flag of `glpi_verify` and `glpi_site_verify`: INSECURE. Accept a key bound to an instance
/// without checking the binding, when the host has no instance id: a key bound to ANOTHER
/// instance then passes too. The result says so (`GlpiLicense.instance_not_checked`, and the
/// warning `GlpiSiteWarnings.instance_not_checked` of a site). Without this flag such a key is
/// refused with `GLPI_STATUS_INSTANCE_REQUIRED`. Refused together with an instance id.
pub const GLPI_INSECURE_SKIP_INSTANCE_BINDING: u32 = 1;

const _: () = {
    assert!(GLPI_OWNER_CAPACITY == MAX_OWNER_LEN + 1);
    assert!(GLPI_MAX_TRUSTED_KEYS == MAX_TRUSTED_KEYS);
    assert!(GLPI_MAX_INPUT_LEN == MAX_INPUT_LEN);
};

/// The kind of key to accept (argument of `glpi_verify` and `glpi_site_verify`, required: there
/// is no "either kind", and 0 or an unknown value is refused with
/// `GLPI_STATUS_INVALID_ARGUMENT`) or found (`GlpiLicense.kind`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiKind {
    /// A key registering a GLPI instance.
    InstanceRegistration = 1,
    /// A key enrolling inventory agents into an entity.
    AgentEnrollment = 2,
}

impl GlpiKind {
    fn of(kind: KeyKind) -> Self {
        match kind {
            KeyKind::InstanceRegistration => GlpiKind::InstanceRegistration,
            KeyKind::AgentEnrollment => GlpiKind::AgentEnrollment,
        }
    }

    /// The kind a caller requires: a `GlpiKind` number, never 0 ("any" does not exist).
    pub(crate) fn required(kind: u32) -> Result<KeyKind, Failure> {
        match kind {
            1 => Ok(KeyKind::InstanceRegistration),
            2 => Ok(KeyKind::AgentEnrollment),
            other => Err(Failure::new(
                GlpiStatus::InvalidArgument,
                format!(
                    "kind {other} is not a key kind: name the kind this host accepts, \
                     GLPI_KIND_INSTANCE_REGISTRATION (1) or GLPI_KIND_AGENT_ENROLLMENT (2) \
                     (there is no \"any kind\": an agent enrollment key, copied to many \
                     endpoints by design, must not pass as an instance registration)"
                ),
            )),
        }
    }
}

/// The subscription tier of a verified key.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiTier {
    /// Free (community).
    Free = 0,
    /// Starter.
    Starter = 1,
    /// Basic.
    Basic = 2,
    /// Standard.
    Standard = 3,
    /// Advanced.
    Advanced = 4,
}

impl GlpiTier {
    fn of(tier: Tier) -> Self {
        match tier {
            Tier::Free => GlpiTier::Free,
            Tier::Starter => GlpiTier::Starter,
            Tier::Basic => GlpiTier::Basic,
            Tier::Standard => GlpiTier::Standard,
            Tier::Advanced => GlpiTier::Advanced,
        }
    }
}

/// The claims of a verified key. Plain data, owned by the caller (usually on its stack);
/// `glpi_verify` and `glpi_site_verify` fill every field on success and leave it untouched on
/// failure. A field with a `has_` flag is meaningful only when the flag is true. Times are Unix
/// seconds (UTC).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiLicense {
    /// The kind of key.
    pub kind: GlpiKind,
    /// The subscription tier.
    pub tier: GlpiTier,
    /// The key's serial (60 bits).
    pub serial: u64,
    /// The public short ID, `GLPI-XXXXXXXXXXXX-YYYYYY`, NUL-terminated.
    pub short_id: [c_char; GLPI_SHORT_ID_CAPACITY],
    /// The id of the issuer key that signed it.
    pub issuer_key_id: [u8; 4],
    /// When the key was issued.
    pub issued_at: u64,
    /// Start of validity.
    pub not_before: u64,
    /// End of validity (exclusive), when `has_expires_at`; otherwise the key is perpetual.
    pub expires_at: u64,
    /// Whether the key expires.
    pub has_expires_at: bool,
    /// Entitlement bits: 1 marketplace, 2 network plugins, 4 level-3 support; other bits may
    /// be granted by newer issuers.
    pub entitlements: u32,
    /// The most assets the instance may manage, when `has_max_assets`.
    pub max_assets: u32,
    /// Whether `max_assets` is set.
    pub has_max_assets: bool,
    /// The entity new agents are assigned to (agent enrollment keys), when `has_entity`.
    pub entity: u32,
    /// Whether `entity` is set.
    pub has_entity: bool,
    /// The instance UUID the key is bound to, when `has_instance`.
    pub instance: [u8; GLPI_INSTANCE_ID_LEN],
    /// Whether the key is bound to an instance.
    pub has_instance: bool,
    /// INSECURE outcome: the key is bound to `instance`, and that binding was NOT checked
    /// (the caller passed `GLPI_INSECURE_SKIP_INSTANCE_BINDING` and no instance id). Tell the
    /// administrator: a key bound to another instance would have passed too.
    pub instance_not_checked: bool,
    /// First covered GLPI version (major, minor), when `has_glpi_versions`.
    pub glpi_version_min: [u8; 2],
    /// Last covered GLPI version (major, minor), when `has_glpi_versions`.
    pub glpi_version_max: [u8; 2],
    /// Whether the key is restricted to some GLPI versions.
    pub has_glpi_versions: bool,
    /// The serial of the key this one renews, when `has_supersedes`.
    pub supersedes: u64,
    /// Whether `supersedes` is set.
    pub has_supersedes: bool,
    /// The owner, UTF-8, NUL-terminated (owners never contain NUL in practice; `owner_len`
    /// is exact regardless).
    pub owner: [c_char; GLPI_OWNER_CAPACITY],
    /// Bytes in `owner`, NUL excluded.
    pub owner_len: usize,
}

/// Why a call failed. Plain data, owned by the caller; filled by every function taking it
/// (also on success: status `GLPI_STATUS_OK`, empty message).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct GlpiError {
    /// The status the call returned.
    pub status: GlpiStatus,
    /// For `GLPI_STATUS_INVALID_CHARACTER`: the 1-based character position of the bad
    /// character; for `GLPI_STATUS_CHECKSUM` with a suggestion: of the suspect character; for
    /// trusted-key failures: the 1-based index of the refused key. 0 otherwise.
    pub position: usize,
    /// For `GLPI_STATUS_CHECKSUM`: the character that probably belongs at `position`, or NUL
    /// when no single symbol is suspected.
    pub suggestion: c_char,
    /// Whether the suggested correction also makes the signature verify (almost certain).
    pub suggestion_confirmed: bool,
    /// What went wrong and what to do, for a person: UTF-8, NUL-terminated.
    pub message: [c_char; GLPI_MESSAGE_CAPACITY],
}

/// The record of a verified license; `instance_not_checked` as the binding rule
/// (`glpi_key::InstanceCheck::binding_unchecked`) said.
pub(crate) fn license_record(l: &License<'_>, instance_not_checked: bool) -> GlpiLicense {
    let c = l.claims();
    let mut record = GlpiLicense {
        kind: GlpiKind::of(c.kind),
        tier: GlpiTier::of(c.tier),
        serial: c.serial.value(),
        short_id: [0; GLPI_SHORT_ID_CAPACITY],
        issuer_key_id: l.issuer_key_id().0,
        issued_at: c.issued_at.as_secs(),
        not_before: c.not_before.as_secs(),
        expires_at: c.expires_at.map_or(0, UnixTime::as_secs),
        has_expires_at: c.expires_at.is_some(),
        entitlements: c.entitlements.bits(),
        max_assets: c.max_assets.unwrap_or(0),
        has_max_assets: c.max_assets.is_some(),
        entity: c.entity.unwrap_or(0),
        has_entity: c.entity.is_some(),
        instance: c.instance.map_or([0; GLPI_INSTANCE_ID_LEN], |i| i.0),
        has_instance: c.instance.is_some(),
        instance_not_checked,
        glpi_version_min: c
            .glpi_versions
            .map_or([0; 2], |r| [r.min.major, r.min.minor]),
        glpi_version_max: c
            .glpi_versions
            .map_or([0; 2], |r| [r.max.major, r.max.minor]),
        has_glpi_versions: c.glpi_versions.is_some(),
        supersedes: c.supersedes.map_or(0, |s| s.value()),
        has_supersedes: c.supersedes.is_some(),
        owner: [0; GLPI_OWNER_CAPACITY],
        owner_len: 0,
    };
    copy_c_str(&mut record.short_id, &l.short_id().to_string());
    record.owner_len = copy_c_str(&mut record.owner, c.owner);
    record
}
