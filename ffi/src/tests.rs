//! Tests of the C ABI, called as C would call it.

use std::ffi::{c_char, CStr};

use glpi_key::{Claims, Error, ErrorClass, Issuer, KeyKind, Serial, TextStyle, Tier, UnixTime};

use crate::boundary::finish;
use crate::cstr::copy_c_str;
use crate::status::Failure;
use crate::*;

const NOW: u64 = 1_800_000_000;

fn issuer() -> Issuer {
    Issuer::from_secret_key_bytes(&[9u8; 32])
}

fn key_text(expires: Option<u64>) -> String {
    let issued = UnixTime::from_secs(NOW - 86_400).floor_to_minute();
    let mut claims = Claims::new(
        Serial::new(0xABCDEF).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Advanced,
        "Tëst Owner",
        issued,
    );
    claims.expires_at = expires.map(|s| UnixTime::from_secs(s).floor_to_minute());
    claims.max_assets = Some(500);
    issuer()
        .issue(&claims)
        .unwrap()
        .text(TextStyle::Compact)
        .to_string()
}

fn verifier() -> *mut GlpiVerifier {
    let pk = issuer().trusted_key().unwrap().public_key_bytes();
    let mut v = std::ptr::null_mut();
    let s = unsafe { glpi_verifier_new(pk.as_ptr(), 1, &mut v, std::ptr::null_mut()) };
    assert_eq!(s, GlpiStatus::Ok);
    assert!(!v.is_null());
    v
}

fn message(e: &GlpiError) -> String {
    unsafe { CStr::from_ptr(e.message.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn verify(v: *const GlpiVerifier, text: &[u8]) -> (GlpiStatus, GlpiLicense, GlpiError) {
    let mut lic = std::mem::MaybeUninit::<GlpiLicense>::zeroed();
    let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
    let s = unsafe {
        glpi_verify(
            v,
            text.as_ptr(),
            text.len(),
            NOW,
            0,
            std::ptr::null(),
            c"10.0".as_ptr(),
            lic.as_mut_ptr(),
            err.as_mut_ptr(),
        )
    };
    unsafe { (s, lic.assume_init(), err.assume_init()) }
}

#[test]
fn names_match_the_library_error_codes() {
    let samples = [
        Error::Empty,
        Error::NotAGlpiKey,
        Error::TooLong { max: 1 },
        Error::WrongLength { symbols: 3 },
        Error::NonCanonical,
        Error::UnsupportedVersion { found: 2 },
        Error::UnknownObjectKind { found: 9 },
        Error::BadSignature,
        Error::InvalidCharacter {
            character: 'x',
            position: 1,
        },
    ];
    for e in samples {
        assert_eq!(GlpiStatus::of_error(&e).name(), e.code());
    }
    for (i, s) in GlpiStatus::ALL.iter().enumerate() {
        assert_eq!(GlpiStatus::from_u32(*s as u32), Some(*s));
        assert!(GlpiStatus::ALL[..i].iter().all(|o| o.name() != s.name()));
        let c = unsafe { CStr::from_ptr(glpi_status_name(*s as u32)) };
        assert_eq!(c.to_str().unwrap(), s.name());
    }
}

#[test]
fn statuses_take_their_numbers_from_the_error_classes() {
    let mut known = 0;
    for class in ErrorClass::ALL {
        let status = GlpiStatus::from(class);
        if status == GlpiStatus::UnknownError {
            // Newer than the C enum, which has no status of that number.
            assert_eq!(GlpiStatus::from_u32(class.number().into()), None, "{class}");
        } else {
            assert_eq!(status as u32, class.number() as u32, "{class}");
            assert_eq!(status.name(), class.name());
            known += 1;
        }
    }
    // Every verification status of the C enum (1 to 19) is some class's.
    let verification = GlpiStatus::ALL
        .iter()
        .filter(|s| (1..GlpiStatus::UnknownError as u32).contains(&(**s as u32)))
        .count();
    assert_eq!(known, verification);
    assert_eq!(known, 19);

    // A class newer than the C enum: unknown-error, its name still in the message.
    for e in [
        Error::BufferTooSmall { needed: 3 },
        Error::NotARevocationListFile,
    ] {
        let name = e.code();
        let text = e.to_string();
        assert_eq!(GlpiStatus::of_error(&e), GlpiStatus::UnknownError);
        let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
        let s = finish(Ok(Err(Failure::from(e))), err.as_mut_ptr());
        assert_eq!(s, GlpiStatus::UnknownError);
        let err = unsafe { err.assume_init() };
        assert_eq!(err.status, GlpiStatus::UnknownError);
        assert_eq!(message(&err), format!("{name}: {text}"));
    }
    // A class of the C enum keeps its message unchanged.
    let e = Error::NonCanonical;
    let text = e.to_string();
    let f = Failure::from(e);
    assert_eq!((f.status, f.message), (GlpiStatus::NonCanonical, text));
}

#[test]
fn verifies_and_fills_the_license() {
    let v = verifier();
    let text = key_text(Some(NOW + 86_400));
    let (s, lic, err) = verify(v, text.as_bytes());
    assert_eq!(s, GlpiStatus::Ok, "{}", message(&err));
    assert_eq!(err.status, GlpiStatus::Ok);
    assert_eq!(message(&err), "");
    assert_eq!(lic.serial, 0xABCDEF);
    assert_eq!(lic.tier, GlpiTier::Advanced);
    assert_eq!(lic.kind, GlpiKind::InstanceRegistration);
    assert!(lic.has_max_assets && lic.max_assets == 500);
    assert!(!lic.has_entity && !lic.has_instance && lic.has_expires_at);
    let owner = unsafe { CStr::from_ptr(lic.owner.as_ptr()) };
    assert_eq!(owner.to_str().unwrap(), "Tëst Owner");
    assert_eq!(lic.owner_len, "Tëst Owner".len());
    let short = unsafe { CStr::from_ptr(lic.short_id.as_ptr()) };
    assert_eq!(
        short.to_str().unwrap(),
        Serial::new(0xABCDEF).unwrap().short_id().to_string()
    );
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn reports_failures_with_messages() {
    let v = verifier();
    let (s, _, err) = verify(v, key_text(Some(NOW - 60)).as_bytes());
    assert_eq!(s, GlpiStatus::Expired);
    assert!(message(&err).contains("expired"));

    // One mistyped symbol: located, and confirmed by the signature.
    let mut text = key_text(None).into_bytes();
    let at = 20;
    text[at] = if text[at] == b'A' { b'B' } else { b'A' };
    let (s, _, err) = verify(v, &text);
    assert_eq!(s, GlpiStatus::Checksum);
    assert_eq!(err.position, at + 1);
    assert!(err.suggestion != 0 && err.suggestion_confirmed);
    assert!(message(&err).contains("should almost certainly be"));

    let (s, _, err) = verify(v, b"GLPI-\xff\xfe");
    assert_eq!(s, GlpiStatus::InvalidUtf8);
    assert!(message(&err).contains("offset 5"));
    assert_eq!(verify(v, b"").0, GlpiStatus::Empty);
    assert_eq!(verify(v, &[b' '; 5000]).0, GlpiStatus::TooLong);
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn null_pointers_and_bad_arguments_are_refused() {
    let v = verifier();
    let text = key_text(None);
    let mut lic = std::mem::MaybeUninit::<GlpiLicense>::uninit();
    let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
    let call = |v: *const GlpiVerifier, t: *const u8, kind: u32, lic, err| unsafe {
        glpi_verify(
            v,
            t,
            text.len(),
            NOW,
            kind,
            std::ptr::null(),
            std::ptr::null(),
            lic,
            err,
        )
    };
    let (l, e) = (lic.as_mut_ptr(), err.as_mut_ptr());
    assert_eq!(
        call(std::ptr::null(), text.as_ptr(), 0, l, e),
        GlpiStatus::NullPointer
    );
    assert!(message(unsafe { &*e }).contains("`verifier`"));
    assert_eq!(call(v, std::ptr::null(), 0, l, e), GlpiStatus::NullPointer);
    assert_eq!(
        call(v, text.as_ptr(), 0, std::ptr::null_mut(), e),
        GlpiStatus::NullPointer
    );
    assert_eq!(call(v, text.as_ptr(), 7, l, e), GlpiStatus::InvalidArgument);
    assert_eq!(
        call(v, text.as_ptr(), 2, l, std::ptr::null_mut()),
        GlpiStatus::WrongObjectKind
    );
    assert_eq!(call(v, text.as_ptr(), 1, l, e), GlpiStatus::Ok);

    let mut out = std::ptr::null_mut();
    let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
    let s = unsafe { glpi_verifier_new([0u8; 32].as_ptr(), 1, &mut out, err.as_mut_ptr()) };
    assert_eq!(s, GlpiStatus::TrustedKeySmallOrder);
    let err = unsafe { err.assume_init() };
    assert_eq!(err.position, 1);
    assert!(out.is_null());
    let s = unsafe { glpi_verifier_new(std::ptr::null(), 1, &mut out, std::ptr::null_mut()) };
    assert_eq!(s, GlpiStatus::NullPointer);
    let s = unsafe { glpi_verifier_new([0u8; 32].as_ptr(), 0, &mut out, std::ptr::null_mut()) };
    assert_eq!(s, GlpiStatus::NoTrustedKeys);
    let s = unsafe {
        glpi_verifier_new(
            [0u8; 32].as_ptr(),
            1,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(s, GlpiStatus::NullPointer);
    unsafe { glpi_verifier_free(std::ptr::null_mut()) };
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn error_message_copies_like_snprintf() {
    let v = verifier();
    let (_, _, err) = verify(v, b"hello");
    let full = message(&err);
    let n = unsafe { glpi_error_message(&err, std::ptr::null_mut(), 0) };
    assert_eq!(n, full.len());
    let mut small = [0 as c_char; 10];
    let n = unsafe { glpi_error_message(&err, small.as_mut_ptr(), small.len()) };
    assert_eq!(n, full.len());
    let cut = unsafe { CStr::from_ptr(small.as_ptr()) }.to_str().unwrap();
    assert_eq!(cut, &full[..9]);
    assert_eq!(
        unsafe { glpi_error_message(std::ptr::null(), small.as_mut_ptr(), 10) },
        0
    );
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn copy_c_str_cuts_at_a_char_boundary() {
    let mut buf = [1 as c_char; 4];
    assert_eq!(copy_c_str(&mut buf, "aéé"), 3);
    assert_eq!(buf[3], 0);
    let mut none: [c_char; 0] = [];
    assert_eq!(copy_c_str(&mut none, "x"), 0);
}
