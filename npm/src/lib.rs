//! The WebAssembly side of the npm package `glpi-key`: thin wasm-bindgen exports over the
//! core crate. Every decision (reading the text, the check symbols, the signature, the claims,
//! the revocation lists) is the core's; this crate only converts arguments and results.
//!
//! Results cross the boundary as JSON text (claims, parsed keys) and errors as a thrown JSON
//! text `{"code":…,"message":…}`; `core.js` turns them into typed objects and
//! `GlpiKeyError`. The exports are not the package's API: `core.js` is.

use core::fmt::Write as _;

use glpi_key::{
    Claims, CorrectionStatus, Error, GlpiVersion, InstanceCheck, InstanceId, KeyKind, KeyStatus,
    License, RevocationList, Serial, ShortId, TextStyle, TrustError, TrustStore, TrustedKey,
    UnixTime, UnverifiedKey, UnverifiedRevocationList, VerifyOptions, MAX_TEXT_LIST_LEN,
};
use wasm_bindgen::prelude::*;

mod site;

/// The error codes this package adds to the core's (`Error::code`).
mod code {
    /// An argument of the wrong shape (a bad UUID, version, hex text, kind name).
    pub const INVALID_ARGUMENT: &str = "invalid-argument";
    /// A verification asked of an empty trust store.
    pub const NO_TRUSTED_KEYS: &str = "no-trusted-keys";
}

/// A failure as it crosses to JavaScript: a JSON object thrown as a string.
struct Failure {
    code: &'static str,
    message: String,
    typo: Option<glpi_key::Correction>,
}

impl Failure {
    fn argument(message: impl Into<String>) -> Self {
        Failure {
            code: code::INVALID_ARGUMENT,
            message: message.into(),
            typo: None,
        }
    }

    fn into_js(self) -> JsValue {
        let mut j = Json::default();
        j.open();
        j.str_field("code", self.code);
        j.str_field("message", &self.message);
        if let Some(c) = self.typo {
            j.key("typo");
            write_typo(&mut j, &c);
        }
        j.close();
        JsValue::from_str(&j.0)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let typo = match e {
            Error::Checksum(c) => c.suggestion,
            _ => None,
        };
        Failure {
            code: e.code(),
            message: e.to_string(),
            typo,
        }
    }
}

impl From<TrustError> for Failure {
    fn from(e: TrustError) -> Self {
        Failure {
            code: trust_code(&e),
            message: e.to_string(),
            typo: None,
        }
    }
}

/// Stable codes for trust store failures (the names the C ABI uses).
fn trust_code(e: &TrustError) -> &'static str {
    match e {
        TrustError::NotAPoint => "trusted-key-not-a-point",
        TrustError::NonCanonical => "trusted-key-non-canonical",
        TrustError::SmallOrder => "trusted-key-small-order",
        TrustError::EmptyWindow => "trusted-key-empty-window",
        TrustError::DuplicateKeyId(_) => "duplicate-trusted-key",
        TrustError::Full => "too-many-trusted-keys",
        TrustError::NotTrusted(_) => "issuer-key-not-trusted",
        _ => "trust-error",
    }
}

type Result<T> = core::result::Result<T, JsValue>;

fn fail<T>(f: impl Into<Failure>) -> Result<T> {
    Err(f.into().into_js())
}

/// The issuer public keys a verifier trusts.
#[wasm_bindgen]
pub struct RawTrustStore {
    inner: TrustStore,
}

impl Default for RawTrustStore {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl RawTrustStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawTrustStore {
        RawTrustStore {
            inner: TrustStore::new(),
        }
    }

    /// Trusts a 32-byte Ed25519 public key, for keys issued in `[valid_from, valid_until)`
    /// (Unix seconds, either side open when absent). Returns its key id in hex.
    pub fn add(
        &mut self,
        public_key: &[u8],
        valid_from: Option<u64>,
        valid_until: Option<u64>,
    ) -> Result<String> {
        let added = trusted_key(public_key, valid_from, valid_until).and_then(|k| {
            self.inner.add(k)?;
            Ok(k.key_id())
        });
        match added {
            Ok(id) => Ok(id.to_string()),
            Err(f) => fail(f),
        }
    }

    /// The key ids of the trusted keys, as a JSON array of hex strings.
    #[wasm_bindgen(js_name = keyIds)]
    pub fn key_ids(&self) -> String {
        let mut j = Json::default();
        j.0.push('[');
        for (i, k) in self.inner.iter().enumerate() {
            if i > 0 {
                j.0.push(',');
            }
            j.string(&k.key_id().to_string());
        }
        j.0.push(']');
        j.0
    }
}

/// A trusted key from 32 bytes and its window `[valid_from, valid_until)` (Unix seconds).
fn trusted_key(
    public_key: &[u8],
    valid_from: Option<u64>,
    valid_until: Option<u64>,
) -> core::result::Result<TrustedKey, Failure> {
    let Ok(bytes) = <&[u8; 32]>::try_from(public_key) else {
        return Err(Failure::argument(format!(
            "an issuer public key is 32 bytes (64 hex digits), not {} bytes",
            public_key.len()
        )));
    };
    Ok(TrustedKey::from_public_key_bytes(bytes)?.with_validity(
        valid_from.map(UnixTime::from_secs),
        valid_until.map(UnixTime::from_secs),
    )?)
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn kind_of(name: &str) -> core::result::Result<KeyKind, Failure> {
    match name {
        "instance-registration" => Ok(KeyKind::InstanceRegistration),
        "agent-enrollment" => Ok(KeyKind::AgentEnrollment),
        _ => Err(Failure::argument(format!(
            "kind must be \"instance-registration\" or \"agent-enrollment\", not {name:?}"
        ))),
    }
}

/// Reads a key (form, check symbols, header) without verifying it. A one-symbol typo
/// suggestion is confirmed (or dropped) by the signature of the corrected key under `trust`
/// (an empty store leaves it unconfirmed). Returns JSON:
/// `{unverifiedKind, unverifiedKeyId, unverifiedShortId, text, grouped}`.
#[wasm_bindgen]
pub fn parse(text: &str, trust: &RawTrustStore) -> Result<String> {
    let key = match read(text, trust) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let mut j = Json::default();
    j.open();
    j.str_field("unverifiedKind", key.unverified_kind().object_kind().name());
    j.str_field("unverifiedKeyId", &key.unverified_key_id().to_string());
    j.key("unverifiedShortId");
    match key.unverified_short_id() {
        Some(id) => j.string(&id.to_string()),
        None => j.null(),
    }
    j.str_field("text", &key.text(TextStyle::Compact).to_string());
    j.str_field("grouped", &key.text(TextStyle::Grouped).to_string());
    j.close();
    Ok(j.0)
}

fn read(text: &str, trust: &RawTrustStore) -> core::result::Result<UnverifiedKey, Error> {
    UnverifiedKey::parse_with_trust(text, &trust.inner)
}

/// The text with the suggested one-symbol fix applied, or `undefined` when the text reads as a
/// key as given. Any other failure, including a check failure with no single suggestion, is
/// thrown. The fix is a suggestion: the returned text still has to be verified.
#[wasm_bindgen]
pub fn correct(text: &str, trust: &RawTrustStore) -> Result<Option<String>> {
    let typo = match read(text, trust) {
        Ok(_) => return Ok(None),
        Err(Error::Checksum(glpi_key::ChecksumError {
            suggestion: Some(c),
        })) => c,
        Err(e) => return fail(e),
    };
    // `position` is 1-based among the characters of the text as given.
    let fixed: String = text
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            if i + 1 == typo.position {
                typo.replacement
            } else {
                ch
            }
        })
        .collect();
    Ok(Some(fixed))
}

/// Verifies a key. `kind` is required; `instance` is this instance's UUID (absent: not
/// configured, and a key bound to an instance is refused with `instance-required` unless
/// `accept_any_instance` is set). Returns the license as JSON.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn verify(
    text: &str,
    trust: &RawTrustStore,
    kind: &str,
    now: u64,
    instance: Option<String>,
    accept_any_instance: bool,
    glpi_version: Option<String>,
    grace_secs: u64,
    clock_tolerance_secs: Option<u64>,
    revocations: Option<Vec<u8>>,
) -> Result<String> {
    match verify_inner(
        text,
        trust,
        kind,
        now,
        instance.as_deref(),
        accept_any_instance,
        glpi_version.as_deref(),
        grace_secs,
        clock_tolerance_secs,
        revocations.as_deref(),
    ) {
        Ok(json) => Ok(json),
        Err(f) => fail(f),
    }
}

#[allow(clippy::too_many_arguments)]
fn verify_inner(
    text: &str,
    trust: &RawTrustStore,
    kind: &str,
    now: u64,
    instance: Option<&str>,
    accept_any_instance: bool,
    glpi_version: Option<&str>,
    grace_secs: u64,
    clock_tolerance_secs: Option<u64>,
    revocations: Option<&[u8]>,
) -> core::result::Result<String, Failure> {
    let kind = kind_of(kind)?;
    if trust.inner.is_empty() {
        return Err(Failure {
            code: code::NO_TRUSTED_KEYS,
            message: "no issuer public key is trusted: add the vendor's public key first".into(),
            typo: None,
        });
    }
    let mut options = VerifyOptions::at(UnixTime::from_secs(now))
        .with_kind(kind)
        .with_grace_secs(grace_secs);
    // Without an instance id, a bound key is refused unless `accept_any_instance` opts out:
    // the core's one rule (`InstanceCheck::binding_unchecked`), applied after verification.
    let instance = match instance {
        Some(s) => InstanceCheck::This(parse_instance(s)?),
        None if accept_any_instance => InstanceCheck::InsecureSkipBinding,
        None => InstanceCheck::Unknown,
    };
    options.instance = instance.instance();
    if let Some(v) = glpi_version {
        let v = GlpiVersion::parse(v).ok_or_else(|| {
            Failure::argument(format!(
                "the GLPI version must be MAJOR.MINOR, like 10.0, not {v:?}"
            ))
        })?;
        options = options.with_glpi_version(v);
    }
    if let Some(t) = clock_tolerance_secs {
        options = options.with_clock_tolerance_secs(t);
    }
    let key = UnverifiedKey::parse_with_trust(text, &trust.inner)?;
    let list = match revocations {
        None => None,
        Some(body) => Some(UnverifiedRevocationList::from_body(body)?.verify(&trust.inner)?),
    };
    let license = key.verify_with_revocations(&trust.inner, &options, list.as_ref())?;
    instance.binding_unchecked(license.claims().instance)?;
    Ok(license_json(&license))
}

fn parse_instance(s: &str) -> core::result::Result<InstanceId, Failure> {
    InstanceId::parse(s).ok_or_else(|| {
        Failure::argument(format!(
            "the instance must be a UUID like 5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b, not {s:?}"
        ))
    })
}

/// A verified revocation list (its signed body, kept to check keys against).
#[wasm_bindgen]
pub struct RawRevocationList {
    body: Vec<u8>,
    serials: Vec<Serial>,
    meta: String,
}

#[wasm_bindgen]
impl RawRevocationList {
    /// The list's facts as JSON: issuerKeyId, sequence (decimal string), issuedAt,
    /// nextUpdate, serials (hex).
    pub fn meta(&self) -> String {
        self.meta.clone()
    }

    /// The signed body, to pass back to `verify`.
    pub fn body(&self) -> Vec<u8> {
        self.body.clone()
    }

    /// The list in file form (magic bytes, then the body).
    #[wasm_bindgen(js_name = fileBytes)]
    pub fn file_bytes(&self) -> Result<Vec<u8>> {
        match UnverifiedRevocationList::from_body(&self.body) {
            Ok(l) => Ok(l.to_file_bytes()),
            Err(e) => fail(e),
        }
    }

    /// Whether the list revokes this serial (16 hex digits) or short ID (`GLPI-…-…`).
    pub fn contains(&self, serial: &str) -> Result<bool> {
        match parse_serial(serial) {
            // The core verified the list sorted and free of duplicates.
            Ok(s) => Ok(self.serials.binary_search(&s).is_ok()),
            Err(f) => fail(f),
        }
    }
}

fn parse_serial(s: &str) -> core::result::Result<Serial, Failure> {
    if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return u64::from_str_radix(s, 16)
            .ok()
            .and_then(Serial::new)
            .ok_or_else(|| Failure::argument(format!("serial {s} is larger than 60 bits")));
    }
    match ShortId::parse(s) {
        Ok(id) => Ok(id.serial()),
        Err(e) => Err(e.into()),
    }
}

/// Reads and verifies a revocation list, in text form or file bytes (exactly one given), and
/// refuses it when older than `installed_sequence`.
#[wasm_bindgen(js_name = readRevocationList)]
pub fn read_revocation_list(
    text: Option<String>,
    file: Option<Vec<u8>>,
    trust: &RawTrustStore,
    installed_sequence: Option<u64>,
) -> Result<RawRevocationList> {
    let mut buf = vec![0u8; MAX_TEXT_LIST_LEN];
    let unverified = match (&text, &file) {
        (Some(t), None) => UnverifiedRevocationList::parse_text(t, &mut buf),
        (None, Some(f)) => UnverifiedRevocationList::from_file_bytes(f),
        _ => {
            return fail(Failure::argument(
                "give a revocation list as text or as file bytes",
            ))
        }
    };
    let checked = unverified.and_then(|u| {
        let list = u.verify(&trust.inner)?;
        if let Some(installed) = installed_sequence {
            list.check_not_older_than(installed)?;
        }
        Ok(RawRevocationList {
            body: u.as_bytes().to_vec(),
            serials: list.serials().collect(),
            meta: list_meta(&list),
        })
    });
    match checked {
        Ok(list) => Ok(list),
        Err(e) => fail(e),
    }
}

fn list_meta(l: &RevocationList<'_>) -> String {
    let mut j = Json::default();
    j.open();
    j.str_field("issuerKeyId", &l.issuer_key_id().to_string());
    j.str_field("sequence", &l.sequence().to_string());
    j.num_field("issuedAt", l.issued_at().as_secs());
    j.key("nextUpdate");
    j.opt_num(l.next_update().map(UnixTime::as_secs));
    j.key("serials");
    j.0.push('[');
    for (i, s) in l.serials().enumerate() {
        if i > 0 {
            j.0.push(',');
        }
        j.string(&format!("{:016x}", s.value()));
    }
    j.0.push(']');
    j.close();
    j.0
}

fn license_json(l: &License<'_>) -> String {
    let mut j = Json::default();
    j.open();
    j.key("claims");
    claims_json(&mut j, l.claims());
    j.str_field("issuerKeyId", &l.issuer_key_id().to_string());
    j.key("status");
    match l.status() {
        KeyStatus::Active => j.string("active"),
        KeyStatus::InGrace { .. } => j.string("in-grace"),
    }
    j.key("graceUntil");
    j.opt_num(match l.status() {
        KeyStatus::InGrace { until, .. } => Some(until.as_secs()),
        KeyStatus::Active => None,
    });
    j.key("warning");
    match l.status() {
        KeyStatus::Active => j.null(),
        s @ KeyStatus::InGrace { .. } => j.string(&s.to_string()),
    }
    j.close();
    j.0
}

fn claims_json(j: &mut Json, c: &Claims<'_>) {
    j.open();
    j.str_field("serial", &format!("{:016x}", c.serial.value()));
    j.str_field("shortId", &c.serial.short_id().to_string());
    j.str_field("kind", c.kind.object_kind().name());
    j.str_field("tier", c.tier.name());
    j.str_field("owner", c.owner);
    j.num_field("issuedAt", c.issued_at.as_secs());
    j.num_field("notBefore", c.not_before.as_secs());
    j.key("expiresAt");
    j.opt_num(c.expires_at.map(UnixTime::as_secs));
    j.key("instance");
    match c.instance {
        Some(i) => j.string(&i.to_string()),
        None => j.null(),
    }
    j.key("entitlements");
    j.0.push('[');
    for (i, name) in c.entitlements.names().enumerate() {
        if i > 0 {
            j.0.push(',');
        }
        j.string(name);
    }
    j.0.push(']');
    j.num_field("entitlementBits", u64::from(c.entitlements.bits()));
    j.key("glpiVersions");
    match c.glpi_versions {
        Some(r) => {
            j.open();
            j.str_field("min", &r.min.to_string());
            j.str_field("max", &r.max.to_string());
            j.close();
        }
        None => j.null(),
    }
    j.key("maxAssets");
    j.opt_num(c.max_assets.map(u64::from));
    j.key("entity");
    j.opt_num(c.entity.map(u64::from));
    j.key("supersedes");
    match c.supersedes {
        Some(s) => j.string(&format!("{:016x}", s.value())),
        None => j.null(),
    }
    j.key("extensions");
    j.0.push('[');
    for (i, e) in c.extensions.iter().enumerate() {
        if i > 0 {
            j.0.push(',');
        }
        j.open();
        j.num_field("tag", u64::from(e.tag));
        j.str_field("valueHex", &hex(e.value));
        j.close();
    }
    j.0.push(']');
    j.close();
}

fn write_typo(j: &mut Json, c: &glpi_key::Correction) {
    j.open();
    j.num_field("position", c.position as u64);
    j.num_field("group", c.group as u64);
    j.num_field("positionInGroup", c.position_in_group as u64);
    j.str_field("found", c.found.encode_utf8(&mut [0; 4]));
    j.str_field("replacement", c.replacement.encode_utf8(&mut [0; 4]));
    j.key("confirmed");
    j.0.push_str(match c.status {
        CorrectionStatus::ConfirmedBySignature => "true",
        CorrectionStatus::Unconfirmed => "false",
    });
    j.close();
}

/// A small JSON writer: objects are written field by field, commas placed by `key`.
#[derive(Default)]
struct Json(String);

impl Json {
    fn open(&mut self) {
        self.0.push('{');
    }

    fn close(&mut self) {
        self.0.push('}');
    }

    fn key(&mut self, k: &str) {
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        self.string(k);
        self.0.push(':');
    }

    fn string(&mut self, s: &str) {
        self.0.push('"');
        for ch in s.chars() {
            match ch {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    let _ = write!(self.0, "\\u{:04x}", c as u32);
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }

    fn null(&mut self) {
        self.0.push_str("null");
    }

    /// Numbers are written as JSON numbers; every time and count here is below 2^53 except
    /// times near the end of u64, which JavaScript reads rounded (times are also given as
    /// dates only to the second, so nothing depends on that precision).
    fn num(&mut self, n: u64) {
        let _ = write!(self.0, "{n}");
    }

    fn opt_num(&mut self, n: Option<u64>) {
        match n {
            Some(n) => self.num(n),
            None => self.null(),
        }
    }

    fn str_field(&mut self, k: &str, v: &str) {
        self.key(k);
        self.string(v);
    }

    fn num_field(&mut self, k: &str, v: u64) {
        self.key(k);
        self.num(v);
    }
}
