//! The site verifier of `spec/SITE.md` for Python: the core's [`SiteState`] with its state as
//! bytes (the core's record, section 7) and the installed lists' files, both of which the
//! caller stores. Every rule (clock guard, per-issuer-key sequences, distrust, revocation,
//! supersession, instance binding) is the core's; this file keeps the installed lists' bodies
//! next to the state and converts arguments and results.

use glpi_key::{
    GlpiVersion, Installed, InstalledList, InstanceCheck, InstanceId, SiteCheck, SitePolicy,
    SiteState, SiteVerdict, TrustedKey, UnixTime, UnverifiedKey, UnverifiedRevocationList,
    LIST_FILE_MAGIC, MAX_TEXT_LIST_LEN,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::{kind_of, license_dict, raise, trusted_key, Refusal, TrustStore};

/// A site: its state, and the bodies of the lists installed in it.
#[pyclass(module = "glpi_key._native")]
pub struct RawSite {
    state: SiteState,
    /// The bodies of the installed lists (one per issuer key at most).
    lists: Vec<Vec<u8>>,
    /// The record as last exported or loaded: `changed` compares with it.
    saved: Vec<u8>,
}

fn instance_check(instance: Option<&str>, insecure_skip: bool) -> Result<InstanceCheck, Refusal> {
    match (instance, insecure_skip) {
        (Some(_), true) => Err(Refusal::argument(
            "give either instance or insecure_skip_instance, not both",
        )),
        (Some(s), false) => InstanceId::parse(s)
            .map(InstanceCheck::This)
            .ok_or_else(|| {
                Refusal::argument(format!(
                "the instance must be a UUID like 5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b, not {s:?}"
            ))
            }),
        (None, true) => Ok(InstanceCheck::InsecureSkipBinding),
        (None, false) => Ok(InstanceCheck::Unknown),
    }
}

fn state_refusal(e: glpi_key::StateError) -> Refusal {
    Refusal {
        code: e.code(),
        message: e.to_string(),
        typo: None,
    }
}

/// A list body from its file form (`GLPI-RL\n` then the body) or its bare body.
fn list_body(bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    let list = if bytes.starts_with(&LIST_FILE_MAGIC) {
        UnverifiedRevocationList::from_file_bytes(bytes)
    } else {
        UnverifiedRevocationList::from_body(bytes)
    }?;
    Ok(list.as_bytes().to_vec())
}

fn installed_dict<'py>(py: Python<'py>, l: &InstalledList) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("issuer_key_id", l.key_id.to_string())?;
    d.set_item("sequence", l.sequence)?;
    d.set_item("issued_at", l.issued_at.as_secs())?;
    d.set_item("next_update", l.next_update.map(UnixTime::as_secs))?;
    d.set_item("serials", l.serials)?;
    Ok(d)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[pymethods]
impl RawSite {
    /// A new site trusting the keys of `trust`.
    #[staticmethod]
    fn create(trust: &TrustStore, grace_secs: u64, clock_tolerance_secs: u64) -> RawSite {
        RawSite {
            state: SiteState::new(
                &trust.inner,
                SitePolicy {
                    grace_secs,
                    clock_tolerance_secs,
                },
            ),
            lists: Vec::new(),
            saved: Vec::new(),
        }
    }

    /// A site from its record and its installed lists (file form or bodies).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, record: &[u8], lists: Vec<Vec<u8>>) -> PyResult<RawSite> {
        let state = SiteState::from_bytes(record).map_err(|e| raise(py, state_refusal(e)))?;
        let mut bodies: Vec<Vec<u8>> = Vec::with_capacity(lists.len());
        for l in lists {
            let body = list_body(&l).map_err(|r| raise(py, r))?;
            if !bodies.contains(&body) {
                bodies.push(body);
            }
        }
        Ok(RawSite {
            state,
            lists: bodies,
            saved: record.to_vec(),
        })
    }

    /// The record (`spec/SITE.md` section 7); from now on `changed` compares with it.
    fn save<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.saved = self.state.to_bytes();
        PyBytes::new(py, &self.saved)
    }

    /// Whether the state differs from the record last exported or loaded.
    fn changed(&self) -> bool {
        self.state.to_bytes() != self.saved
    }

    /// The installed lists in file form.
    fn list_files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for body in &self.lists {
            let list =
                UnverifiedRevocationList::from_body(body).map_err(|e| raise(py, e.into()))?;
            out.append(PyBytes::new(py, &list.to_file_bytes()))?;
        }
        Ok(out)
    }

    /// Installs a revocation list (text form or file bytes, exactly one given) at `now`.
    #[pyo3(signature = (text, file, now))]
    fn install_revocations<'py>(
        &mut self,
        py: Python<'py>,
        text: Option<&str>,
        file: Option<&[u8]>,
        now: u64,
    ) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
        let mut buf = vec![0u8; MAX_TEXT_LIST_LEN];
        let parsed = match (text, file) {
            (Some(t), None) => UnverifiedRevocationList::parse_text(t, &mut buf),
            (None, Some(f)) => UnverifiedRevocationList::from_file_bytes(f),
            _ => {
                return Err(raise(
                    py,
                    Refusal::argument("give a revocation list as text (str) or as file bytes"),
                ))
            }
        };
        let now = UnixTime::from_secs(now);
        // The clock guard comes first (spec/SITE.md section 5), even for unreadable input.
        self.state
            .observe_clock(now)
            .map_err(|e| raise(py, e.into()))?;
        let list = parsed.map_err(|e| raise(py, e.into()))?;
        let installed = self
            .state
            .install_revocations(&list, now)
            .map_err(|e| raise(py, e.into()))?;
        let outcome = match installed {
            Installed::New(l) => {
                // The new list replaces its issuer key's older one.
                self.lists.retain(|b| {
                    UnverifiedRevocationList::from_body(b)
                        .map(|o| o.unverified_key_id() != l.key_id)
                        .unwrap_or(false)
                });
                self.lists.push(list.as_bytes().to_vec());
                "installed"
            }
            Installed::Unchanged(_) => "unchanged",
        };
        Ok((outcome, installed_dict(py, installed.list())?))
    }

    /// Verifies a key with the whole policy of the site.
    #[pyo3(signature = (text, kind, now, instance, insecure_skip_instance, glpi_version))]
    #[allow(clippy::too_many_arguments)]
    fn verify<'py>(
        &mut self,
        py: Python<'py>,
        text: &str,
        kind: &str,
        now: u64,
        instance: Option<&str>,
        insecure_skip_instance: bool,
        glpi_version: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let checked = (|| -> Result<PyResult<Bound<'py, PyDict>>, Refusal> {
            let kind = kind_of(kind)?;
            let instance = instance_check(instance, insecure_skip_instance)?;
            let now = UnixTime::from_secs(now);
            let mut check = SiteCheck::new(now, kind, instance);
            if let Some(v) = glpi_version {
                check = check.with_glpi_version(GlpiVersion::parse(v).ok_or_else(|| {
                    Refusal::argument(format!(
                        "the GLPI version must be MAJOR.MINOR, like 10.0, not {v:?}"
                    ))
                })?);
            }
            // The text is read first: a key that does not read changes nothing (spec/SITE.md 4).
            let key = UnverifiedKey::parse_with_trust(text, self.state.trust())?;
            let lists = self
                .lists
                .iter()
                .map(|b| UnverifiedRevocationList::from_body(b))
                .collect::<Result<Vec<_>, _>>()?;
            let verdict = self.state.verify(&key, &check, &lists)?;
            Ok(verdict_dict(py, &verdict))
        })();
        match checked {
            Ok(d) => d,
            Err(r) => Err(raise(py, r)),
        }
    }

    /// Moves the clock mark forward to `now`; returns the mark.
    fn observe_clock(&mut self, py: Python<'_>, now: u64) -> PyResult<u64> {
        self.state
            .observe_clock(UnixTime::from_secs(now))
            .map(UnixTime::as_secs)
            .map_err(|e| raise(py, e.into()))
    }

    /// Distrusts the issuer key `key_id` (8 hex digits) from `from_` on; returns the date in
    /// force (it only moves earlier).
    fn distrust(&mut self, py: Python<'_>, key_id: &str, from_: u64) -> PyResult<u64> {
        let Some(id) = self
            .state
            .trust()
            .iter()
            .map(TrustedKey::key_id)
            .find(|id| id.to_string().eq_ignore_ascii_case(key_id))
        else {
            return Err(raise(
                py,
                Refusal {
                    code: "issuer-key-not-trusted",
                    message: format!(
                        "no trusted issuer key of this site has the key id {key_id}: check the key id (status() lists them)"
                    ),
                    typo: None,
                },
            ));
        };
        self.state
            .distrust(id, UnixTime::from_secs(from_))
            .map(UnixTime::as_secs)
            .map_err(|e| raise(py, e.into()))
    }

    /// Trusts one more issuer key (a rotation); returns its key id.
    #[pyo3(signature = (public_key, valid_from=None, valid_until=None))]
    fn add_trusted_key(
        &mut self,
        py: Python<'_>,
        public_key: &[u8],
        valid_from: Option<u64>,
        valid_until: Option<u64>,
    ) -> PyResult<String> {
        let key = trusted_key(public_key, valid_from, valid_until).map_err(|r| raise(py, r))?;
        self.state
            .add_trusted_key(key)
            .map_err(|e| raise(py, e.into()))?;
        Ok(key.key_id().to_string())
    }

    /// The state: policy, clock mark, trusted keys with their lists, superseded serials.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        status_dict(py, &self.state)
    }
}

/// A site's state as a dict (`Site.status`).
fn status_dict<'py>(py: Python<'py>, s: &SiteState) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("grace_seconds", s.policy().grace_secs)?;
    d.set_item("clock_tolerance_seconds", s.policy().clock_tolerance_secs)?;
    d.set_item("clock_mark", s.clock_mark().map(UnixTime::as_secs))?;
    let trust = PyList::empty(py);
    for k in s.trust().iter() {
        let t = PyDict::new(py);
        t.set_item("key_id", k.key_id().to_string())?;
        t.set_item("public_key", hex(&k.public_key_bytes()))?;
        t.set_item("valid_from", k.valid_from().map(UnixTime::as_secs))?;
        t.set_item("valid_until", k.valid_until().map(UnixTime::as_secs))?;
        t.set_item(
            "distrusted_from",
            k.distrusted_from().map(UnixTime::as_secs),
        )?;
        match s.installed_list(k.key_id()) {
            Some(l) => t.set_item("list", installed_dict(py, &l)?)?,
            None => t.set_item("list", py.None())?,
        }
        trust.append(t)?;
    }
    d.set_item("trust", trust)?;
    d.set_item(
        "superseded",
        s.superseded()
            .map(|(old, by)| {
                (
                    format!("{:016x}", old.value()),
                    format!("{:016x}", by.value()),
                )
            })
            .collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// An accepted key as a dict (`Site.verify`).
fn verdict_dict<'py>(py: Python<'py>, v: &SiteVerdict<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("license", license_dict(py, &v.license)?)?;
    d.set_item("checked_at", v.checked_at.as_secs())?;
    d.set_item("warnings", v.warnings.codes().collect::<Vec<_>>())?;
    d.set_item(
        "list_update_due",
        v.warnings.list_update_due.map(UnixTime::as_secs),
    )?;
    Ok(d)
}

/// A refusal from a site directory: the core's refusal (with its typo, if any), or the
/// directory's own error (`io`, `not-a-site`, `site-exists`, `site-state-corrupted`, ...).
fn dir_refusal(e: glpi_key::SiteError) -> Refusal {
    match e {
        glpi_key::SiteError::Refused(err) => err.into(),
        glpi_key::SiteError::Trust(t) => t.into(),
        other => Refusal {
            code: other.code(),
            message: other.to_string(),
            typo: None,
        },
    }
}

/// A site kept in a directory by the core (`spec/SITE.md` section 6): every operation locks
/// the directory, reads the state, acts and writes it back atomically, so several processes
/// can share one site.
#[pyclass(module = "glpi_key._native", frozen)]
pub struct RawSiteDir {
    inner: glpi_key::Site,
}

fn key_id_in(state: &SiteState, key_id: &str) -> Result<glpi_key::KeyId, Refusal> {
    state
        .trust()
        .iter()
        .map(TrustedKey::key_id)
        .find(|id| id.to_string().eq_ignore_ascii_case(key_id))
        .ok_or_else(|| Refusal {
            code: "issuer-key-not-trusted",
            message: format!(
                "no trusted issuer key of this site has the key id {key_id}: check the key id (status() lists them)"
            ),
            typo: None,
        })
}

#[pymethods]
impl RawSiteDir {
    /// Creates a site in `dir` (which must not hold one).
    #[staticmethod]
    fn create(
        py: Python<'_>,
        dir: std::path::PathBuf,
        trust: &TrustStore,
        grace_secs: u64,
        clock_tolerance_secs: u64,
    ) -> PyResult<RawSiteDir> {
        let policy = SitePolicy {
            grace_secs,
            clock_tolerance_secs,
        };
        glpi_key::Site::create(&dir, &trust.inner, policy)
            .map(|inner| RawSiteDir { inner })
            .map_err(|e| raise(py, dir_refusal(e)))
    }

    /// Opens the site in `dir`.
    #[staticmethod]
    fn open(py: Python<'_>, dir: std::path::PathBuf) -> PyResult<RawSiteDir> {
        glpi_key::Site::open(&dir)
            .map(|inner| RawSiteDir { inner })
            .map_err(|e| raise(py, dir_refusal(e)))
    }

    /// Installs a revocation list (text form as UTF-8 bytes, or file form).
    fn install_revocations<'py>(
        &self,
        py: Python<'py>,
        list: &[u8],
        now: u64,
    ) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
        let installed = self
            .inner
            .install_revocations(list, UnixTime::from_secs(now))
            .map_err(|e| raise(py, dir_refusal(e)))?;
        let outcome = match installed {
            Installed::New(_) => "installed",
            Installed::Unchanged(_) => "unchanged",
        };
        Ok((outcome, installed_dict(py, installed.list())?))
    }

    /// Verifies a key with the whole policy of the site.
    #[pyo3(signature = (text, kind, now, instance, insecure_skip_instance, glpi_version))]
    #[allow(clippy::too_many_arguments)]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        kind: &str,
        now: u64,
        instance: Option<&str>,
        insecure_skip_instance: bool,
        glpi_version: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let checked = (|| -> Result<PyResult<Bound<'py, PyDict>>, Refusal> {
            let kind = kind_of(kind)?;
            let instance = instance_check(instance, insecure_skip_instance)?;
            let mut check = SiteCheck::new(UnixTime::from_secs(now), kind, instance);
            if let Some(v) = glpi_version {
                check = check.with_glpi_version(GlpiVersion::parse(v).ok_or_else(|| {
                    Refusal::argument(format!(
                        "the GLPI version must be MAJOR.MINOR, like 10.0, not {v:?}"
                    ))
                })?);
            }
            let state = self.inner.state().map_err(dir_refusal)?;
            // The text is read first: a key that does not read changes nothing.
            let key = UnverifiedKey::parse_with_trust(text, state.trust())?;
            let verdict = self.inner.verify(&key, &check).map_err(dir_refusal)?;
            Ok(verdict_dict(py, &verdict))
        })();
        match checked {
            Ok(d) => d,
            Err(r) => Err(raise(py, r)),
        }
    }

    /// Distrusts an issuer key from `from_` on; returns the date in force.
    fn distrust(&self, py: Python<'_>, key_id: &str, from_: u64) -> PyResult<u64> {
        let state = self.inner.state().map_err(|e| raise(py, dir_refusal(e)))?;
        let id = key_id_in(&state, key_id).map_err(|r| raise(py, r))?;
        self.inner
            .distrust(id, UnixTime::from_secs(from_))
            .map(UnixTime::as_secs)
            .map_err(|e| raise(py, dir_refusal(e)))
    }

    /// Trusts one more issuer key; returns its key id.
    #[pyo3(signature = (public_key, valid_from=None, valid_until=None))]
    fn add_trusted_key(
        &self,
        py: Python<'_>,
        public_key: &[u8],
        valid_from: Option<u64>,
        valid_until: Option<u64>,
    ) -> PyResult<String> {
        let key = trusted_key(public_key, valid_from, valid_until).map_err(|r| raise(py, r))?;
        self.inner
            .add_trusted_key(key)
            .map_err(|e| raise(py, dir_refusal(e)))?;
        Ok(key.key_id().to_string())
    }

    /// The state as stored in the directory.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let state = self.inner.state().map_err(|e| raise(py, dir_refusal(e)))?;
        status_dict(py, &state)
    }
}
