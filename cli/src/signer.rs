//! The issuer's signing key, wherever it lives: a PKCS#8 PEM file, or a key in a PKCS#11
//! token named by an RFC 7512 URI (`pkcs11:token=…;object=…`). The token's module and PIN
//! come from the environment (`GLPI_KEY_PKCS11_MODULE`, `GLPI_KEY_PKCS11_PIN_FILE` or
//! `GLPI_KEY_PKCS11_PIN`), never from the command line.

use std::path::Path;

use glpi_key_issuer::pkcs11::{
    Pkcs11Config, Pkcs11Error, Pkcs11Signer, Pkcs11Uri, MODULE_ENV, PIN_FILE_ENV,
};

use crate::failure::Failure;
use crate::keyfile;

/// A signing key, opened.
pub enum SigningKey {
    /// A PEM file's key, in memory (boxed: one allocation per command, and the secret stays
    /// in one place until it is dropped and zeroized).
    File(Box<ed25519_dalek::SigningKey>),
    /// A key in a PKCS#11 token, logged in.
    Pkcs11(Box<Pkcs11Signer>),
}

impl SigningKey {
    /// Opens `--signing-key VALUE`: a `pkcs11:` URI, or a file path.
    pub fn open(value: &str) -> Result<Self, Failure> {
        if Pkcs11Uri::is_uri(value) {
            let uri = Pkcs11Uri::parse(value).map_err(pkcs11_failure)?;
            let config = Pkcs11Config::from_env().map_err(pkcs11_failure)?;
            let signer = Pkcs11Signer::open(&uri, &config).map_err(pkcs11_failure)?;
            Ok(SigningKey::Pkcs11(Box::new(signer)))
        } else {
            let key = keyfile::load_signing_key(Path::new(value))?;
            Ok(SigningKey::File(Box::new(key)))
        }
    }
}

/// Runs `$body` with `$issuer` bound to an `Issuer` over the opened key (each signer keeps
/// its own type: a file key skips the signature re-check that a token's signatures get).
#[macro_export]
macro_rules! with_issuer {
    ($key:expr, |$issuer:ident| $body:expr) => {
        match $key {
            $crate::signer::SigningKey::File(k) => {
                let $issuer = glpi_key::Issuer::from_signing_key(*k);
                $body
            }
            $crate::signer::SigningKey::Pkcs11(s) => {
                let $issuer = glpi_key::Issuer::from_signer(*s);
                $body
            }
        }
    };
}

/// A PKCS#11 error as a usage failure, with the hint that helps.
pub fn pkcs11_failure(e: Pkcs11Error) -> Failure {
    let hint = match &e {
        Pkcs11Error::NoModule | Pkcs11Error::ModuleMissing(_) => Some(format!(
            "export {MODULE_ENV}=/path/to/the/vendor's/pkcs11-module.so"
        )),
        Pkcs11Error::NoToken { .. } => Some(
            "for SoftHSM2, check SOFTHSM2_CONF points at the configuration that holds the token"
                .to_owned(),
        ),
        Pkcs11Error::WrongPin { .. } | Pkcs11Error::NoPin { .. } => Some(format!(
            "put the user PIN alone in a file (chmod 600) and export {PIN_FILE_ENV}=that-file"
        )),
        _ => None,
    };
    let f = Failure::usage(e);
    match hint {
        Some(h) => f.hint(h),
        None => f,
    }
}
