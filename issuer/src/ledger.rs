//! The issuer ledger: an SQLite database of every key issued, every revocation and every
//! revocation list published.
//!
//! One file, opened by many processes at once: SQLite's write-ahead log with
//! `synchronous=FULL`, every change in an `IMMEDIATE` transaction (one writer at a time, the
//! others wait up to [`BUSY_TIMEOUT`]), and a key is committed to the ledger *before* it is
//! shown to anyone: a key that is not in the ledger was never released. The schema carries
//! a version (`PRAGMA user_version`) and an application id, and is migrated forward in one
//! transaction when an older ledger is opened; a ledger from a newer `glpi-key` is refused.
//!
//! Schema (version 2):
//!
//! ```sql
//! keys        (serial INTEGER PRIMARY KEY,          -- 60-bit serial: unique, a collision is refused
//!              short_id TEXT UNIQUE, kind, tier, owner, instance, issued_at, not_before,
//!              expires_at, entitlements, glpi_min, glpi_max, max_assets, entity,
//!              supersedes, issuer_key_id, key_text, recorded_at,
//!              batch_id REFERENCES batches, batch_row)                 -- batch_*: since v2
//! revocations (serial PRIMARY KEY REFERENCES keys, revoked_at, reason)
//! lists       (sequence INTEGER PRIMARY KEY, issued_at, next_update, serials, issuer_key_id,
//!              file_name, sha256, state 'reserved'|'published', reserved_at, published_at)
//! batches     (id INTEGER PRIMARY KEY, source, source_sha256, rows, started_at, committed_at)  -- since v2
//! ```
//!
//! Times are Unix seconds; serials and sequences are SQLite integers (serials are 60 bits,
//! sequences are limited to 2^63 - 1).

use std::collections::HashSet;
use std::fmt;
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use glpi_key::{
    max_revocation_list_len, Claims, Entitlements, Extensions, InstanceId, IssueError, Issuer,
    KeyId, KeyKind, NewRevocationList, Serial, Sign, TextStyle, Tier, TrustStore, UnixTime,
    UnverifiedKey, VerifyOptions, VersionRange,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::atomic;

/// The schema this build writes. Older ledgers are migrated to it when opened.
pub const SCHEMA_VERSION: i64 = 2;

/// `PRAGMA application_id` of a ledger ("GLPK"): any other SQLite file is refused.
pub const APPLICATION_ID: i64 = 0x474c_504b;

/// How long a writer waits for another process's transaction to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long after its expiry a revoked key stays in published lists by default: longer than
/// any grace period a site should use, so that no site accepts it "in grace".
pub const DEFAULT_LIST_RETENTION_SECS: u64 = 365 * 86_400;

/// The migrations, in order: `MIGRATIONS[i]` takes a ledger from version `i` to `i + 1`.
const MIGRATIONS: [&str; 2] = [
    // 1: keys, revocations, published lists.
    "CREATE TABLE keys (
        serial        INTEGER PRIMARY KEY,
        short_id      TEXT    NOT NULL UNIQUE,
        kind          TEXT    NOT NULL,
        tier          TEXT    NOT NULL,
        owner         TEXT    NOT NULL,
        instance      TEXT,
        issued_at     INTEGER NOT NULL,
        not_before    INTEGER NOT NULL,
        expires_at    INTEGER,
        entitlements  INTEGER NOT NULL,
        glpi_min      TEXT,
        glpi_max      TEXT,
        max_assets    INTEGER,
        entity        INTEGER,
        supersedes    INTEGER,
        issuer_key_id TEXT    NOT NULL,
        key_text      TEXT    NOT NULL,
        recorded_at   INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE revocations (
        serial     INTEGER PRIMARY KEY REFERENCES keys(serial),
        revoked_at INTEGER NOT NULL,
        reason     TEXT    NOT NULL
     ) STRICT;
     CREATE TABLE lists (
        sequence      INTEGER PRIMARY KEY,
        issued_at     INTEGER NOT NULL,
        next_update   INTEGER,
        serials       INTEGER NOT NULL,
        issuer_key_id TEXT    NOT NULL,
        file_name     TEXT    NOT NULL,
        sha256        TEXT    NOT NULL,
        state         TEXT    NOT NULL CHECK (state IN ('reserved', 'published')),
        reserved_at   INTEGER NOT NULL,
        published_at  INTEGER
     ) STRICT;
     CREATE INDEX keys_owner ON keys(owner);",
    // 2: bulk issues (batches) and which batch row each key came from.
    "CREATE TABLE batches (
        id            INTEGER PRIMARY KEY,
        source        TEXT    NOT NULL,
        source_sha256 TEXT    NOT NULL,
        rows          INTEGER NOT NULL,
        started_at    INTEGER NOT NULL,
        committed_at  INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX batches_source ON batches(source_sha256);
     ALTER TABLE keys ADD COLUMN batch_id INTEGER REFERENCES batches(id);
     ALTER TABLE keys ADD COLUMN batch_row INTEGER;
     CREATE INDEX keys_batch ON keys(batch_id, batch_row);",
];

/// What went wrong with the ledger, for the operator.
#[derive(Debug)]
#[non_exhaustive]
pub enum LedgerError {
    /// The ledger file does not exist (and was not to be created).
    Missing(PathBuf),
    /// `create` found a file already there.
    Exists(PathBuf),
    /// The path is a symbolic link (refused: a link could point the ledger anywhere).
    Link(PathBuf),
    /// The file is not a glpi-key ledger (another SQLite file, or not SQLite at all).
    NotALedger {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        why: String,
    },
    /// The ledger was written by a newer glpi-key.
    TooNew {
        /// Its schema version.
        found: i64,
    },
    /// The serial is already in the ledger.
    SerialTaken {
        /// The serial asked for.
        serial: Serial,
        /// Whom the existing key was issued to.
        owner: String,
    },
    /// No key with this serial in the ledger.
    UnknownSerial(Serial),
    /// The key is already revoked.
    AlreadyRevoked {
        /// The key.
        serial: Serial,
        /// When.
        at: UnixTime,
        /// Why.
        reason: String,
    },
    /// A revocation needs a reason.
    NoReason,
    /// A key to import does not read or verify.
    Import {
        /// Which key (1 = the first).
        index: usize,
        /// Why.
        why: String,
    },
    /// This CSV file was already issued, as batch `batch`.
    BatchDone {
        /// The batch.
        batch: i64,
        /// How many keys it issued.
        rows: i64,
        /// When it was committed.
        at: UnixTime,
    },
    /// Signing failed (nothing was recorded).
    Issue {
        /// The row (bulk issuing), if any.
        row: Option<u64>,
        /// The error.
        error: IssueError,
    },
    /// The list sequence would exceed what the ledger stores.
    SequenceExhausted,
    /// Writing the published list failed after its sequence was reserved.
    Publish {
        /// The sequence reserved (never reused).
        sequence: u64,
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// A stored value does not decode (the ledger was edited by hand, or is damaged).
    Corrupt(String),
    /// SQLite's own error.
    Sql(rusqlite::Error),
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::Missing(p) => write!(
                f,
                "no ledger at {}; create one with `glpi-key ledger init {}`",
                p.display(),
                p.display()
            ),
            LedgerError::Exists(p) => write!(
                f,
                "{} already exists; a ledger is never replaced (open it, or choose another path)",
                p.display()
            ),
            LedgerError::Link(p) => write!(
                f,
                "{} is a symbolic link; give the ledger's real path",
                p.display()
            ),
            LedgerError::NotALedger { path, why } => {
                write!(f, "{} is not a glpi-key ledger: {why}", path.display())
            }
            LedgerError::TooNew { found } => write!(
                f,
                "the ledger has schema version {found}, newer than this glpi-key knows ({SCHEMA_VERSION}); use the glpi-key that last wrote it"
            ),
            LedgerError::SerialTaken { serial, owner } => write!(
                f,
                "serial {:#018x} ({}) is already in the ledger, issued to {owner:?}; a serial is never issued twice",
                serial.value(),
                serial.short_id()
            ),
            LedgerError::UnknownSerial(s) => write!(
                f,
                "no key with serial {:#018x} ({}) in the ledger",
                s.value(),
                s.short_id()
            ),
            LedgerError::AlreadyRevoked { serial, at, reason } => write!(
                f,
                "{} was already revoked at {at} ({reason})",
                serial.short_id()
            ),
            LedgerError::NoReason => f.write_str("give the reason for the revocation (--reason)"),
            LedgerError::Import { index, why } => {
                write!(f, "key {index} cannot be imported: {why}; nothing was imported")
            }
            LedgerError::BatchDone { batch, rows, at } => write!(
                f,
                "this CSV file was already issued: batch {batch}, {rows} keys, committed at {at}; issuing it again would give every customer a second key (export them with `glpi-key ledger export --batch {batch}`)"
            ),
            LedgerError::Issue { row: Some(r), error } => {
                write!(f, "row {r}: {error}; nothing was recorded")
            }
            LedgerError::Issue { row: None, error } => write!(f, "{error}; nothing was recorded"),
            LedgerError::SequenceExhausted => {
                f.write_str("the revocation list sequence cannot go higher")
            }
            LedgerError::Publish {
                sequence,
                path,
                error,
            } => write!(
                f,
                "cannot write revocation list {sequence} to {}: {error} (sequence {sequence} stays reserved and is never reused; publish again)",
                path.display()
            ),
            LedgerError::Corrupt(why) => write!(f, "the ledger holds a value it cannot read: {why}"),
            LedgerError::Sql(e) => write!(f, "ledger database: {e}"),
        }
    }
}

impl std::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LedgerError::Issue { error, .. } => Some(error),
            LedgerError::Publish { error, .. } => Some(error),
            LedgerError::Sql(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        LedgerError::Sql(e)
    }
}

/// Claims owned by the caller (the owner as a `String`), for keys still to be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRequest {
    /// The serial to use; `None` draws a random one not yet in the ledger.
    pub serial: Option<Serial>,
    /// Kind.
    pub kind: KeyKind,
    /// Tier.
    pub tier: Tier,
    /// Owner.
    pub owner: String,
    /// Issue time.
    pub issued_at: UnixTime,
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity.
    pub expires_at: Option<UnixTime>,
    /// Bound instance.
    pub instance: Option<InstanceId>,
    /// Entitlements.
    pub entitlements: Entitlements,
    /// GLPI versions.
    pub glpi_versions: Option<VersionRange>,
    /// Most assets.
    pub max_assets: Option<u32>,
    /// Agent entity.
    pub entity: Option<u32>,
    /// The key this one replaces.
    pub supersedes: Option<Serial>,
}

impl KeyRequest {
    /// A request with the required fields; the rest empty, valid from `issued_at`.
    pub fn new(kind: KeyKind, tier: Tier, owner: &str, issued_at: UnixTime) -> Self {
        KeyRequest {
            serial: None,
            kind,
            tier,
            owner: owner.to_owned(),
            issued_at,
            not_before: issued_at,
            expires_at: None,
            instance: None,
            entitlements: Entitlements::NONE,
            glpi_versions: None,
            max_assets: None,
            entity: None,
            supersedes: None,
        }
    }

    /// The claims for `serial`.
    pub fn claims(&self, serial: Serial) -> Claims<'_> {
        let mut c = Claims::new(serial, self.kind, self.tier, &self.owner, self.issued_at);
        c.not_before = self.not_before;
        c.expires_at = self.expires_at;
        c.instance = self.instance;
        c.entitlements = self.entitlements;
        c.glpi_versions = self.glpi_versions;
        c.max_assets = self.max_assets;
        c.entity = self.entity;
        c.supersedes = self.supersedes;
        c.extensions = Extensions::EMPTY;
        c
    }
}

/// One key as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// Serial, 16 hex digits.
    pub serial: String,
    /// Short ID.
    pub short_id: String,
    /// `instance-registration` or `agent-enrollment`.
    pub kind: String,
    /// Tier name.
    pub tier: String,
    /// Owner.
    pub owner: String,
    /// Bound instance UUID.
    pub instance: Option<String>,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds.
    pub not_before: u64,
    /// Unix seconds; `None` for a perpetual key.
    pub expires_at: Option<u64>,
    /// Entitlement names.
    pub entitlements: Vec<String>,
    /// Entitlement bits.
    pub entitlement_bits: u32,
    /// Lowest GLPI version covered.
    pub glpi_min: Option<String>,
    /// Highest GLPI version covered.
    pub glpi_max: Option<String>,
    /// Most assets.
    pub max_assets: Option<u32>,
    /// Agent entity.
    pub entity: Option<u32>,
    /// Serial of the key this one replaces (16 hex digits).
    pub supersedes: Option<String>,
    /// Key id of the issuer key that signed it.
    pub issuer_key_id: String,
    /// The key itself.
    pub key_text: String,
    /// When the ledger recorded it (Unix seconds).
    pub recorded_at: u64,
    /// The bulk issue it came from.
    pub batch_id: Option<i64>,
    /// Its row in the batch's CSV file (1 = first data row).
    pub batch_row: Option<u64>,
    /// The revocation, if revoked.
    pub revoked: Option<Revocation>,
}

/// A revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    /// Unix seconds.
    pub revoked_at: u64,
    /// Why.
    pub reason: String,
}

/// A published (or reserved) revocation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRecord {
    /// The list's sequence.
    pub sequence: u64,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds.
    pub next_update: Option<u64>,
    /// How many serials.
    pub serials: u64,
    /// The signing key's id.
    pub issuer_key_id: String,
    /// The list's file name.
    pub file_name: String,
    /// SHA-256 of the list file, hex.
    pub sha256: String,
    /// `published`, or `reserved` (the process stopped before the file was written).
    pub state: String,
}

/// A bulk issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRecord {
    /// Batch number.
    pub id: i64,
    /// The CSV file's name as given.
    pub source: String,
    /// SHA-256 of the CSV file, hex.
    pub source_sha256: String,
    /// Keys issued.
    pub rows: u64,
    /// Unix seconds.
    pub started_at: u64,
    /// Unix seconds.
    pub committed_at: u64,
}

/// A list written by [`Ledger::publish_revocations`].
#[derive(Debug, Clone)]
pub struct Published {
    /// The list's record.
    pub list: ListRecord,
    /// The list file.
    pub list_path: PathBuf,
    /// The manifest file.
    pub manifest_path: PathBuf,
    /// Revoked serials left out because their keys expired before the retention cut-off.
    pub dropped_expired: u64,
}

/// The manifest written next to a published list.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// `glpi-key-revocation-manifest/1`.
    pub format: &'static str,
    /// The list's sequence.
    pub sequence: u64,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds.
    pub next_update: Option<u64>,
    /// How many serials.
    pub serials: u64,
    /// The signing key's id.
    pub issuer_key_id: String,
    /// The list file (same directory).
    pub file: String,
    /// Its length.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// Where a bulk issue comes from.
#[derive(Debug, Clone)]
pub struct BatchSource {
    /// The file's name, for the record.
    pub name: String,
    /// SHA-256 of the file's bytes: the same file is never issued twice.
    pub sha256: [u8; 32],
}

/// One row of a bulk issue: its row number in the source, and the key to issue.
#[derive(Debug, Clone)]
pub struct BatchRow {
    /// 1 = the first data row.
    pub row: u64,
    /// The key.
    pub request: KeyRequest,
}

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn to_i64(v: u64, what: &str) -> Result<i64, LedgerError> {
    i64::try_from(v).map_err(|_| LedgerError::Corrupt(format!("{what} {v} is too large to store")))
}

fn serial_sql(s: Serial) -> i64 {
    // 60-bit serials always fit.
    s.value() as i64
}

fn serial_from_sql(v: i64) -> Result<Serial, LedgerError> {
    u64::try_from(v)
        .ok()
        .and_then(Serial::new)
        .ok_or_else(|| LedgerError::Corrupt(format!("serial {v} is not a 60-bit serial")))
}

fn now_secs() -> u64 {
    UnixTime::now().as_secs()
}

impl Ledger {
    /// Creates a new, empty ledger at `path` (mode 0600). An existing file is never replaced.
    pub fn create(path: &Path) -> Result<Self, LedgerError> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(atomic::O_NOFOLLOW)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => LedgerError::Exists(path.to_owned()),
                _ => LedgerError::NotALedger {
                    path: path.to_owned(),
                    why: format!("cannot create it: {e}"),
                },
            })?;
        let mut ledger = Self::connect(path)?;
        ledger.migrate(true)?;
        Ok(ledger)
    }

    /// Opens an existing ledger, migrating an older schema forward.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        match std::fs::symlink_metadata(path) {
            Err(_) => return Err(LedgerError::Missing(path.to_owned())),
            Ok(m) if m.file_type().is_symlink() => return Err(LedgerError::Link(path.to_owned())),
            Ok(m) if !m.is_file() => {
                return Err(LedgerError::NotALedger {
                    path: path.to_owned(),
                    why: "not a regular file".to_owned(),
                })
            }
            Ok(_) => {}
        }
        let mut ledger = Self::connect(path)?;
        ledger.migrate(false)?;
        Ok(ledger)
    }

    fn connect(path: &Path) -> Result<Self, LedgerError> {
        let not_ledger = |e: rusqlite::Error| LedgerError::NotALedger {
            path: path.to_owned(),
            why: e.to_string(),
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(not_ledger)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Reading the header proves it is SQLite at all before anything is written.
        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(not_ledger)?;
        let user_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let empty = app_id == 0 && user_version == 0 && {
            let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            n == 0
        };
        if !empty && app_id != APPLICATION_ID {
            return Err(LedgerError::NotALedger {
                path: path.to_owned(),
                why: format!(
                    "an SQLite database of another application (application_id {app_id:#x})"
                ),
            });
        }
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(LedgerError::NotALedger {
                path: path.to_owned(),
                why: format!("cannot use a write-ahead log (journal mode {mode})"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: a bulk issue of 100,000 keys touches about 40 MiB of pages,
        // which would otherwise spill to the log in the middle of its transaction.
        conn.pragma_update(None, "cache_size", -65_536)?;
        Ok(Ledger {
            conn,
            path: path.to_owned(),
        })
    }

    /// Brings the schema to [`SCHEMA_VERSION`], in one transaction.
    fn migrate(&mut self, new: bool) -> Result<(), LedgerError> {
        // The common case reads the version without taking the write lock, so opening a
        // ledger (to list, say) does not wait behind a bulk issue in another process.
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(LedgerError::TooNew { found: version });
        }
        if version == 0 && !new {
            let app_id: i64 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
            if app_id != APPLICATION_ID {
                return Err(LedgerError::NotALedger {
                    path: self.path.clone(),
                    why: "an empty file, not an initialised ledger (create ledgers with `glpi-key ledger init`)".to_owned(),
                });
            }
        }
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open ledger.
    pub fn schema_version(&self) -> Result<i64, LedgerError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// SQLite's integrity check: `ok`, or the problems found.
    pub fn integrity_check(&self) -> Result<String, LedgerError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Issues one key and records it, in one transaction: the key exists outside this
    /// function only once it is committed. A random serial is drawn again on the rare
    /// collision; a serial given in `request` that is already in the ledger is refused.
    pub fn issue<S: Sign>(
        &mut self,
        issuer: &Issuer<S>,
        request: &KeyRequest,
    ) -> Result<KeyRecord, LedgerError> {
        let recorded_at = now_secs();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let record = {
            let mut writer = Writer::new(&tx)?;
            writer.issue(issuer, request, recorded_at, None, None)?
        };
        tx.commit()?;
        Ok(record)
    }

    /// Issues every row in one transaction: all rows land, or none. A CSV file already
    /// issued (same SHA-256) is refused. Returns the batch and its keys in row order.
    pub fn issue_batch<S: Sign>(
        &mut self,
        issuer: &Issuer<S>,
        source: &BatchSource,
        rows: &[BatchRow],
    ) -> Result<(BatchRecord, Vec<KeyRecord>), LedgerError> {
        let started_at = now_secs();
        let source_hex = hex(&source.sha256);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(done) = batch_by_hash(&tx, &source_hex)? {
            return Err(LedgerError::BatchDone {
                batch: done.id,
                rows: done.rows as i64,
                at: UnixTime::from_secs(done.committed_at),
            });
        }
        tx.execute(
            "INSERT INTO batches (source, source_sha256, rows, started_at, committed_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![
                source.name,
                source_hex,
                to_i64(rows.len() as u64, "rows")?,
                to_i64(started_at, "time")?
            ],
        )?;
        let batch_id = tx.last_insert_rowid();
        let mut records = Vec::with_capacity(rows.len());
        {
            let mut writer = Writer::new(&tx)?;
            for row in rows {
                let r = writer
                    .issue(
                        issuer,
                        &row.request,
                        started_at,
                        Some(batch_id),
                        Some(row.row),
                    )
                    .map_err(|e| match e {
                        LedgerError::Issue { row: None, error } => LedgerError::Issue {
                            row: Some(row.row),
                            error,
                        },
                        other => other,
                    })?;
                records.push(r);
            }
        }
        let committed_at = now_secs();
        tx.execute(
            "UPDATE batches SET committed_at = ?1 WHERE id = ?2",
            params![to_i64(committed_at, "time")?, batch_id],
        )?;
        tx.commit()?;
        let batch = BatchRecord {
            id: batch_id,
            source: source.name.clone(),
            source_sha256: source_hex,
            rows: rows.len() as u64,
            started_at,
            committed_at,
        };
        Ok((batch, records))
    }

    /// Records keys issued before the ledger existed (or elsewhere), in one transaction: each
    /// must verify under `trust` (checked at its own start of validity, so an expired key can
    /// be recorded, and revoked). A key already recorded is skipped; another key with the
    /// same serial is refused. Returns the keys recorded and how many were already there.
    pub fn import(
        &mut self,
        keys: &[String],
        trust: &TrustStore,
    ) -> Result<(Vec<KeyRecord>, usize), LedgerError> {
        let recorded_at = now_secs();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut records = Vec::new();
        let mut already = 0;
        {
            let mut writer = Writer::new(&tx)?;
            for (i, text) in keys.iter().enumerate() {
                let bad = |why: String| LedgerError::Import { index: i + 1, why };
                let key = UnverifiedKey::parse(text).map_err(|e| bad(e.to_string()))?;
                let unverified = key.unverified_claims().map_err(|e| bad(e.to_string()))?;
                let options = VerifyOptions::at(unverified.not_before);
                let license = key
                    .verify(trust, &options)
                    .map_err(|e| bad(e.to_string()))?;
                let claims = license.claims();
                let compact = key.text(TextStyle::Compact).to_string();
                if writer.taken(claims.serial)?.is_some() {
                    let same: Option<String> = tx
                        .query_row(
                            "SELECT key_text FROM keys WHERE serial = ?1",
                            [serial_sql(claims.serial)],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if same.as_deref() == Some(compact.as_str()) {
                        already += 1;
                        continue;
                    }
                    return Err(LedgerError::SerialTaken {
                        serial: claims.serial,
                        owner: writer.taken(claims.serial)?.unwrap_or_default(),
                    });
                }
                records.push(writer.record(
                    claims,
                    license.issuer_key_id(),
                    compact,
                    recorded_at,
                    None,
                    None,
                )?);
            }
        }
        tx.commit()?;
        Ok((records, already))
    }

    /// The batch that issued the file with this SHA-256, if it landed.
    pub fn batch_for_source(&self, sha256: &[u8; 32]) -> Result<Option<BatchRecord>, LedgerError> {
        batch_by_hash(&self.conn, &hex(sha256))
    }

    /// Every batch, oldest first.
    pub fn batches(&self) -> Result<Vec<BatchRecord>, LedgerError> {
        let mut st = self.conn.prepare(
            "SELECT id, source, source_sha256, rows, started_at, committed_at FROM batches ORDER BY id",
        )?;
        let rows = st.query_map([], batch_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a key revoked. The key must be in the ledger and not revoked yet.
    pub fn revoke(
        &mut self,
        serial: Serial,
        reason: &str,
        at: UnixTime,
    ) -> Result<KeyRecord, LedgerError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LedgerError::NoReason);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(record) = key_by_serial(&tx, serial)? else {
            return Err(LedgerError::UnknownSerial(serial));
        };
        if let Some(r) = record.revoked {
            return Err(LedgerError::AlreadyRevoked {
                serial,
                at: UnixTime::from_secs(r.revoked_at),
                reason: r.reason,
            });
        }
        tx.execute(
            "INSERT INTO revocations (serial, revoked_at, reason) VALUES (?1, ?2, ?3)",
            params![serial_sql(serial), to_i64(at.as_secs(), "time")?, reason],
        )?;
        let record = key_by_serial(&tx, serial)?
            .ok_or_else(|| LedgerError::Corrupt("a key vanished while revoking it".to_owned()))?;
        tx.commit()?;
        Ok(record)
    }

    /// One key.
    pub fn get(&self, serial: Serial) -> Result<Option<KeyRecord>, LedgerError> {
        key_by_serial(&self.conn, serial)
    }

    /// Keys, newest first; `revoked_only` keeps revoked keys; `limit` 0 means all.
    pub fn list(&self, revoked_only: bool, limit: u64) -> Result<Vec<KeyRecord>, LedgerError> {
        let filter = if revoked_only {
            "WHERE r.serial IS NOT NULL"
        } else {
            ""
        };
        self.select(
            &format!("{filter} ORDER BY k.recorded_at DESC, k.serial"),
            limit,
            &[],
        )
    }

    /// Keys whose owner contains `query` (case-insensitive), or whose short ID, serial or
    /// instance is `query`.
    pub fn search(&self, query: &str, limit: u64) -> Result<Vec<KeyRecord>, LedgerError> {
        let q = query.trim();
        let exact_serial = glpi_key::ShortId::parse(q)
            .map(|s| s.serial())
            .ok()
            .or_else(|| parse_serial_hex(q));
        let instance = InstanceId::parse(q).map(|i| i.to_string());
        let like = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        self.select(
            "WHERE k.owner LIKE ?1 ESCAPE '\\' OR k.serial = ?2 OR k.instance = ?3
             ORDER BY k.recorded_at DESC, k.serial",
            limit,
            &[&like, &exact_serial.map(serial_sql), &instance],
        )
    }

    /// Keys of one batch, in row order (all keys when `batch` is `None`).
    pub fn export(&self, batch: Option<i64>) -> Result<Vec<KeyRecord>, LedgerError> {
        match batch {
            Some(b) => self.select("WHERE k.batch_id = ?1 ORDER BY k.batch_row", 0, &[&b]),
            None => self.select("ORDER BY k.recorded_at, k.serial", 0, &[]),
        }
    }

    fn select(
        &self,
        tail: &str,
        limit: u64,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<KeyRecord>, LedgerError> {
        let limit = if limit == 0 {
            -1
        } else {
            to_i64(limit, "limit")?
        };
        let sql = format!("{SELECT_KEYS} {tail} LIMIT {limit}");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args, key_from_row)?;
        rows.map(|r| r.map_err(LedgerError::from).and_then(|r| r))
            .collect()
    }

    /// Every list, newest first.
    pub fn lists(&self) -> Result<Vec<ListRecord>, LedgerError> {
        let mut st = self.conn.prepare(
            "SELECT sequence, issued_at, next_update, serials, issuer_key_id, file_name, sha256, state
             FROM lists ORDER BY sequence DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ListRecord {
                sequence: r.get::<_, i64>(0)? as u64,
                issued_at: r.get::<_, i64>(1)? as u64,
                next_update: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                serials: r.get::<_, i64>(3)? as u64,
                issuer_key_id: r.get(4)?,
                file_name: r.get(5)?,
                sha256: r.get(6)?,
                state: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Signs the next revocation list: sequence one higher than any list this ledger ever
    /// reserved, holding every revoked serial except keys that expired more than
    /// `retention_secs` before `now`. The sequence is reserved (committed) first, then the
    /// list file and its manifest are written to `dir` (each atomically, never replacing a
    /// file), then the list is marked published. A crash between the steps leaves a
    /// reserved sequence that is never reused, never two different lists with one number.
    pub fn publish_revocations<S: Sign>(
        &mut self,
        issuer: &Issuer<S>,
        dir: &Path,
        now: UnixTime,
        next_update: Option<UnixTime>,
        retention_secs: u64,
    ) -> Result<Published, LedgerError> {
        let cutoff = now.as_secs().saturating_sub(retention_secs);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<i64> =
            tx.query_row("SELECT max(sequence) FROM lists", [], |r| r.get(0))?;
        let sequence = match last {
            None => 1,
            Some(s) => s.checked_add(1).ok_or(LedgerError::SequenceExhausted)?,
        } as u64;
        let mut serials = Vec::new();
        let mut dropped_expired = 0u64;
        {
            let mut st = tx.prepare(
                "SELECT r.serial, k.expires_at FROM revocations r JOIN keys k USING (serial)
                 ORDER BY r.serial",
            )?;
            let mut rows = st.query([])?;
            while let Some(row) = rows.next()? {
                let serial = serial_from_sql(row.get(0)?)?;
                let expires: Option<i64> = row.get(1)?;
                match expires {
                    Some(e) if (e as u64) <= cutoff => dropped_expired += 1,
                    _ => serials.push(serial),
                }
            }
        }
        let new = NewRevocationList {
            sequence,
            issued_at: now,
            next_update,
            serials: &serials,
        };
        let mut buf = vec![0u8; max_revocation_list_len(serials.len())];
        let list = issuer
            .issue_revocation_list(&new, &mut buf)
            .map_err(|error| LedgerError::Issue { row: None, error })?;
        let file = list.to_file_bytes();
        let file_name = format!("revocations-{sequence:06}.glpirl");
        let manifest_name = format!("revocations-{sequence:06}.json");
        let record = ListRecord {
            sequence,
            issued_at: now.as_secs(),
            next_update: next_update.map(UnixTime::as_secs),
            serials: serials.len() as u64,
            issuer_key_id: issuer.key_id().to_string(),
            file_name: file_name.clone(),
            sha256: sha256_hex(&file),
            state: "reserved".to_owned(),
        };
        tx.execute(
            "INSERT INTO lists (sequence, issued_at, next_update, serials, issuer_key_id,
                                file_name, sha256, state, reserved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'reserved', ?8)",
            params![
                to_i64(sequence, "sequence")?,
                to_i64(record.issued_at, "time")?,
                record.next_update.map(|v| v as i64),
                record.serials as i64,
                record.issuer_key_id,
                record.file_name,
                record.sha256,
                to_i64(now_secs(), "time")?,
            ],
        )?;
        tx.commit()?;
        let manifest = Manifest {
            format: "glpi-key-revocation-manifest/1",
            sequence,
            issued_at: record.issued_at,
            next_update: record.next_update,
            serials: record.serials,
            issuer_key_id: record.issuer_key_id.clone(),
            file: file_name.clone(),
            bytes: file.len() as u64,
            sha256: record.sha256.clone(),
        };
        let manifest_json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| LedgerError::Corrupt(e.to_string()))?
            + "\n";
        let publish_error = |path: PathBuf| {
            move |error| LedgerError::Publish {
                sequence,
                path,
                error,
            }
        };
        let list_path = atomic::write_new(dir, &file_name, &file, 0o644)
            .map_err(publish_error(dir.join(&file_name)))?;
        // The manifest goes second: a reader that finds it finds the whole list it names.
        let manifest_path = atomic::write_new(dir, &manifest_name, manifest_json.as_bytes(), 0o644)
            .map_err(publish_error(dir.join(&manifest_name)))?;
        self.conn.execute(
            "UPDATE lists SET state = 'published', published_at = ?1 WHERE sequence = ?2",
            params![to_i64(now_secs(), "time")?, to_i64(sequence, "sequence")?],
        )?;
        Ok(Published {
            list: ListRecord {
                state: "published".to_owned(),
                ..record
            },
            list_path,
            manifest_path,
            dropped_expired,
        })
    }
}

/// Inserts keys inside a caller's transaction.
struct Writer<'t> {
    exists: rusqlite::Statement<'t>,
    insert: rusqlite::Statement<'t>,
    drawn: HashSet<Serial>,
}

const SELECT_KEYS: &str = "SELECT k.serial, k.short_id, k.kind, k.tier, k.owner, k.instance,
        k.issued_at, k.not_before, k.expires_at, k.entitlements, k.glpi_min, k.glpi_max,
        k.max_assets, k.entity, k.supersedes, k.issuer_key_id, k.key_text, k.recorded_at,
        k.batch_id, k.batch_row, r.revoked_at, r.reason
     FROM keys k LEFT JOIN revocations r USING (serial)";

impl<'t> Writer<'t> {
    fn new(tx: &'t Connection) -> Result<Self, LedgerError> {
        Ok(Writer {
            exists: tx.prepare("SELECT owner FROM keys WHERE serial = ?1")?,
            insert: tx.prepare(
                "INSERT INTO keys (serial, short_id, kind, tier, owner, instance, issued_at,
                    not_before, expires_at, entitlements, glpi_min, glpi_max, max_assets, entity,
                    supersedes, issuer_key_id, key_text, recorded_at, batch_id, batch_row)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20)",
            )?,
            drawn: HashSet::new(),
        })
    }

    fn taken(&mut self, serial: Serial) -> Result<Option<String>, LedgerError> {
        Ok(self
            .exists
            .query_row([serial_sql(serial)], |r| r.get(0))
            .optional()?)
    }

    fn issue<S: Sign>(
        &mut self,
        issuer: &Issuer<S>,
        request: &KeyRequest,
        recorded_at: u64,
        batch_id: Option<i64>,
        batch_row: Option<u64>,
    ) -> Result<KeyRecord, LedgerError> {
        let serial = match request.serial {
            Some(s) => {
                if let Some(owner) = self.taken(s)? {
                    return Err(LedgerError::SerialTaken { serial: s, owner });
                }
                s
            }
            None => loop {
                let s = Serial::random().map_err(|e| {
                    LedgerError::Corrupt(format!("the system random generator failed: {e}"))
                })?;
                if !self.drawn.contains(&s) && self.taken(s)?.is_none() {
                    break s;
                }
            },
        };
        self.drawn.insert(serial);
        let claims = request.claims(serial);
        let key = issuer
            .issue(&claims)
            .map_err(|error| LedgerError::Issue { row: None, error })?;
        let key_text = key.text(TextStyle::Compact).to_string();
        self.record(
            &claims,
            issuer.key_id(),
            key_text,
            recorded_at,
            batch_id,
            batch_row,
        )
    }

    /// Inserts a signed key whose serial is known to be free.
    fn record(
        &mut self,
        claims: &Claims<'_>,
        issuer_key_id: KeyId,
        key_text: String,
        recorded_at: u64,
        batch_id: Option<i64>,
        batch_row: Option<u64>,
    ) -> Result<KeyRecord, LedgerError> {
        let serial = claims.serial;
        let record = KeyRecord {
            serial: format!("{:016x}", serial.value()),
            short_id: serial.short_id().to_string(),
            kind: claims.kind.to_string(),
            tier: claims.tier.name().to_owned(),
            owner: claims.owner.to_owned(),
            instance: claims.instance.map(|i| i.to_string()),
            issued_at: claims.issued_at.as_secs(),
            not_before: claims.not_before.as_secs(),
            expires_at: claims.expires_at.map(UnixTime::as_secs),
            entitlements: claims.entitlements.names().map(str::to_owned).collect(),
            entitlement_bits: claims.entitlements.bits(),
            glpi_min: claims.glpi_versions.map(|r| r.min.to_string()),
            glpi_max: claims.glpi_versions.map(|r| r.max.to_string()),
            max_assets: claims.max_assets,
            entity: claims.entity,
            supersedes: claims.supersedes.map(|s| format!("{:016x}", s.value())),
            issuer_key_id: issuer_key_id.to_string(),
            key_text,
            recorded_at,
            batch_id,
            batch_row,
            revoked: None,
        };
        self.insert.execute(params![
            serial_sql(serial),
            record.short_id,
            record.kind,
            record.tier,
            record.owner,
            record.instance,
            to_i64(record.issued_at, "time")?,
            to_i64(record.not_before, "time")?,
            record.expires_at.map(|v| to_i64(v, "time")).transpose()?,
            i64::from(record.entitlement_bits),
            record.glpi_min,
            record.glpi_max,
            record.max_assets,
            record.entity,
            claims.supersedes.map(serial_sql),
            record.issuer_key_id,
            record.key_text,
            to_i64(recorded_at, "time")?,
            batch_id,
            batch_row.map(|r| r as i64),
        ])?;
        Ok(record)
    }
}

fn parse_serial_hex(s: &str) -> Option<Serial> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u64::from_str_radix(digits, 16).ok().and_then(Serial::new)
}

fn batch_from_row(r: &Row<'_>) -> rusqlite::Result<BatchRecord> {
    Ok(BatchRecord {
        id: r.get(0)?,
        source: r.get(1)?,
        source_sha256: r.get(2)?,
        rows: r.get::<_, i64>(3)? as u64,
        started_at: r.get::<_, i64>(4)? as u64,
        committed_at: r.get::<_, i64>(5)? as u64,
    })
}

fn batch_by_hash(conn: &Connection, sha: &str) -> Result<Option<BatchRecord>, LedgerError> {
    Ok(conn
        .query_row(
            "SELECT id, source, source_sha256, rows, started_at, committed_at FROM batches
             WHERE source_sha256 = ?1 ORDER BY id LIMIT 1",
            [sha],
            batch_from_row,
        )
        .optional()?)
}

fn key_by_serial(conn: &Connection, serial: Serial) -> Result<Option<KeyRecord>, LedgerError> {
    let mut st = conn.prepare_cached(&format!("{SELECT_KEYS} WHERE k.serial = ?1"))?;
    let mut rows = st.query([serial_sql(serial)])?;
    match rows.next()? {
        Some(row) => key_from_row(row)?.map(Some),
        None => Ok(None),
    }
}

/// A row of [`SELECT_KEYS`]; the inner result says whether the stored values make sense.
fn key_from_row(r: &Row<'_>) -> rusqlite::Result<Result<KeyRecord, LedgerError>> {
    let serial: i64 = r.get(0)?;
    let bits: i64 = r.get(9)?;
    let supersedes: Option<i64> = r.get(14)?;
    let revoked_at: Option<i64> = r.get(20)?;
    let reason: Option<String> = r.get(21)?;
    let u = |v: i64| v as u64;
    let record = KeyRecord {
        serial: format!("{serial:016x}"),
        short_id: r.get(1)?,
        kind: r.get(2)?,
        tier: r.get(3)?,
        owner: r.get(4)?,
        instance: r.get(5)?,
        issued_at: u(r.get(6)?),
        not_before: u(r.get(7)?),
        expires_at: r.get::<_, Option<i64>>(8)?.map(u),
        entitlements: Entitlements::from_bits(bits as u32)
            .names()
            .map(str::to_owned)
            .collect(),
        entitlement_bits: bits as u32,
        glpi_min: r.get(10)?,
        glpi_max: r.get(11)?,
        max_assets: r.get(12)?,
        entity: r.get(13)?,
        supersedes: supersedes.map(|s| format!("{s:016x}")),
        issuer_key_id: r.get(15)?,
        key_text: r.get(16)?,
        recorded_at: u(r.get(17)?),
        batch_id: r.get(18)?,
        batch_row: r.get::<_, Option<i64>>(19)?.map(u),
        revoked: match (revoked_at, reason) {
            (Some(at), Some(reason)) => Some(Revocation {
                revoked_at: u(at),
                reason,
            }),
            _ => None,
        },
    };
    if serial_from_sql(serial).is_err() || bits < 0 || bits > i64::from(u32::MAX) {
        return Ok(Err(LedgerError::Corrupt(format!(
            "key row with serial {serial} and entitlements {bits}"
        ))));
    }
    Ok(Ok(record))
}

/// The CSV columns of [`write_csv`], in order.
pub const CSV_COLUMNS: [&str; 22] = [
    "serial",
    "short_id",
    "kind",
    "tier",
    "owner",
    "instance",
    "issued_at",
    "not_before",
    "expires_at",
    "entitlements",
    "glpi_min",
    "glpi_max",
    "max_assets",
    "entity",
    "supersedes",
    "issuer_key_id",
    "recorded_at",
    "batch_id",
    "batch_row",
    "revoked_at",
    "revoke_reason",
    "key",
];

/// Writes records as CSV (RFC 4180, a header row; times as RFC 3339 UTC; lists with `;`).
pub fn write_csv<W: std::io::Write>(out: W, records: &[KeyRecord]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    let t = |v: u64| rfc3339(UnixTime::from_secs(v));
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in records {
        w.write_record([
            r.serial.clone(),
            r.short_id.clone(),
            r.kind.clone(),
            r.tier.clone(),
            r.owner.clone(),
            opt(r.instance.clone()),
            t(r.issued_at),
            t(r.not_before),
            opt(r.expires_at.map(t)),
            r.entitlements.join(";"),
            opt(r.glpi_min.clone()),
            opt(r.glpi_max.clone()),
            opt(r.max_assets.map(|v| v.to_string())),
            opt(r.entity.map(|v| v.to_string())),
            opt(r.supersedes.clone()),
            r.issuer_key_id.clone(),
            t(r.recorded_at),
            opt(r.batch_id.map(|v| v.to_string())),
            opt(r.batch_row.map(|v| v.to_string())),
            opt(r.revoked.as_ref().map(|x| t(x.revoked_at))),
            opt(r.revoked.as_ref().map(|x| x.reason.clone())),
            r.key_text.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// `2027-01-01T00:00:00Z`.
pub fn rfc3339(t: UnixTime) -> String {
    let c = t.to_civil();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Issuer {
        Issuer::from_secret_key_bytes(&[9; 32])
    }

    fn request(owner: &str) -> KeyRequest {
        let mut r = KeyRequest::new(
            KeyKind::InstanceRegistration,
            Tier::Standard,
            owner,
            UnixTime::from_date(2026, 12, 1).unwrap(),
        );
        r.expires_at = UnixTime::from_date(2028, 1, 1);
        r
    }

    fn new_ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::create(&dir.path().join("ledger.db")).unwrap();
        (dir, ledger)
    }

    #[test]
    fn issue_records_the_key_it_returns() {
        let (_d, mut ledger) = new_ledger();
        let rec = ledger.issue(&issuer(), &request("ACME Corp")).unwrap();
        let serial = glpi_key::ShortId::parse(&rec.short_id).unwrap().serial();
        let stored = ledger.get(serial).unwrap().unwrap();
        assert_eq!(stored, rec);
        let key = glpi_key::UnverifiedKey::parse(&stored.key_text).unwrap();
        let claims = key.unverified_claims().unwrap();
        assert_eq!(claims.owner, "ACME Corp");
        assert_eq!(claims.serial, serial);
        assert_eq!(ledger.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_serial_is_never_issued_twice() {
        let (_d, mut ledger) = new_ledger();
        let mut r = request("A");
        r.serial = Serial::new(42);
        ledger.issue(&issuer(), &r).unwrap();
        r.owner = "B".into();
        let e = ledger.issue(&issuer(), &r).unwrap_err();
        assert!(
            matches!(&e, LedgerError::SerialTaken { owner, .. } if owner == "A"),
            "{e}"
        );
        assert_eq!(ledger.list(false, 0).unwrap().len(), 1);
    }

    #[test]
    fn revoke_and_search() {
        let (_d, mut ledger) = new_ledger();
        let a = ledger.issue(&issuer(), &request("ACME Corp")).unwrap();
        ledger.issue(&issuer(), &request("Globex 100%")).unwrap();
        let s = glpi_key::ShortId::parse(&a.short_id).unwrap().serial();
        let at = UnixTime::from_date(2027, 1, 1).unwrap();
        assert!(matches!(
            ledger.revoke(s, "  ", at),
            Err(LedgerError::NoReason)
        ));
        let r = ledger.revoke(s, "leaked on a forum", at).unwrap();
        assert_eq!(r.revoked.unwrap().reason, "leaked on a forum");
        assert!(matches!(
            ledger.revoke(s, "again", at),
            Err(LedgerError::AlreadyRevoked { .. })
        ));
        assert!(matches!(
            ledger.revoke(Serial::new(5).unwrap(), "x", at),
            Err(LedgerError::UnknownSerial(_))
        ));
        assert_eq!(ledger.list(true, 0).unwrap().len(), 1);
        assert_eq!(ledger.search("acme", 0).unwrap().len(), 1);
        assert_eq!(ledger.search("100%", 0).unwrap()[0].owner, "Globex 100%");
        assert_eq!(ledger.search("%", 0).unwrap().len(), 1);
        assert_eq!(
            ledger.search(&a.short_id.to_lowercase(), 0).unwrap()[0],
            ledger.get(s).unwrap().unwrap()
        );
        assert_eq!(
            ledger.search(&format!("0x{}", a.serial), 0).unwrap().len(),
            1
        );
    }

    #[test]
    fn publish_lists_every_unexpired_revoked_serial_with_the_next_sequence() {
        let (dir, mut ledger) = new_ledger();
        let issuer = issuer();
        let mut old = request("Old");
        old.issued_at = UnixTime::from_date(2024, 1, 1).unwrap();
        old.not_before = old.issued_at;
        old.expires_at = UnixTime::from_date(2025, 1, 1);
        let old = ledger.issue(&issuer, &old).unwrap();
        let mut perpetual = request("Forever");
        perpetual.expires_at = None;
        let perpetual = ledger.issue(&issuer, &perpetual).unwrap();
        let live = ledger.issue(&issuer, &request("Live")).unwrap();
        ledger.issue(&issuer, &request("Not revoked")).unwrap();
        let at = UnixTime::from_date(2027, 1, 1).unwrap();
        for r in [&old, &perpetual, &live] {
            let s = glpi_key::ShortId::parse(&r.short_id).unwrap().serial();
            ledger.revoke(s, "test", at).unwrap();
        }
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let now = UnixTime::from_date(2027, 2, 1).unwrap();
        let p1 = ledger
            .publish_revocations(&issuer, &out, now, None, DEFAULT_LIST_RETENTION_SECS)
            .unwrap();
        assert_eq!(p1.list.sequence, 1);
        assert_eq!(p1.dropped_expired, 1);
        let bytes = std::fs::read(&p1.list_path).unwrap();
        assert_eq!(sha256_hex(&bytes), p1.list.sha256);
        let trust = glpi_key::TrustStore::with(issuer.trusted_key().unwrap());
        let list = glpi_key::UnverifiedRevocationList::from_file_bytes(&bytes)
            .unwrap()
            .verify(&trust)
            .unwrap();
        assert_eq!(list.sequence(), 1);
        assert_eq!(list.len(), 2);
        for r in [&perpetual, &live] {
            assert!(list.contains(glpi_key::ShortId::parse(&r.short_id).unwrap().serial()));
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&p1.manifest_path).unwrap()).unwrap();
        assert_eq!(manifest["sequence"], 1);
        assert_eq!(manifest["sha256"], p1.list.sha256);
        assert_eq!(manifest["bytes"], bytes.len());
        // A long retention keeps the expired key too; the sequence goes on.
        let p2 = ledger
            .publish_revocations(&issuer, &out, now, None, 10 * DEFAULT_LIST_RETENTION_SECS)
            .unwrap();
        assert_eq!((p2.list.sequence, p2.list.serials), (2, 3));
        let lists = ledger.lists().unwrap();
        assert_eq!(lists.len(), 2);
        assert!(lists.iter().all(|l| l.state == "published"));
    }

    #[test]
    fn a_failed_write_reserves_the_sequence_for_good() {
        let (dir, mut ledger) = new_ledger();
        let missing = dir.path().join("no-such-dir");
        let now = UnixTime::from_date(2027, 2, 1).unwrap();
        let e = ledger
            .publish_revocations(&issuer(), &missing, now, None, 0)
            .unwrap_err();
        assert!(matches!(e, LedgerError::Publish { sequence: 1, .. }), "{e}");
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let p = ledger
            .publish_revocations(&issuer(), &out, now, None, 0)
            .unwrap();
        assert_eq!(p.list.sequence, 2);
        let states: Vec<_> = ledger
            .lists()
            .unwrap()
            .into_iter()
            .map(|l| l.state)
            .collect();
        assert_eq!(states, ["published", "reserved"]);
    }

    #[test]
    fn a_batch_lands_whole_and_only_once() {
        let (_d, mut ledger) = new_ledger();
        let source = BatchSource {
            name: "renewals.csv".into(),
            sha256: [1; 32],
        };
        let rows: Vec<BatchRow> = (1..=50)
            .map(|i| BatchRow {
                row: i,
                request: request(&format!("Customer {i}")),
            })
            .collect();
        let (batch, keys) = ledger.issue_batch(&issuer(), &source, &rows).unwrap();
        assert_eq!(keys.len(), 50);
        assert_eq!(ledger.export(Some(batch.id)).unwrap(), keys);
        assert!(matches!(
            ledger.issue_batch(&issuer(), &source, &rows),
            Err(LedgerError::BatchDone { rows: 50, .. })
        ));
        // A failing row leaves nothing of its batch behind.
        let mut bad = rows.clone();
        bad[30].request.serial = glpi_key::ShortId::parse(&keys[3].short_id)
            .ok()
            .map(|s| s.serial());
        let other = BatchSource {
            name: "b.csv".into(),
            sha256: [2; 32],
        };
        assert!(matches!(
            ledger.issue_batch(&issuer(), &other, &bad),
            Err(LedgerError::SerialTaken { .. })
        ));
        assert_eq!(ledger.list(false, 0).unwrap().len(), 50);
        assert_eq!(ledger.batches().unwrap().len(), 1);
    }

    #[test]
    fn keys_from_before_the_ledger_are_imported_once_and_only_if_they_verify() {
        let (_d, mut ledger) = new_ledger();
        let old = Issuer::from_secret_key_bytes(&[9; 32]);
        let legacy = request("Legacy Co");
        let mut c = legacy.claims(Serial::new(0x77).unwrap());
        c.issued_at = UnixTime::from_date(2020, 1, 1).unwrap();
        c.not_before = c.issued_at;
        c.expires_at = UnixTime::from_date(2021, 1, 1);
        let expired = old.issue_string(&c, TextStyle::Grouped).unwrap();
        let trust = glpi_key::TrustStore::with(old.trusted_key().unwrap());
        let (got, already) = ledger
            .import(std::slice::from_ref(&expired), &trust)
            .unwrap();
        assert_eq!((got.len(), already), (1, 0));
        assert_eq!(got[0].owner, "Legacy Co");
        assert!(!got[0].key_text.contains(' '), "stored in compact form");
        // Importing again skips it; a key by an untrusted issuer is refused, whole batch.
        let (got, already) = ledger
            .import(std::slice::from_ref(&expired), &trust)
            .unwrap();
        assert_eq!((got.len(), already), (0, 1));
        let stranger = Issuer::from_secret_key_bytes(&[1; 32]);
        let stranger_request = request("Stranger");
        let mut c2 = stranger_request.claims(Serial::new(0x78).unwrap());
        c2.expires_at = None;
        let foreign = stranger.issue_string(&c2, TextStyle::Compact).unwrap();
        let e = ledger.import(&[foreign], &trust).unwrap_err();
        assert!(matches!(e, LedgerError::Import { index: 1, .. }), "{e}");
        // Now it can be revoked like any other key.
        ledger
            .revoke(
                Serial::new(0x77).unwrap(),
                "old leak",
                UnixTime::from_date(2026, 1, 1).unwrap(),
            )
            .unwrap();
        assert_eq!(ledger.list(false, 0).unwrap().len(), 1);
    }

    #[test]
    fn readers_do_not_wait_for_a_writer() {
        let (dir, mut ledger) = new_ledger();
        ledger.issue(&issuer(), &request("Before")).unwrap();
        // Another process in the middle of a long bulk issue holds the write lock.
        let mut writer = Connection::open(dir.path().join("ledger.db")).unwrap();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("DELETE FROM keys", []).unwrap();
        let reader = Ledger::open(&dir.path().join("ledger.db")).unwrap();
        // The reader sees the last committed state, not the writer's uncommitted one.
        assert_eq!(reader.list(false, 0).unwrap().len(), 1);
        drop(tx);
        assert_eq!(reader.list(false, 0).unwrap().len(), 1);
    }

    #[test]
    fn an_older_schema_is_migrated_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.execute(
                "INSERT INTO keys VALUES (7, 'GLPI-X', 'instance-registration', 'basic', 'Old Co',
                 NULL, 0, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, 'abcd0123', 'GLPI-KEY', 0)",
                [],
            )
            .unwrap();
        }
        let ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.schema_version().unwrap(), 2);
        let k = ledger.get(Serial::new(7).unwrap()).unwrap().unwrap();
        assert_eq!((k.owner.as_str(), k.batch_id), ("Old Co", None));
        drop(ledger);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            Ledger::open(&path),
            Err(LedgerError::TooNew { found: 99 })
        ));
    }

    #[test]
    fn other_files_are_refused_never_reset() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not a database at all, just some text".repeat(100),
        )
        .unwrap();
        let e = Ledger::open(&junk).unwrap_err();
        assert!(matches!(e, LedgerError::NotALedger { .. }), "{e}");
        assert_eq!(&std::fs::read(&junk).unwrap()[..4], b"this");
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            Ledger::open(&other),
            Err(LedgerError::NotALedger { .. })
        ));
        assert!(matches!(
            Ledger::open(&dir.path().join("absent.db")),
            Err(LedgerError::Missing(_))
        ));
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(
            Ledger::open(&empty),
            Err(LedgerError::NotALedger { .. })
        ));
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&other, &link).unwrap();
        assert!(matches!(Ledger::open(&link), Err(LedgerError::Link(_))));
        assert!(matches!(
            Ledger::create(&other),
            Err(LedgerError::Exists(_))
        ));
    }
}
