//! A key read from text whose signature has not been checked yet.

use crate::encoding::base32;
use crate::encoding::checksum::CHECK_LEN;
use crate::error::{ChecksumError, Correction, CorrectionStatus, Error};
use crate::model::ids::KeyId;
use crate::model::kind::KeyKind;
use crate::model::serial::{ShortId, SERIAL_SYMBOLS};
use crate::text::reader::Scan;
use crate::text::spec::{TextSpec, TextStyle, GROUP_LEN, KEY_HRP, MAX_INPUT_LEN, PREFIX};
use crate::text::writer::Text;
use crate::trust::store::{TrustStore, TrustedKey};
use crate::verify::license::{check_claims, License};
use crate::verify::options::VerifyOptions;
use crate::verify::revocation::RevocationList;
use crate::verify::signed;
use crate::wire::claims::{Claims, MAX_CLAIMS_LEN, MIN_CLAIMS_LEN};
use crate::wire::envelope::{self, Envelope, HEADER_LEN, SIGNATURE_LEN, TAG_ROOM};

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
pub(crate) const SIGNING_INPUT_MAX: usize = TAG_ROOM + MAX_BODY_LEN - SIGNATURE_LEN;

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
    /// Bytes of `body` in use: between [`MIN_BODY_LEN`] and [`MAX_BODY_LEN`]. Set only by
    /// `from_body` and `from_parts`, which check it; every split below relies on it.
    len: usize,
    kind: KeyKind,
    key_id: KeyId,
    /// The last [`SIGNATURE_LEN`] bytes of the body, taken once as an array.
    signature: [u8; SIGNATURE_LEN],
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
        let mut buf = [0u8; MAX_INPUT_LEN];
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
        let wrong_length = Error::WrongLength {
            symbols: envelope::symbols_with_check(len),
        };
        let env = Envelope::split(body.get(..len).ok_or(wrong_length)?)?;
        let kind = KeyKind::from_object_kind(env.kind).ok_or(Error::WrongObjectKind {
            found: env.kind,
            expected: None,
        })?;
        if env.payload.len() < MIN_CLAIMS_LEN {
            return Err(wrong_length);
        }
        Ok(UnverifiedKey {
            kind,
            key_id: env.key_id,
            signature: *env.signature,
            body,
            len,
        })
    }

    /// The decoded body: header, claims, signature.
    pub fn as_bytes(&self) -> &[u8] {
        self.body.split_at(self.len).0
    }

    /// Header and claims: the signed bytes of the body (the signature follows them).
    fn signed_part(&self) -> &[u8] {
        self.as_bytes().split_at(self.len - SIGNATURE_LEN).0
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

    /// Like [`verify`](UnverifiedKey::verify), and also refuses a key whose serial is in
    /// `revocations` ([`Error::Revoked`], naming the key's short ID and the list's sequence
    /// number). The list is checked right after the signature, before the time checks: a
    /// revoked key is reported as revoked even when it has also expired.
    pub fn verify_with_revocations(
        &self,
        trust: &TrustStore,
        options: &VerifyOptions,
        revocations: Option<&RevocationList<'_>>,
    ) -> Result<License<'_>, Error> {
        let issuer = self.issuer_in(trust, options)?;
        self.check_signature(issuer)?;
        let claims = Claims::decode(self.kind, self.payload())?;
        if let Some(list) = revocations {
            list.check(claims.serial)?;
        }
        check_claims(claims, issuer, options)
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
        signed::issuer(trust, self.key_id)
    }

    /// The checks after the signature: claims decoding, then the time, instance and version
    /// checks. Only call once the signature under `issuer` has checked out.
    pub(crate) fn check_claims(
        &self,
        issuer: &TrustedKey,
        options: &VerifyOptions,
    ) -> Result<License<'_>, Error> {
        let claims = Claims::decode(self.kind, self.payload())?;
        check_claims(claims, issuer, options)
    }

    /// Writes the exact bytes the signature covers into `buf`.
    pub(crate) fn signing_input<'b>(&self, buf: &'b mut [u8; SIGNING_INPUT_MAX]) -> &'b [u8] {
        envelope::signing_input(self.kind.object_kind(), self.signed_part(), buf)
    }

    /// Checks the signature under `issuer` with strict Ed25519 verification.
    pub(crate) fn check_signature(&self, issuer: &TrustedKey) -> Result<(), Error> {
        let mut buf = [0u8; SIGNING_INPUT_MAX];
        signed::check_signature(issuer, self.signing_input(&mut buf), &self.signature)
    }

    /// The claims: the body between header and signature.
    pub(crate) fn payload(&self) -> &[u8] {
        self.signed_part().split_at(HEADER_LEN).1
    }

    #[cfg(feature = "batch")]
    pub(crate) fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// Builds a key from its signed parts (used by the issuer). `claims` must be at most
    /// [`MAX_CLAIMS_LEN`] bytes: [`Claims::encode`] never writes more.
    pub(crate) fn from_parts(
        kind: KeyKind,
        key_id: KeyId,
        claims: &[u8],
        sign: impl FnOnce(&[u8]) -> [u8; SIGNATURE_LEN],
    ) -> Result<Self, Error> {
        let len = HEADER_LEN + claims.len() + SIGNATURE_LEN;
        let mut body = [0u8; MAX_BODY_LEN];
        let used = body.get_mut(..len).ok_or(Error::WrongLength {
            symbols: envelope::symbols_with_check(len),
        })?;
        let (signed, signature_slot) = used.split_at_mut(len - SIGNATURE_LEN);
        let (header, claims_slot) = signed.split_at_mut(HEADER_LEN);
        header.copy_from_slice(&envelope::header(kind.object_kind(), key_id));
        claims_slot.copy_from_slice(claims);
        let mut buf = [0u8; SIGNING_INPUT_MAX];
        signature_slot.copy_from_slice(&sign(envelope::signing_input(
            kind.object_kind(),
            signed,
            &mut buf,
        )));
        Self::from_body(body, len)
    }
}

impl core::str::FromStr for UnverifiedKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}
