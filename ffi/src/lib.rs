//! C ABI of `glpi-key`: verify GLPI registration keys from C, PHP (FFI), Go (cgo) or Python
//! (ctypes) without reimplementing the format.
//!
//! The header `ffi/include/glpi_key.h` is generated from this file by cbindgen; the doc
//! comments below are the C documentation.
//!
//! # Conventions (apply to every function)
//! - Every function returns a [`GlpiStatus`] (or a plain value documented as such) and never
//!   unwinds into the caller: a Rust panic is caught at the boundary and reported as
//!   `GLPI_STATUS_INTERNAL_ERROR`.
//! - Every pointer argument is checked for NULL. A required pointer that is NULL gives
//!   `GLPI_STATUS_NULL_POINTER`; optional pointers say so in their documentation.
//! - Ownership: the caller owns every buffer and struct it passes in; the library keeps no
//!   pointer to them after returning. The only objects the library allocates are the
//!   `GlpiVerifier` (released with `glpi_verifier_free`) and the `GlpiSite` (`glpi_site_free`).
//! - The kind of key a host accepts is a required argument: there is no "any kind".
//! - Thread safety: there is no global state. A `GlpiVerifier` is immutable after creation, so
//!   any number of threads may call `glpi_verify` on the same verifier at once. A `GlpiSite`
//!   holds only its directory's path, and every `glpi_site_*` call locks the directory
//!   (`flock` on `DIR/lock`, through a file of its own), so threads and processes may use one
//!   site at once. Neither may be freed while another thread uses it. Output structs must not
//!   be shared between concurrent calls.
//!
//! # Example (C): a site, the way a host verifies its stored key
//! ```c
//! GlpiSite *site = NULL;
//! GlpiError err;
//! /* Once: glpi_site_create(dir, issuer_pub, 1, 30 * 86400, 600, &site, &err) (grace 30 days,
//!  * clock tolerance 10 minutes). Then, in every process: */
//! if (glpi_site_open("/var/lib/glpi/key-site", &site, &err) != GLPI_STATUS_OK) { puts(err.message); return; }
//! GlpiInstallInfo info; /* when a new revocation list arrives (older ones are refused) */
//! glpi_site_install_revocations(site, list, list_len, time(NULL), &info, &err);
//! GlpiLicense lic;
//! GlpiSiteWarnings w;
//! if (glpi_site_verify(site, (const uint8_t *)text, strlen(text), GLPI_KIND_INSTANCE_REGISTRATION,
//!                      instance_uuid, 0, "10.0", time(NULL), &lic, &w, &err) == GLPI_STATUS_OK) {
//!     printf("%s %s%s\n", lic.short_id, lic.owner, w.in_grace ? " (expired: in grace)" : "");
//! } else { printf("%s: %s\n", glpi_status_name(err.status), err.message); }
//! glpi_site_free(site);
//! ```
//!
//! The stateless `glpi_verifier_new` / `glpi_verify` check one key against trusted keys with no
//! memory (no revocation list, clock guard or renewals): for diagnostics and hosts that cannot
//! keep a directory.

// The order of the modules is the order of the generated header (cbindgen reads them in turn).
mod args;
mod boundary;
mod cstr;
mod types;
mod verifier;

// After the stateless verifier: the offline site.
mod site;

mod status;

// After the verifier in the header: the functions that read a status back.
mod messages;

pub use messages::{glpi_error_message, glpi_status_name};
pub use site::{
    glpi_site_create, glpi_site_create_with_keys, glpi_site_distrust, glpi_site_free,
    glpi_site_install_revocations, glpi_site_open, glpi_site_status, glpi_site_verify,
    GlpiInstallInfo, GlpiInstalledList, GlpiSite, GlpiSiteStatus, GlpiSiteWarnings,
    GlpiSupersession, GlpiTrustedKey, GLPI_KEY_ID_LEN, GLPI_LIST_DIGEST_LEN, GLPI_MAX_SUPERSEDED,
};
pub use status::GlpiStatus;
pub use types::{
    GlpiError, GlpiKind, GlpiLicense, GlpiTier, GLPI_INSECURE_SKIP_INSTANCE_BINDING,
    GLPI_INSTANCE_ID_LEN, GLPI_MAX_INPUT_LEN, GLPI_MAX_TRUSTED_KEYS, GLPI_MESSAGE_CAPACITY,
    GLPI_OWNER_CAPACITY, GLPI_PUBLIC_KEY_LEN, GLPI_SHORT_ID_CAPACITY,
};
pub use verifier::{glpi_verifier_free, glpi_verifier_new, glpi_verify, GlpiVerifier};

#[cfg(test)]
mod tests;
