//! The commands, each writing its normal output into `out`.

use std::fmt::Write as _;
use std::path::Path;

use glpi_key::{
    CorrectionStatus, Entitlements, Error, KeyKind, KeyStatus, Serial, TextStyle, UnixTime,
    UnverifiedKey, VerifyOptions,
};
use glpi_key_issuer::atomic::Existing;
use glpi_key_issuer::ledger::KeyRequest;
use glpi_key_issuer::pkcs11::{self, Pkcs11Config, Pkcs11Uri};
use serde::Serialize;

use crate::failure::Failure;
use crate::keyfile::{self, hex, TrustSource};
use crate::revocations::{self, ListFile};
use crate::show::{self, ClaimsJson};
use crate::signer::{self, SigningKey};
use crate::{input, with_issuer, IssueArgs, KeygenArgs, PublicKeyArgs, VerifyArgs};

pub fn keygen(out: &mut String, a: &KeygenArgs) -> Result<(), Failure> {
    if let Some(uri) = &a.pkcs11 {
        return keygen_pkcs11(out, uri, a.pub_out.as_deref(), a.force);
    }
    let Some(path) = &a.out else {
        return Err(Failure::usage("give --out FILE (or --pkcs11 URI)"));
    };
    let new = keyfile::keygen(path, a.force)?;
    let key_id = glpi_key::KeyId::of_public_key(&new.public_key);
    let _ = writeln!(
        out,
        "Wrote the issuer signing key to {} (mode 0600). Keep it secret and backed up offline.",
        new.secret_path.display()
    );
    let _ = writeln!(
        out,
        "Wrote the issuer public key to {}. Install it where keys are verified.",
        new.public_path.display()
    );
    let _ = writeln!(out, "Key id:              {key_id}");
    let _ = writeln!(out, "Public key (hex):    {}", hex(&new.public_key));
    let _ = write!(out, "{}", new.public_pem);
    Ok(())
}

fn keygen_pkcs11(
    out: &mut String,
    uri: &str,
    pub_out: Option<&Path>,
    force: bool,
) -> Result<(), Failure> {
    let uri = Pkcs11Uri::parse(uri).map_err(signer::pkcs11_failure)?;
    let config = Pkcs11Config::from_env().map_err(signer::pkcs11_failure)?;
    if let Some(p) = pub_out {
        // Checked before the key is made, so a wrong path does not leave a key half-announced.
        if std::fs::symlink_metadata(p).is_ok() && !force {
            return Err(Failure::usage(format!(
                "{} already exists; refusing to overwrite it",
                p.display()
            ))
            .hint("choose another --pub-out, or pass --force"));
        }
    }
    let made = pkcs11::generate(&uri, &config).map_err(signer::pkcs11_failure)?;
    let pem = keyfile::public_pem(&made.public_key)?;
    let key_id = glpi_key::KeyId::of_public_key(&made.public_key);
    let mut named = uri.clone();
    named.id = None;
    let _ = writeln!(
        out,
        "Made an Ed25519 key pair in token {:?}, labelled {:?} (CKA_ID {}).",
        made.token,
        made.label,
        hex(&made.id)
    );
    let extractable = match (made.extractable, made.never_extractable) {
        (Some(false), Some(true)) => "no (sensitive, never extractable: it cannot leave the token)",
        (Some(false), _) => "no (sensitive)",
        _ => "UNKNOWN: the token did not confirm CKA_EXTRACTABLE=false; check its policy",
    };
    let _ = writeln!(out, "Private key exportable: {extractable}");
    let _ = writeln!(
        out,
        "Sign with:           --signing-key '{}'",
        named.to_uri_string()
    );
    if let Some(p) = pub_out {
        let existing = if force {
            Existing::Replace
        } else {
            Existing::Refuse
        };
        keyfile::write_file(p, pem.as_bytes(), 0o644, existing)?;
        let _ = writeln!(
            out,
            "Wrote the issuer public key to {}. Install it where keys are verified.",
            p.display()
        );
    }
    let _ = writeln!(out, "Key id:              {key_id}");
    let _ = writeln!(out, "Public key (hex):    {}", hex(&made.public_key));
    let _ = write!(out, "{pem}");
    Ok(())
}

pub fn public_key(out: &mut String, a: &PublicKeyArgs) -> Result<(), Failure> {
    let key = SigningKey::open(&a.signing_key)?;
    let public = with_issuer!(key, |issuer| issuer.public_key_bytes());
    let pem = keyfile::public_pem(&public)?;
    match &a.out {
        Some(p) => {
            let existing = if a.force {
                Existing::Replace
            } else {
                Existing::Refuse
            };
            keyfile::write_file(p, pem.as_bytes(), 0o644, existing)?;
            let _ = writeln!(
                out,
                "Wrote the public key of issuer key {} to {}",
                glpi_key::KeyId::of_public_key(&public),
                p.display()
            );
        }
        None => {
            let _ = write!(out, "{pem}");
        }
    }
    Ok(())
}

/// The key the options describe (serial: the one given, or `None` for a random one).
/// In bulk mode the options are defaults and owner and tier may be missing.
pub fn request_from_args(a: &IssueArgs, issued_at: UnixTime) -> Result<KeyRequest, Failure> {
    let kind = a.kind.key_kind();
    if a.entity.is_some() && kind != KeyKind::AgentEnrollment {
        return Err(Failure::usage("--entity is only for agent enrollment keys")
            .hint("add --kind agent, or leave --entity out"));
    }
    let mut r = KeyRequest::new(
        kind,
        a.tier.unwrap_or(glpi_key::Tier::Free),
        a.owner.as_deref().unwrap_or_default(),
        a.issued_at.unwrap_or(issued_at),
    );
    r.serial = a.serial;
    if let Some(t) = a.not_before {
        r.not_before = t;
    }
    r.expires_at = a.expires;
    r.instance = a.instance;
    r.entitlements = a.entitle.iter().fold(Entitlements::NONE, |all, e| all | *e);
    r.glpi_versions = a.glpi;
    r.max_assets = a.max_assets;
    r.entity = a.entity;
    r.supersedes = a.supersedes;
    Ok(r)
}

pub fn issue(out: &mut String, a: &IssueArgs) -> Result<(), Failure> {
    let request = request_from_args(a, UnixTime::now().floor_to_minute())?;
    // Open the ledger before the token: a wrong ledger path costs no PIN entry.
    let mut ledger = match &a.ledger {
        Some(path) => Some(crate::ledger::open(path)?),
        None => None,
    };
    let key = SigningKey::open(&a.signing_key)?;
    let text = with_issuer!(key, |issuer| {
        match ledger.as_mut() {
            Some(ledger) => ledger
                .issue(&issuer, &request)
                .map(|record| record.key_text)
                .map_err(crate::ledger::failure),
            None => {
                let serial = match request.serial {
                    Some(s) => s,
                    None => Serial::random().map_err(|e| {
                        Failure::usage(format!("the system random generator failed: {e}"))
                    })?,
                };
                issuer
                    .issue(&request.claims(serial))
                    .map(|k| k.text(TextStyle::Compact).to_string())
                    .map_err(|e| Failure::usage(e).hint("check the dates and the owner given"))
            }
        }
    })?;
    if a.grouped {
        let key = UnverifiedKey::parse(&text).map_err(Failure::usage)?;
        let _ = writeln!(out, "{}", key.text(TextStyle::Grouped));
    } else {
        let _ = writeln!(out, "{text}");
    }
    Ok(())
}

/// `verify --json` output.
#[derive(Serialize)]
struct VerifyJson {
    /// `valid` or `invalid`.
    status: &'static str,
    /// Unix seconds the check was made at.
    checked_at: u64,
    /// Always false: this check keeps no state (no list sequence, clock mark or renewal is
    /// remembered); `glpi-key site verify` does.
    keeps_state: bool,
    /// Key id of the issuer key that signed it (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer_key_id: Option<String>,
    /// `active`, or `in-grace` (expired, accepted under --grace) (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    key_status: Option<&'static str>,
    /// When in grace: Unix seconds from which the key is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_until: Option<u64>,
    /// The revocation list checked, when --revocations was given (and the key is valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_list: Option<ListJson>,
    /// The verified claims (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<ClaimsJson>,
    /// Why not (when invalid).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorJson>,
}

#[derive(Serialize)]
struct ListJson {
    /// The list's number.
    sequence: u64,
    /// Unix seconds.
    issued_at: u64,
    /// Unix seconds, `null` when not announced.
    next_update: Option<u64>,
    /// How many serials it revokes.
    serials: usize,
    /// Whether the announced next update has passed (get a newer list).
    update_due: bool,
}

#[derive(Serialize)]
struct ErrorJson {
    /// Stable error class (`Error::code()`): `expired`, `bad-signature`, ...
    code: &'static str,
    /// The message shown on stderr.
    message: String,
}

pub fn to_json(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))
}

pub fn verify(out: &mut String, warnings: &mut Vec<String>, a: &VerifyArgs) -> Result<(), Failure> {
    let (trust, sources) = keyfile::load_trust(&a.trust)?;
    let mut list_file = match &a.revocations {
        Some(path) => Some(ListFile::read(path)?),
        None => None,
    };
    let list = match list_file.as_mut() {
        Some(f) => Some(f.verify(&trust)?),
        None => None,
    };
    let text = input::key_text(a.key.as_deref())?;
    let now = a.now.unwrap_or_else(UnixTime::now);
    let mut options = VerifyOptions::at(now);
    if let Some(k) = a.kind {
        options = options.with_kind(k.key_kind());
    }
    if let Some(i) = a.instance {
        options = options.with_instance(i);
    }
    if let Some(v) = a.glpi {
        options = options.with_glpi_version(v);
    }
    if let Some(g) = a.grace {
        options = options.with_grace_secs(g);
    }
    let failed = |out: &mut String, e: Error| -> Failure {
        if a.json {
            let doc = VerifyJson {
                status: "invalid",
                checked_at: now.as_secs(),
                keeps_state: false,
                issuer_key_id: None,
                key_status: None,
                grace_until: None,
                revocation_list: None,
                claims: None,
                error: Some(ErrorJson {
                    code: e.code(),
                    message: e.to_string(),
                }),
            };
            match to_json(&doc) {
                Ok(j) => {
                    let _ = writeln!(out, "{j}");
                }
                Err(f) => return f,
            }
        }
        explain(e, &text, &sources)
    };
    let key = UnverifiedKey::parse_with_trust(&text, &trust).map_err(|e| failed(out, e))?;
    let license = key
        .verify_with_revocations(&trust, &options, list.as_ref())
        .map_err(|e| failed(out, e))?;
    let claims = license.claims();
    let issuer = license.issuer_key_id();
    let revocation = list.as_ref().map(|l| revocations::describe(l, now));
    if let Some((_, Some(w))) = &revocation {
        warnings.push(w.clone());
    }
    let grace_until = match license.status() {
        KeyStatus::Active => None,
        KeyStatus::InGrace { until, .. } => {
            warnings.push(format!("the key {}", license.status()));
            Some(until)
        }
    };
    if a.json {
        let doc = VerifyJson {
            status: "valid",
            checked_at: now.as_secs(),
            keeps_state: false,
            issuer_key_id: Some(issuer.to_string()),
            key_status: Some(if grace_until.is_some() {
                "in-grace"
            } else {
                "active"
            }),
            grace_until: grace_until.map(UnixTime::as_secs),
            revocation_list: list.as_ref().map(|l| ListJson {
                sequence: l.sequence(),
                issued_at: l.issued_at().as_secs(),
                next_update: l.next_update().map(UnixTime::as_secs),
                serials: l.len(),
                update_due: l.is_due(now),
            }),
            claims: Some(ClaimsJson::new(claims)),
            error: None,
        };
        let _ = writeln!(out, "{}", to_json(&doc)?);
        return Ok(());
    }
    let _ = writeln!(
        out,
        "{}: {} key for {} ({} tier), signed by trusted issuer key {issuer}",
        if grace_until.is_some() {
            "VALID (IN GRACE PERIOD)"
        } else {
            "VALID"
        },
        claims.kind,
        show::printable(claims.owner),
        claims.tier,
    );
    show::claims_table(out, claims, issuer, Some(now), a.instance.is_some());
    if let Some(until) = grace_until {
        let _ = writeln!(
            out,
            "  {:<14} usable until {until}, then refused",
            "Grace period:"
        );
    }
    let revoked_row = match &revocation {
        Some((row, _)) => row.clone(),
        None => "not checked (pass --revocations FILE to check)".to_owned(),
    };
    let _ = writeln!(out, "  {:<14} {revoked_row}", "Revocation:");
    let _ = writeln!(out, "  {:<14} {now}", "Checked at:");
    let _ = writeln!(
        out,
        "  {:<14} none kept: this check remembers no list, clock or renewal (a site does: glpi-key site verify)",
        "State:"
    );
    Ok(())
}

/// The error line for a key that failed, with hints where they help.
pub fn explain(e: Error, text: &str, sources: &[TrustSource]) -> Failure {
    let mut f = Failure::invalid(e);
    match e {
        Error::Checksum(c) => {
            if let Some(fix) = c.suggestion {
                if let Ok(corrected) = UnverifiedKey::parse_corrected(text, &fix) {
                    let corrected = corrected.text(TextStyle::Compact);
                    f = f.hint(match fix.status {
                        CorrectionStatus::ConfirmedBySignature => format!(
                            "with that one symbol corrected the key is signed by a trusted issuer: {corrected}"
                        ),
                        CorrectionStatus::Unconfirmed => format!(
                            "with that symbol corrected the key would read {corrected} (not confirmed: its issuer is not trusted here)"
                        ),
                    });
                }
            }
        }
        Error::ShortIdNotKey(id) => {
            f = f.hint(format!(
                "{id} only names a key; find the full key: it also starts with GLPI- but is far longer"
            ));
        }
        Error::UnknownIssuer { .. } => {
            let trusted: Vec<String> = sources
                .iter()
                .map(|s| format!("{} ({})", s.key_id, s.origin))
                .collect();
            f = f.hint(format!("issuer keys trusted here: {}", trusted.join(", ")));
        }
        Error::BadSignature => {
            f = f.hint(
                "a key that was retyped may hide a longer typo than the check catches; compare it with the original",
            );
        }
        _ => {}
    }
    f
}

/// `inspect --json` output.
#[derive(Serialize)]
struct InspectJson {
    /// Always `unverified`: nothing here is checked.
    status: &'static str,
    /// The key id named in the header.
    issuer_key_id: String,
    /// The kind named in the header.
    kind: String,
    /// The decoded claims, `null` if they do not decode.
    claims: Option<ClaimsJson>,
    /// Why the claims do not decode, `null` when they do.
    claims_error: Option<String>,
}

pub fn inspect(out: &mut String, arg: Option<&str>, json: bool) -> Result<(), Failure> {
    let text = input::key_text(arg)?;
    let key = UnverifiedKey::parse(&text).map_err(|e| explain(e, &text, &[]))?;
    let claims = key.unverified_claims();
    if json {
        let doc = InspectJson {
            status: "unverified",
            issuer_key_id: key.unverified_key_id().to_string(),
            kind: key.unverified_kind().to_string(),
            claims: claims.as_ref().ok().map(ClaimsJson::new),
            claims_error: claims.as_ref().err().map(|e| e.to_string()),
        };
        let _ = writeln!(out, "{}", to_json(&doc)?);
        return Ok(());
    }
    let _ = writeln!(
        out,
        "UNVERIFIED: decoded WITHOUT checking the signature; anyone can write a key that says this."
    );
    let _ = writeln!(out, "Use `glpi-key verify --trust ISSUER.pub` to check it.");
    match claims {
        Ok(c) => show::claims_table(out, &c, key.unverified_key_id(), None, false),
        Err(e) => {
            let _ = writeln!(out, "  {:<14} {}", "Kind:", key.unverified_kind());
            let _ = writeln!(out, "  {:<14} {}", "Issuer key:", key.unverified_key_id());
            if let Some(id) = key.unverified_short_id() {
                let _ = writeln!(out, "  {:<14} {id}", "Short ID:");
            }
            let _ = writeln!(out, "  {:<14} do not decode: {e}", "Claims:");
        }
    }
    Ok(())
}

pub fn id(out: &mut String, arg: Option<&str>) -> Result<(), Failure> {
    let text = input::key_text(arg)?;
    let id = match UnverifiedKey::parse(&text) {
        Ok(key) => key.unverified_short_id().ok_or_else(|| {
            Failure::invalid("the key's serial is out of range, so it has no short ID")
        })?,
        Err(Error::ShortIdNotKey(id)) => id,
        Err(e) => return Err(explain(e, &text, &[])),
    };
    let _ = writeln!(out, "{id}");
    Ok(())
}
