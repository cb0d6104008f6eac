#![no_main]
//! Fuzz target `parse_text`: see `glpi_key_fuzz::checks::parse_text` for the properties it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| glpi_key_fuzz::checks::parse_text::do_test(data));
