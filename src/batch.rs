//! Verifying many keys at once (feature `batch`; with `parallel`, across cores).
//!
//! One Ed25519 batch check costs much less than the same number of single checks. When the
//! batch check fails, every key in it is checked on its own, so one bad key does not hide
//! which keys are good: the results are always per key, in input order.
//!
//! The checks before and after the signature are exactly those of
//! [`UnverifiedKey::verify`]. The signature step differs in one respect that only the holder
//! of an issuer's secret key can reach: the batch equation (cofactorless, random 128-bit
//! coefficients, as in `ed25519_dalek::verify_batch`) may accept a signature whose nonce point
//! was built with a small-order component, which `verify_strict` always refuses. Nobody
//! without the issuer's secret key can make such a signature, and signatures made by
//! [`Issuer`](crate::Issuer) never have one.

use alloc::vec::Vec;

use ed25519_dalek::{Signature, VerifyingKey};

use crate::error::Error;
use crate::key::{UnverifiedKey, SIGNING_INPUT_MAX};
use crate::trust::{TrustStore, TrustedKey};
use crate::verify::{License, VerifyOptions};

/// Keys per batch in [`verify_batch_parallel`]: large enough that the batch equation pays
/// off (its gain levels out past a few dozen keys), small enough to spread over cores.
#[cfg(feature = "parallel")]
pub const PARALLEL_CHUNK: usize = 64;

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
    // Step 1, per key: the checks before the signature, and the signed bytes.
    let mut results: Vec<Result<&TrustedKey, Error>> = Vec::with_capacity(keys.len());
    let mut inputs: Vec<([u8; SIGNING_INPUT_MAX], usize)> = Vec::new();
    let mut signatures: Vec<Signature> = Vec::new();
    let mut verifying_keys: Vec<VerifyingKey> = Vec::new();
    for key in keys {
        let step = key.issuer_in(trust, options).and_then(|issuer| {
            let mut buf = [0u8; SIGNING_INPUT_MAX];
            let len = key.signing_input(&mut buf)?.len();
            inputs.push((buf, len));
            signatures.push(Signature::from_bytes(key.signature()));
            verifying_keys.push(*issuer.verifying_key());
            Ok(issuer)
        });
        results.push(step);
    }

    // Step 2: one batch check for every key that reached the signature; on failure, one
    // strict check per key tells which ones are bad.
    let batch_ok = match signatures.len() {
        0 => true,
        // A batch of one costs more than a single check and says no more.
        1 => false,
        _ => {
            let messages: Vec<&[u8]> = inputs
                .iter()
                .map(|(buf, len)| buf.get(..*len).unwrap_or_default())
                .collect();
            ed25519_dalek::verify_batch(&messages, &signatures, &verifying_keys).is_ok()
        }
    };

    // Step 3, per key: the claims checks, exactly as in `verify`.
    keys.iter()
        .zip(results)
        .map(|(key, step)| {
            let issuer = step?;
            if !batch_ok {
                key.check_signature(issuer)?;
            }
            key.check_claims(issuer, options)
        })
        .collect()
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
        let text = crate::text::Text::new(&body, crate::key::KEY_HRP, crate::TextStyle::Compact);
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
