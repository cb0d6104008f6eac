//! Why a key was refused, in words for the administrator who pasted it.

use core::fmt;

use crate::model::ids::{InstanceId, KeyId};
use crate::model::kind::ObjectKind;
use crate::model::limits::{FORMAT_VERSION, MAX_LIST_SERIALS, MAX_OWNER_LEN, MAX_TRUSTED_KEYS};
use crate::model::serial::{Serial, ShortId};
use crate::model::time::UnixTime;
use crate::model::version::{GlpiVersion, VersionRange};

/// Everything that can make a key text fail to parse or verify.
///
/// Every variant carries the values that explain it, and its [`Display`](fmt::Display) says
/// what went wrong and what to do. [`Error::code`] gives a stable machine-readable name, the
/// error class used by `spec/vectors/`, the C ABI and other languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Nothing but white space or quote marks was given.
    Empty,
    /// The text does not start with `GLPI-`.
    NotAGlpiKey,
    /// A character that is not a base32 symbol, a hyphen or white space.
    InvalidCharacter {
        /// The character as given.
        character: char,
        /// Its 1-based position among the characters of the text as given.
        position: usize,
    },
    /// The text is longer than any key can be.
    TooLong {
        /// The most characters (for the raw text) or symbols (after the prefix) accepted.
        max: usize,
    },
    /// The number of symbols is impossible for this object: one was probably dropped, added,
    /// or the key was cut off.
    WrongLength {
        /// Symbols found after the prefix, check symbols included.
        symbols: usize,
    },
    /// The check symbols do not match: the key was mistyped or damaged.
    Checksum(ChecksumError),
    /// The last symbol carries non-zero padding bits, so the text is not in canonical form.
    NonCanonical,
    /// A short ID (`GLPI-XXXXXXXXXXXX-YYYYYY`) was given where a full key is needed.
    ShortIdNotKey(ShortId),
    /// The key uses a format version this library does not know.
    UnsupportedVersion {
        /// The version byte of the key.
        found: u8,
    },
    /// The header names an object kind this library does not know.
    UnknownObjectKind {
        /// The kind byte of the header.
        found: u8,
    },
    /// The object is of another kind than the one needed here.
    WrongObjectKind {
        /// What the text holds.
        found: ObjectKind,
        /// What was needed; `None` means "a key of either kind".
        expected: Option<ObjectKind>,
    },
    /// No trusted issuer key has the key id named in the header.
    UnknownIssuer {
        /// The key id from the header.
        key_id: KeyId,
    },
    /// The issuer key is trusted, but not for the time at which this key says it was issued.
    IssuerKeyNotValid {
        /// The issuer key id.
        key_id: KeyId,
        /// When the key says it was issued.
        issued_at: UnixTime,
    },
    /// The signature does not match: the key was altered or not made by a trusted issuer.
    BadSignature,
    /// The signature is valid but the claims inside do not decode under this format version.
    MalformedClaims(ClaimsError),
    /// The key's validity has not started yet.
    NotYetValid {
        /// Start of validity.
        not_before: UnixTime,
        /// The time the check was made at.
        now: UnixTime,
    },
    /// The key has expired.
    Expired {
        /// End of validity (the first moment the key is no longer valid).
        expired_at: UnixTime,
        /// The time the check was made at.
        now: UnixTime,
    },
    /// The key is bound to another GLPI instance.
    WrongInstance {
        /// The instance the key is bound to.
        bound_to: InstanceId,
        /// The instance that checked it.
        this_instance: InstanceId,
    },
    /// The key does not cover this GLPI version.
    UnsupportedGlpiVersion {
        /// The GLPI version that checked it.
        version: GlpiVersion,
        /// The versions the key covers.
        supported: VersionRange,
    },
    /// A revocation list is signed, but its contents are malformed.
    MalformedRevocationList(ListError),
    /// The bytes given as a revocation list file do not start with its magic bytes.
    NotARevocationListFile,
    /// The key's serial is in the installed revocation list.
    Revoked {
        /// The revoked key's short ID.
        short_id: ShortId,
        /// The sequence number of the list that revokes it.
        sequence: u64,
    },
    /// A revocation list older than the installed one was offered.
    RevocationListRolledBack {
        /// The offered list's sequence number.
        sequence: u64,
        /// The installed list's sequence number.
        installed: u64,
    },
    /// The clock is further behind the latest time seen than the tolerance allows.
    ClockRolledBack {
        /// The time the clock gives now.
        now: UnixTime,
        /// The latest time seen before (the high-water mark).
        last_seen: UnixTime,
        /// How far back the clock may go without complaint, in seconds.
        tolerance_secs: u64,
    },
    /// A buffer the calling program passed is too small for what it must hold: a bug in the
    /// calling program, not in the key or list (the documentation of the call names the
    /// constant that always suffices).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The key says it was issued further in the future than the clock tolerance allows: the
    /// clock was probably set back.
    IssuedInFuture {
        /// When the key says it was issued.
        issued_at: UnixTime,
        /// The time the check was made at.
        now: UnixTime,
        /// The clock tolerance, in seconds.
        tolerance_secs: u64,
    },
    /// The issuer key that signed the key or list is distrusted from a moment the site's clock
    /// has reached: nothing it signed is honoured, whatever dates it carries.
    IssuerKeyDistrusted {
        /// The distrusted issuer key.
        key_id: KeyId,
        /// From when it is distrusted.
        since: UnixTime,
        /// The site's time (its clock mark) at the check.
        now: UnixTime,
    },
    /// The site already accepted a key that renews (supersedes) this one.
    Superseded {
        /// The superseded key's short ID.
        short_id: ShortId,
        /// The short ID of the key that renewed it.
        by: ShortId,
    },
    /// The key is bound to a GLPI instance, and the host gave no instance id to check it with.
    InstanceRequired {
        /// The instance the key is bound to.
        bound_to: InstanceId,
    },
    /// The site has a revocation list installed from this issuer key, but its body was not
    /// given or does not match the one installed.
    InstalledListMissing {
        /// The issuer key whose installed list is missing.
        key_id: KeyId,
    },
    /// The site already records as many superseded serials as its state holds.
    SiteStateFull {
        /// How many it holds.
        capacity: usize,
    },
}

impl Error {
    /// The error's class: its stable name and number.
    pub const fn class(&self) -> ErrorClass {
        match self {
            Error::Empty => ErrorClass::Empty,
            Error::NotAGlpiKey => ErrorClass::NotAGlpiKey,
            Error::InvalidCharacter { .. } => ErrorClass::InvalidCharacter,
            Error::TooLong { .. } => ErrorClass::TooLong,
            Error::WrongLength { .. } => ErrorClass::WrongLength,
            Error::Checksum(_) => ErrorClass::Checksum,
            Error::NonCanonical => ErrorClass::NonCanonical,
            Error::ShortIdNotKey(_) => ErrorClass::ShortIdNotKey,
            Error::UnsupportedVersion { .. } => ErrorClass::UnsupportedVersion,
            Error::UnknownObjectKind { .. } => ErrorClass::UnknownObjectKind,
            Error::WrongObjectKind { .. } => ErrorClass::WrongObjectKind,
            Error::UnknownIssuer { .. } => ErrorClass::UnknownIssuer,
            Error::IssuerKeyNotValid { .. } => ErrorClass::IssuerKeyNotValid,
            Error::BadSignature => ErrorClass::BadSignature,
            Error::MalformedClaims(_) => ErrorClass::MalformedClaims,
            Error::NotYetValid { .. } => ErrorClass::NotYetValid,
            Error::Expired { .. } => ErrorClass::Expired,
            Error::WrongInstance { .. } => ErrorClass::WrongInstance,
            Error::UnsupportedGlpiVersion { .. } => ErrorClass::UnsupportedGlpiVersion,
            Error::MalformedRevocationList(_) => ErrorClass::MalformedRevocationList,
            Error::NotARevocationListFile => ErrorClass::NotARevocationListFile,
            Error::Revoked { .. } => ErrorClass::Revoked,
            Error::RevocationListRolledBack { .. } => ErrorClass::RevocationListRolledBack,
            Error::ClockRolledBack { .. } => ErrorClass::ClockRolledBack,
            Error::IssuedInFuture { .. } => ErrorClass::IssuedInFuture,
            Error::BufferTooSmall { .. } => ErrorClass::BufferTooSmall,
            Error::IssuerKeyDistrusted { .. } => ErrorClass::IssuerKeyDistrusted,
            Error::Superseded { .. } => ErrorClass::Superseded,
            Error::InstanceRequired { .. } => ErrorClass::InstanceRequired,
            Error::InstalledListMissing { .. } => ErrorClass::InstalledListMissing,
            Error::SiteStateFull { .. } => ErrorClass::SiteStateFull,
        }
    }

    /// A stable, machine-readable name for the error class (`"checksum"`, `"expired"`, …):
    /// the `expect` strings of `spec/vectors/`.
    pub const fn code(&self) -> &'static str {
        self.class().name()
    }
}

/// The class of an [`Error`]: a stable name (the `expect` strings of `spec/vectors/`) and a
/// stable number (the status codes of the C ABI and the WebAssembly module, which take them
/// from here). Numbers are never reused; a new class gets the next number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[non_exhaustive]
pub enum ErrorClass {
    /// `empty`
    Empty = 1,
    /// `not-a-glpi-key`
    NotAGlpiKey = 2,
    /// `invalid-character`
    InvalidCharacter = 3,
    /// `too-long`
    TooLong = 4,
    /// `wrong-length`
    WrongLength = 5,
    /// `checksum`
    Checksum = 6,
    /// `non-canonical`
    NonCanonical = 7,
    /// `short-id`
    ShortIdNotKey = 8,
    /// `unsupported-version`
    UnsupportedVersion = 9,
    /// `unknown-object-kind`
    UnknownObjectKind = 10,
    /// `wrong-object-kind`
    WrongObjectKind = 11,
    /// `unknown-issuer`
    UnknownIssuer = 12,
    /// `issuer-key-not-valid`
    IssuerKeyNotValid = 13,
    /// `bad-signature`
    BadSignature = 14,
    /// `malformed-claims`
    MalformedClaims = 15,
    /// `not-yet-valid`
    NotYetValid = 16,
    /// `expired`
    Expired = 17,
    /// `wrong-instance`
    WrongInstance = 18,
    /// `unsupported-glpi-version`
    UnsupportedGlpiVersion = 19,
    /// `malformed-revocation-list`
    MalformedRevocationList = 20,
    /// `not-a-revocation-list-file`
    NotARevocationListFile = 21,
    /// `revoked`
    Revoked = 22,
    /// `revocation-list-rollback`
    RevocationListRolledBack = 23,
    /// `clock-rollback`
    ClockRolledBack = 24,
    /// `issued-in-future`
    IssuedInFuture = 25,
    /// `buffer-too-small`
    BufferTooSmall = 26,
    /// `issuer-key-distrusted`
    IssuerKeyDistrusted = 27,
    /// `superseded`
    Superseded = 28,
    /// `instance-required`
    InstanceRequired = 29,
    /// `installed-list-missing`
    InstalledListMissing = 30,
    /// `site-state-full`
    SiteStateFull = 31,
}

impl ErrorClass {
    /// Every class, in number order.
    pub const ALL: [ErrorClass; 31] = [
        ErrorClass::Empty,
        ErrorClass::NotAGlpiKey,
        ErrorClass::InvalidCharacter,
        ErrorClass::TooLong,
        ErrorClass::WrongLength,
        ErrorClass::Checksum,
        ErrorClass::NonCanonical,
        ErrorClass::ShortIdNotKey,
        ErrorClass::UnsupportedVersion,
        ErrorClass::UnknownObjectKind,
        ErrorClass::WrongObjectKind,
        ErrorClass::UnknownIssuer,
        ErrorClass::IssuerKeyNotValid,
        ErrorClass::BadSignature,
        ErrorClass::MalformedClaims,
        ErrorClass::NotYetValid,
        ErrorClass::Expired,
        ErrorClass::WrongInstance,
        ErrorClass::UnsupportedGlpiVersion,
        ErrorClass::MalformedRevocationList,
        ErrorClass::NotARevocationListFile,
        ErrorClass::Revoked,
        ErrorClass::RevocationListRolledBack,
        ErrorClass::ClockRolledBack,
        ErrorClass::IssuedInFuture,
        ErrorClass::BufferTooSmall,
        ErrorClass::IssuerKeyDistrusted,
        ErrorClass::Superseded,
        ErrorClass::InstanceRequired,
        ErrorClass::InstalledListMissing,
        ErrorClass::SiteStateFull,
    ];

    /// The stable name.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorClass::Empty => "empty",
            ErrorClass::NotAGlpiKey => "not-a-glpi-key",
            ErrorClass::InvalidCharacter => "invalid-character",
            ErrorClass::TooLong => "too-long",
            ErrorClass::WrongLength => "wrong-length",
            ErrorClass::Checksum => "checksum",
            ErrorClass::NonCanonical => "non-canonical",
            ErrorClass::ShortIdNotKey => "short-id",
            ErrorClass::UnsupportedVersion => "unsupported-version",
            ErrorClass::UnknownObjectKind => "unknown-object-kind",
            ErrorClass::WrongObjectKind => "wrong-object-kind",
            ErrorClass::UnknownIssuer => "unknown-issuer",
            ErrorClass::IssuerKeyNotValid => "issuer-key-not-valid",
            ErrorClass::BadSignature => "bad-signature",
            ErrorClass::MalformedClaims => "malformed-claims",
            ErrorClass::NotYetValid => "not-yet-valid",
            ErrorClass::Expired => "expired",
            ErrorClass::WrongInstance => "wrong-instance",
            ErrorClass::UnsupportedGlpiVersion => "unsupported-glpi-version",
            ErrorClass::MalformedRevocationList => "malformed-revocation-list",
            ErrorClass::NotARevocationListFile => "not-a-revocation-list-file",
            ErrorClass::Revoked => "revoked",
            ErrorClass::RevocationListRolledBack => "revocation-list-rollback",
            ErrorClass::ClockRolledBack => "clock-rollback",
            ErrorClass::IssuedInFuture => "issued-in-future",
            ErrorClass::BufferTooSmall => "buffer-too-small",
            ErrorClass::IssuerKeyDistrusted => "issuer-key-distrusted",
            ErrorClass::Superseded => "superseded",
            ErrorClass::InstanceRequired => "instance-required",
            ErrorClass::InstalledListMissing => "installed-list-missing",
            ErrorClass::SiteStateFull => "site-state-full",
        }
    }

    /// The stable number (1 and up; 0 means success in the bindings).
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The class with this number, if any.
    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.number() == number)
    }

    /// The class with this name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => f.write_str("no key was given: paste the whole key, starting with GLPI-"),
            Error::NotAGlpiKey => f.write_str(
                "this is not a GLPI key: a key starts with GLPI- (paste the whole key, including its beginning)",
            ),
            Error::InvalidCharacter { character, position } => write!(
                f,
                "invalid character {character:?} at position {position}: a key holds only the letters and digits of its base32 alphabet, hyphens and spaces (retype that character; look-alike letters from other alphabets are not accepted)",
            ),
            Error::TooLong { max } => write!(
                f,
                "this text is too long to be a GLPI key (more than {max}): check that only one key was pasted"
            ),
            Error::WrongLength { symbols } => write!(
                f,
                "the key has a wrong length ({symbols} symbols after GLPI-): a symbol was probably left out or typed twice, or the key was cut off; copy it again in full"
            ),
            Error::Checksum(e) => fmt::Display::fmt(e, f),
            Error::NonCanonical => f.write_str(
                "the key is not in canonical form (its last symbol before the check has stray bits): it was not produced by a GLPI key issuer",
            ),
            Error::ShortIdNotKey(id) => write!(
                f,
                "{id} is a short key ID, not a key: it names a key in support tickets and revocation lists but cannot be verified; paste the full key instead"
            ),
            Error::UnsupportedVersion { found } => write!(
                f,
                "this key uses format version {found}, which this software does not support (it supports version {}): update the software that checks the key",
                FORMAT_VERSION
            ),
            Error::UnknownObjectKind { found } => write!(
                f,
                "this text holds an object of unknown kind {found}: it may come from newer software; update the software that checks it"
            ),
            Error::WrongObjectKind { found, expected: Some(expected) } => write!(
                f,
                "this is {}, but {} is needed here",
                found.with_article(),
                expected.with_article()
            ),
            Error::WrongObjectKind { found, expected: None } => write!(
                f,
                "this is {}, not a registration key",
                found.with_article()
            ),
            Error::UnknownIssuer { key_id } => write!(
                f,
                "the key was signed by issuer key {key_id}, which is not trusted here: install that issuer's public key, or ask the vendor for a key signed by a key you trust"
            ),
            Error::IssuerKeyNotValid { key_id, issued_at } => write!(
                f,
                "the key says it was issued on {issued_at}, when issuer key {key_id} was not valid: the issuer key was retired or not yet in service; ask the vendor for a new key"
            ),
            Error::BadSignature => f.write_str(
                "the key's signature is not valid: the key was altered or was not issued by a trusted issuer; copy it again from the original, or ask the vendor for a new one",
            ),
            Error::MalformedClaims(e) => write!(
                f,
                "the key is signed but its contents are malformed ({e}): ask the vendor for a new key"
            ),
            Error::NotYetValid { not_before, now } => write!(
                f,
                "the key is not valid yet: it becomes valid on {not_before} (now is {now}); wait, or check this machine's clock"
            ),
            Error::Expired { expired_at, now } => write!(
                f,
                "the key expired on {expired_at} (now is {now}): renew the subscription and install the new key, or check this machine's clock"
            ),
            Error::WrongInstance { bound_to, this_instance } => write!(
                f,
                "the key is bound to GLPI instance {bound_to}, not to this one ({this_instance}): use the key issued for this instance"
            ),
            Error::UnsupportedGlpiVersion { version, supported } => write!(
                f,
                "the key covers GLPI {supported}, not GLPI {version}: ask the vendor for a key covering this version"
            ),
            Error::MalformedRevocationList(e) => write!(
                f,
                "the revocation list is signed but its contents are malformed ({e}): ask the vendor for a new list"
            ),
            Error::NotARevocationListFile => f.write_str(
                "this file is not a GLPI revocation list (it does not start with the revocation list file header): check that the right file was given",
            ),
            Error::Revoked { short_id, sequence } => write!(
                f,
                "the key {short_id} (serial {}) was revoked by revocation list {sequence}: it can no longer be used; install a current key from the vendor",
                short_id.serial().value()
            ),
            Error::RevocationListRolledBack { sequence, installed } => write!(
                f,
                "revocation list {sequence} is older than the one already installed ({installed}): keep the installed list, or install a list numbered {installed} or higher"
            ),
            Error::ClockRolledBack { now, last_seen, tolerance_secs } => write!(
                f,
                "this machine's clock was set back: it says {now}, but {last_seen} was already seen (more than {tolerance_secs} seconds later); correct the clock and try again"
            ),
            Error::IssuedInFuture { issued_at, now, tolerance_secs } => write!(
                f,
                "the key says it was issued on {issued_at}, after now ({now}, more than {tolerance_secs} seconds ahead): this machine's clock is probably set back; correct it and try again"
            ),
            Error::BufferTooSmall { needed } => write!(
                f,
                "the buffer the program gave is too small ({needed} bytes are needed): this is a bug in the program calling glpi-key, not a problem with the key; size the buffer with the constant its documentation names"
            ),
            Error::IssuerKeyDistrusted { key_id, since, now } => write!(
                f,
                "issuer key {key_id} is distrusted on this site since {since} (the site's time is {now}): nothing it signed is accepted, whatever dates it carries; use a key or revocation list signed by another issuer key"
            ),
            Error::Superseded { short_id, by } => write!(
                f,
                "the key {short_id} was renewed by the key {by}, which this site has already accepted: use the newer key"
            ),
            Error::InstanceRequired { bound_to } => write!(
                f,
                "the key is bound to GLPI instance {bound_to}, but no instance id was given to check it against: give this instance's UUID"
            ),
            Error::InstalledListMissing { key_id } => write!(
                f,
                "the revocation list installed from issuer key {key_id} is missing or was changed: install the current revocation list again"
            ),
            Error::SiteStateFull { capacity } => write!(
                f,
                "the site already records {capacity} renewed keys, as many as its state holds: re-create the site and install the current revocation list"
            ),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Checksum(e) => Some(e),
            Error::MalformedClaims(e) => Some(e),
            Error::MalformedRevocationList(e) => Some(e),
            _ => None,
        }
    }
}

/// The check symbols did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecksumError {
    /// The one single-symbol change that would make the check pass, if there is exactly one.
    /// It is only a suggestion: the key is never accepted in corrected form.
    pub suggestion: Option<Correction>,
}

/// A suggested fix for a mistyped key: one symbol that is probably wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    /// 1-based position of the suspect character among the characters of the text as given.
    pub position: usize,
    /// 1-based number of the group (symbols between hyphens or spaces, after `GLPI-`) that
    /// holds it.
    pub group: usize,
    /// 1-based position of the suspect character within its group.
    pub position_in_group: usize,
    /// The character as given.
    pub found: char,
    /// The symbol that makes the check pass.
    pub replacement: char,
    /// Whether the corrected key was also confirmed by a trusted signature.
    pub status: CorrectionStatus,
}

/// How sure a suggested correction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionStatus {
    /// Only the check symbols agree with the correction (a longer typo can also look like this).
    Unconfirmed,
    /// With the correction, the key's signature verifies under a trusted issuer key.
    ConfirmedBySignature,
}

impl fmt::Display for ChecksumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.suggestion {
            None => f.write_str(
                "the key was mistyped or damaged (its check symbols do not match): copy it again from the original, or compare it symbol by symbol",
            ),
            Some(c) => {
                let how_sure = match c.status {
                    CorrectionStatus::Unconfirmed => "probably",
                    CorrectionStatus::ConfirmedBySignature => "almost certainly",
                };
                write!(
                    f,
                    "the key was mistyped (its check symbols do not match): the character {:?} at position {} (group {}, character {} of that group) should {how_sure} be {:?}; correct it and try again",
                    c.found, c.position, c.group, c.position_in_group, c.replacement
                )
            }
        }
    }
}

impl core::error::Error for ChecksumError {}

/// Why signed claims could not be decoded (or, when issuing, encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The bytes end in the middle of a field, or a field is not validly encoded.
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// Bytes are left over after the last field.
    TrailingBytes,
    /// A reserved bit of the field-presence byte is set.
    ReservedBits,
    /// The serial has bits above the 60 that serials use.
    SerialOutOfRange,
    /// The tier value is not one of Free, Starter, Basic, Standard or Advanced.
    UnknownTier(u8),
    /// The owner is empty or longer than [`MAX_OWNER_LEN`](crate::MAX_OWNER_LEN) bytes.
    OwnerLength(usize),
    /// The owner contains a control or bidirectional formatting character (which could make
    /// it display as another name).
    OwnerCharacter(char),
    /// A time is out of range (before 1970, or beyond what the format stores).
    TimeOutOfRange,
    /// A time is not a whole minute (keys store times in whole minutes).
    TimeNotWholeMinute,
    /// The key would expire before or when it becomes valid.
    EmptyValidity,
    /// The supported GLPI versions run backwards (the first is after the last).
    InvertedVersionRange,
    /// An entity id was given on a key that is not an agent enrollment key.
    EntityOnInstanceKey,
    /// The extension block is malformed, unsorted, empty, or too long.
    MalformedExtensions,
    /// A critical extension that this version does not know.
    UnknownCriticalExtension(u16),
    /// The claims decode, but are not in their one canonical byte form.
    NotCanonical,
    /// The output buffer is too small ([`MAX_CLAIMS_LEN`](crate::MAX_CLAIMS_LEN) bytes always suffice).
    BufferTooSmall,
}

impl fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClaimsError::Truncated { field } => write!(f, "field `{field}` is cut short or badly encoded"),
            ClaimsError::TrailingBytes => f.write_str("bytes are left over after the last field"),
            ClaimsError::ReservedBits => f.write_str("a reserved field-presence bit is set"),
            ClaimsError::SerialOutOfRange => f.write_str("the serial is larger than 60 bits"),
            ClaimsError::UnknownTier(t) => write!(f, "unknown tier {t}"),
            ClaimsError::OwnerLength(n) => write!(
                f,
                "the owner is {n} bytes long; it must be 1 to {} bytes of UTF-8",
                MAX_OWNER_LEN
            ),
            ClaimsError::OwnerCharacter(c) => write!(
                f,
                "the owner contains U+{:04X}, a control or bidirectional formatting character that could make it display as another name",
                u32::from(*c)
            ),
            ClaimsError::TimeOutOfRange => f.write_str("a time is out of range"),
            ClaimsError::TimeNotWholeMinute => f.write_str("a time is not a whole minute; keys store whole minutes"),
            ClaimsError::EmptyValidity => f.write_str("the key would expire before it becomes valid"),
            ClaimsError::InvertedVersionRange => f.write_str("the GLPI version range runs backwards"),
            ClaimsError::EntityOnInstanceKey => f.write_str("an entity is only meaningful on an agent enrollment key"),
            ClaimsError::MalformedExtensions => f.write_str("the extension block is malformed"),
            ClaimsError::UnknownCriticalExtension(t) => write!(
                f,
                "critical extension {t} is not known to this version; update the software that checks the key"
            ),
            ClaimsError::NotCanonical => f.write_str("the claims are not in canonical form"),
            ClaimsError::BufferTooSmall => f.write_str("the output buffer is too small for the claims"),
        }
    }
}

impl core::error::Error for ClaimsError {}

/// Why a key could not be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueError {
    /// The claims are not valid for a key.
    Claims(ClaimsError),
    /// The output buffer is smaller than the key text.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The revocation list cannot be issued as given.
    RevocationList(ListError),
    /// The object just signed does not read back as valid: a bug in this library, never a
    /// property of the input (issuing checks its own output instead of trusting it).
    SelfCheck(Error),
    /// The signer (an HSM, a PKCS#11 token, any [`Sign`](crate::Sign)) could not sign.
    Signer(SignerError),
    /// The signer returned a signature that does not verify under its public key: nothing was
    /// released.
    SignatureMismatch,
}

/// Why an external signer ([`Sign`](crate::Sign)) could not sign: a fixed reason, and the
/// signer's own error code when it has one (for PKCS#11, the `CKR_…` return value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignerError {
    reason: &'static str,
    code: Option<u64>,
}

impl SignerError {
    /// A failure described by `reason` (a sentence for a person, no trailing period).
    pub const fn new(reason: &'static str) -> Self {
        SignerError { reason, code: None }
    }

    /// A failure with the signer's own error code.
    pub const fn with_code(reason: &'static str, code: u64) -> Self {
        SignerError {
            reason,
            code: Some(code),
        }
    }

    /// The reason given by the signer.
    pub const fn reason(&self) -> &'static str {
        self.reason
    }

    /// The signer's own error code, if any.
    pub const fn code(&self) -> Option<u64> {
        self.code
    }
}

impl fmt::Display for SignerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{} (code {code:#x})", self.reason),
            None => f.write_str(self.reason),
        }
    }
}

impl core::error::Error for SignerError {}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::Claims(e) => write!(f, "cannot issue a key with these claims: {e}"),
            IssueError::BufferTooSmall { needed } => {
                write!(
                    f,
                    "the output buffer is too small: {needed} bytes are needed"
                )
            }
            IssueError::RevocationList(e) => write!(f, "cannot issue this revocation list: {e}"),
            IssueError::SelfCheck(e) => write!(
                f,
                "the object just signed does not read back ({e}): this is a bug in glpi-key; please report it"
            ),
            IssueError::Signer(e) => write!(f, "the signer could not sign: {e}"),
            IssueError::SignatureMismatch => f.write_str(
                "the signer returned a signature that does not verify under its public key; nothing was issued (wrong key object, or a faulty signer)",
            ),
        }
    }
}

impl core::error::Error for IssueError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            IssueError::Claims(e) => Some(e),
            IssueError::RevocationList(e) => Some(e),
            IssueError::SelfCheck(e) => Some(e),
            IssueError::Signer(e) => Some(e),
            IssueError::BufferTooSmall { .. } | IssueError::SignatureMismatch => None,
        }
    }
}

impl From<ClaimsError> for IssueError {
    fn from(e: ClaimsError) -> Self {
        IssueError::Claims(e)
    }
}

impl From<ChecksumError> for Error {
    fn from(e: ChecksumError) -> Self {
        Error::Checksum(e)
    }
}

impl From<ClaimsError> for Error {
    fn from(e: ClaimsError) -> Self {
        Error::MalformedClaims(e)
    }
}
/// Why a signed revocation list is malformed (or, when issuing, cannot be made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListError {
    /// The bytes end in the middle of a field, or a field is not validly encoded.
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// Bytes are left over after the serials.
    TrailingBytes,
    /// The fields decode, but are not in their one canonical byte form.
    NotCanonical,
    /// The serials take a number of bytes that is not a multiple of 8.
    SerialsLength(usize),
    /// A serial has bits above the 60 that serials use.
    SerialOutOfRange {
        /// 0-based position in the list.
        index: usize,
    },
    /// A serial is smaller than the one before it: lists are sorted.
    Unsorted {
        /// 0-based position of the out-of-order serial.
        index: usize,
    },
    /// A serial appears twice.
    Duplicate {
        /// The repeated serial.
        serial: Serial,
    },
    /// The next update is not after the issue time.
    NextUpdateNotAfterIssue,
    /// More serials than [`MAX_LIST_SERIALS`].
    TooManySerials {
        /// Serials given.
        count: usize,
    },
    /// The output buffer is too small (see [`max_revocation_list_len`](crate::max_revocation_list_len)).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::Truncated { field } => {
                write!(f, "field `{field}` is cut short or badly encoded")
            }
            ListError::TrailingBytes => f.write_str("bytes are left over after the serials"),
            ListError::NotCanonical => f.write_str("the fields are not in canonical form"),
            ListError::SerialsLength(n) => write!(
                f,
                "the serials take {n} bytes, which is not a whole number of 8-byte serials"
            ),
            ListError::SerialOutOfRange { index } => {
                write!(f, "serial number {} is larger than 60 bits", index + 1)
            }
            ListError::Unsorted { index } => write!(
                f,
                "serial number {} is smaller than the one before it (serials must be sorted)",
                index + 1
            ),
            ListError::Duplicate { serial } => write!(
                f,
                "serial {} ({}) is listed twice",
                serial.value(),
                serial.short_id()
            ),
            ListError::NextUpdateNotAfterIssue => {
                f.write_str("the next update is not after the issue time")
            }
            ListError::TooManySerials { count } => write!(
                f,
                "{count} serials are more than a list may hold ({MAX_LIST_SERIALS})"
            ),
            ListError::BufferTooSmall { needed } => {
                write!(
                    f,
                    "the output buffer is too small: {needed} bytes are needed"
                )
            }
        }
    }
}

impl core::error::Error for ListError {}

impl From<ListError> for Error {
    fn from(e: ListError) -> Self {
        Error::MalformedRevocationList(e)
    }
}

impl From<ListError> for IssueError {
    fn from(e: ListError) -> Self {
        IssueError::RevocationList(e)
    }
}

/// Why an issuer public key cannot be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustError {
    /// The 32 bytes are not the encoding of a point on the curve.
    NotAPoint,
    /// The encoding is not canonical (another encoding of the same point is the standard one).
    NonCanonical,
    /// The key is of small order: signatures under it prove nothing.
    SmallOrder,
    /// The validity window ends before it starts.
    EmptyWindow,
    /// Another trusted key has the same key id.
    DuplicateKeyId(KeyId),
    /// The store already holds [`MAX_TRUSTED_KEYS`] keys.
    Full,
    /// No trusted key has this key id.
    NotTrusted(KeyId),
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::NotAPoint => f.write_str("the issuer public key is not a valid Ed25519 public key: check that the right file was given"),
            TrustError::NonCanonical => f.write_str("the issuer public key is not canonically encoded: it was not made by a standard Ed25519 implementation and is refused"),
            TrustError::SmallOrder => f.write_str("the issuer public key is a weak (small-order) Ed25519 key that anyone can forge signatures for: it is refused"),
            TrustError::EmptyWindow => f.write_str("the issuer key's validity window ends before it starts"),
            TrustError::DuplicateKeyId(id) => write!(f, "two trusted issuer keys have the same key id {id}: remove the duplicate"),
            TrustError::Full => write!(f, "too many trusted issuer keys (at most {MAX_TRUSTED_KEYS})"),
            TrustError::NotTrusted(id) => write!(f, "no trusted issuer key has the key id {id}: check the key id (`site status` lists them)"),
        }
    }
}

impl core::error::Error for TrustError {}

/// Why a site's state record (`spec/SITE.md` section 7) cannot be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// The record is damaged: cut short, changed, or not a site record.
    Corrupted {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The record has a version this library does not know.
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
    },
    /// The output buffer is too small (`MAX_SITE_STATE_LEN` bytes always suffice).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl StateError {
    /// A stable, machine-readable name for the error class.
    pub const fn code(&self) -> &'static str {
        match self {
            StateError::Corrupted { .. } => "site-state-corrupted",
            StateError::UnsupportedVersion { .. } => "site-state-version",
            StateError::BufferTooSmall { .. } => "buffer-too-small",
        }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Corrupted { reason } => write!(
                f,
                "the site state is corrupted ({reason}); it was not reset, since that would let an old revocation list or a set-back clock pass: restore it from a backup, or re-create the site and install the current revocation list"
            ),
            StateError::UnsupportedVersion { found } => write!(
                f,
                "the site state has version {found}, which this software does not know: use the software that wrote it, or re-create the site"
            ),
            StateError::BufferTooSmall { needed } => write!(
                f,
                "the output buffer is too small for the site state: {needed} bytes are needed"
            ),
        }
    }
}

impl core::error::Error for StateError {}
#[cfg(test)]
mod tests {
    use super::*;

    /// The site's refusals name what they are about and end with what to do.
    #[test]
    fn site_refusals_name_their_subject_and_say_what_to_do() {
        use crate::model::ids::{InstanceId, KeyId};
        use crate::model::serial::Serial;
        use crate::model::time::UnixTime;
        use std::string::ToString;
        let id = KeyId([1, 2, 3, 4]);
        let old = Serial::new(5).unwrap().short_id();
        let new = Serial::new(6).unwrap().short_id();
        let (since, now) = (UnixTime::from_secs(3_600), UnixTime::from_secs(7_200));
        let instance = InstanceId([0x5c; 16]);
        let cases = [
            (
                Error::IssuerKeyDistrusted {
                    key_id: id,
                    since,
                    now,
                },
                std::vec!["01020304".to_string(), since.to_string(), now.to_string()],
                "use a key or revocation list signed by another issuer key",
            ),
            (
                Error::Superseded {
                    short_id: old,
                    by: new,
                },
                std::vec![old.to_string(), new.to_string()],
                "use the newer key",
            ),
            (
                Error::InstanceRequired { bound_to: instance },
                std::vec![instance.to_string()],
                "give this instance's UUID",
            ),
            (
                Error::InstalledListMissing { key_id: id },
                std::vec!["01020304".to_string()],
                "install the current revocation list again",
            ),
            (
                Error::SiteStateFull { capacity: 64 },
                std::vec!["64".to_string()],
                "re-create the site and install the current revocation list",
            ),
            (
                Error::NotARevocationListFile,
                std::vec!["not a GLPI revocation list".to_string()],
                "check that the right file was given",
            ),
        ];
        for (error, subjects, advice) in cases {
            let text = error.to_string();
            for subject in subjects {
                assert!(text.contains(&subject), "{text:?} lacks {subject:?}");
            }
            assert!(text.ends_with(advice), "{text:?}");
            assert!(core::error::Error::source(&error).is_none());
        }
    }

    /// The errors that wrap another one give it as their source; the others have none.
    #[test]
    fn wrapped_errors_are_their_source() {
        let checksum = Error::Checksum(ChecksumError { suggestion: None });
        let claims = Error::MalformedClaims(ClaimsError::TimeNotWholeMinute);
        let list = Error::MalformedRevocationList(ListError::Duplicate {
            serial: crate::model::serial::Serial::new(9).unwrap(),
        });
        for (outer, inner) in [
            (
                &checksum,
                std::string::ToString::to_string(&ChecksumError { suggestion: None }),
            ),
            (
                &claims,
                std::string::ToString::to_string(&ClaimsError::TimeNotWholeMinute),
            ),
            (
                &list,
                std::string::ToString::to_string(&ListError::Duplicate {
                    serial: crate::model::serial::Serial::new(9).unwrap(),
                }),
            ),
        ] {
            let source = core::error::Error::source(outer).expect("a wrapped error");
            assert_eq!(std::string::ToString::to_string(source), inner);
        }
        assert!(core::error::Error::source(&Error::BadSignature).is_none());
    }

    /// The numbers are an ABI: the C header and the WebAssembly module publish them, so a
    /// number, once given, never changes or moves to another class.
    #[test]
    fn class_numbers_and_names_are_stable() {
        let expected = [
            (1, "empty"),
            (2, "not-a-glpi-key"),
            (3, "invalid-character"),
            (4, "too-long"),
            (5, "wrong-length"),
            (6, "checksum"),
            (7, "non-canonical"),
            (8, "short-id"),
            (9, "unsupported-version"),
            (10, "unknown-object-kind"),
            (11, "wrong-object-kind"),
            (12, "unknown-issuer"),
            (13, "issuer-key-not-valid"),
            (14, "bad-signature"),
            (15, "malformed-claims"),
            (16, "not-yet-valid"),
            (17, "expired"),
            (18, "wrong-instance"),
            (19, "unsupported-glpi-version"),
            (20, "malformed-revocation-list"),
            (21, "not-a-revocation-list-file"),
            (22, "revoked"),
            (23, "revocation-list-rollback"),
            (24, "clock-rollback"),
            (25, "issued-in-future"),
            (26, "buffer-too-small"),
            (27, "issuer-key-distrusted"),
            (28, "superseded"),
            (29, "instance-required"),
            (30, "installed-list-missing"),
            (31, "site-state-full"),
        ];
        for (number, name) in expected {
            let class = ErrorClass::from_number(number).unwrap();
            assert_eq!(class.name(), name);
            assert_eq!(std::format!("{class}"), name);
            assert_eq!(ErrorClass::from_name(name), Some(class));
        }
        assert_eq!(ErrorClass::ALL.len(), expected.len());
        assert_eq!(ErrorClass::from_number(0), None);
        assert_eq!(ErrorClass::from_name("valid"), None);
        assert_eq!(
            Error::BufferTooSmall { needed: 3 }.code(),
            "buffer-too-small"
        );
    }
}
