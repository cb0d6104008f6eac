//! Issuer key files: the signing key (PKCS#8 PEM, mode 0600) and public keys (SPKI PEM or
//! 64 hex digits).

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use glpi_key::{KeyId, TrustStore, TrustedKey};
use glpi_key_issuer::atomic::{self, Existing};
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::files;

/// Public key files are small; anything bigger is the wrong file.
const MAX_PUBLIC_KEY_FILE: u64 = 16 * 1024;

/// A trusted issuer key and where it came from.
pub struct TrustSource {
    /// The key id.
    pub key_id: KeyId,
    /// The file (or inline value) it was read from.
    pub origin: String,
}

/// Reads every `--trust` value into a store. A value is a file holding a PEM public key
/// (`-----BEGIN PUBLIC KEY-----`) or 64 hex digits; a value that is not a file but is
/// itself 64 hex digits is taken as the key.
pub fn load_trust(values: &[String]) -> Result<(TrustStore, Vec<TrustSource>), Failure> {
    let mut store = TrustStore::new();
    let mut sources = Vec::new();
    for value in values {
        let bytes = read_public_key(value)?;
        let key = TrustedKey::from_public_key_bytes(&bytes)
            .map_err(|e| Failure::usage(format!("trust key {value}: {e}")))?;
        store
            .add(key)
            .map_err(|e| Failure::usage(format!("trust key {value}: {e}")))?;
        sources.push(TrustSource {
            key_id: key.key_id(),
            origin: value.clone(),
        });
    }
    Ok((store, sources))
}

fn read_public_key(value: &str) -> Result<[u8; 32], Failure> {
    let path = Path::new(value);
    if !path.exists() {
        if let Some(bytes) = parse_hex32(value) {
            return Ok(bytes);
        }
        return Err(Failure::usage(format!(
            "trust key file {value} does not exist"
        ))
        .hint("give the issuer's public key file (PEM, as written by `glpi-key keygen`) or its 64 hex digits"));
    }
    let meta = fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read trust key file {value}: {e}")))?;
    if !meta.is_file() || meta.len() > MAX_PUBLIC_KEY_FILE {
        return Err(Failure::usage(format!(
            "{value} is not a public key file (a directory, or far too large)"
        )));
    }
    let text = fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read trust key file {value}: {e}")))?;
    let wrong_file = || {
        Failure::usage(format!(
            "{value} holds no Ed25519 public key: expected a PEM \"PUBLIC KEY\" block or 64 hex digits"
        ))
    };
    if text.contains("PRIVATE KEY") {
        return Err(Failure::usage(format!(
            "{value} is a private (signing) key, not a public key"
        ))
        .hint("give the .pub file written next to it by `glpi-key keygen`; never copy the signing key to the machines that verify"));
    }
    if text.contains("-----BEGIN") {
        let key = VerifyingKey::from_public_key_pem(text.trim()).map_err(|_| wrong_file())?;
        return Ok(key.to_bytes());
    }
    parse_hex32(text.trim()).ok_or_else(wrong_file)
}

/// 64 hex digits as 32 bytes.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the issuer signing key: opened once, never through a link, and refused unless the
/// open file is private to this user in a directory others cannot change
/// ([`files::read_private`]).
pub fn load_signing_key(path: &Path) -> Result<SigningKey, Failure> {
    let shown = path.display();
    let bytes = Zeroizing::new(files::read_private(path, MAX_PUBLIC_KEY_FILE)?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::usage(format!("{shown} is not a signing key file (not text)")))?;
    SigningKey::from_pkcs8_pem(text.trim()).map_err(|_| {
        Failure::usage(format!(
            "{shown} is not an Ed25519 signing key in PKCS#8 PEM form (\"PRIVATE KEY\")"
        ))
        .hint("make an issuer key with: glpi-key keygen --out issuer.key")
    })
}

/// The signing key as RFC 8410 PKCS#8 v1 PEM (`PrivateKeyInfo`, no public key): the form
/// `openssl genpkey -algorithm ed25519` writes and every standard tool reads (OpenSSL 3.0's
/// `openssl pkey` and Python's `cryptography` refuse the v2 `OneAsymmetricKey` form).
/// Reading accepts both.
pub fn pkcs8_v1_pem(signing: &SigningKey) -> Result<Zeroizing<String>, Failure> {
    let bytes = ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: signing.to_bytes(),
        public_key: None,
    };
    bytes
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| Failure::usage(format!("cannot encode the signing key: {e}")))
}

/// What `keygen` wrote.
pub struct NewIssuer {
    /// The signing key file.
    pub secret_path: PathBuf,
    /// The public key file.
    pub public_path: PathBuf,
    /// The public key in PEM form.
    pub public_pem: String,
    /// The 32-byte public key.
    pub public_key: [u8; 32],
}

/// Makes a new issuer key from OS randomness and writes both files.
pub fn keygen(out: &Path, force: bool) -> Result<NewIssuer, Failure> {
    let public_path = out.with_extension("pub");
    if public_path == out {
        return Err(Failure::usage(format!(
            "{} would be overwritten by the public key: name the signing key file something.key",
            out.display()
        )));
    }
    let existing = if force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    for p in [out, public_path.as_path()] {
        // symlink_metadata: a dangling link counts as "there" (it would be written through).
        // Both files are checked before either is written, so a refusal writes nothing.
        let meta = std::fs::symlink_metadata(p);
        if meta.as_ref().is_ok_and(|m| !m.is_file()) {
            return Err(Failure::usage(format!(
                "{} is a symbolic link or not a regular file; refusing to write through it",
                p.display()
            )));
        }
        if meta.is_ok() && !force {
            return Err(Failure::usage(format!(
                "{} already exists (or is a symbolic link); refusing to overwrite it",
                p.display()
            ))
            .hint("choose another --out, or pass --force to replace the existing key (the old key is lost)"));
        }
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(seed.as_mut())
        .map_err(|e| Failure::usage(format!("the system random generator failed: {e}")))?;
    let signing = SigningKey::from_bytes(&seed);
    let pem = pkcs8_v1_pem(&signing)?;
    let verifying = signing.verifying_key();
    let public_pem = public_pem(&verifying.to_bytes())?;
    write_file(out, pem.as_bytes(), 0o600, existing)?;
    write_file(&public_path, public_pem.as_bytes(), 0o644, existing)?;
    Ok(NewIssuer {
        secret_path: out.to_path_buf(),
        public_path,
        public_pem,
        public_key: verifying.to_bytes(),
    })
}

/// The SPKI PEM form of a public key.
pub fn public_pem(public_key: &[u8; 32]) -> Result<String, Failure> {
    VerifyingKey::from_bytes(public_key)
        .map_err(|_| Failure::usage("the public key is not a valid Ed25519 point"))?
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Failure::usage(format!("cannot encode the public key: {e}")))
}

/// Writes a file atomically, never through a symbolic link (the shared
/// `glpi_key_issuer::atomic` module: temporary file, fsync, rename, fsync of the directory).
pub fn write_file(path: &Path, bytes: &[u8], mode: u32, existing: Existing) -> Result<(), Failure> {
    atomic::write_file(path, bytes, mode, existing).map_err(|e| {
        let f = Failure::usage(format!("cannot write {}: {e}", path.display()));
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            f.hint("choose another file name, or pass --force to replace a regular file")
        } else {
            f
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes: [u8; 32] = core::array::from_fn(|i| i as u8 * 7);
        assert_eq!(parse_hex32(&hex(&bytes)), Some(bytes));
        assert_eq!(parse_hex32(&hex(&bytes).to_uppercase()), Some(bytes));
        assert_eq!(parse_hex32("00"), None);
        assert_eq!(parse_hex32(&"g".repeat(64)), None);
    }
}
