#![no_main]
//! Fuzz target `roundtrip`: see `glpi_key_fuzz::checks::roundtrip` for the properties it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| glpi_key_fuzz::checks::roundtrip::do_test(data));
