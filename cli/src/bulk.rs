//! `issue --bulk CSV --ledger DB`: many keys (renewals, say) from a CSV file, in one ledger
//! transaction. Every row is read and checked before anything is signed; then all rows are
//! signed and recorded together: they all land, or none does. The same file (by SHA-256) is
//! never issued twice, so running the command again after a crash is safe: it either issues
//! the batch (nothing had landed) or says which batch holds its keys.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use glpi_key::{Entitlements, Sign, UnixTime};
use glpi_key_issuer::atomic::Existing;
use glpi_key_issuer::ledger::{BatchRow, BatchSource, KeyRecord, KeyRequest, Ledger};
use sha2::{Digest, Sha256};

use crate::commands::request_from_args;
use crate::failure::Failure;
use crate::input::{self, DateMeans};
use crate::signer::SigningKey;
use crate::{keyfile, with_issuer, IssueArgs, Kind};

/// The largest CSV file read (about two million rows).
const MAX_CSV_BYTES: u64 = 256 << 20;

/// The columns a bulk CSV may have (a header row names them, in any order).
pub const COLUMNS: [&str; 13] = [
    "owner",
    "tier",
    "expires",
    "not_before",
    "issued_at",
    "kind",
    "instance",
    "entitle",
    "glpi",
    "max_assets",
    "entity",
    "supersedes",
    "serial",
];

pub fn issue(out: &mut String, a: &IssueArgs, csv_path: &Path) -> Result<(), Failure> {
    let shown = csv_path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(csv_path)
        .and_then(|f| f.take(MAX_CSV_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Failure::usage(format!("cannot read {shown}: {e}")))?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(Failure::usage(format!(
            "{shown} is larger than {} MiB; split it into several files",
            MAX_CSV_BYTES >> 20
        )));
    }
    let defaults = request_from_args(a, UnixTime::now().floor_to_minute())?;
    let rows = parse(&bytes, &shown, &defaults, a.tier.is_some())?;
    let source = BatchSource {
        name: shown.clone(),
        sha256: Sha256::digest(&bytes).into(),
    };
    let Some(ledger_path) = &a.ledger else {
        return Err(Failure::usage("--bulk needs --ledger DB"));
    };
    let mut ledger = crate::ledger::open(ledger_path)?;
    // Checked before the signing key is opened (no PIN asked for a batch already done).
    if let Some(done) = ledger
        .batch_for_source(&source.sha256)
        .map_err(crate::ledger::failure)?
    {
        return Err(already_done(&shown, done.id, done.rows));
    }
    if let Some(p) = &a.keys_out {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(Failure::usage(format!(
                "{} already exists; refusing to overwrite it",
                p.display()
            )));
        }
    }
    let key = SigningKey::open(&a.signing_key)?;
    eprintln!(
        "Signing and recording {} rows of {shown} in one transaction: all land, or none.",
        rows.len()
    );
    let started = Instant::now();
    let (batch, keys) = with_issuer!(key, |issuer| run(&mut ledger, &issuer, &source, &rows))?;
    let secs = started.elapsed().as_secs_f64();
    let rate = keys.len() as f64 / secs.max(1e-9);
    let summary = format!(
        "Issued {} keys from {shown} as batch {} of ledger {} in {secs:.2} s ({rate:.0} keys/s), one transaction: rows 1 to {} all landed.",
        keys.len(),
        batch,
        ledger.path().display(),
        keys.len()
    );
    let csv = keys_csv(&keys)?;
    match &a.keys_out {
        Some(p) => {
            keyfile::write_file(p, csv.as_bytes(), 0o600, Existing::Refuse)?;
            let _ = writeln!(out, "{summary}");
            let _ = writeln!(out, "Wrote the keys to {}.", p.display());
        }
        None => {
            out.push_str(&csv);
            eprintln!("{summary}");
        }
    }
    Ok(())
}

fn run<S: Sign>(
    ledger: &mut Ledger,
    issuer: &glpi_key::Issuer<S>,
    source: &BatchSource,
    rows: &[BatchRow],
) -> Result<(i64, Vec<KeyRecord>), Failure> {
    match ledger.issue_batch(issuer, source, rows) {
        Ok((batch, keys)) => Ok((batch.id, keys)),
        Err(glpi_key_issuer::ledger::LedgerError::BatchDone { batch, rows, .. }) => {
            Err(already_done(&source.name, batch, rows as u64))
        }
        Err(e) => Err(crate::ledger::failure(e)
            .hint("no row of this file was recorded: fix it and run the same command again")),
    }
}

fn already_done(file: &str, batch: i64, rows: u64) -> Failure {
    Failure::usage(format!(
        "{file} was already issued: batch {batch}, all {rows} rows landed; issuing it again would give every customer a second key"
    ))
    .hint(format!(
        "get its keys with: glpi-key ledger export --ledger DB --batch {batch}"
    ))
}

/// Reads every row; the first bad cell stops everything (nothing is signed).
fn parse(
    bytes: &[u8],
    file: &str,
    defaults: &KeyRequest,
    tier_given: bool,
) -> Result<Vec<BatchRow>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Failure::usage(format!("{file}: {e}")))?
        .clone();
    let mut columns = Vec::new();
    for h in &headers {
        let name = h.to_ascii_lowercase().replace('-', "_");
        if !COLUMNS.contains(&name.as_str()) {
            return Err(Failure::usage(format!("{file}: unknown column {h:?}"))
                .hint(format!("the columns are: {}", COLUMNS.join(", "))));
        }
        if columns.contains(&name) {
            return Err(Failure::usage(format!(
                "{file}: column {h:?} appears twice"
            )));
        }
        columns.push(name);
    }
    if !columns.iter().any(|c| c == "owner") {
        return Err(Failure::usage(format!("{file}: no owner column"))
            .hint("the first line names the columns, for example: owner,tier,expires,instance"));
    }
    if !tier_given && !columns.iter().any(|c| c == "tier") {
        return Err(Failure::usage(format!(
            "{file}: no tier column, and no --tier for all rows"
        )));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 1;
        let record = record.map_err(|e| Failure::usage(format!("{file}: row {row}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |col: &str, e: String| {
            Failure::usage(format!(
                "{file}, row {row} (line {line}), column {col}: {e}"
            ))
            .hint("nothing was issued: fix the file and run the same command again")
        };
        let mut r = defaults.clone();
        let mut issued_at_given = false;
        let mut not_before_given = false;
        for (col, cell) in columns.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let col = col.as_str();
            let err = |e: String| at(col, e);
            match col {
                "owner" => r.owner = cell.to_owned(),
                "tier" => r.tier = input::tier(cell).map_err(err)?,
                "expires" => r.expires_at = Some(input::expires(cell).map_err(err)?),
                "not_before" => {
                    r.not_before = input::key_time(cell, DateMeans::StartOfDay).map_err(err)?;
                    not_before_given = true;
                }
                "issued_at" => {
                    r.issued_at = input::key_time(cell, DateMeans::StartOfDay).map_err(err)?;
                    issued_at_given = true;
                }
                "kind" => {
                    r.kind = match cell {
                        "instance" | "instance-registration" => Kind::Instance,
                        "agent" | "agent-enrollment" => Kind::Agent,
                        other => return Err(err(format!("{other:?} is not instance or agent"))),
                    }
                    .key_kind()
                }
                "instance" => r.instance = Some(input::instance(cell).map_err(err)?),
                "entitle" => {
                    r.entitlements = Entitlements::NONE;
                    for name in cell.split([';', ',', ' ']).filter(|n| !n.is_empty()) {
                        r.entitlements = r.entitlements | input::entitlement(name).map_err(err)?;
                    }
                }
                "glpi" => r.glpi_versions = Some(input::glpi_range(cell).map_err(err)?),
                "max_assets" => {
                    r.max_assets = Some(
                        cell.parse()
                            .map_err(|_| err(format!("{cell:?} is not a count")))?,
                    )
                }
                "entity" => {
                    r.entity = Some(
                        cell.parse()
                            .map_err(|_| err(format!("{cell:?} is not an entity number")))?,
                    )
                }
                "supersedes" => r.supersedes = Some(input::serial(cell).map_err(err)?),
                "serial" => r.serial = Some(input::serial(cell).map_err(err)?),
                _ => {}
            }
        }
        if issued_at_given && !not_before_given {
            r.not_before = r.issued_at;
        }
        if r.owner.is_empty() {
            return Err(at("owner", "empty: every key needs an owner".to_owned()));
        }
        if r.entity.is_some() && r.kind != glpi_key::KeyKind::AgentEnrollment {
            return Err(at(
                "entity",
                "only agent enrollment keys have an entity".to_owned(),
            ));
        }
        // Check the claims encode now, so a bad row is found before anything is signed.
        let mut buf = [0u8; glpi_key::MAX_CLAIMS_LEN];
        r.claims(glpi_key::Serial::MAX)
            .encode(&mut buf)
            .map_err(|e| at("(row)", e.to_string()))?;
        rows.push(BatchRow { row, request: r });
    }
    if rows.is_empty() {
        return Err(Failure::usage(format!("{file} has no data rows")));
    }
    Ok(rows)
}

/// The issued keys as CSV: row, serial, short_id, owner, key.
fn keys_csv(keys: &[KeyRecord]) -> Result<String, Failure> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Failure::usage(format!("cannot write CSV: {e}"));
    w.write_record(["row", "serial", "short_id", "owner", "key"])
        .map_err(fail)?;
    for k in keys {
        w.write_record([
            k.batch_row
                .map(|r| r.to_string())
                .unwrap_or_default()
                .as_str(),
            &k.serial,
            &k.short_id,
            &k.owner,
            &k.key_text,
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Failure::usage(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Failure::usage(format!("cannot write CSV: {e}")))
}
