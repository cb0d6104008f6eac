//! Tests of the C ABI, called as C would call it.

use std::ffi::{c_char, CStr};

use glpi_key::{
    Claims, Error, ErrorClass, InstanceId, Issuer, KeyKind, Serial, TextStyle, Tier, UnixTime,
};

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

/// A license record for a call to fill, readable even when the call refuses and writes
/// nothing: zeroes, except the kind, since `GlpiKind` has no variant 0 (there is no "any"
/// kind) and a zero tag would be an invalid value (Miri reports it as undefined behaviour).
fn blank_license() -> std::mem::MaybeUninit<GlpiLicense> {
    let mut lic = std::mem::MaybeUninit::<GlpiLicense>::zeroed();
    // SAFETY: a raw write of one field of the zeroed record; no reference to the record is
    // made before every field holds a valid value.
    unsafe {
        std::ptr::addr_of_mut!((*lic.as_mut_ptr()).kind).write(GlpiKind::InstanceRegistration)
    };
    lic
}

fn message(e: &GlpiError) -> String {
    unsafe { CStr::from_ptr(e.message.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn verify(v: *const GlpiVerifier, text: &[u8]) -> (GlpiStatus, GlpiLicense, GlpiError) {
    let mut lic = blank_license();
    let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
    let s = unsafe {
        glpi_verify(
            v,
            text.as_ptr(),
            text.len(),
            NOW,
            1,
            std::ptr::null(),
            0,
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
    // Every class of the library has a status of its own, with its number and name.
    for class in ErrorClass::ALL {
        let status = GlpiStatus::from(class);
        assert_ne!(status, GlpiStatus::UnknownError, "{class}");
        assert_eq!(status as u32, class.number() as u32, "{class}");
        assert_eq!(status.name(), class.name());
    }
    // Every status below unknown-error (63) is some class's.
    let classes = GlpiStatus::ALL
        .iter()
        .filter(|s| (1..GlpiStatus::UnknownError as u32).contains(&(**s as u32)))
        .count();
    assert_eq!(classes, ErrorClass::ALL.len());
    assert_eq!(classes, 31);
    for (e, name) in [
        (Error::BufferTooSmall { needed: 3 }, "buffer-too-small"),
        (Error::NotARevocationListFile, "not-a-revocation-list-file"),
    ] {
        let text = e.to_string();
        let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
        let s = finish(Ok(Err(Failure::from(e))), err.as_mut_ptr());
        assert_eq!(s.name(), name);
        let err = unsafe { err.assume_init() };
        assert_eq!(err.status, s);
        assert_eq!(message(&err), text);
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
    assert!(!lic.instance_not_checked);
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
            0,
            std::ptr::null(),
            lic,
            err,
        )
    };
    let (l, e) = (lic.as_mut_ptr(), err.as_mut_ptr());
    assert_eq!(
        call(std::ptr::null(), text.as_ptr(), 1, l, e),
        GlpiStatus::NullPointer
    );
    assert!(message(unsafe { &*e }).contains("`verifier`"));
    assert_eq!(call(v, std::ptr::null(), 1, l, e), GlpiStatus::NullPointer);
    assert_eq!(
        call(v, text.as_ptr(), 1, std::ptr::null_mut(), e),
        GlpiStatus::NullPointer
    );
    // There is no "any kind": 0 and unknown values are refused, with what to pass instead.
    for kind in [0, 3, 7, u32::MAX] {
        assert_eq!(
            call(v, text.as_ptr(), kind, l, e),
            GlpiStatus::InvalidArgument
        );
        let m = message(unsafe { &*e });
        assert!(m.contains("GLPI_KIND_INSTANCE_REGISTRATION"), "{m}");
        assert!(m.contains("no \"any kind\""), "{m}");
    }
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

/// An Advanced key of the test issuer bound to `instance`, valid at `NOW`.
fn bound_key_text(instance: [u8; 16]) -> String {
    let issued = UnixTime::from_secs(NOW - 86_400).floor_to_minute();
    let mut claims = Claims::new(
        Serial::new(0xB0B).unwrap(),
        KeyKind::InstanceRegistration,
        Tier::Advanced,
        "Bound Corp",
        issued,
    );
    claims.instance = Some(InstanceId(instance));
    issuer()
        .issue(&claims)
        .unwrap()
        .text(TextStyle::Compact)
        .to_string()
}

/// `glpi_verify` of `text` as an instance registration with this instance and flags.
fn verify_bound(
    v: *const GlpiVerifier,
    text: &str,
    instance: Option<&[u8; 16]>,
    flags: u32,
) -> (GlpiStatus, GlpiLicense, GlpiError) {
    let mut lic = blank_license();
    let mut err = std::mem::MaybeUninit::<GlpiError>::uninit();
    let s = unsafe {
        glpi_verify(
            v,
            text.as_ptr(),
            text.len(),
            NOW,
            1,
            instance.map_or(std::ptr::null(), |i| i.as_ptr()),
            flags,
            std::ptr::null(),
            lic.as_mut_ptr(),
            err.as_mut_ptr(),
        )
    };
    unsafe { (s, lic.assume_init(), err.assume_init()) }
}

const BOUND_TO: [u8; 16] = [0x5c; 16];

#[test]
fn a_bound_key_without_instance_is_refused() {
    let v = verifier();
    let bound = bound_key_text(BOUND_TO);
    let (s, lic, err) = verify_bound(v, &bound, None, 0);
    assert_eq!(s, GlpiStatus::InstanceRequired);
    assert_eq!((s as u32, err.status), (29, GlpiStatus::InstanceRequired));
    let m = message(&err);
    assert!(m.contains("5c5c5c5c-5c5c-5c5c-5c5c-5c5c5c5c5c5c"), "{m}");
    // Refused: the license record is not written.
    assert_eq!(lic.serial, 0);
    // With its instance: valid, and the binding was checked.
    let (s, lic, err) = verify_bound(v, &bound, Some(&BOUND_TO), 0);
    assert_eq!(s, GlpiStatus::Ok, "{}", message(&err));
    assert!(lic.has_instance && lic.instance == BOUND_TO && !lic.instance_not_checked);
    // With another instance: refused.
    let (s, _, _) = verify_bound(v, &bound, Some(&[1; 16]), 0);
    assert_eq!(s, GlpiStatus::WrongInstance);
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn the_insecure_flag_accepts_a_bound_key_and_says_so() {
    let v = verifier();
    let bound = bound_key_text(BOUND_TO);
    let (s, lic, err) = verify_bound(v, &bound, None, GLPI_INSECURE_SKIP_INSTANCE_BINDING);
    assert_eq!(s, GlpiStatus::Ok, "{}", message(&err));
    assert!(lic.has_instance && lic.instance == BOUND_TO);
    assert!(lic.instance_not_checked);
    assert_eq!(lic.serial, 0xB0B);
    // An unbound key needs no instance, with or without the flag, and is never "not checked".
    let unbound = key_text(None);
    for flags in [0, GLPI_INSECURE_SKIP_INSTANCE_BINDING] {
        let (s, lic, err) = verify_bound(v, &unbound, None, flags);
        assert_eq!(s, GlpiStatus::Ok, "{}", message(&err));
        assert!(!lic.has_instance && !lic.instance_not_checked);
    }
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn instance_flags_are_checked_before_the_key() {
    let v = verifier();
    let bound = bound_key_text(BOUND_TO);
    // The flag together with an instance id: refused, whichever instance it is.
    for instance in [BOUND_TO, [1; 16]] {
        let (s, _, err) = verify_bound(
            v,
            &bound,
            Some(&instance),
            GLPI_INSECURE_SKIP_INSTANCE_BINDING,
        );
        assert_eq!(s, GlpiStatus::InvalidArgument);
        let m = message(&err);
        assert!(
            m.contains("both given") && m.contains("instance id alone"),
            "{m}"
        );
    }
    // Unknown bits: refused, even for an unbound key and with the known bit set too.
    for flags in [2, 3, 0x8000_0000, u32::MAX] {
        for (text, instance) in [(&bound, None), (&key_text(None), Some(&BOUND_TO))] {
            let (s, _, err) = verify_bound(v, text, instance, flags);
            assert_eq!(s, GlpiStatus::InvalidArgument, "flags {flags:#x}");
            let m = message(&err);
            assert!(
                m.contains("unknown bits") && m.contains(&format!("{flags:#x}")),
                "{m}"
            );
        }
    }
    // Arguments come before the text: bad flags with an empty key are still invalid-argument.
    let (s, _, _) = verify_bound(v, "", None, 2);
    assert_eq!(s, GlpiStatus::InvalidArgument);
    unsafe { glpi_verifier_free(v) };
}

#[test]
fn stateless_and_site_share_one_flag_helper() {
    // The same helper reads the flags of both functions: the same refusals, the same checks.
    use glpi_key::InstanceCheck;
    let id = BOUND_TO;
    let check = |i: Option<&[u8; 16]>, f| unsafe {
        crate::args::instance_check(i.map_or(std::ptr::null(), |i| i.as_ptr()), f)
    };
    assert_eq!(
        check(Some(&id), 0).ok(),
        Some(InstanceCheck::This(InstanceId(id)))
    );
    assert_eq!(check(None, 0).ok(), Some(InstanceCheck::Unknown));
    assert_eq!(
        check(None, GLPI_INSECURE_SKIP_INSTANCE_BINDING).ok(),
        Some(InstanceCheck::InsecureSkipBinding)
    );
    for (i, f) in [(Some(&id), 1), (None, 2), (Some(&id), 4)] {
        let failure = check(i, f).unwrap_err();
        assert_eq!(failure.status, GlpiStatus::InvalidArgument);
    }
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

// ---- the site ----

mod site {
    use std::ffi::{CStr, CString};
    use std::mem::MaybeUninit;
    use std::path::{Path, PathBuf};
    use std::ptr::{null, null_mut};

    use glpi_key::{
        Claims, InstanceId, KeyKind, NewRevocationList, Serial, SiteError, StateError, TextStyle,
        Tier, UnixTime,
    };

    use super::{issuer, message, NOW};
    use crate::status::Failure;
    use crate::*;

    const INSTANCE: [u8; 16] = [0x5c; 16];
    const GRACE: u64 = 7 * 86_400;
    const TOLERANCE: u64 = 600;

    /// A fresh directory (removed when dropped).
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("glpi-ffi-site-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            TempDir(dir)
        }

        fn c(&self) -> CString {
            CString::new(self.0.to_str().unwrap()).unwrap()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn key(serial: u64, expires: Option<u64>, instance: Option<[u8; 16]>) -> String {
        let issued = UnixTime::from_secs(NOW - 86_400).floor_to_minute();
        let mut claims = Claims::new(
            Serial::new(serial).unwrap(),
            KeyKind::InstanceRegistration,
            Tier::Standard,
            "ACME Corp",
            issued,
        );
        claims.expires_at = expires.map(|s| UnixTime::from_secs(s).floor_to_minute());
        claims.instance = instance.map(InstanceId);
        issuer()
            .issue(&claims)
            .unwrap()
            .text(TextStyle::Compact)
            .to_string()
    }

    /// A revocation list of the test issuer, in its file form.
    fn list(sequence: u64, serials: &[u64], next_update: Option<u64>) -> Vec<u8> {
        let serials: Vec<Serial> = serials.iter().map(|s| Serial::new(*s).unwrap()).collect();
        let mut buf = vec![0u8; 4096];
        let new = NewRevocationList {
            sequence,
            issued_at: UnixTime::from_secs(NOW - 3_600),
            next_update: next_update.map(UnixTime::from_secs),
            serials: &serials,
        };
        issuer()
            .issue_revocation_list(&new, &mut buf)
            .unwrap()
            .to_file_bytes()
    }

    fn create(dir: &TempDir) -> *mut GlpiSite {
        let pk = issuer().trusted_key().unwrap().public_key_bytes();
        let mut site = null_mut();
        let mut err = MaybeUninit::<GlpiError>::uninit();
        let s = unsafe {
            glpi_site_create(
                dir.c().as_ptr(),
                pk.as_ptr(),
                1,
                GRACE,
                TOLERANCE,
                &mut site,
                err.as_mut_ptr(),
            )
        };
        assert_eq!(s, GlpiStatus::Ok, "{}", message(unsafe { &*err.as_ptr() }));
        assert!(!site.is_null());
        site
    }

    struct Verdict {
        status: GlpiStatus,
        license: GlpiLicense,
        warnings: GlpiSiteWarnings,
        error: GlpiError,
    }

    fn verify_at(
        site: *const GlpiSite,
        text: &str,
        kind: u32,
        instance: Option<&[u8; 16]>,
        flags: u32,
        now: u64,
    ) -> Verdict {
        let mut license = super::blank_license();
        let mut warnings = MaybeUninit::<GlpiSiteWarnings>::zeroed();
        let mut error = MaybeUninit::<GlpiError>::uninit();
        let status = unsafe {
            glpi_site_verify(
                site,
                text.as_ptr(),
                text.len(),
                kind,
                instance.map_or(null(), |i| i.as_ptr()),
                flags,
                null(),
                now,
                license.as_mut_ptr(),
                warnings.as_mut_ptr(),
                error.as_mut_ptr(),
            )
        };
        unsafe {
            Verdict {
                status,
                license: license.assume_init(),
                warnings: warnings.assume_init(),
                error: error.assume_init(),
            }
        }
    }

    fn install(
        site: *const GlpiSite,
        bytes: &[u8],
        now: u64,
    ) -> (GlpiStatus, GlpiInstallInfo, String) {
        let mut info = MaybeUninit::<GlpiInstallInfo>::zeroed();
        let mut error = MaybeUninit::<GlpiError>::uninit();
        let s = unsafe {
            glpi_site_install_revocations(
                site,
                bytes.as_ptr(),
                bytes.len(),
                now,
                info.as_mut_ptr(),
                error.as_mut_ptr(),
            )
        };
        unsafe { (s, info.assume_init(), message(&error.assume_init())) }
    }

    fn status(site: *const GlpiSite) -> GlpiSiteStatus {
        let mut out = MaybeUninit::<GlpiSiteStatus>::uninit();
        let mut error = MaybeUninit::<GlpiError>::uninit();
        let s = unsafe { glpi_site_status(site, out.as_mut_ptr(), error.as_mut_ptr()) };
        assert_eq!(
            s,
            GlpiStatus::Ok,
            "{}",
            message(unsafe { &*error.as_ptr() })
        );
        unsafe { out.assume_init() }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "files and flock: passes under Miri with -Zmiri-disable-isolation and --ignored, in 1 to 8 minutes"
    )]
    fn lists_rollback_revocation_clock_and_grace() {
        let dir = TempDir::new("policy");
        let site = create(&dir);
        let good = key(0x100, Some(NOW + 86_400), None);
        let revoked = key(0x200, None, None);

        let v = verify_at(site, &good, 1, None, 0, NOW);
        assert_eq!(v.status, GlpiStatus::Ok, "{}", message(&v.error));
        assert_eq!(v.license.serial, 0x100);
        assert!(v.warnings.no_revocation_list && !v.warnings.in_grace);
        assert_eq!(v.warnings.checked_at, NOW);

        // A list is installed, the same list again is no change, an older one is refused.
        let (s, info, _) = install(site, &list(2, &[0x200], Some(NOW + 86_400)), NOW);
        assert_eq!(s, GlpiStatus::Ok);
        assert!(info.is_new && info.list.sequence == 2 && info.list.serials == 1);
        assert!(info.list.has_next_update && info.list.next_update == NOW + 86_400);
        assert_eq!(info.list.issuer_key_id, issuer().key_id().0);
        let (s, info, _) = install(site, &list(2, &[0x200], Some(NOW + 86_400)), NOW);
        assert_eq!(s, GlpiStatus::Ok);
        assert!(!info.is_new && info.list.sequence == 2);
        let (s, _, m) = install(site, &list(1, &[], None), NOW);
        assert_eq!(s, GlpiStatus::RevocationListRollback, "{m}");
        assert!(m.contains('1') && m.contains('2'), "{m}");
        let st = status(site);
        assert_eq!((st.list_count, st.lists[0].sequence), (1, 2));

        let v = verify_at(site, &revoked, 1, None, 0, NOW);
        assert_eq!(v.status, GlpiStatus::Revoked);
        assert!(message(&v.error).contains("revoked"));

        // Forward a day and more: the key is in grace, the list is due.
        let later = NOW + 2 * 86_400;
        let v = verify_at(site, &good, 1, None, 0, later);
        assert_eq!(v.status, GlpiStatus::Ok, "{}", message(&v.error));
        assert!(v.warnings.in_grace && v.warnings.in_grace_until > later);
        assert!(v.warnings.list_update_due && v.warnings.list_update_due_at == NOW + 86_400);
        assert!(!v.warnings.no_revocation_list);

        // The clock set back beyond the tolerance is refused; within it, accepted.
        let v = verify_at(site, &good, 1, None, 0, later - TOLERANCE);
        assert_eq!(v.status, GlpiStatus::Ok);
        let v = verify_at(site, &good, 1, None, 0, later - TOLERANCE - 1);
        assert_eq!(v.status, GlpiStatus::ClockRollback);
        assert_eq!(v.status.name(), "clock-rollback");
        let st = status(site);
        assert!(st.has_clock_mark && st.clock_mark == later);
        assert_eq!((st.grace_secs, st.clock_tolerance_secs), (GRACE, TOLERANCE));
        assert_eq!(st.trusted_key_count, 1);
        assert_eq!(st.trusted_key_ids[0], issuer().key_id().0);

        // A second handle (another process would do the same) sees the same state.
        let mut again = null_mut();
        let s = unsafe { glpi_site_open(dir.c().as_ptr(), &mut again, null_mut()) };
        assert_eq!(s, GlpiStatus::Ok);
        assert_eq!(status(again).clock_mark, later);
        unsafe { glpi_site_free(again) };
        unsafe { glpi_site_free(site) };
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "files and flock: passes under Miri with -Zmiri-disable-isolation and --ignored, in 1 to 8 minutes"
    )]
    fn bound_keys_need_the_instance_or_the_insecure_flag() {
        let dir = TempDir::new("instance");
        let site = create(&dir);
        let bound = key(0x300, None, Some(INSTANCE));
        let v = verify_at(site, &bound, 1, None, 0, NOW);
        assert_eq!(v.status, GlpiStatus::InstanceRequired);
        assert_eq!(v.status as u32, 29);
        let v = verify_at(site, &bound, 1, Some(&INSTANCE), 0, NOW);
        assert_eq!(v.status, GlpiStatus::Ok);
        assert!(!v.warnings.instance_not_checked && !v.license.instance_not_checked);
        let v = verify_at(site, &bound, 1, Some(&[1; 16]), 0, NOW);
        assert_eq!(v.status, GlpiStatus::WrongInstance);
        let insecure = GLPI_INSECURE_SKIP_INSTANCE_BINDING;
        let v = verify_at(site, &bound, 1, None, insecure, NOW);
        assert_eq!(v.status, GlpiStatus::Ok);
        assert!(v.warnings.instance_not_checked && v.license.has_instance);
        // The license record says it as well, as glpi_verify's does.
        assert!(v.license.instance_not_checked);
        // Both an instance and the opt-out, or unknown flags: refused.
        let v = verify_at(site, &bound, 1, Some(&INSTANCE), insecure, NOW);
        assert_eq!(v.status, GlpiStatus::InvalidArgument);
        let v = verify_at(site, &bound, 1, None, 2, NOW);
        assert_eq!(v.status, GlpiStatus::InvalidArgument);
        // The kind is required.
        for kind in [0, 3] {
            let v = verify_at(site, &bound, kind, Some(&INSTANCE), 0, NOW);
            assert_eq!(v.status, GlpiStatus::InvalidArgument);
            assert!(message(&v.error).contains("GLPI_KIND_AGENT_ENROLLMENT"));
        }
        let v = verify_at(site, &bound, 2, Some(&INSTANCE), 0, NOW);
        assert_eq!(v.status, GlpiStatus::WrongObjectKind);
        // A typo is located, and the suggestion confirmed against the site's trusted key.
        let mut typo = bound.clone().into_bytes();
        typo[20] = if typo[20] == b'A' { b'B' } else { b'A' };
        let v = verify_at(site, std::str::from_utf8(&typo).unwrap(), 1, None, 0, NOW);
        assert_eq!(v.status, GlpiStatus::Checksum);
        assert!(v.error.position == 21 && v.error.suggestion_confirmed);
        unsafe { glpi_site_free(site) };
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "files and flock: passes under Miri with -Zmiri-disable-isolation and --ignored, in 1 to 8 minutes"
    )]
    fn null_pointers_and_bad_arguments_are_refused() {
        let dir = TempDir::new("args");
        let pk = issuer().trusted_key().unwrap().public_key_bytes();
        let mut err = MaybeUninit::<GlpiError>::uninit();
        let e = err.as_mut_ptr();
        let mut out: *mut GlpiSite = std::ptr::NonNull::dangling().as_ptr();
        let create_at = |d: *const std::ffi::c_char, out: *mut *mut GlpiSite, e| unsafe {
            glpi_site_create(d, pk.as_ptr(), 1, 0, 0, out, e)
        };
        assert_eq!(create_at(null(), &mut out, e), GlpiStatus::NullPointer);
        assert!(out.is_null(), "out_site is NULL after a failure");
        assert!(message(unsafe { &*e }).contains("`dir`"));
        assert_eq!(
            create_at(dir.c().as_ptr(), null_mut(), e),
            GlpiStatus::NullPointer
        );
        assert_eq!(
            create_at(c"".as_ptr(), &mut out, e),
            GlpiStatus::InvalidArgument
        );
        let bad = CString::new(b"/tmp/glpi-\xff\xfe".to_vec()).unwrap();
        assert_eq!(
            create_at(bad.as_ptr(), &mut out, e),
            GlpiStatus::InvalidUtf8
        );
        assert!(message(unsafe { &*e }).contains("offset 10"));
        let mut o2 = null_mut();
        assert_eq!(
            unsafe { glpi_site_open(bad.as_ptr(), &mut o2, e) },
            GlpiStatus::InvalidUtf8
        );
        assert_eq!(
            unsafe { glpi_site_create(dir.c().as_ptr(), null(), 1, 0, 0, &mut out, e) },
            GlpiStatus::NullPointer
        );
        let s = unsafe { glpi_site_create(dir.c().as_ptr(), pk.as_ptr(), 0, 0, 0, &mut out, e) };
        assert_eq!(s, GlpiStatus::NoTrustedKeys);
        let s = unsafe { glpi_site_create(dir.c().as_ptr(), pk.as_ptr(), 17, 0, 0, &mut out, e) };
        assert_eq!(s, GlpiStatus::TooManyTrustedKeys);
        let weak = [0u8; 32];
        let s = unsafe { glpi_site_create(dir.c().as_ptr(), weak.as_ptr(), 1, 0, 0, &mut out, e) };
        assert_eq!(s, GlpiStatus::TrustedKeySmallOrder);
        assert_eq!(unsafe { (*e).position }, 1);
        let empty_window = GlpiTrustedKey {
            public_key: pk,
            valid_from: NOW,
            has_valid_from: true,
            valid_until: NOW,
            has_valid_until: true,
            distrusted_from: 0,
            has_distrusted_from: false,
        };
        let s = unsafe {
            glpi_site_create_with_keys(dir.c().as_ptr(), &empty_window, 1, 0, 0, &mut out, e)
        };
        assert_eq!(s, GlpiStatus::TrustedKeyEmptyWindow);
        assert!(!dir.0.join("state").exists(), "nothing was created");

        let site = create(&dir);
        let text = key(0x400, None, None);
        let mut lic = MaybeUninit::<GlpiLicense>::uninit();
        let mut w = MaybeUninit::<GlpiSiteWarnings>::uninit();
        let call = |site, t: *const u8, lic, w| unsafe {
            glpi_site_verify(site, t, text.len(), 1, null(), 0, null(), NOW, lic, w, e)
        };
        let (l, wp) = (lic.as_mut_ptr(), w.as_mut_ptr());
        assert_eq!(call(null(), text.as_ptr(), l, wp), GlpiStatus::NullPointer);
        assert!(message(unsafe { &*e }).contains("`site`"));
        assert_eq!(call(site, null(), l, wp), GlpiStatus::NullPointer);
        assert_eq!(
            call(site, text.as_ptr(), null_mut(), wp),
            GlpiStatus::NullPointer
        );
        assert_eq!(
            call(site, text.as_ptr(), l, null_mut()),
            GlpiStatus::NullPointer
        );
        assert!(message(unsafe { &*e }).contains("`warnings`"));
        assert_eq!(call(site, text.as_ptr(), l, wp), GlpiStatus::Ok);
        let s = unsafe {
            glpi_site_verify(
                site,
                b"GLPI-\xff".as_ptr(),
                6,
                1,
                null(),
                0,
                null(),
                NOW,
                l,
                wp,
                e,
            )
        };
        assert_eq!(s, GlpiStatus::InvalidUtf8);
        let s = unsafe {
            glpi_site_verify(
                site,
                text.as_ptr(),
                text.len(),
                1,
                null(),
                0,
                c"ten".as_ptr(),
                NOW,
                l,
                wp,
                e,
            )
        };
        assert_eq!(s, GlpiStatus::InvalidArgument);

        let s = unsafe { glpi_site_install_revocations(site, null(), 0, NOW, null_mut(), e) };
        assert_eq!(s, GlpiStatus::NullPointer);
        let s =
            unsafe { glpi_site_install_revocations(null(), b"x".as_ptr(), 1, NOW, null_mut(), e) };
        assert_eq!(s, GlpiStatus::NullPointer);
        let (s, _, m) = install(site, b"not a list", NOW);
        assert_eq!(s, GlpiStatus::NotAGlpiKey, "{m}");
        let (s, _, _) = install(site, b"GLPI-RL\n\x01", NOW);
        assert_eq!(s, GlpiStatus::MalformedRevocationList);
        let mut st = MaybeUninit::<GlpiSiteStatus>::uninit();
        assert_eq!(
            unsafe { glpi_site_status(site, null_mut(), e) },
            GlpiStatus::NullPointer
        );
        assert_eq!(
            unsafe { glpi_site_status(null(), st.as_mut_ptr(), e) },
            GlpiStatus::NullPointer
        );

        let s = unsafe { glpi_site_distrust(site, null(), NOW, null_mut(), e) };
        assert_eq!(s, GlpiStatus::NullPointer);
        let s = unsafe { glpi_site_distrust(site, [1u8, 2, 3, 4].as_ptr(), NOW, null_mut(), e) };
        assert_eq!(s, GlpiStatus::IssuerKeyNotTrusted);
        let mut in_force = 0;
        let id = issuer().key_id().0;
        let s = unsafe { glpi_site_distrust(site, id.as_ptr(), NOW + 100, &mut in_force, e) };
        assert_eq!((s, in_force), (GlpiStatus::Ok, NOW + 100));
        let s = unsafe { glpi_site_distrust(site, id.as_ptr(), NOW + 200, &mut in_force, e) };
        assert_eq!(
            (s, in_force),
            (GlpiStatus::Ok, NOW + 100),
            "only ever earlier"
        );
        let st = status(site);
        assert!(st.trusted_keys[0].has_distrusted_from);
        let v = verify_at(site, &text, 1, None, 0, NOW + 100);
        assert_eq!(v.status, GlpiStatus::IssuerKeyDistrusted);

        unsafe { glpi_site_free(null_mut()) };
        unsafe { glpi_site_free(site) };
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "files and flock: passes under Miri with -Zmiri-disable-isolation and --ignored, in 1 to 8 minutes"
    )]
    fn missing_existing_and_corrupted_sites() {
        let dir = TempDir::new("corrupt");
        let mut out = null_mut();
        let mut err = MaybeUninit::<GlpiError>::uninit();
        let s = unsafe { glpi_site_open(dir.c().as_ptr(), &mut out, err.as_mut_ptr()) };
        assert_eq!(s, GlpiStatus::NotASite);
        assert!(message(unsafe { &*err.as_ptr() }).contains("glpi-key site init"));
        let site = create(&dir);
        let pk = issuer().trusted_key().unwrap().public_key_bytes();
        let s = unsafe {
            glpi_site_create(
                dir.c().as_ptr(),
                pk.as_ptr(),
                1,
                0,
                0,
                &mut out,
                err.as_mut_ptr(),
            )
        };
        assert_eq!(s, GlpiStatus::SiteExists);
        assert!(out.is_null());

        // One flipped byte in the record: corrupted, named, never reset.
        let state = dir.0.join("state");
        let mut bytes = std::fs::read(&state).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&state, &bytes).unwrap();
        let s = unsafe { glpi_site_open(dir.c().as_ptr(), &mut out, err.as_mut_ptr()) };
        assert_eq!(s, GlpiStatus::SiteStateCorrupted);
        assert_eq!(s.name(), "site-state-corrupted");
        let m = message(unsafe { &*err.as_ptr() });
        assert!(
            m.contains(state.to_str().unwrap()) && m.contains("backup"),
            "{m}"
        );
        assert!(out.is_null());
        // The open handle meets the same damage, and the file is left as it was.
        let v = verify_at(site, &key(0x500, None, None), 1, None, 0, NOW);
        assert_eq!(v.status, GlpiStatus::SiteStateCorrupted);
        assert_eq!(std::fs::read(&state).unwrap(), bytes);
        // A record of another version.
        bytes[8] = 9;
        std::fs::write(&state, &bytes).unwrap();
        let v = verify_at(site, &key(0x500, None, None), 1, None, 0, NOW);
        assert_eq!(
            v.status,
            GlpiStatus::SiteStateVersion,
            "{}",
            message(&v.error)
        );
        // A symbolic link in place of the record is refused, not followed.
        std::fs::remove_file(&state).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &state).unwrap();
        let v = verify_at(site, &key(0x500, None, None), 1, None, 0, NOW);
        assert_eq!(
            v.status,
            GlpiStatus::NotARegularFile,
            "{}",
            message(&v.error)
        );
        unsafe { glpi_site_free(site) };
    }

    #[test]
    fn io_failures_get_statuses_of_their_own() {
        let io = |path: &str, kind: std::io::ErrorKind| {
            Failure::from(SiteError::Io {
                path: Path::new(path).to_path_buf(),
                source: std::io::Error::from(kind),
            })
        };
        let f = io("/srv/site/lock", std::io::ErrorKind::Other);
        assert_eq!(f.status, GlpiStatus::SiteLockFailed);
        assert!(f.message.contains("/srv/site/lock"));
        let f = io("/srv/site/state", std::io::ErrorKind::PermissionDenied);
        assert_eq!(f.status, GlpiStatus::PermissionDenied);
        let f = io("/srv/site/lock", std::io::ErrorKind::PermissionDenied);
        assert_eq!(f.status, GlpiStatus::PermissionDenied);
        let f = Failure::from(SiteError::Io {
            path: Path::new("/srv/site/state").to_path_buf(),
            source: std::io::Error::from_raw_os_error(30),
        });
        assert_eq!(
            f.status,
            GlpiStatus::PermissionDenied,
            "read-only file system"
        );
        let f = io("/srv/site/state", std::io::ErrorKind::Other);
        assert_eq!(f.status, GlpiStatus::Io);
        assert_eq!(f.status.name(), "io");
        let f = Failure::from(SiteError::Corrupted {
            path: Path::new("/srv/site/state").to_path_buf(),
            error: StateError::UnsupportedVersion { found: 9 },
        });
        assert_eq!(f.status, GlpiStatus::SiteStateVersion);
        for (s, name) in [
            (GlpiStatus::NotASite, "not-a-site"),
            (GlpiStatus::SiteExists, "site-exists"),
            (GlpiStatus::SiteLockFailed, "site-lock-failed"),
            (GlpiStatus::PermissionDenied, "permission-denied"),
        ] {
            let c = unsafe { CStr::from_ptr(glpi_status_name(s as u32)) };
            assert_eq!(c.to_str().unwrap(), name);
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "threads contend for the lock: Miri does not support a blocking flock"
    )]
    fn threads_share_one_site_and_lose_nothing() {
        let dir = TempDir::new("threads");
        let site = create(&dir);
        let lists: Vec<Vec<u8>> = (1..=8).map(|n| list(n, &[0x900 + n], None)).collect();
        let good = key(0x100, None, None);
        let path = dir.c();
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                let (lists, good, path) = (&lists, &good, &path);
                // Half the threads share the first handle, half open their own.
                let shared = site as usize;
                scope.spawn(move || {
                    let mut own = null_mut();
                    let handle = if t % 2 == 0 {
                        shared as *const GlpiSite
                    } else {
                        let s = unsafe { glpi_site_open(path.as_ptr(), &mut own, null_mut()) };
                        assert_eq!(s, GlpiStatus::Ok);
                        own.cast_const()
                    };
                    for i in 0..16u64 {
                        let l = &lists[((i * 3 + t) % 8) as usize];
                        let (s, _, m) = install(handle, l, NOW + i);
                        assert!(
                            matches!(s, GlpiStatus::Ok | GlpiStatus::RevocationListRollback),
                            "{m}"
                        );
                        let v = verify_at(handle, good, 1, None, 0, NOW + 2 * i + t);
                        assert_eq!(v.status, GlpiStatus::Ok, "{}", message(&v.error));
                    }
                    unsafe { glpi_site_free(own) };
                });
            }
        });
        let st = status(site);
        assert_eq!(st.clock_mark, NOW + 2 * 15 + 3, "the highest time seen");
        assert_eq!(
            (st.list_count, st.lists[0].sequence),
            (1, 8),
            "the newest list"
        );
        unsafe { glpi_site_free(site) };
    }
}
