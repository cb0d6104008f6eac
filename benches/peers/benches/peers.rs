//! The same claims verified as a GLPI key, a PASETO v4.public token and a JWT (EdDSA), next to
//! a raw `verify_strict`, in one criterion group:
//!
//! ```text
//! cargo bench -p glpi-key-peers -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion};
use ed25519_dalek::{Signer, SigningKey};
use glpi_key_peers::{Tokens, SEED};

fn bench(c: &mut Criterion) {
    let t = Tokens::new().expect("tokens");
    println!(
        "token length: glpi-key {} chars, PASETO v4.public {} chars, JWT EdDSA {} chars",
        t.glpi.len(),
        t.paseto.len(),
        t.jwt.len()
    );
    // The floor: one raw verify_strict over a message as long as the GLPI key's signed bytes.
    let signing = SigningKey::from_bytes(&SEED);
    let msg = vec![0x5au8; 104];
    let sig = signing.sign(&msg);
    let vk = signing.verifying_key();

    let mut g = c.benchmark_group("peers");
    g.bench_function("raw verify_strict", |b| {
        b.iter(|| vk.verify_strict(black_box(&msg), black_box(&sig)))
    });
    g.bench_function("glpi-key parse+verify+claims", |b| {
        b.iter(|| t.verify_glpi(black_box(&t.glpi)).is_ok())
    });
    g.bench_function("PASETO v4.public verify+claims", |b| {
        b.iter(|| t.verify_paseto(black_box(&t.paseto)).is_ok())
    });
    g.bench_function("JWT EdDSA verify+claims", |b| {
        b.iter(|| t.verify_jwt(black_box(&t.jwt)).is_ok())
    });
    g.finish();
}

/// The same four, taking turns in short blocks round after round so that a change of load
/// hits all alike; prints each median and its ratio to raw `verify_strict`.
fn interleaved(t: &Tokens) {
    let signing = SigningKey::from_bytes(&SEED);
    let msg = vec![0x5au8; 104];
    let sig = signing.sign(&msg);
    let vk = signing.verifying_key();
    type Op<'a> = (&'a str, Box<dyn Fn() -> bool + 'a>);
    let ops: Vec<Op> = vec![
        (
            "raw verify_strict",
            Box::new(|| vk.verify_strict(black_box(&msg), &sig).is_ok()),
        ),
        (
            "glpi-key",
            Box::new(|| t.verify_glpi(black_box(&t.glpi)).is_ok()),
        ),
        (
            "PASETO v4.public",
            Box::new(|| t.verify_paseto(black_box(&t.paseto)).is_ok()),
        ),
        (
            "JWT EdDSA",
            Box::new(|| t.verify_jwt(black_box(&t.jwt)).is_ok()),
        ),
    ];
    const ROUNDS: usize = 300;
    const REPS: u32 = 40;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); ops.len()];
    for _ in 0..ROUNDS {
        for (i, (_, op)) in ops.iter().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..REPS {
                assert!(op());
            }
            times[i].push(start.elapsed().as_nanos() as f64 / f64::from(REPS));
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect();
    println!("\ninterleaved ({ROUNDS} rounds): format | median | ratio to raw verify_strict");
    for ((name, _), m) in ops.iter().zip(&medians) {
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
    if !std::env::args().any(|a| a == "--test") {
        interleaved(&Tokens::new().expect("tokens"));
    }
    Criterion::default().configure_from_args().final_summary();
}
