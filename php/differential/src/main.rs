//! Differential test generator for the PHP package (issue 14).
//!
//! Writes JSON lines: first the trust store, then one case per line: a key or a revocation
//! list, mutated at the level of its structure (claims fields, varints in minimal,
//! non-minimal and overlong forms, extension blocks, header bytes, lengths, list payloads,
//! signatures, text) and re-signed, with the verdict of the Rust core (`glpi_key`): the error
//! class and message, or the decoded claims / list. `php/differential/run.php` verifies every
//! case with the PHP package and compares.
//!
//! The core is the only judge. The generator writes bytes the core refuses to write
//! (non-canonical claims, unsorted lists), so it assembles payloads itself from the field
//! order of spec/FORMAT.md section 5.2 and signs them over the signing input of section 6
//! (`domain tag || 0x00 || header || payload`, with SHA-512 of the payload for lists); it
//! decodes and verifies nothing itself.
//!
//! Usage: `glpi-key-php-differential [CASES] [SEED]` (defaults 100000 and 1), or
//! `glpi-key-php-differential bench KEY PUBLIC_KEY_HEX` (used by php/bench/verify.php): the
//! core's full verification of one key against raw `verify_strict` on the same bytes.

use std::io::{self, BufWriter, Write};

use ed25519_dalek::Signer;
use glpi_key::checksum::Polymod;
use glpi_key::{
    GlpiVersion, InstanceId, Issuer, KeyKind, License, NewRevocationList, ObjectKind,
    RevocationList, Serial, TextStyle, TrustStore, TrustedKey, UnixTime, UnverifiedKey,
    UnverifiedRevocationList, VerifyOptions, ALPHABET, LIST_FILE_MAGIC,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

/// splitmix64: small, fast, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Fewer than `max` random bytes.
    fn some_bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.index(max);
        self.bytes(n)
    }
    /// A value of a random bit length up to `max_bits`.
    fn bits(&mut self, max_bits: u64) -> u64 {
        let b = self.below(max_bits + 1);
        self.below(1 << b)
    }
}

/// Unsigned LEB128, postcard's varint.
fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// The same value in `extra` more bytes than needed (non-minimal; overlong past the type's
/// longest form).
fn non_minimal(v: u64, extra: usize) -> Vec<u8> {
    let mut out = varint(v);
    for _ in 0..extra {
        if let Some(last) = out.last_mut() {
            *last |= 0x80;
        }
        out.push(0);
    }
    out
}

fn zigzag(n: i32) -> u64 {
    u64::from(((n << 1) ^ (n >> 31)) as u32)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum F {
    Serial,
    Tier,
    Presence,
    Entitlements,
    Owner,
    Issued,
    NotBefore,
    Validity,
    Instance,
    Versions,
    MaxAssets,
    Entity,
    Supersedes,
    Extensions,
}

/// One field: its bytes, and for varint fields the value (to re-encode it differently).
#[derive(Clone)]
struct Seg {
    f: F,
    bytes: Vec<u8>,
    varint: Option<u64>,
}

fn raw(f: F, bytes: Vec<u8>) -> Seg {
    Seg {
        f,
        bytes,
        varint: None,
    }
}

fn var(f: F, v: u64) -> Seg {
    Seg {
        f,
        bytes: varint(v),
        varint: Some(v),
    }
}

/// A length-prefixed field (owner, extension block); the prefix is the varint.
fn prefixed(f: F, body: &[u8]) -> Seg {
    let mut bytes = varint(body.len() as u64);
    bytes.extend_from_slice(body);
    Seg {
        f,
        bytes,
        varint: Some(body.len() as u64),
    }
}

struct Issuers {
    a: Issuer,
    b: Issuer,
    c: Issuer,
    trust: TrustStore,
}

const B_FROM: u64 = 1_790_000_000;
const B_UNTIL: u64 = 1_830_000_000;

fn issuers() -> Issuers {
    let a = Issuer::from_secret_key_bytes(&[0x11; 32]);
    let b = Issuer::from_secret_key_bytes(&[0x22; 32]);
    let c = Issuer::from_secret_key_bytes(&[0x33; 32]);
    let mut trust = TrustStore::new();
    let ta = a.trusted_key().expect("issuer A");
    let tb = b
        .trusted_key()
        .and_then(|k| {
            k.with_validity(
                Some(UnixTime::from_secs(B_FROM)),
                Some(UnixTime::from_secs(B_UNTIL)),
            )
        })
        .expect("issuer B");
    trust.add(ta).expect("add A");
    trust.add(tb).expect("add B");
    Issuers { a, b, c, trust }
}

fn trusted_json(k: &TrustedKey) -> Value {
    json!({
        "public_key_hex": hex(&k.public_key_bytes()),
        "valid_from": k.valid_from().map(|t| t.as_secs()),
        "valid_until": k.valid_until().map(|t| t.as_secs()),
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const OWNERS: &[&str] = &[
    "ACME Corp",
    "x",
    "Société Générale d'Électricité",
    "東京データ株式会社",
    "Ünïcödé \u{1F600} Ltd",
    "a\u{301}",
    "O'Brien & Sons <IT>",
];

fn owner(r: &mut Rng) -> Vec<u8> {
    match r.below(10) {
        0 => vec![b'Z'; 96],
        1 => "é".repeat(48).into_bytes(),
        2 => (0..1 + r.index(96))
            .map(|_| b'a' + r.below(26) as u8)
            .collect(),
        _ => OWNERS[r.index(OWNERS.len())].as_bytes().to_vec(),
    }
}

/// What the generator knows about the claims it wrote, to pick interesting times and options.
struct Base {
    segs: Vec<Seg>,
    kind: KeyKind,
    serial: u64,
    not_before_min: i64,
    expiry_min: Option<i64>,
    instance: Option<[u8; 16]>,
}

fn base_claims(r: &mut Rng) -> Base {
    let kind = if r.chance(70) {
        KeyKind::InstanceRegistration
    } else {
        KeyKind::AgentEnrollment
    };
    let serial = r.below(1 << 60);
    if r.chance(5) {
        // The shortest claims: 15 bytes, body 85 bytes.
        let issued = r.below(128);
        return Base {
            segs: vec![
                raw(F::Serial, serial.to_be_bytes().to_vec()),
                raw(F::Tier, vec![r.below(5) as u8]),
                raw(F::Presence, vec![0]),
                var(F::Entitlements, r.below(128)),
                prefixed(F::Owner, b"x"),
                var(F::Issued, issued),
                var(F::NotBefore, 0),
            ],
            kind,
            serial,
            not_before_min: issued as i64,
            expiry_min: None,
            instance: None,
        };
    }
    let entitlements = match r.below(4) {
        0 => 0,
        1 => 7,
        2 => r.below(8),
        _ => u64::from(r.next() as u32),
    };
    let issued: u64 = match r.below(12) {
        0 => u64::from(r.next() as u32),
        1 => 0,
        2 => u64::from(u32::MAX),
        _ => 29_500_000 + r.below(2_000_000),
    };
    let offset: i32 = match r.below(8) {
        0..=3 => 0,
        4 => -(r.below(100_000) as i32),
        5 => r.below(100_000) as i32,
        6 => -(issued.min(i32::MAX as u64) as i32),
        _ => r.next() as i32,
    };
    let mut presence = 0u8;
    let mut segs = vec![
        raw(F::Serial, serial.to_be_bytes().to_vec()),
        raw(F::Tier, vec![r.below(5) as u8]),
        raw(F::Presence, vec![0]),
        var(F::Entitlements, entitlements),
        prefixed(F::Owner, &owner(r)),
        var(F::Issued, issued),
        var(F::NotBefore, zigzag(offset)),
    ];
    let not_before_min = issued as i64 + i64::from(offset);
    let mut expiry_min = None;
    if r.chance(75) {
        presence |= 1;
        let validity = match r.below(8) {
            0 => 1,
            1 => u64::from(u32::MAX),
            2 => u64::from(r.next() as u32),
            _ => 1440 * (1 + r.below(2000)),
        };
        segs.push(var(F::Validity, validity));
        expiry_min = Some(not_before_min + validity as i64);
    }
    let mut instance = None;
    if r.chance(50) {
        presence |= 2;
        let id: [u8; 16] = r.bytes(16).try_into().unwrap_or([0; 16]);
        instance = Some(id);
        segs.push(raw(F::Instance, id.to_vec()));
    }
    if r.chance(30) {
        presence |= 4;
        let min = [9 + r.below(3) as u8, r.below(4) as u8];
        let max = [min[0] + r.below(2) as u8, r.below(4) as u8];
        let (min, max) = if min <= max { (min, max) } else { (max, min) };
        segs.push(raw(F::Versions, vec![min[0], min[1], max[0], max[1]]));
    }
    if r.chance(30) {
        presence |= 8;
        segs.push(var(F::MaxAssets, r.bits(32)));
    }
    if (kind == KeyKind::AgentEnrollment && r.chance(60)) || r.chance(3) {
        presence |= 16;
        segs.push(var(F::Entity, r.bits(32)));
    }
    if r.chance(20) {
        presence |= 32;
        segs.push(raw(F::Supersedes, r.below(1 << 60).to_be_bytes().to_vec()));
    }
    if r.chance(15) {
        presence |= 64;
        segs.push(prefixed(F::Extensions, &extension_block(r)));
    }
    segs[2].bytes = vec![presence];
    Base {
        segs,
        kind,
        serial,
        not_before_min,
        expiry_min,
        instance,
    }
}

/// An extension block, valid or broken in one of the ways section 5.4 names.
fn extension_block(r: &mut Rng) -> Vec<u8> {
    let entry = |tag: u64, value: &[u8]| {
        let mut e = varint(tag);
        e.extend(varint(value.len() as u64));
        e.extend_from_slice(value);
        e
    };
    match r.below(16) {
        // The three forms of "tag 2, empty value" of issue 14: only the first is canonical.
        0 => vec![0x02, 0x00],
        1 => vec![0x82, 0x00, 0x00],
        2 => vec![0x02, 0x80, 0x00],
        3 => Vec::new(),
        4 => entry(1 + 2 * r.below(100), b"crit"),
        5 => [entry(4, b""), entry(2, b"")].concat(),
        6 => [entry(2, b"a"), entry(2, b"b")].concat(),
        7 => entry(2, &[7u8; 70]),
        8 => vec![0x02, 0x05, 0x01, 0x02],
        9 => vec![0xff, 0xff, 0x04, 0x00],
        10 => {
            // A valid entry with one varint made non-minimal or overlong.
            let tag = 2 * r.below(40_000);
            let value = r.some_bytes(6);
            let mut t = non_minimal(tag, r.below(2) as usize);
            let l = non_minimal(
                value.len() as u64,
                if t.len() > varint(tag).len() {
                    0
                } else {
                    1 + r.index(2)
                },
            );
            if r.chance(30) {
                t = non_minimal(tag, 3);
            }
            [t, l, value].concat()
        }
        11 => [entry(65534, b"max"), entry(2, b"")].concat(),
        _ => {
            let mut tag = 0u64;
            let mut out = Vec::new();
            for _ in 0..1 + r.index(4) {
                let span = if r.chance(20) { 8000 } else { 60 };
                tag += 2 * (1 + r.below(span));
                if tag > 65534 {
                    break;
                }
                out.extend(entry(tag, &r.some_bytes(9)));
            }
            out
        }
    }
}

/// Breaks the claims in one structured way; returns its name.
fn mutate_claims(r: &mut Rng, b: &mut Base) -> &'static str {
    let varints: Vec<usize> = (0..b.segs.len())
        .filter(|&i| b.segs[i].varint.is_some())
        .collect();
    if varints.is_empty() {
        return "none";
    }
    match r.below(17) {
        0 | 1 => {
            let i = varints[r.index(varints.len())];
            let seg = &mut b.segs[i];
            let v = seg.varint.unwrap_or(0);
            let body = seg.bytes[varint(v).len()..].to_vec();
            let extra = if r.chance(70) {
                1 + r.index(2)
            } else {
                3 + r.index(8)
            };
            seg.bytes = [non_minimal(v, extra), body].concat();
            "non-minimal-varint"
        }
        2 => {
            let i = varints[r.index(varints.len())];
            let seg = &mut b.segs[i];
            let v = seg.varint.unwrap_or(0);
            let body = seg.bytes[varint(v).len()..].to_vec();
            let last = if matches!(seg.f, F::Owner | F::Extensions) {
                0x02 + r.below(0x7e) as u8
            } else {
                0x10 + r.below(0x70) as u8
            };
            let mut bytes = vec![0xff, 0xff, 0xff, 0xff];
            if matches!(seg.f, F::Owner | F::Extensions) {
                bytes.extend([0xff; 5]);
            }
            bytes.push(last);
            seg.bytes = [bytes, body].concat();
            "over-range-varint"
        }
        3 => {
            b.segs[2].bytes[0] |= 0x80;
            "reserved-bit"
        }
        4 => {
            b.segs[2].bytes[0] ^= 1 << r.below(7);
            "presence-flip"
        }
        5 => {
            b.segs[1].bytes[0] = 5 + r.below(251) as u8;
            "unknown-tier"
        }
        6 => {
            b.segs[0].bytes[0] |= 0x10 << r.below(4);
            "serial-over-60-bits"
        }
        7 => {
            let bad: &[&[u8]] = &[
                b"",
                &[b'y'; 97],
                b"\xff",
                b"ab\xc3\x28",
                b"\xed\xa0\x80",
                b"\xc0\xaf",
                b"\xf4\x90\x80\x80",
            ];
            let Some(i) = b.segs.iter().position(|s| s.f == F::Owner) else {
                return "none";
            };
            b.segs[i] = prefixed(F::Owner, bad[r.index(bad.len())]);
            "owner"
        }
        8 => {
            let (Some(i), Some(issued)) = (
                b.segs.iter().position(|s| s.f == F::NotBefore),
                b.segs
                    .iter()
                    .find(|s| s.f == F::Issued)
                    .and_then(|s| s.varint),
            ) else {
                return "none";
            };
            let issued = issued as i64;
            let off = -(issued + 1 + r.below(3) as i64);
            b.segs[i] = var(F::NotBefore, zigzag(off.max(i64::from(i32::MIN)) as i32));
            "not-before-before-1970"
        }
        9 => {
            if let Some(s) = b.segs.iter_mut().find(|s| s.f == F::Validity) {
                *s = var(F::Validity, 0);
                "zero-validity"
            } else {
                "none"
            }
        }
        10 => {
            if let Some(s) = b.segs.iter_mut().find(|s| s.f == F::Versions) {
                s.bytes = vec![11, 0, 10, r.below(256) as u8];
                "inverted-versions"
            } else {
                "none"
            }
        }
        11 => {
            if let Some(s) = b.segs.iter_mut().find(|s| s.f == F::Supersedes) {
                s.bytes[0] |= 0xf0;
                "supersedes-over-60-bits"
            } else {
                "none"
            }
        }
        12 => {
            let i = 3 + r.index(b.segs.len() - 3);
            b.segs.remove(i);
            "field-dropped"
        }
        13 => {
            // Replace or add the extension block.
            let block = extension_block(r);
            b.segs.retain(|s| s.f != F::Extensions);
            b.segs.push(prefixed(F::Extensions, &block));
            b.segs[2].bytes[0] |= 64;
            "extensions"
        }
        14 => {
            let Some(i) = b.segs.iter().position(|s| s.f == F::Owner) else {
                return "none";
            };
            let mut o = owner(r);
            o.truncate(96);
            b.segs[i] = prefixed(F::Owner, &o);
            "owner-other"
        }
        15 => {
            // An entity on whatever kind the key is.
            if !b.segs.iter().any(|s| s.f == F::Entity) {
                let at = b
                    .segs
                    .iter()
                    .position(|s| matches!(s.f, F::Supersedes | F::Extensions))
                    .unwrap_or(b.segs.len());
                b.segs.insert(at, var(F::Entity, r.below(1000)));
                b.segs[2].bytes[0] |= 16;
            }
            "entity"
        }
        _ => "none",
    }
}

/// Breaks the concatenated payload at the byte level.
fn mutate_bytes(r: &mut Rng, payload: &mut Vec<u8>) -> &'static str {
    match r.below(4) {
        0 => {
            let n = r.index(payload.len());
            payload.truncate(n);
            "truncated"
        }
        1 => {
            let extra = r.some_bytes(3);
            let extra = [vec![0x5a], extra].concat();
            payload.extend(extra);
            "trailing-bytes"
        }
        2 => {
            if payload.is_empty() {
                return "none";
            }
            let i = r.index(payload.len());
            payload[i] ^= 1 << r.below(8);
            "bit-flip"
        }
        _ => {
            if payload.len() > 1 {
                payload.pop();
            }
            "last-byte-dropped"
        }
    }
}

/// Signs `domain tag || 0x00 || header || payload` (or SHA-512(payload) for lists).
fn sign(issuer: &Issuer, kind: ObjectKind, header: &[u8], payload: &[u8]) -> [u8; 64] {
    let mut msg = kind.domain_tag().as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(header);
    if kind == ObjectKind::RevocationList {
        msg.extend_from_slice(&Sha512::digest(payload));
    } else {
        msg.extend_from_slice(payload);
    }
    issuer.signing_key().sign(&msg).to_bytes()
}

const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Header, signature and envelope mutations shared by keys and lists; returns the body and
/// the names of what was changed.
fn envelope(
    r: &mut Rng,
    is: &Issuers,
    kind: ObjectKind,
    payload: &[u8],
    signed_payload: &[u8],
    names: &mut Vec<&'static str>,
) -> Vec<u8> {
    let mut version = 1u8;
    let mut kind_byte = kind.to_byte();
    let mut sign_kind = kind;
    let pick = r.below(100);
    let (mut signer, mut key_id) = if pick < 12 {
        names.push("issuer-b-window");
        (&is.b, is.b.key_id().0)
    } else if pick < 15 {
        names.push("unknown-issuer");
        (&is.c, is.c.key_id().0)
    } else {
        (&is.a, is.a.key_id().0)
    };
    if r.chance(4) {
        version = if r.chance(50) {
            0
        } else {
            2 + r.below(254) as u8
        };
        names.push("version");
    }
    if r.chance(6) {
        kind_byte = *[0u8, 1, 2, 3, 4, 0x80, 0xff].get(r.index(7)).unwrap_or(&0);
        if let Some(k) = ObjectKind::from_byte(kind_byte) {
            if r.chance(70) {
                sign_kind = k;
            }
        }
        names.push("kind-byte");
    }
    if r.chance(2) {
        key_id = r.bytes(4).try_into().unwrap_or([0; 4]);
        names.push("random-key-id");
    }
    if r.chance(2) {
        signer = &is.c;
        names.push("wrong-signer");
    }
    let header = [
        version, kind_byte, key_id[0], key_id[1], key_id[2], key_id[3],
    ];
    let mut sig = sign(signer, sign_kind, &header, signed_payload);
    match r.below(40) {
        0 => {
            sig[r.index(64)] ^= 1 << r.below(8);
            names.push("signature-bit-flip");
        }
        1 => {
            // S + L: the same signature with a non-canonical scalar.
            let mut carry = 0u16;
            for i in 0..32 {
                let v = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
                sig[32 + i] = v as u8;
                carry = v >> 8;
            }
            names.push("s-plus-l");
        }
        2 => {
            sig[..32].copy_from_slice(&[
                1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0,
            ]);
            names.push("small-order-r");
        }
        _ => {}
    }
    let mut body = header.to_vec();
    body.extend_from_slice(payload);
    body.extend_from_slice(&sig);
    body
}

/// The text of a body, with the mistakes people and programs make.
fn text_of(r: &mut Rng, body: &[u8], names: &mut Vec<&'static str>) -> String {
    let style = if r.chance(30) {
        TextStyle::Grouped
    } else {
        TextStyle::Compact
    };
    let text = glpi_key::hazmat::key_text_of_body(body, style).to_string();
    if r.chance(70) {
        return text;
    }
    let mut chars: Vec<char> = text.chars().collect();
    let symbol_positions: Vec<usize> = (5..chars.len()).filter(|&i| chars[i] != '-').collect();
    let at = symbol_positions[r.index(symbol_positions.len())];
    let other = |r: &mut Rng, c: char| loop {
        let s = char::from(ALPHABET[r.index(32)]);
        if s != c {
            return s;
        }
    };
    let name = match r.below(17) {
        0 | 1 => {
            chars[at] = other(r, chars[at]);
            "typo"
        }
        2 => {
            for _ in 0..2 {
                let i = symbol_positions[r.index(symbol_positions.len())];
                chars[i] = other(r, chars[i]);
            }
            "two-typos"
        }
        3 => {
            if at + 1 < chars.len() && chars[at + 1] != '-' {
                chars.swap(at, at + 1);
            }
            "transposition"
        }
        4 => {
            chars.remove(at);
            "symbol-dropped"
        }
        5 => {
            chars.insert(at, chars[at]);
            "symbol-doubled"
        }
        6 => {
            let bad = [
                '\0',
                'U',
                '*',
                '\u{0410}',
                '\u{FF10}',
                '\u{200B}',
                '\u{A0}',
                'é',
                '\u{301}',
                '\u{1F600}',
                '\t',
                '_',
            ];
            chars.insert(at, bad[r.index(bad.len())]);
            "invalid-character"
        }
        7 => {
            return text
                .to_lowercase()
                .replace('0', "o")
                .replace('1', if r.chance(50) { "l" } else { "I" });
        }
        8 => {
            let wraps = [
                ("  \"", "\"\r\n"),
                ("\u{201C}", "\u{201D}"),
                ("\u{AB} ", " \u{BB}"),
                ("\u{3000}'", "'\t"),
                ("<", ">"),
                ("`", "`"),
            ];
            let (a, b) = wraps[r.index(wraps.len())];
            return format!("{a}{text}{b}");
        }
        9 => {
            chars.insert(at, if r.chance(50) { '\n' } else { ' ' });
            "line-break"
        }
        10 => return non_canonical_padding(body).unwrap_or(text),
        11 => {
            let prefixes = ["GLPX", "glpi", "GLP", "", "KEY-", "gLpI", "\u{FEFF}GLPI"];
            return format!("{}{}", prefixes[r.index(prefixes.len())], &text[4..]);
        }
        12 => {
            return [" ", "", "\u{201C}\u{201D}", "GLPI", "GLPI-", "GLPI--"][r.index(6)].to_string()
        }
        13 => {
            return format!(
                "{text}{}",
                "A".repeat(4097 - text.len().min(4097) + r.index(3))
            )
        }
        14 => return format!("{text}{}", "A".repeat(300 + r.index(400))),
        15 => return format!("{text} {text}"),
        _ => {
            chars.truncate(at);
            "cut-off"
        }
    };
    names.push(name);
    chars.into_iter().collect()
}

/// The body's text with stray padding bits in its last symbol, and a check that matches.
fn non_canonical_padding(body: &[u8]) -> Option<String> {
    let bits = body.len() * 8;
    let pad = (5 - bits % 5) % 5;
    if pad == 0 {
        return None;
    }
    let text = glpi_key::hazmat::key_text_of_body(body, TextStyle::Compact).to_string();
    let symbols: Vec<u8> = text[5..text.len() - 7]
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u8)
        .collect();
    let mut symbols = symbols;
    if let Some(last) = symbols.last_mut() {
        *last |= 1;
    }
    let mut p = Polymod::new("glpi");
    p.push_all(&symbols);
    let check = p.check_symbols();
    let s: String = symbols
        .iter()
        .map(|&v| char::from(ALPHABET[v as usize]))
        .collect();
    let c: String = check
        .iter()
        .map(|&v| char::from(ALPHABET[v as usize]))
        .collect();
    Some(format!("GLPI-{s}-{c}"))
}

fn claims_json(l: &License<'_>) -> Value {
    let c = l.claims();
    let status = match l.status() {
        glpi_key::KeyStatus::Active => json!("active"),
        glpi_key::KeyStatus::InGrace { expired_at, until } => {
            json!({"expired_at": expired_at.as_secs(), "until": until.as_secs()})
        }
    };
    json!({
        "serial": format!("{:016x}", c.serial.value()),
        "short_id": c.serial.short_id().to_string(),
        "kind": c.kind.to_string(),
        "tier": c.tier.name(),
        "owner": c.owner,
        "issued_at": c.issued_at.as_secs(),
        "not_before": c.not_before.as_secs(),
        "expires_at": c.expires_at.map(|t| t.as_secs()),
        "instance": c.instance.map(|i| i.to_string()),
        "entitlements": c.entitlements.names().collect::<Vec<_>>(),
        "entitlement_bits": c.entitlements.bits(),
        "glpi_versions": c.glpi_versions.map(|v| json!({"min": v.min.to_string(), "max": v.max.to_string()})),
        "max_assets": c.max_assets,
        "entity": c.entity,
        "supersedes": c.supersedes.map(|s| format!("{:016x}", s.value())),
        "extensions": c.extensions.iter().map(|e| json!({"tag": e.tag, "value_hex": hex(e.value)})).collect::<Vec<_>>(),
        "issuer": l.issuer_key_id().to_string(),
        "status": status,
    })
}

fn list_json(l: &RevocationList<'_>) -> Value {
    json!({
        "issuer": l.issuer_key_id().to_string(),
        "sequence": l.sequence().to_string(),
        "issued_at": l.issued_at().as_secs().to_string(),
        "next_update": l.next_update().map(|t| t.as_secs().to_string()),
        "serials_hex": l.serials().map(|s| format!("{:016x}", s.value())).collect::<String>(),
    })
}

fn verdict(result: Result<Value, glpi_key::Error>) -> (Value, Value, Value) {
    match result {
        Ok(v) => (json!("valid"), Value::Null, v),
        Err(e) => (json!(e.code()), json!(e.to_string()), Value::Null),
    }
}

fn key_case(r: &mut Rng, is: &Issuers) -> Value {
    let mut b = base_claims(r);
    let mut names: Vec<&'static str> = Vec::new();
    let signed_before = b
        .segs
        .iter()
        .flat_map(|s| s.bytes.clone())
        .collect::<Vec<u8>>();
    for _ in 0..match r.below(10) {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    } {
        names.push(mutate_claims(r, &mut b));
    }
    let mut payload: Vec<u8> = b.segs.iter().flat_map(|s| s.bytes.clone()).collect();
    if r.chance(8) {
        names.push(mutate_bytes(r, &mut payload));
    }
    // Re-signed after the mutation, except sometimes: then the signature is of the original.
    let signed = if r.chance(3) {
        names.push("not-re-signed");
        signed_before
    } else {
        payload.clone()
    };
    let kind = b.kind.object_kind();
    let body = envelope(r, is, kind, &payload, &signed, &mut names);
    let text = text_of(r, &body, &mut names);

    // The host's options, around the key's own times.
    let nb = b.not_before_min.max(0) as u64 * 60;
    let exp = b.expiry_min.map(|e| e.max(0) as u64 * 60);
    let grace: u64 = match r.below(10) {
        0 => 1,
        1 => 86_400,
        2 => 30 * 86_400,
        _ => 0,
    };
    let mut candidates = vec![
        nb,
        nb.saturating_sub(1),
        nb + 1 + r.below(1_000_000),
        1_800_000_000,
    ];
    if let Some(e) = exp {
        candidates.extend([
            e,
            e.saturating_sub(1),
            e + grace,
            (e + grace).saturating_sub(1),
            e + r.below(90 * 86_400),
        ]);
    }
    let now = candidates[r.index(candidates.len())];
    let mut options = VerifyOptions::at(UnixTime::from_secs(now)).with_grace_secs(grace);
    let mut kind_opt = Value::Null;
    if r.chance(25) {
        let k = if r.chance(50) {
            KeyKind::InstanceRegistration
        } else {
            KeyKind::AgentEnrollment
        };
        options = options.with_kind(k);
        kind_opt = json!(k.to_string());
    }
    let mut instance_opt = Value::Null;
    if r.chance(50) {
        let id = match (b.instance, r.chance(50)) {
            (Some(i), true) => i,
            _ => r.bytes(16).try_into().unwrap_or([0; 16]),
        };
        options = options.with_instance(InstanceId(id));
        instance_opt = json!(InstanceId(id).to_string());
    }
    let mut version_opt = Value::Null;
    if r.chance(40) {
        let v = GlpiVersion::new(9 + r.below(4) as u8, r.below(5) as u8);
        options = options.with_glpi_version(v);
        version_opt = json!(if r.chance(30) {
            format!("{v}.{}", r.below(30))
        } else {
            v.to_string()
        });
    }
    let mut tolerance_opt = Value::Null;
    if r.chance(20) {
        let t = *[0u64, 300, 86_400 * 3650].get(r.index(3)).unwrap_or(&0);
        options = options.with_clock_tolerance_secs(t);
        tolerance_opt = json!(t);
    }
    // Sometimes an installed revocation list, which revokes the key half of the time.
    let mut list_file = Value::Null;
    let mut list_bytes = None;
    if r.chance(15) {
        let mut serials: Vec<u64> = (0..r.index(6)).map(|_| r.below(1 << 60)).collect();
        if r.chance(50) {
            serials.push(b.serial);
        }
        serials.sort_unstable();
        serials.dedup();
        let serials: Vec<Serial> = serials.into_iter().filter_map(Serial::new).collect();
        let new = NewRevocationList {
            sequence: r.below(100),
            issued_at: UnixTime::from_secs(1_700_000_000 + r.below(100_000_000)),
            next_update: None,
            serials: &serials,
        };
        let mut out = vec![0u8; glpi_key::max_revocation_list_len(serials.len())];
        if let Ok(list) = is.a.issue_revocation_list(&new, &mut out) {
            let file = list.to_file_bytes();
            list_file = json!(hex(&file));
            list_bytes = Some(file);
        }
    }
    let result = (|| {
        let key = UnverifiedKey::parse_with_trust(&text, &is.trust)?;
        let list = match &list_bytes {
            Some(bytes) => {
                Some(UnverifiedRevocationList::from_file_bytes(bytes)?.verify(&is.trust)?)
            }
            None => None,
        };
        let license = key.verify_with_revocations(&is.trust, &options, list.as_ref())?;
        Ok(claims_json(&license))
    })();
    let (expect, message, claims) = verdict(result);
    json!({
        "type": "key",
        "mutations": names,
        "text": text,
        "now": now,
        "kind": kind_opt,
        "instance": instance_opt,
        "glpi_version": version_opt,
        "grace": grace,
        "tolerance": tolerance_opt,
        "list_file_hex": list_file,
        "expect": expect,
        "message": message,
        "claims": claims,
    })
}

fn list_case(r: &mut Rng, is: &Issuers) -> Value {
    let mut names: Vec<&'static str> = Vec::new();
    let sequence = match r.below(8) {
        0 => 0,
        1 => u64::MAX,
        2 => (1 << 63) + r.below(1000),
        _ => r.bits(39),
    };
    let issued = match r.below(10) {
        0 => r.next(),
        1 => 0,
        _ => 1_700_000_000 + r.below(200_000_000),
    };
    let next = match r.below(4) {
        0 => None,
        1 => Some(issued.wrapping_sub(r.below(2))),
        _ => Some(issued.saturating_add(1 + r.below(10_000_000))),
    };
    let count = match r.below(10) {
        0 => 0,
        1 => 60 + r.index(20),
        _ => r.index(8),
    };
    let mut serials: Vec<u64> = (0..count).map(|_| r.below(1 << 60)).collect();
    serials.sort_unstable();
    serials.dedup();
    let mut segs: Vec<Vec<u8>> = vec![varint(sequence), varint(issued)];
    segs.push(match next {
        None => vec![0],
        Some(n) => [vec![1], varint(n)].concat(),
    });
    let mut serial_bytes: Vec<u8> = serials.iter().flat_map(|s| s.to_be_bytes()).collect();
    let mut len_field = varint(serial_bytes.len() as u64);
    match r.below(12) {
        0 => {
            let values = [
                sequence,
                issued,
                next.unwrap_or(0),
                serial_bytes.len() as u64,
            ];
            let i = r.index(if next.is_some() { 4 } else { 2 });
            let i = if i == 2 && next.is_none() { 0 } else { i };
            let nm = non_minimal(
                values[i],
                if r.chance(80) {
                    1 + r.index(2)
                } else {
                    6 + r.index(5)
                },
            );
            match i {
                0 | 1 => segs[i] = nm,
                2 => segs[2] = [vec![1], nm].concat(),
                _ => len_field = nm,
            }
            names.push("non-minimal-varint");
        }
        1 => {
            segs[r.index(2)] = [vec![0xff; 9], vec![2 + r.below(0x7e) as u8]].concat();
            names.push("over-range-varint");
        }
        2 => {
            segs[2] = vec![2 + r.below(254) as u8];
            names.push("option-tag");
        }
        3 if !serial_bytes.is_empty() => {
            serial_bytes.pop();
            len_field = varint(serial_bytes.len() as u64);
            names.push("serials-length");
        }
        4 if serials.len() >= 2 => {
            let i = r.index(serials.len() - 1);
            serial_bytes.copy_within(8 * i..8 * i + 8, 8 * (i + 1));
            names.push("duplicate");
        }
        5 if serials.len() >= 2 => {
            let i = r.index(serials.len() - 1);
            let (a, b) = (8 * i, 8 * (i + 1));
            for k in 0..8 {
                serial_bytes.swap(a + k, b + k);
            }
            names.push("unsorted");
        }
        6 if !serials.is_empty() => {
            let i = r.index(serials.len());
            serial_bytes[8 * i] |= 0x10 << r.below(4);
            names.push("serial-over-60-bits");
        }
        _ => {}
    }
    let mut payload: Vec<u8> = segs.concat();
    payload.extend(len_field);
    payload.extend(serial_bytes);
    if r.chance(8) {
        names.push(mutate_bytes(r, &mut payload));
    }
    let signed = payload.clone();
    let body = envelope(
        r,
        is,
        ObjectKind::RevocationList,
        &payload,
        &signed,
        &mut names,
    );
    let as_file = body.len() > 630 || r.chance(30);
    let (text, file_hex) = if as_file {
        let mut file = LIST_FILE_MAGIC.to_vec();
        if r.chance(4) {
            file[r.index(8)] ^= 0x20;
            names.push("bad-magic");
        }
        file.extend(&body);
        (Value::Null, json!(hex(&file)))
    } else {
        (json!(text_of(r, &body, &mut names)), Value::Null)
    };
    let installed = if r.chance(40) {
        Some(match r.below(3) {
            0 => sequence,
            1 => sequence.wrapping_add(1),
            _ => sequence.saturating_sub(r.below(5)),
        })
    } else {
        None
    };
    let result = (|| {
        let file = file_hex.as_str().map(|h| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
                .collect::<Vec<u8>>()
        });
        let mut buf = [0u8; glpi_key::MAX_TEXT_LIST_LEN];
        let unverified = match (&file, text.as_str()) {
            (Some(f), _) => UnverifiedRevocationList::from_file_bytes(f)?,
            (None, Some(t)) => UnverifiedRevocationList::parse_text(t, &mut buf)?,
            (None, None) => unreachable!(),
        };
        let list = unverified.verify(&is.trust)?;
        if let Some(i) = installed {
            list.check_not_older_than(i)?;
        }
        Ok(list_json(&list))
    })();
    let (expect, message, list) = verdict(result);
    json!({
        "type": "list",
        "mutations": names,
        "text": text,
        "file_hex": file_hex,
        "installed": installed.map(|i| i.to_string()),
        "expect": expect,
        "message": message,
        "list": list,
    })
}

/// The core against raw `verify_strict` on the same key, medians of interleaved rounds.
fn bench(text: &str, public_key_hex: &str) -> Result<String, String> {
    use std::time::Instant;
    let pk: Vec<u8> = (0..public_key_hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(public_key_hex.get(i..i + 2)?, 16).ok())
        .collect();
    let pk: [u8; 32] = pk.try_into().map_err(|_| "public key: 64 hex digits")?;
    let trusted = TrustedKey::from_public_key_bytes(&pk).map_err(|e| e.to_string())?;
    let trust = TrustStore::with(trusted);
    let options = VerifyOptions::at(UnixTime::from_secs(1_811_808_000));
    let key = UnverifiedKey::parse(text).map_err(|e| e.to_string())?;
    key.verify(&trust, &options).map_err(|e| e.to_string())?;
    let body = key.as_bytes();
    let (signed, sig) = body.split_at(body.len() - 64);
    let mut msg = ObjectKind::InstanceRegistration
        .domain_tag()
        .as_bytes()
        .to_vec();
    msg.push(0);
    msg.extend_from_slice(signed);
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&pk).map_err(|e| e.to_string())?;
    let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|e| e.to_string())?;
    let (rounds, per_round) = (40, 500);
    let (mut raw, mut full) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per_round {
            std::hint::black_box(vk.verify_strict(std::hint::black_box(&msg), &sig).is_ok());
        }
        raw.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(per_round));
        let t = Instant::now();
        for _ in 0..per_round {
            let k = UnverifiedKey::parse(std::hint::black_box(text)).map_err(|e| e.to_string())?;
            std::hint::black_box(k.verify(&trust, &options).is_ok());
        }
        full.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(per_round));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (r, f) = (median(&mut raw), median(&mut full));
    Ok(format!(
        "full verification {f:.2} us, raw verify_strict {r:.2} us, ratio {:.3} (medians of {rounds} interleaved rounds of {per_round})",
        f / r
    ))
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bench") {
        let result = bench(
            args.get(2).map_or("", String::as_str),
            args.get(3).map_or("", String::as_str),
        );
        println!(
            "{}",
            result.unwrap_or_else(|e| format!("bench failed: {e}"))
        );
        return Ok(());
    }
    let cases: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let is = issuers();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let trust: Vec<Value> = is.trust.iter().map(trusted_json).collect();
    writeln!(
        out,
        "{}",
        json!({"trust": trust, "cases": cases, "seed": seed})
    )?;
    let mut r = Rng(seed);
    for _ in 0..cases {
        let case = if r.chance(80) {
            key_case(&mut r, &is)
        } else {
            list_case(&mut r, &is)
        };
        writeln!(out, "{case}")?;
    }
    out.flush()
}
