//! Writes the revocation list test vectors into `spec/vectors/revocation/` (or the directory
//! given as the first argument). Deterministic: run it again and `git diff` shows nothing.
//!
//! ```text
//! cargo run --example gen_revocation_vectors
//! ```
//!
//! Malformed lists are signed here by hand, following `spec/REVOCATION.md` rather than the
//! library's issuer (which refuses to make them), so the vectors also check the spec's
//! signing rule against the implementation.

use std::fmt::Write as _;
use std::path::PathBuf;

use ed25519_dalek::Signer;
use glpi_key::{
    max_revocation_list_len, Claims, Issuer, KeyKind, NewRevocationList, ObjectKind, Serial,
    TextStyle, Tier, UnixTime, LIST_FILE_MAGIC,
};
use sha2::{Digest, Sha512};

/// The TEST-ONLY issuer of `spec/vectors/keys.json` (its secret is public).
const TEST_ISSUER_SECRET_HEX: &str =
    "e4f7dc203dcedb9a259c4df9f852d8f13289acb6c7a2167f00419ef6331b34a2";

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

fn t(y: u32, m: u32, d: u32) -> UnixTime {
    UnixTime::from_date(y, m, d).expect("date")
}

fn serial(v: u64) -> Serial {
    Serial::new(v).expect("serial")
}

/// The body as text with a fresh, valid check (to tamper with bytes, not symbols).
fn wrap(body: &[u8]) -> String {
    glpi_key::hazmat::key_text_of_body(body, TextStyle::Compact).to_string()
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A list signed by hand: any serial values, in the given order.
fn sign_raw(issuer: &Issuer, sequence: u64, issued_at: UnixTime, values: &[u64]) -> Vec<u8> {
    let mut payload = Vec::new();
    varint(sequence, &mut payload);
    varint(issued_at.as_secs(), &mut payload);
    payload.push(0); // no next update
    varint((values.len() * 8) as u64, &mut payload);
    for v in values {
        payload.extend_from_slice(&v.to_be_bytes());
    }
    let mut header = vec![1u8, ObjectKind::RevocationList.to_byte()];
    header.extend_from_slice(&issuer.key_id().0);
    let mut msg = ObjectKind::RevocationList.domain_tag().as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(&header);
    msg.extend_from_slice(&Sha512::digest(&payload));
    let mut file = LIST_FILE_MAGIC.to_vec();
    file.extend_from_slice(&header);
    file.extend_from_slice(&payload);
    file.extend_from_slice(&issuer.signing_key().sign(&msg).to_bytes());
    file
}

/// A list body signed by hand from any header fields and payload bytes: `tag` is the domain
/// tag, and `hashed` says whether SHA-512(payload) (the rule) or the payload itself is signed.
fn sign_payload(
    signer: &Issuer,
    version: u8,
    kind: u8,
    key_id: [u8; 4],
    tag: &str,
    payload: &[u8],
    hashed: bool,
) -> Vec<u8> {
    let header = [version, kind, key_id[0], key_id[1], key_id[2], key_id[3]];
    let mut msg = tag.as_bytes().to_vec();
    msg.push(0);
    msg.extend_from_slice(&header);
    if hashed {
        msg.extend_from_slice(&Sha512::digest(payload));
    } else {
        msg.extend_from_slice(payload);
    }
    let mut body = header.to_vec();
    body.extend_from_slice(payload);
    body.extend_from_slice(&signer.signing_key().sign(&msg).to_bytes());
    body
}

/// A payload from its fields, each already encoded.
fn payload(sequence: &[u8], issued_at: &[u8], next_update: &[u8], serials: &[u8]) -> Vec<u8> {
    [sequence, issued_at, next_update, serials].concat()
}

/// The serials field (minimal length varint, then the bytes) of these values.
fn serials_field(values: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    varint((values.len() * 8) as u64, &mut out);
    for v in values {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out
}

fn vint(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint(n, &mut out);
    out
}

/// The vectors added for issue 13: every rule of REVOCATION.md 1.1 to 1.6 that had none.
fn more_vectors(v: &mut Vectors, issuer: &Issuer, other: &Issuer) {
    const TAG: &str = "glpi-key/v1/revocation-list";
    let id = issuer.key_id().0;
    let issued = t(2026, 12, 15).as_secs();
    let ok_fields = (vint(18), vint(issued), vec![0u8]);
    let malformed = |v: &mut Vectors, name: &str, payload: &[u8], description: &str| {
        let file = format!("{name}.glpirl");
        let mut bytes = LIST_FILE_MAGIC.to_vec();
        bytes.extend(sign_payload(issuer, 1, 3, id, TAG, payload, true));
        v.file(&file, &bytes);
        v.add(
            name,
            "list",
            &file,
            "-",
            None,
            "malformed-revocation-list",
            description,
        );
    };
    let (seq, at, none) = &ok_fields;
    let mut next_equal = vec![1u8];
    next_equal.extend(vint(issued));
    malformed(
        v,
        "next-update-equal",
        &payload(seq, at, &next_equal, &serials_field(&[5])),
        "next_update equal to issued_at (it must be after)",
    );
    let mut next_before = vec![1u8];
    next_before.extend(vint(issued - 1));
    malformed(
        v,
        "next-update-before",
        &payload(seq, at, &next_before, &serials_field(&[5])),
        "next_update one second before issued_at",
    );
    malformed(
        v,
        "serial-top-bits",
        &payload(seq, at, none, &serials_field(&[5, 0x1000_0000_0000_0000])),
        "a serial with one of its top 4 bits set",
    );
    let mut odd = vint(12);
    odd.extend_from_slice(&[0u8; 12]);
    malformed(
        v,
        "length-not-multiple-of-8",
        &payload(seq, at, none, &odd),
        "serials 12 bytes long: not a multiple of 8",
    );
    let mut trailing = payload(seq, at, none, &serials_field(&[5]));
    trailing.push(0);
    malformed(
        v,
        "trailing-byte",
        &trailing,
        "one byte left after the serials",
    );
    malformed(
        v,
        "non-minimal-sequence",
        &payload(&[0x92, 0x00], at, none, &serials_field(&[5])),
        "sequence 18 written as 92 00 (two bytes for a one-byte value)",
    );
    let mut long_len = vec![0x88, 0x00];
    long_len.extend_from_slice(&5u64.to_be_bytes());
    malformed(
        v,
        "non-minimal-serials-length",
        &payload(seq, at, none, &long_len),
        "the serials' length 8 written as 88 00",
    );
    let mut tag2 = vec![2u8];
    tag2.extend(vint(issued + 1));
    malformed(
        v,
        "option-tag-2",
        &payload(seq, at, &tag2, &serials_field(&[5])),
        "next_update with option tag 2 (only 00 and 01 exist)",
    );
    malformed(
        v,
        "cut-short",
        &payload(seq, at, none, &[0x10, 0, 0, 0, 0, 0, 0, 0, 5]),
        "the serials' length says 16 bytes, 8 follow",
    );
    malformed(
        v,
        "sequence-over-u64",
        &payload(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            at,
            none,
            &serials_field(&[5]),
        ),
        "a sequence varint of 10 bytes whose last is 02: more than 64 bits",
    );

    let good = payload(seq, at, none, &serials_field(&[5, 40]));
    let other_file =
        |v: &mut Vectors, name: &str, body: Vec<u8>, expect: &str, description: &str| {
            let file = format!("{name}.glpirl");
            let mut bytes = LIST_FILE_MAGIC.to_vec();
            bytes.extend(body);
            v.file(&file, &bytes);
            v.add(name, "list", &file, "-", None, expect, description);
        };
    other_file(
        v,
        "version-2",
        sign_payload(issuer, 2, 3, id, "glpi-key/v2/revocation-list", &good, true),
        "unsupported-version",
        "format version 2 in the header (validly signed)",
    );
    other_file(
        v,
        "unknown-kind",
        sign_payload(issuer, 1, 9, id, "glpi-key/v1/unknown", &good, true),
        "unknown-object-kind",
        "object kind 9 in the header",
    );
    other_file(
        v,
        "unknown-issuer",
        sign_payload(other, 1, 3, other.key_id().0, TAG, &good, true),
        "unknown-issuer",
        "a list signed by an issuer key that is not trusted",
    );
    other_file(
        v,
        "signed-raw-payload",
        sign_payload(issuer, 1, 3, id, TAG, &good, false),
        "bad-signature",
        "signed over the payload itself instead of SHA-512(payload)",
    );
    other_file(
        v,
        "signed-with-key-tag",
        sign_payload(
            issuer,
            1,
            3,
            id,
            "glpi-key/v1/instance-registration",
            &good,
            true,
        ),
        "bad-signature",
        "signed with the instance-registration domain tag instead of the list's",
    );
    other_file(
        v,
        "valid-empty",
        sign_payload(issuer, 1, 3, id, TAG, &payload(seq, at, none, &[0]), true),
        "valid",
        "an empty list (serials length 00) is valid",
    );
    let short = sign_payload(issuer, 1, 3, id, TAG, &[1, 1, 0], true);
    assert_eq!(short.len(), 73);
    other_file(v, "file-body-73-bytes", short.clone(), "malformed-revocation-list", "a file whose body (73 bytes) is too short for a header, the shortest payload (4 bytes) and a signature");

    // Text form limits (1.4): 630 body bytes, 65 serials always fit.
    let max_fields = (
        vint(u64::MAX),
        vint(u64::MAX - 1),
        [vec![1u8], vint(u64::MAX)].concat(),
    );
    let sixty_five: Vec<u64> = (1..=65).collect();
    let body = sign_payload(
        issuer,
        1,
        3,
        id,
        TAG,
        &payload(
            &max_fields.0,
            &max_fields.1,
            &max_fields.2,
            &serials_field(&sixty_five),
        ),
        true,
    );
    assert!(body.len() <= 630);
    v.file(
        "text-65-serials-max-fields.txt",
        format!("{}\n", wrap(&body)).as_bytes(),
    );
    v.add(
        "text-65-serials-max-fields",
        "list",
        "text-65-serials-max-fields.txt",
        "-",
        None,
        "valid",
        "65 serials with every other field at its longest: fits the text form",
    );
    let sixty_six: Vec<u64> = (1..=66).collect();
    let body = sign_payload(
        issuer,
        1,
        3,
        id,
        TAG,
        &payload(
            &max_fields.0,
            &max_fields.1,
            &max_fields.2,
            &serials_field(&sixty_six),
        ),
        true,
    );
    assert!(body.len() > 630);
    v.file(
        "text-66-serials-max-fields.txt",
        format!("{}\n", wrap(&body)).as_bytes(),
    );
    v.add("text-66-serials-max-fields", "list", "text-66-serials-max-fields.txt", "-", None, "too-long", "66 serials with every other field at its longest: 631 bytes, 1010 symbols; the reader stops at the 1015th symbol (1008 body + 6 check)");
    let body = sign_payload(
        issuer,
        1,
        3,
        id,
        TAG,
        &payload(seq, at, none, &serials_field(&sixty_six)),
        true,
    );
    assert!(body.len() <= 630);
    v.file(
        "text-66-serials-small-fields.txt",
        format!("{}\n", wrap(&body)).as_bytes(),
    );
    v.add(
        "text-66-serials-small-fields",
        "list",
        "text-66-serials-small-fields.txt",
        "-",
        None,
        "valid",
        "66 serials with small other fields: the limit is 630 bytes, not a number of serials",
    );
    v.file(
        "text-body-73-bytes.txt",
        format!("{}\n", wrap(&short)).as_bytes(),
    );
    v.add("text-body-73-bytes", "list", "text-body-73-bytes.txt", "-", None, "wrong-length", "a text list whose body is 73 bytes (117 symbols): shorter than the shortest list (74 bytes), an impossible length");
    v.file("short-id-as-list.txt", b"GLPI-0123456789AB-C4JK5H\n");
    v.add(
        "short-id-as-list",
        "list",
        "short-id-as-list.txt",
        "-",
        None,
        "wrong-length",
        "18 symbols given as a list: wrong-length (no short-id exception for lists)",
    );
}

struct Vectors {
    dir: PathBuf,
    manifest: String,
}

impl Vectors {
    fn file(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.join(name), bytes).expect("write vector file");
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: &str,
        kind: &str,
        file: &str,
        installed: &str,
        now: Option<UnixTime>,
        expect: &str,
        description: &str,
    ) {
        let now = now.map_or("-".to_string(), |t| t.as_secs().to_string());
        writeln!(
            self.manifest,
            "{name}\t{kind}\t{file}\t{installed}\t{now}\t{expect}\t{description}"
        )
        .expect("string");
    }
}

fn main() {
    let dir = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec/vectors/revocation"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("create vector directory");
    let issuer = Issuer::from_secret_key_bytes(&hex32(TEST_ISSUER_SECRET_HEX));
    let mut v = Vectors {
        dir,
        manifest: String::new(),
    };
    let pk: String = issuer
        .public_key_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    v.manifest.push_str(
        "# Revocation list test vectors (spec/REVOCATION.md). Generated by\n\
         # examples/gen_revocation_vectors.rs; do not edit by hand.\n\
         # Columns (tab-separated): name, kind (list | key), file, installed (list: sequence\n\
         # number already installed or -; key: the list file to check it against), now (unix\n\
         # seconds, keys only), expect (valid or an Error::code()), description.\n\
         # The issuer is the TEST-ONLY issuer of spec/vectors/keys.json.\n",
    );
    writeln!(v.manifest, "# trust {pk}").expect("string");

    let revoked_key_serial = 0x0123_4567_89ab_cdef;
    let good_key_serial = 0x0123_4567_89ab_cdee;
    let small = [
        serial(0x0000_0000_0000_002a),
        serial(revoked_key_serial),
        serial(Serial::MAX.value()),
    ];
    let new = NewRevocationList {
        sequence: 15,
        issued_at: t(2026, 11, 1),
        next_update: Some(t(2027, 2, 1)),
        serials: &small,
    };
    let mut buf = vec![0u8; max_revocation_list_len(small.len())];
    let list15 = issuer
        .issue_revocation_list(&new, &mut buf)
        .expect("issue list 15");
    let text15 = list15
        .text(TextStyle::Grouped)
        .expect("fits text")
        .to_string();
    let body15 = list15.as_bytes().to_vec();
    let file15 = list15.to_file_bytes();
    v.file("list-15.txt", format!("{text15}\n").as_bytes());
    v.add(
        "valid-text",
        "list",
        "list-15.txt",
        "-",
        None,
        "valid",
        "list 15 in text form (grouped), 3 serials, next update announced",
    );
    v.add(
        "valid-same-sequence",
        "list",
        "list-15.txt",
        "15",
        None,
        "valid",
        "installing the same list again is accepted",
    );
    v.add(
        "newer-than-installed",
        "list",
        "list-15.txt",
        "12",
        None,
        "valid",
        "list 15 replaces installed list 12",
    );

    let large: Vec<Serial> = (0..1000u64)
        .map(|i| serial(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 4))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut buf = vec![0u8; max_revocation_list_len(large.len())];
    let big = issuer
        .issue_revocation_list(
            &NewRevocationList {
                sequence: 16,
                issued_at: t(2026, 12, 1),
                next_update: None,
                serials: &large,
            },
            &mut buf,
        )
        .expect("issue large list");
    assert!(big.text(TextStyle::Compact).is_none());
    v.file("list-16-large.glpirl", &big.to_file_bytes());
    v.add(
        "valid-file",
        "list",
        "list-16-large.glpirl",
        "-",
        None,
        "valid",
        "list 16 in binary file form, 1000 serials (too many for text)",
    );

    let mut tampered = body15.clone();
    let last_serial_byte = tampered.len() - 64 - 1;
    tampered[last_serial_byte] ^= 0x01;
    v.file("tampered.txt", format!("{}\n", wrap(&tampered)).as_bytes());
    v.add(
        "tampered-text",
        "list",
        "tampered.txt",
        "-",
        None,
        "bad-signature",
        "list 15 with one bit of the last serial flipped, text re-wrapped with a valid check",
    );
    let mut tampered_file = file15.clone();
    tampered_file[8 + 6 + 1] ^= 0x80;
    v.file("tampered.glpirl", &tampered_file);
    v.add(
        "tampered-file",
        "list",
        "tampered.glpirl",
        "-",
        None,
        "bad-signature",
        "list 15 as a file with one bit of the issue time flipped",
    );
    let mut typo = text15.clone().into_bytes();
    let pos = typo.len() - 12;
    typo[pos] = if typo[pos] == b'X' { b'Y' } else { b'X' };
    let typo = String::from_utf8(typo).expect("ascii");
    v.file("typo.txt", format!("{typo}\n").as_bytes());
    v.add(
        "typo-text",
        "list",
        "typo.txt",
        "-",
        None,
        "checksum",
        "list 15 text with one symbol mistyped",
    );

    let mut claims = Claims::new(
        serial(revoked_key_serial),
        KeyKind::InstanceRegistration,
        Tier::Standard,
        "ACME Corp",
        t(2026, 10, 1),
    );
    claims.expires_at = Some(t(2028, 1, 1));
    let revoked_key = issuer.issue(&claims).expect("issue key");
    let revoked_text = revoked_key.text(TextStyle::Compact).to_string();
    v.file("key-revoked.txt", format!("{revoked_text}\n").as_bytes());
    v.add(
        "wrong-kind",
        "list",
        "key-revoked.txt",
        "-",
        None,
        "wrong-object-kind",
        "a registration key given where a revocation list is needed",
    );
    v.file("list-15-as-key.txt", format!("{text15}\n").as_bytes());
    v.add(
        "list-as-key",
        "key",
        "list-15-as-key.txt",
        "list-15.txt",
        Some(t(2027, 1, 1)),
        "wrong-object-kind",
        "a revocation list given where a key is needed",
    );

    let unsorted = sign_raw(&issuer, 17, t(2026, 12, 15), &[5, 900, 40]);
    v.file("unsorted.glpirl", &unsorted);
    v.add(
        "unsorted",
        "list",
        "unsorted.glpirl",
        "-",
        None,
        "malformed-revocation-list",
        "validly signed list whose serials are not sorted",
    );
    let duplicate = sign_raw(&issuer, 17, t(2026, 12, 15), &[5, 40, 40, 900]);
    v.file("duplicate.glpirl", &duplicate);
    v.add(
        "duplicate",
        "list",
        "duplicate.glpirl",
        "-",
        None,
        "malformed-revocation-list",
        "validly signed list with a serial listed twice",
    );
    let mut not_a_file = file15.clone();
    not_a_file[..8].copy_from_slice(b"GLPI-KEY");
    v.file("bad-magic.glpirl", &not_a_file);
    v.add(
        "bad-magic",
        "list",
        "bad-magic.glpirl",
        "-",
        None,
        "not-a-revocation-list-file",
        "list 15 body behind a wrong file header",
    );

    let old = [serial(0x2a)];
    let mut buf = vec![0u8; max_revocation_list_len(old.len())];
    let list12 = issuer
        .issue_revocation_list(
            &NewRevocationList {
                sequence: 12,
                issued_at: t(2026, 8, 1),
                next_update: None,
                serials: &old,
            },
            &mut buf,
        )
        .expect("issue list 12");
    let text12 = list12
        .text(TextStyle::Compact)
        .expect("fits text")
        .to_string();
    v.file("list-12.txt", format!("{text12}\n").as_bytes());
    v.add(
        "rolled-back",
        "list",
        "list-12.txt",
        "15",
        None,
        "revocation-list-rollback",
        "list 12 offered when list 15 is installed",
    );

    v.add(
        "key-revoked",
        "key",
        "key-revoked.txt",
        "list-15.txt",
        Some(t(2027, 1, 1)),
        "revoked",
        "a valid key whose serial is in list 15",
    );
    claims.serial = serial(good_key_serial);
    let good_key = issuer.issue(&claims).expect("issue key");
    v.file(
        "key-not-revoked.txt",
        format!("{}\n", good_key.text(TextStyle::Compact)).as_bytes(),
    );
    v.add(
        "key-not-revoked",
        "key",
        "key-not-revoked.txt",
        "list-15.txt",
        Some(t(2027, 1, 1)),
        "valid",
        "a valid key whose serial (one below a revoked one) is not in list 15",
    );

    let other = Issuer::from_secret_key_bytes(&[0x42; 32]);
    more_vectors(&mut v, &issuer, &other);

    v.file("vectors.txt", v.manifest.as_bytes());
    println!("wrote {}", v.dir.display());
}
