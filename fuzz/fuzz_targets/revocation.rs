#![no_main]
//! Fuzz target `revocation`: see `glpi_key_fuzz::checks::revocation` for the properties it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| glpi_key_fuzz::checks::revocation::do_test(data));
