//! Status codes and messages: the numbers and names of every outcome, a failure on its way to
//! the caller, and the two functions that read them back (`glpi_status_name`,
//! `glpi_error_message`).

use glpi_key::{CorrectionStatus, Error, ErrorClass, TrustError};

/// The outcome of a call. `GLPI_STATUS_OK` is 0; values 1 to 19 are the verification failure
/// classes of the Rust library (their names, from `glpi_status_name`, are the `expect` strings
/// of `spec/vectors/keys.json`); values from 64 are failures at the C boundary.
/// Numbers are stable: new classes get new numbers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlpiStatus {
    /// Success (`valid`).
    Ok = 0,
    /// Nothing but white space or quote marks was given (`empty`).
    Empty = 1,
    /// The text does not start with `GLPI-` (`not-a-glpi-key`).
    NotAGlpiKey = 2,
    /// A character that is not a base32 symbol, a hyphen or white space (`invalid-character`);
    /// `GlpiError.position` gives its 1-based position.
    InvalidCharacter = 3,
    /// The text is longer than any key can be (`too-long`).
    TooLong = 4,
    /// A symbol was dropped or added, or the key was cut off (`wrong-length`).
    WrongLength = 5,
    /// The check symbols do not match: a typo (`checksum`). When one symbol is suspected,
    /// `GlpiError.position` and `GlpiError.suggestion` say which and what it should be.
    Checksum = 6,
    /// Stray padding bits: not produced by an issuer (`non-canonical`).
    NonCanonical = 7,
    /// A short ID was given instead of a full key (`short-id`).
    ShortId = 8,
    /// Unknown format version (`unsupported-version`).
    UnsupportedVersion = 9,
    /// Unknown object kind (`unknown-object-kind`).
    UnknownObjectKind = 10,
    /// The object is not of the kind asked for (`wrong-object-kind`).
    WrongObjectKind = 11,
    /// The signing issuer key is not trusted (`unknown-issuer`).
    UnknownIssuer = 12,
    /// The issuer key was not valid when the key says it was issued (`issuer-key-not-valid`).
    IssuerKeyNotValid = 13,
    /// The signature does not verify (`bad-signature`).
    BadSignature = 14,
    /// Signed, but the claims are malformed (`malformed-claims`).
    MalformedClaims = 15,
    /// The validity has not started (`not-yet-valid`).
    NotYetValid = 16,
    /// The key has expired (`expired`).
    Expired = 17,
    /// The key is bound to another instance (`wrong-instance`).
    WrongInstance = 18,
    /// The key does not cover this GLPI version (`unsupported-glpi-version`).
    UnsupportedGlpiVersion = 19,
    /// A failure class newer than this C API (`unknown-error`); the message explains it.
    UnknownError = 63,
    /// A required pointer argument was NULL (`null-pointer`).
    NullPointer = 64,
    /// The key text or a string argument is not valid UTF-8 (`invalid-utf8`).
    InvalidUtf8 = 65,
    /// An argument is out of range: unknown kind, malformed GLPI version (`invalid-argument`).
    InvalidArgument = 66,
    /// A trusted key is not an Ed25519 public key (`trusted-key-not-a-point`).
    TrustedKeyNotAPoint = 67,
    /// A trusted key is not canonically encoded (`trusted-key-non-canonical`).
    TrustedKeyNonCanonical = 68,
    /// A trusted key is weak (small order) (`trusted-key-small-order`).
    TrustedKeySmallOrder = 69,
    /// Two trusted keys have the same key id (`duplicate-trusted-key`).
    DuplicateTrustedKey = 70,
    /// More than `GLPI_MAX_TRUSTED_KEYS` keys (`too-many-trusted-keys`).
    TooManyTrustedKeys = 71,
    /// No trusted key was given (`no-trusted-keys`).
    NoTrustedKeys = 72,
    /// An internal error (a caught panic); please report it (`internal-error`).
    InternalError = 73,
}

impl GlpiStatus {
    /// The stable lowercase name; for verification failures, `glpi_key::Error::code()`.
    pub fn name(self) -> &'static str {
        let name = self.c_name();
        name.strip_suffix('\0').unwrap_or(name)
    }

    /// The name with its terminating NUL, for C.
    pub(crate) const fn c_name(self) -> &'static str {
        match self {
            GlpiStatus::Ok => "valid\0",
            GlpiStatus::Empty => "empty\0",
            GlpiStatus::NotAGlpiKey => "not-a-glpi-key\0",
            GlpiStatus::InvalidCharacter => "invalid-character\0",
            GlpiStatus::TooLong => "too-long\0",
            GlpiStatus::WrongLength => "wrong-length\0",
            GlpiStatus::Checksum => "checksum\0",
            GlpiStatus::NonCanonical => "non-canonical\0",
            GlpiStatus::ShortId => "short-id\0",
            GlpiStatus::UnsupportedVersion => "unsupported-version\0",
            GlpiStatus::UnknownObjectKind => "unknown-object-kind\0",
            GlpiStatus::WrongObjectKind => "wrong-object-kind\0",
            GlpiStatus::UnknownIssuer => "unknown-issuer\0",
            GlpiStatus::IssuerKeyNotValid => "issuer-key-not-valid\0",
            GlpiStatus::BadSignature => "bad-signature\0",
            GlpiStatus::MalformedClaims => "malformed-claims\0",
            GlpiStatus::NotYetValid => "not-yet-valid\0",
            GlpiStatus::Expired => "expired\0",
            GlpiStatus::WrongInstance => "wrong-instance\0",
            GlpiStatus::UnsupportedGlpiVersion => "unsupported-glpi-version\0",
            GlpiStatus::UnknownError => "unknown-error\0",
            GlpiStatus::NullPointer => "null-pointer\0",
            GlpiStatus::InvalidUtf8 => "invalid-utf8\0",
            GlpiStatus::InvalidArgument => "invalid-argument\0",
            GlpiStatus::TrustedKeyNotAPoint => "trusted-key-not-a-point\0",
            GlpiStatus::TrustedKeyNonCanonical => "trusted-key-non-canonical\0",
            GlpiStatus::TrustedKeySmallOrder => "trusted-key-small-order\0",
            GlpiStatus::DuplicateTrustedKey => "duplicate-trusted-key\0",
            GlpiStatus::TooManyTrustedKeys => "too-many-trusted-keys\0",
            GlpiStatus::NoTrustedKeys => "no-trusted-keys\0",
            GlpiStatus::InternalError => "internal-error\0",
        }
    }

    /// Every status, in number order.
    pub(crate) const ALL: [GlpiStatus; 31] = [
        GlpiStatus::Ok,
        GlpiStatus::Empty,
        GlpiStatus::NotAGlpiKey,
        GlpiStatus::InvalidCharacter,
        GlpiStatus::TooLong,
        GlpiStatus::WrongLength,
        GlpiStatus::Checksum,
        GlpiStatus::NonCanonical,
        GlpiStatus::ShortId,
        GlpiStatus::UnsupportedVersion,
        GlpiStatus::UnknownObjectKind,
        GlpiStatus::WrongObjectKind,
        GlpiStatus::UnknownIssuer,
        GlpiStatus::IssuerKeyNotValid,
        GlpiStatus::BadSignature,
        GlpiStatus::MalformedClaims,
        GlpiStatus::NotYetValid,
        GlpiStatus::Expired,
        GlpiStatus::WrongInstance,
        GlpiStatus::UnsupportedGlpiVersion,
        GlpiStatus::UnknownError,
        GlpiStatus::NullPointer,
        GlpiStatus::InvalidUtf8,
        GlpiStatus::InvalidArgument,
        GlpiStatus::TrustedKeyNotAPoint,
        GlpiStatus::TrustedKeyNonCanonical,
        GlpiStatus::TrustedKeySmallOrder,
        GlpiStatus::DuplicateTrustedKey,
        GlpiStatus::TooManyTrustedKeys,
        GlpiStatus::NoTrustedKeys,
        GlpiStatus::InternalError,
    ];

    /// The status with this number, if any.
    pub fn from_u32(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u32 == code)
    }

    /// The status of a verification failure: that of its class.
    pub fn of_error(e: &Error) -> Self {
        GlpiStatus::of_class(e.class())
    }

    /// The status of an error class. A class of this C API has the number of
    /// [`ErrorClass::number`] (checked at compile time below); a class newer than this C API
    /// gives `GLPI_STATUS_UNKNOWN_ERROR`, and [`Failure`] puts its name in the message.
    pub const fn of_class(class: ErrorClass) -> Self {
        match class {
            ErrorClass::Empty => GlpiStatus::Empty,
            ErrorClass::NotAGlpiKey => GlpiStatus::NotAGlpiKey,
            ErrorClass::InvalidCharacter => GlpiStatus::InvalidCharacter,
            ErrorClass::TooLong => GlpiStatus::TooLong,
            ErrorClass::WrongLength => GlpiStatus::WrongLength,
            ErrorClass::Checksum => GlpiStatus::Checksum,
            ErrorClass::NonCanonical => GlpiStatus::NonCanonical,
            ErrorClass::ShortIdNotKey => GlpiStatus::ShortId,
            ErrorClass::UnsupportedVersion => GlpiStatus::UnsupportedVersion,
            ErrorClass::UnknownObjectKind => GlpiStatus::UnknownObjectKind,
            ErrorClass::WrongObjectKind => GlpiStatus::WrongObjectKind,
            ErrorClass::UnknownIssuer => GlpiStatus::UnknownIssuer,
            ErrorClass::IssuerKeyNotValid => GlpiStatus::IssuerKeyNotValid,
            ErrorClass::BadSignature => GlpiStatus::BadSignature,
            ErrorClass::MalformedClaims => GlpiStatus::MalformedClaims,
            ErrorClass::NotYetValid => GlpiStatus::NotYetValid,
            ErrorClass::Expired => GlpiStatus::Expired,
            ErrorClass::WrongInstance => GlpiStatus::WrongInstance,
            ErrorClass::UnsupportedGlpiVersion => GlpiStatus::UnsupportedGlpiVersion,
            // Newer than this C API: no number of their own in `GlpiStatus` yet.
            ErrorClass::MalformedRevocationList
            | ErrorClass::NotARevocationListFile
            | ErrorClass::Revoked
            | ErrorClass::RevocationListRolledBack
            | ErrorClass::ClockRolledBack
            | ErrorClass::IssuedInFuture
            | ErrorClass::BufferTooSmall => GlpiStatus::UnknownError,
            // `ErrorClass` is non-exhaustive: a class added to the library after this list.
            _ => GlpiStatus::UnknownError,
        }
    }

    /// The status of an issuer key refused by the trust store.
    pub fn of_trust_error(e: &TrustError) -> Self {
        match e {
            TrustError::NotAPoint => GlpiStatus::TrustedKeyNotAPoint,
            TrustError::NonCanonical => GlpiStatus::TrustedKeyNonCanonical,
            TrustError::SmallOrder => GlpiStatus::TrustedKeySmallOrder,
            TrustError::DuplicateKeyId(_) => GlpiStatus::DuplicateTrustedKey,
            TrustError::Full => GlpiStatus::TooManyTrustedKeys,
            _ => GlpiStatus::UnknownError,
        }
    }
}

impl From<ErrorClass> for GlpiStatus {
    fn from(class: ErrorClass) -> Self {
        GlpiStatus::of_class(class)
    }
}

// Every class this C API knows has the library's number for it: the numbers live in
// `glpi_key::ErrorClass`, and the C enum only repeats them (cbindgen needs literals).
const _: () = {
    let mut i = 0;
    while i < ErrorClass::ALL.len() {
        let class = ErrorClass::ALL[i];
        let status = GlpiStatus::of_class(class);
        assert!(
            status as u32 == class.number() as u32
                || (status as u32 == GlpiStatus::UnknownError as u32
                    && class.number() as u32 > GlpiStatus::UnsupportedGlpiVersion as u32)
        );
        i += 1;
    }
};

/// A failure on its way to the caller.
pub(crate) struct Failure {
    pub(crate) status: GlpiStatus,
    pub(crate) position: usize,
    pub(crate) suggestion: Option<(char, bool)>,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(status: GlpiStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            position: 0,
            suggestion: None,
            message: message.into(),
        }
    }

    pub(crate) fn null(argument: &str) -> Self {
        Failure::new(
            GlpiStatus::NullPointer,
            format!("the argument `{argument}` is NULL: pass a valid pointer"),
        )
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let class = e.class();
        let status = GlpiStatus::of_class(class);
        let message = if status == GlpiStatus::UnknownError {
            // A class newer than this C API: its stable name still reaches the caller.
            format!("{}: {e}", class.name())
        } else {
            e.to_string()
        };
        let mut f = Failure::new(status, message);
        match e {
            Error::InvalidCharacter { position, .. } => f.position = position,
            Error::Checksum(c) => {
                if let Some(s) = c.suggestion {
                    f.position = s.position;
                    let confirmed = s.status == CorrectionStatus::ConfirmedBySignature;
                    f.suggestion = Some((s.replacement, confirmed));
                }
            }
            _ => {}
        }
        f
    }
}
