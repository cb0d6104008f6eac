//! Issuer public keys the verifier trusts, each with its key id and validity window.

#[cfg(feature = "tables")]
use alloc::sync::Arc;

use ed25519_dalek::VerifyingKey;

use crate::error::TrustError;
use crate::model::ids::KeyId;
use crate::model::limits::MAX_TRUSTED_KEYS;
use crate::model::time::UnixTime;
#[cfg(feature = "tables")]
use crate::trust::tables::{CombTable, TableSize};

/// One trusted issuer public key.
///
/// Loading refuses keys that strict verification could never accept: non-canonical encodings
/// and small-order points (including the all-zero and identity encodings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedKey {
    key: VerifyingKey,
    id: KeyId,
    valid_from: Option<UnixTime>,
    valid_until: Option<UnixTime>,
    distrusted_from: Option<UnixTime>,
}

impl TrustedKey {
    /// Trusts an Ed25519 public key, with no validity window.
    pub fn from_public_key_bytes(bytes: &[u8; 32]) -> Result<Self, TrustError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| TrustError::NotAPoint)?;
        if key.to_edwards().compress().to_bytes() != *bytes {
            return Err(TrustError::NonCanonical);
        }
        if key.is_weak() {
            return Err(TrustError::SmallOrder);
        }
        Ok(TrustedKey {
            key,
            id: KeyId::of_public_key(bytes),
            valid_from: None,
            valid_until: None,
            distrusted_from: None,
        })
    }

    /// Restricts the key to signing keys issued in `[from, until)`. A key signed by this
    /// issuer key with an issue time outside the window is refused. `None` leaves that side
    /// open.
    pub fn with_validity(
        mut self,
        from: Option<UnixTime>,
        until: Option<UnixTime>,
    ) -> Result<Self, TrustError> {
        if let (Some(a), Some(b)) = (from, until) {
            if b <= a {
                return Err(TrustError::EmptyWindow);
            }
        }
        self.valid_from = from;
        self.valid_until = until;
        Ok(self)
    }

    /// The key id.
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// The 32-byte public key.
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The Ed25519 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Start of the validity window, if any.
    pub fn valid_from(&self) -> Option<UnixTime> {
        self.valid_from
    }

    /// End of the validity window (exclusive), if any.
    pub fn valid_until(&self) -> Option<UnixTime> {
        self.valid_until
    }

    /// Distrusts the key from `from` on: from that moment of the *verifier's* clock (a site's
    /// clock mark), nothing signed by this key is honoured, whatever dates it carries. This is
    /// the answer to a compromised issuer key (the signing window is not: a thief back-dates
    /// into it). `None` trusts the key for good. See `spec/SITE.md` section 2.
    pub const fn with_distrust(mut self, from: Option<UnixTime>) -> Self {
        self.distrusted_from = from;
        self
    }

    /// From when the key is distrusted, if it is.
    pub fn distrusted_from(&self) -> Option<UnixTime> {
        self.distrusted_from
    }

    /// Whether what this key signed is honoured when the verifier's clock reads `now`: false
    /// from [`distrusted_from`](Self::distrusted_from) on.
    pub fn honoured_at(&self, now: UnixTime) -> bool {
        self.distrusted_from.is_none_or(|d| now < d)
    }

    /// Whether an object issued at `t` falls within this key's validity window.
    pub fn covers(&self, t: UnixTime) -> bool {
        self.valid_from.is_none_or(|from| t >= from)
            && self.valid_until.is_none_or(|until| t < until)
    }
}

/// The issuer keys a verifier trusts. Fixed capacity, no allocation; lookup by key id.
///
/// With the `tables` feature, [`precompute`](TrustStore::precompute) gives the store
/// precomputed tables that make each verification about twice as fast, for memory
/// ([`TableSize`]); clones share them.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    keys: [Option<TrustedKey>; MAX_TRUSTED_KEYS],
    len: usize,
    #[cfg(feature = "tables")]
    tables: Option<StoreTables>,
}

/// Two stores are equal when they trust the same keys with the same windows, in the same
/// order; precomputed tables only change speed, never a verdict, so they are not compared.
impl PartialEq for TrustStore {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.keys == other.keys
    }
}

impl Eq for TrustStore {}

/// The tables of a store: the base point's, and one of `−A` per trusted key (same index).
#[cfg(feature = "tables")]
#[derive(Debug, Clone)]
struct StoreTables {
    size: TableSize,
    base: Arc<CombTable>,
    keys: [Option<Arc<CombTable>>; MAX_TRUSTED_KEYS],
}

/// The tables one verification uses: the base point's and its issuer key's (of `−A`).
#[cfg(feature = "tables")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tables<'t> {
    pub base: &'t CombTable,
    pub minus_key: &'t CombTable,
}

/// Without the `tables` feature there are never tables.
#[cfg(not(feature = "tables"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tables<'t>(core::marker::PhantomData<&'t ()>);

#[cfg(feature = "tables")]
fn key_table(key: &TrustedKey, size: TableSize) -> Arc<CombTable> {
    Arc::new(CombTable::new(&-key.key.to_edwards(), size))
}

impl TrustStore {
    /// An empty store.
    pub const fn new() -> Self {
        TrustStore {
            keys: [None; MAX_TRUSTED_KEYS],
            len: 0,
            #[cfg(feature = "tables")]
            tables: None,
        }
    }

    /// Adds a trusted key. Key ids must be unique within a store. When the store has
    /// precomputed tables, the new key's table is built too.
    pub fn add(&mut self, key: TrustedKey) -> Result<(), TrustError> {
        if self.get(key.id).is_some() {
            return Err(TrustError::DuplicateKeyId(key.id));
        }
        let slot = self.keys.get_mut(self.len).ok_or(TrustError::Full)?;
        *slot = Some(key);
        #[cfg(feature = "tables")]
        if let Some(tables) = &mut self.tables {
            if let Some(table) = tables.keys.get_mut(self.len) {
                *table = Some(key_table(&key, tables.size));
            }
        }
        self.len += 1;
        Ok(())
    }

    /// Precomputes verification tables of `size` for the base point and for every trusted
    /// key, now and for keys added later (feature `tables`). Worth it when one store verifies
    /// more than a few dozen keys: building takes about as long as 100 verifications, and
    /// each verification then costs about half as much (figures in `benches/TABLES.md`).
    /// Verdicts do not change. Allocates [`TableSize::table_bytes`] per key plus one table;
    /// calling it again with the same size does nothing.
    #[cfg(feature = "tables")]
    pub fn precompute(&mut self, size: TableSize) {
        if self.tables.as_ref().is_some_and(|t| t.size == size) {
            return;
        }
        let mut keys = [const { None }; MAX_TRUSTED_KEYS];
        for (table, key) in keys.iter_mut().zip(&self.keys) {
            *table = key.as_ref().map(|k| key_table(k, size));
        }
        self.tables = Some(StoreTables {
            size,
            base: Arc::new(CombTable::new(
                &curve25519_dalek::constants::ED25519_BASEPOINT_POINT,
                size,
            )),
            keys,
        });
    }

    /// The size of the store's precomputed tables, if it has any.
    #[cfg(feature = "tables")]
    pub fn table_size(&self) -> Option<TableSize> {
        self.tables.as_ref().map(|t| t.size)
    }

    /// The tables for verifying under `key`: never, without the `tables` feature.
    #[cfg(not(feature = "tables"))]
    pub(crate) fn tables_for(&self, _key: &TrustedKey) -> Option<Tables<'_>> {
        None
    }

    /// The tables for verifying under `key`, when the store has them.
    #[cfg(feature = "tables")]
    pub(crate) fn tables_for(&self, key: &TrustedKey) -> Option<Tables<'_>> {
        let tables = self.tables.as_ref()?;
        let index = self.keys.iter().position(|k| {
            // The public key itself (its id derives from it, and ids are unique in a store).
            k.as_ref().is_some_and(|k| k.key == key.key)
        })?;
        Some(Tables {
            base: &tables.base,
            minus_key: tables.keys.get(index)?.as_deref()?,
        })
    }

    /// A store holding one key.
    pub fn with(key: TrustedKey) -> Self {
        let mut store = TrustStore::new();
        // An empty store has room and no duplicate: adding one key cannot fail.
        let _ = store.add(key);
        store
    }

    /// The trusted key with this id.
    pub fn get(&self, id: KeyId) -> Option<&TrustedKey> {
        self.iter().find(|k| k.id == id)
    }

    /// The trusted keys, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter().flatten()
    }

    /// The trusted key with this id, to change it (a site distrusts keys in place).
    pub(crate) fn get_mut(&mut self, id: KeyId) -> Option<&mut TrustedKey> {
        self.keys.iter_mut().flatten().find(|k| k.id == id)
    }

    /// Number of trusted keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_weak_and_malformed_keys() {
        assert_eq!(
            TrustedKey::from_public_key_bytes(&[0u8; 32]).err(),
            Some(TrustError::SmallOrder)
        );
        // The identity point (y = 1) is small-order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            TrustedKey::from_public_key_bytes(&identity).err(),
            Some(TrustError::SmallOrder)
        );
        // y = p + 1 encodes the identity non-canonically.
        let mut non_canonical = [0xffu8; 32];
        non_canonical[0] = 0xee;
        non_canonical[31] = 0x7f;
        assert!(matches!(
            TrustedKey::from_public_key_bytes(&non_canonical),
            Err(TrustError::NonCanonical | TrustError::SmallOrder | TrustError::NotAPoint)
        ));
    }

    #[test]
    fn store_rejects_duplicates_and_overflow() {
        let key = |seed: u8| {
            let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
            TrustedKey::from_public_key_bytes(&sk.verifying_key().to_bytes()).unwrap()
        };
        let mut store = TrustStore::new();
        assert!(store.is_empty());
        assert_eq!(store.len(), 0);
        store.add(key(1)).unwrap();
        assert!(!store.is_empty());
        assert_eq!(store.len(), 1);
        assert_eq!(
            store.add(key(1)),
            Err(TrustError::DuplicateKeyId(key(1).key_id()))
        );
        for seed in 2..=MAX_TRUSTED_KEYS as u8 {
            store.add(key(seed)).unwrap();
        }
        assert_eq!(store.add(key(200)), Err(TrustError::Full));
        assert_eq!(store.len(), MAX_TRUSTED_KEYS);
        assert!(store.get(key(5).key_id()).is_some());
    }

    /// Precomputing again with another size rebuilds the tables at that size (the same size
    /// keeps them); `Debug` shows the tables' shapes, never their hundreds of KiB of points.
    #[cfg(feature = "tables")]
    #[test]
    #[cfg_attr(miri, ignore = "builds 640 KiB comb tables: minutes under Miri")]
    fn precompute_changes_size_and_debug_shows_shapes_only() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let key = TrustedKey::from_public_key_bytes(&sk.verifying_key().to_bytes()).unwrap();
        let mut store = TrustStore::with(key);
        assert_eq!(store.table_size(), None);
        store.precompute(TableSize::Small);
        assert_eq!(store.table_size(), Some(TableSize::Small));
        let small = std::format!("{store:?}");
        assert!(
            small.contains("CombTable { window: 6, points: 1376 }"),
            "{small}"
        );
        store.precompute(TableSize::Large);
        assert_eq!(store.table_size(), Some(TableSize::Large));
        let large = std::format!("{store:?}");
        assert!(
            large.contains("CombTable { window: 8, points: 4096 }"),
            "{large}"
        );
        assert!(large.len() < 2_000, "{} bytes", large.len());
        store.precompute(TableSize::Large);
        assert_eq!(store.table_size(), Some(TableSize::Large));
    }

    #[test]
    fn validity_window() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let k = TrustedKey::from_public_key_bytes(&sk.verifying_key().to_bytes()).unwrap();
        let t = UnixTime::from_secs;
        assert_eq!(
            k.with_validity(Some(t(10)), Some(t(10))).err(),
            Some(TrustError::EmptyWindow)
        );
        let k = k.with_validity(Some(t(10)), Some(t(20))).unwrap();
        assert!(!k.covers(t(9)));
        assert!(k.covers(t(10)));
        assert!(k.covers(t(19)));
        assert!(!k.covers(t(20)));
    }
}
