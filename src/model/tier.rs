//! The subscription tier.

use core::fmt;

/// The subscription tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Tier {
    /// Free (community).
    Free,
    /// Starter.
    Starter,
    /// Basic.
    Basic,
    /// Standard.
    Standard,
    /// Advanced.
    Advanced,
}

impl Tier {
    /// Every tier, lowest first.
    pub const ALL: [Tier; 5] = [
        Tier::Free,
        Tier::Starter,
        Tier::Basic,
        Tier::Standard,
        Tier::Advanced,
    ];

    /// The wire value.
    pub const fn to_byte(self) -> u8 {
        self as u8
    }

    /// The tier of a wire value.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Tier::Free),
            1 => Some(Tier::Starter),
            2 => Some(Tier::Basic),
            3 => Some(Tier::Standard),
            4 => Some(Tier::Advanced),
            _ => None,
        }
    }

    /// The lowercase name (`free`, `standard`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Starter => "starter",
            Tier::Basic => "basic",
            Tier::Standard => "standard",
            Tier::Advanced => "advanced",
        }
    }

    /// The tier with this name, ignoring case.
    pub fn from_name(name: &str) -> Option<Self> {
        Tier::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
