//! Runs `spec/vectors/site-scenarios.json` (`spec/SITE.md` section 8) twice: on a `SiteState`
//! whose record is written and read back at each `reopen`, and on a `Site` directory re-opened
//! at each `reopen`.

use glpi_key::*;
use serde_json::Value;

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/vectors/site-scenarios.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn time(v: &Value) -> Option<UnixTime> {
    v.as_u64().map(UnixTime::from_secs)
}

/// A site under test: in memory (record round trip) or a directory.
enum Host {
    Memory {
        state: Box<SiteState>,
        bodies: Vec<Vec<u8>>,
    },
    Dir(Site),
}

impl Host {
    fn state(&self) -> SiteState {
        match self {
            Host::Memory { state, .. } => (**state).clone(),
            Host::Dir(site) => site.state().unwrap(),
        }
    }
}

fn kind(s: &str) -> KeyKind {
    match s {
        "instance-registration" => KeyKind::InstanceRegistration,
        "agent-enrollment" => KeyKind::AgentEnrollment,
        other => panic!("kind {other}"),
    }
}

fn run(doc: &Value, scenario: &Value, dir: Option<&std::path::Path>) -> usize {
    let name = scenario["name"].as_str().unwrap();
    let issuer_key = |n: &str| hex32(doc["issuers"][n].as_str().unwrap());
    let key_id = |n: &str| KeyId::of_public_key(&issuer_key(n));
    let site = &scenario["site"];
    let mut trust = TrustStore::new();
    for e in site["trust"].as_array().unwrap() {
        let k = TrustedKey::from_public_key_bytes(&issuer_key(e["issuer"].as_str().unwrap()))
            .unwrap()
            .with_validity(time(&e["valid_from"]), time(&e["valid_until"]))
            .unwrap()
            .with_distrust(time(&e["distrusted_from"]));
        trust.add(k).unwrap();
    }
    let policy = SitePolicy {
        grace_secs: site["grace_secs"].as_u64().unwrap(),
        clock_tolerance_secs: site["clock_tolerance_secs"].as_u64().unwrap(),
    };
    let mut host = match dir {
        None => Host::Memory {
            state: Box::new(SiteState::new(&trust, policy)),
            bodies: Vec::new(),
        },
        Some(d) => {
            let _ = std::fs::remove_dir_all(d);
            Host::Dir(Site::create(d, &trust, policy).unwrap())
        }
    };
    let steps = scenario["steps"].as_array().unwrap();
    for (i, step) in steps.iter().enumerate() {
        let at = format!(
            "{name} step {} ({})",
            i + 1,
            if dir.is_some() { "dir" } else { "memory" }
        );
        let expect = step["expect"].as_str().unwrap();
        match step["op"].as_str().unwrap() {
            "install" => {
                let text = doc["lists"][step["list"].as_str().unwrap()]
                    .as_str()
                    .unwrap();
                let now = time(&step["now"]).unwrap();
                let got = match &mut host {
                    Host::Memory { state, bodies } => {
                        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
                        let list = UnverifiedRevocationList::parse_text(text, &mut buf).unwrap();
                        let r = state.install_revocations(&list, now);
                        if matches!(r, Ok(Installed::New(_))) {
                            bodies.push(list.as_bytes().to_vec());
                        }
                        r.map_err(|e| e.code())
                    }
                    Host::Dir(site) => site
                        .install_revocations(text.as_bytes(), now)
                        .map_err(|e| e.code()),
                };
                let got = match got {
                    Ok(Installed::New(_)) => "installed",
                    Ok(Installed::Unchanged(_)) => "unchanged",
                    Err(code) => code,
                };
                assert_eq!(got, expect, "{at}");
            }
            "verify" => {
                let key = UnverifiedKey::parse(
                    doc["keys"][step["key"].as_str().unwrap()].as_str().unwrap(),
                )
                .unwrap();
                let instance = match (
                    step["instance"].as_str(),
                    step["insecure_skip_instance"].as_bool(),
                ) {
                    (Some(u), _) => InstanceCheck::This(InstanceId::parse(u).unwrap()),
                    (None, Some(true)) => InstanceCheck::InsecureSkipBinding,
                    (None, _) => InstanceCheck::Unknown,
                };
                let mut check = SiteCheck::new(
                    time(&step["now"]).unwrap(),
                    kind(step["kind"].as_str().unwrap()),
                    instance,
                );
                if let Some(v) = step["glpi"].as_str() {
                    check = check.with_glpi_version(GlpiVersion::parse(v).unwrap());
                }
                let outcome: Result<(Vec<&str>, String), &str> = match &mut host {
                    Host::Memory { state, bodies } => {
                        let lists: Vec<_> = bodies
                            .iter()
                            .map(|b| UnverifiedRevocationList::from_body(b).unwrap())
                            .collect();
                        state
                            .verify(&key, &check, &lists)
                            .map(|v| (v.warnings.codes().collect(), v.license.tier().to_string()))
                            .map_err(|e| e.code())
                    }
                    Host::Dir(site) => site
                        .verify(&key, &check)
                        .map(|v| (v.warnings.codes().collect(), v.license.tier().to_string()))
                        .map_err(|e| e.code()),
                };
                match outcome {
                    Ok((warnings, tier)) => {
                        assert_eq!("valid", expect, "{at}");
                        let want: Vec<&str> = step["warnings"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|w| w.as_str().unwrap())
                            .collect();
                        assert_eq!(warnings, want, "{at}");
                        assert_eq!(tier, step["tier"].as_str().unwrap(), "{at}");
                    }
                    Err(code) => assert_eq!(code, expect, "{at}"),
                }
            }
            "distrust" => {
                let id = key_id(step["issuer"].as_str().unwrap());
                let from = time(&step["from"]).unwrap();
                match &mut host {
                    Host::Memory { state, .. } => {
                        state.distrust(id, from).unwrap();
                    }
                    Host::Dir(site) => {
                        site.distrust(id, from).unwrap();
                    }
                }
            }
            "reopen" => match &mut host {
                Host::Memory { state, .. } => {
                    **state = SiteState::from_bytes(&state.to_bytes()).unwrap();
                }
                Host::Dir(site) => {
                    *site = Site::open(site.dir()).unwrap();
                }
            },
            "status" => {
                let state = host.state();
                assert_eq!(
                    state.clock_mark().map(UnixTime::as_secs),
                    step["mark"].as_u64(),
                    "{at}"
                );
                let sup: Vec<u64> = state.superseded().map(|(s, _)| s.value()).collect();
                let want: Vec<u64> = step["superseded"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect();
                assert_eq!(sup, want, "{at}");
                let seqs = step["sequences"].as_object().unwrap();
                assert_eq!(state.installed_lists().count(), seqs.len(), "{at}");
                for (issuer, n) in seqs {
                    assert_eq!(
                        state.installed_list(key_id(issuer)).map(|l| l.sequence),
                        n.as_u64(),
                        "{at}"
                    );
                }
            }
            other => panic!("{at}: unknown op {other}"),
        }
    }
    steps.len()
}

#[test]
fn every_scenario_in_memory_and_in_a_directory() {
    let doc = load();
    assert_eq!(doc["format"], "glpi-key site scenarios v1");
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 9);
    let base = std::env::temp_dir().join(format!("glpi-site-scenarios-{}", std::process::id()));
    let mut steps = 0;
    for s in scenarios {
        steps += run(&doc, s, None);
        let dir = base.join(s["name"].as_str().unwrap());
        std::fs::create_dir_all(&base).unwrap();
        run(&doc, s, Some(&dir));
    }
    let _ = std::fs::remove_dir_all(&base);
    assert!(steps >= 60, "{steps}");
}
