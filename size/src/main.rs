//! A verify-only program for a Cortex-M4F: parse one key, verify it under one trusted key at
//! a fixed time, and keep the outcome. It exists to measure what verification costs in flash
//! (`.ci/parts/40-size.sh` prints its section sizes). With the `bare` feature it does only a
//! raw ed25519-dalek `verify_strict` of the same key's signature: the floor.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::hint::black_box;

use cortex_m_rt::entry;

/// The test issuer's public key (`spec/vectors/test-issuer.pub.hex`).
const PUBLIC_KEY: [u8; 32] = [
    0x91, 0x60, 0xb3, 0xb0, 0x65, 0x68, 0xb4, 0x56, 0xcc, 0x1d, 0x23, 0x5d, 0xab, 0x82, 0x0f, 0x25,
    0x71, 0x12, 0x40, 0x6b, 0xed, 0x67, 0x72, 0x6c, 0xae, 0x5a, 0x58, 0xcb, 0x77, 0x99, 0x56, 0x04,
];

/// `spec/vectors/sample-standard.key`.
const KEY: &str = "GLPI-040PSTHGY80J6HB7H6NWVVR30C3GJGA39N2J0GVFE9RE1GN01R0A1NW505E9X3TA7CPMW7WTHDY6TQJF78NM24E3NMBPXP243C8MW9K7ABGR3K87PK0JP2MYGT2SPAFR99ABR0HYCH401J4RF8P0SQJDZKET0C0PV338SJC2WWXJEX69ZQACQZP61R-KGJSZ2";

#[cfg(not(feature = "bare"))]
fn check(key: &str, public_key: &[u8; 32]) -> u32 {
    /// A time at which the sample key is valid (the vectors' `now`).
    const NOW: u64 = 1_811_808_000;
    use glpi_key::{TrustStore, TrustedKey, UnixTime, UnverifiedKey, VerifyOptions};
    let Ok(trusted) = TrustedKey::from_public_key_bytes(public_key) else {
        return 1;
    };
    let trust = TrustStore::with(trusted);
    let Ok(key) = UnverifiedKey::parse(key) else {
        return 2;
    };
    match key.verify(&trust, &VerifyOptions::at(UnixTime::from_secs(NOW))) {
        Ok(license) => license.entitlements().bits(),
        Err(_) => 3,
    }
}

/// The floor: one raw `verify_strict` of a 64-byte signature over the rest of `key`'s
/// bytes, with no parsing or checks.
#[cfg(feature = "bare")]
fn check(key: &str, public_key: &[u8; 32]) -> u32 {
    use ed25519_dalek::{Signature, VerifyingKey};
    let Some((msg, sig)) = key.as_bytes().split_last_chunk::<64>() else {
        return 2;
    };
    let Ok(vk) = VerifyingKey::from_bytes(public_key) else {
        return 1;
    };
    match vk.verify_strict(msg, &Signature::from_bytes(sig)) {
        Ok(()) => 0,
        Err(_) => 3,
    }
}

#[entry]
fn main() -> ! {
    let outcome = check(black_box(KEY), black_box(&PUBLIC_KEY));
    black_box(outcome);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
