//! Parse time for hostile input stays bounded: the reader refuses over-long text before any
//! work, stops counting symbols past the longest key, and does linear work otherwise.
//!
//! Compare the per-input times: a 1 MB input, 4 KiB of separators and a body one symbol too
//! long must cost no more than parsing (and rejecting) a valid maximal-length key.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use glpi_key::{UnverifiedKey, MAX_BODY_SYMBOLS, MAX_INPUT_LEN};
use std::hint::black_box;

fn inputs() -> Vec<(&'static str, String)> {
    let long_body = "0".repeat(MAX_BODY_SYMBOLS + 1);
    vec![
        ("one_megabyte", "GLPI-".to_string() + &"A".repeat(1 << 20)),
        (
            "max_input_len_of_symbols",
            "GLPI-".to_string() + &"A".repeat(MAX_INPUT_LEN - 5),
        ),
        (
            "max_input_len_of_separators",
            "GLPI-".to_string() + &"-".repeat(MAX_INPUT_LEN - 6) + "0",
        ),
        (
            "separators_between_symbols",
            "GLPI-".to_string() + &"0- ".repeat((MAX_INPUT_LEN - 5) / 3),
        ),
        ("body_max_plus_one", format!("GLPI-{long_body}-000000")),
        (
            "max_len_bad_check",
            format!("GLPI-{}-000000", "0".repeat(MAX_BODY_SYMBOLS)),
        ),
        (
            "non_ascii_flood",
            "GLPI-".to_string() + &"\u{0410}".repeat(MAX_INPUT_LEN / 2 - 3),
        ),
    ]
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_hostile");
    for (name, input) in inputs() {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| UnverifiedKey::parse(black_box(&input)).is_err())
        });
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
