//! `glpi_key._native`: the Python extension module of the wheel `glpi-key`, thin PyO3 exports
//! over the core crate. Every decision (reading the text, the check symbols, the signature, the
//! claims, the revocation lists) is the core's; this crate only converts arguments and results.
//!
//! The module is not the package's API: `glpi_key/__init__.py` is. Results cross as dicts
//! (which `__init__.py` turns into frozen dataclasses) and every failure is raised as
//! `_native.Failure(code, message, typo)`, which `__init__.py` re-raises as `GlpiKeyError`.

use glpi_key::{
    Claims, Correction, CorrectionStatus, Error, GlpiVersion, InstanceCheck, InstanceId, KeyKind,
    KeyStatus, License, RevocationList, Serial, ShortId, TextStyle, TrustError, TrustedKey,
    UnixTime, UnverifiedKey, UnverifiedRevocationList, VerifyOptions, MAX_TEXT_LIST_LEN,
};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

mod site;

create_exception!(
    _native,
    Failure,
    PyException,
    "A refusal: args are (code, message, typo dict or None)."
);

/// The error codes this package adds to the core's (`Error::code`).
mod code {
    /// An argument of the wrong shape (a bad UUID, version, hex text, kind name).
    pub const INVALID_ARGUMENT: &str = "invalid-argument";
    /// A verification asked of an empty trust store.
    pub const NO_TRUSTED_KEYS: &str = "no-trusted-keys";
}

/// A refusal before it is raised.
struct Refusal {
    code: &'static str,
    message: String,
    typo: Option<Correction>,
}

impl Refusal {
    fn argument(message: impl Into<String>) -> Self {
        Refusal {
            code: code::INVALID_ARGUMENT,
            message: message.into(),
            typo: None,
        }
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        let typo = match e {
            Error::Checksum(c) => c.suggestion,
            _ => None,
        };
        Refusal {
            code: e.code(),
            message: e.to_string(),
            typo,
        }
    }
}

impl From<TrustError> for Refusal {
    fn from(e: TrustError) -> Self {
        Refusal {
            code: trust_code(&e),
            message: e.to_string(),
            typo: None,
        }
    }
}

/// Stable codes for trust store failures (the names the C ABI and the npm package use).
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

/// Raises a refusal as `Failure(code, message, typo)`.
fn raise(py: Python<'_>, r: Refusal) -> PyErr {
    let typo = match r.typo {
        None => py.None(),
        Some(c) => match typo_dict(py, &c) {
            Ok(d) => d.into_any().unbind(),
            Err(e) => return e,
        },
    };
    Failure::new_err((r.code, r.message, typo))
}

fn typo_dict<'py>(py: Python<'py>, c: &Correction) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("position", c.position)?;
    d.set_item("group", c.group)?;
    d.set_item("position_in_group", c.position_in_group)?;
    d.set_item("found", c.found.to_string())?;
    d.set_item("replacement", c.replacement.to_string())?;
    d.set_item(
        "confirmed",
        matches!(c.status, CorrectionStatus::ConfirmedBySignature),
    )?;
    Ok(d)
}

/// The issuer public keys a verifier trusts.
#[pyclass(module = "glpi_key._native")]
struct TrustStore {
    inner: glpi_key::TrustStore,
}

#[pymethods]
impl TrustStore {
    /// An empty store.
    #[new]
    fn new() -> Self {
        TrustStore {
            inner: glpi_key::TrustStore::new(),
        }
    }

    /// Trusts a 32-byte Ed25519 public key for keys issued in `[valid_from, valid_until)`
    /// (Unix seconds, either side open when None). Returns its key id in hex.
    #[pyo3(signature = (public_key, valid_from=None, valid_until=None))]
    fn add(
        &mut self,
        py: Python<'_>,
        public_key: &[u8],
        valid_from: Option<u64>,
        valid_until: Option<u64>,
    ) -> PyResult<String> {
        let key = trusted_key(public_key, valid_from, valid_until).map_err(|r| raise(py, r))?;
        self.inner.add(key).map_err(|e| raise(py, e.into()))?;
        Ok(key.key_id().to_string())
    }

    /// The key ids (8 hex digits) of the trusted keys, in the order added.
    fn key_ids(&self) -> Vec<String> {
        self.inner.iter().map(|k| k.key_id().to_string()).collect()
    }
}

/// A trusted key from 32 bytes and its window `[valid_from, valid_until)` (Unix seconds).
fn trusted_key(
    public_key: &[u8],
    valid_from: Option<u64>,
    valid_until: Option<u64>,
) -> Result<TrustedKey, Refusal> {
    let Ok(bytes) = <&[u8; 32]>::try_from(public_key) else {
        return Err(Refusal::argument(format!(
            "an issuer public key is 32 bytes (64 hex digits), not {} bytes",
            public_key.len()
        )));
    };
    Ok(TrustedKey::from_public_key_bytes(bytes)?.with_validity(
        valid_from.map(UnixTime::from_secs),
        valid_until.map(UnixTime::from_secs),
    )?)
}

fn kind_of(name: &str) -> Result<KeyKind, Refusal> {
    match name {
        "instance-registration" => Ok(KeyKind::InstanceRegistration),
        "agent-enrollment" => Ok(KeyKind::AgentEnrollment),
        _ => Err(Refusal::argument(format!(
            "kind must be \"instance-registration\" or \"agent-enrollment\" (there is no default), not {name:?}"
        ))),
    }
}

/// Reads a key without verifying it; a one-symbol typo suggestion is confirmed (or not) by the
/// signature of the corrected key under `trust`. Returns a dict of unverified facts.
#[pyfunction]
fn parse<'py>(py: Python<'py>, text: &str, trust: &TrustStore) -> PyResult<Bound<'py, PyDict>> {
    let key =
        UnverifiedKey::parse_with_trust(text, &trust.inner).map_err(|e| raise(py, e.into()))?;
    let d = PyDict::new(py);
    d.set_item(
        "unverified_kind",
        key.unverified_kind().object_kind().name(),
    )?;
    d.set_item("unverified_key_id", key.unverified_key_id().to_string())?;
    d.set_item(
        "unverified_short_id",
        key.unverified_short_id().map(|id| id.to_string()),
    )?;
    d.set_item("text", key.text(TextStyle::Compact).to_string())?;
    d.set_item("grouped", key.text(TextStyle::Grouped).to_string())?;
    Ok(d)
}

/// The text with its suggested one-symbol fix applied, or None when it reads as a key as
/// given. Any other failure, including a check failure with no single suggestion, is raised.
#[pyfunction]
fn correct(py: Python<'_>, text: &str, trust: &TrustStore) -> PyResult<Option<String>> {
    let typo = match UnverifiedKey::parse_with_trust(text, &trust.inner) {
        Ok(_) => return Ok(None),
        Err(Error::Checksum(glpi_key::ChecksumError {
            suggestion: Some(c),
        })) => c,
        Err(e) => return Err(raise(py, e.into())),
    };
    // `position` is 1-based among the characters of the text as given.
    Ok(Some(
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                if i + 1 == typo.position {
                    typo.replacement
                } else {
                    ch
                }
            })
            .collect(),
    ))
}

/// Verifies a key with the required `kind`. A key bound to an instance is refused
/// (`instance-required`) when `instance` is None, unless `accept_any_instance_unchecked`.
#[pyfunction]
#[pyo3(signature = (text, trust, kind, now, instance, accept_any_instance_unchecked, glpi_version, grace_seconds, clock_tolerance_seconds, revocations))]
#[allow(clippy::too_many_arguments)]
fn verify<'py>(
    py: Python<'py>,
    text: &str,
    trust: &TrustStore,
    kind: &str,
    now: u64,
    instance: Option<&str>,
    accept_any_instance_unchecked: bool,
    glpi_version: Option<&str>,
    grace_seconds: u64,
    clock_tolerance_seconds: Option<u64>,
    revocations: Option<&RawRevocationList>,
) -> PyResult<Bound<'py, PyDict>> {
    let checked = (|| -> Result<_, Refusal> {
        let kind = kind_of(kind)?;
        if instance.is_some() && accept_any_instance_unchecked {
            return Err(Refusal::argument(
                "give either instance or accept_any_instance_unchecked, not both",
            ));
        }
        if trust.inner.is_empty() {
            return Err(Refusal {
                code: code::NO_TRUSTED_KEYS,
                message: "no issuer public key is trusted: add the vendor's public key first"
                    .into(),
                typo: None,
            });
        }
        let mut options = VerifyOptions::at(UnixTime::from_secs(now))
            .with_kind(kind)
            .with_grace_secs(grace_seconds);
        // Without an instance id, a bound key is refused unless `accept_any_instance_unchecked`
        // opts out: the core's one rule (`InstanceCheck::binding_unchecked`), after verification.
        let instance = match instance {
            Some(s) => InstanceCheck::This(InstanceId::parse(s).ok_or_else(|| {
                Refusal::argument(format!(
                    "the instance must be a UUID like 5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b, not {s:?}"
                ))
            })?),
            None if accept_any_instance_unchecked => InstanceCheck::InsecureSkipBinding,
            None => InstanceCheck::Unknown,
        };
        options.instance = instance.instance();
        if let Some(v) = glpi_version {
            options = options.with_glpi_version(GlpiVersion::parse(v).ok_or_else(|| {
                Refusal::argument(format!(
                    "the GLPI version must be MAJOR.MINOR, like 10.0, not {v:?}"
                ))
            })?);
        }
        if let Some(t) = clock_tolerance_seconds {
            options = options.with_clock_tolerance_secs(t);
        }
        let key = UnverifiedKey::parse_with_trust(text, &trust.inner)?;
        let list = match revocations {
            None => None,
            Some(r) => Some(UnverifiedRevocationList::from_body(&r.body)?.verify(&trust.inner)?),
        };
        let license = key.verify_with_revocations(&trust.inner, &options, list.as_ref())?;
        instance.binding_unchecked(license.claims().instance)?;
        Ok(license_dict(py, &license))
    })();
    match checked {
        Ok(dict) => dict,
        Err(r) => Err(raise(py, r)),
    }
}

fn license_dict<'py>(py: Python<'py>, l: &License<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("claims", claims_dict(py, l.claims())?)?;
    d.set_item("issuer_key_id", l.issuer_key_id().to_string())?;
    match l.status() {
        KeyStatus::Active => {
            d.set_item("status", "active")?;
            d.set_item("grace_until", py.None())?;
            d.set_item("warning", py.None())?;
        }
        s @ KeyStatus::InGrace { until, .. } => {
            d.set_item("status", "in-grace")?;
            d.set_item("grace_until", until.as_secs())?;
            d.set_item("warning", s.to_string())?;
        }
    }
    Ok(d)
}

fn hex_serial(s: Serial) -> String {
    format!("{:016x}", s.value())
}

fn claims_dict<'py>(py: Python<'py>, c: &Claims<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("serial", hex_serial(c.serial))?;
    d.set_item("short_id", c.serial.short_id().to_string())?;
    d.set_item("kind", c.kind.object_kind().name())?;
    d.set_item("tier", c.tier.name())?;
    d.set_item("owner", c.owner)?;
    d.set_item("issued_at", c.issued_at.as_secs())?;
    d.set_item("not_before", c.not_before.as_secs())?;
    d.set_item("expires_at", c.expires_at.map(UnixTime::as_secs))?;
    d.set_item("instance", c.instance.map(|i| i.to_string()))?;
    d.set_item("entitlements", c.entitlements.names().collect::<Vec<_>>())?;
    d.set_item("entitlement_bits", c.entitlements.bits())?;
    d.set_item(
        "glpi_versions",
        c.glpi_versions
            .map(|r| (r.min.to_string(), r.max.to_string())),
    )?;
    d.set_item("max_assets", c.max_assets)?;
    d.set_item("entity", c.entity)?;
    d.set_item("supersedes", c.supersedes.map(hex_serial))?;
    let extensions = PyList::empty(py);
    for e in c.extensions.iter() {
        extensions.append(PyTuple::new(
            py,
            [
                e.tag.into_pyobject(py)?.into_any(),
                PyBytes::new(py, e.value).into_any(),
            ],
        )?)?;
    }
    d.set_item("extensions", extensions)?;
    Ok(d)
}

/// A verified revocation list: its signed body (to check keys against) and its facts.
#[pyclass(module = "glpi_key._native", frozen)]
struct RawRevocationList {
    body: Vec<u8>,
    serials: Vec<Serial>,
}

#[pymethods]
impl RawRevocationList {
    /// Whether the list revokes this serial (16 hex digits) or short ID (`GLPI-…-…`).
    fn contains(&self, py: Python<'_>, serial: &str) -> PyResult<bool> {
        let s = parse_serial(serial).map_err(|r| raise(py, r))?;
        // The core verified the list sorted and free of duplicates.
        Ok(self.serials.binary_search(&s).is_ok())
    }

    /// The list in file form (magic bytes, then the signed body).
    fn file_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let list =
            UnverifiedRevocationList::from_body(&self.body).map_err(|e| raise(py, e.into()))?;
        Ok(PyBytes::new(py, &list.to_file_bytes()))
    }
}

fn parse_serial(s: &str) -> Result<Serial, Refusal> {
    if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return u64::from_str_radix(s, 16)
            .ok()
            .and_then(Serial::new)
            .ok_or_else(|| Refusal::argument(format!("serial {s} is larger than 60 bits")));
    }
    ShortId::parse(s)
        .map(|id| id.serial())
        .map_err(Refusal::from)
}

/// Reads and verifies a revocation list in text form (`text`) or file form (`file`), and
/// refuses it when older than `installed_sequence`. Returns `(list, facts dict)`.
#[pyfunction]
#[pyo3(signature = (text, file, trust, installed_sequence))]
fn read_revocation_list<'py>(
    py: Python<'py>,
    text: Option<&str>,
    file: Option<&[u8]>,
    trust: &TrustStore,
    installed_sequence: Option<u64>,
) -> PyResult<(RawRevocationList, Bound<'py, PyDict>)> {
    let mut buf = vec![0u8; MAX_TEXT_LIST_LEN];
    let unverified = match (text, file) {
        (Some(t), None) => UnverifiedRevocationList::parse_text(t, &mut buf),
        (None, Some(f)) => UnverifiedRevocationList::from_file_bytes(f),
        _ => {
            return Err(raise(
                py,
                Refusal::argument("give a revocation list as text (str) or as file bytes"),
            ))
        }
    }
    .map_err(|e| raise(py, e.into()))?;
    let list = unverified
        .verify(&trust.inner)
        .and_then(|l| {
            if let Some(installed) = installed_sequence {
                l.check_not_older_than(installed)?;
            }
            Ok(l)
        })
        .map_err(|e| raise(py, e.into()))?;
    let facts = list_facts(py, &list)?;
    Ok((
        RawRevocationList {
            body: unverified.as_bytes().to_vec(),
            serials: list.serials().collect(),
        },
        facts,
    ))
}

fn list_facts<'py>(py: Python<'py>, l: &RevocationList<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("issuer_key_id", l.issuer_key_id().to_string())?;
    d.set_item("sequence", l.sequence())?;
    d.set_item("issued_at", l.issued_at().as_secs())?;
    d.set_item("next_update", l.next_update().map(UnixTime::as_secs))?;
    d.set_item("serials", l.serials().map(hex_serial).collect::<Vec<_>>())?;
    Ok(d)
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Failure", m.py().get_type::<Failure>())?;
    m.add_class::<TrustStore>()?;
    m.add_class::<RawRevocationList>()?;
    m.add_class::<site::RawSite>()?;
    m.add_class::<site::RawSiteDir>()?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(correct, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(read_revocation_list, m)?)?;
    Ok(())
}
