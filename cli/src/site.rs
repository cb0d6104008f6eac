//! `glpi-key site …`: an offline site kept in a directory (`spec/SITE.md`). The site owns the
//! trust store and remembers the installed revocation lists (per issuer key), the latest time
//! it has seen, and the keys that renewals superseded; every command locks the directory.

use std::fmt::Write as _;
use std::path::Path;

use glpi_key::{
    Installed, InstalledList, InstanceCheck, KeyId, Site, SiteCheck, SiteError, SitePolicy,
    SiteState, TrustedKey, UnixTime, UnverifiedKey,
};
use serde::Serialize;

use crate::commands::{explain, to_json};
use crate::failure::Failure;
use crate::keyfile::{self, hex};
use crate::show::{self, serial_hex, ClaimsJson};
use crate::{input, SiteInitArgs, SiteInstallArgs, SiteStatusArgs, SiteTrustArgs, SiteVerifyArgs};
use crate::{SiteDistrustArgs, SiteSubcommand};

pub fn run(
    out: &mut String,
    warnings: &mut Vec<String>,
    cmd: &SiteSubcommand,
) -> Result<(), Failure> {
    match cmd {
        SiteSubcommand::Init(a) => init(out, a),
        SiteSubcommand::InstallRevocations(a) => install(out, warnings, a),
        SiteSubcommand::Verify(a) => verify(out, warnings, a),
        SiteSubcommand::Status(a) => status(out, a),
        SiteSubcommand::Trust(a) => trust(out, a),
        SiteSubcommand::Distrust(a) => distrust(out, a),
    }
}

/// A site error for the person at the terminal: a refusal is "not valid" (exit 1), anything
/// else a usage or file error (exit 2).
fn failure(e: SiteError) -> Failure {
    match e {
        SiteError::Refused(r) => Failure::invalid(r),
        other => Failure::usage(other),
    }
}

fn open(dir: &Path) -> Result<Site, Failure> {
    Site::open(dir).map_err(failure)
}

#[derive(Serialize)]
struct ErrorJson {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct FailedJson {
    status: &'static str,
    error: ErrorJson,
}

/// Prints the JSON failure document (with `--json`) and returns the failure.
fn failed_json(out: &mut String, json: bool, code: &'static str, f: Failure) -> Failure {
    if json {
        let doc = FailedJson {
            status: "invalid",
            error: ErrorJson {
                code,
                message: f.message.clone(),
            },
        };
        if let Ok(j) = to_json(&doc) {
            let _ = writeln!(out, "{j}");
        }
    }
    f
}

fn init(out: &mut String, a: &SiteInitArgs) -> Result<(), Failure> {
    let (trust, _) = keyfile::load_trust(&a.trust)?;
    let policy = SitePolicy {
        grace_secs: a.grace,
        clock_tolerance_secs: a.clock_tolerance,
    };
    let site = Site::create(&a.dir, &trust, policy).map_err(failure)?;
    let state = site.state().map_err(failure)?;
    if a.json {
        let _ = writeln!(out, "{}", to_json(&StatusJson::new(&site, &state))?);
        return Ok(());
    }
    let _ = writeln!(
        out,
        "Created the site in {} trusting {} issuer key(s); grace {} s, clock tolerance {} s.",
        a.dir.display(),
        trust.len(),
        a.grace,
        a.clock_tolerance
    );
    let _ = writeln!(
        out,
        "Next: install the vendor's revocation list with `glpi-key site install-revocations {} FILE`.",
        a.dir.display()
    );
    Ok(())
}

#[derive(Serialize)]
struct ListJson {
    issuer_key_id: String,
    sequence: u64,
    issued_at: u64,
    next_update: Option<u64>,
    serials: u32,
    digest: String,
}

impl ListJson {
    fn new(l: &InstalledList) -> Self {
        ListJson {
            issuer_key_id: l.key_id.to_string(),
            sequence: l.sequence,
            issued_at: l.issued_at.as_secs(),
            next_update: l.next_update.map(UnixTime::as_secs),
            serials: l.serials,
            digest: hex(&l.digest),
        }
    }
}

#[derive(Serialize)]
struct InstallJson {
    /// `installed` or `unchanged`.
    status: &'static str,
    list: ListJson,
}

fn install(
    out: &mut String,
    warnings: &mut Vec<String>,
    a: &SiteInstallArgs,
) -> Result<(), Failure> {
    let site = open(&a.dir)?;
    let limit = glpi_key::max_revocation_list_len(glpi_key::MAX_LIST_SERIALS) as u64 + 8;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(&a.file).map_err(|e| {
                Failure::usage(format!(
                    "cannot read revocation list {}: {e}",
                    a.file.display()
                ))
            })?,
            limit,
        ),
        &mut bytes,
    )
    .map_err(|e| {
        Failure::usage(format!(
            "cannot read revocation list {}: {e}",
            a.file.display()
        ))
    })?;
    let now = a.now.unwrap_or_else(UnixTime::now);
    let installed = match site.install_revocations(&bytes, now) {
        Ok(i) => i,
        Err(e) => {
            let code = e.code();
            let f = failure(e);
            let f = if code == "revocation-list-rollback" {
                f.hint("the installed list stays in force; `glpi-key site status` shows it")
            } else {
                f
            };
            return Err(failed_json(out, a.json, code, f));
        }
    };
    let (word, l) = match &installed {
        Installed::New(l) => ("installed", l),
        Installed::Unchanged(l) => ("unchanged", l),
    };
    if l.next_update.is_some_and(|n| now >= n) {
        warnings.push(format!(
            "revocation list {} announced its next update for {}: get the current list from the vendor",
            l.sequence,
            l.next_update.map(|n| n.to_string()).unwrap_or_default()
        ));
    }
    if a.json {
        let doc = InstallJson {
            status: word,
            list: ListJson::new(l),
        };
        let _ = writeln!(out, "{}", to_json(&doc)?);
        return Ok(());
    }
    let what = match installed {
        Installed::New(_) => "Installed",
        Installed::Unchanged(_) => "Already installed (nothing changed):",
    };
    let _ = writeln!(
        out,
        "{what} revocation list {} from issuer key {} ({} serials, issued {}).",
        l.sequence, l.key_id, l.serials, l.issued_at
    );
    Ok(())
}

#[derive(Serialize)]
struct VerifyJson {
    status: &'static str,
    /// The site's time the key was checked at (its clock mark), Unix seconds.
    checked_at: u64,
    issuer_key_id: String,
    /// `active` or `in-grace`.
    key_status: &'static str,
    grace_until: Option<u64>,
    /// `in-grace`, `instance-not-checked`, `list-update-due`, `no-revocation-list`.
    warnings: Vec<&'static str>,
    claims: ClaimsJson,
}

fn verify(out: &mut String, warnings: &mut Vec<String>, a: &SiteVerifyArgs) -> Result<(), Failure> {
    let site = open(&a.dir)?;
    let state = site.state().map_err(failure)?;
    let text = input::key_text(a.key.as_deref())?;
    let key = UnverifiedKey::parse_with_trust(&text, state.trust())
        .map_err(|e| failed_json(out, a.json, e.code(), explain(e, &text, &[])))?;
    let instance = match (a.instance, a.insecure_no_instance) {
        (Some(id), _) => InstanceCheck::This(id),
        (None, true) => InstanceCheck::InsecureSkipBinding,
        (None, false) => InstanceCheck::Unknown,
    };
    let mut check = SiteCheck::new(
        a.now.unwrap_or_else(UnixTime::now),
        a.kind.key_kind(),
        instance,
    );
    if let Some(v) = a.glpi {
        check = check.with_glpi_version(v);
    }
    let verdict = match site.verify(&key, &check) {
        Ok(v) => v,
        Err(e) => {
            let code = e.code();
            let f = match e {
                SiteError::Refused(r) => {
                    let f = explain(r, &text, &[]);
                    if code == "instance-required" {
                        f.hint("pass --instance UUID (this GLPI instance's UUID)")
                    } else {
                        f
                    }
                }
                other => failure(other),
            };
            return Err(failed_json(out, a.json, code, f));
        }
    };
    let license = verdict.license;
    let w = verdict.warnings;
    if let Some(until) = w.in_grace_until {
        warnings.push(format!("the key {}", license.status()));
        let _ = until;
    }
    if let Some(next) = w.list_update_due {
        warnings.push(format!(
            "an installed revocation list announced its next update for {next}: install the current list from the vendor"
        ));
    }
    if w.no_revocation_list {
        warnings.push(
            "no revocation list is installed on this site: install the vendor's current list"
                .to_owned(),
        );
    }
    if w.instance_not_checked {
        warnings.push("the key is bound to an instance and the binding was NOT checked (--insecure-no-instance)".to_owned());
    }
    if a.json {
        let doc = VerifyJson {
            status: "valid",
            checked_at: verdict.checked_at.as_secs(),
            issuer_key_id: license.issuer_key_id().to_string(),
            key_status: if w.in_grace_until.is_some() {
                "in-grace"
            } else {
                "active"
            },
            grace_until: w.in_grace_until.map(UnixTime::as_secs),
            warnings: w.codes().collect(),
            claims: ClaimsJson::new(license.claims()),
        };
        let _ = writeln!(out, "{}", to_json(&doc)?);
        return Ok(());
    }
    let claims = license.claims();
    let _ = writeln!(
        out,
        "{}: {} key for {} ({} tier), signed by trusted issuer key {}",
        if w.in_grace_until.is_some() {
            "VALID (IN GRACE PERIOD)"
        } else {
            "VALID"
        },
        claims.kind,
        show::printable(claims.owner),
        claims.tier,
        license.issuer_key_id()
    );
    show::claims_table(
        out,
        claims,
        license.issuer_key_id(),
        Some(verdict.checked_at),
        matches!(instance, InstanceCheck::This(_)),
    );
    if let Some(until) = w.in_grace_until {
        let _ = writeln!(
            out,
            "  {:<14} usable until {until}, then refused",
            "Grace period:"
        );
    }
    let _ = writeln!(out, "  {:<14} {}", "Checked at:", verdict.checked_at);
    let _ = writeln!(
        out,
        "  {:<14} {} (lists, clock mark and renewals kept there)",
        "Site:",
        a.dir.display()
    );
    Ok(())
}

#[derive(Serialize)]
struct TrustJson {
    key_id: String,
    public_key: String,
    valid_from: Option<u64>,
    valid_until: Option<u64>,
    distrusted_from: Option<u64>,
    installed_list: Option<ListJson>,
}

#[derive(Serialize)]
struct SupersededJson {
    serial: String,
    short_id: String,
    by_serial: String,
    by_short_id: String,
}

#[derive(Serialize)]
struct StatusJson {
    dir: String,
    grace_secs: u64,
    clock_tolerance_secs: u64,
    clock_mark: Option<u64>,
    trust: Vec<TrustJson>,
    superseded: Vec<SupersededJson>,
}

impl StatusJson {
    fn new(site: &Site, state: &SiteState) -> Self {
        StatusJson {
            dir: site.dir().display().to_string(),
            grace_secs: state.policy().grace_secs,
            clock_tolerance_secs: state.policy().clock_tolerance_secs,
            clock_mark: state.clock_mark().map(UnixTime::as_secs),
            trust: state
                .trust()
                .iter()
                .map(|k| TrustJson {
                    key_id: k.key_id().to_string(),
                    public_key: hex(&k.public_key_bytes()),
                    valid_from: k.valid_from().map(UnixTime::as_secs),
                    valid_until: k.valid_until().map(UnixTime::as_secs),
                    distrusted_from: k.distrusted_from().map(UnixTime::as_secs),
                    installed_list: state.installed_list(k.key_id()).as_ref().map(ListJson::new),
                })
                .collect(),
            superseded: state
                .superseded()
                .map(|(s, by)| SupersededJson {
                    serial: serial_hex(s),
                    short_id: s.short_id().to_string(),
                    by_serial: serial_hex(by),
                    by_short_id: by.short_id().to_string(),
                })
                .collect(),
        }
    }
}

fn status(out: &mut String, a: &SiteStatusArgs) -> Result<(), Failure> {
    let site = open(&a.dir)?;
    let state = site.state().map_err(failure)?;
    if a.json {
        let _ = writeln!(out, "{}", to_json(&StatusJson::new(&site, &state))?);
        return Ok(());
    }
    let opt = |t: Option<UnixTime>, none: &str| t.map_or(none.to_owned(), |t| t.to_string());
    let _ = writeln!(out, "Site {}", a.dir.display());
    let p = state.policy();
    let _ = writeln!(out, "  Grace period:     {} s", p.grace_secs);
    let _ = writeln!(out, "  Clock tolerance:  {} s", p.clock_tolerance_secs);
    let _ = writeln!(
        out,
        "  Clock mark:       {}",
        opt(state.clock_mark(), "none yet (no operation so far)")
    );
    let _ = writeln!(out, "Trusted issuer keys:");
    for k in state.trust().iter() {
        let _ = writeln!(
            out,
            "  {}  signs from {} until {}{}",
            k.key_id(),
            opt(k.valid_from(), "any time"),
            opt(k.valid_until(), "no end"),
            k.distrusted_from()
                .map_or(String::new(), |d| format!("; DISTRUSTED from {d}"))
        );
        match state.installed_list(k.key_id()) {
            None => {
                let _ = writeln!(out, "      revocation list: none installed");
            }
            Some(l) => {
                let _ = writeln!(
                    out,
                    "      revocation list {} ({} serials, issued {}, next update {})",
                    l.sequence,
                    l.serials,
                    l.issued_at,
                    opt(l.next_update, "not announced")
                );
            }
        }
    }
    let n = state.superseded().count();
    let _ = writeln!(out, "Superseded keys (renewed; refused on this site): {n}");
    for (s, by) in state.superseded() {
        let _ = writeln!(out, "  {} renewed by {}", s.short_id(), by.short_id());
    }
    Ok(())
}

fn trust(out: &mut String, a: &SiteTrustArgs) -> Result<(), Failure> {
    let site = open(&a.dir)?;
    let (store, _) = keyfile::load_trust(std::slice::from_ref(&a.public_key))?;
    for key in store.iter() {
        let key: TrustedKey = key
            .with_validity(a.valid_from, a.valid_until)
            .map_err(|e| Failure::usage(format!("trust key {}: {e}", a.public_key)))?;
        site.add_trusted_key(key).map_err(failure)?;
        let _ = writeln!(out, "Now trusting issuer key {}.", key.key_id());
    }
    Ok(())
}

fn parse_key_id(s: &str) -> Result<KeyId, Failure> {
    let s = s.trim();
    let bad = || {
        Failure::usage(format!(
            "{s:?} is not a key id: give its 8 hex digits, as `site status` shows"
        ))
    };
    if s.len() != 8 || !s.is_ascii() {
        return Err(bad());
    }
    let mut id = [0u8; 4];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(KeyId(id))
}

fn distrust(out: &mut String, a: &SiteDistrustArgs) -> Result<(), Failure> {
    let site = open(&a.dir)?;
    let id = parse_key_id(&a.key_id)?;
    let from = a.from.unwrap_or_else(UnixTime::now);
    let since = site.distrust(id, from).map_err(failure)?;
    let _ = writeln!(
        out,
        "Issuer key {id} is distrusted from {since} (site time): nothing it signed is accepted from then on, and its revocation lists no longer count."
    );
    Ok(())
}
