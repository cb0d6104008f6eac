//! Status codes and messages: the numbers and names of every outcome, a failure on its way to
//! the caller, and the two functions that read them back (`glpi_status_name`,
//! `glpi_error_message`).

use std::ffi::OsStr;
use std::io;

use glpi_key::{CorrectionStatus, Error, ErrorClass, SiteError, StateError, TrustError};

/// The name of a site's lock file (`spec/SITE.md` section 6: `DIR/lock`).
const SITE_LOCK_FILE: &str = "lock";
/// `EROFS` (Linux and the BSDs): a read-only file system refuses writes like a permission.
const EROFS: i32 = 30;

/// The outcome of a call. `GLPI_STATUS_OK` is 0; values 1 to 31 are the failure classes of the
/// Rust library (`glpi_key::ErrorClass`, same numbers; their names, from `glpi_status_name`, are
/// the `expect` strings of `spec/vectors/keys.json`, `spec/vectors/site-scenarios.json` and
/// every other binding); values from 64 are failures at the C boundary and of the site
/// directory. Numbers are stable: new classes get new numbers.
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
    /// The revocation list is malformed (`malformed-revocation-list`).
    MalformedRevocationList = 20,
    /// The bytes are neither a revocation list's text nor its file form
    /// (`not-a-revocation-list-file`).
    NotARevocationListFile = 21,
    /// The key is revoked by an installed revocation list (`revoked`).
    Revoked = 22,
    /// The list is older than (or as old as, with other content) the one installed from the same
    /// issuer key; the installed list stays (`revocation-list-rollback`).
    RevocationListRollback = 23,
    /// The clock was set back beyond the site's tolerance (`clock-rollback`).
    ClockRollback = 24,
    /// The key or list says it was issued after `now` (`issued-in-future`).
    IssuedInFuture = 25,
    /// A buffer given to the library is too small (`buffer-too-small`).
    BufferTooSmall = 26,
    /// The issuer key that signed the key or list is distrusted on this site
    /// (`issuer-key-distrusted`).
    IssuerKeyDistrusted = 27,
    /// The site already accepted the key that renews this one (`superseded`).
    Superseded = 28,
    /// The key is bound to an instance and no instance was given (`instance-required`).
    InstanceRequired = 29,
    /// An installed revocation list's file is missing or changed: install the current list
    /// again (`installed-list-missing`).
    InstalledListMissing = 30,
    /// The site has recorded the most renewals it can hold (`site-state-full`).
    SiteStateFull = 31,
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
    /// Reading or writing a site file failed for another reason than those below (`io`); the
    /// message names the file and the operating system's reason.
    Io = 74,
    /// The operating system refused access to a site file or directory (`permission-denied`):
    /// run as the user that owns the site directory, or fix its permissions.
    PermissionDenied = 75,
    /// The site's lock (`DIR/lock`, `flock`) could not be taken (`site-lock-failed`).
    SiteLockFailed = 76,
    /// The directory does not exist or holds no site (`not-a-site`).
    NotASite = 77,
    /// `glpi_site_create` found a site already in the directory (`site-exists`).
    SiteExists = 78,
    /// A site file is a symbolic link or not a regular file: refused, never followed
    /// (`not-a-regular-file`).
    NotARegularFile = 79,
    /// The site's state record is damaged; it was not reset (`site-state-corrupted`).
    SiteStateCorrupted = 80,
    /// The site's state record has a version this library does not read (`site-state-version`).
    SiteStateVersion = 81,
    /// A trusted key's validity window ends before it starts (`trusted-key-empty-window`).
    TrustedKeyEmptyWindow = 82,
    /// No trusted issuer key of the site has the key id given (`issuer-key-not-trusted`).
    IssuerKeyNotTrusted = 83,
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
            GlpiStatus::MalformedRevocationList => "malformed-revocation-list\0",
            GlpiStatus::NotARevocationListFile => "not-a-revocation-list-file\0",
            GlpiStatus::Revoked => "revoked\0",
            GlpiStatus::RevocationListRollback => "revocation-list-rollback\0",
            GlpiStatus::ClockRollback => "clock-rollback\0",
            GlpiStatus::IssuedInFuture => "issued-in-future\0",
            GlpiStatus::BufferTooSmall => "buffer-too-small\0",
            GlpiStatus::IssuerKeyDistrusted => "issuer-key-distrusted\0",
            GlpiStatus::Superseded => "superseded\0",
            GlpiStatus::InstanceRequired => "instance-required\0",
            GlpiStatus::InstalledListMissing => "installed-list-missing\0",
            GlpiStatus::SiteStateFull => "site-state-full\0",
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
            GlpiStatus::Io => "io\0",
            GlpiStatus::PermissionDenied => "permission-denied\0",
            GlpiStatus::SiteLockFailed => "site-lock-failed\0",
            GlpiStatus::NotASite => "not-a-site\0",
            GlpiStatus::SiteExists => "site-exists\0",
            GlpiStatus::NotARegularFile => "not-a-regular-file\0",
            GlpiStatus::SiteStateCorrupted => "site-state-corrupted\0",
            GlpiStatus::SiteStateVersion => "site-state-version\0",
            GlpiStatus::TrustedKeyEmptyWindow => "trusted-key-empty-window\0",
            GlpiStatus::IssuerKeyNotTrusted => "issuer-key-not-trusted\0",
        }
    }

    /// Every status, in number order.
    pub(crate) const ALL: [GlpiStatus; 53] = [
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
        GlpiStatus::MalformedRevocationList,
        GlpiStatus::NotARevocationListFile,
        GlpiStatus::Revoked,
        GlpiStatus::RevocationListRollback,
        GlpiStatus::ClockRollback,
        GlpiStatus::IssuedInFuture,
        GlpiStatus::BufferTooSmall,
        GlpiStatus::IssuerKeyDistrusted,
        GlpiStatus::Superseded,
        GlpiStatus::InstanceRequired,
        GlpiStatus::InstalledListMissing,
        GlpiStatus::SiteStateFull,
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
        GlpiStatus::Io,
        GlpiStatus::PermissionDenied,
        GlpiStatus::SiteLockFailed,
        GlpiStatus::NotASite,
        GlpiStatus::SiteExists,
        GlpiStatus::NotARegularFile,
        GlpiStatus::SiteStateCorrupted,
        GlpiStatus::SiteStateVersion,
        GlpiStatus::TrustedKeyEmptyWindow,
        GlpiStatus::IssuerKeyNotTrusted,
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
            ErrorClass::MalformedRevocationList => GlpiStatus::MalformedRevocationList,
            ErrorClass::NotARevocationListFile => GlpiStatus::NotARevocationListFile,
            ErrorClass::Revoked => GlpiStatus::Revoked,
            ErrorClass::RevocationListRolledBack => GlpiStatus::RevocationListRollback,
            ErrorClass::ClockRolledBack => GlpiStatus::ClockRollback,
            ErrorClass::IssuedInFuture => GlpiStatus::IssuedInFuture,
            ErrorClass::BufferTooSmall => GlpiStatus::BufferTooSmall,
            ErrorClass::IssuerKeyDistrusted => GlpiStatus::IssuerKeyDistrusted,
            ErrorClass::Superseded => GlpiStatus::Superseded,
            ErrorClass::InstanceRequired => GlpiStatus::InstanceRequired,
            ErrorClass::InstalledListMissing => GlpiStatus::InstalledListMissing,
            ErrorClass::SiteStateFull => GlpiStatus::SiteStateFull,
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
            TrustError::EmptyWindow => GlpiStatus::TrustedKeyEmptyWindow,
            TrustError::NotTrusted(_) => GlpiStatus::IssuerKeyNotTrusted,
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
                    && class.number() as u32 > GlpiStatus::SiteStateFull as u32)
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

impl From<SiteError> for Failure {
    /// A site directory failure: a refusal keeps the status of its class; a file failure gets
    /// a status of its own; the message is the core's (it names the file and what to do).
    fn from(e: SiteError) -> Self {
        let e = match e {
            SiteError::Refused(refusal) => return Failure::from(refusal),
            other => other,
        };
        let status = match &e {
            SiteError::Io { path, source } => {
                let denied = source.kind() == io::ErrorKind::PermissionDenied
                    || source.raw_os_error() == Some(EROFS);
                if denied {
                    GlpiStatus::PermissionDenied
                } else if path.file_name() == Some(OsStr::new(SITE_LOCK_FILE)) {
                    GlpiStatus::SiteLockFailed
                } else {
                    GlpiStatus::Io
                }
            }
            SiteError::NotARegularFile { .. } => GlpiStatus::NotARegularFile,
            SiteError::Corrupted { error, .. } => match error {
                StateError::UnsupportedVersion { .. } => GlpiStatus::SiteStateVersion,
                StateError::BufferTooSmall { .. } => GlpiStatus::BufferTooSmall,
                _ => GlpiStatus::SiteStateCorrupted,
            },
            SiteError::NotASite { .. } => GlpiStatus::NotASite,
            SiteError::AlreadyExists { .. } => GlpiStatus::SiteExists,
            SiteError::Trust(t) => GlpiStatus::of_trust_error(t),
            // `SiteError` is non-exhaustive: a failure added to the library after this list.
            _ => GlpiStatus::UnknownError,
        };
        let message = if status == GlpiStatus::UnknownError {
            format!("{}: {e}", e.code())
        } else {
            e.to_string()
        };
        Failure::new(status, message)
    }
}
