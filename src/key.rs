//! A key read from text whose signature has not been checked yet.

use ed25519_dalek::Signature;

use crate::base32;
use crate::checksum::CHECK_LEN;
use crate::claims::{Claims, KeyKind, MAX_CLAIMS_LEN, MIN_CLAIMS_LEN};
use crate::envelope::{self, Envelope, HEADER_LEN, MAX_TAG_LEN, SIGNATURE_LEN};
use crate::error::{ChecksumError, Correction, CorrectionStatus, Error};
use crate::serial::{ShortId, SERIAL_SYMBOLS};
use crate::text::{Scan, Text, TextSpec, TextStyle, GROUP_LEN, PREFIX};
use crate::trust::{KeyId, TrustStore, TrustedKey};
use crate::verify::{License, VerifyOptions};

/// The longest decoded key body: header, claims and signature.
pub const MAX_BODY_LEN: usize = HEADER_LEN + MAX_CLAIMS_LEN + SIGNATURE_LEN;

/// The shortest decoded key body.
pub const MIN_BODY_LEN: usize = HEADER_LEN + MIN_CLAIMS_LEN + SIGNATURE_LEN;

/// Symbols in the longest key's body.
pub const MAX_BODY_SYMBOLS: usize = base32::symbols_for_bytes(MAX_BODY_LEN);

/// The longest key in canonical text form, in characters (`GLPI-`, body, `-`, check).
pub const MAX_KEY_LEN: usize = PREFIX.len() + 1 + MAX_BODY_SYMBOLS + 1 + CHECK_LEN;

/// The longest key in grouped text form, in characters.
pub const MAX_GROUPED_KEY_LEN: usize = MAX_KEY_LEN + MAX_BODY_SYMBOLS.div_ceil(GROUP_LEN) - 1;

/// The longest signing input: domain tag, separator, header, claims.
pub(crate) const SIGNING_INPUT_MAX: usize = MAX_TAG_LEN + 1 + MAX_BODY_LEN;

/// Checksum domain of keys.
pub(crate) const KEY_HRP: &str = "glpi";

pub(crate) const KEY_TEXT: TextSpec = TextSpec::new(KEY_HRP, MIN_BODY_LEN, MAX_BODY_LEN);

/// Most symbols in a key's text, check included.
const KEY_SYMBOLS: usize = KEY_TEXT.max_symbols();

/// A key whose text form, check symbols and header are valid, but whose signature has not been
/// checked. Nothing read from it can be trusted: its accessors say so in their names. Call
/// [`verify`](UnverifiedKey::verify) to get a [`License`].
///
/// Holds the decoded body in a fixed buffer ([`MAX_BODY_LEN`] bytes); never allocates.
#[derive(Clone)]
pub struct UnverifiedKey {
    body: [u8; MAX_BODY_LEN],
    len: usize,
    kind: KeyKind,
    key_id: KeyId,
}

impl core::fmt::Debug for UnverifiedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UnverifiedKey")
            .field("text", &format_args!("{}", self.text(TextStyle::Compact)))
            .finish()
    }
}

impl PartialEq for UnverifiedKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for UnverifiedKey {}

impl UnverifiedKey {
    /// Reads a key from text: prefix, characters, length, check symbols, header.
    ///
    /// On a typo, the error names the symbol that is probably wrong when exactly one
    /// single-symbol change fixes the check; use [`parse_with_trust`](Self::parse_with_trust) to
    /// also confirm such a suggestion against a trusted signature.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut symbols = [0u8; KEY_SYMBOLS];
        let scan = Scan::new(text, &mut symbols)?;
        if scan.count() == SERIAL_SYMBOLS + CHECK_LEN {
            if let Some(id) = ShortId::recognise(&scan) {
                return Err(Error::ShortIdNotKey(id));
            }
        }
        let mut body = [0u8; MAX_BODY_LEN];
        let len = scan.decode(&KEY_TEXT, &mut body)?;
        Self::from_body(body, len)
    }

    /// Like [`parse`](Self::parse), but when the check fails and one symbol is suspected, the
    /// corrected key is checked against `trust`: if its signature verifies, the suggestion is
    /// marked [`CorrectionStatus::ConfirmedBySignature`]; if it fails, the suggestion is
    /// dropped (the typo was longer than one symbol). The key is never accepted corrected.
    pub fn parse_with_trust(text: &str, trust: &TrustStore) -> Result<Self, Error> {
        let err = match Self::parse(text) {
            Err(Error::Checksum(ChecksumError {
                suggestion: Some(c),
            })) => c,
            other => return other,
        };
        let mut buf = [0u8; crate::text::MAX_INPUT_LEN];
        let mut symbols = [0u8; KEY_SYMBOLS];
        let corrected = Scan::new(text, &mut symbols)
            .ok()
            .and_then(|scan| scan.corrected_into(&err, &mut buf))
            .and_then(|fixed| Self::parse(fixed).ok());
        let suggestion = match corrected {
            // The corrected text is no valid key either: the suggestion cannot be right.
            None => None,
            Some(key) => match trust.get(key.key_id) {
                None => Some(err),
                Some(issuer) if key.check_signature(issuer).is_ok() => Some(Correction {
                    status: CorrectionStatus::ConfirmedBySignature,
                    ..err
                }),
                Some(_) => None,
            },
        };
        Err(ChecksumError { suggestion }.into())
    }

    fn from_body(body: [u8; MAX_BODY_LEN], len: usize) -> Result<Self, Error> {
        let env = Envelope::split(body.get(..len).unwrap_or_default())?;
        let kind = KeyKind::from_object_kind(env.kind).ok_or(Error::WrongObjectKind {
            found: env.kind,
            expected: None,
        })?;
        let key_id = env.key_id;
        if env.payload.len() < MIN_CLAIMS_LEN {
            return Err(Error::WrongLength {
                symbols: base32::symbols_for_bytes(len) + CHECK_LEN,
            });
        }
        Ok(UnverifiedKey {
            body,
            len,
            kind,
            key_id,
        })
    }

    /// The decoded body: header, claims, signature.
    pub fn as_bytes(&self) -> &[u8] {
        self.body.get(..self.len).unwrap_or_default()
    }

    /// The key as text, for display or writing into a buffer.
    pub fn text(&self, style: TextStyle) -> Text<'_> {
        Text::new(self.as_bytes(), KEY_HRP, style)
    }

    /// The kind the header claims (unverified).
    pub fn unverified_kind(&self) -> KeyKind {
        self.kind
    }

    /// The issuer key id the header claims (unverified).
    pub fn unverified_key_id(&self) -> KeyId {
        self.key_id
    }

    /// The short ID of the serial the key claims (unverified), if the serial is in range.
    pub fn unverified_short_id(&self) -> Option<ShortId> {
        Claims::peek_serial(self.payload()).map(|s| s.short_id())
    }

    /// The claims, decoded without checking the signature: anyone can forge these. For
    /// support tools that must show what a key says before it can be verified.
    pub fn unverified_claims(&self) -> Result<Claims<'_>, Error> {
        Ok(Claims::decode(self.kind, self.payload())?)
    }

    /// Verifies the key offline: issuer lookup by key id, strict Ed25519 signature over the
    /// raw bytes, then (only then) the claims are decoded and checked against `options`:
    /// issuer key window, validity period, instance binding and GLPI version.
    pub fn verify(
        &self,
        trust: &TrustStore,
        options: &VerifyOptions,
    ) -> Result<License<'_>, Error> {
        let issuer = self.issuer_in(trust, options)?;
        self.check_signature(issuer)?;
        self.check_claims(issuer, options)
    }

    /// The checks before the signature: the kind asked for, then the issuer by key id.
    /// Shared with batch verification.
    pub(crate) fn issuer_in<'t>(
        &self,
        trust: &'t TrustStore,
        options: &VerifyOptions,
    ) -> Result<&'t TrustedKey, Error> {
        if let Some(expected) = options.kind {
            if expected != self.kind {
                return Err(Error::WrongObjectKind {
                    found: self.kind.object_kind(),
                    expected: Some(expected.object_kind()),
                });
            }
        }
        trust.get(self.key_id).ok_or(Error::UnknownIssuer {
            key_id: self.key_id,
        })
    }

    /// The checks after the signature: claims decoding, then the time, instance and version
    /// checks. Only call once the signature under `issuer` has checked out.
    pub(crate) fn check_claims(
        &self,
        issuer: &TrustedKey,
        options: &VerifyOptions,
    ) -> Result<License<'_>, Error> {
        let claims = Claims::decode(self.kind, self.payload())?;
        crate::verify::check_claims(claims, issuer, options)
    }

    /// Writes the exact bytes the signature covers into `buf`.
    pub(crate) fn signing_input<'b>(
        &self,
        buf: &'b mut [u8; SIGNING_INPUT_MAX],
    ) -> Result<&'b [u8], Error> {
        envelope::signing_input(self.kind.object_kind(), self.header(), self.payload(), buf)
            .ok_or(Error::BadSignature)
    }

    /// Checks the signature under `issuer` with strict Ed25519 verification.
    pub(crate) fn check_signature(&self, issuer: &TrustedKey) -> Result<(), Error> {
        let mut buf = [0u8; SIGNING_INPUT_MAX];
        let msg = self.signing_input(&mut buf)?;
        issuer
            .verifying_key()
            .verify_strict(msg, &Signature::from_bytes(self.signature()))
            .map_err(|_| Error::BadSignature)
    }

    pub(crate) fn header(&self) -> &[u8; HEADER_LEN] {
        self.body
            .first_chunk::<HEADER_LEN>()
            .unwrap_or(&[0; HEADER_LEN])
    }

    pub(crate) fn payload(&self) -> &[u8] {
        let end = self.len.saturating_sub(SIGNATURE_LEN);
        self.body.get(HEADER_LEN..end).unwrap_or_default()
    }

    pub(crate) fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        self.as_bytes()
            .last_chunk::<SIGNATURE_LEN>()
            .unwrap_or(&[0; SIGNATURE_LEN])
    }

    /// Builds a key from its signed parts (used by the issuer). `Ok(None)` when the claims do
    /// not fit a body; a signer's error is passed on (no key without a real signature).
    pub(crate) fn from_parts<E>(
        kind: KeyKind,
        key_id: KeyId,
        claims: &[u8],
        sign: impl FnOnce(&[u8]) -> Result<[u8; SIGNATURE_LEN], E>,
    ) -> Result<Option<Self>, E> {
        let header = envelope::header(kind.object_kind(), key_id);
        let mut buf = [0u8; MAX_TAG_LEN + 1 + MAX_BODY_LEN];
        let Some(input) = envelope::signing_input(kind.object_kind(), &header, claims, &mut buf)
        else {
            return Ok(None);
        };
        let len = HEADER_LEN + claims.len() + SIGNATURE_LEN;
        if len > MAX_BODY_LEN {
            return Ok(None);
        }
        let signature = sign(input)?;
        let mut body = [0u8; MAX_BODY_LEN];
        let Some(used) = body.get_mut(..len) else {
            return Ok(None);
        };
        let (h, rest) = used.split_at_mut(HEADER_LEN);
        let (c, s) = rest.split_at_mut(claims.len());
        h.copy_from_slice(&header);
        c.copy_from_slice(claims);
        s.copy_from_slice(&signature);
        Ok(Some(UnverifiedKey {
            body,
            len,
            kind,
            key_id,
        }))
    }
}

impl core::str::FromStr for UnverifiedKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}
