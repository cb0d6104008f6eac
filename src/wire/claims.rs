//! What a key says: its claims, and their one canonical byte form.
//!
//! The claims are a sequence of fields, each encoded with postcard (varints for integers,
//! length-prefixed UTF-8 for text, raw bytes for fixed arrays). Optional fields are present
//! when their bit is set in a presence byte, which keeps the typical key short. See
//! `spec/FORMAT.md` for the byte layout.

use crate::error::ClaimsError;
use crate::model::entitlements::Entitlements;
use crate::model::ids::InstanceId;
use crate::model::kind::KeyKind;
use crate::model::limits::{MAX_EXTENSIONS_LEN, MAX_OWNER_LEN};
use crate::model::serial::Serial;
use crate::model::tier::Tier;
use crate::model::time::{UnixTime, SECONDS_PER_MINUTE};
use crate::model::version::{GlpiVersion, VersionRange};
use crate::wire::codec::{CodecError, Reader, Writer};

/// The longest encoded claims, in bytes (every optional field present, every varint at its
/// longest, owner and extensions at their maximum).
pub const MAX_CLAIMS_LEN: usize = 8 // serial
    + 1 // tier
    + 1 // presence
    + 5 // entitlements
    + 1 + MAX_OWNER_LEN // owner
    + 5 // issued at
    + 5 // not-before offset
    + 5 // validity
    + 16 // instance
    + 4 // GLPI versions
    + 5 // max assets
    + 5 // entity
    + 8 // supersedes
    + 1 + MAX_EXTENSIONS_LEN; // extensions

/// The shortest encoded claims, in bytes.
pub const MIN_CLAIMS_LEN: usize = 8 + 1 + 1 + 1 + 2 + 1 + 1;

/// Extensions: claims added by later minor revisions of the format, as `(tag, value)` pairs
/// sorted by tag. An odd tag is *critical*: a verifier that does not know it must refuse the
/// key. An even tag is informational and ignored when unknown. Version 1 defines no tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extensions<'a>(&'a [u8]);

/// One extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// The tag; odd tags are critical.
    pub tag: u16,
    /// The value bytes.
    pub value: &'a [u8],
}

impl<'a> Extensions<'a> {
    /// No extensions.
    pub const EMPTY: Extensions<'static> = Extensions(&[]);

    /// Checks an encoded extension block: well formed, tags strictly increasing, no critical
    /// tag (this version knows none), at most [`MAX_EXTENSIONS_LEN`] bytes.
    pub fn from_encoded(block: &'a [u8]) -> Result<Self, ClaimsError> {
        if block.len() > MAX_EXTENSIONS_LEN {
            return Err(ClaimsError::MalformedExtensions);
        }
        let mut last: Option<u16> = None;
        let mut rest = block;
        while !rest.is_empty() {
            let (ext, tail) = take_extension(rest)?;
            if last.is_some_and(|l| ext.tag <= l) {
                return Err(ClaimsError::MalformedExtensions);
            }
            if ext.tag % 2 == 1 {
                return Err(ClaimsError::UnknownCriticalExtension(ext.tag));
            }
            last = Some(ext.tag);
            rest = tail;
        }
        Ok(Extensions(block))
    }

    /// The encoded block.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The extensions, in tag order.
    pub fn iter(&self) -> impl Iterator<Item = Extension<'a>> {
        let mut rest = self.0;
        core::iter::from_fn(move || {
            let (ext, tail) = take_extension(rest).ok()?;
            rest = tail;
            Some(ext)
        })
    }
}

fn take_extension(bytes: &[u8]) -> Result<(Extension<'_>, &[u8]), ClaimsError> {
    let mut r = Reader::new(bytes);
    let bad = |_| ClaimsError::MalformedExtensions;
    let tag = r.take::<u16>("extension tag").map_err(bad)?;
    let value = r.take::<&[u8]>("extension value").map_err(bad)?;
    Ok((Extension { tag, value }, r.rest()))
}

impl From<CodecError> for ClaimsError {
    fn from(e: CodecError) -> Self {
        match e {
            CodecError::Truncated(field) => ClaimsError::Truncated { field },
            CodecError::Full => ClaimsError::BufferTooSmall,
        }
    }
}

/// Everything a key says.
///
/// Build one with [`Claims::new`] and set the optional fields. A verified key's claims come
/// from [`License::claims`](crate::License::claims); the owner and extensions borrow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Claims<'a> {
    /// Unique serial; its short ID names the key publicly.
    pub serial: Serial,
    /// What the key is for (stored in the header).
    pub kind: KeyKind,
    /// Subscription tier.
    pub tier: Tier,
    /// Who the key was issued to (1 to [`MAX_OWNER_LEN`] bytes of UTF-8).
    pub owner: &'a str,
    /// When the key was issued.
    pub issued_at: UnixTime,
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity (exclusive); `None` for a perpetual key.
    pub expires_at: Option<UnixTime>,
    /// The GLPI instance the key is bound to, if any.
    pub instance: Option<InstanceId>,
    /// What the key entitles to.
    pub entitlements: Entitlements,
    /// The GLPI versions the key covers, if restricted.
    pub glpi_versions: Option<VersionRange>,
    /// The most assets the instance may manage, if limited.
    pub max_assets: Option<u32>,
    /// For agent enrollment keys: the entity new agents are assigned to.
    pub entity: Option<u32>,
    /// The serial of the key this one renews, if any.
    pub supersedes: Option<Serial>,
    /// Extensions from later revisions of the format.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub extensions: Extensions<'a>,
}

impl<'a> Claims<'a> {
    /// Claims with the required fields; valid from `issued_at`, perpetual, unbound, no
    /// entitlements, no limits. Set the other fields directly.
    pub fn new(
        serial: Serial,
        kind: KeyKind,
        tier: Tier,
        owner: &'a str,
        issued_at: UnixTime,
    ) -> Self {
        Claims {
            serial,
            kind,
            tier,
            owner,
            issued_at,
            not_before: issued_at,
            expires_at: None,
            instance: None,
            entitlements: Entitlements::NONE,
            glpi_versions: None,
            max_assets: None,
            entity: None,
            supersedes: None,
            extensions: Extensions::EMPTY,
        }
    }

    /// Checks the claims for validity, then writes their canonical bytes into `out` and
    /// returns the length used.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ClaimsError> {
        let wire = Wire::from_claims(self)?;
        let mut w = Writer::new(out);
        w.raw(&self.serial.to_be_bytes())?;
        w.raw(&[self.tier.to_byte(), wire.presence])?;
        w.put(&self.entitlements.bits())?;
        w.put(&self.owner)?;
        w.put(&wire.issued)?;
        w.put(&wire.not_before_offset)?;
        if let Some(v) = wire.validity {
            w.put(&v)?;
        }
        if let Some(id) = &self.instance {
            w.raw(&id.0)?;
        }
        if let Some(r) = &self.glpi_versions {
            w.raw(&[r.min.major, r.min.minor, r.max.major, r.max.minor])?;
        }
        if let Some(n) = &self.max_assets {
            w.put(n)?;
        }
        if let Some(e) = &self.entity {
            w.put(e)?;
        }
        if let Some(s) = &self.supersedes {
            w.raw(&s.to_be_bytes())?;
        }
        if !self.extensions.is_empty() {
            w.put(&self.extensions.as_bytes())?;
        }
        Ok(w.len())
    }

    /// Decodes claims of a key of `kind` from exactly `bytes`, and checks that `bytes` is
    /// their one canonical form (re-encoding gives the same bytes).
    pub fn decode(kind: KeyKind, bytes: &'a [u8]) -> Result<Self, ClaimsError> {
        let mut r = Reader::new(bytes);
        let serial = r.raw::<8>("serial")?;
        let serial = Serial::from_be_bytes(serial).ok_or(ClaimsError::SerialOutOfRange)?;
        let [tier] = r.raw::<1>("tier")?;
        let tier = Tier::from_byte(tier).ok_or(ClaimsError::UnknownTier(tier))?;
        let [presence] = r.raw::<1>("presence")?;
        if presence & !Presence::KNOWN != 0 {
            return Err(ClaimsError::ReservedBits);
        }
        let entitlements = Entitlements::from_bits(r.take("entitlements")?);
        let owner: &str = r.take("owner")?;
        let issued: u32 = r.take("issued_at")?;
        let offset: i32 = r.take("not_before")?;
        let issued_at = minutes(i64::from(issued))?;
        let not_before = minutes(i64::from(issued) + i64::from(offset))?;
        let expires_at = match Presence::EXPIRES.is_in(presence) {
            true => {
                let validity: u32 = r.take("expires_at")?;
                Some(minutes(
                    i64::from(issued) + i64::from(offset) + i64::from(validity),
                )?)
            }
            false => None,
        };
        let instance = match Presence::INSTANCE.is_in(presence) {
            true => Some(InstanceId(r.raw("instance")?)),
            false => None,
        };
        let glpi_versions = match Presence::GLPI_VERSIONS.is_in(presence) {
            true => {
                let [a, b, c, d] = r.raw::<4>("glpi_versions")?;
                Some(VersionRange {
                    min: GlpiVersion::new(a, b),
                    max: GlpiVersion::new(c, d),
                })
            }
            false => None,
        };
        let max_assets = match Presence::MAX_ASSETS.is_in(presence) {
            true => Some(r.take("max_assets")?),
            false => None,
        };
        let entity = match Presence::ENTITY.is_in(presence) {
            true => Some(r.take("entity")?),
            false => None,
        };
        let supersedes = match Presence::SUPERSEDES.is_in(presence) {
            true => {
                let s = r.raw::<8>("supersedes")?;
                Some(Serial::from_be_bytes(s).ok_or(ClaimsError::SerialOutOfRange)?)
            }
            false => None,
        };
        let extensions = match Presence::EXTENSIONS.is_in(presence) {
            true => Extensions::from_encoded(r.take("extensions")?)?,
            false => Extensions::EMPTY,
        };
        if !r.is_empty() {
            return Err(ClaimsError::TrailingBytes);
        }
        let claims = Claims {
            serial,
            kind,
            tier,
            owner,
            issued_at,
            not_before,
            expires_at,
            instance,
            entitlements,
            glpi_versions,
            max_assets,
            entity,
            supersedes,
            extensions,
        };
        // Validity rules, and canonical form: re-encoding must give back the same bytes.
        let mut again = [0u8; MAX_CLAIMS_LEN];
        let n = claims.encode(&mut again)?;
        if again.get(..n) != Some(bytes) {
            return Err(ClaimsError::NotCanonical);
        }
        Ok(claims)
    }

    /// The serial of encoded claims, read without decoding the rest (for short IDs of
    /// unverified keys).
    pub(crate) fn peek_serial(bytes: &[u8]) -> Option<Serial> {
        let (serial, _) = bytes.split_first_chunk::<8>()?;
        Serial::from_be_bytes(*serial)
    }
}

/// Bits of the presence byte: which optional fields follow, in this order.
struct Presence(u8);

impl Presence {
    const EXPIRES: Presence = Presence(1 << 0);
    const INSTANCE: Presence = Presence(1 << 1);
    const GLPI_VERSIONS: Presence = Presence(1 << 2);
    const MAX_ASSETS: Presence = Presence(1 << 3);
    const ENTITY: Presence = Presence(1 << 4);
    const SUPERSEDES: Presence = Presence(1 << 5);
    const EXTENSIONS: Presence = Presence(1 << 6);
    const KNOWN: u8 = 0x7f;

    fn is_in(&self, byte: u8) -> bool {
        byte & self.0 != 0
    }

    fn when(&self, present: bool) -> u8 {
        if present {
            self.0
        } else {
            0
        }
    }
}

/// The derived wire values of claims, after the validity rules are checked.
struct Wire {
    presence: u8,
    issued: u32,
    not_before_offset: i32,
    validity: Option<u32>,
}

impl Wire {
    fn from_claims(c: &Claims<'_>) -> Result<Self, ClaimsError> {
        if c.owner.is_empty() || c.owner.len() > MAX_OWNER_LEN {
            return Err(ClaimsError::OwnerLength(c.owner.len()));
        }
        if c.entity.is_some() && c.kind != KeyKind::AgentEnrollment {
            return Err(ClaimsError::EntityOnInstanceKey);
        }
        if c.glpi_versions.is_some_and(|r| r.min > r.max) {
            return Err(ClaimsError::InvertedVersionRange);
        }
        if c.extensions.as_bytes().len() > MAX_EXTENSIONS_LEN {
            return Err(ClaimsError::MalformedExtensions);
        }
        let issued = to_minutes(c.issued_at)?;
        let not_before = to_minutes(c.not_before)?;
        let issued = u32::try_from(issued).map_err(|_| ClaimsError::TimeOutOfRange)?;
        let not_before_offset = i32::try_from(not_before - i64::from(issued))
            .map_err(|_| ClaimsError::TimeOutOfRange)?;
        let validity = match c.expires_at {
            None => None,
            Some(e) => {
                let e = to_minutes(e)?;
                if e <= not_before {
                    return Err(ClaimsError::EmptyValidity);
                }
                Some(u32::try_from(e - not_before).map_err(|_| ClaimsError::TimeOutOfRange)?)
            }
        };
        let presence = Presence::EXPIRES.when(c.expires_at.is_some())
            | Presence::INSTANCE.when(c.instance.is_some())
            | Presence::GLPI_VERSIONS.when(c.glpi_versions.is_some())
            | Presence::MAX_ASSETS.when(c.max_assets.is_some())
            | Presence::ENTITY.when(c.entity.is_some())
            | Presence::SUPERSEDES.when(c.supersedes.is_some())
            | Presence::EXTENSIONS.when(!c.extensions.is_empty());
        Ok(Wire {
            presence,
            issued,
            not_before_offset,
            validity,
        })
    }
}

fn to_minutes(t: UnixTime) -> Result<i64, ClaimsError> {
    let minutes = t.whole_minutes().ok_or(ClaimsError::TimeNotWholeMinute)?;
    i64::try_from(minutes).map_err(|_| ClaimsError::TimeOutOfRange)
}

fn minutes(m: i64) -> Result<UnixTime, ClaimsError> {
    let m = u64::try_from(m).map_err(|_| ClaimsError::TimeOutOfRange)?;
    Ok(UnixTime::from_secs(m * SECONDS_PER_MINUTE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Claims<'static> {
        let mut c = Claims::new(
            Serial::new(0x0abc_def0_1234_5678).unwrap(),
            KeyKind::InstanceRegistration,
            Tier::Standard,
            "ACME Corp",
            UnixTime::from_date(2026, 11, 23).unwrap(),
        );
        c.expires_at = UnixTime::from_date(2028, 1, 1);
        c.instance = InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
        c.entitlements =
            Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
        c
    }

    fn round_trip(c: &Claims<'_>) -> usize {
        let mut buf = [0u8; MAX_CLAIMS_LEN];
        let n = c.encode(&mut buf).unwrap();
        assert_eq!(Claims::decode(c.kind, &buf[..n]).as_ref(), Ok(c));
        n
    }

    #[test]
    fn typical_claims_are_short() {
        assert_eq!(round_trip(&sample()), 45);
    }

    #[test]
    fn every_field_at_its_largest_fills_the_maximum() {
        let mut c = sample();
        c.kind = KeyKind::AgentEnrollment;
        let owner = "x".repeat(MAX_OWNER_LEN);
        c.owner = &owner;
        c.issued_at = UnixTime::from_secs(u64::from(u32::MAX) * 60);
        c.not_before = UnixTime::from_secs((u64::from(u32::MAX) - (1 << 30)) * 60);
        c.expires_at = Some(UnixTime::from_secs(
            (u64::from(u32::MAX) - (1 << 30) + u64::from(u32::MAX)) * 60,
        ));
        c.entitlements = Entitlements::from_bits(u32::MAX);
        c.glpi_versions = Some(VersionRange {
            min: GlpiVersion::new(10, 0),
            max: GlpiVersion::new(11, 0),
        });
        c.max_assets = Some(u32::MAX);
        c.entity = Some(u32::MAX);
        c.supersedes = Some(Serial::MAX);
        // 64 bytes: tag 0 (1 byte), length 62 (1 byte), 62 value bytes.
        let mut block = [0u8; MAX_EXTENSIONS_LEN];
        block[1] = 62;
        c.extensions = Extensions::from_encoded(&block).unwrap();
        assert_eq!(round_trip(&c), MAX_CLAIMS_LEN);
    }

    #[test]
    fn non_canonical_and_trailing_bytes_are_refused() {
        let c = sample();
        let mut buf = [0u8; MAX_CLAIMS_LEN + 1];
        let n = c.encode(&mut buf).unwrap();
        assert_eq!(
            Claims::decode(c.kind, &buf[..n + 1]),
            Err(ClaimsError::TrailingBytes)
        );
        // Entitlements 7 as a two-byte varint [0x87, 0x00] instead of [0x07].
        let mut long = [0u8; MAX_CLAIMS_LEN + 1];
        long[..10].copy_from_slice(&buf[..10]);
        long[10] = 0x87;
        long[11] = 0x00;
        long[12..n + 1].copy_from_slice(&buf[11..n]);
        assert_eq!(
            Claims::decode(c.kind, &long[..n + 1]),
            Err(ClaimsError::NotCanonical)
        );
        assert!(matches!(
            Claims::decode(c.kind, &buf[..n - 1]),
            Err(ClaimsError::Truncated { .. })
        ));
    }

    #[test]
    fn validity_rules() {
        let mut c = sample();
        c.owner = "";
        assert_eq!(c.encode(&mut [0; 300]), Err(ClaimsError::OwnerLength(0)));
        let mut c = sample();
        c.entity = Some(3);
        assert_eq!(
            c.encode(&mut [0; 300]),
            Err(ClaimsError::EntityOnInstanceKey)
        );
        let mut c = sample();
        c.expires_at = Some(c.not_before);
        assert_eq!(c.encode(&mut [0; 300]), Err(ClaimsError::EmptyValidity));
        let mut c = sample();
        c.issued_at = UnixTime::from_secs(61);
        assert_eq!(
            c.encode(&mut [0; 300]),
            Err(ClaimsError::TimeNotWholeMinute)
        );
        let mut c = sample();
        c.glpi_versions = Some(VersionRange {
            min: GlpiVersion::new(11, 0),
            max: GlpiVersion::new(10, 0),
        });
        assert_eq!(
            c.encode(&mut [0; 300]),
            Err(ClaimsError::InvertedVersionRange)
        );
    }

    #[test]
    fn back_dated_not_before_round_trips() {
        let mut c = sample();
        c.not_before = c.issued_at.saturating_sub_secs(86_400 * 30);
        round_trip(&c);
    }

    #[test]
    fn critical_extensions_are_refused() {
        assert_eq!(
            Extensions::from_encoded(&[1, 0]),
            Err(ClaimsError::UnknownCriticalExtension(1))
        );
        assert_eq!(
            Extensions::from_encoded(&[4, 0, 2, 0]),
            Err(ClaimsError::MalformedExtensions)
        );
        let e = Extensions::from_encoded(&[2, 1, 9, 4, 0]).unwrap();
        let all: std::vec::Vec<_> = e.iter().collect();
        assert_eq!(
            all,
            [
                Extension {
                    tag: 2,
                    value: &[9]
                },
                Extension { tag: 4, value: &[] }
            ]
        );
    }

    #[test]
    fn uuid_and_versions_parse() {
        let id = InstanceId::parse("{5C9E8F4A-3B2D-4E1F-9A8B-7C6D5E4F3A2B}").unwrap();
        extern crate alloc;
        use alloc::string::ToString;
        assert_eq!(id.to_string(), "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
        assert_eq!(
            InstanceId::parse("5c9e8f4a3b2d4e1f9a8b7c6d5e4f3a2b"),
            Some(id)
        );
        assert_eq!(
            InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a"),
            None
        );
        assert_eq!(
            InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b00"),
            None
        );
        assert_eq!(GlpiVersion::parse("10.0.17"), Some(GlpiVersion::new(10, 0)));
        assert_eq!(GlpiVersion::parse("11"), None);
        assert_eq!(GlpiVersion::parse("10.x"), None);
        assert_eq!(
            Entitlements::from_bits(0b1001).to_string(),
            "marketplace, bit 3"
        );
    }
}
