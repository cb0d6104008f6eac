//! Layer 1, the data model: plain values (serials, ids, kinds, tiers, entitlements, versions,
//! times) and the limits of the format. Imports only the encoding layer.

pub(crate) mod entitlements;
pub(crate) mod ids;
pub(crate) mod kind;
pub(crate) mod limits;
pub(crate) mod serial;
pub(crate) mod tier;
pub(crate) mod time;
pub(crate) mod version;
