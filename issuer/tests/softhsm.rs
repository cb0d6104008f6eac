//! PKCS#11 against SoftHSM2, in tokens made for this test in a temporary directory.
//!
//! Needs SoftHSM2 (Debian `softhsm2`). Without it every test here says so and passes, unless
//! `GLPI_KEY_REQUIRE_SOFTHSM=1` (set by `.ci/parts/75-issuer.sh`), where its absence fails.
//!
//! One process loads the module once (`C_Initialize` reads `SOFTHSM2_CONF` then), so every
//! token is made up front by the shared fixture, before the first test touches the module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use glpi_key::{
    Claims, IssueError, Issuer, KeyKind, Serial, Sign, TextStyle, Tier, TrustStore, UnixTime,
    UnverifiedKey, VerifyOptions,
};
use glpi_key_issuer::ledger::{KeyRequest, Ledger};
use glpi_key_issuer::pkcs11::{self, Pkcs11Config, Pkcs11Error, Pkcs11Signer, Pkcs11Uri};
use zeroize::Zeroizing;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "4321-user";

struct Fixture {
    _dir: tempfile::TempDir,
    module: PathBuf,
}

fn softhsm_util(conf: &Path, args: &[&str]) {
    let out = Command::new("softhsm2-util")
        .args(args)
        .env("SOFTHSM2_CONF", conf)
        .output()
        .expect("softhsm2-util runs");
    assert!(
        out.status.success(),
        "softhsm2-util {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The tokens: `Issuer` (empty, for keygen), `Signing` (a key made by keygen in the fixture),
/// `Other` (no Ed25519 key; an ECDSA key made with pkcs11-tool when available), `PinTest`
/// (nobody logs in: for the wrong PIN), `Empty` (no key at all).
fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        if !Path::new(MODULE).exists() {
            assert!(
                std::env::var_os("GLPI_KEY_REQUIRE_SOFTHSM").is_none(),
                "SoftHSM2 is required here but {MODULE} is missing: apt-get install softhsm2"
            );
            eprintln!("SKIPPED: SoftHSM2 not installed ({MODULE} missing)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        for label in ["Issuer", "Signing", "Other", "PinTest", "Empty"] {
            softhsm_util(
                &conf,
                &[
                    "--init-token",
                    "--free",
                    "--label",
                    label,
                    "--so-pin",
                    "5678-so",
                    "--pin",
                    PIN,
                ],
            );
        }
        // The whole test process reads this one configuration (set before any module load).
        std::env::set_var("SOFTHSM2_CONF", &conf);
        Some(Fixture {
            _dir: dir,
            module: MODULE.into(),
        })
    })
    .as_ref()
}

fn config(f: &Fixture, pin: Option<&str>) -> Pkcs11Config {
    Pkcs11Config {
        module: Some(f.module.clone()),
        pin: pin.map(|p| Zeroizing::new(p.to_owned())),
        pin_origin: "the test".to_owned(),
    }
}

fn uri(s: &str) -> Pkcs11Uri {
    Pkcs11Uri::parse(s).unwrap()
}

/// A key made once in the `Signing` token, shared by the tests that sign.
fn signing_key(f: &Fixture) -> &'static [u8; 32] {
    static K: OnceLock<[u8; 32]> = OnceLock::new();
    K.get_or_init(|| {
        pkcs11::generate(
            &uri("pkcs11:token=Signing;object=glpi-issuer-2027"),
            &config(f, Some(PIN)),
        )
        .unwrap()
        .public_key
    })
}

fn claims(serial: u64) -> Claims<'static> {
    let mut c = Claims::new(
        Serial::new(serial).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Advanced,
        "ACME Corp",
        UnixTime::from_date(2026, 12, 1).unwrap(),
    );
    c.expires_at = UnixTime::from_date(2028, 1, 1);
    c
}

#[test]
fn keygen_makes_a_non_extractable_ed25519_pair_and_never_replaces_one() {
    let Some(f) = fixture() else { return };
    let u = uri("pkcs11:token=Issuer;object=ceremony-2027");
    let made = pkcs11::generate(&u, &config(f, Some(PIN))).unwrap();
    assert_eq!(made.token, "Issuer");
    assert_eq!(made.extractable, Some(false));
    assert_eq!(made.never_extractable, Some(true));
    assert_eq!(made.id.len(), 16);
    // The key opens by label and by id, with the same public key.
    let by_label = Pkcs11Signer::open(&u, &config(f, Some(PIN))).unwrap();
    assert_eq!(by_label.public_key(), made.public_key);
    let id: String = made.id.iter().map(|b| format!("%{b:02x}")).collect();
    let by_id = Pkcs11Signer::open(
        &uri(&format!("pkcs11:token=Issuer;id={id}")),
        &config(f, Some(PIN)),
    )
    .unwrap();
    assert_eq!(by_id.public_key(), made.public_key);
    let e = pkcs11::generate(&u, &config(f, Some(PIN))).unwrap_err();
    assert!(matches!(e, Pkcs11Error::LabelTaken { .. }), "{e}");
    assert!(e.to_string().contains("never replaced"), "{e}");
}

#[test]
fn keys_and_lists_signed_in_the_token_verify_offline() {
    let Some(f) = fixture() else { return };
    let public = *signing_key(f);
    let signer = Pkcs11Signer::open(
        &uri("pkcs11:token=Signing;object=glpi-issuer-2027"),
        &config(f, Some(PIN)),
    )
    .unwrap();
    let issuer = Issuer::from_signer(signer);
    // Verification needs nothing but the exported public key.
    let trust = TrustStore::with(glpi_key::TrustedKey::from_public_key_bytes(&public).unwrap());
    let text = issuer
        .issue_string(&claims(1001), TextStyle::Compact)
        .unwrap();
    let key = UnverifiedKey::parse(&text).unwrap();
    let license = key
        .verify(
            &trust,
            &VerifyOptions::at(UnixTime::from_date(2027, 3, 1).unwrap()),
        )
        .unwrap();
    assert_eq!(license.claims().serial.value(), 1001);
    // Ed25519 is deterministic: the token's key gives what any Ed25519 signer gives for the
    // same secret; here we can only check that two signatures agree.
    assert_eq!(
        issuer
            .issue_string(&claims(1001), TextStyle::Compact)
            .unwrap(),
        text
    );

    // A ledger over the token's key: issue, revoke, publish a list that verifies.
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::create(&dir.path().join("ledger.db")).unwrap();
    let mut r = KeyRequest::new(
        KeyKind::InstanceRegistration,
        Tier::Basic,
        "Initech",
        UnixTime::from_date(2026, 12, 1).unwrap(),
    );
    r.expires_at = UnixTime::from_date(2028, 1, 1);
    let rec = ledger.issue(&issuer, &r).unwrap();
    let serial = glpi_key::ShortId::parse(&rec.short_id).unwrap().serial();
    ledger
        .revoke(serial, "test", UnixTime::from_date(2027, 1, 1).unwrap())
        .unwrap();
    let published = ledger
        .publish_revocations(
            &issuer,
            dir.path(),
            UnixTime::from_date(2027, 1, 2).unwrap(),
            None,
            0,
        )
        .unwrap();
    let bytes = std::fs::read(&published.list_path).unwrap();
    let list = glpi_key::UnverifiedRevocationList::from_file_bytes(&bytes)
        .unwrap()
        .verify(&trust)
        .unwrap();
    assert!(list.contains(serial));
    let key = UnverifiedKey::parse(&rec.key_text).unwrap();
    let e = key
        .verify_with_revocations(
            &trust,
            &VerifyOptions::at(UnixTime::from_date(2027, 3, 1).unwrap()),
            Some(&list),
        )
        .unwrap_err();
    assert_eq!(e.code(), "revoked");
}

#[test]
fn a_wrong_pin_is_named_with_where_it_came_from() {
    let Some(f) = fixture() else { return };
    // A token no other test logs in to: a PKCS#11 login is shared by every session of the
    // process, so a wrong PIN only shows on a token nobody here is logged in to.
    let e = Pkcs11Signer::open(
        &uri("pkcs11:token=PinTest;object=glpi-issuer-2027"),
        &config(f, Some("0000")),
    )
    .unwrap_err();
    assert!(matches!(e, Pkcs11Error::WrongPin { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("refused the PIN from the test"), "{msg}");
    let e = Pkcs11Signer::open(
        &uri("pkcs11:token=PinTest;object=glpi-issuer-2027"),
        &config(f, None),
    )
    .unwrap_err();
    assert!(matches!(e, Pkcs11Error::NoPin { .. }), "{e:?}");
    assert!(e.to_string().contains(pkcs11::PIN_FILE_ENV), "{e}");
}

#[test]
fn a_missing_object_lists_what_the_token_holds() {
    let Some(f) = fixture() else { return };
    signing_key(f);
    let e = Pkcs11Signer::open(
        &uri("pkcs11:token=Signing;object=glpi-issuer-2099"),
        &config(f, Some(PIN)),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Pkcs11Error::NoObject { .. }), "{e:?}");
    assert!(msg.contains("no private key \"glpi-issuer-2099\""), "{msg}");
    assert!(msg.contains("\"glpi-issuer-2027\" (Ed25519)"), "{msg}");
    let e =
        Pkcs11Signer::open(&uri("pkcs11:token=Empty;object=x"), &config(f, Some(PIN))).unwrap_err();
    assert!(e.to_string().contains("holds no private key at all"), "{e}");
}

#[test]
fn a_missing_token_lists_the_tokens_present() {
    let Some(f) = fixture() else { return };
    let e =
        Pkcs11Signer::open(&uri("pkcs11:token=Nope;object=x"), &config(f, Some(PIN))).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Pkcs11Error::NoToken { .. }), "{e:?}");
    assert!(
        msg.contains("\"Issuer\"") && msg.contains("\"Signing\""),
        "{msg}"
    );
}

#[test]
fn a_key_that_is_not_ed25519_is_refused_by_type() {
    let Some(f) = fixture() else { return };
    // An EC P-256 key made with the token's own generator through pkcs11-tool.
    let Ok(out) = Command::new("pkcs11-tool")
        .args([
            "--module",
            MODULE,
            "--token-label",
            "Other",
            "--login",
            "--pin",
            PIN,
        ])
        .args([
            "--keypairgen",
            "--key-type",
            "EC:prime256v1",
            "--label",
            "ecdsa-key",
            "--id",
            "01",
        ])
        .output()
    else {
        assert!(
            std::env::var_os("GLPI_KEY_REQUIRE_SOFTHSM").is_none(),
            "pkcs11-tool (Debian opensc) is required here"
        );
        eprintln!("SKIPPED part: pkcs11-tool (opensc) not installed");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = Pkcs11Signer::open(
        &uri("pkcs11:token=Other;object=ecdsa-key"),
        &config(f, Some(PIN)),
    )
    .unwrap_err();
    assert!(matches!(e, Pkcs11Error::NotEd25519 { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("an EC (ECDSA) key, not an Ed25519 key"),
        "{e}"
    );
}

#[test]
fn a_module_that_is_not_pkcs11_is_named() {
    let Some(f) = fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libfake.so");
    std::fs::write(&fake, b"not a shared library").unwrap();
    let cfg = Pkcs11Config {
        module: Some(fake),
        ..config(f, Some(PIN))
    };
    let e =
        Pkcs11Signer::open(&uri("pkcs11:token=Signing;object=glpi-issuer-2027"), &cfg).unwrap_err();
    assert!(matches!(e, Pkcs11Error::ModuleLoad { .. }), "{e:?}");
    assert!(e.to_string().contains("not a PKCS#11 library"), "{e}");
}

#[test]
fn a_signature_from_the_wrong_key_never_leaves_the_issuer() {
    // The Sign check in the core: a signer naming one public key and signing with another
    // (a mixed-up object) is caught before a key is released.
    let Some(f) = fixture() else { return };
    signing_key(f);
    struct Mixed(Pkcs11Signer);
    impl Sign for Mixed {
        fn public_key(&self) -> [u8; 32] {
            [0x11; 32]
        }
        fn sign_ed25519(&self, m: &[u8]) -> Result<[u8; 64], glpi_key::SignerError> {
            self.0.sign_ed25519(m)
        }
    }
    let signer = Pkcs11Signer::open(
        &uri("pkcs11:token=Signing;object=glpi-issuer-2027"),
        &config(f, Some(PIN)),
    )
    .unwrap();
    let issuer = Issuer::from_signer(Mixed(signer));
    let e = issuer.issue(&claims(5)).unwrap_err();
    assert!(
        matches!(e, IssueError::SignatureMismatch | IssueError::Signer(_)),
        "{e:?}"
    );
}
