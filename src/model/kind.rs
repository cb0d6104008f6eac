//! What a signed object is ([`ObjectKind`]) and which kind of key ([`KeyKind`]).

use core::fmt;

/// What a signed object is. Each kind has its own header byte and its own signing domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum ObjectKind {
    /// A key that registers a GLPI instance with the vendor's services.
    InstanceRegistration,
    /// A key that enrolls inventory agents into an entity.
    AgentEnrollment,
    /// A signed list of revoked key serials.
    RevocationList,
}

impl ObjectKind {
    /// Every kind, in header-byte order.
    pub const ALL: [ObjectKind; 3] = [
        ObjectKind::InstanceRegistration,
        ObjectKind::AgentEnrollment,
        ObjectKind::RevocationList,
    ];

    /// The header byte.
    pub const fn to_byte(self) -> u8 {
        match self {
            ObjectKind::InstanceRegistration => 1,
            ObjectKind::AgentEnrollment => 2,
            ObjectKind::RevocationList => 3,
        }
    }

    /// The kind of a header byte, if known.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(ObjectKind::InstanceRegistration),
            2 => Some(ObjectKind::AgentEnrollment),
            3 => Some(ObjectKind::RevocationList),
            _ => None,
        }
    }

    /// The domain-separation tag signed in front of objects of this kind.
    pub const fn domain_tag(self) -> &'static str {
        match self {
            ObjectKind::InstanceRegistration => "glpi-key/v1/instance-registration",
            ObjectKind::AgentEnrollment => "glpi-key/v1/agent-enrollment",
            ObjectKind::RevocationList => "glpi-key/v1/revocation-list",
        }
    }

    /// A short lowercase name (`instance-registration`, …).
    pub const fn name(self) -> &'static str {
        match self {
            ObjectKind::InstanceRegistration => "instance-registration",
            ObjectKind::AgentEnrollment => "agent-enrollment",
            ObjectKind::RevocationList => "revocation-list",
        }
    }

    pub(crate) const fn with_article(self) -> &'static str {
        match self {
            ObjectKind::InstanceRegistration => "an instance registration key",
            ObjectKind::AgentEnrollment => "an agent enrollment key",
            ObjectKind::RevocationList => "a revocation list",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which kind of key: what it lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum KeyKind {
    /// Registers a GLPI instance with the vendor's services.
    InstanceRegistration,
    /// Enrolls inventory agents into an entity.
    AgentEnrollment,
}

impl KeyKind {
    /// The object kind of keys of this kind.
    pub const fn object_kind(self) -> ObjectKind {
        match self {
            KeyKind::InstanceRegistration => ObjectKind::InstanceRegistration,
            KeyKind::AgentEnrollment => ObjectKind::AgentEnrollment,
        }
    }

    /// The key kind of an object kind, if it is a key.
    pub const fn from_object_kind(kind: ObjectKind) -> Option<Self> {
        match kind {
            ObjectKind::InstanceRegistration => Some(KeyKind::InstanceRegistration),
            ObjectKind::AgentEnrollment => Some(KeyKind::AgentEnrollment),
            _ => None,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.object_kind().name())
    }
}
