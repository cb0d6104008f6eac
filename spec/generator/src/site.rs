//! `site-scenarios.json`: operation sequences on an offline site with the expected outcome of
//! each step (`spec/SITE.md` section 8). Every step is run through the crate's `SiteState`
//! here, and the generator stops if an outcome differs from the one written down.

use glpi_key::{
    Claims, GlpiVersion, Installed, InstanceCheck, InstanceId, Issuer, KeyKind, NewRevocationList,
    Serial, SiteCheck, SitePolicy, SiteState, TextStyle, Tier, TrustStore, UnixTime, UnverifiedKey,
    UnverifiedRevocationList, VersionRange, MAX_TEXT_LIST_LEN,
};
use serde_json::{json, Map, Value};

use crate::{hex, seed};

const PHRASE_A: &str = "glpi-key site scenarios: issuer A (retired, stolen), TEST ONLY";
const PHRASE_B: &str = "glpi-key site scenarios: issuer B (current), TEST ONLY";
const UUID: &str = "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b";
const OTHER_UUID: &str = "00000000-0000-4000-8000-000000000001";

fn d(y: u32, m: u32, day: u32) -> u64 {
    UnixTime::from_date(y, m, day).map_or(0, UnixTime::as_secs)
}

const DAY: u64 = 86_400;

/// One step, as written to the file.
enum Step {
    Install {
        list: &'static str,
        now: u64,
        expect: &'static str,
    },
    Verify {
        key: &'static str,
        now: u64,
        kind: KeyKind,
        instance: Option<&'static str>,
        insecure_skip_instance: bool,
        glpi: Option<&'static str>,
        expect: &'static str,
        warnings: &'static [&'static str],
        tier: Option<Tier>,
    },
    Distrust {
        issuer: &'static str,
        from: u64,
    },
    Reopen,
    Status {
        mark: Option<u64>,
        sequences: &'static [(&'static str, u64)],
        superseded: &'static [u64],
    },
}

fn verify(key: &'static str, now: u64, expect: &'static str) -> Step {
    Step::Verify {
        key,
        now,
        kind: KeyKind::InstanceRegistration,
        instance: None,
        insecure_skip_instance: false,
        glpi: None,
        expect,
        warnings: &[],
        tier: None,
    }
}

fn valid(key: &'static str, now: u64, tier: Tier, warnings: &'static [&'static str]) -> Step {
    Step::Verify {
        key,
        now,
        kind: KeyKind::InstanceRegistration,
        instance: None,
        insecure_skip_instance: false,
        glpi: None,
        expect: "valid",
        warnings,
        tier: Some(tier),
    }
}

struct TrustEntry {
    issuer: &'static str,
    valid_from: Option<u64>,
    valid_until: Option<u64>,
    distrusted_from: Option<u64>,
}

struct Scenario {
    name: &'static str,
    description: &'static str,
    grace_secs: u64,
    clock_tolerance_secs: u64,
    trust: Vec<TrustEntry>,
    steps: Vec<Step>,
}

const NO_NAME: &str = "no-revocation-list";

fn open(issuer: &'static str) -> TrustEntry {
    TrustEntry {
        issuer,
        valid_from: None,
        valid_until: None,
        distrusted_from: None,
    }
}

/// A retired until 2026-12-31; B in service from 2026-06-01.
fn rotation() -> Vec<TrustEntry> {
    vec![
        TrustEntry {
            valid_until: Some(d(2026, 12, 31)),
            ..open("A")
        },
        TrustEntry {
            valid_from: Some(d(2026, 6, 1)),
            ..open("B")
        },
    ]
}

fn scenarios() -> Vec<Scenario> {
    let now = d(2027, 7, 1);
    vec![
        Scenario {
            name: "list-rollback",
            description: "An older list, or another list with the same number, is refused and the installed one stays; the same list again changes nothing; the rule survives a reopen.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: vec![open("B")],
            steps: vec![
                Step::Install { list: "b5", now, expect: "installed" },
                Step::Install { list: "b5", now, expect: "unchanged" },
                Step::Install { list: "b5-other", now, expect: "revocation-list-rollback" },
                Step::Install { list: "b4", now, expect: "revocation-list-rollback" },
                Step::Reopen,
                Step::Install { list: "b4", now, expect: "revocation-list-rollback" },
                Step::Status { mark: Some(now), sequences: &[("B", 5)], superseded: &[] },
                verify("revoked-by-b5", now, "revoked"),
                Step::Install { list: "b6", now, expect: "installed" },
                Step::Status { mark: Some(now), sequences: &[("B", 6)], superseded: &[] },
            ],
        },
        Scenario {
            name: "sequences-per-issuer-key",
            description: "Sequences count per issuer key: after rotation, the new key's list 1 is not a rollback of the old key's list 57, and both lists apply.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: rotation(),
            steps: vec![
                Step::Install { list: "a57", now, expect: "installed" },
                Step::Install { list: "b1", now, expect: "installed" },
                Step::Status { mark: Some(now), sequences: &[("A", 57), ("B", 1)], superseded: &[] },
                verify("revoked-by-b5", now, "revoked"),
                verify("good", now, "revoked"),
            ],
        },
        Scenario {
            name: "stolen-key-maximal-sequence",
            description: "A stolen retired key signs a back-dated list numbered 2^64-1 revoking a genuine key. The current key's lists still install; once the stolen key is distrusted its list stops counting and its lists are refused.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: rotation(),
            steps: vec![
                Step::Install { list: "a-max", now, expect: "installed" },
                Step::Install { list: "b5", now, expect: "installed" },
                verify("good", now, "revoked"),
                Step::Distrust { issuer: "A", from: now },
                valid("good", now, Tier::Standard, &[]),
                verify("revoked-by-b5", now, "revoked"),
                Step::Install { list: "a-max", now, expect: "issuer-key-distrusted" },
                Step::Install { list: "b6", now, expect: "installed" },
                Step::Reopen,
                valid("good", now + DAY, Tier::Standard, &[]),
            ],
        },
        Scenario {
            name: "stolen-key-back-dated-key",
            description: "A stolen retired key signs a perpetual Advanced key dated one minute before its window ended: accepted in 2035 until the site distrusts the key; then refused, and setting the clock back does not help.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: rotation(),
            steps: vec![
                valid("forged-advanced", d(2035, 1, 1), Tier::Advanced, &[NO_NAME]),
                Step::Distrust { issuer: "A", from: d(2027, 3, 1) },
                verify("forged-advanced", d(2035, 1, 1), "issuer-key-distrusted"),
                verify("forged-advanced", d(2027, 1, 1), "clock-rollback"),
                Step::Reopen,
                verify("forged-advanced", d(2035, 1, 2), "issuer-key-distrusted"),
                valid("good", d(2035, 1, 2), Tier::Standard, &[NO_NAME]),
            ],
        },
        Scenario {
            name: "clock-rollback",
            description: "The clock may go back by the tolerance (600 s), not one second more; the mark survives a reopen and never moves back.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: vec![open("B")],
            steps: vec![
                valid("good", now, Tier::Standard, &[NO_NAME]),
                valid("good", now - 600, Tier::Standard, &[NO_NAME]),
                verify("good", now - 601, "clock-rollback"),
                Step::Reopen,
                verify("good", now - 601, "clock-rollback"),
                Step::Status { mark: Some(now), sequences: &[], superseded: &[] },
                verify("expires-2028", d(2028, 1, 2), "expired"),
                verify("expires-2028", d(2027, 12, 31), "clock-rollback"),
                Step::Status { mark: Some(d(2028, 1, 2)), sequences: &[], superseded: &[] },
            ],
        },
        Scenario {
            name: "grace-and-list-update-due",
            description: "A key past its expiry within the grace period is valid with a warning; a list whose announced next update has passed gives a warning; a revoked key that also expired is reported as revoked.",
            grace_secs: 30 * DAY,
            clock_tolerance_secs: 600,
            trust: vec![open("B")],
            steps: vec![
                Step::Install { list: "b7-next", now: d(2027, 12, 1), expect: "installed" },
                valid("expires-2028", d(2027, 12, 15), Tier::Standard, &[]),
                valid("expires-2028", d(2028, 1, 10), Tier::Standard, &["in-grace", "list-update-due"]),
                verify("revoked-expired", d(2028, 1, 10), "revoked"),
                verify("expires-2028", d(2028, 1, 31), "expired"),
            ],
        },
        Scenario {
            name: "renewal-remembered",
            description: "Once the site accepted a Free key renewing a perpetual Advanced key, the Advanced key stays superseded, also after the Free key expired and after a reopen.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: vec![open("B")],
            steps: vec![
                valid("advanced-perpetual", d(2027, 2, 1), Tier::Advanced, &[NO_NAME]),
                valid("free-renewal", d(2027, 6, 1), Tier::Free, &[NO_NAME]),
                Step::Status { mark: Some(d(2027, 6, 1)), sequences: &[], superseded: &[0x100] },
                Step::Reopen,
                verify("advanced-perpetual", d(2027, 6, 2), "superseded"),
                verify("free-renewal", d(2029, 1, 1), "expired"),
                verify("advanced-perpetual", d(2029, 1, 1), "superseded"),
            ],
        },
        Scenario {
            name: "kind-instance-version",
            description: "The kind is required; a bound key needs the instance id (or the insecure opt-out, with a warning); the GLPI version is checked.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: vec![open("B")],
            steps: vec![
                verify("agent", now, "wrong-object-kind"),
                Step::Verify { key: "agent", now, kind: KeyKind::AgentEnrollment, instance: None, insecure_skip_instance: false, glpi: None, expect: "valid", warnings: &[NO_NAME], tier: Some(Tier::Basic) },
                verify("bound", now, "instance-required"),
                Step::Verify { key: "bound", now, kind: KeyKind::InstanceRegistration, instance: Some(OTHER_UUID), insecure_skip_instance: false, glpi: None, expect: "wrong-instance", warnings: &[], tier: None },
                Step::Verify { key: "bound", now, kind: KeyKind::InstanceRegistration, instance: None, insecure_skip_instance: true, glpi: None, expect: "valid", warnings: &["instance-not-checked", NO_NAME], tier: Some(Tier::Standard) },
                Step::Verify { key: "bound", now, kind: KeyKind::InstanceRegistration, instance: Some(UUID), insecure_skip_instance: false, glpi: Some("11.0"), expect: "unsupported-glpi-version", warnings: &[], tier: None },
                Step::Verify { key: "bound", now, kind: KeyKind::InstanceRegistration, instance: Some(UUID), insecure_skip_instance: false, glpi: Some("10.5"), expect: "valid", warnings: &[NO_NAME], tier: Some(Tier::Standard) },
            ],
        },
        Scenario {
            name: "signing-window",
            description: "A key issued before its issuer key's signing window opened is refused; the window is judged on the key's issue time, distrust on the site's clock.",
            grace_secs: 0,
            clock_tolerance_secs: 600,
            trust: rotation(),
            steps: vec![
                verify("b-before-window", now, "issuer-key-not-valid"),
                valid("good", now, Tier::Standard, &[NO_NAME]),
            ],
        },
    ]
}

struct Fixtures {
    a: Issuer,
    b: Issuer,
    keys: Vec<(&'static str, String)>,
    lists: Vec<(&'static str, String)>,
}

fn claims(serial: u64, tier: Tier, issued: u64, expires: Option<u64>) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap_or(Serial::MAX),
        KeyKind::InstanceRegistration,
        tier,
        "ACME Corp",
        UnixTime::from_secs(issued),
    );
    c.expires_at = expires.map(UnixTime::from_secs);
    c
}

fn fixtures() -> Result<Fixtures, String> {
    let a = Issuer::from_secret_key_bytes(&seed(PHRASE_A));
    let b = Issuer::from_secret_key_bytes(&seed(PHRASE_B));
    let key = |issuer: &Issuer, c: &Claims<'_>| -> Result<String, String> {
        issuer
            .issue(c)
            .map(|k| k.text(TextStyle::Compact).to_string())
            .map_err(|e| e.to_string())
    };
    let issued = d(2027, 1, 1);
    let mut bound = claims(0x300, Tier::Standard, issued, None);
    bound.instance = InstanceId::parse(UUID);
    bound.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(10, 0),
        max: GlpiVersion::new(10, 9),
    });
    let mut agent = claims(0x301, Tier::Basic, issued, None);
    agent.kind = KeyKind::AgentEnrollment;
    let mut renewal = claims(0x101, Tier::Free, d(2027, 5, 1), Some(d(2028, 1, 1)));
    renewal.supersedes = Serial::new(0x100);
    let keys = vec![
        (
            "good",
            key(&b, &claims(0x42, Tier::Standard, issued, None))?,
        ),
        (
            "revoked-by-b5",
            key(&b, &claims(0x51, Tier::Standard, issued, None))?,
        ),
        (
            "expires-2028",
            key(
                &b,
                &claims(0x61, Tier::Standard, issued, Some(d(2028, 1, 1))),
            )?,
        ),
        (
            "revoked-expired",
            key(
                &b,
                &claims(0x62, Tier::Standard, issued, Some(d(2028, 1, 1))),
            )?,
        ),
        (
            "advanced-perpetual",
            key(&b, &claims(0x100, Tier::Advanced, d(2026, 7, 1), None))?,
        ),
        ("free-renewal", key(&b, &renewal)?),
        ("bound", key(&b, &bound)?),
        ("agent", key(&b, &agent)?),
        (
            "b-before-window",
            key(&b, &claims(0x70, Tier::Standard, d(2026, 5, 1), None))?,
        ),
        (
            "forged-advanced",
            key(
                &a,
                &claims(0xBAD, Tier::Advanced, d(2026, 12, 31) - 60, None),
            )?,
        ),
    ];
    let list = |issuer: &Issuer,
                sequence: u64,
                issued: u64,
                next: Option<u64>,
                serials: &[u64]|
     -> Result<String, String> {
        let serials: Vec<Serial> = serials.iter().filter_map(|s| Serial::new(*s)).collect();
        let new = NewRevocationList {
            sequence,
            issued_at: UnixTime::from_secs(issued),
            next_update: next.map(UnixTime::from_secs),
            serials: &serials,
        };
        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
        let l = issuer
            .issue_revocation_list(&new, &mut buf)
            .map_err(|e| e.to_string())?;
        l.text(TextStyle::Compact)
            .map(|t| t.to_string())
            .ok_or_else(|| "list too long for text".to_owned())
    };
    let lists = vec![
        ("b4", list(&b, 4, d(2027, 5, 1), None, &[0x51])?),
        ("b5", list(&b, 5, d(2027, 6, 1), None, &[0x51])?),
        ("b5-other", list(&b, 5, d(2027, 6, 1), None, &[])?),
        ("b6", list(&b, 6, d(2027, 6, 15), None, &[0x51])?),
        ("b1", list(&b, 1, d(2027, 6, 1), None, &[0x51])?),
        (
            "b7-next",
            list(&b, 7, d(2027, 11, 1), Some(d(2028, 1, 1)), &[0x51, 0x62])?,
        ),
        ("a57", list(&a, 57, d(2026, 11, 1), None, &[0x42])?),
        ("a-max", list(&a, u64::MAX, d(2026, 12, 30), None, &[0x42])?),
    ];
    Ok(Fixtures { a, b, keys, lists })
}

fn find<'f>(named: &'f [(&'static str, String)], name: &str) -> Result<&'f str, String> {
    named
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("no fixture named {name}"))
}

fn issuer_of<'f>(f: &'f Fixtures, name: &str) -> &'f Issuer {
    if name == "A" {
        &f.a
    } else {
        &f.b
    }
}

fn code<T>(r: Result<T, glpi_key::Error>) -> &'static str {
    r.err().map_or("valid", |e| e.code())
}

/// Runs a scenario through `SiteState` and returns its JSON, or how it went wrong.
fn run(s: &Scenario, f: &Fixtures) -> Result<Value, String> {
    let mut trust = TrustStore::new();
    for e in &s.trust {
        let key = issuer_of(f, e.issuer)
            .trusted_key()
            .and_then(|k| {
                k.with_validity(
                    e.valid_from.map(UnixTime::from_secs),
                    e.valid_until.map(UnixTime::from_secs),
                )
            })
            .map_err(|e| e.to_string())?
            .with_distrust(e.distrusted_from.map(UnixTime::from_secs));
        trust.add(key).map_err(|e| e.to_string())?;
    }
    let policy = SitePolicy {
        grace_secs: s.grace_secs,
        clock_tolerance_secs: s.clock_tolerance_secs,
    };
    let mut state = SiteState::new(&trust, policy);
    // The installed lists' bodies, kept by the host.
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    let mut steps = Vec::new();
    let fail = |i: usize, got: &str, want: &str| {
        format!(
            "scenario {} step {}: got {got}, expected {want}",
            s.name,
            i + 1
        )
    };
    for (i, step) in s.steps.iter().enumerate() {
        let value = match step {
            Step::Install { list, now, expect } => {
                let text = find(&f.lists, list)?;
                let mut buf = [0u8; MAX_TEXT_LIST_LEN];
                let parsed = UnverifiedRevocationList::parse_text(text, &mut buf)
                    .map_err(|e| e.to_string())?;
                let got = match state.install_revocations(&parsed, UnixTime::from_secs(*now)) {
                    Ok(Installed::New(_)) => {
                        bodies.push(parsed.as_bytes().to_vec());
                        "installed"
                    }
                    Ok(Installed::Unchanged(_)) => "unchanged",
                    Err(e) => e.code(),
                };
                if got != *expect {
                    return Err(fail(i, got, expect));
                }
                json!({"op": "install", "list": list, "now": now, "expect": expect})
            }
            Step::Verify {
                key,
                now,
                kind,
                instance,
                insecure_skip_instance,
                glpi,
                expect,
                warnings,
                tier,
            } => {
                let parsed =
                    UnverifiedKey::parse(find(&f.keys, key)?).map_err(|e| e.to_string())?;
                let instance_check = match (instance, insecure_skip_instance) {
                    (Some(u), _) => InstanceCheck::This(InstanceId::parse(u).ok_or("bad uuid")?),
                    (None, true) => InstanceCheck::InsecureSkipBinding,
                    (None, false) => InstanceCheck::Unknown,
                };
                let mut check = SiteCheck::new(UnixTime::from_secs(*now), *kind, instance_check);
                if let Some(v) = glpi {
                    check = check.with_glpi_version(GlpiVersion::parse(v).ok_or("bad version")?);
                }
                let lists: Vec<UnverifiedRevocationList<'_>> = bodies
                    .iter()
                    .filter_map(|b| UnverifiedRevocationList::from_body(b).ok())
                    .collect();
                let result = state.verify(&parsed, &check, &lists);
                let got_warnings: Vec<&str> = result
                    .as_ref()
                    .map(|v| v.warnings.codes().collect())
                    .unwrap_or_default();
                let got_tier = result.as_ref().ok().map(|v| v.license.tier());
                let got = code(result);
                if got != *expect || got_warnings != *warnings || got_tier != *tier {
                    return Err(fail(
                        i,
                        &format!("{got} {got_warnings:?} {got_tier:?}"),
                        &format!("{expect} {warnings:?} {tier:?}"),
                    ));
                }
                let mut o = Map::new();
                o.insert("op".into(), json!("verify"));
                o.insert("key".into(), json!(key));
                o.insert("now".into(), json!(now));
                o.insert("kind".into(), json!(kind.to_string()));
                o.insert(
                    "instance".into(),
                    instance.map_or(Value::Null, |u| json!(u)),
                );
                o.insert(
                    "insecure_skip_instance".into(),
                    json!(insecure_skip_instance),
                );
                o.insert("glpi".into(), glpi.map_or(Value::Null, |g| json!(g)));
                o.insert("expect".into(), json!(expect));
                if *expect == "valid" {
                    o.insert("warnings".into(), json!(warnings));
                    o.insert("tier".into(), json!(tier.map(|t| t.to_string())));
                }
                Value::Object(o)
            }
            Step::Distrust { issuer, from } => {
                state
                    .distrust(issuer_of(f, issuer).key_id(), UnixTime::from_secs(*from))
                    .map_err(|e| e.to_string())?;
                json!({"op": "distrust", "issuer": issuer, "from": from, "expect": "ok"})
            }
            Step::Reopen => {
                state = SiteState::from_bytes(&state.to_bytes()).map_err(|e| e.to_string())?;
                json!({"op": "reopen", "expect": "ok"})
            }
            Step::Status {
                mark,
                sequences,
                superseded,
            } => {
                let got_mark = state.clock_mark().map(UnixTime::as_secs);
                let got_sup: Vec<u64> = state.superseded().map(|(s, _)| s.value()).collect();
                let mut seq = Map::new();
                for (name, n) in *sequences {
                    let installed = state
                        .installed_list(issuer_of(f, name).key_id())
                        .map(|l| l.sequence);
                    if installed != Some(*n) {
                        return Err(fail(i, &format!("{name}: {installed:?}"), &n.to_string()));
                    }
                    seq.insert((*name).into(), json!(n));
                }
                if got_mark != *mark
                    || got_sup != *superseded
                    || state.installed_lists().count() != sequences.len()
                {
                    return Err(fail(
                        i,
                        &format!("{got_mark:?} {got_sup:?}"),
                        &format!("{mark:?} {superseded:?}"),
                    ));
                }
                json!({"op": "status", "mark": mark, "sequences": seq, "superseded": superseded, "expect": "ok"})
            }
        };
        steps.push(value);
    }
    let trust_json: Vec<Value> = s
        .trust
        .iter()
        .map(|e| json!({"issuer": e.issuer, "valid_from": e.valid_from, "valid_until": e.valid_until, "distrusted_from": e.distrusted_from}))
        .collect();
    Ok(json!({
        "name": s.name,
        "description": s.description,
        "site": {"grace_secs": s.grace_secs, "clock_tolerance_secs": s.clock_tolerance_secs, "trust": trust_json},
        "steps": steps,
    }))
}

/// The whole file, checked step by step against the crate.
pub fn scenarios_json() -> Result<(String, usize), String> {
    let f = fixtures()?;
    let mut out = Vec::new();
    for s in scenarios() {
        out.push(run(&s, &f)?);
    }
    let count = out.len();
    let obj = |named: &[(&'static str, String)]| {
        let mut m = Map::new();
        for (n, v) in named {
            m.insert((*n).into(), json!(v));
        }
        Value::Object(m)
    };
    let doc = json!({
        "format": "glpi-key site scenarios v1",
        "about": "Operation sequences on an offline site (spec/SITE.md section 8), each step with its expected outcome. Generated by spec/generator; do not edit by hand. The issuers are TEST-ONLY keys derived from public phrases: never trust them in production.",
        "issuers": {"A": hex(&f.a.public_key_bytes()), "B": hex(&f.b.public_key_bytes())},
        "keys": obj(&f.keys),
        "lists": obj(&f.lists),
        "scenarios": out,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    Ok((text, count))
}
