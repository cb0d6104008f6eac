//! What verification costs next to the physical floor, one raw Ed25519 `verify_strict` on the
//! same signed bytes. Everything is in one criterion group so the ratios show in one run:
//!
//! ```text
//! cargo bench --bench verify --features batch,parallel -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Results and how to read them: `benches/RESULTS.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use ed25519_dalek::Signature;
use glpi_key::{
    verify_batch, verify_batch_parallel, Claims, Entitlements, Extensions, GlpiVersion, InstanceId,
    Issuer, KeyKind, Serial, TableSize, TextStyle, Tier, TrustStore, UnixTime, UnverifiedKey,
    VerifyOptions, VersionRange, HEADER_LEN, MAX_OWNER_LEN, SIGNATURE_LEN,
};

const BATCH: usize = 64;
const PARALLEL_SET: usize = 1024;

fn issued_at() -> UnixTime {
    UnixTime::from_date(2026, 11, 23).unwrap_or(UnixTime::EPOCH)
}

/// The typical key: owner, tier, issued-at, not-before, expiry, instance id, three
/// entitlements (the same claims the peer benchmarks sign as PASETO and JWT).
fn typical(serial: u64) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap_or(Serial::MAX),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        issued_at(),
    );
    c.not_before = issued_at().saturating_add_secs(3_600);
    c.expires_at = UnixTime::from_date(2027, 11, 23);
    c.instance = InstanceId::parse("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b");
    c.entitlements =
        Entitlements::MARKETPLACE | Entitlements::NETWORK_PLUGINS | Entitlements::L3_SUPPORT;
    c
}

const LONG_OWNER_BYTES: [u8; MAX_OWNER_LEN] = [b'W'; MAX_OWNER_LEN];
const LONG_OWNER: &str = match core::str::from_utf8(&LONG_OWNER_BYTES) {
    Ok(s) => s,
    Err(_) => "",
};
/// One extension of tag 2 whose block fills the 64 bytes allowed.
const LONG_EXTENSIONS: [u8; 64] = {
    let mut b = [0x55u8; 64];
    b[0] = 2;
    b[1] = 62;
    b
};

/// Times of the longest key, in minutes: each varint at its longest (5 bytes).
const LONG_ISSUED_MIN: u64 = u32::MAX as u64 - 1;
const LONG_NOT_BEFORE_MIN: u64 = LONG_ISSUED_MIN + (1 << 30);

/// The longest key: every optional field present and every varint at its longest.
fn longest() -> Claims<'static> {
    let mut c = Claims::new(
        Serial::MAX,
        KeyKind::AgentEnrollment,
        Tier::Advanced,
        LONG_OWNER,
        UnixTime::from_secs(LONG_ISSUED_MIN * 60),
    );
    c.not_before = UnixTime::from_secs(LONG_NOT_BEFORE_MIN * 60);
    c.expires_at = Some(UnixTime::from_secs((LONG_NOT_BEFORE_MIN + (1 << 31)) * 60));
    c.instance = Some(InstanceId([0xA5; 16]));
    c.entitlements = Entitlements::from_bits(u32::MAX);
    c.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(255, 255),
        max: GlpiVersion::new(255, 255),
    });
    c.max_assets = Some(u32::MAX);
    c.entity = Some(u32::MAX);
    c.supersedes = Some(Serial::MAX);
    c.extensions = Extensions::from_encoded(&LONG_EXTENSIONS).unwrap_or(Extensions::EMPTY);
    c
}

/// The exact bytes the signature covers: domain tag, 0x00, header, claims.
fn signing_input(key: &UnverifiedKey) -> Vec<u8> {
    let body = key.as_bytes();
    let mut msg = key
        .unverified_kind()
        .object_kind()
        .domain_tag()
        .as_bytes()
        .to_vec();
    msg.push(0);
    msg.extend_from_slice(&body[..body.len() - SIGNATURE_LEN]);
    msg
}

fn bench(c: &mut Criterion) {
    assert!(LONG_OWNER.len() == MAX_OWNER_LEN);
    let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
    let trusted = issuer.trusted_key().expect("trusted key");
    let trust = TrustStore::with(trusted);
    let now = UnixTime::from_date(2027, 6, 1).expect("date");
    let options = VerifyOptions::at(now);

    let key = issuer.issue(&typical(42)).expect("typical key");
    let text = key.text(TextStyle::Compact).to_string();
    let long_key = issuer.issue(&longest()).expect("longest key");
    let long_text = long_key.text(TextStyle::Compact).to_string();
    println!(
        "token length: typical key {} chars (body {} bytes, header {HEADER_LEN}), longest key {} chars (MAX_KEY_LEN {})",
        text.len(),
        key.as_bytes().len(),
        long_text.len(),
        glpi_key::MAX_KEY_LEN
    );
    assert!(key.verify(&trust, &options).is_ok());
    let long_options = VerifyOptions::at(UnixTime::from_secs(LONG_NOT_BEFORE_MIN * 60 + 60));
    assert!(long_key.verify(&trust, &long_options).is_ok());

    let msg = signing_input(&key);
    let sig = Signature::from_bytes(key.as_bytes().last_chunk::<SIGNATURE_LEN>().expect("sig"));
    let vk = *trusted.verifying_key();
    assert!(vk.verify_strict(&msg, &sig).is_ok());

    let mut g = c.benchmark_group("verify");
    g.bench_function("raw verify_strict (typical)", |b| {
        b.iter(|| vk.verify_strict(black_box(&msg), black_box(&sig)))
    });
    g.bench_function("parse+check (typical)", |b| {
        b.iter(|| UnverifiedKey::parse(black_box(&text)))
    });
    g.bench_function("parse+check (longest)", |b| {
        b.iter(|| UnverifiedKey::parse(black_box(&long_text)))
    });
    g.bench_function("claims decode+check (typical, no signature)", |b| {
        b.iter(|| black_box(&key).unverified_claims())
    });
    g.bench_function("verify (typical, parsed)", |b| {
        b.iter(|| black_box(&key).verify(&trust, &options).map(|l| l.serial()))
    });
    g.bench_function("parse+verify (typical, from text)", |b| {
        b.iter(|| {
            UnverifiedKey::parse(black_box(&text))
                .and_then(|k| k.verify(&trust, &options).map(|l| l.serial()))
        })
    });
    g.bench_function("issue (typical, to text)", |b| {
        let claims = typical(42);
        let mut out = [0u8; glpi_key::MAX_GROUPED_KEY_LEN];
        b.iter(|| {
            issuer
                .issue_into(black_box(&claims), TextStyle::Compact, &mut out)
                .map(str::len)
        })
    });

    // Throughput: 64 keys one by one, and 64 keys in one batch.
    let keys: Vec<UnverifiedKey> = (1..=BATCH as u64)
        .map(|n| issuer.issue(&typical(n)).expect("key"))
        .collect();
    assert!(verify_batch(&keys, &trust, &options)
        .iter()
        .all(Result::is_ok));
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("64 keys, verify one by one", |b| {
        b.iter(|| {
            black_box(&keys)
                .iter()
                .filter(|k| k.verify(&trust, &options).is_ok())
                .count()
        })
    });
    g.bench_function("64 keys, verify_batch", |b| {
        b.iter(|| verify_batch(black_box(&keys), &trust, &options).len())
    });
    let mut one_bad = keys.clone();
    one_bad[BATCH / 2] = bad_signature(&one_bad[BATCH / 2]);
    assert_eq!(
        verify_batch(&one_bad, &trust, &options)
            .iter()
            .filter(|r| r.is_err())
            .count(),
        1
    );
    g.bench_function("64 keys, verify_batch with one bad key (fallback)", |b| {
        b.iter(|| verify_batch(black_box(&one_bad), &trust, &options).len())
    });

    // Scaling on this machine's cores: a large set, sequential batches vs rayon.
    let many: Vec<UnverifiedKey> = (0..PARALLEL_SET).map(|i| keys[i % BATCH].clone()).collect();
    g.throughput(Throughput::Elements(PARALLEL_SET as u64));
    g.bench_function("1024 keys, verify_batch in chunks of 64, one core", |b| {
        b.iter(|| {
            black_box(&many)
                .chunks(BATCH)
                .map(|c| verify_batch(c, &trust, &options).len())
                .sum::<usize>()
        })
    });
    g.bench_function(
        format!(
            "1024 keys, verify_batch_parallel, {} threads",
            rayon_threads()
        ),
        |b| {
            b.iter_batched(
                || (),
                |()| verify_batch_parallel(black_box(&many), &trust, &options).len(),
                BatchSize::SmallInput,
            )
        },
    );
    g.finish();
}

/// The key with one bit of its signature changed and the check symbols recomputed: it
/// parses, and only the signature check can tell.
fn bad_signature(key: &UnverifiedKey) -> UnverifiedKey {
    let mut body = key.as_bytes().to_vec();
    let last = body.len() - 1;
    body[last - 2] ^= 1; // inside the signature
    let text = glpi_key::hazmat::key_text_of_body(&body, TextStyle::Compact).to_string();
    UnverifiedKey::parse(&text).expect("tampered key parses")
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Ratios that hold on a busy machine: the operations take turns in short blocks, round after
/// round, so a change of load hits all of them alike; each one's median per-key time is then
/// divided by raw `verify_strict`'s. Printed after criterion's figures.
fn interleaved() {
    let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
    let trusted = issuer.trusted_key().expect("trusted key");
    let trust = TrustStore::with(trusted);
    // The same store with precomputed tables (feature `tables`, on with `fast`), each size.
    let mut trust_large = trust.clone();
    let started = std::time::Instant::now();
    trust_large.precompute(TableSize::Large);
    let built_large = started.elapsed();
    let mut trust_small = trust.clone();
    let started = std::time::Instant::now();
    trust_small.precompute(TableSize::Small);
    let built_small = started.elapsed();
    println!(
        "\ntables: Large {} bytes per key, built (base point and one key) in {:.2} ms; \
         Small {} bytes per key, built in {:.2} ms",
        TableSize::Large.table_bytes(),
        built_large.as_secs_f64() * 1e3,
        TableSize::Small.table_bytes(),
        built_small.as_secs_f64() * 1e3,
    );
    let options = VerifyOptions::at(UnixTime::from_date(2027, 6, 1).expect("date"));
    let key = issuer.issue(&typical(42)).expect("typical key");
    let text = key.text(TextStyle::Compact).to_string();
    let long_text = issuer
        .issue(&longest())
        .expect("longest key")
        .text(TextStyle::Compact)
        .to_string();
    let msg = signing_input(&key);
    let sig = Signature::from_bytes(key.as_bytes().last_chunk::<SIGNATURE_LEN>().expect("sig"));
    let vk = *trusted.verifying_key();
    let keys: Vec<UnverifiedKey> = (1..=BATCH as u64)
        .map(|n| issuer.issue(&typical(n)).expect("key"))
        .collect();
    let claims = typical(42);
    let mut out = [0u8; glpi_key::MAX_GROUPED_KEY_LEN];
    // The same 64 signatures for ed25519-dalek's own batch check, with no key handling at all.
    let batch_msgs: Vec<Vec<u8>> = keys.iter().map(signing_input).collect();
    let batch_msgs: Vec<&[u8]> = batch_msgs.iter().map(Vec::as_slice).collect();
    let batch_sigs: Vec<Signature> = keys
        .iter()
        .map(|k| Signature::from_bytes(k.as_bytes().last_chunk::<SIGNATURE_LEN>().expect("sig")))
        .collect();
    let batch_vks = vec![vk; BATCH];

    type Op<'a> = (&'a str, usize, Box<dyn FnMut() + 'a>);
    let mut ops: Vec<Op> = vec![
        (
            "raw verify_strict",
            1,
            Box::new(|| {
                black_box(vk.verify_strict(black_box(&msg), black_box(&sig)).is_ok());
            }),
        ),
        (
            "parse+check (typical)",
            1,
            Box::new(|| {
                black_box(UnverifiedKey::parse(black_box(&text)).is_ok());
            }),
        ),
        (
            "parse+check (longest)",
            1,
            Box::new(|| {
                black_box(UnverifiedKey::parse(black_box(&long_text)).is_ok());
            }),
        ),
        (
            "verify (parsed)",
            1,
            Box::new(|| {
                black_box(black_box(&key).verify(&trust, &options).is_ok());
            }),
        ),
        (
            "parse+verify (from text)",
            1,
            Box::new(|| {
                let k = UnverifiedKey::parse(black_box(&text));
                black_box(k.map(|k| k.verify(&trust, &options).is_ok()).is_ok());
            }),
        ),
        (
            "parse+verify (from text), tables Large",
            1,
            Box::new(|| {
                let k = UnverifiedKey::parse(black_box(&text));
                black_box(k.map(|k| k.verify(&trust_large, &options).is_ok()).is_ok());
            }),
        ),
        (
            "parse+verify (from text), tables Small",
            1,
            Box::new(|| {
                let k = UnverifiedKey::parse(black_box(&text));
                black_box(k.map(|k| k.verify(&trust_small, &options).is_ok()).is_ok());
            }),
        ),
        (
            "issue (to text)",
            1,
            Box::new(|| {
                black_box(
                    issuer
                        .issue_into(&claims, TextStyle::Compact, &mut out)
                        .is_ok(),
                );
            }),
        ),
        (
            "64 keys one by one",
            BATCH,
            Box::new(|| {
                black_box(
                    keys.iter()
                        .filter(|k| k.verify(&trust, &options).is_ok())
                        .count(),
                );
            }),
        ),
        (
            "64 keys one by one, tables Large",
            BATCH,
            Box::new(|| {
                black_box(
                    keys.iter()
                        .filter(|k| k.verify(&trust_large, &options).is_ok())
                        .count(),
                );
            }),
        ),
        (
            "64 keys one by one, tables Small",
            BATCH,
            Box::new(|| {
                black_box(
                    keys.iter()
                        .filter(|k| k.verify(&trust_small, &options).is_ok())
                        .count(),
                );
            }),
        ),
        (
            "64 signatures, raw ed25519_dalek::verify_batch",
            BATCH,
            Box::new(|| {
                black_box(
                    ed25519_dalek::verify_batch(&batch_msgs, &batch_sigs, &batch_vks).is_ok(),
                );
            }),
        ),
        (
            "64 keys verify_batch",
            BATCH,
            Box::new(|| {
                black_box(verify_batch(black_box(&keys), &trust, &options).len());
            }),
        ),
        (
            "64 keys verify_batch, store with tables Large",
            BATCH,
            Box::new(|| {
                black_box(verify_batch(black_box(&keys), &trust_large, &options).len());
            }),
        ),
    ];
    const ROUNDS: usize = 300;
    let mut per_key: Vec<Vec<f64>> = vec![Vec::new(); ops.len()];
    for _ in 0..ROUNDS {
        for (i, (_, keys, op)) in ops.iter_mut().enumerate() {
            // About 2 ms per block.
            let reps = (2_000 / (40 * *keys)).max(1);
            let start = std::time::Instant::now();
            for _ in 0..reps {
                op();
            }
            per_key[i].push(start.elapsed().as_nanos() as f64 / (reps * *keys) as f64);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let medians: Vec<f64> = per_key.iter_mut().map(median).collect();
    println!(
        "\ninterleaved ({ROUNDS} rounds): operation | median per key | ratio to raw verify_strict"
    );
    for ((name, _, _), m) in ops.iter().zip(&medians) {
        println!("{name} | {:.2} µs | {:.3}", m / 1_000.0, m / medians[0]);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    // Not in criterion's test mode (`cargo test --benches`), which only checks each runs.
    if !std::env::args().any(|a| a == "--test") {
        interleaved();
    }
    Criterion::default().configure_from_args().final_summary();
}
