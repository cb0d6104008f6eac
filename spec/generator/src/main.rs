//! Writes the test vectors in `spec/vectors/` from a fixed, test-only issuer key.
//!
//! Deterministic: the issuer key is derived from a fixed phrase, serials are fixed and Ed25519
//! signatures are deterministic, so running this twice gives identical files. CI runs it and
//! fails on any difference with the committed files (`.ci/parts/10-vectors.sh`).
//!
//! Every vector is run through the crate before it is written, and the generator stops if the
//! crate's verdict differs from the intended one: the files are the contract.
//!
//! Usage: `cargo run -p glpi-key-vectors -- [OUTPUT_DIR]` (default `spec/vectors`).

mod site;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer, SigningKey};
use glpi_key::checksum::Polymod;
use glpi_key::{
    Claims, Entitlements, Error, Extensions, GlpiVersion, InstanceId, Issuer, KeyKind, Serial,
    Text, TextStyle, Tier, TrustStore, UnixTime, UnverifiedKey, VerifyOptions, ALPHABET,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

/// The phrase the test issuer's secret key is derived from. TEST ONLY: never trust this key.
const TEST_ISSUER_PHRASE: &str = "glpi-key test issuer: TEST ONLY, never trust in production";
const OTHER_ISSUER_PHRASE: &str = "glpi-key other issuer: not in the test trust store";
const INSTANCE: &str = "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b";

fn seed(phrase: &str) -> [u8; 32] {
    let digest = Sha512::digest(phrase.as_bytes());
    let mut s = [0u8; 32];
    s.copy_from_slice(&digest[..32]);
    s
}

fn date(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).unwrap_or(UnixTime::EPOCH)
}

/// What verifying a vector must give.
struct Vector {
    name: &'static str,
    description: &'static str,
    key: String,
    now: UnixTime,
    kind: Option<KeyKind>,
    instance: Option<InstanceId>,
    glpi_version: Option<GlpiVersion>,
    expect: &'static str,
}

impl Vector {
    fn new(
        name: &'static str,
        description: &'static str,
        key: String,
        expect: &'static str,
    ) -> Self {
        Vector {
            name,
            description,
            key,
            now: date(2027, 6, 1),
            kind: None,
            instance: None,
            glpi_version: None,
            expect,
        }
    }
}

fn typical(serial: u64) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap_or(Serial::MAX),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        date(2026, 11, 2),
    );
    c.expires_at = Some(date(2031, 1, 1));
    c.instance = InstanceId::parse(INSTANCE);
    c.entitlements =
        Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
    c
}

/// Writes symbol values as key text with a freshly computed, valid check.
fn text_of_symbols(symbols: &[u8]) -> String {
    let mut p = Polymod::new("glpi");
    let mut s = String::from("GLPI-");
    for &v in symbols {
        p.push(v);
        s.push(char::from(ALPHABET[usize::from(v & 31)]));
    }
    s.push('-');
    for v in p.check_symbols() {
        s.push(char::from(ALPHABET[usize::from(v)]));
    }
    s
}

fn symbols_of_text(text: &str) -> Vec<u8> {
    let body = text.trim_start_matches("GLPI-");
    let body = &body[..body.len() - 7];
    body.bytes()
        .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u8)
        .collect()
}

/// Signs raw header fields and claims bytes, bypassing every check the issuer makes.
fn sign_raw(
    sk: &SigningKey,
    version: u8,
    kind: u8,
    key_id: [u8; 4],
    tag: &str,
    claims: &[u8],
) -> String {
    let header = [version, kind, key_id[0], key_id[1], key_id[2], key_id[3]];
    let mut msg = tag.as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(&header);
    msg.extend_from_slice(claims);
    let sig = sk.sign(&msg).to_bytes();
    let mut body = header.to_vec();
    body.extend_from_slice(claims);
    body.extend_from_slice(&sig);
    Text::of_key_body(&body, TextStyle::Compact).to_string()
}

fn claims_bytes(c: &Claims<'_>) -> Vec<u8> {
    let mut buf = [0u8; glpi_key::MAX_CLAIMS_LEN];
    let n = c.encode(&mut buf).unwrap_or(0);
    buf[..n].to_vec()
}

fn replace_char(s: &str, index: usize, c: char) -> String {
    let mut out: Vec<char> = s.chars().collect();
    out[index] = c;
    out.into_iter().collect()
}

fn other_symbol(c: char) -> char {
    if c == 'Q' {
        'R'
    } else {
        'Q'
    }
}

fn claims_json(c: &Claims<'_>) -> Value {
    let opt_time = |t: Option<UnixTime>| t.map(|t| json!(t.as_secs())).unwrap_or(Value::Null);
    json!({
        "serial": format!("{:016x}", c.serial.value()),
        "short_id": c.serial.short_id().to_string(),
        "kind": c.kind.to_string(),
        "tier": c.tier.to_string(),
        "owner": c.owner,
        "issued_at": c.issued_at.as_secs(),
        "not_before": c.not_before.as_secs(),
        "expires_at": opt_time(c.expires_at),
        "instance": c.instance.map(|i| json!(i.to_string())).unwrap_or(Value::Null),
        "entitlements": c.entitlements.names().collect::<Vec<_>>(),
        "entitlement_bits": c.entitlements.bits(),
        "glpi_versions": c.glpi_versions.map(|r| json!({"min": r.min.to_string(), "max": r.max.to_string()})).unwrap_or(Value::Null),
        "max_assets": c.max_assets,
        "entity": c.entity,
        "supersedes": c.supersedes.map(|s| json!(format!("{:016x}", s.value()))).unwrap_or(Value::Null),
        "extensions": c.extensions.iter().map(|e| json!({"tag": e.tag, "value_hex": hex(e.value)})).collect::<Vec<_>>(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn evaluate(v: &Vector, trust: &TrustStore) -> Result<Value, Error> {
    let key = UnverifiedKey::parse_with_trust(&v.key, trust)?;
    let mut o = VerifyOptions::at(v.now);
    o.kind = v.kind;
    o.instance = v.instance;
    o.glpi_version = v.glpi_version;
    let license = key.verify(trust, &o)?;
    Ok(claims_json(license.claims()))
}

fn build(issuer: &Issuer, other: &Issuer, issuer_sk: &SigningKey) -> Vec<Vector> {
    let compact = |c: &Claims<'_>| {
        issuer
            .issue_string(c, TextStyle::Compact)
            .unwrap_or_default()
    };
    let id = issuer.key_id().0;
    let mut out = Vec::new();

    // --- valid keys -------------------------------------------------------------------------
    let standard = compact(&typical(0x0123_4567_89ab_cdef));
    out.push(Vector::new("valid-standard-instance", "Typical registration key: Standard tier, ACME Corp, bound to one instance, three entitlements, expires 2031-01-01.", standard.clone(), "valid"));

    let mut v = Vector::new("valid-standard-grouped-lowercase-wrapped", "The typical key grouped, lowercased, wrapped over lines and quoted, as mail clients deliver it.", String::new(), "valid");
    let grouped = issuer
        .issue_string(&typical(0x0123_4567_89ab_cdef), TextStyle::Grouped)
        .unwrap_or_default();
    let lower = grouped.to_lowercase();
    v.key = format!("  \"{}\n  {}\"\n", &lower[..60], &lower[60..]);
    out.push(v);

    let mut v = Vector::new(
        "valid-o-and-l-for-digits",
        "The typical key with every 0 typed as O and every 1 typed as L.",
        standard
            .replace('0', "O")
            .replace('1', "L")
            .replacen("GLPL", "GLPI", 1),
        "valid",
    );
    v.now = date(2027, 6, 1);
    out.push(v);

    let mut free = Claims::new(
        Serial::new(0x0000_0000_0000_0001).unwrap_or(Serial::MAX),
        KeyKind::InstanceRegistration,
        Tier::Free,
        "Community user",
        date(2026, 1, 1),
    );
    free.expires_at = None;
    out.push(Vector::new(
        "valid-free-perpetual",
        "Free community key: no expiry, no instance binding, no entitlements.",
        compact(&free),
        "valid",
    ));

    let mut agent = Claims::new(
        Serial::new(0x0555_0000_aaaa_ffff).unwrap_or(Serial::MAX),
        KeyKind::AgentEnrollment,
        Tier::Advanced,
        "ACME Corp",
        date(2026, 11, 2),
    );
    agent.entity = Some(7);
    agent.expires_at = Some(date(2028, 1, 1));
    agent.max_assets = Some(5000);
    let agent_text = compact(&agent);
    let mut v = Vector::new("valid-agent-enrollment", "Agent enrollment key into entity 7, with an asset limit, checked where an agent key is required.", agent_text.clone(), "valid");
    v.kind = Some(KeyKind::AgentEnrollment);
    out.push(v);

    let ext = [2u8, 3, 0xca, 0xfe, 0x01];
    let mut all = Claims::new(
        Serial::new(0x0fff_ffff_ffff_fffe).unwrap_or(Serial::MAX),
        KeyKind::InstanceRegistration,
        Tier::Advanced,
        "Société Générale — Ünïcødé ✓",
        date(2026, 10, 15).saturating_add_secs(13 * 3600 + 37 * 60),
    );
    all.not_before = date(2026, 11, 1);
    all.expires_at = Some(date(2027, 11, 1).saturating_add_secs(12 * 3600));
    all.instance = InstanceId::parse(INSTANCE);
    all.entitlements = Entitlements::from_bits(0b1000_0011);
    all.glpi_versions = Some(glpi_key::VersionRange {
        min: GlpiVersion::new(10, 0),
        max: GlpiVersion::new(11, 0),
    });
    all.max_assets = Some(250_000);
    all.supersedes = Serial::new(0x0123_4567_89ab_cdef);
    all.extensions = Extensions::from_encoded(&ext).unwrap_or_default();
    let all_text = compact(&all);
    let mut v = Vector::new("valid-every-claim", "Every optional claim: later not-before, times with minutes, UTF-8 owner, an unnamed entitlement bit, GLPI 10.0 to 11.0, asset limit, supersedes the standard key, one non-critical extension (tag 2). Checked with this instance and GLPI 10.0.", all_text.clone(), "valid");
    v.instance = InstanceId::parse(INSTANCE);
    v.glpi_version = Some(GlpiVersion::new(10, 0));
    out.push(v);

    let owner = "X".repeat(glpi_key::MAX_OWNER_LEN);
    let mut longest = agent;
    longest.owner = &owner;
    longest.serial = Serial::MAX;
    longest.issued_at = UnixTime::from_secs(u64::from(u32::MAX) * 60);
    longest.not_before = UnixTime::from_secs((u64::from(u32::MAX) - (1 << 30)) * 60);
    longest.expires_at = Some(UnixTime::from_secs(
        (u64::from(u32::MAX) - (1 << 30) + u64::from(u32::MAX)) * 60,
    ));
    longest.entitlements = Entitlements::from_bits(u32::MAX);
    longest.glpi_versions = all.glpi_versions;
    longest.max_assets = Some(u32::MAX);
    longest.entity = Some(u32::MAX);
    longest.instance = InstanceId::parse(INSTANCE);
    longest.supersedes = Some(Serial::MAX);
    let mut block = [0u8; glpi_key::MAX_EXTENSIONS_LEN];
    block[1] = 62;
    longest.extensions = Extensions::from_encoded(&block).unwrap_or_default();
    let mut v = Vector::new(
        "valid-longest",
        "The longest key the format allows: every field at its largest.",
        compact(&longest),
        "valid",
    );
    v.now = UnixTime::from_secs((u64::from(u32::MAX) - (1 << 30)) * 60);
    out.push(v);

    // --- typos and damage -------------------------------------------------------------------
    let pos = 30;
    let c = standard.chars().nth(pos).unwrap_or('0');
    out.push(Vector::new(
        "typo-one-symbol",
        "One symbol of the typical key mistyped: the check fails (and locates it).",
        replace_char(&standard, pos, other_symbol(c)),
        "checksum",
    ));
    let mut swapped: Vec<char> = standard.chars().collect();
    let i = (40..).find(|&i| swapped[i] != swapped[i + 1]).unwrap_or(40);
    swapped.swap(i, i + 1);
    out.push(Vector::new(
        "typo-adjacent-transposition",
        "Two adjacent symbols swapped.",
        swapped.into_iter().collect(),
        "checksum",
    ));
    out.push(Vector::new(
        "truncated",
        "The typical key with its last 10 characters cut off.",
        standard[..standard.len() - 10].to_string(),
        "wrong-length",
    ));
    let mut dropped = standard.clone();
    dropped.remove(50);
    out.push(Vector::new(
        "dropped-symbol",
        "One symbol left out in the middle.",
        dropped,
        "wrong-length",
    ));
    out.push(Vector::new(
        "over-long",
        "One extra symbol inserted into the body: no key has that many symbols.",
        format!("{}A{}", &standard[..50], &standard[50..]),
        "wrong-length",
    ));
    out.push(Vector::new(
        "two-symbols-inserted",
        "Two extra symbols inserted: a possible length, so the check catches it.",
        format!("{}AA{}", &standard[..50], &standard[50..]),
        "checksum",
    ));
    out.push(Vector::new(
        "not-a-glpi-key",
        "Some other product's key.",
        "XXXX-1234-ABCD-5678".into(),
        "not-a-glpi-key",
    ));
    out.push(Vector::new(
        "empty",
        "Nothing but white space and quotes.",
        "  \"\"  ".into(),
        "empty",
    ));
    out.push(Vector::new(
        "invalid-character-cyrillic",
        "A Cyrillic А (U+0410) in place of a Latin A: reported with its position, not mapped.",
        replace_char(&standard, 20, '\u{0410}'),
        "invalid-character",
    ));
    out.push(Vector::new(
        "invalid-character-u",
        "The letter U, which the alphabet leaves out.",
        replace_char(&standard, 20, 'U'),
        "invalid-character",
    ));
    out.push(Vector::new(
        "short-id",
        "A key's short ID given where a key is needed.",
        Serial::new(0x0123_4567_89ab_cdef)
            .map(|s| s.short_id().to_string())
            .unwrap_or_default(),
        "short-id",
    ));

    // Non-zero padding bits in the last body symbol, with a valid check recomputed.
    let mut syms = symbols_of_text(&standard);
    let body_len = standard.len() - 12;
    let pad_bits = body_len * 5 % 8;
    if pad_bits > 0 {
        if let Some(last) = syms.last_mut() {
            *last |= 1;
        }
    }
    out.push(Vector::new(
        "non-canonical-padding",
        "Non-zero padding bits in the last body symbol, check recomputed.",
        text_of_symbols(&syms),
        "non-canonical",
    ));

    // --- tampering ---------------------------------------------------------------------------
    let key = UnverifiedKey::parse(&standard).ok();
    let body = key
        .as_ref()
        .map(|k| k.as_bytes().to_vec())
        .unwrap_or_default();
    let mut tier = body.clone();
    tier[6 + 8] = Tier::Advanced.to_byte();
    out.push(Vector::new(
        "tampered-tier",
        "Tier changed from Standard to Advanced, check recomputed: the signature fails.",
        Text::of_key_body(&tier, TextStyle::Compact).to_string(),
        "bad-signature",
    ));
    let mut sig = body.clone();
    let last = sig.len() - 1;
    sig[last - 20] ^= 0x01;
    out.push(Vector::new(
        "tampered-signature",
        "One bit of the signature flipped, check recomputed.",
        Text::of_key_body(&sig, TextStyle::Compact).to_string(),
        "bad-signature",
    ));
    let mut owner_changed = body.clone();
    owner_changed[6 + 8 + 1 + 1 + 1 + 1] = b'E';
    out.push(Vector::new(
        "tampered-owner",
        "First letter of the owner changed, check recomputed.",
        Text::of_key_body(&owner_changed, TextStyle::Compact).to_string(),
        "bad-signature",
    ));

    out.push(Vector::new(
        "unknown-issuer",
        "Signed by an issuer key that is not in the trust store.",
        other
            .issue_string(&typical(0x0123_4567_89ab_cdef), TextStyle::Compact)
            .unwrap_or_default(),
        "unknown-issuer",
    ));
    let forged = sign_raw(
        other.signing_key(),
        1,
        1,
        id,
        "glpi-key/v1/instance-registration",
        &claims_bytes(&typical(0x0123_4567_89ab_cdef)),
    );
    out.push(Vector::new(
        "forged-key-id",
        "Signed by another issuer, but the header names the test issuer's key id.",
        forged,
        "bad-signature",
    ));
    out.push(Vector::new("wrong-domain-tag", "Signed by the test issuer over the agent-enrollment domain tag, presented as an instance key.", sign_raw(issuer_sk, 1, 1, id, "glpi-key/v1/agent-enrollment", &claims_bytes(&typical(0x0123_4567_89ab_cdef))), "bad-signature"));

    // --- header problems ----------------------------------------------------------------------
    out.push(Vector::new(
        "unsupported-version",
        "Format version 2 in the header (validly signed).",
        sign_raw(
            issuer_sk,
            2,
            1,
            id,
            "glpi-key/v2/instance-registration",
            &claims_bytes(&typical(0x0123_4567_89ab_cdef)),
        ),
        "unsupported-version",
    ));
    out.push(Vector::new(
        "unknown-object-kind",
        "Object kind 9 in the header.",
        sign_raw(
            issuer_sk,
            1,
            9,
            id,
            "glpi-key/v1/unknown",
            &claims_bytes(&typical(0x0123_4567_89ab_cdef)),
        ),
        "unknown-object-kind",
    ));
    out.push(Vector::new(
        "revocation-list-as-key",
        "A body whose header says revocation list (kind 3), given as a key.",
        sign_raw(
            issuer_sk,
            1,
            3,
            id,
            "glpi-key/v1/revocation-list",
            &claims_bytes(&typical(0x0123_4567_89ab_cdef)),
        ),
        "wrong-object-kind",
    ));
    let mut v = Vector::new(
        "agent-key-where-instance-key-needed",
        "A valid agent enrollment key checked where an instance registration key is required.",
        agent_text,
        "wrong-object-kind",
    );
    v.kind = Some(KeyKind::InstanceRegistration);
    out.push(v);

    // --- malformed but validly signed claims ----------------------------------------------------
    let mut bad_tier = claims_bytes(&typical(0x0123_4567_89ab_cdef));
    bad_tier[8] = 9;
    out.push(Vector::new(
        "malformed-unknown-tier",
        "Validly signed claims with tier value 9.",
        sign_raw(
            issuer_sk,
            1,
            1,
            id,
            "glpi-key/v1/instance-registration",
            &bad_tier,
        ),
        "malformed-claims",
    ));
    let mut critical = free;
    critical.expires_at = None;
    let mut crit = claims_bytes(&critical);
    crit[9] |= 1 << 6; // extensions present
    crit.extend_from_slice(&[2, 1, 0]); // block of 2 bytes: tag 1 (critical), empty value
    out.push(Vector::new(
        "malformed-unknown-critical-extension",
        "Validly signed claims carrying critical extension 1, unknown to version 1.",
        sign_raw(
            issuer_sk,
            1,
            1,
            id,
            "glpi-key/v1/instance-registration",
            &crit,
        ),
        "malformed-claims",
    ));
    let mut trailing = claims_bytes(&typical(0x0123_4567_89ab_cdef));
    trailing.push(0);
    out.push(Vector::new(
        "malformed-trailing-byte",
        "Validly signed claims with one byte left over.",
        sign_raw(
            issuer_sk,
            1,
            1,
            id,
            "glpi-key/v1/instance-registration",
            &trailing,
        ),
        "malformed-claims",
    ));
    let mut long_varint = claims_bytes(&typical(0x0123_4567_89ab_cdef));
    let e = long_varint.remove(10);
    long_varint.insert(10, 0x80 | e);
    long_varint.insert(11, 0x00);
    out.push(Vector::new(
        "malformed-non-canonical-varint",
        "Validly signed claims whose entitlements varint uses two bytes for a one-byte value.",
        sign_raw(
            issuer_sk,
            1,
            1,
            id,
            "glpi-key/v1/instance-registration",
            &long_varint,
        ),
        "malformed-claims",
    ));

    // --- policy --------------------------------------------------------------------------------
    let mut v = Vector::new(
        "expired",
        "The typical key checked one minute after it expired.",
        standard.clone(),
        "expired",
    );
    v.now = date(2031, 1, 1).saturating_add_secs(60);
    out.push(v);
    let mut v = Vector::new(
        "expired-exactly-at-expiry",
        "The typical key checked at the exact moment of expiry (expiry is exclusive).",
        standard.clone(),
        "expired",
    );
    v.now = date(2031, 1, 1);
    out.push(v);
    let mut v = Vector::new(
        "valid-one-second-before-expiry",
        "The typical key one second before expiry.",
        standard.clone(),
        "valid",
    );
    v.now = date(2031, 1, 1).saturating_sub_secs(1);
    out.push(v);
    let mut v = Vector::new(
        "not-yet-valid",
        "The every-claim key checked before its not-before date.",
        all_text.clone(),
        "not-yet-valid",
    );
    v.now = date(2026, 10, 31);
    out.push(v);
    let mut v = Vector::new(
        "wrong-instance",
        "The typical key checked on another GLPI instance.",
        standard.clone(),
        "wrong-instance",
    );
    v.instance = InstanceId::parse("00000000-0000-4000-8000-000000000001");
    out.push(v);
    let mut v = Vector::new(
        "unsupported-glpi-version",
        "The every-claim key (GLPI 10.0 to 11.0) checked on GLPI 11.1.",
        all_text,
        "unsupported-glpi-version",
    );
    v.glpi_version = Some(GlpiVersion::new(11, 1));
    out.push(v);
    out
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run(dir: &Path) -> Result<(), String> {
    let issuer_sk = SigningKey::from_bytes(&seed(TEST_ISSUER_PHRASE));
    let issuer = Issuer::from_signing_key(issuer_sk.clone());
    let other = Issuer::from_secret_key_bytes(&seed(OTHER_ISSUER_PHRASE));
    let trust = TrustStore::with(issuer.trusted_key().map_err(|e| e.to_string())?);

    let vectors = build(&issuer, &other, &issuer_sk);
    let mut list = Vec::new();
    for v in &vectors {
        let outcome = evaluate(v, &trust);
        let got = match &outcome {
            Ok(_) => "valid",
            Err(e) => e.code(),
        };
        if got != v.expect {
            return Err(format!(
                "vector {} should give {} but the crate says {} ({})",
                v.name,
                v.expect,
                got,
                outcome.err().map(|e| e.to_string()).unwrap_or_default()
            ));
        }
        list.push(json!({
            "name": v.name,
            "description": v.description,
            "key": v.key,
            "now": v.now.as_secs(),
            "kind": v.kind.map(|k| json!(k.to_string())).unwrap_or(Value::Null),
            "instance": v.instance.map(|i| json!(i.to_string())).unwrap_or(Value::Null),
            "glpi_version": v.glpi_version.map(|g| json!(g.to_string())).unwrap_or(Value::Null),
            "expect": v.expect,
            "message": outcome.as_ref().err().map(|e| json!(e.to_string())).unwrap_or(Value::Null),
            "claims": outcome.ok().unwrap_or(Value::Null),
        }));
    }
    let doc = json!({
        "about": "Test vectors for the GLPI key format v1 (spec/FORMAT.md). Generated by spec/generator; do not edit by hand. The issuer below is a TEST-ONLY key whose secret is public: never trust it in production.",
        "trust": [{
            "public_key_hex": hex(&issuer.public_key_bytes()),
            "key_id": issuer.key_id().to_string(),
        }],
        "test_issuer_secret_key_hex": hex(&seed(TEST_ISSUER_PHRASE)),
        "vectors": list,
    });
    let json = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(&dir.join("keys.json"), &json)?;
    write(
        &dir.join("sample-standard.key"),
        &(vectors[0].key.clone() + "\n"),
    )?;
    write(
        &dir.join("test-issuer.pub.hex"),
        &(hex(&issuer.public_key_bytes()) + "\n"),
    )?;
    let public_pem = issuer_sk
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    write(&dir.join("test-issuer.pub"), &public_pem)?;
    let secret_pem = issuer_sk
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    write(&dir.join("test-issuer.key"), secret_pem.as_str())?;
    let (scenarios, count) = site::scenarios_json()?;
    write(&dir.join("site-scenarios.json"), &scenarios)?;
    println!("wrote {count} site scenarios");
    println!("wrote {} vectors to {}", vectors.len(), dir.display());
    Ok(())
}

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("spec/vectors"));
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
