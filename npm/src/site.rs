//! The site verifier of `spec/SITE.md` for JavaScript: the core's [`SiteState`] with its state
//! as bytes (the core's record, section 7) and the installed lists' files, both of which the
//! caller stores. Every rule (clock guard, per-issuer-key sequences, distrust, revocation,
//! supersession, instance binding) is the core's; this file keeps the installed lists' bodies
//! next to the state and converts arguments and results.

use glpi_key::{
    GlpiVersion, Installed, InstalledList, InstanceCheck, InstanceId, SiteCheck, SitePolicy,
    SiteState, TrustedKey, UnixTime, UnverifiedKey, UnverifiedRevocationList, LIST_FILE_MAGIC,
    MAX_TEXT_LIST_LEN,
};
use wasm_bindgen::prelude::*;

use crate::{fail, kind_of, license_json, Failure, Json, RawTrustStore, Result};

/// A site: its state, and the bodies of the lists installed in it.
#[wasm_bindgen]
pub struct RawSite {
    state: SiteState,
    /// The bodies of the installed lists (one per issuer key at most).
    lists: Vec<Vec<u8>>,
    /// The record as last exported or loaded: `changed` compares with it.
    saved: Vec<u8>,
}

fn instance_check(
    instance: Option<String>,
    insecure_skip: bool,
) -> core::result::Result<InstanceCheck, Failure> {
    match (instance, insecure_skip) {
        (Some(_), true) => Err(Failure::argument(
            "give either instance or insecureSkipInstance, not both",
        )),
        (Some(s), false) => InstanceId::parse(&s)
            .map(InstanceCheck::This)
            .ok_or_else(|| {
                Failure::argument(format!(
                "the instance must be a UUID like 5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b, not {s:?}"
            ))
            }),
        (None, true) => Ok(InstanceCheck::InsecureSkipBinding),
        (None, false) => Ok(InstanceCheck::Unknown),
    }
}

fn state_failure(e: glpi_key::StateError) -> Failure {
    Failure {
        code: e.code(),
        message: e.to_string(),
        typo: None,
    }
}

/// A list body from its file form (`GLPI-RL\n` then the body) or its bare body.
fn list_body(bytes: &[u8]) -> core::result::Result<Vec<u8>, Failure> {
    let list = if bytes.starts_with(&LIST_FILE_MAGIC) {
        UnverifiedRevocationList::from_file_bytes(bytes)
    } else {
        UnverifiedRevocationList::from_body(bytes)
    }?;
    Ok(list.as_bytes().to_vec())
}

fn installed_json(j: &mut Json, l: &InstalledList) {
    j.open();
    j.str_field("issuerKeyId", &l.key_id.to_string());
    j.str_field("sequence", &l.sequence.to_string());
    j.num_field("issuedAt", l.issued_at.as_secs());
    j.key("nextUpdate");
    j.opt_num(l.next_update.map(UnixTime::as_secs));
    j.num_field("serials", u64::from(l.serials));
    j.close();
}

#[wasm_bindgen]
impl RawSite {
    /// A new site trusting the keys of `trust`.
    pub fn create(trust: &RawTrustStore, grace_secs: u64, clock_tolerance_secs: u64) -> RawSite {
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

    /// A site from its record; give the installed lists with `loadList`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(record: &[u8]) -> Result<RawSite> {
        match SiteState::from_bytes(record) {
            Ok(state) => Ok(RawSite {
                state,
                lists: Vec::new(),
                saved: record.to_vec(),
            }),
            Err(e) => fail(state_failure(e)),
        }
    }

    /// Gives back one installed list (file form or body), as stored by the caller.
    #[wasm_bindgen(js_name = loadList)]
    pub fn load_list(&mut self, bytes: &[u8]) -> Result<()> {
        match list_body(bytes) {
            Ok(body) => {
                if !self.lists.contains(&body) {
                    self.lists.push(body);
                }
                Ok(())
            }
            Err(f) => fail(f),
        }
    }

    /// The record (`spec/SITE.md` section 7); from now on `changed` compares with it.
    pub fn save(&mut self) -> Vec<u8> {
        self.saved = self.state.to_bytes();
        self.saved.clone()
    }

    /// Whether the state differs from the record last exported or loaded.
    pub fn changed(&self) -> bool {
        self.state.to_bytes() != self.saved
    }

    /// How many installed lists the caller must store with the record.
    #[wasm_bindgen(js_name = listCount)]
    pub fn list_count(&self) -> usize {
        self.lists.len()
    }

    /// The `i`-th installed list in file form.
    #[wasm_bindgen(js_name = listFile)]
    pub fn list_file(&self, i: usize) -> Result<Vec<u8>> {
        let Some(body) = self.lists.get(i) else {
            return fail(Failure::argument(format!("no installed list number {i}")));
        };
        match UnverifiedRevocationList::from_body(body) {
            Ok(l) => Ok(l.to_file_bytes()),
            Err(e) => fail(e),
        }
    }

    /// Installs a revocation list (text form or file bytes, exactly one given) at `now`.
    /// Returns JSON `{outcome: "installed"|"unchanged", list: {...}}`.
    #[wasm_bindgen(js_name = installRevocations)]
    pub fn install_revocations(
        &mut self,
        text: Option<String>,
        file: Option<Vec<u8>>,
        now: u64,
    ) -> Result<String> {
        let mut buf = vec![0u8; MAX_TEXT_LIST_LEN];
        let parsed = match (&text, &file) {
            (Some(t), None) => UnverifiedRevocationList::parse_text(t, &mut buf),
            (None, Some(f)) => UnverifiedRevocationList::from_file_bytes(f),
            _ => {
                return fail(Failure::argument(
                    "give a revocation list as text or as file bytes",
                ))
            }
        };
        // The clock guard comes first (spec/SITE.md section 5), even for unreadable input.
        if let Err(e) = self.state.observe_clock(UnixTime::from_secs(now)) {
            return fail(e);
        }
        let list = match parsed {
            Ok(l) => l,
            Err(e) => return fail(e),
        };
        let installed = match self
            .state
            .install_revocations(&list, UnixTime::from_secs(now))
        {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        let mut j = Json::default();
        j.open();
        match installed {
            Installed::New(l) => {
                // The new list replaces its issuer key's older one.
                self.lists.retain(|b| {
                    UnverifiedRevocationList::from_body(b)
                        .map(|o| o.unverified_key_id() != l.key_id)
                        .unwrap_or(false)
                });
                self.lists.push(list.as_bytes().to_vec());
                j.str_field("outcome", "installed");
            }
            Installed::Unchanged(_) => j.str_field("outcome", "unchanged"),
        }
        j.key("list");
        installed_json(&mut j, installed.list());
        j.close();
        Ok(j.0)
    }

    /// Verifies a key with the whole policy of the site. `instance`: this instance's UUID;
    /// absent, a bound key is refused (`instance-required`) unless `insecure_skip_instance`.
    /// Returns JSON `{license, checkedAt, warnings}`.
    pub fn verify(
        &mut self,
        text: &str,
        kind: &str,
        now: u64,
        instance: Option<String>,
        insecure_skip_instance: bool,
        glpi_version: Option<String>,
    ) -> Result<String> {
        let checked = (|| -> core::result::Result<String, Failure> {
            let kind = kind_of(kind)?;
            let instance = instance_check(instance, insecure_skip_instance)?;
            let now = UnixTime::from_secs(now);
            let mut check = SiteCheck::new(now, kind, instance);
            if let Some(v) = glpi_version {
                check = check.with_glpi_version(GlpiVersion::parse(&v).ok_or_else(|| {
                    Failure::argument(format!(
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
                .collect::<core::result::Result<Vec<_>, _>>()?;
            let verdict = self.state.verify(&key, &check, &lists)?;
            let mut j = Json::default();
            j.open();
            j.key("license");
            j.0.push_str(&license_json(&verdict.license));
            j.num_field("checkedAt", verdict.checked_at.as_secs());
            j.key("warnings");
            j.0.push('[');
            for (i, w) in verdict.warnings.codes().enumerate() {
                if i > 0 {
                    j.0.push(',');
                }
                j.string(w);
            }
            j.0.push(']');
            j.key("listUpdateDue");
            j.opt_num(verdict.warnings.list_update_due.map(UnixTime::as_secs));
            j.close();
            Ok(j.0)
        })();
        checked.or_else(fail)
    }

    /// Moves the clock mark to `now` (refused when the clock was set back); returns the mark.
    #[wasm_bindgen(js_name = observeClock)]
    pub fn observe_clock(&mut self, now: u64) -> Result<u64> {
        match self.state.observe_clock(UnixTime::from_secs(now)) {
            Ok(m) => Ok(m.as_secs()),
            Err(e) => fail(e),
        }
    }

    /// Distrusts the issuer key `key_id` (8 hex digits) from `from` on; returns the date in
    /// force (it only moves earlier).
    pub fn distrust(&mut self, key_id: &str, from: u64) -> Result<u64> {
        let Some(id) = self
            .state
            .trust()
            .iter()
            .map(TrustedKey::key_id)
            .find(|id| id.to_string().eq_ignore_ascii_case(key_id))
        else {
            return fail(Failure {
                code: "issuer-key-not-trusted",
                message: format!(
                    "no trusted issuer key of this site has the key id {key_id}: check the key id (status() lists them)"
                ),
                typo: None,
            });
        };
        match self.state.distrust(id, UnixTime::from_secs(from)) {
            Ok(t) => Ok(t.as_secs()),
            Err(e) => fail(e),
        }
    }

    /// Trusts one more issuer key (a rotation). Returns its key id.
    #[wasm_bindgen(js_name = addTrustedKey)]
    pub fn add_trusted_key(
        &mut self,
        public_key: &[u8],
        valid_from: Option<u64>,
        valid_until: Option<u64>,
    ) -> Result<String> {
        let key = match crate::trusted_key(public_key, valid_from, valid_until) {
            Ok(k) => k,
            Err(f) => return fail(f),
        };
        match self.state.add_trusted_key(key) {
            Ok(()) => Ok(key.key_id().to_string()),
            Err(e) => fail(e),
        }
    }

    /// The state as JSON: policy, clock mark, trusted keys with their lists, superseded
    /// serials.
    pub fn status(&self) -> String {
        let s = &self.state;
        let mut j = Json::default();
        j.open();
        j.num_field("graceSeconds", s.policy().grace_secs);
        j.num_field("clockToleranceSeconds", s.policy().clock_tolerance_secs);
        j.key("clockMark");
        j.opt_num(s.clock_mark().map(UnixTime::as_secs));
        j.key("trust");
        j.0.push('[');
        for (i, k) in s.trust().iter().enumerate() {
            if i > 0 {
                j.0.push(',');
            }
            j.open();
            j.str_field("keyId", &k.key_id().to_string());
            j.str_field("publicKey", &crate::hex(&k.public_key_bytes()));
            j.key("validFrom");
            j.opt_num(k.valid_from().map(UnixTime::as_secs));
            j.key("validUntil");
            j.opt_num(k.valid_until().map(UnixTime::as_secs));
            j.key("distrustedFrom");
            j.opt_num(k.distrusted_from().map(UnixTime::as_secs));
            j.key("list");
            match s.installed_list(k.key_id()) {
                Some(l) => installed_json(&mut j, &l),
                None => j.null(),
            }
            j.close();
        }
        j.0.push(']');
        j.key("superseded");
        j.0.push('[');
        for (i, (old, by)) in s.superseded().enumerate() {
            if i > 0 {
                j.0.push(',');
            }
            j.open();
            j.str_field("serial", &format!("{:016x}", old.value()));
            j.str_field("by", &format!("{:016x}", by.value()));
            j.close();
        }
        j.0.push(']');
        j.close();
        j.0
    }
}
