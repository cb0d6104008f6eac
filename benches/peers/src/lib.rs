//! The same claims as a GLPI key, a PASETO v4.public token and a JWT (EdDSA), each with the
//! verification a host would run: signature, then claim parsing and the time, instance and
//! entitlement checks. `benches/peers.rs` times them next to each other.

use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::SigningKey;
use glpi_key::{
    Claims, Entitlements, InstanceId, Issuer, KeyKind, Serial, TableSize, TextStyle, Tier,
    TrustStore, UnixTime, UnverifiedKey, VerifyOptions,
};
use serde::{Deserialize, Serialize};

/// The issuer seed all three formats sign with.
pub const SEED: [u8; 32] = [7; 32];
/// Owner of the subscription.
pub const OWNER: &str = "ACME Corp";
/// The GLPI instance the key is bound to.
pub const INSTANCE: &str = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b";
/// The entitlements, by name.
pub const ENTITLEMENTS: [&str; 3] = ["marketplace", "network-plugins", "l3-support"];
/// Issued at 2026-01-01T00:00:00Z.
pub const ISSUED_AT: u64 = 1_767_225_600;
/// Valid from an hour later.
pub const NOT_BEFORE: u64 = ISSUED_AT + 3_600;
/// Expires 2036-01-01T00:00:00Z.
pub const EXPIRES_AT: u64 = 2_082_758_400;
/// Its ISO 8601 forms, for PASETO.
const ISSUED_AT_ISO: &str = "2026-01-01T00:00:00+00:00";
const NOT_BEFORE_ISO: &str = "2026-01-01T01:00:00+00:00";
const EXPIRES_AT_ISO: &str = "2036-01-01T00:00:00+00:00";

/// What every verifier hands back: the claims a host acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Owner.
    pub owner: String,
    /// Tier name.
    pub tier: String,
    /// Whether all three entitlements are granted.
    pub all_entitlements: bool,
}

/// Why a token was refused (the benchmark only needs to know that it was).
#[derive(Debug)]
pub struct Refused(pub String);

fn refused(e: impl std::fmt::Debug) -> Refused {
    Refused(format!("{e:?}"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The signed tokens and the public keys that check them.
pub struct Tokens {
    /// GLPI key text.
    pub glpi: String,
    /// PASETO v4.public token.
    pub paseto: String,
    /// JWT, EdDSA.
    pub jwt: String,
    trust: TrustStore,
    /// The same issuer key with precomputed tables (glpi-key's `tables` feature).
    trust_large: TrustStore,
    trust_small: TrustStore,
    instance: InstanceId,
    paseto_key: pasetors::keys::AsymmetricPublicKey<pasetors::version4::V4>,
    jwt_key: jsonwebtoken::DecodingKey,
    jwt_validation: jsonwebtoken::Validation,
}

/// The JWT claims (registered names where JWT has them).
#[derive(Debug, Serialize, Deserialize)]
struct JwtClaims {
    sub: String,
    tier: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    instance: String,
    entitlements: Vec<String>,
}

impl Tokens {
    /// Signs the claims in all three formats.
    pub fn new() -> Result<Self, Refused> {
        let signing = SigningKey::from_bytes(&SEED);

        // GLPI key.
        let issuer = Issuer::from_signing_key(signing.clone());
        let instance = InstanceId::parse(INSTANCE).ok_or_else(|| refused("instance"))?;
        let mut claims = Claims::new(
            Serial::new(42).ok_or_else(|| refused("serial"))?,
            KeyKind::InstanceRegistration,
            Tier::Standard,
            OWNER,
            UnixTime::from_secs(ISSUED_AT),
        );
        claims.not_before = UnixTime::from_secs(NOT_BEFORE);
        claims.expires_at = Some(UnixTime::from_secs(EXPIRES_AT));
        claims.instance = Some(instance);
        claims.entitlements =
            Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
        let glpi = issuer
            .issue(&claims)
            .map_err(refused)?
            .text(TextStyle::Compact)
            .to_string();
        let trust = TrustStore::with(issuer.trusted_key().map_err(refused)?);

        // PASETO v4.public.
        let mut keypair = [0u8; 64];
        keypair[..32].copy_from_slice(&SEED);
        keypair[32..].copy_from_slice(signing.verifying_key().as_bytes());
        let paseto_secret =
            pasetors::keys::AsymmetricSecretKey::<pasetors::version4::V4>::from(&keypair)
                .map_err(refused)?;
        let paseto_key = pasetors::keys::AsymmetricPublicKey::<pasetors::version4::V4>::from(
            signing.verifying_key().as_bytes(),
        )
        .map_err(refused)?;
        let mut pc = pasetors::claims::Claims::new().map_err(refused)?;
        pc.subject(OWNER).map_err(refused)?;
        pc.issued_at(ISSUED_AT_ISO).map_err(refused)?;
        pc.not_before(NOT_BEFORE_ISO).map_err(refused)?;
        pc.expiration(EXPIRES_AT_ISO).map_err(refused)?;
        pc.add_additional("tier", "standard").map_err(refused)?;
        pc.add_additional("instance", INSTANCE).map_err(refused)?;
        pc.add_additional("entitlements", ENTITLEMENTS.to_vec())
            .map_err(refused)?;
        let paseto = pasetors::public::sign(&paseto_secret, &pc, None, None).map_err(refused)?;

        // JWT, EdDSA.
        let der = signing.to_pkcs8_der().map_err(refused)?;
        let jwt_claims = JwtClaims {
            sub: OWNER.into(),
            tier: "standard".into(),
            iat: ISSUED_AT,
            nbf: NOT_BEFORE,
            exp: EXPIRES_AT,
            instance: INSTANCE.into(),
            entitlements: ENTITLEMENTS.iter().map(|s| s.to_string()).collect(),
        };
        let jwt = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
            &jwt_claims,
            &jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes()),
        )
        .map_err(refused)?;
        let jwt_key = jsonwebtoken::DecodingKey::from_ed_der(signing.verifying_key().as_bytes());
        let mut jwt_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        jwt_validation.validate_nbf = true;
        jwt_validation.leeway = 0;

        let mut trust_large = trust.clone();
        trust_large.precompute(TableSize::Large);
        let mut trust_small = trust.clone();
        trust_small.precompute(TableSize::Small);
        Ok(Tokens {
            glpi,
            paseto,
            jwt,
            trust,
            trust_large,
            trust_small,
            instance,
            paseto_key,
            jwt_key,
            jwt_validation,
        })
    }

    /// Parses and verifies the GLPI key, bound to this instance, at the system time.
    pub fn verify_glpi(&self, text: &str) -> Result<Checked, Refused> {
        self.verify_glpi_under(&self.trust, text)
    }

    /// As [`verify_glpi`](Self::verify_glpi), with precomputed tables of `size`.
    pub fn verify_glpi_tables(&self, text: &str, size: TableSize) -> Result<Checked, Refused> {
        match size {
            TableSize::Small => self.verify_glpi_under(&self.trust_small, text),
            _ => self.verify_glpi_under(&self.trust_large, text),
        }
    }

    fn verify_glpi_under(&self, trust: &TrustStore, text: &str) -> Result<Checked, Refused> {
        let key = UnverifiedKey::parse(text).map_err(refused)?;
        let options = VerifyOptions::at(UnixTime::from_secs(now())).with_instance(self.instance);
        let license = key.verify(trust, &options).map_err(refused)?;
        Ok(Checked {
            owner: license.owner().to_string(),
            tier: license.tier().name().to_string(),
            all_entitlements: license.entitlements().contains(
                Entitlements::MARKETPLACE
                    | Entitlements::NETWORK_PLUGINS
                    | Entitlements::L3_SUPPORT,
            ),
        })
    }

    /// Verifies the PASETO token (signature, then iat/nbf/exp by pasetors' rules), then reads
    /// and checks the other claims.
    pub fn verify_paseto(&self, token: &str) -> Result<Checked, Refused> {
        use pasetors::token::UntrustedToken;
        use pasetors::Public;
        let untrusted =
            UntrustedToken::<Public, pasetors::version4::V4>::try_from(token).map_err(refused)?;
        let rules = pasetors::claims::ClaimsValidationRules::new();
        let trusted = pasetors::public::verify(&self.paseto_key, &untrusted, &rules, None, None)
            .map_err(refused)?;
        let claims = trusted
            .payload_claims()
            .ok_or_else(|| refused("no claims"))?;
        let text = |name: &str| {
            claims
                .get_claim(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| refused(name))
        };
        if text("instance")? != INSTANCE {
            return Err(refused("wrong instance"));
        }
        let granted = claims
            .get_claim("entitlements")
            .and_then(|v| v.as_array())
            .ok_or_else(|| refused("entitlements"))?;
        Ok(Checked {
            owner: text("sub")?,
            tier: text("tier")?,
            all_entitlements: ENTITLEMENTS
                .iter()
                .all(|e| granted.iter().any(|g| g.as_str() == Some(e))),
        })
    }

    /// Verifies the JWT (signature, then exp/nbf by jsonwebtoken's rules), then checks the
    /// other claims.
    pub fn verify_jwt(&self, token: &str) -> Result<Checked, Refused> {
        let data = jsonwebtoken::decode::<JwtClaims>(token, &self.jwt_key, &self.jwt_validation)
            .map_err(refused)?;
        let c = data.claims;
        if c.instance != INSTANCE {
            return Err(refused("wrong instance"));
        }
        Ok(Checked {
            all_entitlements: ENTITLEMENTS
                .iter()
                .all(|e| c.entitlements.iter().any(|g| g == e)),
            owner: c.sub,
            tier: c.tier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_formats_verify_to_the_same_claims() {
        let t = Tokens::new().unwrap();
        let glpi = t.verify_glpi(&t.glpi).unwrap();
        assert_eq!(glpi.owner, OWNER);
        assert_eq!(glpi.tier, "standard");
        assert!(glpi.all_entitlements);
        assert_eq!(t.verify_paseto(&t.paseto).unwrap(), glpi);
        assert_eq!(t.verify_jwt(&t.jwt).unwrap(), glpi);
        assert!(t.glpi.len() * 10 <= t.jwt.len().min(t.paseto.len()) * 6);
    }

    #[test]
    fn all_three_refuse_a_changed_token() {
        let t = Tokens::new().unwrap();
        // Change one character of each signature (well inside it).
        let flip = |s: &str, from_end: usize| {
            let mut b = s.as_bytes().to_vec();
            let i = b.len() - from_end;
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            String::from_utf8(b).unwrap()
        };
        assert!(t.verify_glpi(&flip(&t.glpi, 20)).is_err());
        assert!(t.verify_paseto(&flip(&t.paseto, 20)).is_err());
        assert!(t.verify_jwt(&flip(&t.jwt, 20)).is_err());
    }
}
