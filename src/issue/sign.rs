//! Where the issuer's secret lives: anything that makes Ed25519 signatures.
//!
//! An [`Issuer`](crate::Issuer) signs keys and revocation lists through the [`Sign`] trait, so
//! the core does not care whether the secret key is in memory (an ed25519-dalek
//! [`SigningKey`], read from a file) or in a hardware security module reached through
//! PKCS#11 (the `glpi-key-issuer` crate). A signature from a signer outside this process is
//! checked against the signer's public key before the key or list is released
//! ([`IssueError::SignatureMismatch`](crate::IssueError::SignatureMismatch)), so a wrong key
//! object or a faulty device never produces a key that no site accepts.

use ed25519_dalek::{Signer, SigningKey};

use crate::error::SignerError;
use crate::wire::envelope::SIGNATURE_LEN;

/// Something that signs with one Ed25519 key (pure Ed25519, RFC 8032: the message itself, not
/// its hash, as PKCS#11's `CKM_EDDSA` without parameters does).
///
/// ```
/// use glpi_key::{Claims, Issuer, KeyKind, Serial, Sign, SignerError, Tier, UnixTime};
///
/// /// A signer kept elsewhere (here: a key in memory, standing in for a device).
/// struct Device(ed25519_dalek::SigningKey);
///
/// impl Sign for Device {
///     fn public_key(&self) -> [u8; 32] {
///         self.0.verifying_key().to_bytes()
///     }
///     fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
///         use ed25519_dalek::Signer;
///         Ok(self.0.sign(message).to_bytes())
///     }
/// }
///
/// let issuer = Issuer::from_signer(Device(ed25519_dalek::SigningKey::from_bytes(&[7; 32])));
/// let claims = Claims::new(Serial::new(1).unwrap(), KeyKind::InstanceRegistration,
///                          Tier::Basic, "ACME", UnixTime::from_date(2027, 1, 1).unwrap());
/// let key = issuer.issue(&claims)?; // signed by the device, checked before it is returned
/// # Ok::<(), glpi_key::IssueError>(())
/// ```
pub trait Sign {
    /// Whether the issuer checks each signature against [`public_key`](Self::public_key)
    /// before releasing a key or list. Keep the default (`true`) for every signer outside
    /// this process; only an in-memory ed25519-dalek key, whose signatures are computed here
    /// from the same secret as its public key, turns it off.
    const CHECK_SIGNATURES: bool = true;

    /// The 32-byte Ed25519 public key the signatures verify under.
    fn public_key(&self) -> [u8; 32];

    /// Signs `message` with pure Ed25519 and returns the 64-byte signature.
    fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], SignerError>;
}

impl Sign for SigningKey {
    const CHECK_SIGNATURES: bool = false;

    fn public_key(&self) -> [u8; 32] {
        self.verifying_key().to_bytes()
    }

    fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], SignerError> {
        Ok(self.sign(message).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use core::cell::Cell;
    use std::string::ToString;
    use std::vec;

    use super::*;
    use crate::{
        max_revocation_list_len, Claims, IssueError, Issuer, KeyKind, NewRevocationList, Serial,
        TextStyle, Tier, TrustStore, UnixTime, UnverifiedKey, VerifyOptions,
    };

    /// A signer outside the process, with the faults a device can have.
    struct Device {
        key: SigningKey,
        fault: Fault,
        calls: Cell<u32>,
    }

    #[derive(Clone, Copy)]
    enum Fault {
        None,
        /// Returns an error (token removed, session closed).
        Refuses,
        /// Signs with another key than the one it names (wrong object).
        OtherKey,
        /// Returns a signature with one bit flipped.
        FlipsABit,
    }

    impl Device {
        fn new(fault: Fault) -> Self {
            Device {
                key: SigningKey::from_bytes(&[7; 32]),
                fault,
                calls: Cell::new(0),
            }
        }
    }

    impl Sign for Device {
        fn public_key(&self) -> [u8; 32] {
            self.key.verifying_key().to_bytes()
        }

        fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
            self.calls.set(self.calls.get() + 1);
            match self.fault {
                Fault::None => Ok(self.key.sign(message).to_bytes()),
                Fault::Refuses => Err(SignerError::with_code("the token was removed", 0xe0)),
                Fault::OtherKey => Ok(SigningKey::from_bytes(&[8; 32]).sign(message).to_bytes()),
                Fault::FlipsABit => {
                    let mut s = self.key.sign(message).to_bytes();
                    s[40] ^= 1;
                    Ok(s)
                }
            }
        }
    }

    fn claims() -> Claims<'static> {
        Claims::new(
            Serial::new(77).unwrap(),
            KeyKind::InstanceRegistration,
            Tier::Advanced,
            "ACME Corp",
            UnixTime::from_date(2027, 1, 1).unwrap(),
        )
    }

    #[test]
    fn an_external_signer_gives_the_same_key_as_the_file_key() {
        let file = Issuer::from_secret_key_bytes(&[7; 32]);
        let device = Issuer::from_signer(Device::new(Fault::None));
        assert_eq!(file.key_id(), device.key_id());
        let a = file.issue(&claims()).unwrap();
        let b = device.issue(&claims()).unwrap();
        let text = b.text(TextStyle::Compact).to_string();
        assert_eq!(a.text(TextStyle::Compact).to_string(), text);
        let trust = TrustStore::with(device.trusted_key().unwrap());
        let now = UnixTime::from_date(2027, 6, 1).unwrap();
        let key = UnverifiedKey::parse(&text).unwrap();
        let license = key.verify(&trust, &VerifyOptions::at(now)).unwrap();
        assert_eq!(license.owner(), "ACME Corp");
    }

    #[test]
    fn a_signer_error_is_passed_on_and_no_key_is_made() {
        let issuer = Issuer::from_signer(Device::new(Fault::Refuses));
        let e = issuer.issue(&claims()).unwrap_err();
        assert_eq!(
            e,
            IssueError::Signer(SignerError::with_code("the token was removed", 0xe0))
        );
        assert_eq!(
            e.to_string(),
            "the signer could not sign: the token was removed (code 0xe0)"
        );
        let mut out = [0u8; 64];
        assert!(matches!(
            issuer.issue_into(&claims(), TextStyle::Compact, &mut out),
            Err(IssueError::Signer(_))
        ));
    }

    #[test]
    fn a_wrong_signature_is_caught_before_release() {
        for fault in [Fault::OtherKey, Fault::FlipsABit] {
            let issuer = Issuer::from_signer(Device::new(fault));
            assert_eq!(
                issuer.issue(&claims()).unwrap_err(),
                IssueError::SignatureMismatch
            );
            let serials = [Serial::new(5).unwrap()];
            let list = NewRevocationList {
                sequence: 1,
                issued_at: UnixTime::from_date(2027, 1, 1).unwrap(),
                next_update: None,
                serials: &serials,
            };
            let mut out = vec![0u8; max_revocation_list_len(1)];
            assert_eq!(
                issuer.issue_revocation_list(&list, &mut out).unwrap_err(),
                IssueError::SignatureMismatch
            );
        }
    }

    #[test]
    fn lists_signed_by_a_device_verify() {
        let device = Device::new(Fault::None);
        let issuer = Issuer::from_signer(device);
        let serials = [Serial::new(5).unwrap(), Serial::new(9).unwrap()];
        let list = NewRevocationList {
            sequence: 4,
            issued_at: UnixTime::from_date(2027, 1, 1).unwrap(),
            next_update: None,
            serials: &serials,
        };
        let mut out = vec![0u8; max_revocation_list_len(2)];
        let issued = issuer.issue_revocation_list(&list, &mut out).unwrap();
        let trust = TrustStore::with(issuer.trusted_key().unwrap());
        let verified = issued.verify(&trust).unwrap();
        assert!(verified.contains(Serial::new(9).unwrap()));
        assert_eq!(issuer.signer().calls.get(), 1);
    }

    #[test]
    fn a_signer_whose_public_key_is_not_a_point_cannot_sign() {
        struct Broken;
        impl Sign for Broken {
            fn public_key(&self) -> [u8; 32] {
                // y = 2 is not on the curve.
                let mut k = [0u8; 32];
                k[0] = 2;
                k
            }
            fn sign_ed25519(&self, _: &[u8]) -> Result<[u8; 64], SignerError> {
                Ok([1; 64])
            }
        }
        let e = Issuer::from_signer(Broken).issue(&claims()).unwrap_err();
        assert!(matches!(e, IssueError::Signer(_)), "{e:?}");
    }
}
