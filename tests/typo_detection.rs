//! Exhaustive typo detection at the longest allowed key.
//!
//! Single-symbol substitutions and adjacent transpositions go through the real parser. Two-symbol
//! substitutions (over 100 million patterns) are checked through the linearity of the bech32m
//! code: changing the symbol `d` places from the end by XOR `e` changes the residue by
//! `error_syndrome(d, e)`, independently of everything else, so an error pattern goes undetected
//! exactly when the XOR of its syndromes is zero. A random sample cross-checks that linearity
//! against the parser. Run with `--nocapture` to see the counts.

use glpi_key::checksum::{Polymod, BECH32M_CONST, CHECK_LEN};
use glpi_key::hazmat::error_syndrome;
use glpi_key::*;

/// Symbols after `GLPI-` in the longest key, check included.
const LEN: usize = MAX_BODY_SYMBOLS + CHECK_LEN;

/// The longest key: every optional field present, owner and extensions at their maximum.
fn maximal_key() -> String {
    let issuer = Issuer::from_secret_key_bytes(&[42u8; 32]);
    let owner = "x".repeat(MAX_OWNER_LEN);
    let mut c = Claims::new(
        Serial::new(0x0abc_def0_1234_5678).unwrap(),
        KeyKind::AgentEnrollment,
        Tier::Advanced,
        &owner,
        UnixTime::from_secs(u64::from(u32::MAX) * 60),
    );
    c.not_before = UnixTime::from_secs((u64::from(u32::MAX) - (1 << 30)) * 60);
    c.expires_at = Some(UnixTime::from_secs(
        (u64::from(u32::MAX) - (1 << 30) + u64::from(u32::MAX)) * 60,
    ));
    c.instance = InstanceId::parse("5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b");
    c.entitlements = Entitlements::from_bits(u32::MAX);
    c.glpi_versions = Some(VersionRange {
        min: GlpiVersion::new(10, 0),
        max: GlpiVersion::new(11, 0),
    });
    c.max_assets = Some(u32::MAX);
    c.entity = Some(u32::MAX);
    c.supersedes = Some(Serial::MAX);
    // Tag 0, length 62, 62 value bytes: a 64-byte block.
    let mut block = [0u8; MAX_EXTENSIONS_LEN];
    block[1] = (MAX_EXTENSIONS_LEN - 2) as u8;
    for (i, b) in block[2..].iter_mut().enumerate() {
        *b = i as u8;
    }
    c.extensions = Extensions::from_encoded(&block).unwrap();
    let key = issuer.issue(&c).unwrap();
    assert_eq!(key.as_bytes().len(), MAX_BODY_LEN);
    let text = key.text(TextStyle::Compact).to_string();
    assert_eq!(text.len(), MAX_KEY_LEN);
    text
}

/// The symbol values after the prefix (body then check).
fn symbols(text: &str) -> Vec<u8> {
    text[PREFIX.len()..]
        .bytes()
        .filter(|&b| b != b'-')
        .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap() as u8)
        .collect()
}

/// Canonical text from symbol values.
fn text_of(symbols: &[u8]) -> String {
    let (body, check) = symbols.split_at(symbols.len() - CHECK_LEN);
    let s = |v: &[u8]| -> String { v.iter().map(|&x| ALPHABET[x as usize] as char).collect() };
    format!("{PREFIX}-{}-{}", s(body), s(check))
}

fn residue(symbols: &[u8]) -> u32 {
    let mut p = Polymod::new("glpi");
    symbols.iter().for_each(|&v| p.push(v));
    p.residue()
}

/// A small deterministic generator for the samples (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn delta(&mut self) -> u8 {
        1 + self.below(31) as u8
    }
}

#[test]
fn the_longest_key_has_the_expected_shape() {
    let text = maximal_key();
    let s = symbols(&text);
    assert_eq!(s.len(), LEN);
    assert_eq!(residue(&s), BECH32M_CONST);
    let key = UnverifiedKey::parse(&text).unwrap();
    // The documented bounds are exactly the longest key's lengths, in both forms.
    assert_eq!(text.len(), MAX_KEY_LEN);
    assert_eq!(
        key.text(TextStyle::Grouped).to_string().len(),
        MAX_GROUPED_KEY_LEN
    );
    println!(
        "longest key: {} characters, {LEN} symbols after GLPI-",
        text.len()
    );
}

#[test]
fn every_single_symbol_substitution_is_rejected_and_located() {
    let text = maximal_key();
    let original = symbols(&text);
    let mut rejected = 0usize;
    let mut located = 0usize;
    for i in 0..LEN {
        for e in 1..32u8 {
            let mut s = original.clone();
            s[i] ^= e;
            match UnverifiedKey::parse(&text_of(&s)) {
                Err(Error::Checksum(ChecksumError { suggestion })) => {
                    rejected += 1;
                    // The one wrong symbol is named: after `GLPI-` and the body's hyphen.
                    let c = suggestion.expect("a single error is always located");
                    let expected = PREFIX.len() + 1 + i + 1 + usize::from(i >= MAX_BODY_SYMBOLS);
                    assert_eq!(c.position, expected);
                    assert_eq!(c.replacement, ALPHABET[original[i] as usize] as char);
                    located += 1;
                }
                other => panic!("substitution at {i} by {e} gave {other:?}"),
            }
        }
    }
    println!("single-symbol substitutions: {rejected} rejected by the check, {located} located");
    assert_eq!(rejected, LEN * 31);
    assert_eq!(rejected, 15_066);
    assert_eq!(located, rejected);
}

/// `table[d][e - 1]`: the residue change of XOR `e` at distance `d` from the end.
fn syndrome_table() -> Vec<[u32; 31]> {
    (0..LEN)
        .map(|d| core::array::from_fn(|k| error_syndrome(d, k as u8 + 1)))
        .collect()
}

#[test]
fn every_two_symbol_substitution_is_detected_by_linearity() {
    let syndromes = syndrome_table();
    let mut patterns = 0u64;
    let mut undetected = 0u64;
    for j in 1..LEN {
        let sj = &syndromes[j];
        for si in &syndromes[..j] {
            for &a in si {
                for &b in sj {
                    // Undetected iff the syndromes cancel: a ^ b == 0.
                    undetected += u64::from(a == b);
                }
            }
            patterns += 31 * 31;
        }
    }
    println!(
        "two-symbol substitutions: {patterns} error patterns checked, {undetected} undetected"
    );
    assert_eq!(patterns, (LEN * (LEN - 1) / 2 * 31 * 31) as u64);
    assert_eq!(patterns, 113_258_655);
    assert_eq!(undetected, 0);
    // The same fact, seen whole: all 31 * LEN single-error syndromes are distinct (and none
    // is zero), so no two of them cancel.
    let mut all: Vec<u32> = syndromes.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), LEN * 31);
    assert_ne!(all[0], 0);
}

#[test]
fn linearity_agrees_with_the_parser_on_a_sample() {
    let text = maximal_key();
    let original = symbols(&text);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let samples = 2_000;
    for _ in 0..samples {
        let i = rng.below(LEN);
        let mut j = rng.below(LEN);
        while j == i {
            j = rng.below(LEN);
        }
        let (a, b) = (rng.delta(), rng.delta());
        let mut s = original.clone();
        s[i] ^= a;
        s[j] ^= b;
        let predicted =
            BECH32M_CONST ^ error_syndrome(LEN - 1 - i, a) ^ error_syndrome(LEN - 1 - j, b);
        assert_eq!(residue(&s), predicted, "linearity at {i}, {j}");
        assert!(
            matches!(UnverifiedKey::parse(&text_of(&s)), Err(Error::Checksum(_))),
            "two-symbol error at {i}, {j} not rejected by the check"
        );
    }
    println!("linearity cross-checked against the parser on {samples} two-symbol errors");
}

#[test]
fn every_adjacent_transposition_is_rejected() {
    let text = maximal_key();
    let original = symbols(&text);
    let mut rejected = 0usize;
    let mut unchanged = 0usize;
    for i in 0..LEN - 1 {
        if original[i] == original[i + 1] {
            unchanged += 1; // Swapping two equal symbols is no error.
            continue;
        }
        let mut s = original.clone();
        s.swap(i, i + 1);
        match UnverifiedKey::parse(&text_of(&s)) {
            Err(Error::Checksum(_)) => rejected += 1,
            other => panic!("transposition at {i} gave {other:?}"),
        }
    }
    println!(
        "adjacent transpositions: {rejected} rejected by the check ({unchanged} pairs of equal symbols skipped)"
    );
    assert_eq!(rejected + unchanged, LEN - 1);
    assert_eq!(rejected, EXPECTED_TRANSPOSITIONS);
}

/// Adjacent pairs of distinct symbols in the longest key (Ed25519 signing is deterministic, so
/// the key, and this count, never change).
const EXPECTED_TRANSPOSITIONS: usize = 430;

#[test]
fn sampled_three_symbol_substitutions_are_rejected() {
    let text = maximal_key();
    let original = symbols(&text);
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let distinct = |rng: &mut Rng| loop {
        let (i, j, k) = (rng.below(LEN), rng.below(LEN), rng.below(LEN));
        if i != j && j != k && i != k {
            return (i, j, k);
        }
    };
    let syndromes = syndrome_table();
    let syndrome = |d: usize, e: u8| syndromes[d][usize::from(e) - 1];
    let by_linearity = 1_000_000u64;
    let mut undetected = 0u64;
    for _ in 0..by_linearity {
        let (i, j, k) = distinct(&mut rng);
        let s = syndrome(i, rng.delta()) ^ syndrome(j, rng.delta()) ^ syndrome(k, rng.delta());
        undetected += u64::from(s == 0);
    }
    let by_parser = 3_000;
    for _ in 0..by_parser {
        let (i, j, k) = distinct(&mut rng);
        let mut s = original.clone();
        for p in [i, j, k] {
            s[p] ^= rng.delta();
        }
        assert!(
            matches!(UnverifiedKey::parse(&text_of(&s)), Err(Error::Checksum(_))),
            "three-symbol error at {i}, {j}, {k} not rejected"
        );
    }
    println!(
        "three-symbol substitutions (sampled): {by_linearity} by linearity, {undetected} undetected; {by_parser} through the parser, all rejected"
    );
    assert_eq!(undetected, 0);
}

/// A one-symbol typo in the longest key is corrected in full: the corrected text has room
/// for every symbol (`parse_corrected`), and the signature confirms the fix.
#[test]
fn the_longest_key_is_corrected_in_full() {
    let text = maximal_key();
    let key = UnverifiedKey::parse(&text).unwrap();
    let issuer = Issuer::from_secret_key_bytes(&[42u8; 32]);
    let trust = TrustStore::with(issuer.trusted_key().unwrap());
    // The first symbol of the body and the last of the check.
    let first = PREFIX.len() + 1;
    let last = text.len() - 1;
    for pos in [first, last] {
        let original = text.as_bytes()[pos];
        let typo = if original == b'Q' { "R" } else { "Q" };
        let mut bad = text.clone();
        bad.replace_range(pos..pos + 1, typo);
        let Err(Error::Checksum(ChecksumError {
            suggestion: Some(c),
        })) = UnverifiedKey::parse(&bad)
        else {
            panic!("a typo at {pos} is located");
        };
        assert_eq!(UnverifiedKey::parse_corrected(&bad, &c), Ok(key.clone()));
        let Err(Error::Checksum(ChecksumError {
            suggestion: Some(c),
        })) = UnverifiedKey::parse_with_trust(&bad, &trust)
        else {
            panic!("a typo at {pos} is confirmed");
        };
        assert_eq!(c.status, CorrectionStatus::ConfirmedBySignature);
    }
}
