//! GLPI versions and the ranges of them a key covers.

use core::fmt;

/// A GLPI version, `major.minor` (patch releases do not change what a key covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlpiVersion {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

impl GlpiVersion {
    /// `major.minor`.
    pub const fn new(major: u8, minor: u8) -> Self {
        GlpiVersion { major, minor }
    }

    /// Reads `10.0` or `10.0.17` (the patch is ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        match parts.next() {
            None => {}
            Some(patch) if patch.parse::<u32>().is_ok() && parts.next().is_none() => {}
            Some(_) => return None,
        }
        Some(GlpiVersion { major, minor })
    }
}

impl fmt::Display for GlpiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for GlpiVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The GLPI versions a key covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VersionRange {
    /// First covered version.
    pub min: GlpiVersion,
    /// Last covered version.
    pub max: GlpiVersion,
}

impl VersionRange {
    /// Whether `v` is covered.
    pub fn contains(&self, v: GlpiVersion) -> bool {
        self.min <= v && v <= self.max
    }
}

/// `10.0 to 11.0`.
impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{} to {}", self.min, self.max)
        }
    }
}
