//! Verification never touches the heap: parsing and verifying a key, on success and on each
//! kind of failure, makes zero heap allocations. A counting global allocator watches.

use std::alloc::System;

use glpi_key::{
    Claims, Entitlements, InstanceId, Issuer, KeyKind, Serial, TextStyle, Tier, TrustStore,
    UnixTime, UnverifiedKey, VerifyOptions,
};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap allocations (and reallocations) made while `f` runs.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let region = Region::new(GLOBAL);
    let out = f();
    let stats = region.change();
    (out, stats.allocations + stats.reallocations)
}

/// The fewest allocations seen in up to three runs of `f`. The counter is global: the test
/// harness's main thread may allocate while it starts waiting for this test's thread (seen
/// under coverage instrumentation, which slows everything). Verification is deterministic,
/// so an allocation of its own shows in every run; one by another thread does not.
fn fewest_allocations<T>(f: impl Fn() -> T) -> (T, usize) {
    let (mut out, mut fewest) = allocations(&f);
    for _ in 0..2 {
        if fewest == 0 {
            break;
        }
        let (o, n) = allocations(&f);
        (out, fewest) = (o, fewest.min(n));
    }
    (out, fewest)
}

#[test]
fn parse_and_verify_make_no_heap_allocations() {
    // The counter sees allocations at all (so a zero below means something).
    let (boxed, n) = allocations(|| Box::new([1u8; 64]));
    assert!(n >= 1, "the counting allocator saw no allocation for a Box");
    drop(boxed);

    let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
    let issued_at = UnixTime::from_date(2026, 11, 23).unwrap();
    let instance = InstanceId::parse("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b").unwrap();
    let mut claims = Claims::new(
        Serial::new(42).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        issued_at,
    );
    claims.expires_at = UnixTime::from_date(2027, 11, 23);
    claims.instance = Some(instance);
    claims.entitlements = Entitlements::MARKETPLACE | Entitlements::L3_SUPPORT;
    let text = issuer
        .issue(&claims)
        .unwrap()
        .text(TextStyle::Grouped)
        .to_string();
    let other = Issuer::from_secret_key_bytes(&[9u8; 32]);
    let trust = TrustStore::with(issuer.trusted_key().unwrap());
    let wrong_trust = TrustStore::with(other.trusted_key().unwrap());
    let good = VerifyOptions::at(UnixTime::from_date(2027, 6, 1).unwrap()).with_instance(instance);
    let late = VerifyOptions::at(UnixTime::from_date(2028, 1, 1).unwrap());
    // One symbol changed: the check fails, and parse_with_trust tries the correction.
    let mut typo = text.clone().into_bytes();
    let i = typo.len() / 2;
    typo[i] = if typo[i] == b'7' { b'8' } else { b'7' };
    let typo = String::from_utf8(typo).unwrap();

    let (codes, n) = fewest_allocations(|| {
        let key = UnverifiedKey::parse(&text)?;
        let ok = key.verify(&trust, &good).map(|l| l.owner().len());
        let expired = key.verify(&trust, &late).err().map(|e| e.code());
        let unknown = key.verify(&wrong_trust, &good).err().map(|e| e.code());
        let typo = UnverifiedKey::parse_with_trust(&typo, &trust)
            .err()
            .map(|e| e.code());
        let garbage = UnverifiedKey::parse("GLPI-not a key")
            .err()
            .map(|e| e.code());
        Ok::<_, glpi_key::Error>((ok, expired, unknown, typo, garbage))
    });
    assert_eq!(n, 0, "parse + verify allocated {n} times");
    let (ok, expired, unknown, typo, garbage) = codes.unwrap();
    assert_eq!(ok, Ok("ACME Corp".len()));
    assert!(expired.is_some() && unknown.is_some() && typo.is_some() && garbage.is_some());
    #[cfg(feature = "tables")]
    verifying_with_tables_makes_no_heap_allocations();
}

/// With precomputed tables, building them allocates; verifying with them does not. Called from
/// the one test of this file: the counter is global, so a second test running beside it
/// would count its allocations.
#[cfg(feature = "tables")]
fn verifying_with_tables_makes_no_heap_allocations() {
    let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
    let claims = Claims::new(
        Serial::new(43).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        UnixTime::from_date(2026, 11, 23).unwrap(),
    );
    let text = issuer
        .issue(&claims)
        .unwrap()
        .text(TextStyle::Compact)
        .to_string();
    let mut trust = TrustStore::with(issuer.trusted_key().unwrap());
    let ((), built) = allocations(|| trust.precompute(glpi_key::TableSize::Small));
    assert!(built > 0);
    let options = VerifyOptions::at(UnixTime::from_date(2027, 6, 1).unwrap());
    let (serial, n) = fewest_allocations(|| {
        UnverifiedKey::parse(&text).and_then(|k| k.verify(&trust, &options).map(|l| l.serial()))
    });
    assert_eq!(n, 0, "verifying with tables allocated {n} times");
    assert_eq!(serial.unwrap().value(), 43);
}
