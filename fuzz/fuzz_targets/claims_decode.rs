#![no_main]
//! Fuzz target `claims_decode`: see `glpi_key_fuzz::checks::claims_decode` for the properties it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| glpi_key_fuzz::checks::claims_decode::do_test(data));
