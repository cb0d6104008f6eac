//! The vectors added for issue 13: one for every rule of `FORMAT.md` that had none (text,
//! strict Ed25519 inside a real key, every `malformed-claims` rule, the questions' answers),
//! and `policy.json`, the vectors that need more than `keys.json` can say (issuer key
//! windows, clock tolerance, grace, an installed revocation list, the clock guard, raw bytes).

use std::path::Path;

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use glpi_key::{
    Claims, ClockGuard, Error, Extensions, GlpiVersion, InstanceId, Issuer, KeyKind, Serial,
    TextStyle, TrustStore, TrustedKey, UnixTime, UnverifiedKey, UnverifiedRevocationList,
    VerifyOptions, MAX_TEXT_LIST_LEN,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

use crate::{claims_bytes, claims_json, date, hex, sign_raw, typical, Vector};

const INSTANCE_TAG: &str = "glpi-key/v1/instance-registration";
const AGENT_TAG: &str = "glpi-key/v1/agent-enrollment";

fn varint(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out
}

/// Claims written field by field, so that every rule can be broken on its own.
#[derive(Clone)]
struct Raw {
    serial: [u8; 8],
    tier: u8,
    presence: u8,
    entitlements: Vec<u8>,
    owner: Vec<u8>,
    issued: Vec<u8>,
    not_before: Vec<u8>,
    /// The optional fields, already encoded, in order.
    tail: Vec<u8>,
}

impl Raw {
    /// Serial 0x0000000000000d0d, Standard, "ACME Corp", issued 2026-11-02, no optional field.
    fn base() -> Self {
        Raw {
            serial: 0x0d0du64.to_be_bytes(),
            tier: 3,
            presence: 0,
            entitlements: vec![0],
            owner: b"ACME Corp".to_vec(),
            issued: varint(date(2026, 11, 2).as_secs() / 60),
            not_before: vec![0],
            tail: Vec::new(),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut b = self.serial.to_vec();
        b.push(self.tier);
        b.push(self.presence);
        b.extend_from_slice(&self.entitlements);
        b.extend(varint(self.owner.len() as u64));
        b.extend_from_slice(&self.owner);
        b.extend_from_slice(&self.issued);
        b.extend_from_slice(&self.not_before);
        b.extend_from_slice(&self.tail);
        b
    }

    /// With an extension block (presence bit 6) of these bytes.
    fn with_extensions(mut self, block: &[u8]) -> Self {
        self.presence |= 1 << 6;
        self.tail.extend(varint(block.len() as u64));
        self.tail.extend_from_slice(block);
        self
    }
}

/// The secret scalar `a` of an Ed25519 signing key (RFC 8032 5.1.5).
fn secret_scalar(sk: &SigningKey) -> Scalar {
    let h: [u8; 64] = Sha512::digest(sk.to_bytes()).into();
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    Scalar::from_bytes_mod_order(a)
}

/// A key body signed with nonce point `R` given as bytes and `S = r + k·a`, where `k` is the
/// challenge over `R`. `r` is the discrete log of `R`'s prime-order part (0 when `R` has
/// none).
fn sign_with_nonce(
    sk: &SigningKey,
    header: [u8; 6],
    claims: &[u8],
    r_point: &EdwardsPoint,
    r: Scalar,
) -> Vec<u8> {
    let mut msg = INSTANCE_TAG.as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(&header);
    msg.extend_from_slice(claims);
    let big_r = r_point.compress();
    let k: [u8; 64] = Sha512::new()
        .chain_update(big_r.as_bytes())
        .chain_update(sk.verifying_key().as_bytes())
        .chain_update(&msg)
        .finalize()
        .into();
    let s = r + Scalar::from_bytes_mod_order_wide(&k) * secret_scalar(sk);
    let mut body = header.to_vec();
    body.extend_from_slice(claims);
    body.extend_from_slice(big_r.as_bytes());
    body.extend_from_slice(s.as_bytes());
    body
}

/// Whether `[8][S]B == [8]R + [8][k]A`: what a reader using the cofactored equation accepts.
fn cofactored_accepts(sk: &SigningKey, body: &[u8]) -> bool {
    let n = body.len();
    let (rest, sig) = body.split_at(n - 64);
    let (header, claims) = rest.split_at(6);
    let mut msg = INSTANCE_TAG.as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(header);
    msg.extend_from_slice(claims);
    let r_bytes: [u8; 32] = sig[..32].try_into().unwrap_or([0; 32]);
    let s_bytes: [u8; 32] = sig[32..].try_into().unwrap_or([0; 32]);
    let Some(r) = curve25519_dalek::edwards::CompressedEdwardsY(r_bytes).decompress() else {
        return false;
    };
    let k: [u8; 64] = Sha512::new()
        .chain_update(r_bytes)
        .chain_update(sk.verifying_key().as_bytes())
        .chain_update(&msg)
        .finalize()
        .into();
    let a = ED25519_BASEPOINT_POINT * secret_scalar(sk);
    let s = Scalar::from_bytes_mod_order(s_bytes);
    let lhs = ED25519_BASEPOINT_POINT * s;
    let rhs = r + a * Scalar::from_bytes_mod_order_wide(&k);
    (lhs - rhs).mul_by_cofactor() == EdwardsPoint::default()
}

fn text(body: &[u8]) -> String {
    glpi_key::hazmat::key_text_of_body(body, TextStyle::Compact).to_string()
}

/// The `keys.json` vectors added for issue 13.
pub(crate) fn key_vectors(out: &mut Vec<Vector>, issuer: &Issuer, sk: &SigningKey, standard: &str) {
    let id = issuer.key_id().0;
    let header = [1, 1, id[0], id[1], id[2], id[3]];
    let signed = |raw: &Raw| sign_raw(sk, 1, 1, id, INSTANCE_TAG, &raw.bytes());
    let signed_agent = |raw: &Raw| sign_raw(sk, 1, 2, id, AGENT_TAG, &raw.bytes());
    let compact = |c: &Claims<'_>| {
        issuer
            .issue_string(c, TextStyle::Compact)
            .unwrap_or_default()
    };
    let mut add = |name, description, key: String, expect| {
        out.push(Vector::new(name, description, key, expect))
    };

    // --- text (FORMAT.md 2.1, 2.3) --------------------------------------------------------------
    add("valid-byte-order-mark", "The typical key behind a byte-order mark (U+FEFF), as Windows Notepad saves it: the mark is wrapping and is dropped.", format!("\u{FEFF}{standard}\r\n"), "valid");
    add("too-long-input", "4097 bytes of input (the typical key padded with spaces): too-long before any other work, even though the key inside is valid.", format!("{standard}{}", " ".repeat(4097 - standard.len())), "too-long");
    add("too-long-symbols-before-invalid-character", "487 symbols after the prefix, then an invalid character: the reader stops at the 487th symbol with too-long (the longest key has 486) and never reaches the invalid character.", format!("GLPI-{}U", "A".repeat(487)), "too-long");
    add("invalid-character-before-too-long", "An invalid character among the first 486 symbols of an over-long text: the first problem met is reported.", format!("GLPI-{}U{}", "A".repeat(100), "A".repeat(400)), "invalid-character");
    add(
        "too-few-symbols",
        "Five symbols after the prefix: fewer than the 6 check symbols, an impossible length.",
        "GLPI-ABCDE".into(),
        "wrong-length",
    );
    add(
        "no-symbols",
        "The prefix alone, with its hyphen.",
        "GLPI-".into(),
        "wrong-length",
    );
    add("short-id-with-bad-check", "Eighteen symbols that are not a valid short ID: an impossible key length, so wrong-length (short-id needs a valid short-ID check).", "GLPI-0123456789AB-CDEFGH".into(), "wrong-length");

    // The shortest and one-too-short bodies (MIN_BODY_LEN = 85: 136 symbols; 84 bytes: 135
    // symbols, impossible for a key).
    let shortest = {
        let mut raw = Raw::base();
        raw.owner = b"A".to_vec();
        raw.issued = vec![0];
        let b = raw.bytes();
        assert_eq!(b.len(), 15, "shortest claims");
        signed(&raw)
    };
    let v = Vector::new("valid-shortest", "The shortest key: 15 bytes of claims (owner of one byte, issued at the epoch, perpetual), an 85-byte body of 136 symbols.", shortest, "valid");
    out.push(v);
    let too_short = {
        let mut body = vec![1, 1, id[0], id[1], id[2], id[3]];
        body.extend_from_slice(&[0u8; 14]);
        body.extend_from_slice(&[0u8; 64]);
        assert_eq!(body.len(), 84);
        text(&body)
    };
    let mut add = |name, description, key: String, expect| {
        out.push(Vector::new(name, description, key, expect))
    };
    add("body-84-bytes", "An 84-byte body (135 symbols) with a valid check: below MIN_BODY_LEN = 85, an impossible length for a key (wrong-length, whether or not the check matches).", too_short, "wrong-length");

    // --- strict Ed25519 inside a real key (FORMAT.md 6) -----------------------------------------
    let claims = claims_bytes(&typical(0x0123_4567_89ab_cdef));
    let good = UnverifiedKey::parse(standard)
        .map(|k| k.as_bytes().to_vec())
        .unwrap_or_default();
    let mut s_plus_l = good.clone();
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let n = s_plus_l.len();
    let mut carry = 0u16;
    for (i, li) in l.iter().enumerate() {
        let sum = u16::from(s_plus_l[n - 32 + i]) + u16::from(*li) + carry;
        s_plus_l[n - 32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert!(s_plus_l[n - 1] < 0x20, "S + L must still fit in 253 bits");
    add("strict-s-plus-l", "The typical key with S replaced by S + L (same value mod L, not canonical): refused; a reader that reduces S accepts it.", text(&s_plus_l), "bad-signature");

    // Small-order R (a point of order 8), S = k·a: [8]R = 0, so the cofactored equation holds.
    let small = sign_with_nonce(sk, header, &claims, &EIGHT_TORSION[1], Scalar::ZERO);
    assert!(cofactored_accepts(sk, &small));
    add("strict-small-order-r", "The typical claims signed with R a point of order 8 and S = k·a: the cofactored equation [8][S]B = [8]R + [8][k]A holds, the cofactorless one does not; refused.", text(&small), "bad-signature");

    // Mixed-order R = [r]B + T, T of order 8, S = r + k·a.
    let r = Scalar::from(0x1234_5678_9abc_def0u64);
    let mixed = sign_with_nonce(
        sk,
        header,
        &claims,
        &(ED25519_BASEPOINT_POINT * r + EIGHT_TORSION[1]),
        r,
    );
    assert!(cofactored_accepts(sk, &mixed));
    add("strict-mixed-order-r", "The typical claims signed with R = [r]B + T, T of order 8, and S = r + k·a: accepted by the cofactored equation (and by batch equations whose coefficient happens to cancel T), refused by the cofactorless one the spec requires.", text(&mixed), "bad-signature");
    // The same construction with T = 0 is a normal, valid signature: the vectors above fail
    // only because of T.
    let plain = sign_with_nonce(sk, header, &claims, &(ED25519_BASEPOINT_POINT * r), r);
    add("strict-control-same-nonce-without-torsion", "Control for strict-mixed-order-r: the same r without T, a canonical signature that verifies.", text(&plain), "valid");
    let mut r_non_canonical = good.clone();
    // R's encoding with y + p: only possible when y < 19; use the encoding of the identity
    // (y = 1) written as y = p + 1, S = k·a with k over those bytes. Decoders that reduce y
    // accept it as the identity (small order anyway); the spec refuses a non-canonical R.
    let mut r_bytes = [0xffu8; 32];
    r_bytes[0] = 0xee;
    r_bytes[31] = 0x7f;
    r_non_canonical[n - 64..n - 32].copy_from_slice(&r_bytes);
    add(
        "strict-non-canonical-r",
        "R encoded as y = p + 1 (a non-canonical encoding of the identity): refused.",
        text(&r_non_canonical),
        "bad-signature",
    );

    // --- malformed-claims: every rule of FORMAT.md 5.2 to 5.4 -------------------------------------
    let base = Raw::base();
    let mut add_raw = |name, description, raw: Raw, expect| {
        out.push(Vector::new(name, description, signed(&raw), expect))
    };
    let mut r = base.clone();
    r.presence = 1 << 4;
    r.tail = varint(7);
    add_raw(
        "malformed-entity-on-instance-key",
        "An entity (presence bit 4) on an instance registration key.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.presence = 1 << 2;
    r.tail = vec![11, 0, 10, 5];
    add_raw(
        "malformed-versions-min-above-max",
        "GLPI versions from 11.0 to 10.5: min above max.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.presence = 1;
    r.tail = vec![0];
    add_raw(
        "malformed-expiry-zero",
        "An expiry (validity) of 0 minutes.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.issued = vec![10];
    r.not_before = varint(21); // zigzag(-11)
    add_raw(
        "malformed-negative-not-before-sum",
        "Issued at minute 10, not-before offset -11: the sum is negative.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.owner = Vec::new();
    add_raw(
        "malformed-owner-empty",
        "An owner of 0 bytes.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.owner = vec![b'X'; 97];
    add_raw(
        "malformed-owner-97-bytes",
        "An owner of 97 bytes (the most is 96).",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.owner = b"ACME \xff Corp".to_vec();
    add_raw(
        "malformed-owner-invalid-utf8",
        "An owner with the byte 0xff: not UTF-8.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.owner = "ACME \u{202E}proC".as_bytes().to_vec();
    add_raw("malformed-owner-bidi-override", "An owner with U+202E RIGHT-TO-LEFT OVERRIDE, which would display \"ACME Corp\" reversed: refused (display spoofing).", r, "malformed-claims");
    let mut r = base.clone();
    r.owner = b"ACME\nCorp".to_vec();
    add_raw(
        "malformed-owner-control-character",
        "An owner with a line feed (a control character).",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.presence = 1 << 7;
    add_raw(
        "malformed-presence-bit-7",
        "Reserved presence bit 7 set.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.serial = 0x1000_0000_0000_0000u64.to_be_bytes();
    add_raw(
        "malformed-serial-top-bits",
        "A serial with the lowest of its top 4 bits set (61 bits).",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.presence = 1 << 5;
    r.tail = 0xf000_0000_0000_0001u64.to_be_bytes().to_vec();
    add_raw(
        "malformed-supersedes-top-bits",
        "A supersedes serial with its top 4 bits set.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.entitlements = vec![0xff, 0xff, 0xff, 0xff, 0x10];
    add_raw(
        "malformed-u32-fifth-byte-over-0f",
        "Entitlements as a 5-byte varint whose 5th byte is 0x10: more than 32 bits.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.entitlements = vec![0xff, 0xff, 0xff, 0xff, 0x0f];
    add_raw(
        "valid-u32-fifth-byte-0f",
        "Entitlements 0xffffffff as a 5-byte varint ending in 0x0f: the largest u32.",
        r,
        "valid",
    );
    let mut r = base.clone();
    r.presence = 1 << 6;
    r.tail = vec![0];
    add_raw(
        "malformed-empty-extension-block",
        "Presence bit 6 set with an empty extension block (length 0).",
        r,
        "malformed-claims",
    );
    let mut block = vec![2, 62];
    block.extend_from_slice(&[0u8; 62]);
    block.push(0);
    assert_eq!(block.len(), 65);
    add_raw(
        "malformed-extension-block-65-bytes",
        "An extension block of 65 bytes (the most is 64).",
        base.clone().with_extensions(&block),
        "malformed-claims",
    );
    add_raw(
        "malformed-extension-tags-equal",
        "Two extensions with tag 2: tags must strictly increase.",
        base.clone().with_extensions(&[2, 0, 2, 0]),
        "malformed-claims",
    );
    add_raw(
        "malformed-extension-tags-decreasing",
        "Extensions with tags 4 then 2.",
        base.clone().with_extensions(&[4, 0, 2, 0]),
        "malformed-claims",
    );
    add_raw(
        "malformed-extension-tag-overflow",
        "An extension tag of 0x10000 (varint ff ff 04): more than a u16.",
        base.clone().with_extensions(&[0xff, 0xff, 0x04, 0]),
        "malformed-claims",
    );
    add_raw("valid-extension-tag-fffe", "Extension tag 0xfffe (even, the largest even u16), empty value: informational and ignored.", base.clone().with_extensions(&[0xfe, 0xff, 0x03, 0]), "valid");
    add_raw(
        "valid-extension-empty-value",
        "Extension tag 2 with an empty value (02 00): allowed.",
        base.clone().with_extensions(&[2, 0]),
        "valid",
    );
    add_raw(
        "malformed-extension-tag-non-minimal",
        "Extension tag 2 written in two bytes (82 00), empty value: not the fewest bytes.",
        base.clone().with_extensions(&[0x82, 0, 0]),
        "malformed-claims",
    );
    add_raw(
        "malformed-extension-length-non-minimal",
        "Extension tag 2 with its value length 0 written in two bytes (80 00).",
        base.clone().with_extensions(&[2, 0x80, 0]),
        "malformed-claims",
    );
    add_raw(
        "malformed-extension-value-cut",
        "Extension tag 2 whose value length (5) runs past the block.",
        base.clone().with_extensions(&[2, 5, 1, 2]),
        "malformed-claims",
    );
    let mut r = base.clone();
    r.issued = vec![0x80 | 10, 0];
    add_raw(
        "malformed-issued-at-non-minimal",
        "issued_at written with a needless continuation byte.",
        r,
        "malformed-claims",
    );
    let mut r = base.clone();
    r.owner = Vec::new();
    r.tier = 5;
    add_raw("malformed-tier-5", "Tier 5 (the tiers are 0 to 4) and an empty owner: the first rule broken decides nothing, both are malformed-claims.", r, "malformed-claims");
    let mut r = base.clone();
    r.tail = vec![0];
    add_raw(
        "malformed-truncated-field",
        "Presence says expiry, the claims end before it.",
        {
            r.presence = 1;
            r.tail = Vec::new();
            r
        },
        "malformed-claims",
    );

    // Verify before parse: malformed claims under a signature by another key are a bad
    // signature, never malformed-claims (nothing in the claims is read before step 8).
    let mut r = base.clone();
    r.presence = 1 << 7;
    let forged = sign_raw(
        &SigningKey::from_bytes(&[9u8; 32]),
        1,
        1,
        id,
        INSTANCE_TAG,
        &r.bytes(),
    );
    out.push(Vector::new("bad-signature-before-malformed-claims", "Malformed claims (presence bit 7) signed by another key under the test issuer's key id: bad-signature, because the claims are not read before the signature verifies.", forged, "bad-signature"));

    // --- claims left open (question 9) ------------------------------------------------------------
    let mut agent = Raw::base();
    agent.tier = 4;
    let mut v = Vector::new("valid-agent-without-entity", "An agent enrollment key without an entity: the entity is optional on agent keys (agents join the default entity).", signed_agent(&agent), "valid");
    v.kind = Some(KeyKind::AgentEnrollment);
    out.push(v);
    let mut zero = typical(0);
    zero.serial = Serial::new(0).unwrap_or(Serial::MAX);
    out.push(Vector::new(
        "valid-serial-zero",
        "Serial 0 is a valid serial (its short ID is GLPI-000000000000-…).",
        compact(&zero),
        "valid",
    ));
    let mut selfish = typical(0x0123_4567_89ab_cdef);
    selfish.supersedes = Some(selfish.serial);
    out.push(Vector::new("valid-supersedes-itself", "A key whose supersedes equals its own serial: valid; renewal choice (best_of) and sites ignore it.", compact(&selfish), "valid"));
    let mut nil = typical(0x0123_4567_89ab_cdef);
    nil.instance = InstanceId::parse("00000000-0000-0000-0000-000000000000");
    out.push(Vector::new("valid-nil-instance", "A key bound to the nil UUID decodes (issuers MUST NOT make one; hosts MUST NOT use the nil UUID as their instance id), and is refused on any real instance.", compact(&nil), "valid"));
    let mut v = Vector::new(
        "nil-instance-on-a-real-instance",
        "The nil-UUID key checked on a real instance.",
        compact(&nil),
        "wrong-instance",
    );
    v.instance = InstanceId::parse(crate::INSTANCE);
    out.push(v);

    // --- GLPI version ranges compare (major, minor) lexicographically (question 4) ----------------
    let mut ranged = typical(0x0123_4567_89ab_cdef);
    ranged.glpi_versions = Some(glpi_key::VersionRange {
        min: GlpiVersion::new(10, 5),
        max: GlpiVersion::new(11, 0),
    });
    let ranged = compact(&ranged);
    for (name, desc, version, expect) in [
        ("glpi-range-10.5-11.0-on-10.9", "A key for GLPI 10.5 to 11.0 on 10.9: (10, 9) lies between (10, 5) and (11, 0), although 9 > 0 (lexicographic, not field by field).", (10, 9), "valid"),
        ("glpi-range-10.5-11.0-on-11.0", "The 10.5 to 11.0 key on 11.0: both ends are included.", (11, 0), "valid"),
        ("glpi-range-10.5-11.0-on-10.5", "The 10.5 to 11.0 key on 10.5.", (10, 5), "valid"),
        ("glpi-range-10.5-11.0-on-10.4", "The 10.5 to 11.0 key on 10.4: below the range.", (10, 4), "unsupported-glpi-version"),
        ("glpi-range-10.5-11.0-on-11.1", "The 10.5 to 11.0 key on 11.1: above the range.", (11, 1), "unsupported-glpi-version"),
    ] {
        let mut v = Vector::new(name, desc, ranged.clone(), expect);
        v.glpi_version = Some(GlpiVersion::new(version.0, version.1));
        out.push(v);
    }
    let mut r = Raw::base();
    r.presence = 1 << 2;
    r.tail = vec![10, 9, 11, 0];
    let mut v = Vector::new("valid-versions-10.9-to-11.0", "Claims with GLPI 10.9 to 11.0 (min minor above max minor, min below max as a pair): not inverted.", signed(&r), "valid");
    v.glpi_version = Some(GlpiVersion::new(10, 12));
    out.push(v);
    let _ = Extensions::EMPTY;
}

/// One `policy.json` vector.
struct Policy {
    name: &'static str,
    description: &'static str,
    /// `key` (verify a key), `list` (read and verify a list), `clock` (the clock guard).
    check: &'static str,
    key: Option<String>,
    key_hex: Option<String>,
    list_file: Option<&'static str>,
    now: UnixTime,
    valid_from: Option<UnixTime>,
    valid_until: Option<UnixTime>,
    grace_secs: u64,
    clock_tolerance_secs: Option<u64>,
    revocation_list: Option<&'static str>,
    clock_mark: Option<UnixTime>,
    expect: &'static str,
    status: Option<&'static str>,
}

impl Policy {
    fn key(
        name: &'static str,
        description: &'static str,
        key: &str,
        now: UnixTime,
        expect: &'static str,
    ) -> Self {
        Policy {
            name,
            description,
            check: "key",
            key: Some(key.to_string()),
            key_hex: None,
            list_file: None,
            now,
            valid_from: None,
            valid_until: None,
            grace_secs: 0,
            clock_tolerance_secs: None,
            revocation_list: None,
            clock_mark: None,
            expect,
            status: None,
        }
    }
}

fn read_list(dir: &Path, file: &str) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
    if file.ends_with(".txt") {
        let mut buf = [0u8; MAX_TEXT_LIST_LEN];
        let text = String::from_utf8_lossy(&bytes).into_owned();
        UnverifiedRevocationList::parse_text(&text, &mut buf).map(|l| l.as_bytes().to_vec())
    } else {
        UnverifiedRevocationList::from_file_bytes(&bytes).map(|l| l.as_bytes().to_vec())
    }
}

/// What the crate says for one policy vector: `valid` with a status, or an error class.
fn evaluate(p: &Policy, issuer: &Issuer, vectors: &Path) -> (String, Option<String>, Value) {
    let key = issuer
        .trusted_key()
        .and_then(|k| k.with_validity(p.valid_from, p.valid_until))
        .map(TrustStore::with);
    let Ok(trust) = key else {
        return ("bad-window".into(), None, Value::Null);
    };
    let outcome: Result<(&str, Value), Error> = match p.check {
        "clock" => ClockGuard {
            tolerance_secs: p.clock_tolerance_secs.unwrap_or(0),
        }
        .check(p.clock_mark, p.now)
        .map(|m| ("active", json!({"new_mark": m.as_secs()}))),
        "clock-file" => {
            let path = std::env::temp_dir().join(format!(
                "glpi-key-vectors-{}-{}",
                std::process::id(),
                p.name
            ));
            let bytes: Vec<u8> = p.key_hex.as_deref().map(unhex).unwrap_or_default();
            let _ = std::fs::write(&path, bytes);
            let got = glpi_key::ClockFile::new(&path).load();
            let _ = std::fs::remove_file(&path);
            return match got {
                Ok(mark) => (
                    "valid/active".into(),
                    None,
                    json!({"mark": mark.map(|m| m.as_secs())}),
                ),
                Err(e) => (
                    e.code().to_string(),
                    Some(e.to_string().replace(&path.display().to_string(), "<file>")),
                    Value::Null,
                ),
            };
        }
        "list" => read_list(vectors, p.list_file.unwrap_or_default()).and_then(|body| {
            UnverifiedRevocationList::from_body(&body)?
                .verify(&trust)
                .map(|l| ("active", json!({"sequence": l.sequence()})))
        }),
        _ => {
            let text = match (&p.key, &p.key_hex) {
                (Some(k), _) => Ok(k.clone()),
                (None, Some(h)) => {
                    let bytes: Vec<u8> = (0..h.len() / 2)
                        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0))
                        .collect();
                    String::from_utf8(bytes).map_err(|_| ())
                }
                _ => Err(()),
            };
            match text {
                Err(()) => {
                    return (
                        "invalid-utf8".into(),
                        Some("the key text is not valid UTF-8".into()),
                        Value::Null,
                    )
                }
                Ok(text) => {
                    let list = p
                        .revocation_list
                        .map(|f| read_list(vectors, f).unwrap_or_default());
                    // The list is checked without the window (it verified when it was
                    // installed); the window given is the key's.
                    let list = list.as_ref().map(|b| {
                        UnverifiedRevocationList::from_body(b).and_then(|l| {
                            let plain = issuer.trusted_key().map_err(|_| Error::BadSignature)?;
                            l.verify(&TrustStore::with(plain))
                        })
                    });
                    match list.transpose() {
                        Err(e) => Err(e),
                        Ok(list) => {
                            let mut o = VerifyOptions::at(p.now).with_grace_secs(p.grace_secs);
                            o.clock_tolerance_secs = p.clock_tolerance_secs;
                            UnverifiedKey::parse(&text).and_then(|k| {
                                let l = k.verify_with_revocations(&trust, &o, list.as_ref())?;
                                let status = match l.status() {
                                    glpi_key::KeyStatus::Active => "active",
                                    _ => "in-grace",
                                };
                                Ok((status, claims_json(l.claims())))
                            })
                        }
                    }
                }
            }
        }
    };
    match outcome {
        Ok((status, v)) => (format!("valid/{status}"), None, v),
        Err(e) => (e.code().to_string(), Some(e.to_string()), Value::Null),
    }
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect()
}

fn opt(t: Option<UnixTime>) -> Value {
    t.map(|t| json!(t.as_secs())).unwrap_or(Value::Null)
}

/// Writes `policy.json` into `dir` (the revocation list files it names are read from
/// `vectors`, the committed `spec/vectors`).
pub(crate) fn write_policy(dir: &Path, vectors: &Path, issuer: &Issuer) -> Result<usize, String> {
    let std_key = issuer
        .issue_string(&typical(0x0123_4567_89ab_cdef), TextStyle::Compact)
        .map_err(|e| e.to_string())?;
    let issued = date(2026, 11, 2);
    let expiry = date(2031, 1, 1);
    let mut all = Vec::new();

    // Issuer key windows (question 2: seconds, [valid_from, valid_until), SITE.md section 2).
    let mut p = Policy::key("issuer-window-contains-issued-at", "Issuer key window [issued_at, issued_at + 1 s): contains the key's issued_at (the start is included).", &std_key, date(2027, 6, 1), "valid");
    p.valid_from = Some(issued);
    p.valid_until = Some(issued.saturating_add_secs(1));
    all.push(p);
    let mut p = Policy::key(
        "issuer-window-ends-at-issued-at",
        "Issuer key window ending exactly at the key's issued_at (the end is excluded).",
        &std_key,
        date(2027, 6, 1),
        "issuer-key-not-valid",
    );
    p.valid_until = Some(issued);
    all.push(p);
    let mut p = Policy::key(
        "issuer-window-starts-after-issued-at",
        "Issuer key window starting one second after the key's issued_at.",
        &std_key,
        date(2027, 6, 1),
        "issuer-key-not-valid",
    );
    p.valid_from = Some(issued.saturating_add_secs(1));
    all.push(p);
    let mut p = Policy::key("issuer-window-ended-key-still-valid", "An issuer key retired (window ended) after it signed the key: the key stays valid (the window bounds signing, not use).", &std_key, date(2030, 6, 1), "valid");
    p.valid_until = Some(date(2027, 1, 1));
    all.push(p);

    // Ordering: revoked before issuer-key-not-valid before issued-in-future before expired.
    let revoked_key = std::fs::read_to_string(vectors.join("revocation/key-revoked.txt"))
        .map_err(|e| e.to_string())?;
    let revoked_key = revoked_key.trim();
    let mut p = Policy::key("order-revoked-first", "A key that is revoked (list 15), issued outside its issuer key's window and expired: revoked is reported.", revoked_key, date(2029, 1, 1), "revoked");
    p.valid_until = Some(date(2026, 1, 1));
    p.revocation_list = Some("revocation/list-15.txt");
    all.push(p);
    let mut p = Policy::key("order-issuer-window-before-expired", "The typical key, issued outside its issuer key's window and expired: issuer-key-not-valid is reported.", &std_key, expiry.saturating_add_secs(60), "issuer-key-not-valid");
    p.valid_until = Some(date(2026, 1, 1));
    all.push(p);
    let mut p = Policy::key(
        "order-issuer-window-before-issued-in-future",
        "Outside the window and issued in the future: issuer-key-not-valid comes first.",
        &std_key,
        date(2026, 10, 1),
        "issuer-key-not-valid",
    );
    p.valid_until = Some(date(2026, 1, 1));
    p.clock_tolerance_secs = Some(300);
    all.push(p);

    // Issued in the future (REVOCATION.md 2.3).
    let mut p = Policy::key(
        "issued-in-future",
        "The typical key checked 301 s before its issued_at with a tolerance of 300 s.",
        &std_key,
        UnixTime::from_secs(issued.as_secs() - 301),
        "issued-in-future",
    );
    p.clock_tolerance_secs = Some(300);
    all.push(p);
    let mut p = Policy::key("issued-exactly-tolerance-ahead", "Exactly 300 s before issued_at with a tolerance of 300 s: accepted (then valid, since its not-before is issued_at... no: not yet valid).", &std_key, UnixTime::from_secs(issued.as_secs() - 300), "not-yet-valid");
    p.description = "Exactly 300 s before issued_at with a tolerance of 300 s: not issued-in-future; the next check, not-before, refuses it.";
    p.clock_tolerance_secs = Some(300);
    all.push(p);
    // A key issued in the future whose validity (back-dated not-before) has already ended.
    let mut back = typical(0x0123_4567_89ab_cdf0);
    back.issued_at = date(2027, 1, 1);
    back.not_before = date(2026, 1, 1);
    back.expires_at = Some(date(2026, 2, 1));
    let back = issuer
        .issue_string(&back, TextStyle::Compact)
        .map_err(|e| e.to_string())?;
    let mut p = Policy::key("order-issued-in-future-before-expired", "A key issued 2027-01-01, back-dated to be valid only in January 2026, checked on 2026-06-01 with a tolerance of 300 s: issued-in-future comes before expired.", &back, date(2026, 6, 1), "issued-in-future");
    p.clock_tolerance_secs = Some(300);
    all.push(p);
    all.push(Policy::key(
        "back-dated-expired-without-tolerance",
        "The same key with no clock tolerance given: no issued-in-future check, expired.",
        &back,
        date(2026, 6, 1),
        "expired",
    ));

    // Grace (REVOCATION.md 2.1).
    let mut p = Policy::key(
        "grace-in-grace",
        "The typical key at its expiry, with 30 days of grace: valid, in grace.",
        &std_key,
        expiry,
        "valid",
    );
    p.grace_secs = 30 * 86_400;
    p.status = Some("in-grace");
    all.push(p);
    let mut p = Policy::key(
        "grace-last-second",
        "One second before the end of 30 days of grace: valid, in grace.",
        &std_key,
        expiry.saturating_add_secs(30 * 86_400 - 1),
        "valid",
    );
    p.grace_secs = 30 * 86_400;
    p.status = Some("in-grace");
    all.push(p);
    let mut p = Policy::key(
        "grace-ended",
        "Exactly at expiry + grace: expired (half-open).",
        &std_key,
        expiry.saturating_add_secs(30 * 86_400),
        "expired",
    );
    p.grace_secs = 30 * 86_400;
    all.push(p);
    let mut p = Policy::key(
        "grace-active-before-expiry",
        "One second before expiry with grace: active, not in grace.",
        &std_key,
        UnixTime::from_secs(expiry.as_secs() - 1),
        "valid",
    );
    p.grace_secs = 30 * 86_400;
    p.status = Some("active");
    all.push(p);

    // Clock guard (REVOCATION.md 2.2).
    for (name, description, mark, now, expect) in [
        (
            "clock-first-run",
            "No mark yet: accepted, the mark becomes now.",
            None,
            1_800_000_000u64,
            "valid",
        ),
        (
            "clock-forward",
            "Now after the mark: accepted, the mark moves to now.",
            Some(1_800_000_000u64),
            1_800_000_100,
            "valid",
        ),
        (
            "clock-back-within-tolerance",
            "Now exactly 300 s before the mark, tolerance 300 s: accepted, the mark stays.",
            Some(1_800_000_000),
            1_799_999_700,
            "valid",
        ),
        (
            "clock-rollback",
            "Now 301 s before the mark, tolerance 300 s: clock-rollback.",
            Some(1_800_000_000),
            1_799_999_699,
            "clock-rollback",
        ),
    ] {
        all.push(Policy {
            check: "clock",
            key: None,
            clock_mark: mark.map(UnixTime::from_secs),
            clock_tolerance_secs: Some(300),
            ..Policy::key(name, description, "", UnixTime::from_secs(now), expect)
        });
    }

    // Clock mark file (REVOCATION.md 2.2): canonical form, and corruption is an error.
    let line = |secs: &str| {
        let signed = format!("glpi-key-clock v1 {secs}");
        let check: String = Sha512::digest(signed.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{signed} {check}\n")
    };
    let good = line("1800000000");
    for (name, description, contents, expect) in [
        (
            "clock-file-canonical",
            "The canonical mark file for 1800000000 s.",
            good.clone(),
            "valid",
        ),
        (
            "clock-file-zero",
            "The canonical mark file for 0 s (\"0\", no other digit).",
            line("0"),
            "valid",
        ),
        (
            "clock-file-leading-zero",
            "The time written 01800000000, check recomputed: not canonical.",
            line("01800000000"),
            "clock-file-corrupted",
        ),
        (
            "clock-file-over-u64",
            "The time 18446744073709551616 (2^64), check recomputed.",
            line("18446744073709551616"),
            "clock-file-corrupted",
        ),
        (
            "clock-file-crlf",
            "The canonical line ending in CR LF.",
            good.replace('\n', "\r\n"),
            "clock-file-corrupted",
        ),
        (
            "clock-file-no-newline",
            "The canonical line without its final line feed (cut short).",
            good.trim_end().to_string(),
            "clock-file-corrupted",
        ),
        (
            "clock-file-bad-check",
            "The check value's last digit changed.",
            {
                let mut g = good.clone();
                g.pop();
                let last = g.pop().unwrap_or('0');
                g.push(if last == '0' { '1' } else { '0' });
                g.push('\n');
                g
            },
            "clock-file-corrupted",
        ),
        (
            "clock-file-uppercase-check",
            "The check value in uppercase hex.",
            {
                let (a, b) = good.rsplit_once(' ').unwrap_or_default();
                format!("{a} {}", b.to_uppercase())
            },
            "clock-file-corrupted",
        ),
        (
            "clock-file-empty",
            "An empty file: corrupted, not a first run (a missing file is the first run).",
            String::new(),
            "clock-file-corrupted",
        ),
        (
            "clock-file-bom",
            "The canonical line behind a byte-order mark.",
            format!("\u{FEFF}{good}"),
            "clock-file-corrupted",
        ),
    ] {
        all.push(Policy {
            check: "clock-file",
            key: None,
            key_hex: Some(hex(contents.as_bytes())),
            ..Policy::key(name, description, "", date(2027, 6, 1), expect)
        });
    }

    // Byte input (bindings): invalid UTF-8 before step 1.
    let mut bytes = std_key.as_bytes().to_vec();
    bytes[20] = 0xc3; // a lead byte followed by an ASCII symbol: not UTF-8
    all.push(Policy {
        key: None,
        key_hex: Some(hex(&bytes)),
        ..Policy::key("invalid-utf8", "The typical key's bytes with byte 21 replaced by 0xc3 (a UTF-8 lead byte without its continuation): invalid-utf8, for readers that take bytes (C ABI, WebAssembly, PHP).", "", date(2027, 6, 1), "invalid-utf8")
    });
    let mut long = vec![b' '; 5000];
    long[0] = 0xff;
    all.push(Policy {
        key: None,
        key_hex: Some(hex(&long)),
        ..Policy::key("invalid-utf8-before-too-long", "5000 bytes that are not UTF-8: invalid-utf8 is checked first, before the 4096-byte cap.", "", date(2027, 6, 1), "invalid-utf8")
    });

    // Lists with a window (REVOCATION.md 1.2): list 15 is issued 2026-11-01.
    let mut p = Policy::key("list-issuer-window-ended", "List 15 (issued 2026-11-01) with an issuer key window ending 2026-10-01: issuer-key-not-valid.", "", date(2027, 1, 1), "issuer-key-not-valid");
    p.check = "list";
    p.key = None;
    p.list_file = Some("revocation/list-15.txt");
    p.valid_until = Some(date(2026, 10, 1));
    all.push(p);
    let mut p = Policy::key(
        "list-issuer-window-contains",
        "List 15 with an issuer key window [2026-11-01, 2026-11-01 + 1 s): valid.",
        "",
        date(2027, 1, 1),
        "valid",
    );
    p.check = "list";
    p.key = None;
    p.list_file = Some("revocation/list-15.txt");
    p.valid_from = Some(date(2026, 11, 1));
    p.valid_until = Some(date(2026, 11, 1).saturating_add_secs(1));
    all.push(p);

    let mut list = Vec::new();
    for p in &all {
        let (got, message, result) = evaluate(p, issuer, vectors);
        let want = match (p.expect, p.status) {
            ("valid", Some(s)) => format!("valid/{s}"),
            ("valid", None) => "valid/active".into(),
            (e, _) => e.into(),
        };
        let got_class = got.split('/').next().unwrap_or_default().to_string();
        if got != want && !(p.check != "key" && got_class == p.expect) {
            return Err(format!(
                "policy vector {} should give {want} but the crate says {got} ({message:?})",
                p.name
            ));
        }
        let mut o = serde_json::Map::new();
        o.insert("name".into(), json!(p.name));
        o.insert("description".into(), json!(p.description));
        o.insert("check".into(), json!(p.check));
        match p.check {
            "key" => {
                match (&p.key, &p.key_hex) {
                    (Some(k), _) => o.insert("key".into(), json!(k)),
                    (None, h) => o.insert("key_hex".into(), json!(h)),
                };
                o.insert("now".into(), json!(p.now.as_secs()));
                o.insert("grace_secs".into(), json!(p.grace_secs));
                o.insert("clock_tolerance_secs".into(), json!(p.clock_tolerance_secs));
                o.insert("revocation_list".into(), json!(p.revocation_list));
            }
            "list" => {
                o.insert("list".into(), json!(p.list_file));
            }
            "clock-file" => {
                o.insert("file_hex".into(), json!(p.key_hex));
            }
            _ => {
                o.insert("clock_mark".into(), opt(p.clock_mark));
                o.insert("now".into(), json!(p.now.as_secs()));
                o.insert("clock_tolerance_secs".into(), json!(p.clock_tolerance_secs));
            }
        }
        if p.check != "clock" {
            o.insert(
                "issuer_window".into(),
                json!({"valid_from": opt(p.valid_from), "valid_until": opt(p.valid_until)}),
            );
        }
        o.insert("expect".into(), json!(p.expect));
        if p.check == "key" && p.expect == "valid" {
            o.insert("status".into(), json!(p.status.unwrap_or("active")));
        }
        o.insert("message".into(), json!(message));
        o.insert("result".into(), result);
        list.push(Value::Object(o));
    }
    let doc = json!({
        "about": "Policy vectors for the GLPI key format v1 (spec/FORMAT.md, spec/REVOCATION.md): what keys.json cannot say. Each has a `check`: `key` (verify a key with the issuer window, grace, clock tolerance and installed list given), `list` (read and verify a revocation list file of spec/vectors/ with the issuer window given), `clock` (the clock guard of REVOCATION.md 2.2), or `clock-file` (read a clock mark file whose bytes are `file_hex`; valid with `result.mark`, or clock-file-corrupted). Times are Unix seconds; a window bound of null is open. Generated by spec/generator; do not edit by hand. The issuer is the TEST-ONLY issuer of keys.json.",
        "trust": [{"public_key_hex": hex(&issuer.public_key_bytes()), "key_id": issuer.key_id().to_string()}],
        "vectors": list,
    });
    let json = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    std::fs::write(dir.join("policy.json"), json).map_err(|e| e.to_string())?;
    let _ = TrustedKey::from_public_key_bytes;
    Ok(all.len())
}
