//! What a key entitles its holder to.

use core::fmt;

/// What the key entitles its holder to, as flags. Bits this version does not name are kept
/// (a newer issuer may grant more) and shown as `bit N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Entitlements(u32);

impl Entitlements {
    /// No entitlements.
    pub const NONE: Entitlements = Entitlements(0);
    /// Access to the GLPI marketplace.
    pub const MARKETPLACE: Entitlements = Entitlements(1 << 0);
    /// The network plugins.
    pub const NETWORK_PLUGINS: Entitlements = Entitlements(1 << 1);
    /// Level-3 support.
    pub const L3_SUPPORT: Entitlements = Entitlements(1 << 2);

    /// The named entitlements with their names, in bit order.
    pub const NAMED: [(Entitlements, &'static str); 3] = [
        (Entitlements::MARKETPLACE, "marketplace"),
        (Entitlements::NETWORK_PLUGINS, "network-plugins"),
        (Entitlements::L3_SUPPORT, "l3-support"),
    ];

    /// From raw bits.
    pub const fn from_bits(bits: u32) -> Self {
        Entitlements(bits)
    }

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every entitlement in `other` is granted.
    pub const fn contains(self, other: Entitlements) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets together.
    pub const fn union(self, other: Entitlements) -> Self {
        Entitlements(self.0 | other.0)
    }

    /// The entitlement with this name (`marketplace`, `network-plugins`, `l3-support`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMED
            .into_iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(e, _)| e)
    }

    /// The names of the granted entitlements; unnamed bits are skipped (see [`Display`](fmt::Display)).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMED
            .into_iter()
            .filter(move |(e, _)| self.contains(*e))
            .map(|(_, n)| n)
    }
}

impl core::ops::BitOr for Entitlements {
    type Output = Entitlements;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

/// Comma-separated names, `none` when empty.
impl fmt::Display for Entitlements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("none");
        }
        let mut first = true;
        for bit in 0..32 {
            if self.0 & (1 << bit) == 0 {
                continue;
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            match Self::NAMED.iter().find(|(e, _)| e.0 == 1 << bit) {
                Some((_, name)) => f.write_str(name)?,
                None => write!(f, "bit {bit}")?,
            }
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Entitlements {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for name in self.names() {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}
