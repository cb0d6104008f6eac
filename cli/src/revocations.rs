//! Revocation lists: reading one for `verify --revocations`, and signing one for `revoke`.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use glpi_key::{
    max_revocation_list_len, Issuer, NewRevocationList, RevocationList, Serial, Sign, TextStyle,
    TrustStore, UnixTime, UnverifiedRevocationList, LIST_FILE_MAGIC, MAX_LIST_SERIALS,
    MAX_TEXT_LIST_LEN, MAX_TEXT_LIST_SERIALS,
};

use crate::failure::Failure;
use crate::signer::SigningKey;
use crate::{input, with_issuer, RevokeArgs};

/// The bytes of a revocation list file (either form), and room to decode a text form.
pub struct ListFile {
    path: String,
    bytes: Vec<u8>,
    buf: Vec<u8>,
}

impl ListFile {
    /// Reads the file (text form `GLPI-…`, or the binary file form).
    pub fn read(path: &str) -> Result<Self, Failure> {
        let limit = max_revocation_list_len(MAX_LIST_SERIALS) as u64;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
            .map_err(|e| Failure::usage(format!("cannot read revocation list {path}: {e}")))?;
        Ok(ListFile {
            path: path.to_owned(),
            bytes,
            buf: vec![0u8; MAX_TEXT_LIST_LEN],
        })
    }

    /// Parses and verifies the list against `trust`. A list that cannot be used is a usage
    /// error (exit 2): the key's status cannot be decided without it.
    pub fn verify(&mut self, trust: &TrustStore) -> Result<RevocationList<'_>, Failure> {
        let path = &self.path;
        let unverified = if self.bytes.starts_with(&LIST_FILE_MAGIC) {
            UnverifiedRevocationList::from_file_bytes(&self.bytes)
        } else {
            let text = String::from_utf8_lossy(&self.bytes);
            UnverifiedRevocationList::parse_text(&text, &mut self.buf)
        };
        unverified
            .and_then(|list| list.verify(trust))
            .map_err(|e| {
                Failure::usage(format!("revocation list {path}: {e}")).hint(
                    "give the list as published by the issuer (`glpi-key revoke` writes its text or file form)",
                )
            })
    }
}

/// One line for the claims table, and the warning when a newer list is due.
pub fn describe(list: &RevocationList<'_>, now: UnixTime) -> (String, Option<String>) {
    let row = format!(
        "not revoked (list {}, issued {}, {})",
        list.sequence(),
        list.issued_at(),
        count_serials(list.len())
    );
    let warning = match list.next_update() {
        Some(next) if list.is_due(now) => Some(format!(
            "the revocation list (number {}) announced its next update for {next}: get the current list from the vendor",
            list.sequence()
        )),
        _ => None,
    };
    (row, warning)
}

/// `1 serial`, `3 serials`.
fn count_serials(n: usize) -> String {
    if n == 1 {
        "1 serial".to_owned()
    } else {
        format!("{n} serials")
    }
}

/// Serials from a file: one serial or short ID per line; blank lines and `#` comments skipped.
fn serials_from_file(path: &Path) -> Result<Vec<Serial>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read serials file {shown}: {e}")))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        out.push(
            input::serial(line)
                .map_err(|e| Failure::usage(format!("{shown}, line {}: {e}", n + 1)))?,
        );
    }
    Ok(out)
}

pub fn revoke(out: &mut String, a: &RevokeArgs) -> Result<(), Failure> {
    let key = SigningKey::open(&a.signing_key)?;
    with_issuer!(key, |issuer| revoke_with(out, a, &issuer))
}

fn revoke_with<S: Sign>(
    out: &mut String,
    a: &RevokeArgs,
    issuer: &Issuer<S>,
) -> Result<(), Failure> {
    let mut serials = a.serials.clone();
    if let Some(path) = &a.from_file {
        serials.extend(serials_from_file(path)?);
    }
    serials.sort();
    serials.dedup();
    let issued_at = a.issued_at.unwrap_or_else(UnixTime::now);
    let new = NewRevocationList {
        sequence: a.sequence,
        issued_at,
        next_update: a.next_update,
        serials: &serials,
    };
    let mut buf = vec![0u8; max_revocation_list_len(serials.len())];
    let list = issuer
        .issue_revocation_list(&new, &mut buf)
        .map_err(Failure::usage)?;
    match &a.out {
        None => {
            let style = if a.grouped {
                TextStyle::Grouped
            } else {
                TextStyle::Compact
            };
            let text = list.text(style).ok_or_else(|| {
                Failure::usage(format!(
                    "{} serials are too many for the text form of a list (at most {MAX_TEXT_LIST_SERIALS} always fit)",
                    serials.len()
                ))
                .hint("write the list as a file with --out FILE")
            })?;
            let _ = writeln!(out, "{text}");
        }
        Some(path) => {
            // Atomic, never through a link; without --force, nothing already there is replaced.
            crate::files::write_atomic(path, &list.to_file_bytes(), 0o644, a.force)?;
            let _ = writeln!(
                out,
                "Wrote revocation list {} ({}, signed by issuer key {}) to {}",
                a.sequence,
                count_serials(serials.len()),
                issuer.key_id(),
                path.display()
            );
        }
    }
    Ok(())
}
