//! Layer 7, offline policy: the clock-rollback guard and its file, choosing the best of
//! several keys (renewal), and the offline site that applies the whole policy with its state.
//!
//! An air-gapped host cannot ask the vendor anything, so every decision here is made from the
//! key, the files the administrator carried in, and the host's own memory of the latest time
//! it has seen. Imports every layer below.

pub(crate) mod best_of;
pub(crate) mod clock;
#[cfg(feature = "std")]
pub(crate) mod clock_file;
pub(crate) mod site;
#[cfg(feature = "std")]
pub(crate) mod temp_file;
