//! Property checks shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and by
//! `tests/fuzz_replay.rs`, which replays every committed corpus and regression input through
//! them with a plain `cargo test` on stable.
//!
//! Each target's logic is one `do_test(data)` function: a crash input found by the fuzzer
//! replays as an ordinary test. The checks assert properties, not only the absence of panics.

use std::string::{String, ToString};
use std::sync::OnceLock;
use std::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use glpi_key::{
    Claims, Entitlements, Error, Extensions, GlpiVersion, InstanceId, Issuer, KeyKind, Serial,
    TextStyle, Tier, TrustStore, UnixTime, UnverifiedKey, VerifyOptions, ALPHABET, MAX_CLAIMS_LEN,
    MAX_INPUT_LEN, MAX_KEY_LEN,
};

/// Every fuzz target, by the name of its `[[bin]]` in `fuzz/Cargo.toml` and its corpus folder.
pub const TARGETS: &[&str] = &[
    "parse_text",
    "verify",
    "claims_decode",
    "roundtrip",
    "revocation",
];

/// Runs the checks of `target` on one input. Returns `false` for an unknown target name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "parse_text" => parse_text::do_test(data),
        "verify" => verify::do_test(data),
        "claims_decode" => claims_decode::do_test(data),
        "roundtrip" => roundtrip::do_test(data),
        "revocation" => revocation::do_test(data),
        _ => return false,
    }
    true
}

/// The secret of the fuzzing issuer (test only; it signs nothing outside the fuzz targets).
pub const FUZZ_ISSUER_SECRET: [u8; 32] = [0x5e; 32];

/// The fuzzing issuer (made once: deriving its public key is costly).
pub fn issuer() -> &'static Issuer {
    static ISSUER: OnceLock<Issuer> = OnceLock::new();
    ISSUER.get_or_init(|| Issuer::from_secret_key_bytes(&FUZZ_ISSUER_SECRET))
}

/// A trust store holding only the fuzzing issuer's key.
pub fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| match issuer().trusted_key() {
        Ok(k) => TrustStore::with(k),
        Err(e) => panic!("the fuzzing issuer key must be acceptable: {e}"),
    })
}

/// Writes any body bytes as key text, `GLPI-<body>-<check>`, with a valid check: lets the
/// fuzzer (and the bit-flip tests) reach the stages behind the checksum.
pub fn body_text(body: &[u8]) -> String {
    glpi_key::hazmat::key_text_of_body(body, TextStyle::Compact).to_string()
}

/// Builds claims from fuzzer bytes. The encoder validates them; invalid ones fail to issue.
pub fn arbitrary_claims<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<Claims<'a>> {
    let serial = Serial::new(u64::arbitrary(u)? >> 4).unwrap_or(Serial::MAX);
    let kind = if bool::arbitrary(u)? {
        KeyKind::AgentEnrollment
    } else {
        KeyKind::InstanceRegistration
    };
    let tier = *u.choose(&Tier::ALL)?;
    let owner = <&str>::arbitrary(u)?;
    let issued_minutes = u64::from(u.int_in_range(0..=u32::MAX)?);
    let issued_at = UnixTime::from_secs(issued_minutes * 60);
    let mut c = Claims::new(serial, kind, tier, owner, issued_at);
    let offset = i64::from(u.int_in_range(-(1 << 20)..=(1 << 20))?);
    let nb_minutes = (issued_minutes as i64 + offset).max(0) as u64;
    c.not_before = UnixTime::from_secs(nb_minutes * 60);
    if bool::arbitrary(u)? {
        let validity = u64::from(u.int_in_range(1..=u32::MAX)?);
        c.expires_at = Some(UnixTime::from_secs((nb_minutes + validity) * 60));
    }
    if bool::arbitrary(u)? {
        c.instance = Some(InstanceId(<[u8; 16]>::arbitrary(u)?));
    }
    c.entitlements = Entitlements::from_bits(u32::arbitrary(u)?);
    if bool::arbitrary(u)? {
        let [a, b, c2, d] = <[u8; 4]>::arbitrary(u)?;
        c.glpi_versions = Some(glpi_key::VersionRange {
            min: GlpiVersion::new(a, b),
            max: GlpiVersion::new(c2, d),
        });
    }
    c.max_assets = Option::<u32>::arbitrary(u)?;
    if kind == KeyKind::AgentEnrollment {
        c.entity = Option::<u32>::arbitrary(u)?;
    }
    c.supersedes = Option::<u64>::arbitrary(u)?.and_then(|s| Serial::new(s >> 4));
    if bool::arbitrary(u)? {
        if let Ok(ext) = Extensions::from_encoded(<&[u8]>::arbitrary(u)?) {
            c.extensions = ext;
        }
    }
    Ok(c)
}

/// A time at which `claims` are valid (their start of validity).
pub fn valid_time(claims: &Claims<'_>) -> VerifyOptions {
    VerifyOptions::at(claims.not_before)
}

/// Text parsing: arbitrary bytes, read as lossy and as strict UTF-8.
pub mod parse_text {
    use super::*;

    /// Checks the parser on `data`.
    pub fn do_test(data: &[u8]) {
        let lossy = String::from_utf8_lossy(data);
        check(&lossy);
        if let Ok(strict) = core::str::from_utf8(data) {
            if strict != lossy {
                check(strict);
            }
        }
        // Huge input: the same text repeated past the limit is refused as too long.
        if !lossy.is_empty() && lossy.len() <= MAX_INPUT_LEN {
            let huge = lossy.repeat(MAX_INPUT_LEN / lossy.len() + 1);
            assert_eq!(
                UnverifiedKey::parse(&huge),
                Err(Error::TooLong { max: MAX_INPUT_LEN })
            );
        }
    }

    /// The properties of one parse.
    pub fn check(s: &str) {
        let parsed = UnverifiedKey::parse(s);
        // With a trust store, only the checksum suggestion may differ.
        let with_trust = UnverifiedKey::parse_with_trust(s, trust());
        match (&parsed, &with_trust) {
            (Err(Error::Checksum(_)), Err(Error::Checksum(_))) => {}
            _ => assert_eq!(parsed, with_trust, "parse and parse_with_trust disagree"),
        }
        match parsed {
            Ok(key) => {
                assert!(s.len() <= MAX_INPUT_LEN);
                // A successful parse re-encodes to a canonical text that parses back to the
                // same key, and that canonical text is a fixed point.
                let canonical = key.text(TextStyle::Compact).to_string();
                assert!(canonical.len() <= MAX_KEY_LEN);
                let again = UnverifiedKey::parse(&canonical);
                assert_eq!(again.as_ref(), Ok(&key), "canonical text {canonical}");
                if let Ok(again) = again {
                    assert_eq!(again.text(TextStyle::Compact).to_string(), canonical);
                }
                let grouped = key.text(TextStyle::Grouped).to_string();
                assert_eq!(UnverifiedKey::parse(&grouped).as_ref(), Ok(&key));
                assert_eq!(
                    UnverifiedKey::parse(&canonical.to_lowercase()).as_ref(),
                    Ok(&key)
                );
            }
            Err(Error::InvalidCharacter {
                character,
                position,
            }) => {
                // The position names the offending character, 1-based, in the text as given.
                assert!(position >= 1);
                assert_eq!(s.chars().nth(position - 1), Some(character), "{s:?}");
            }
            Err(Error::TooLong { max }) => assert!(s.len() > max),
            Err(e) => {
                assert!(!e.code().is_empty());
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

/// Full verification against a trust store holding only the fuzzing issuer.
pub mod verify {
    use super::*;

    /// `data[0] % 3` picks the mode: 0, the rest is text; 1, the rest is a key body written
    /// with a valid check; 2, structured: claims are issued by the fuzzing issuer, then the
    /// body is mutated and written back with a valid check.
    pub fn do_test(data: &[u8]) {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        match mode % 3 {
            0 => check_text(&String::from_utf8_lossy(rest)),
            1 => check_text(&body_text(rest)),
            _ => structured(rest),
        }
    }

    /// Verification succeeds only for a key the fuzzing issuer made: re-issuing the verified
    /// claims gives back exactly the same bytes (Ed25519 signing is deterministic).
    pub fn check_text(text: &str) {
        let Ok(key) = UnverifiedKey::parse(text) else {
            return;
        };
        let claims = match key.unverified_claims() {
            Ok(c) => c,
            Err(_) => {
                let at = VerifyOptions::at(UnixTime::from_secs(0));
                assert!(
                    matches!(
                        key.verify(trust(), &at),
                        Err(Error::BadSignature | Error::UnknownIssuer { .. })
                    ),
                    "undecodable claims must not verify"
                );
                return;
            }
        };
        let result = key.verify(trust(), &valid_time(&claims));
        if let Ok(license) = result {
            let reissued = issuer().issue(license.claims());
            assert_eq!(
                reissued.as_ref().map(UnverifiedKey::as_bytes),
                Ok(key.as_bytes()),
                "a key verified that the issuer did not produce"
            );
        }
    }

    fn structured(data: &[u8]) {
        let mut u = Unstructured::new(data);
        let Ok(claims) = arbitrary_claims(&mut u) else {
            return;
        };
        let Ok(key) = issuer().issue(&claims) else {
            return;
        };
        let original = key.as_bytes().to_vec();
        // The untouched key verifies as its claims.
        let verified = key.verify(trust(), &valid_time(&claims));
        assert_eq!(verified.map(|l| *l.claims()), Ok(claims));
        let mut body = original.clone();
        while let Ok(true) = u.arbitrary::<bool>() {
            let (Ok(i), Ok(x)) = (u.choose_index(body.len()), u.arbitrary::<u8>()) else {
                break;
            };
            if let Some(b) = body.get_mut(i) {
                *b ^= x;
            }
        }
        let text = body_text(&body);
        check_text(&text);
        if body != original {
            if let Ok(k) = UnverifiedKey::parse(&text) {
                assert!(
                    k.verify(trust(), &valid_time(&claims)).is_err(),
                    "a changed body verified"
                );
            }
        }
    }
}

/// `Claims::decode`: a success is the one canonical form of its claims.
pub mod claims_decode {
    use super::*;

    /// `data[0]` picks the key kind (low bit), the rest is the claims bytes.
    pub fn do_test(data: &[u8]) {
        let Some((&k, bytes)) = data.split_first() else {
            return;
        };
        let kind = if k & 1 == 1 {
            KeyKind::AgentEnrollment
        } else {
            KeyKind::InstanceRegistration
        };
        if let Ok(claims) = Claims::decode(kind, bytes) {
            let mut buf = [0u8; MAX_CLAIMS_LEN];
            let n = claims.encode(&mut buf);
            assert_eq!(n.map(|n| &buf[..n]), Ok(bytes), "re-encoding differs");
            assert_eq!(claims.kind, kind);
            assert!(!claims.owner.is_empty());
        }
    }
}

/// Issue, mutate the text, parse and verify: the original claims or an error, never others.
pub mod roundtrip {
    use super::*;

    /// One text mutation.
    #[derive(Debug, Arbitrary)]
    enum Mutation {
        Substitute(u16, u8),
        Insert(u16, u8),
        Delete(u16),
        ToggleCase(u16),
        SwapAdjacent(u16),
        InsertChar(u16, char),
    }

    fn symbolish(b: u8) -> char {
        // Mostly alphabet symbols and separators, sometimes any ASCII.
        match b % 4 {
            0 => '-',
            1 => char::from(b & 0x7f),
            _ => char::from(ALPHABET[usize::from(b % 32)]),
        }
    }

    /// Builds claims and a mutation list from `data`, then checks the result.
    pub fn do_test(data: &[u8]) {
        let mut u = Unstructured::new(data);
        let Ok(claims) = arbitrary_claims(&mut u) else {
            return;
        };
        let Ok(key) = issuer().issue(&claims) else {
            return;
        };
        let style = if u.arbitrary::<bool>().unwrap_or(false) {
            TextStyle::Grouped
        } else {
            TextStyle::Compact
        };
        let text = key.text(style).to_string();
        let options = valid_time(&claims);
        let parsed = UnverifiedKey::parse(&text);
        assert_eq!(parsed.as_ref(), Ok(&key), "an unmutated key must parse");
        let verified = key.verify(trust(), &options);
        assert_eq!(
            verified.map(|l| *l.claims()),
            Ok(claims),
            "an unmutated key must verify as its claims"
        );
        let mut chars: Vec<char> = text.chars().collect();
        let mutations: Vec<Mutation> = u.arbitrary().unwrap_or_default();
        for m in mutations.into_iter().take(8) {
            let at = |i: u16, len: usize| usize::from(i) % len.max(1);
            match m {
                Mutation::Substitute(i, b) if !chars.is_empty() => {
                    let i = at(i, chars.len());
                    chars[i] = symbolish(b);
                }
                Mutation::Insert(i, b) => {
                    let i = at(i, chars.len() + 1);
                    chars.insert(i, symbolish(b));
                }
                Mutation::Delete(i) if !chars.is_empty() => {
                    let i = at(i, chars.len());
                    chars.remove(i);
                }
                Mutation::ToggleCase(i) if !chars.is_empty() => {
                    let i = at(i, chars.len());
                    let c = chars[i];
                    chars[i] = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                }
                Mutation::SwapAdjacent(i) if chars.len() >= 2 => {
                    let i = at(i, chars.len() - 1);
                    chars.swap(i, i + 1);
                }
                Mutation::InsertChar(i, c) => {
                    let i = at(i, chars.len() + 1);
                    chars.insert(i, c);
                }
                _ => {}
            }
        }
        let mutated: String = chars.into_iter().collect();
        match UnverifiedKey::parse(&mutated) {
            Ok(k) => match k.verify(trust(), &options) {
                Ok(license) => {
                    assert_eq!(*license.claims(), claims, "mutated {mutated:?}");
                    assert_eq!(k.as_bytes(), key.as_bytes());
                }
                Err(e) => assert!(!e.code().is_empty()),
            },
            Err(e) => assert!(!e.code().is_empty()),
        }
    }
}

/// Revocation lists: parsing (text and file form) and verification against the fuzzing issuer.
pub mod revocation {
    use super::*;
    use glpi_key::{
        NewRevocationList, RevocationList, UnverifiedRevocationList, LIST_FILE_MAGIC,
        MAX_TEXT_LIST_LEN,
    };

    /// `data[0] % 3` picks the mode: 0, the rest is text; 1, the rest is a list file; 2, the
    /// rest is a list body written as text with a valid check.
    pub fn do_test(data: &[u8]) {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        match mode % 3 {
            0 => check_text(&String::from_utf8_lossy(rest)),
            1 => check_list(UnverifiedRevocationList::from_file_bytes(rest)),
            _ => check_text(&body_text(rest)),
        }
    }

    fn check_text(text: &str) {
        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
        let parsed = UnverifiedRevocationList::parse_text(text, &mut buf);
        if let Ok(list) = &parsed {
            // A list read from text writes back to a text and a file that read the same.
            if let Some(t) = list.text(TextStyle::Compact) {
                let canonical = t.to_string();
                let mut again = [0u8; MAX_TEXT_LIST_LEN];
                let reread = UnverifiedRevocationList::parse_text(&canonical, &mut again);
                assert_eq!(reread.map(|l| l.as_bytes()), Ok(list.as_bytes()));
            }
            let mut file = LIST_FILE_MAGIC.to_vec();
            file.extend_from_slice(list.as_bytes());
            let from_file = UnverifiedRevocationList::from_file_bytes(&file);
            assert_eq!(from_file.map(|l| l.as_bytes()), Ok(list.as_bytes()));
        }
        check_list(parsed);
    }

    /// A list verifies only if the fuzzing issuer made it: re-issuing what it says gives back
    /// the same bytes. Lookups agree with the listed serials.
    fn check_list(parsed: Result<UnverifiedRevocationList<'_>, Error>) {
        let Ok(list) = parsed else {
            return;
        };
        let Ok(verified) = list.verify(trust()) else {
            return;
        };
        let serials: Vec<Serial> = verified.serials().collect();
        assert_eq!(serials.len(), verified.len());
        assert!(serials.windows(2).all(|w| w[0] < w[1]), "unsorted serials");
        for s in &serials {
            assert!(verified.contains(*s));
        }
        let reissued = reissue(&verified, &serials);
        assert_eq!(
            reissued.as_deref(),
            Some(list.as_bytes()),
            "a list verified that the issuer did not produce"
        );
    }

    fn reissue(verified: &RevocationList<'_>, serials: &[Serial]) -> Option<Vec<u8>> {
        let new = NewRevocationList {
            sequence: verified.sequence(),
            issued_at: verified.issued_at(),
            next_update: verified.next_update(),
            serials,
        };
        let mut out = vec![0u8; glpi_key::max_revocation_list_len(serials.len())];
        let list = issuer().issue_revocation_list(&new, &mut out).ok()?;
        Some(list.as_bytes().to_vec())
    }
}
