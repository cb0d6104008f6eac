//! Verifying many keys at once (feature `batch`; with `parallel`, across cores).
//!
//! One Ed25519 batch check costs much less than the same number of single checks. When the
//! batch check fails, every key in it is checked on its own, so one bad key does not hide
//! which keys are good: the results are always per key, in input order.
//!
//! # The batch equation
//! Each signature `(R, s)` by issuer key `A` over a message with challenge
//! `k = SHA-512(R || A || M) mod l` must satisfy `[s]B = R + [k]A`. The batch check takes
//! 128-bit coefficients `z_i` and tests `[-Σ z_i s_i]B + Σ [z_i]R_i + Σ [z_i k_i]A_i = 0` in one
//! multi-scalar multiplication, as `ed25519_dalek::verify_batch` does, with one difference
//! that roughly halves the work: the keys of a batch nearly always share one or two issuer
//! keys, so the terms of each distinct `A` are added first (`[Σ z_i k_i]A`, one point per
//! issuer), and the multiplication has `n + 1 + issuers` points instead of `2n + 1`. This is
//! written here with curve25519-dalek's primitives because ed25519-dalek's `verify_batch`
//! takes one verifying key per signature and cannot merge them.
//!
//! The coefficients are derived, as in ed25519-dalek, by hashing every challenge and `s` of
//! the batch (Fiat-Shamir): nobody can choose a signature after seeing them.
//!
//! # How it differs from `verify_strict`
//! The checks before and after the signature are exactly those of [`UnverifiedKey::verify`].
//! Before the batch, each signature must also pass what `verify_strict` checks cheaply: `s`
//! canonical, `R` a canonical encoding of a point that is not of small order; any that fails
//! is checked on its own and refused. The batch equation itself is cofactorless, like
//! `verify_strict`; but a nonce point `R` built with a small-order component could pass it
//! when the coefficients cancel that component, which `verify_strict` always refuses. So
//! each `R` must also be torsion-free (`[l]R = 0`) to enter the batch; one that is not is
//! checked on its own and refused: the batch verdict is always the single verdict
//! (FORMAT.md section 6). Only the holder of an issuer's secret key can make such a
//! signature, and signatures made by [`Issuer`](crate::Issuer) never have one. The check is
//! one variable-time scalar multiplication per key, about what the batch equation saves: the
//! batch is now only slightly faster than one-by-one verification (FORMAT.md 6.1 gives the
//! measured figures).

use alloc::vec::Vec;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

use crate::error::Error;
use crate::trust::store::{TrustStore, TrustedKey};
use crate::verify::key::UnverifiedKey;
use crate::verify::license::License;
use crate::verify::options::VerifyOptions;

/// Keys per batch in [`verify_batch_parallel`]: large enough that the batch equation pays
/// off (its gain levels out past a few dozen keys), small enough to spread over cores.
#[cfg(feature = "parallel")]
pub(crate) const PARALLEL_CHUNK: usize = 64;

/// Domain of the hash that derives the batch coefficients.
const COEFFICIENT_DOMAIN: &[u8] = b"glpi-key/v1/batch-coefficients";

/// Verifies every key in `keys` like [`UnverifiedKey::verify`], checking the signatures of
/// all keys that reach that step in one Ed25519 batch. Returns one result per key, in order.
///
/// When the batch check fails, each of those keys is checked on its own with strict
/// verification, so a bad key gets [`Error::BadSignature`] and the good ones still verify.
/// Allocates (the batch needs its inputs side by side); use [`UnverifiedKey::verify`] where
/// allocation is not allowed.
///
/// ```
/// # use glpi_key::{Claims, Issuer, KeyKind, Serial, Tier, TrustStore, UnixTime, VerifyOptions};
/// let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
/// let at = UnixTime::from_date(2026, 11, 23).unwrap();
/// let keys: Vec<_> = (1..=3)
///     .map(|n| {
///         let claims = Claims::new(Serial::new(n).unwrap(), KeyKind::InstanceRegistration,
///                                  Tier::Standard, "ACME Corp", at);
///         issuer.issue(&claims).unwrap()
///     })
///     .collect();
/// let trust = TrustStore::with(issuer.trusted_key()?);
/// let results = glpi_key::verify_batch(&keys, &trust, &VerifyOptions::at(at));
/// assert!(results.iter().all(|r| r.is_ok()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_batch<'k>(
    keys: &'k [UnverifiedKey],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Vec<Result<License<'k>, Error>> {
    // With precomputed tables (`TrustStore::precompute`), one strict check per key is faster
    // than the batch equation, which must also check every `R` for a torsion component so
    // that its verdicts equal the single ones (spec/FORMAT.md 6.1): measured in one
    // interleaved run, 0.71 against 0.94 of a raw `verify_strict` per key for 64 distinct
    // keys (benches/TABLES.md). Such a store then skips the batch.
    #[cfg(feature = "tables")]
    let use_batch = trust.table_size().is_none();
    #[cfg(not(feature = "tables"))]
    let use_batch = true;
    // Step 1, per key: the checks before the signature, then the signature's parts.
    let mut steps: Vec<Result<(&TrustedKey, bool), Error>> = Vec::with_capacity(keys.len());
    let mut batch: Vec<Prepared<'_>> = Vec::with_capacity(keys.len());
    for key in keys {
        steps.push(key.issuer_in(trust, options).map(|issuer| {
            let prepared = if use_batch {
                Prepared::new(key, issuer)
            } else {
                None
            };
            let in_batch = prepared.is_some();
            batch.extend(prepared);
            (issuer, in_batch)
        }));
    }

    // Step 2: one batch check for every key that reached it; a batch of one costs more than
    // a single check and says no more.
    let batch_ok = batch.len() > 1 && batch_equation_holds(&batch);

    // Step 3, per key: a single strict check unless the batch vouched for the signature,
    // then the claims checks, exactly as in `verify`.
    keys.iter()
        .zip(steps)
        .map(|(key, step)| {
            let (issuer, in_batch) = step?;
            if !(in_batch && batch_ok) {
                key.check_signature(trust, issuer)?;
            }
            key.check_claims(issuer, options)
        })
        .collect()
}

/// One signature ready for the batch equation.
struct Prepared<'t> {
    issuer: &'t TrustedKey,
    /// The signature's nonce point.
    r: EdwardsPoint,
    /// The signature's scalar.
    s: Scalar,
    /// The challenge `SHA-512(R || A || M) mod l`.
    k: Scalar,
}

impl<'t> Prepared<'t> {
    /// Decodes the signature of `key` and computes its challenge; `None` when `s` or `R` fails
    /// a check `verify_strict` also makes (the key is then checked, and refused, on its own).
    fn new(key: &UnverifiedKey, issuer: &'t TrustedKey) -> Option<Self> {
        let signature = key.signature();
        let (r_bytes, s_bytes) = signature.split_first_chunk::<32>()?;
        let s_bytes = <[u8; 32]>::try_from(s_bytes).ok()?;
        let s = Option::from(Scalar::from_canonical_bytes(s_bytes))?;
        if !is_canonical_point_encoding(r_bytes) {
            return None;
        }
        let r = CompressedEdwardsY(*r_bytes).decompress()?;
        // A nonce point with a small-order component fails the single (cofactorless)
        // equation, but in the batch its component is multiplied by `z_i` and cancels when
        // `z_i` is a multiple of its order (one batch in two for order 2), or against another
        // key's component: the verdict would depend on the neighbours. FORMAT.md 6 requires
        // the batch verdict to be the single one, so such an `R` is checked (and refused) on
        // its own.
        if r.is_small_order() || !is_torsion_free(&r) {
            return None;
        }
        let mut h = Sha512::new()
            .chain_update(r_bytes)
            .chain_update(issuer.verifying_key().as_bytes());
        for part in key.signing_input_parts() {
            h.update(part);
        }
        let challenge: [u8; 64] = h.finalize().into();
        Some(Prepared {
            issuer,
            r,
            s,
            k: Scalar::from_bytes_mod_order_wide(&challenge),
        })
    }
}

/// Whether `[l]P` is the identity, in variable time (`P` is public): `[l - 1]P = -P`. About
/// half the cost of curve25519-dalek's constant-time `is_torsion_free`.
fn is_torsion_free(p: &EdwardsPoint) -> bool {
    let l_minus_one = -Scalar::ONE;
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&l_minus_one, p, &Scalar::ZERO) == -p
}

/// Whether 32 bytes are the canonical encoding of a curve point's y coordinate (below
/// `p = 2^255 - 19`, sign bit aside). `verify_strict` refuses other encodings of `R` because
/// it compares `R` byte for byte; the decompression used here would accept them.
fn is_canonical_point_encoding(bytes: &[u8; 32]) -> bool {
    // y >= p only when bytes 1..31 are all 0xff, the top byte is 0x7f and the first is
    // at least 0xed (p = 0x7fff..ffed, little-endian).
    let (first, rest) = bytes.split_first().unwrap_or((&0, &[]));
    let (top, middle) = rest.split_last().unwrap_or((&0, &[]));
    !(top & 0x7f == 0x7f && middle.iter().all(|&b| b == 0xff) && *first >= 0xed)
}

/// The coefficients `z_i`: 128 bits each, four per SHA-512 output, from a hash of every
/// challenge and `s` in the batch.
fn coefficients(batch: &[Prepared<'_>]) -> Vec<Scalar> {
    let mut seed = Sha512::new();
    seed.update(COEFFICIENT_DOMAIN);
    seed.update((batch.len() as u64).to_le_bytes());
    for p in batch {
        seed.update(p.k.as_bytes());
        seed.update(p.s.as_bytes());
    }
    let seed = seed.finalize();
    let mut out = Vec::with_capacity(batch.len());
    let mut block = 0u64;
    while out.len() < batch.len() {
        let bytes: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update(block.to_le_bytes())
            .finalize()
            .into();
        let room = batch.len() - out.len();
        out.extend(
            bytes
                .chunks_exact(16)
                .take(room)
                .map(|z| Scalar::from(<[u8; 16]>::try_from(z).map_or(0, u128::from_le_bytes))),
        );
        block += 1;
    }
    out
}

/// `[-Σ z_i s_i]B + Σ [z_i]R_i + Σ_A [Σ_{A_i = A} z_i k_i]A == 0`, one point per distinct
/// issuer key.
fn batch_equation_holds(batch: &[Prepared<'_>]) -> bool {
    let z = coefficients(batch);
    let mut b_coefficient = Scalar::ZERO;
    let mut issuers: Vec<(&TrustedKey, Scalar)> = Vec::new();
    for (p, z) in batch.iter().zip(&z) {
        b_coefficient -= z * p.s;
        let zk = z * p.k;
        let same = |key: &&TrustedKey| key.verifying_key() == p.issuer.verifying_key();
        match issuers.iter_mut().find(|(key, _)| same(key)) {
            Some((_, sum)) => *sum += zk,
            None => issuers.push((p.issuer, zk)),
        }
    }
    let scalars = core::iter::once(b_coefficient)
        .chain(z.iter().copied())
        .chain(issuers.iter().map(|(_, sum)| *sum));
    let points = core::iter::once(ED25519_BASEPOINT_POINT)
        .chain(batch.iter().map(|p| p.r))
        .chain(
            issuers
                .iter()
                .map(|(key, _)| key.verifying_key().to_edwards()),
        );
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// Like [`verify_batch`], spread over the cores with rayon in batches of
/// [`PARALLEL_CHUNK`] keys. Returns one result per key, in input order.
#[cfg(feature = "parallel")]
pub fn verify_batch_parallel<'k>(
    keys: &'k [UnverifiedKey],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Vec<Result<License<'k>, Error>> {
    use rayon::prelude::*;
    let per_chunk: Vec<Vec<Result<License<'k>, Error>>> = keys
        .par_chunks(PARALLEL_CHUNK)
        .map(|chunk| verify_batch(chunk, trust, options))
        .collect();
    per_chunk.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::key::SIGNING_INPUT_MAX;
    use crate::{Claims, Issuer, KeyKind, Serial, Tier, UnixTime};

    fn at() -> UnixTime {
        UnixTime::from_date(2026, 11, 23).unwrap()
    }

    fn keys(issuer: &Issuer, n: u64) -> Vec<UnverifiedKey> {
        (1..=n)
            .map(|i| {
                let mut claims = Claims::new(
                    Serial::new(i).unwrap(),
                    KeyKind::InstanceRegistration,
                    Tier::Standard,
                    "ACME Corp",
                    at(),
                );
                // Perpetual, one day, two days.
                claims.expires_at =
                    (i % 3 != 0).then(|| at().saturating_add_secs(86_400 * (i % 3)));
                issuer.issue(&claims).unwrap()
            })
            .collect()
    }

    /// A key with one signature byte flipped (still parses: the body is re-encoded).
    fn tamper(key: &UnverifiedKey) -> UnverifiedKey {
        let mut body = key.as_bytes().to_vec();
        let last = body.len() - 1;
        body[last] ^= 0x01;
        let text = crate::text::writer::Text::new(
            &body,
            crate::text::spec::KEY_HRP,
            crate::TextStyle::Compact,
        );
        UnverifiedKey::parse(&std::string::ToString::to_string(&text)).unwrap()
    }

    /// The key with its signature replaced (still parses: the body is re-encoded).
    fn with_signature(key: &UnverifiedKey, signature: [u8; 64]) -> UnverifiedKey {
        let mut body = key.as_bytes().to_vec();
        let start = body.len() - 64;
        body[start..].copy_from_slice(&signature);
        let text = crate::text::writer::Text::new(
            &body,
            crate::text::spec::KEY_HRP,
            crate::TextStyle::Compact,
        );
        UnverifiedKey::parse(&std::string::ToString::to_string(&text)).unwrap()
    }

    fn codes(results: &[Result<License<'_>, Error>]) -> Vec<&'static str> {
        results
            .iter()
            .map(|r| r.as_ref().map_or_else(|e| e.code(), |_| "valid"))
            .collect()
    }

    fn singles(
        keys: &[UnverifiedKey],
        trust: &TrustStore,
        options: &VerifyOptions,
    ) -> Vec<&'static str> {
        let results: Vec<_> = keys.iter().map(|k| k.verify(trust, options)).collect();
        codes(&results)
    }

    #[test]
    fn all_good_keys_verify_with_their_claims() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let keys = keys(&issuer, 10);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let results = verify_batch(&keys, &trust, &options);
        assert_eq!(results.len(), 10);
        for (key, result) in keys.iter().zip(&results) {
            let single = key.verify(&trust, &options);
            assert_eq!(result, &single);
        }
    }

    #[test]
    fn one_bad_signature_does_not_hide_the_good_keys() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let mut keys = keys(&issuer, 8);
        keys[5] = tamper(&keys[5]);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let results = verify_batch(&keys, &trust, &options);
        let got = codes(&results);
        assert_eq!(got[5], Error::BadSignature.code());
        assert_eq!(got, singles(&keys, &trust, &options));
        assert_eq!(got.iter().filter(|c| **c == "valid").count(), 7);
    }

    /// The attack random coefficients stop: two forged signatures whose errors cancel in
    /// the sum. Adding `d` to one key's `s` and subtracting it from another's leaves
    /// `Σ z_i s_i` unchanged whenever their coefficients are equal, so the batch equation
    /// would hold for two invalid signatures. Every pair of positions in a batch larger than
    /// one block of coefficients (four per hash) is tried.
    #[test]
    fn forged_signatures_whose_errors_cancel_are_refused() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let good = keys(&issuer, 9);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let d = Scalar::from(12_345u64);
        let shifted = |key: &UnverifiedKey, by: Scalar| {
            let body = key.as_bytes();
            let mut sig: [u8; 64] = body[body.len() - 64..].try_into().unwrap();
            let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
            sig[32..].copy_from_slice((s + by).as_bytes());
            with_signature(key, sig)
        };
        for i in 0..good.len() {
            for j in i + 1..good.len() {
                let mut batch = good.clone();
                batch[i] = shifted(&good[i], d);
                batch[j] = shifted(&good[j], -d);
                let got = codes(&verify_batch(&batch, &trust, &options));
                assert_eq!(got[i], Error::BadSignature.code(), "forged pair ({i}, {j})");
                assert_eq!(got[j], Error::BadSignature.code(), "forged pair ({i}, {j})");
                assert_eq!(got, singles(&batch, &trust, &options));
            }
        }
    }

    /// A store with precomputed tables verifies one key at a time (faster than the batch
    /// equation there), with the same verdicts as without tables.
    #[cfg(feature = "tables")]
    #[test]
    fn a_store_with_tables_gives_the_same_verdicts() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let mut keys = keys(&issuer, 8);
        keys[2] = tamper(&keys[2]);
        let plain = TrustStore::with(issuer.trusted_key().unwrap());
        let mut tables = plain.clone();
        tables.precompute(crate::TableSize::Small);
        let options = VerifyOptions::at(at());
        let with_tables = verify_batch(&keys, &tables, &options);
        assert_eq!(with_tables, verify_batch(&keys, &plain, &options));
        assert_eq!(codes(&with_tables), singles(&keys, &plain, &options));
        assert_eq!(codes(&with_tables)[2], Error::BadSignature.code());
    }

    #[test]
    fn non_signature_errors_match_single_verification() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let other = Issuer::from_secret_key_bytes(&[9u8; 32]);
        let mut keys = keys(&issuer, 6);
        // Unknown issuer, in the middle of the batch.
        keys.insert(2, self::keys(&other, 1).remove(0));
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        // A day later: the keys with a one-day validity have expired, the others are good.
        let options = VerifyOptions::at(at().saturating_add_secs(86_400));
        let got = codes(&verify_batch(&keys, &trust, &options));
        assert_eq!(got, singles(&keys, &trust, &options));
        assert!(got.contains(&"valid"));
        assert!(got.contains(
            &Error::UnknownIssuer {
                key_id: other.key_id()
            }
            .code()
        ));
        assert!(got.len() == 7 && got.iter().filter(|c| **c != "valid").count() >= 2);
        // Asking for the other kind refuses every key before the signature.
        let options = VerifyOptions::at(at()).with_kind(KeyKind::AgentEnrollment);
        let got = codes(&verify_batch(&keys, &trust, &options));
        assert_eq!(got, singles(&keys, &trust, &options));
        assert!(got.iter().all(|c| *c == got[0] && *c != "valid"));
    }

    #[test]
    fn empty_and_single_batches() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        assert!(verify_batch(&[], &trust, &options).is_empty());
        let good = keys(&issuer, 1);
        assert_eq!(codes(&verify_batch(&good, &trust, &options)), ["valid"]);
        let bad = [tamper(&good[0])];
        assert_eq!(
            codes(&verify_batch(&bad, &trust, &options)),
            [Error::BadSignature.code()]
        );
    }

    #[test]
    fn keys_of_several_issuers_in_one_batch() {
        let a = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let b = Issuer::from_secret_key_bytes(&[8u8; 32]);
        let c = Issuer::from_secret_key_bytes(&[9u8; 32]);
        let mut trust = TrustStore::with(a.trusted_key().unwrap());
        trust.add(b.trusted_key().unwrap()).unwrap();
        trust.add(c.trusted_key().unwrap()).unwrap();
        let options = VerifyOptions::at(at());
        // Interleaved, so the sums per issuer collect terms from all over the batch.
        let (ka, kb, kc) = (keys(&a, 9), keys(&b, 9), keys(&c, 1));
        let mut all: Vec<UnverifiedKey> = Vec::new();
        for i in 0..9 {
            all.push(ka[i].clone());
            all.push(kb[i].clone());
        }
        all.push(kc[0].clone());
        assert_eq!(
            codes(&verify_batch(&all, &trust, &options)),
            singles(&all, &trust, &options)
        );
        assert!(verify_batch(&all, &trust, &options)
            .iter()
            .all(Result::is_ok));
        // The batch equation itself holds (the verdicts above do not show it: a failed
        // equation falls back to single checks, which give the same verdicts more slowly).
        let prepare = |keys: &[UnverifiedKey]| -> Vec<Prepared<'_>> {
            keys.iter()
                .map(|k| Prepared::new(k, k.issuer_in(&trust, &options).unwrap()).unwrap())
                .collect()
        };
        assert!(batch_equation_holds(&prepare(&all)));
        // A signature by the right issuer over another key's bytes: only the batch knows
        // the issuers apart by their sums, and it must still catch it.
        let mut swapped = all.clone();
        swapped[3] = with_signature(&swapped[3], *swapped[1].signature());
        let got = codes(&verify_batch(&swapped, &trust, &options));
        assert_eq!(got, singles(&swapped, &trust, &options));
        assert_eq!(got[3], Error::BadSignature.code());
        assert_eq!(got.iter().filter(|c| **c == "valid").count(), all.len() - 1);
        assert!(!batch_equation_holds(&prepare(&swapped)));
    }

    #[test]
    fn signatures_strict_verification_refuses_are_refused() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let good = keys(&issuer, 6);
        let signature = *good[0].signature();
        let mut bad = good.clone();
        // s not reduced: s + l has the same value mod l but is not canonical.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut s_plus_l = signature;
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(s_plus_l[32 + i]) + u16::from(l[i]) + carry;
            s_plus_l[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        bad[1] = with_signature(&good[0], s_plus_l);
        // R the identity point (small order), s zero.
        let mut small_order = [0u8; 64];
        small_order[0] = 1;
        bad[2] = with_signature(&good[0], small_order);
        // R a non-canonical encoding (y = p + 1, which decompresses to the identity).
        let mut non_canonical = [0xffu8; 64];
        non_canonical[0] = 0xee;
        non_canonical[31] = 0x7f;
        non_canonical[32..].fill(0);
        bad[3] = with_signature(&good[0], non_canonical);
        let got = codes(&verify_batch(&bad, &trust, &options));
        assert_eq!(got, singles(&bad, &trust, &options));
        assert_eq!(
            got,
            [
                "valid",
                "bad-signature",
                "bad-signature",
                "bad-signature",
                "valid",
                "valid"
            ]
        );
    }

    /// The key re-signed by `seed`'s issuer with nonce point `R = [r]B + T`, `S` recomputed
    /// (`S = r + k·a`): the cofactored equation holds, the cofactorless one does not.
    fn with_mixed_order_nonce(
        key: &UnverifiedKey,
        seed: &[u8; 32],
        torsion: &EdwardsPoint,
        r: u64,
    ) -> UnverifiedKey {
        let h: [u8; 64] = Sha512::digest(seed).into();
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        let a = Scalar::from_bytes_mod_order(a);
        let r = Scalar::from(r);
        let big_r = (ED25519_BASEPOINT_POINT * r + torsion).compress();
        let public = (ED25519_BASEPOINT_POINT * a).compress();
        let mut buf = [0u8; SIGNING_INPUT_MAX];
        let k: [u8; 64] = Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(public.as_bytes())
            .chain_update(key.signing_input(&mut buf))
            .finalize()
            .into();
        let s = r + Scalar::from_bytes_mod_order_wide(&k) * a;
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(big_r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        with_signature(key, signature)
    }

    #[test]
    fn nonce_points_with_a_small_order_component_are_refused_as_alone() {
        // Points of order 2 and 8 (y = -1; y of the eighth-order point of the ed25519 torsion).
        let order2 = CompressedEdwardsY({
            let mut y = [0xffu8; 32];
            y[0] = 0xec;
            y[31] = 0x7f;
            y
        })
        .decompress()
        .unwrap();
        let order8 = curve25519_dalek::constants::EIGHT_TORSION[1];
        assert!(order2.is_small_order() && !order2.is_identity());
        let seed = [7u8; 32];
        let issuer = Issuer::from_secret_key_bytes(&seed);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let good = keys(&issuer, 8);
        // Each bad key alone among good ones, and all of them together (their components
        // cancel in pairs): in every batch, every verdict is the single verdict.
        for torsion in [order2, order8] {
            let bad: Vec<_> = good
                .iter()
                .enumerate()
                .map(|(i, k)| with_mixed_order_nonce(k, &seed, &torsion, 1000 + i as u64))
                .collect();
            assert!(singles(&bad, &trust, &options)
                .iter()
                .all(|c| *c == "bad-signature"));
            assert_eq!(
                codes(&verify_batch(&bad, &trust, &options)),
                singles(&bad, &trust, &options)
            );
            for i in 0..good.len() {
                let mut mixed = good.clone();
                mixed[i] = bad[i].clone();
                let got = codes(&verify_batch(&mixed, &trust, &options));
                assert_eq!(got, singles(&mixed, &trust, &options), "bad key {i}");
                assert_eq!(got[i], "bad-signature");
            }
        }
    }

    #[test]
    fn canonical_point_encodings() {
        let p: [u8; 32] = core::array::from_fn(|i| match i {
            0 => 0xed,
            31 => 0x7f,
            _ => 0xff,
        });
        let with = |first: u8, top: u8| {
            let mut b = p;
            b[0] = first;
            b[31] = top;
            b
        };
        assert!(is_canonical_point_encoding(&[0u8; 32]));
        assert!(is_canonical_point_encoding(&with(0xec, 0x7f))); // p - 1
        assert!(is_canonical_point_encoding(&with(0xec, 0xff))); // p - 1, sign bit set
        assert!(!is_canonical_point_encoding(&p));
        assert!(!is_canonical_point_encoding(&with(0xee, 0x7f))); // p + 1
        assert!(!is_canonical_point_encoding(&with(0xff, 0xff))); // 2^255 - 1, sign bit set
        let mut below = p;
        below[17] = 0xfe; // below p in a middle byte
        assert!(is_canonical_point_encoding(&below));
    }

    #[test]
    fn agrees_with_ed25519_dalek_batch_on_the_same_signatures() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let vk = *issuer.trusted_key().unwrap().verifying_key();
        let mut keys = keys(&issuer, 12);
        let dalek = |keys: &[UnverifiedKey]| {
            let inputs: Vec<Vec<u8>> = keys
                .iter()
                .map(|k| {
                    let mut buf = [0u8; crate::verify::key::SIGNING_INPUT_MAX];
                    k.signing_input(&mut buf).to_vec()
                })
                .collect();
            let messages: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            let signatures: Vec<ed25519_dalek::Signature> = keys
                .iter()
                .map(|k| ed25519_dalek::Signature::from_bytes(k.signature()))
                .collect();
            ed25519_dalek::verify_batch(&messages, &signatures, &alloc::vec![vk; keys.len()])
                .is_ok()
        };
        let ours = |keys: &[UnverifiedKey]| {
            let batch: Vec<_> = keys
                .iter()
                .map(|k| Prepared::new(k, trust.get(k.unverified_key_id()).unwrap()).unwrap())
                .collect();
            batch_equation_holds(&batch)
        };
        assert!(dalek(&keys) && ours(&keys));
        // Every single bit of the signature and of the signed bytes, in turn, in one key.
        for bit in [0, 7, 8 * 31 + 6, 8 * 32, 8 * 40 + 3, 8 * 63 + 3] {
            let mut sig = *keys[4].signature();
            sig[bit / 8] ^= 1 << (bit % 8);
            let original = keys[4].clone();
            keys[4] = with_signature(&original, sig);
            let prepared = Prepared::new(&keys[4], trust.get(keys[4].unverified_key_id()).unwrap());
            assert!(!dalek(&keys), "bit {bit}");
            if prepared.is_some() {
                assert!(!ours(&keys), "bit {bit}");
            }
            assert_eq!(
                codes(&verify_batch(&keys, &trust, &options))[4],
                Error::BadSignature.code()
            );
            keys[4] = original;
        }
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn parallel_keeps_order_and_per_key_results() {
        let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
        let mut keys = keys(&issuer, 130);
        for i in [0, 70, 129] {
            keys[i] = tamper(&keys[i]);
        }
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let options = VerifyOptions::at(at());
        let results = verify_batch_parallel(&keys, &trust, &options);
        assert_eq!(codes(&results), singles(&keys, &trust, &options));
        for (key, result) in keys.iter().zip(&results) {
            if let Ok(license) = result {
                assert_eq!(
                    license.serial(),
                    key.verify(&trust, &options).unwrap().serial()
                );
            }
        }
    }
}
