//! `glpi-key`: issue, verify and inspect GLPI registration keys, offline.
//!
//! Exit codes: 0 success (the key is valid), 1 the key is not valid, 2 usage error (bad
//! arguments, unreadable or malformed files). Every failure prints one `error:` line on stderr,
//! sometimes followed by `hint:` lines.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod bulk;
mod commands;
mod demo;
mod failure;
mod files;
mod input;
mod keyfile;
mod ledger;
mod revocations;
mod show;
mod signer;
mod site;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use glpi_key::{
    Entitlements, GlpiVersion, InstanceId, KeyKind, Serial, Tier, UnixTime, VersionRange,
};

/// Issue, verify and inspect GLPI registration keys, offline.
///
/// A key is a short text, GLPI-<body>-<check>, carrying claims signed by the vendor's issuer
/// key. Anyone holding the issuer's public key can verify it with no network.
/// New here? Run `glpi-key demo`.
#[derive(Parser)]
#[command(name = "glpi-key", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 success (key valid), 1 key not valid, 2 usage or file error.";

#[derive(Subcommand)]
enum Command {
    /// Make a new issuer signing key (PKCS#8 PEM, mode 0600) and its public key (.pub), or a
    /// key pair inside a PKCS#11 token (--pkcs11).
    Keygen(KeygenArgs),
    /// Print (or write) the public key of an issuer signing key, file or PKCS#11.
    PublicKey(PublicKeyArgs),
    /// Issue a key signed with an issuer signing key, and print it; or many from a CSV file.
    Issue(IssueArgs),
    /// Verify a key offline against trusted issuer public keys.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Show what a key says WITHOUT verifying it (for support).
    Inspect(InspectArgs),
    /// Print the short ID of a key (or normalise a short ID).
    Id(IdArgs),
    /// Sign a revocation list of key serials.
    Revoke(RevokeArgs),
    /// The issuer ledger: what was issued, revoked and published.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Walk through issuing and verifying a key with a throwaway issuer (no files needed).
    Demo,
    /// An offline site: a directory that keeps the trust store, the installed revocation
    /// lists, the clock's high-water mark and renewed keys, and verifies with the whole policy.
    #[command(subcommand, after_help = EXIT_CODES)]
    Site(SiteSubcommand),
}

#[derive(Subcommand)]
enum SiteSubcommand {
    /// Create a site in DIR trusting the given issuer public keys.
    Init(SiteInitArgs),
    /// Install a signed revocation list (refused if not newer than the one installed from
    /// the same issuer key).
    InstallRevocations(SiteInstallArgs),
    /// Verify a key with the whole policy and the site's state (the kind is required).
    Verify(SiteVerifyArgs),
    /// Show the trusted keys with their windows, installed lists, clock mark and renewed keys.
    Status(SiteStatusArgs),
    /// Trust one more issuer public key (a rotation).
    Trust(SiteTrustArgs),
    /// Distrust a (compromised) issuer key from a date on: nothing it signed is accepted then.
    Distrust(SiteDistrustArgs),
}

#[derive(Args)]
struct SiteInitArgs {
    /// The site directory (created if missing; its parent must exist).
    dir: PathBuf,
    /// A trusted issuer public key: a PEM file, a file of 64 hex digits, or the 64 hex digits.
    #[arg(long, value_name = "PUBKEY", required = true)]
    trust: Vec<String>,
    /// Accept a key this long after it expires (with a warning): 30d, 12h, 90m, 3600s.
    #[arg(long, value_name = "DURATION", value_parser = input::duration, default_value = "0s")]
    grace: u64,
    /// How far back the clock may go without counting as set back.
    #[arg(long, value_name = "DURATION", value_parser = input::duration, default_value = "1h")]
    clock_tolerance: u64,
    /// Print the new site's status as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SiteInstallArgs {
    /// The site directory.
    dir: PathBuf,
    /// The revocation list: text form (GLPI-…) or file form (.glpirl).
    file: PathBuf,
    /// Use this time instead of the system clock (the site's clock guard still applies).
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    now: Option<UnixTime>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SiteVerifyArgs {
    /// The site directory.
    dir: PathBuf,
    /// The key, @FILE to read it from a file, or - for standard input (the default).
    #[arg(value_name = "KEY|@FILE|-")]
    key: Option<String>,
    /// The kind of key accepted here (required: there is no "either kind").
    #[arg(long, value_enum)]
    kind: Kind,
    /// This GLPI instance's UUID. Without it, a key bound to an instance is refused.
    #[arg(long, value_name = "UUID", value_parser = input::instance)]
    instance: Option<InstanceId>,
    /// INSECURE: accept a key bound to an instance without checking the binding.
    #[arg(long, conflicts_with = "instance")]
    insecure_no_instance: bool,
    /// This GLPI version: a key not covering it is refused.
    #[arg(long, value_name = "VERSION", value_parser = input::glpi_version)]
    glpi: Option<GlpiVersion>,
    /// Use this time instead of the system clock (the site's clock guard still applies).
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    now: Option<UnixTime>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SiteStatusArgs {
    /// The site directory.
    dir: PathBuf,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SiteTrustArgs {
    /// The site directory.
    dir: PathBuf,
    /// The issuer public key: a PEM file, a file of 64 hex digits, or the 64 hex digits.
    public_key: String,
    /// The key signs keys and lists issued from this time on.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    valid_from: Option<UnixTime>,
    /// The key signs keys and lists issued before this time.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    valid_until: Option<UnixTime>,
}

#[derive(Args)]
struct SiteDistrustArgs {
    /// The site directory.
    dir: PathBuf,
    /// The issuer key id (8 hex digits, as `site status` shows).
    key_id: String,
    /// From when (site time); default now. Only ever moves earlier.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    from: Option<UnixTime>,
}

#[derive(Args)]
struct KeygenArgs {
    /// Where to write the signing key; the public key goes next to it, with extension .pub.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "pkcs11",
        conflicts_with = "pkcs11"
    )]
    out: Option<PathBuf>,
    /// Create the key pair inside a PKCS#11 token instead, named by an RFC 7512 URI
    /// (pkcs11:token=LABEL;object=KEY-LABEL). The private key is made non-extractable and never
    /// leaves the token. Module and PIN come from GLPI_KEY_PKCS11_MODULE and
    /// GLPI_KEY_PKCS11_PIN_FILE (or GLPI_KEY_PKCS11_PIN).
    #[arg(long, value_name = "URI")]
    pkcs11: Option<String>,
    /// With --pkcs11: also write the public key (PEM) to this file.
    #[arg(long, value_name = "FILE", requires = "pkcs11")]
    pub_out: Option<PathBuf>,
    /// Replace existing files (the old issuer key is lost). A key in a token is never replaced.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct PublicKeyArgs {
    /// The issuer signing key: a PEM file, or pkcs11:token=…;object=… (see `keygen --pkcs11`).
    #[arg(long, value_name = "FILE|URI")]
    signing_key: String,
    /// Write the public key (PEM) to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
}

/// The kind of key.
#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// Registers a GLPI instance (the default).
    #[value(alias = "instance-registration")]
    Instance,
    /// Enrolls inventory agents into an entity.
    #[value(alias = "agent-enrollment")]
    Agent,
}

impl Kind {
    fn key_kind(self) -> KeyKind {
        match self {
            Kind::Instance => KeyKind::InstanceRegistration,
            Kind::Agent => KeyKind::AgentEnrollment,
        }
    }
}

#[derive(Args)]
struct IssueArgs {
    /// The issuer signing key: a PKCS#8 PEM file from `glpi-key keygen` (mode 0600), or a key
    /// in a PKCS#11 token, pkcs11:token=LABEL;object=KEY-LABEL (module and PIN from the
    /// environment: GLPI_KEY_PKCS11_MODULE, GLPI_KEY_PKCS11_PIN_FILE).
    #[arg(long, value_name = "FILE|URI")]
    signing_key: String,
    /// Record the key in this issuer ledger (made with `glpi-key ledger init`) before printing
    /// it. A serial already in the ledger is refused.
    #[arg(long, value_name = "DB")]
    ledger: Option<PathBuf>,
    /// Issue one key per row of this CSV file, all in one ledger transaction (needs --ledger).
    /// Columns: owner, tier, expires, not_before, issued_at, kind, instance, entitle, glpi,
    /// max_assets, entity, supersedes, serial; the other options give defaults for empty cells.
    #[arg(long, value_name = "CSV", requires = "ledger", conflicts_with_all = ["owner", "serial"])]
    bulk: Option<PathBuf>,
    /// With --bulk: write the keys as CSV (row, serial, short_id, owner, key) to this new file
    /// (mode 0600) instead of standard output.
    #[arg(long, value_name = "FILE", requires = "bulk")]
    keys_out: Option<PathBuf>,
    /// Subscription tier: free, starter, basic, standard or advanced.
    #[arg(long, value_parser = input::tier, required_unless_present = "bulk")]
    tier: Option<Tier>,
    /// Who the key is issued to (1 to 96 bytes).
    #[arg(long, required_unless_present = "bulk")]
    owner: Option<String>,
    /// End of validity: a date (valid through the end of that day, UTC) or an RFC 3339 time.
    /// Without it the key never expires.
    #[arg(long, value_name = "WHEN", value_parser = input::expires)]
    expires: Option<UnixTime>,
    /// Start of validity: a date (from 00:00 UTC) or an RFC 3339 time. Default: issue time.
    #[arg(long, value_name = "WHEN", value_parser = input::key_start)]
    not_before: Option<UnixTime>,
    /// Issue time recorded in the key. Default: now, to the minute.
    #[arg(long, value_name = "WHEN", value_parser = input::key_start)]
    issued_at: Option<UnixTime>,
    /// Bind the key to this GLPI instance UUID.
    #[arg(long, value_name = "UUID", value_parser = input::instance)]
    instance: Option<InstanceId>,
    /// Entitlements, comma-separated: marketplace, network-plugins, l3-support.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = input::entitlement)]
    entitle: Vec<Entitlements>,
    /// GLPI versions covered, both ends included: 10.0..11.0, or one version.
    #[arg(long, value_name = "RANGE", value_parser = input::glpi_range)]
    glpi: Option<VersionRange>,
    /// Most assets the instance may manage.
    #[arg(long, value_name = "N")]
    max_assets: Option<u32>,
    /// Kind of key.
    #[arg(long, value_enum, default_value = "instance")]
    kind: Kind,
    /// Entity the agents join (agent keys only).
    #[arg(long, value_name = "N")]
    entity: Option<u32>,
    /// The key this one replaces: its serial or short ID.
    #[arg(long, value_name = "SERIAL", value_parser = input::serial)]
    supersedes: Option<Serial>,
    /// Serial of the new key (0x-hex, decimal or short ID). Default: random.
    #[arg(long, value_name = "SERIAL", value_parser = input::serial)]
    serial: Option<Serial>,
    /// Print the key in groups of five symbols, for reading aloud or typing.
    #[arg(long)]
    grouped: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// The key, @FILE to read it from a file, or - for standard input (the default).
    #[arg(value_name = "KEY|@FILE|-")]
    key: Option<String>,
    /// A trusted issuer public key: a PEM file, a file of 64 hex digits, or the 64 hex digits.
    /// Repeat for several issuers.
    #[arg(long, value_name = "PUBKEY", required = true)]
    trust: Vec<String>,
    /// Check at this time instead of the system clock: date, RFC 3339 time or Unix seconds.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    now: Option<UnixTime>,
    /// This GLPI instance's UUID: a key bound to another instance is refused.
    #[arg(long, value_name = "UUID", value_parser = input::instance)]
    instance: Option<InstanceId>,
    /// This GLPI version: a key not covering it is refused.
    #[arg(long, value_name = "VERSION", value_parser = input::glpi_version)]
    glpi: Option<GlpiVersion>,
    /// Require this kind of key.
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// A signed revocation list (text or file form, from `glpi-key revoke`): a key listed in
    /// it is refused.
    #[arg(long, value_name = "FILE")]
    revocations: Option<String>,
    /// Accept a key this long after it expires (exit 0 with a warning): 30d, 12h, 90m, 3600s.
    #[arg(long, value_name = "DURATION", value_parser = input::duration)]
    grace: Option<u64>,
    /// Print the result as JSON on stdout (see cli/README.md for the fields).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// The key, @FILE, or - for standard input.
    #[arg(value_name = "KEY|@FILE|-")]
    key: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct IdArgs {
    /// A key or a short ID, @FILE, or - for standard input.
    #[arg(value_name = "KEY|@FILE|-")]
    key: Option<String>,
}

#[derive(Args)]
struct RevokeArgs {
    /// The issuer signing key: a PEM file (mode 0600) or pkcs11:token=…;object=….
    #[arg(long, value_name = "FILE|URI")]
    signing_key: String,
    /// The list's number: higher than every list this issuer published before.
    #[arg(long, value_name = "N")]
    sequence: u64,
    /// Serials or short IDs of the keys to revoke.
    #[arg(value_name = "SERIAL|SHORT-ID", value_parser = input::serial)]
    serials: Vec<Serial>,
    /// Also read serials or short IDs from this file, one per line (# starts a comment).
    #[arg(long, value_name = "FILE")]
    from_file: Option<PathBuf>,
    /// Issue time of the list. Default: now.
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    issued_at: Option<UnixTime>,
    /// When the next list is planned (verifiers warn once it has passed).
    #[arg(long, value_name = "WHEN", value_parser = input::now)]
    next_update: Option<UnixTime>,
    /// Write the list's binary file form here instead of printing its text form.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
    /// Print the text form in groups of five symbols.
    #[arg(long)]
    grouped: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0; usage errors exit 2, with clap's message.
        Err(e) => e.exit(),
    };
    let mut out = String::new();
    let mut warnings = Vec::new();
    let result = match cli.command {
        Command::Keygen(a) => commands::keygen(&mut out, &a),
        Command::PublicKey(a) => commands::public_key(&mut out, &a),
        Command::Issue(a) => match &a.bulk {
            Some(csv) => bulk::issue(&mut out, &a, csv),
            None => commands::issue(&mut out, &a),
        },
        Command::Verify(a) => commands::verify(&mut out, &mut warnings, &a),
        Command::Inspect(a) => commands::inspect(&mut out, a.key.as_deref(), a.json),
        Command::Id(a) => commands::id(&mut out, a.key.as_deref()),
        Command::Revoke(a) => revocations::revoke(&mut out, &a),
        Command::Ledger(c) => ledger::run(&mut out, &c),
        Command::Demo => demo::run(&mut out),
        Command::Site(c) => site::run(&mut out, &mut warnings, &c),
    };
    // A closed pipe (`glpi-key demo | head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    for w in &warnings {
        let _ = writeln!(std::io::stderr().lock(), "warning: {w}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = std::io::stderr()
                .lock()
                .write_all(failure.render().as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}
