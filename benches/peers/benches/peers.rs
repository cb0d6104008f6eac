//! The same claims verified as a GLPI key, a PASETO v4.public token and a JWT (EdDSA), next to
//! a raw `verify_strict`, in one criterion group:
//!
//! ```text
//! cargo bench -p glpi-key-peers -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
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

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
