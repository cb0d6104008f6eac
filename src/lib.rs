//! GLPI registration keys that verify offline.
//!
//! A key is a short text, `GLPI-<body>-<check>`, that carries signed claims (who owns the
//! subscription, which tier, until when, for which GLPI instance). Anyone holding the vendor's
//! public key can verify it anywhere, with no network. A key is not a secret: hosts store it as
//! plain text.
//!
//! ```
//! use glpi_key::{Claims, Issuer, KeyKind, Serial, TextStyle, Tier, TrustStore, UnixTime,
//!                UnverifiedKey, VerifyOptions};
//!
//! // The vendor issues a key (its signing key stays at the vendor).
//! let issuer = Issuer::from_secret_key_bytes(&[7u8; 32]);
//! let issued_at = UnixTime::from_date(2026, 11, 23).unwrap();
//! let mut claims = Claims::new(Serial::new(42).unwrap(), KeyKind::InstanceRegistration,
//!                              Tier::Standard, "ACME Corp", issued_at);
//! claims.expires_at = UnixTime::from_date(2028, 1, 1);
//! let text = issuer.issue(&claims)?.text(TextStyle::Compact).to_string();
//!
//! // The GLPI instance verifies it offline with the vendor's public key.
//! let trust = TrustStore::with(issuer.trusted_key()?);
//! let now = UnixTime::from_date(2027, 6, 1).unwrap();
//! let key = UnverifiedKey::parse(&text)?;
//! let license = key.verify(&trust, &VerifyOptions::at(now))?;
//! assert_eq!(license.tier(), Tier::Standard);
//! assert_eq!(license.owner(), "ACME Corp");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Stages
//! Text becomes an [`UnverifiedKey`] (prefix, characters, length and check symbols are valid;
//! nothing it says is trusted, and its accessors say so), which only
//! [`UnverifiedKey::verify`] turns into a [`License`]: issuer lookup by key id, strict Ed25519
//! signature over the raw bytes, and only then claims decoding and the time, instance and
//! version checks.
//!
//! # Without `std`
//! The crate is `#![no_std]`. Verification never allocates: keys decode into fixed buffers
//! sized by [`MAX_BODY_LEN`], and the owner borrows from them. Features: `std` (default;
//! system clock, random serials), `alloc`, `fast` (default; lookup tables for speed:
//! ed25519-dalek's precomputed tables and about 2.4 KiB for the text reader and checksum; leave
//! it off on small targets), `serde` (Serialize for the claim types), `batch` (`verify_batch`:
//! many keys in one Ed25519 batch equation, one point per issuer key; allocates), `parallel`
//! (with `std`: `verify_batch_parallel` over cores with rayon).
//!
//! The format is specified in `spec/FORMAT.md`, with test vectors in `spec/vectors/`.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod encoding;
mod error;
mod issue;
mod model;
mod policy;
mod text;
mod trust;
mod verify;
mod wire;

pub use encoding::base32::ALPHABET;
pub use encoding::checksum;
pub use error::{
    ChecksumError, ClaimsError, Correction, CorrectionStatus, Error, IssueError, ListError,
    StateError, TrustError,
};
pub use issue::Issuer;
pub use model::entitlements::Entitlements;
pub use model::ids::{InstanceId, KeyId, KEY_ID_DOMAIN};
pub use model::kind::{KeyKind, ObjectKind};
pub use model::limits::{
    FORMAT_VERSION, MAX_EXTENSIONS_LEN, MAX_LIST_SERIALS, MAX_OWNER_LEN, MAX_TRUSTED_KEYS,
};
pub use model::serial::{Serial, ShortId, SERIAL_BITS, SERIAL_SYMBOLS};
pub use model::tier::Tier;
pub use model::time::{CivilTime, UnixTime};
pub use model::version::{GlpiVersion, VersionRange};
pub use policy::best_of::{best_of, Best, Outcome};
pub use policy::clock::ClockGuard;
#[cfg(feature = "std")]
pub use policy::clock_file::{ClockFile, ClockFileError};
#[cfg(all(feature = "std", unix))]
pub use policy::site::dir::{Site, SiteError};
pub use policy::site::record::{MAX_SITE_STATE_LEN, SITE_STATE_MAGIC, SITE_STATE_VERSION};
pub use policy::site::state::{
    Installed, InstalledList, InstanceCheck, SiteCheck, SitePolicy, SiteState, SiteVerdict,
    SiteWarnings, LIST_DIGEST_LEN, MAX_SUPERSEDED,
};
pub use text::spec::{TextStyle, GROUP_LEN, MAX_INPUT_LEN, PREFIX};
pub use text::writer::Text;
pub use trust::store::{TrustStore, TrustedKey};
#[cfg(feature = "batch")]
pub use verify::batch::verify_batch;
#[cfg(feature = "parallel")]
pub use verify::batch::{verify_batch_parallel, PARALLEL_CHUNK};
pub use verify::key::{
    UnverifiedKey, MAX_BODY_LEN, MAX_BODY_SYMBOLS, MAX_GROUPED_KEY_LEN, MAX_KEY_LEN, MIN_BODY_LEN,
};
pub use verify::license::{KeyStatus, License};
pub use verify::options::VerifyOptions;
pub use verify::revocation::{check_sequence, RevocationList, UnverifiedRevocationList};
pub use wire::claims::{Claims, Extension, Extensions, MAX_CLAIMS_LEN, MIN_CLAIMS_LEN};
pub use wire::envelope::{HEADER_LEN, SIGNATURE_LEN};
pub use wire::revocation::{
    max_revocation_list_len, NewRevocationList, LIST_FILE_MAGIC, MAX_TEXT_LIST_LEN,
    MAX_TEXT_LIST_SERIALS, SERIAL_LEN,
};
