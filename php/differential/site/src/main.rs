//! Site differential: random operation sequences (install lists, verify keys, distrust issuer
//! keys, with the clock moving back and forth) on the core's `SiteState`, each outcome, message
//! and the state record after it, as JSON lines; `run.php` replays them on the PHP
//! `SiteState` and compares all three. Usage: `glpi-key-php-site-differential [SCENARIOS]
//! | php run.php` (25 operations per scenario).
use glpi_key::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
/// A JSON string of an ASCII message (the core's messages are ASCII apart from names).
/// A JSON string of a message (Rust's string escaping is JSON's for these ASCII messages).
fn esc(s: &str) -> String {
    format!("{s:?}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scenarios: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let issuers = [
        Issuer::from_secret_key_bytes(&[0x41; 32]),
        Issuer::from_secret_key_bytes(&[0x42; 32]),
    ];
    let t0 = 1_800_000_000u64;
    let uuid = InstanceId([7; 16]);
    let mut r = Rng(5);
    println!(
        "{{\"issuers\":[\"{}\",\"{}\"],\"uuid\":\"{}\"}}",
        hex(&issuers[0].public_key_bytes()),
        hex(&issuers[1].public_key_bytes()),
        uuid
    );
    for s in 0..scenarios {
        let grace = [0u64, 86400, 30 * 86400][r.below(3) as usize];
        let tol = [0u64, 300, 3600][r.below(3) as usize];
        let mut trust = TrustStore::new();
        let win = r.below(3) == 0;
        trust.add(issuers[0].trusted_key().unwrap()).unwrap();
        let b = issuers[1].trusted_key().unwrap();
        let b = if win {
            b.with_validity(None, Some(UnixTime::from_secs(t0 + 5000)))
                .unwrap()
        } else {
            b
        };
        trust.add(b).unwrap();
        let mut st = SiteState::new(
            &trust,
            SitePolicy {
                grace_secs: grace,
                clock_tolerance_secs: tol,
            },
        );
        println!("{{\"scenario\":{s},\"grace\":{grace},\"tolerance\":{tol},\"b_until\":{},\"record\":\"{}\"}}", if win { (t0 + 5000).to_string() } else { "null".into() }, hex(&st.to_bytes()));
        let mut lists: Vec<Vec<u8>> = Vec::new();
        let mut now = t0;
        for _ in 0..25 {
            now = match r.below(6) {
                0 => now.saturating_sub(r.below(2 * tol + 2)),
                1 => now + r.below(100_000),
                _ => now + r.below(600),
            };
            let who = r.below(2) as usize;
            let op = r.below(10);
            let line;
            if op < 3 {
                let seq = r.below(6);
                let mut serials: Vec<u64> = (0..r.below(4)).map(|_| 100 + r.below(12)).collect();
                serials.sort();
                serials.dedup();
                let serials: Vec<Serial> = serials
                    .into_iter()
                    .map(|v| Serial::new(v).unwrap())
                    .collect();
                let issued = now - r.below(10_000) + if r.below(5) == 0 { 10_000 } else { 0 };
                let next = if r.below(2) == 0 {
                    Some(UnixTime::from_secs(issued + 1 + r.below(2000)))
                } else {
                    None
                };
                let mut out = vec![0u8; max_revocation_list_len(serials.len())];
                let list = issuers[who]
                    .issue_revocation_list(
                        &NewRevocationList {
                            sequence: seq,
                            issued_at: UnixTime::from_secs(issued),
                            next_update: next,
                            serials: &serials,
                        },
                        &mut out,
                    )
                    .unwrap();
                let text = list.text(TextStyle::Compact).unwrap().to_string();
                let res = st.install_revocations(&list, UnixTime::from_secs(now));
                let (code, msg) = match res {
                    Ok(Installed::New(_)) => ("installed".to_string(), String::new()),
                    Ok(Installed::Unchanged(_)) => ("unchanged".into(), String::new()),
                    Err(e) => (e.code().into(), e.to_string()),
                };
                if code == "installed" {
                    lists.push(list.as_bytes().to_vec());
                }
                line = format!("{{\"op\":\"install\",\"list\":\"{text}\",\"now\":{now},\"expect\":\"{code}\",\"message\":{}", esc(&msg));
            } else if op < 9 {
                let serial = 100 + r.below(14);
                let kind = if r.below(8) == 0 {
                    KeyKind::AgentEnrollment
                } else {
                    KeyKind::InstanceRegistration
                };
                let issued = UnixTime::from_secs((now - r.below(200_000)) / 60 * 60);
                let mut c = Claims::new(
                    Serial::new(serial).unwrap(),
                    kind,
                    Tier::Standard,
                    "ACME",
                    issued,
                );
                if r.below(2) == 0 {
                    c.expires_at = Some(UnixTime::from_secs(
                        issued.as_secs() + 60 * (1 + r.below(5000)),
                    ));
                }
                if r.below(3) == 0 {
                    c.instance = Some(if r.below(2) == 0 {
                        uuid
                    } else {
                        InstanceId([9; 16])
                    });
                }
                if r.below(3) == 0 {
                    c.supersedes = Some(Serial::new(100 + r.below(14)).unwrap());
                }
                let key = issuers[who].issue(&c).unwrap();
                let text = key.text(TextStyle::Compact).to_string();
                let want = if r.below(6) == 0 {
                    KeyKind::AgentEnrollment
                } else {
                    KeyKind::InstanceRegistration
                };
                let inst = match r.below(3) {
                    0 => (InstanceCheck::This(uuid), "this"),
                    1 => (InstanceCheck::Unknown, "unknown"),
                    _ => (InstanceCheck::InsecureSkipBinding, "skip"),
                };
                let bodies: Vec<UnverifiedRevocationList> = lists
                    .iter()
                    .map(|b| UnverifiedRevocationList::from_body(b).unwrap())
                    .collect();
                let res = st.verify(
                    &key,
                    &SiteCheck {
                        now: UnixTime::from_secs(now),
                        kind: want,
                        instance: inst.0,
                        glpi_version: None,
                    },
                    &bodies,
                );
                let (code, msg) = match res {
                    Ok(v) => {
                        let w = v.warnings;
                        let mut ws = vec![];
                        if w.in_grace_until.is_some() {
                            ws.push("in-grace")
                        }
                        if w.instance_not_checked {
                            ws.push("instance-not-checked")
                        }
                        if w.list_update_due.is_some() {
                            ws.push("list-update-due")
                        }
                        if w.no_revocation_list {
                            ws.push("no-revocation-list")
                        }
                        ws.sort();
                        ("valid".to_string(), ws.join(","))
                    }
                    Err(e) => (e.code().into(), e.to_string()),
                };
                line = format!("{{\"op\":\"verify\",\"key\":\"{text}\",\"now\":{now},\"kind\":\"{}\",\"instance\":\"{}\",\"expect\":\"{code}\",\"message\":{}", want, inst.1, esc(&msg));
            } else {
                let from = now + r.below(2000) - 1000;
                let id = issuers[who].key_id();
                let since = st.distrust(id, UnixTime::from_secs(from)).unwrap();
                line = format!("{{\"op\":\"distrust\",\"issuer\":{who},\"from\":{from},\"expect\":\"ok\",\"message\":\"{}\"", since.as_secs());
            }
            println!("{line},\"record\":\"{}\"}}", hex(&st.to_bytes()));
        }
    }
}
