//! `glpi-key demo`: the whole life of a key in one command, with nothing written to disk.
//!
//! The issuer seed, serial and times are fixed, so the output is the same on every run.

use std::fmt::Write as _;

use glpi_key::{
    Claims, CorrectionStatus, Entitlements, Error, Issuer, KeyKind, Serial, TextStyle, Tier,
    TrustStore, UnixTime, UnverifiedKey, VerifyOptions, ALPHABET, HEADER_LEN,
};

use crate::failure::Failure;
use crate::keyfile::hex;
use crate::show;

/// The throwaway issuer's secret seed. Public, so never trust its public key anywhere.
const DEMO_SEED: [u8; 32] = *b"glpi-key demo issuer: never use!";

/// Offset of the tier byte in a key body: the header, then the 8-byte serial.
const TIER_OFFSET: usize = HEADER_LEN + 8;

/// 1-based character position (in the compact text) of the symbol the demo mistypes.
const TYPO_POSITION: usize = 23;

/// Something the demo expected did not happen: a bug, reported without panicking.
fn broken(what: &str) -> Failure {
    Failure::usage(format!(
        "the demo went wrong ({what}); please report this as a bug"
    ))
}

fn time(y: u32, m: u32, d: u32, hour: u64) -> Result<UnixTime, Failure> {
    UnixTime::from_date(y, m, d)
        .map(|t| t.saturating_add_secs(hour * 3600))
        .ok_or_else(|| broken("fixed date"))
}

pub fn run(out: &mut String) -> Result<(), Failure> {
    let issued_at = time(2026, 11, 23, 9)?;
    let expires = time(2028, 1, 1, 0)?;
    let now = time(2026, 12, 1, 12)?;

    let _ = writeln!(
        out,
        "glpi-key demo: the life of a key, with a throwaway issuer held in memory.\n\
         Nothing is written to disk. Times are fixed, so this output is the same every run.\n"
    );

    // 1. The issuer.
    let issuer = Issuer::from_secret_key_bytes(&DEMO_SEED);
    let trusted = issuer
        .trusted_key()
        .map_err(|_| broken("demo public key"))?;
    let trust = TrustStore::with(trusted);
    let _ = writeln!(out, "1. The vendor makes an issuer key pair.");
    let _ = writeln!(out, "   issuer key id:     {}", issuer.key_id());
    let _ = writeln!(
        out,
        "   public key (hex):  {}",
        hex(&issuer.public_key_bytes())
    );
    let _ = writeln!(
        out,
        "   The signing key stays with the vendor; GLPI instances get only the public key.\n"
    );

    // 2. A key.
    let serial = Serial::new(0x0123_4567_89ab_cdef).ok_or_else(|| broken("serial"))?;
    let mut claims = Claims::new(
        serial,
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        issued_at,
    );
    claims.expires_at = Some(expires);
    claims.entitlements = Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS;
    let key = issuer.issue(&claims).map_err(|_| broken("issuing"))?;
    let compact = key.text(TextStyle::Compact).to_string();
    let _ = writeln!(
        out,
        "2. The vendor issues a key to ACME Corp: standard tier, marketplace and network\n   \
         plugins, valid through 2027-12-31. The key is plain text; it is not a secret:"
    );
    let _ = writeln!(out, "   {compact}");
    let _ = writeln!(out, "   Grouped, for reading aloud or typing:");
    let _ = writeln!(out, "   {}\n", key.text(TextStyle::Grouped));

    // 3. Verify.
    let options = VerifyOptions::at(now);
    let _ = writeln!(
        out,
        "3. A GLPI instance verifies it offline on {now}, with only the public key:"
    );
    let parsed = UnverifiedKey::parse(&compact).map_err(|e| broken(&format!("parsing: {e}")))?;
    let verified = parsed
        .verify(&trust, &options)
        .map_err(|e| broken(&format!("verifying: {e}")))?;
    if verified.serial() != serial || verified.tier() != Tier::Standard {
        return Err(broken("verified claims differ"));
    }
    let _ = writeln!(out, "   VALID");
    let mut table = String::new();
    show::claims_table(
        &mut table,
        verified.claims(),
        verified.issuer_key_id(),
        Some(now),
        false,
    );
    for line in table.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out);

    // 4. A typo.
    let mut chars: Vec<char> = compact.chars().collect();
    let slot = chars
        .get_mut(TYPO_POSITION - 1)
        .ok_or_else(|| broken("key too short"))?;
    let found = *slot;
    let value = ALPHABET
        .iter()
        .position(|&b| char::from(b) == found)
        .ok_or_else(|| broken("symbol"))?;
    let typed = ALPHABET
        .get((value + 1) % ALPHABET.len())
        .map(|&b| char::from(b))
        .ok_or_else(|| broken("symbol"))?;
    *slot = typed;
    let mistyped: String = chars.into_iter().collect();
    let _ = writeln!(
        out,
        "4. Someone retypes the key and gets one symbol wrong ({found:?} typed as {typed:?}):"
    );
    let _ = writeln!(out, "   {mistyped}");
    let _ = writeln!(out, "   {}^", " ".repeat(TYPO_POSITION - 1));
    match UnverifiedKey::parse_with_trust(&mistyped, &trust) {
        Err(e @ Error::Checksum(c))
            if c.suggestion.is_some_and(|s| {
                s.position == TYPO_POSITION
                    && s.replacement == found
                    && s.status == CorrectionStatus::ConfirmedBySignature
            }) =>
        {
            let _ = writeln!(
                out,
                "   The check symbols catch it and locate the symbol; the signature of the corrected\n   key confirms the fix (the key is still refused until it is retyped):"
            );
            let _ = writeln!(out, "   error: {e}\n");
        }
        _ => return Err(broken("the typo was not located")),
    }

    // 5. A forged tier.
    let mut body = key.as_bytes().to_vec();
    let tier = body
        .get_mut(TIER_OFFSET)
        .ok_or_else(|| broken("key too short"))?;
    if *tier != Tier::Standard.to_byte() {
        return Err(broken("tier byte not where expected"));
    }
    *tier = Tier::Advanced.to_byte();
    let forged = glpi_key::hazmat::key_text_of_body(&body, TextStyle::Compact).to_string();
    let forged_key = UnverifiedKey::parse(&forged).map_err(|_| broken("forged key text"))?;
    let claimed = forged_key
        .unverified_claims()
        .map_err(|_| broken("forged claims"))?
        .tier;
    let _ = writeln!(
        out,
        "5. Someone edits the tier byte from standard to {claimed} and recomputes the check\n   \
         symbols, so the text is well formed and reads as an {claimed} key:"
    );
    let _ = writeln!(out, "   {forged}");
    match forged_key.verify(&trust, &options) {
        Err(e @ Error::BadSignature) => {
            let _ = writeln!(out, "   The signature catches it:");
            let _ = writeln!(out, "   error: {e}\n");
        }
        _ => return Err(broken("the forged tier was not refused")),
    }

    let _ = writeln!(
        out,
        "Next: make a real issuer key and a key of your own:\n  \
         glpi-key keygen --out issuer.key\n  \
         glpi-key issue --signing-key issuer.key --tier standard --owner \"ACME Corp\" --expires 2027-12-31\n  \
         glpi-key verify KEY --trust issuer.pub"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_runs_and_is_deterministic() {
        let mut a = String::new();
        let mut b = String::new();
        assert!(run(&mut a).is_ok());
        assert!(run(&mut b).is_ok());
        assert_eq!(a, b);
        assert!(a.contains("VALID"));
        assert!(a.contains("signature is not valid"));
        assert!(a.contains("almost certainly"));
    }
}
