//! Runs one verifier `n` times, for counting its instructions with valgrind's cachegrind:
//! unlike times on a shared machine, instruction counts are the same from run to run.
//!
//! ```text
//! bash benches/peers/instructions.sh     # builds this, runs each verifier, prints the table
//! ```
//!
//! `cargo run --release -p glpi-key-peers --example instructions -- <which> <n>` with
//! `<which>` one of `raw`, `glpi-key`, `glpi-key-tables` (precomputed tables, `TableSize::Large`),
//! `glpi-key-tables-small`, `paseto`, `jwt`, `none` (setup only, the baseline).

use std::hint::black_box;
use std::process::ExitCode;

use ed25519_dalek::{Signer, SigningKey};
use glpi_key::TableSize;
use glpi_key_peers::{Tokens, SEED};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(which), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<u32>())) else {
        eprintln!(
            "usage: instructions <raw|glpi-key|glpi-key-tables|glpi-key-tables-small|paseto|jwt|none> <n>"
        );
        return ExitCode::from(2);
    };
    let t = match Tokens::new() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot make the tokens: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    // The floor, as in the benchmarks: a raw verify_strict over as many bytes as the key signs.
    let signing = SigningKey::from_bytes(&SEED);
    let msg = vec![0x5au8; 104];
    let sig = signing.sign(&msg);
    let vk = signing.verifying_key();
    let op: Box<dyn Fn() -> bool> = match which.as_str() {
        "raw" => Box::new(|| vk.verify_strict(black_box(&msg), &sig).is_ok()),
        "glpi-key" => Box::new(|| t.verify_glpi(black_box(&t.glpi)).is_ok()),
        "glpi-key-tables" => Box::new(|| {
            t.verify_glpi_tables(black_box(&t.glpi), TableSize::Large)
                .is_ok()
        }),
        "glpi-key-tables-small" => Box::new(|| {
            t.verify_glpi_tables(black_box(&t.glpi), TableSize::Small)
                .is_ok()
        }),
        "paseto" => Box::new(|| t.verify_paseto(black_box(&t.paseto)).is_ok()),
        "jwt" => Box::new(|| t.verify_jwt(black_box(&t.jwt)).is_ok()),
        "none" => Box::new(|| true),
        other => {
            eprintln!("error: unknown verifier {other:?}; use raw, glpi-key, glpi-key-tables, glpi-key-tables-small, paseto, jwt or none");
            return ExitCode::from(2);
        }
    };
    for _ in 0..n {
        if !op() {
            eprintln!("error: {which} refused its own token");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
