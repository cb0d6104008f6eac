//! Claims as a table for people, and as JSON for scripts.
//!
//! JSON field names and value forms follow the `claims` objects of `spec/vectors/keys.json`;
//! `cli/README.md` documents them.

use std::fmt::Write as _;

use glpi_key::{Claims, KeyId, Serial, UnixTime};
use serde::Serialize;

use crate::keyfile::hex;

/// A serial as 16 lowercase hex digits (the form of `keys.json`).
pub fn serial_hex(s: Serial) -> String {
    format!("{:016x}", s.value())
}

/// Claims in JSON form.
#[derive(Serialize)]
pub struct ClaimsJson {
    /// 16 lowercase hex digits.
    pub serial: String,
    /// `GLPI-XXXXXXXXXXXX-YYYYYY`.
    pub short_id: String,
    /// `instance-registration` or `agent-enrollment`.
    pub kind: String,
    /// `free`, `starter`, `basic`, `standard`, `advanced`.
    pub tier: String,
    /// Who the key was issued to.
    pub owner: String,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds.
    pub not_before: u64,
    /// Unix seconds (first moment no longer valid), `null` when perpetual.
    pub expires_at: Option<u64>,
    /// Lowercase hyphenated UUID, `null` when not bound.
    pub instance: Option<String>,
    /// Names of the known entitlements granted.
    pub entitlements: Vec<&'static str>,
    /// All entitlement bits, named or not.
    pub entitlement_bits: u32,
    /// `{"min": "10.0", "max": "11.0"}`, `null` for any version.
    pub glpi_versions: Option<VersionsJson>,
    /// `null` when unlimited.
    pub max_assets: Option<u32>,
    /// Agent enrollment keys: the entity agents join.
    pub entity: Option<u32>,
    /// Serial (16 hex digits) of the key this one replaces.
    pub supersedes: Option<String>,
    /// Informational extensions: tag and value in hex.
    pub extensions: Vec<ExtensionJson>,
}

/// GLPI versions covered, both ends included.
#[derive(Serialize)]
pub struct VersionsJson {
    /// First covered version.
    pub min: String,
    /// Last covered version.
    pub max: String,
}

/// One extension.
#[derive(Serialize)]
pub struct ExtensionJson {
    /// The tag (even: informational).
    pub tag: u16,
    /// The value, lowercase hex.
    pub value_hex: String,
}

impl ClaimsJson {
    /// From decoded claims.
    pub fn new(c: &Claims<'_>) -> Self {
        ClaimsJson {
            serial: serial_hex(c.serial),
            short_id: c.serial.short_id().to_string(),
            kind: c.kind.to_string(),
            tier: c.tier.name().to_owned(),
            owner: c.owner.to_owned(),
            issued_at: c.issued_at.as_secs(),
            not_before: c.not_before.as_secs(),
            expires_at: c.expires_at.map(UnixTime::as_secs),
            instance: c.instance.map(|i| i.to_string()),
            entitlements: c.entitlements.names().collect(),
            entitlement_bits: c.entitlements.bits(),
            glpi_versions: c.glpi_versions.map(|r| VersionsJson {
                min: r.min.to_string(),
                max: r.max.to_string(),
            }),
            max_assets: c.max_assets,
            entity: c.entity,
            supersedes: c.supersedes.map(serial_hex),
            extensions: c
                .extensions
                .iter()
                .map(|e| ExtensionJson {
                    tag: e.tag,
                    value_hex: hex(e.value),
                })
                .collect(),
        }
    }
}

/// Text from a key, made safe for a terminal: control characters are escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// An end time, with notes: the day it closes when it is midnight (`valid through
/// 2027-12-31`), and how far it is from `now`.
fn end_time(t: UnixTime, now: Option<UnixTime>) -> String {
    let c = t.to_civil();
    let mut notes = Vec::new();
    if c.hour == 0 && c.minute == 0 && c.second == 0 {
        let last = t.saturating_sub_secs(86_400).to_civil();
        notes.push(format!(
            "valid through {:04}-{:02}-{:02}",
            last.year, last.month, last.day
        ));
    }
    if let Some(now) = now {
        notes.push(relative(t, now));
    }
    if notes.is_empty() {
        t.to_string()
    } else {
        format!("{t} ({})", notes.join(", "))
    }
}

/// `in 12 days`, `3 days ago`.
fn relative(t: UnixTime, now: UnixTime) -> String {
    let (d, future) = if t >= now {
        (t.as_secs() - now.as_secs(), true)
    } else {
        (now.as_secs() - t.as_secs(), false)
    };
    let amount = match d {
        0..=5_399 => format!("{} minutes", d / 60),
        5_400..=172_799 => format!("{} hours", d / 3600),
        _ => format!("{} days", d / 86_400),
    };
    if future {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// The rows of the claims table, each `label: value` aligned.
pub fn claims_table(
    out: &mut String,
    c: &Claims<'_>,
    issuer: KeyId,
    now: Option<UnixTime>,
    instance_checked: bool,
) {
    let mut row = |label: &str, value: String| {
        let _ = writeln!(out, "  {label:<14} {value}");
    };
    row("Short ID:", c.serial.short_id().to_string());
    row(
        "Serial:",
        format!("0x{} ({})", serial_hex(c.serial), c.serial.value()),
    );
    row("Kind:", c.kind.to_string());
    row("Tier:", c.tier.to_string());
    row("Owner:", printable(c.owner));
    row("Entitlements:", c.entitlements.to_string());
    row("Issued:", c.issued_at.to_string());
    let from = match now {
        Some(now) if c.not_before > now => {
            format!("{} ({})", c.not_before, relative(c.not_before, now))
        }
        _ => c.not_before.to_string(),
    };
    row("Valid from:", from);
    let expires = match c.expires_at {
        None => "never (perpetual)".to_owned(),
        Some(e) => end_time(e, now),
    };
    row("Expires:", expires);
    let instance = match c.instance {
        None => "any (not bound to an instance)".to_owned(),
        Some(id) if instance_checked => format!("{id} (matches this instance)"),
        Some(id) => format!("{id} (not checked here: pass --instance to check)"),
    };
    row("Instance:", instance);
    row(
        "GLPI versions:",
        c.glpi_versions.map_or("any".to_owned(), |r| r.to_string()),
    );
    row(
        "Max assets:",
        c.max_assets
            .map_or("unlimited".to_owned(), |n| n.to_string()),
    );
    if let Some(e) = c.entity {
        row("Entity:", e.to_string());
    }
    if let Some(s) = c.supersedes {
        row(
            "Supersedes:",
            format!("{} (serial 0x{})", s.short_id(), serial_hex(s)),
        );
    }
    for e in c.extensions.iter() {
        row("Extension:", format!("tag {} = {}", e.tag, hex(e.value)));
    }
    row("Issuer key:", issuer.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("ACME\u{1b}[2J Corp\n"), "ACME\\u{1b}[2J Corp\\n");
        assert_eq!(printable("Société Générale"), "Société Générale");
    }

    #[test]
    fn relative_times() {
        let now = UnixTime::from_secs(1_000_000);
        assert_eq!(
            relative(UnixTime::from_secs(1_000_000 + 3 * 86_400), now),
            "in 3 days"
        );
        assert_eq!(
            relative(UnixTime::from_secs(1_000_000 - 7_200), now),
            "2 hours ago"
        );
    }
}
