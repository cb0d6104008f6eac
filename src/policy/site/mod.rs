//! The offline site (`spec/SITE.md`): one verifier that owns the trust store and the state an
//! offline host must keep (installed lists per issuer key, clock mark, superseded serials).
//!
//! [`SiteState`](state::SiteState) holds the rules and the state, with no `std` and no
//! allocation, as a versioned, checksummed record; with `std` on Unix, [`Site`](dir::Site)
//! keeps it in a directory, written atomically and locked between processes.

#[cfg(all(feature = "std", unix))]
pub(crate) mod dir;
pub(crate) mod record;
pub(crate) mod state;
