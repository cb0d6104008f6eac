//! Fuzz targets for `glpi-key`. The checks live in `checks.rs`, which `tests/fuzz_replay.rs`
//! also includes, so every committed corpus and regression input replays with `cargo test`.

pub mod checks;
