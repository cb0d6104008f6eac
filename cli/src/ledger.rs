//! `glpi-key ledger …`: the issuer ledger (an SQLite file) of issued keys, revocations and
//! published revocation lists. See `glpi_key_issuer::ledger` for the schema and the rules.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use glpi_key::{Serial, Sign, UnixTime};
use glpi_key_issuer::atomic::Existing;
use glpi_key_issuer::ledger::{self, KeyRecord, Ledger, LedgerError, DEFAULT_LIST_RETENTION_SECS};

use crate::failure::Failure;
use crate::signer::SigningKey;
use crate::{input, keyfile, with_issuer};

/// The ledger subcommands.
#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Create a new, empty ledger (mode 0600). An existing file is never replaced.
    Init(DbArg),
    /// Mark a key revoked (it goes into the next published list).
    Revoke(RevokeArgs),
    /// Sign the next revocation list (sequence + 1, every revoked key not long expired) and
    /// write it with its manifest into a directory.
    PublishRevocations(PublishArgs),
    /// List keys, newest first.
    List(ListArgs),
    /// Show one key, with its text and revocation.
    Show(ShowArgs),
    /// Find keys by owner (part of the name, any case), short ID, serial or instance UUID.
    Search(SearchArgs),
    /// Write keys as CSV (all, or one batch).
    Export(ExportArgs),
    /// Schema version, counts, batches and published lists.
    Status(StatusArgs),
    /// Record keys issued before the ledger existed, so that they can be found and revoked.
    /// Each must verify under a --trust key; all are recorded in one transaction, or none.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArg,
    /// A file of keys, one per line (blank lines and lines starting with # are skipped).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The issuer public key(s) the keys must verify under (PEM file or 64 hex digits).
    #[arg(long, value_name = "PUBKEY", required = true)]
    trust: Vec<String>,
}

#[derive(Args)]
pub struct DbArg {
    /// The ledger file.
    #[arg(long, value_name = "DB")]
    pub ledger: PathBuf,
}

#[derive(Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    db: DbArg,
    /// The key's serial (0x-hex or decimal) or short ID.
    #[arg(value_name = "SERIAL|SHORT-ID", value_parser = input::serial)]
    serial: Serial,
    /// Why (recorded in the ledger; not published).
    #[arg(long)]
    reason: String,
}

#[derive(Args)]
pub struct PublishArgs {
    #[command(flatten)]
    db: DbArg,
    /// The issuer signing key: a PEM file or pkcs11:token=…;object=….
    #[arg(long, value_name = "FILE|URI")]
    signing_key: String,
    /// The directory to write revocations-NNNNNN.glpirl and revocations-NNNNNN.json into.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// When the next list is planned (sites warn once it has passed).
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    next_update: Option<UnixTime>,
    /// Keep a revoked key in lists this long after it expires (default 365d; at least the
    /// longest grace period any site uses).
    #[arg(long, value_name = "DURATION", value_parser = input::duration)]
    keep_expired: Option<u64>,
    /// Issue time of the list. Default: now.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    issued_at: Option<UnixTime>,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArg,
    /// Only revoked keys.
    #[arg(long)]
    revoked: bool,
    /// At most this many (0: all).
    #[arg(long, default_value_t = 50)]
    limit: u64,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArg,
    /// The key's serial or short ID.
    #[arg(value_name = "SERIAL|SHORT-ID", value_parser = input::serial)]
    serial: Serial,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct SearchArgs {
    #[command(flatten)]
    db: DbArg,
    /// Part of an owner's name, or a short ID, 0x-serial or instance UUID.
    query: String,
    /// At most this many (0: all).
    #[arg(long, default_value_t = 50)]
    limit: u64,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArg,
    /// Only the keys of this bulk issue.
    #[arg(long, value_name = "N")]
    batch: Option<i64>,
    /// Write to this new file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    db: DbArg,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

/// Opens an existing ledger.
pub fn open(path: &Path) -> Result<Ledger, Failure> {
    Ledger::open(path).map_err(failure)
}

/// A ledger error as a usage failure (exit 2).
pub fn failure(e: LedgerError) -> Failure {
    let hint = match &e {
        LedgerError::SerialTaken { .. } => {
            Some("leave --serial out to draw a random serial, or look the key up with `glpi-key ledger show SERIAL`")
        }
        LedgerError::UnknownSerial(_) => {
            Some("find the key with `glpi-key ledger search OWNER`")
        }
        _ => None,
    };
    let f = Failure::usage(e);
    match hint {
        Some(h) => f.hint(h),
        None => f,
    }
}

fn json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))
}

pub fn run(out: &mut String, c: &LedgerCommand) -> Result<(), Failure> {
    match c {
        LedgerCommand::Init(a) => {
            let ledger = Ledger::create(&a.ledger).map_err(failure)?;
            let _ = writeln!(
                out,
                "Created ledger {} (schema version {}, mode 0600).",
                a.ledger.display(),
                ledger.schema_version().map_err(failure)?
            );
            Ok(())
        }
        LedgerCommand::Revoke(a) => {
            let mut ledger = open(&a.db.ledger)?;
            let r = ledger
                .revoke(a.serial, &a.reason, UnixTime::now())
                .map_err(failure)?;
            let _ = writeln!(
                out,
                "Revoked {} (serial 0x{}, {}, {} tier). It goes into the next list: run `glpi-key ledger publish-revocations`.",
                r.short_id, r.serial, r.owner, r.tier
            );
            Ok(())
        }
        LedgerCommand::PublishRevocations(a) => publish(out, a),
        LedgerCommand::List(a) => {
            let keys = open(&a.db.ledger)?
                .list(a.revoked, a.limit)
                .map_err(failure)?;
            print_keys(out, &keys, a.json)
        }
        LedgerCommand::Search(a) => {
            let keys = open(&a.db.ledger)?
                .search(&a.query, a.limit)
                .map_err(failure)?;
            print_keys(out, &keys, a.json)
        }
        LedgerCommand::Show(a) => {
            let Some(k) = open(&a.db.ledger)?.get(a.serial).map_err(failure)? else {
                return Err(failure(LedgerError::UnknownSerial(a.serial)));
            };
            if a.json {
                let _ = writeln!(out, "{}", json(&k)?);
            } else {
                show_key(out, &k);
            }
            Ok(())
        }
        LedgerCommand::Export(a) => {
            let ledger = open(&a.db.ledger)?;
            let keys = ledger.export(a.batch).map_err(failure)?;
            if let Some(b) = a.batch {
                if keys.is_empty() {
                    return Err(Failure::usage(format!("the ledger has no batch {b}"))
                        .hint("list the batches with `glpi-key ledger status`"));
                }
            }
            let mut bytes = Vec::new();
            ledger::write_csv(&mut bytes, &keys)
                .map_err(|e| Failure::usage(format!("cannot write CSV: {e}")))?;
            match &a.out {
                Some(p) => {
                    keyfile::write_file(p, &bytes, 0o600, Existing::Refuse)?;
                    let _ = writeln!(out, "Wrote {} keys to {}", keys.len(), p.display());
                }
                None => out.push_str(&String::from_utf8_lossy(&bytes)),
            }
            Ok(())
        }
        LedgerCommand::Status(a) => status(out, &a.db.ledger, a.json),
        LedgerCommand::Import(a) => {
            let (trust, _) = keyfile::load_trust(&a.trust)?;
            let text = std::fs::read_to_string(&a.file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", a.file.display())))?;
            let keys: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect();
            let mut ledger = open(&a.db.ledger)?;
            let (recorded, already) = ledger.import(&keys, &trust).map_err(|e| {
                failure(e).hint("keys are counted from 1, skipping blank and # lines")
            })?;
            let _ = writeln!(
                out,
                "Recorded {} keys from {} ({already} were already in the ledger).",
                recorded.len(),
                a.file.display()
            );
            Ok(())
        }
    }
}

fn publish(out: &mut String, a: &PublishArgs) -> Result<(), Failure> {
    let mut ledger = open(&a.db.ledger)?;
    let meta = std::fs::metadata(&a.out_dir)
        .map_err(|e| Failure::usage(format!("--out-dir {}: {e}", a.out_dir.display())))?;
    if !meta.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory",
            a.out_dir.display()
        )));
    }
    let key = SigningKey::open(&a.signing_key)?;
    let now = a.issued_at.unwrap_or_else(UnixTime::now);
    let keep = a.keep_expired.unwrap_or(DEFAULT_LIST_RETENTION_SECS);
    let p = with_issuer!(key, |issuer| publish_with(
        &mut ledger,
        &issuer,
        a,
        now,
        keep
    ))?;
    let _ = writeln!(
        out,
        "Published revocation list {} ({} serials, signed by issuer key {}):",
        p.list.sequence, p.list.serials, p.list.issuer_key_id
    );
    let _ = writeln!(out, "  {}", p.list_path.display());
    let _ = writeln!(
        out,
        "  {} (sha256 {})",
        p.manifest_path.display(),
        p.list.sha256
    );
    if p.dropped_expired > 0 {
        let _ = writeln!(
            out,
            "Left out {} revoked keys that expired more than {} days ago.",
            p.dropped_expired,
            keep / 86_400
        );
    }
    Ok(())
}

fn publish_with<S: Sign>(
    ledger: &mut Ledger,
    issuer: &glpi_key::Issuer<S>,
    a: &PublishArgs,
    now: UnixTime,
    keep: u64,
) -> Result<ledger::Published, Failure> {
    ledger
        .publish_revocations(issuer, &a.out_dir, now, a.next_update, keep)
        .map_err(failure)
}

fn print_keys(out: &mut String, keys: &[KeyRecord], as_json: bool) -> Result<(), Failure> {
    if as_json {
        let _ = writeln!(out, "{}", json(&keys)?);
        return Ok(());
    }
    if keys.is_empty() {
        let _ = writeln!(out, "No keys.");
        return Ok(());
    }
    let _ = writeln!(
        out,
        "{:<24}  {:<8}  {:<17}  {:<10}  OWNER",
        "SHORT ID", "TIER", "EXPIRES", "STATUS"
    );
    for k in keys {
        let expires = k
            .expires_at
            .map(|e| ledger::rfc3339(UnixTime::from_secs(e)).replace('T', " ")[..16].to_owned())
            .unwrap_or_else(|| "never".to_owned());
        let status = if k.revoked.is_some() {
            "revoked"
        } else {
            "issued"
        };
        let _ = writeln!(
            out,
            "{:<24}  {:<8}  {:<17}  {:<10}  {}",
            k.short_id,
            k.tier,
            expires,
            status,
            crate::show::printable(&k.owner)
        );
    }
    Ok(())
}

fn show_key(out: &mut String, k: &KeyRecord) {
    let t = |v: u64| UnixTime::from_secs(v).to_string();
    let row = |out: &mut String, name: &str, value: String| {
        let _ = writeln!(out, "  {:<14} {value}", format!("{name}:"));
    };
    let _ = writeln!(out, "{}", k.short_id);
    row(out, "Serial", format!("0x{}", k.serial));
    row(out, "Kind", k.kind.clone());
    row(out, "Tier", k.tier.clone());
    row(out, "Owner", crate::show::printable(&k.owner).to_string());
    row(
        out,
        "Instance",
        k.instance.clone().unwrap_or_else(|| "any".into()),
    );
    row(out, "Issued", t(k.issued_at));
    row(out, "Valid from", t(k.not_before));
    row(
        out,
        "Expires",
        k.expires_at.map(t).unwrap_or_else(|| "never".into()),
    );
    if !k.entitlements.is_empty() {
        row(out, "Entitlements", k.entitlements.join(", "));
    }
    if let (Some(a), Some(b)) = (&k.glpi_min, &k.glpi_max) {
        row(out, "GLPI", format!("{a} to {b}"));
    }
    if let Some(v) = k.max_assets {
        row(out, "Max assets", v.to_string());
    }
    if let Some(v) = k.entity {
        row(out, "Entity", v.to_string());
    }
    if let Some(v) = &k.supersedes {
        row(out, "Supersedes", format!("0x{v}"));
    }
    row(out, "Issuer key", k.issuer_key_id.clone());
    row(out, "Recorded", t(k.recorded_at));
    if let (Some(b), Some(r)) = (k.batch_id, k.batch_row) {
        row(out, "Batch", format!("{b}, row {r}"));
    }
    row(
        out,
        "Status",
        match &k.revoked {
            Some(r) => format!("REVOKED at {} ({})", t(r.revoked_at), r.reason),
            None => "issued, not revoked".into(),
        },
    );
    row(out, "Key", k.key_text.clone());
}

#[derive(serde::Serialize)]
struct StatusJson {
    schema_version: i64,
    integrity: String,
    keys: usize,
    revoked: usize,
    batches: Vec<ledger::BatchRecord>,
    lists: Vec<ledger::ListRecord>,
}

fn status(out: &mut String, path: &Path, as_json: bool) -> Result<(), Failure> {
    let ledger = open(path)?;
    let doc = StatusJson {
        schema_version: ledger.schema_version().map_err(failure)?,
        integrity: ledger.integrity_check().map_err(failure)?,
        keys: ledger.list(false, 0).map_err(failure)?.len(),
        revoked: ledger.list(true, 0).map_err(failure)?.len(),
        batches: ledger.batches().map_err(failure)?,
        lists: ledger.lists().map_err(failure)?,
    };
    if as_json {
        let _ = writeln!(out, "{}", json(&doc)?);
        return Ok(());
    }
    let _ = writeln!(out, "Ledger {}", path.display());
    let _ = writeln!(out, "  Schema version:  {}", doc.schema_version);
    let _ = writeln!(out, "  Integrity:       {}", doc.integrity);
    let _ = writeln!(
        out,
        "  Keys:            {} ({} revoked)",
        doc.keys, doc.revoked
    );
    for b in &doc.batches {
        let _ = writeln!(
            out,
            "  Batch {}:  {} keys from {} (sha256 {}…), committed {}",
            b.id,
            b.rows,
            b.source,
            &b.source_sha256[..12],
            UnixTime::from_secs(b.committed_at)
        );
    }
    for l in &doc.lists {
        let _ = writeln!(
            out,
            "  List {}:  {} serials, issued {}, {} ({})",
            l.sequence,
            l.serials,
            UnixTime::from_secs(l.issued_at),
            l.state,
            l.file_name
        );
    }
    Ok(())
}
