#![no_main]
//! Fuzz target `verify`: see `glpi_key_fuzz::checks::verify` for the properties it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| glpi_key_fuzz::checks::verify::do_test(data));
