//! Limits of the format that error messages name: kept here, at the bottom, so that the error
//! module never needs a constant from a higher layer.

/// The format version this library reads and writes.
pub const FORMAT_VERSION: u8 = 1;

/// The longest owner name, in bytes of UTF-8.
pub const MAX_OWNER_LEN: usize = 96;

/// The longest extension block, in bytes.
pub const MAX_EXTENSIONS_LEN: usize = 64;

/// The most serials one list may hold (8 MiB of serials).
pub const MAX_LIST_SERIALS: usize = 1 << 20;

/// The most issuer keys one [`TrustStore`](crate::TrustStore) holds (it never allocates).
pub const MAX_TRUSTED_KEYS: usize = 16;
