//! Layer 7, offline policy: the clock-rollback guard and its file, and choosing the best of
//! several keys (renewal).
//!
//! An air-gapped host cannot ask the vendor anything, so every decision here is made from the
//! key, the files the administrator carried in, and the host's own memory of the latest time
//! it has seen. Imports every layer below.

pub(crate) mod best_of;
pub(crate) mod clock;
#[cfg(feature = "std")]
pub(crate) mod clock_file;
