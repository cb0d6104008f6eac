//! The errors a vendor meets when issuing keys and lists, and a host when building its trust
//! store: each one is reached through the public API, says what went wrong and what to do, and
//! chains its cause (`Error::source`), so that a log line or a CLI message is enough to act on.

use glpi_key::*;
use std::error::Error as _;

fn claims(owner: &str) -> Claims<'_> {
    Claims::new(
        Serial::new(7).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        owner,
        UnixTime::from_date(2027, 1, 1).unwrap(),
    )
}

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[9; 32])
}

/// The message, and the message of its source if it has one.
fn said(e: &dyn std::error::Error) -> (String, Option<String>) {
    (e.to_string(), e.source().map(|s| s.to_string()))
}

#[test]
fn refused_claims_name_the_problem_and_chain_it() {
    let e = issuer().issue(&claims("ACME\u{202e}Corp")).unwrap_err();
    assert_eq!(
        e,
        IssueError::Claims(ClaimsError::OwnerCharacter('\u{202e}'))
    );
    let (msg, source) = said(&e);
    assert_eq!(
        msg,
        "cannot issue a key with these claims: the owner contains U+202E, a control or \
         bidirectional formatting character that could make it display as another name"
    );
    assert_eq!(
        source.as_deref(),
        Some(
            "the owner contains U+202E, a control or bidirectional formatting character \
             that could make it display as another name"
        )
    );

    let long = "x".repeat(MAX_OWNER_LEN + 1);
    let e = issuer().issue(&claims(&long)).unwrap_err();
    assert_eq!(e, IssueError::Claims(ClaimsError::OwnerLength(97)));
    assert!(
        e.to_string()
            .ends_with("the owner is 97 bytes long; it must be 1 to 96 bytes of UTF-8"),
        "{e}"
    );
}

#[test]
fn a_short_output_buffer_says_how_many_bytes_are_needed() {
    let issuer = issuer();
    let full = issuer
        .issue_string(&claims("ACME Corp"), TextStyle::Grouped)
        .unwrap();
    let mut out = vec![0u8; full.len() - 1];
    let e = issuer
        .issue_into(&claims("ACME Corp"), TextStyle::Grouped, &mut out)
        .unwrap_err();
    assert_eq!(e, IssueError::BufferTooSmall { needed: full.len() });
    assert_eq!(
        said(&e),
        (
            format!(
                "the output buffer is too small: {} bytes are needed",
                full.len()
            ),
            None
        )
    );
    // And with exactly that many bytes it is the same key.
    let mut out = vec![0u8; full.len()];
    assert_eq!(
        issuer
            .issue_into(&claims("ACME Corp"), TextStyle::Grouped, &mut out)
            .unwrap(),
        full
    );
}

#[test]
fn a_refused_revocation_list_names_the_serial_and_chains_the_cause() {
    let serials = [Serial::new(5).unwrap(), Serial::new(3).unwrap()];
    let list = NewRevocationList {
        sequence: 1,
        issued_at: UnixTime::from_date(2027, 1, 1).unwrap(),
        next_update: None,
        serials: &serials,
    };
    let mut out = vec![0u8; max_revocation_list_len(2)];
    let e = issuer()
        .issue_revocation_list(&list, &mut out)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        e,
        IssueError::RevocationList(ListError::Unsorted { index: 1 })
    );
    assert_eq!(
        said(&e),
        (
            "cannot issue this revocation list: serial number 2 is smaller than the one before \
             it (serials must be sorted)"
                .to_string(),
            Some(
                "serial number 2 is smaller than the one before it (serials must be sorted)"
                    .to_string()
            )
        )
    );

    let twice = [Serial::new(5).unwrap(), Serial::new(5).unwrap()];
    let list = NewRevocationList {
        serials: &twice,
        ..list
    };
    let e = issuer()
        .issue_revocation_list(&list, &mut out)
        .map(|_| ())
        .unwrap_err();
    let short_id = Serial::new(5).unwrap().short_id();
    assert_eq!(
        e.to_string(),
        format!("cannot issue this revocation list: serial 5 ({short_id}) is listed twice")
    );
}

/// A signer standing in for an HSM: it fails with a code, or returns a signature made with
/// another key than the one it announces.
struct Device {
    announced: [u8; 32],
    signs_with: Option<Issuer>,
}

impl Sign for Device {
    fn public_key(&self) -> [u8; 32] {
        self.announced
    }

    fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        match &self.signs_with {
            Some(other) => Ok(other.signing_key().sign_ed25519(message)?),
            // CKR_DEVICE_REMOVED
            None => Err(SignerError::with_code("the token was removed", 0x32)),
        }
    }
}

#[test]
fn a_failing_signer_is_reported_with_its_own_code() {
    let device = Device {
        announced: issuer().public_key_bytes(),
        signs_with: None,
    };
    let e = Issuer::from_signer(device)
        .issue(&claims("ACME Corp"))
        .unwrap_err();
    let signer = SignerError::with_code("the token was removed", 0x32);
    assert_eq!(e, IssueError::Signer(signer));
    assert_eq!(
        (signer.reason(), signer.code()),
        ("the token was removed", Some(0x32))
    );
    assert_eq!(
        said(&e),
        (
            "the signer could not sign: the token was removed (code 0x32)".to_string(),
            Some("the token was removed (code 0x32)".to_string())
        )
    );
    assert_eq!(SignerError::new("no session").to_string(), "no session");
}

#[test]
fn a_signature_from_another_key_is_caught_and_nothing_is_released() {
    let other = Issuer::from_secret_key_bytes(&[10; 32]);
    let device = Device {
        announced: issuer().public_key_bytes(),
        signs_with: Some(other),
    };
    let e = Issuer::from_signer(device)
        .issue(&claims("ACME Corp"))
        .unwrap_err();
    assert_eq!(e, IssueError::SignatureMismatch);
    let (msg, source) = said(&e);
    assert!(
        msg.starts_with("the signer returned a signature that does not verify under its public key; nothing was issued"),
        "{msg}"
    );
    assert!(
        msg.contains("wrong key object, or a faulty signer"),
        "{msg}"
    );
    assert_eq!(source, None);
}

#[test]
fn trust_store_errors_say_what_to_do() {
    // Not a point: y = 2 is not on the curve.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    let e = TrustedKey::from_public_key_bytes(&not_a_point).unwrap_err();
    assert_eq!(e, TrustError::NotAPoint);
    assert!(
        e.to_string()
            .ends_with("check that the right file was given"),
        "{e}"
    );

    // The identity point, of small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let e = TrustedKey::from_public_key_bytes(&identity).unwrap_err();
    assert_eq!(e, TrustError::SmallOrder);
    assert!(e.to_string().contains("anyone can forge signatures"), "{e}");

    // y = p + 1, a non-canonical encoding of y = 1 (the identity): p = 2^255 - 19.
    let mut non_canonical = [0xff; 32];
    non_canonical[0] = 0xee;
    non_canonical[31] = 0x7f;
    let e = TrustedKey::from_public_key_bytes(&non_canonical).unwrap_err();
    assert_eq!(e, TrustError::NonCanonical);
    assert!(e.to_string().contains("not canonically encoded"), "{e}");

    let key = issuer().trusted_key().unwrap();
    let day = |d| UnixTime::from_date(2027, 1, d).unwrap();
    let e = key.with_validity(Some(day(2)), Some(day(2))).unwrap_err();
    assert_eq!(e, TrustError::EmptyWindow);
    assert_eq!(
        e.to_string(),
        "the issuer key's validity window ends before it starts"
    );

    let mut store = TrustStore::with(key);
    let e = store.add(key).unwrap_err();
    assert_eq!(e, TrustError::DuplicateKeyId(key.key_id()));
    assert_eq!(
        e.to_string(),
        format!(
            "two trusted issuer keys have the same key id {}: remove the duplicate",
            key.key_id()
        )
    );

    // Other seeds than the issuer's (9) and the extra key's (200).
    for seed in 100..100 + MAX_TRUSTED_KEYS as u8 - 1 {
        let k = Issuer::from_secret_key_bytes(&[seed; 32])
            .trusted_key()
            .unwrap();
        store.add(k).unwrap();
    }
    assert_eq!(store.len(), MAX_TRUSTED_KEYS);
    let extra = Issuer::from_secret_key_bytes(&[200; 32])
        .trusted_key()
        .unwrap();
    let e = store.add(extra).unwrap_err();
    assert_eq!(e, TrustError::Full);
    assert_eq!(e.to_string(), "too many trusted issuer keys (at most 16)");
    assert!(e.source().is_none());
}

/// Each error of a site directory names the path and says what to do; an I/O error keeps the
/// operating system's error as its cause.
#[cfg(unix)]
#[test]
fn site_directory_errors_name_the_path_and_say_what_to_do() {
    let base = std::env::temp_dir().join(format!("glpi-errors-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir(&base).unwrap();
    let trust = TrustStore::with(issuer().trusted_key().unwrap());
    let dir = base.join("site");
    Site::create(&dir, &trust, SitePolicy::default()).unwrap();

    let e = Site::create(&dir, &trust, SitePolicy::default()).unwrap_err();
    assert_eq!(e.code(), "site-exists");
    assert_eq!(
        said(&e),
        (
            format!(
                "{} already holds a site: use it, or choose another directory (a site is never overwritten)",
                dir.display()
            ),
            None
        )
    );

    let empty = base.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = Site::open(&empty).unwrap_err();
    assert_eq!(e.code(), "not-a-site");
    assert_eq!(
        said(&e),
        (
            format!(
                "{} holds no site (no state file): create one with `glpi-key site init {} --trust ISSUER.pub`",
                empty.display(),
                empty.display()
            ),
            None
        )
    );

    // The state file replaced by a link to a valid copy: refused, not followed.
    let copy = base.join("state-copy");
    std::fs::rename(dir.join("state"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, dir.join("state")).unwrap();
    let e = Site::open(&dir).unwrap_err();
    assert_eq!(e.code(), "not-a-regular-file");
    assert_eq!(
        said(&e),
        (
            format!(
                "{} is a symbolic link or not a regular file: refused (site files are never followed through links); remove it and restore the site directory from a backup",
                dir.join("state").display()
            ),
            None
        )
    );

    // A site below a regular file: the operating system's error is the cause.
    let file = base.join("a-file");
    std::fs::write(&file, b"").unwrap();
    let e = Site::create(&file.join("site"), &trust, SitePolicy::default()).unwrap_err();
    assert_eq!(e.code(), "io");
    let (message, cause) = said(&e);
    let os = e
        .source()
        .unwrap()
        .downcast_ref::<std::io::Error>()
        .unwrap();
    assert_eq!(os.kind(), std::io::ErrorKind::NotADirectory);
    assert_eq!(
        message,
        format!(
            "cannot read or write {}: {os}; check that the site directory exists and that this user may write it",
            file.join("site").display()
        )
    );
    assert_eq!(cause, Some(os.to_string()));
    std::fs::remove_dir_all(&base).unwrap();
}
