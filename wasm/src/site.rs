//! The site verifier of `spec/SITE.md` as raw exports, with the state as bytes that the host
//! stores (the protocol is in the crate docs). Every rule (clock guard, per-issuer-key list
//! sequences, distrust, revocation, supersession, required kind, instance binding) is the
//! core's `SiteState`; this file reads the arguments, runs one operation on the state read
//! from the record given, and writes the result text and the record back.

use core::fmt::Write as _;

use glpi_key::{
    Installed, InstalledList, KeyId, SiteCheck, SitePolicy, SiteState, TrustError, TrustStore,
    TrustedKey, UnixTime, UnverifiedKey, UnverifiedRevocationList, LIST_FILE_MAGIC,
    MAX_SITE_STATE_LEN, MAX_TEXT_LIST_LEN,
};

use crate::{
    argument, bytes, deliver, failure_text, instance_check, key_text, kind_of, library,
    trust_failure, version_of, write_claims, Failure, Status, PUBLIC_KEY_LEN,
};

/// Bytes of one trust entry (`gk_site_new`, `gk_site_add_trusted_key`): the public key (32),
/// then `valid_from` and `valid_until` as u64 little-endian Unix seconds, 0 for no bound.
pub const TRUST_ENTRY_LEN: usize = PUBLIC_KEY_LEN + 8 + 8;

/// The list was installed (status 0).
const INSTALLED: Status = Status::new(0, "installed");
/// This very list was already installed (status 0).
const UNCHANGED: Status = Status::new(0, "unchanged");

/// What a site export gives back: its status, the result text (body lines: the `status=` and
/// `state=` lines are put first by [`with_state`]), the state record, the list to store.
struct Reply {
    status: Status,
    text: String,
    state: Vec<u8>,
    list: Vec<u8>,
}

impl Reply {
    fn new() -> Self {
        Reply {
            status: Status::OK,
            text: String::new(),
            state: Vec::new(),
            list: Vec::new(),
        }
    }

    /// A failure before any state was read: an empty state section.
    fn failure((status, message): Failure) -> Self {
        Reply {
            status,
            text: failure_text(status, &message),
            ..Reply::new()
        }
    }

    /// Writes the three sections to `out` and returns the status.
    ///
    /// # Safety
    /// When `out` is non-null, it must be writable for `out_cap` bytes.
    #[inline(never)] // one copy for all the exports
    unsafe fn deliver(&self, out: *mut u8, out_cap: usize) -> u32 {
        let sections = [self.text.as_bytes(), &self.state, &self.list];
        // SAFETY: forwarded from the caller.
        unsafe { deliver(self.status, &sections, out, out_cap) }
    }
}

/// Reads a record; a damaged or unknown one is an error, never a reset.
fn load(record: &[u8]) -> Result<Box<SiteState>, Failure> {
    SiteState::from_bytes(record)
        .map(Box::new)
        .map_err(|e| (Status::of_state_error(&e), e.to_string()))
}

/// The record of `state`.
fn record(state: &SiteState) -> Result<Vec<u8>, Failure> {
    let mut buf = vec![0u8; MAX_SITE_STATE_LEN];
    let n = state
        .write_bytes(&mut buf)
        .map_err(|e| (Status::of_state_error(&e), e.to_string()))?
        .len();
    buf.truncate(n);
    Ok(buf)
}

/// Runs `op` on the site read from `given`. The reply carries the record as it is afterwards,
/// whether `op` succeeded or not (a refusal may have moved the clock mark), with a `state=`
/// line saying whether it differs from `given`.
///
/// `op` is a trait object so that this function is compiled once, not once per export.
fn with_state(
    given: &[u8],
    op: &mut dyn FnMut(&mut SiteState, &mut Reply) -> Result<(), Failure>,
) -> Reply {
    let mut state = match load(given) {
        Ok(s) => s,
        Err(f) => return Reply::failure(f),
    };
    let mut reply = Reply::new();
    let outcome = op(&mut state, &mut reply);
    let state = match record(&state) {
        Ok(r) => r,
        Err(f) => return Reply::failure(f),
    };
    let changed = if state == given {
        "unchanged"
    } else {
        "changed"
    };
    match outcome {
        Ok(()) => {
            reply.text = format!(
                "status={}\nstate={changed}\n{}",
                reply.status.name(),
                reply.text
            );
        }
        Err((status, message)) => {
            reply = Reply {
                status,
                text: format!(
                    "status={}\nstate={changed}\nmessage={}\n",
                    status.name(),
                    message.replace(['\n', '\r'], " ")
                ),
                ..Reply::new()
            };
        }
    }
    reply.state = state;
    reply
}

fn opt(v: Option<UnixTime>) -> String {
    v.map_or(String::from("-"), |t| t.as_secs().to_string())
}

/// The items separated by commas, or `-` for none.
fn comma_list(items: Vec<String>) -> String {
    if items.is_empty() {
        return String::from("-");
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A trusted key from a trust entry ([`TRUST_ENTRY_LEN`] bytes).
fn trusted_key(entry: &[u8]) -> Result<TrustedKey, Failure> {
    let public_key: [u8; PUBLIC_KEY_LEN] = entry
        .get(..PUBLIC_KEY_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| argument("a trust entry is shorter than a public key"))?;
    let bound = |at: usize| {
        entry
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
            .filter(|&secs| secs != 0)
            .map(UnixTime::from_secs)
    };
    TrustedKey::from_public_key_bytes(&public_key)
        .map_err(trust_failure)?
        .with_validity(bound(PUBLIC_KEY_LEN), bound(PUBLIC_KEY_LEN + 8))
        .map_err(trust_failure)
}

fn entries(trust: &[u8]) -> Result<core::slice::ChunksExact<'_, u8>, Failure> {
    if trust.is_empty() || trust.len() % TRUST_ENTRY_LEN != 0 {
        return Err(argument(format!(
            "trust must hold one or more entries of {TRUST_ENTRY_LEN} bytes (public key, valid_from, valid_until), not {} bytes",
            trust.len()
        )));
    }
    Ok(trust.chunks_exact(TRUST_ENTRY_LEN))
}

/// A revocation list offered for installation: its file bytes or its text.
fn offered_list<'b>(
    input: &'b [u8],
    buf: &'b mut [u8],
) -> Result<UnverifiedRevocationList<'b>, Failure> {
    if input.starts_with(&LIST_FILE_MAGIC) {
        return UnverifiedRevocationList::from_file_bytes(input).map_err(library);
    }
    let text = core::str::from_utf8(input).map_err(|_| {
        argument(
            "the revocation list must be its text (GLPI-...) or the bytes of its file (starting with GLPI-RL and a line end)",
        )
    })?;
    UnverifiedRevocationList::parse_text(text, buf).map_err(library)
}

/// The stored lists given to `gk_site_verify`: frames of a 4-byte little-endian length and
/// the list's file form or body.
fn frames(mut input: &[u8]) -> Result<Vec<&[u8]>, Failure> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let len = input
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| argument("the stored lists end with a cut frame length"))?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|n| n.checked_add(4))
            .filter(|&end| end <= input.len())
            .ok_or_else(|| {
                argument(format!(
                    "stored list {} says it has {len} bytes, more than were given: each stored list must be framed as a 4-byte little-endian length and the list",
                    out.len() + 1
                ))
            })?;
        out.extend(input.get(4..end));
        input = input.get(end..).unwrap_or_default();
    }
    Ok(out)
}

/// A stored list (file form or body). One that does not read is left out: if the site needs
/// it, verification says `installed-list-missing`, which tells the administrator to install
/// it again.
fn stored_list(bytes: &[u8]) -> Option<UnverifiedRevocationList<'_>> {
    if bytes.starts_with(&LIST_FILE_MAGIC) {
        UnverifiedRevocationList::from_file_bytes(bytes).ok()
    } else {
        UnverifiedRevocationList::from_body(bytes).ok()
    }
}

fn write_installed(l: &InstalledList, out: &mut String) {
    let _ = write!(
        out,
        "key_id={}\nsequence={}\nissued_at={}\nnext_update={}\nserials={}\n",
        l.key_id,
        l.sequence,
        l.issued_at.as_secs(),
        opt(l.next_update),
        l.serials
    );
}

/// A new site trusting the keys of `trust` ([`TRUST_ENTRY_LEN`] bytes each, 1 to 16), with
/// the grace period and clock tolerance given (seconds). Writes the result text (`status=ok`,
/// `trusted_keys=` key ids) and the state record to store. Returns the status number.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_new(
    trust: *const u8,
    trust_len: usize,
    grace_secs: u64,
    clock_tolerance_secs: u64,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees `trust` is valid for `trust_len` bytes.
    let trust = unsafe { bytes(trust, trust_len) };
    let reply = (|| -> Result<Reply, Failure> {
        let mut store = TrustStore::new();
        for entry in entries(trust)? {
            store.add(trusted_key(entry)?).map_err(trust_failure)?;
        }
        let policy = SitePolicy {
            grace_secs,
            clock_tolerance_secs,
        };
        let state = Box::new(SiteState::new(&store, policy));
        let ids = store.iter().map(|k| k.key_id().to_string()).collect();
        Ok(Reply {
            text: format!(
                "status=ok\nstate=changed\ntrusted_keys={}\n",
                comma_list(ids)
            ),
            state: record(&state)?,
            ..Reply::new()
        })
    })()
    .unwrap_or_else(Reply::failure);
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// Installs a revocation list (`spec/SITE.md` sections 3 and 5) at `now` (Unix seconds), given
/// as text (`GLPI-...`) or as the bytes of its file (`GLPI-RL\n...`). Writes the result text
/// (`status=installed` or `unchanged`, then `key_id`, `sequence`, `issued_at`, `next_update`,
/// `serials`; or the refusal), the state record to store (also after a refusal), and, when
/// installed, the list's file form, which the host stores under its `key_id` in place of the
/// list stored for that key before. An older list is `revocation-list-rollback`, and the
/// installed one stays.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_install_revocations(
    state: *const u8,
    state_len: usize,
    list: *const u8,
    list_len: usize,
    now: u64,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees each pointer is valid for its length.
    let (state, list) = unsafe { (bytes(state, state_len), bytes(list, list_len)) };
    let reply = with_state(state, &mut |state, reply| {
        let mut buf = vec![0u8; MAX_TEXT_LIST_LEN];
        // A list that does not read changes nothing (`spec/SITE.md` section 5).
        let list = offered_list(list, &mut buf)?;
        let installed = state
            .install_revocations(&list, UnixTime::from_secs(now))
            .map_err(library)?;
        match installed {
            Installed::New(_) => {
                reply.status = INSTALLED;
                reply.list.extend_from_slice(&LIST_FILE_MAGIC);
                reply.list.extend_from_slice(list.as_bytes());
            }
            Installed::Unchanged(_) => reply.status = UNCHANGED,
        }
        write_installed(installed.list(), &mut reply.text);
        Ok(())
    });
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// Verifies a key with the whole policy of the site (`spec/SITE.md` section 4) at `now`.
///
/// - `state`: the record. `lists`: the stored lists, each framed as a 4-byte little-endian
///   length and the list's file form (as `gk_site_install_revocations` gave it) or body.
/// - `key`: the key text (UTF-8). `kind` (required): 1 instance registration, 2 agent
///   enrollment.
/// - `instance`: this instance's 16-byte UUID, or length 0 when the host has none: a key bound
///   to an instance is then refused (`instance-required`), unless `flags` holds
///   [`INSECURE_SKIP_INSTANCE_BINDING`](crate::INSECURE_SKIP_INSTANCE_BINDING).
/// - `version`: this GLPI version (`"10.0"`), or length 0.
///
/// Writes the result text (`status=valid`, `state=`, `checked_at`, `warnings`,
/// `in_grace_until`, `list_update_due`, then the claims with `owner=` last; or the refusal)
/// and the state record to store, also after a refusal: the clock mark moves forward.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn gk_site_verify(
    state: *const u8,
    state_len: usize,
    lists: *const u8,
    lists_len: usize,
    key: *const u8,
    key_len: usize,
    kind: u32,
    instance: *const u8,
    instance_len: usize,
    flags: u32,
    version: *const u8,
    version_len: usize,
    now: u64,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees each pointer is valid for its length.
    let (state, lists, key, instance, version) = unsafe {
        (
            bytes(state, state_len),
            bytes(lists, lists_len),
            bytes(key, key_len),
            bytes(instance, instance_len),
            bytes(version, version_len),
        )
    };
    let reply = with_state(state, &mut |state, reply| {
        let kind = kind_of(kind)?;
        let instance = instance_check(instance, flags)?;
        let mut check = SiteCheck::new(UnixTime::from_secs(now), kind, instance);
        if let Some(v) = version_of(version)? {
            check = check.with_glpi_version(v);
        }
        let lists: Vec<_> = frames(lists)?.into_iter().filter_map(stored_list).collect();
        // The text is read first: a key that does not read changes nothing (SITE.md 4).
        let key =
            UnverifiedKey::parse_with_trust(key_text(key)?, state.trust()).map_err(library)?;
        let verdict = state.verify(&key, &check, &lists).map_err(library)?;
        reply.status = Status::VALID;
        let w = &verdict.warnings;
        let _ = write!(
            reply.text,
            "checked_at={}\nwarnings={}\nin_grace_until={}\nlist_update_due={}\n",
            verdict.checked_at.as_secs(),
            comma_list(w.codes().map(String::from).collect()),
            opt(w.in_grace_until),
            opt(w.list_update_due),
        );
        write_claims(&verdict.license, &mut reply.text);
        Ok(())
    });
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// Distrusts the issuer key `key_id` (its 4 bytes as a big-endian u32: the 8 hex digits that
/// `gk_site_status` shows) from `from` (Unix seconds, site time) on: nothing it signed is
/// honoured from then on, lists already installed from it included. The date only moves
/// earlier. Writes the result text (`key_id`, `distrusted_from` in force) and the record.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_distrust(
    state: *const u8,
    state_len: usize,
    key_id: u32,
    from: u64,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees `state` is valid for `state_len` bytes.
    let state = unsafe { bytes(state, state_len) };
    let reply = with_state(state, &mut |state, reply| {
        let id = KeyId(key_id.to_be_bytes());
        let since = state
            .distrust(id, UnixTime::from_secs(from))
            .map_err(|e| match e {
                TrustError::NotTrusted(_) => (
                    Status::ISSUER_KEY_NOT_TRUSTED,
                    format!(
                        "no trusted issuer key of this site has the key id {id}: check the key id (gk_site_status lists them)"
                    ),
                ),
                other => trust_failure(other),
            })?;
        let _ = write!(
            reply.text,
            "key_id={id}\ndistrusted_from={}\n",
            since.as_secs()
        );
        Ok(())
    });
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// The clock guard alone (`spec/SITE.md` section 4 step 2): refuses `now` (Unix seconds) set
/// back beyond the site's tolerance (`clock-rollback`), else moves the clock mark to
/// `max(mark, now)`. A host may call it at start-up or on a timer, so that a clock set back
/// between verifications is noticed. Writes the result text (`clock_mark`) and the record.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_observe_clock(
    state: *const u8,
    state_len: usize,
    now: u64,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees `state` is valid for `state_len` bytes.
    let state = unsafe { bytes(state, state_len) };
    let reply = with_state(state, &mut |state, reply| {
        let mark = state
            .observe_clock(UnixTime::from_secs(now))
            .map_err(library)?;
        let _ = writeln!(reply.text, "clock_mark={}", mark.as_secs());
        Ok(())
    });
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// Trusts one more issuer key (a rotation): `entry` is one trust entry of [`TRUST_ENTRY_LEN`]
/// bytes. Writes the result text (`key_id`) and the record.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_add_trusted_key(
    state: *const u8,
    state_len: usize,
    entry: *const u8,
    entry_len: usize,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees each pointer is valid for its length.
    let (state, entry) = unsafe { (bytes(state, state_len), bytes(entry, entry_len)) };
    let reply = with_state(state, &mut |state, reply| {
        if entry.len() != TRUST_ENTRY_LEN {
            return Err(argument(format!(
                "a trust entry has {TRUST_ENTRY_LEN} bytes (public key, valid_from, valid_until), not {}",
                entry.len()
            )));
        }
        let key = trusted_key(entry)?;
        state.add_trusted_key(key).map_err(trust_failure)?;
        let _ = writeln!(reply.text, "key_id={}", key.key_id());
        Ok(())
    });
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

/// The state as text: `grace_secs`, `clock_tolerance_secs`, `clock_mark`, `trusted_keys`
/// (how many), then for each trusted key `i` (from 0, trust-store order) `key.i.key_id`,
/// `.public_key`, `.valid_from`, `.valid_until`, `.distrusted_from`, `.list_sequence`,
/// `.list_issued_at`, `.list_next_update`, `.list_serials`, and `superseded` (comma-separated
/// `serial:by` pairs, 16 hex digits each, or `-`). Changes nothing: no state section.
///
/// # Safety
/// Each non-null pointer must be valid for its length (`out` writable for `out_cap` bytes).
#[no_mangle]
pub unsafe extern "C" fn gk_site_status(
    state: *const u8,
    state_len: usize,
    out: *mut u8,
    out_cap: usize,
) -> u32 {
    // SAFETY: the caller guarantees `state` is valid for `state_len` bytes.
    let state = unsafe { bytes(state, state_len) };
    let reply = match load(state) {
        Ok(s) => Reply {
            text: status_text(&s),
            ..Reply::new()
        },
        Err(f) => Reply::failure(f),
    };
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    unsafe { reply.deliver(out, out_cap) }
}

fn status_text(s: &SiteState) -> String {
    let mut t = String::new();
    let policy = s.policy();
    let _ = write!(
        t,
        "status=ok\ngrace_secs={}\nclock_tolerance_secs={}\nclock_mark={}\ntrusted_keys={}\n",
        policy.grace_secs,
        policy.clock_tolerance_secs,
        opt(s.clock_mark()),
        s.trust().iter().count()
    );
    for (i, k) in s.trust().iter().enumerate() {
        let list = s.installed_list(k.key_id());
        let _ = write!(
            t,
            "key.{i}.key_id={}\nkey.{i}.public_key={}\nkey.{i}.valid_from={}\nkey.{i}.valid_until={}\nkey.{i}.distrusted_from={}\nkey.{i}.list_sequence={}\nkey.{i}.list_issued_at={}\nkey.{i}.list_next_update={}\nkey.{i}.list_serials={}\n",
            k.key_id(),
            hex(&k.public_key_bytes()),
            opt(k.valid_from()),
            opt(k.valid_until()),
            opt(k.distrusted_from()),
            list.map_or(String::from("-"), |l| l.sequence.to_string()),
            opt(list.map(|l| l.issued_at)),
            opt(list.and_then(|l| l.next_update)),
            list.map_or(String::from("-"), |l| l.serials.to_string()),
        );
    }
    let pairs: Vec<String> = s
        .superseded()
        .map(|(old, by)| format!("{:016x}:{:016x}", old.value(), by.value()))
        .collect();
    let _ = writeln!(t, "superseded={}", comma_list(pairs));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OUT_LEN;
    use glpi_key::{
        Claims, ErrorClass, Issuer, KeyKind, NewRevocationList, Serial, TextStyle, Tier,
    };

    /// Calls an export with an [`OUT_LEN`] buffer; returns the status and the sections.
    fn sections(f: impl FnOnce(*mut u8, usize) -> u32) -> (u32, Vec<Vec<u8>>) {
        let mut out = vec![0u8; OUT_LEN];
        let status = f(out.as_mut_ptr(), out.len());
        let mut found = Vec::new();
        let mut at = 0;
        while found.len() < 3 {
            let len = u32::from_le_bytes(out[at..at + 4].try_into().unwrap()) as usize;
            found.push(out[at + 4..at + 4 + len].to_vec());
            at += 4 + len;
        }
        (status, found)
    }

    fn entry(issuer: &Issuer, from: u64, until: u64) -> Vec<u8> {
        let mut e = issuer.public_key_bytes().to_vec();
        e.extend(from.to_le_bytes());
        e.extend(until.to_le_bytes());
        e
    }

    fn text(s: &[u8]) -> String {
        String::from_utf8(s.to_vec()).unwrap()
    }

    /// The largest state (16 keys with windows, distrust dates and lists with the longest
    /// numbers, 64 superseded serials): its status text and record, and a verification, fit
    /// in [`OUT_LEN`] with room to spare.
    #[test]
    fn the_largest_results_fit_in_out_len() {
        let issuers: Vec<Issuer> = (1..=16u8)
            .map(|i| Issuer::from_secret_key_bytes(&[i; 32]))
            .collect();
        let trust: Vec<u8> = issuers
            .iter()
            .flat_map(|i| entry(i, 1_000_000_000, u64::MAX))
            .collect();
        let (s, out) = sections(|o, n| unsafe {
            gk_site_new(trust.as_ptr(), trust.len(), u64::MAX, u64::MAX, o, n)
        });
        assert_eq!(s, 0, "{}", text(&out[0]));
        let mut state = out[1].clone();
        let at = UnixTime::from_date(2027, 1, 1).unwrap();
        let now = at.as_secs();
        // 64 renewals accepted: serial 2^59 + i renews serial 2^58 + i.
        for i in 0..64u64 {
            let mut c = Claims::new(
                Serial::new((1 << 59) + i).unwrap(),
                KeyKind::InstanceRegistration,
                Tier::Advanced,
                "Owner",
                at,
            );
            c.supersedes = Serial::new((1 << 58) + i);
            let key = issuers[0]
                .issue(&c)
                .unwrap()
                .text(TextStyle::Compact)
                .to_string();
            let (s, out) = sections(|o, n| unsafe {
                gk_site_verify(
                    state.as_ptr(),
                    state.len(),
                    core::ptr::null(),
                    0,
                    key.as_ptr(),
                    key.len(),
                    1,
                    core::ptr::null(),
                    0,
                    0,
                    core::ptr::null(),
                    0,
                    now,
                    o,
                    n,
                )
            });
            assert_eq!(s, 0, "{}", text(&out[0]));
            state = out[1].clone();
        }
        for (n, issuer) in issuers.iter().enumerate() {
            let serials = [Serial::new(1).unwrap()];
            let list = NewRevocationList {
                sequence: u64::MAX,
                issued_at: at,
                next_update: Some(UnixTime::from_secs(u64::MAX / 2)),
                serials: &serials,
            };
            let mut buf = vec![0u8; 1024];
            let list = issuer.issue_revocation_list(&list, &mut buf).unwrap();
            let mut file = vec![0u8; list.file_len()];
            let file = list.write_file_into(&mut file).unwrap().to_vec();
            let (s, out) = sections(|o, n| unsafe {
                gk_site_install_revocations(
                    state.as_ptr(),
                    state.len(),
                    file.as_ptr(),
                    file.len(),
                    now,
                    o,
                    n,
                )
            });
            assert_eq!(s, 0, "list {n}: {}", text(&out[0]));
            assert_eq!(out[2], file);
            state = out[1].clone();
            let id = u32::from_be_bytes(issuer.key_id().0);
            let (s, out) = sections(|o, n| unsafe {
                gk_site_distrust(state.as_ptr(), state.len(), id, u64::MAX - 1, o, n)
            });
            assert_eq!(s, 0, "{}", text(&out[0]));
            state = out[1].clone();
        }
        assert_eq!(state.len(), MAX_SITE_STATE_LEN);
        let (s, out) =
            sections(|o, n| unsafe { gk_site_status(state.as_ptr(), state.len(), o, n) });
        assert_eq!(s, 0);
        let status = text(&out[0]);
        assert!(
            status.contains("key.15.list_sequence=18446744073709551615\n"),
            "{status}"
        );
        assert_eq!(status.matches(':').count(), 64);
        let used: usize = out.iter().map(|s| 4 + s.len()).sum();
        assert!(used * 2 < OUT_LEN, "status takes {used} bytes");
    }

    /// Damaged records, frames, keys and lists: every export returns a status (a panic here
    /// would be a trap in WebAssembly).
    #[test]
    fn arbitrary_input_gives_a_status() {
        let issuer = Issuer::from_secret_key_bytes(&[9; 32]);
        let trust = entry(&issuer, 0, 0);
        let (_, out) =
            sections(|o, n| unsafe { gk_site_new(trust.as_ptr(), trust.len(), 0, 60, o, n) });
        let good = out[1].clone();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let mut state = good.clone();
            let len = state.len();
            match round % 3 {
                0 => state[(next() as usize) % len] ^= 1 << (next() % 8),
                1 => state.truncate((next() as usize) % len),
                _ => state = (0..next() % 200).map(|_| next() as u8).collect(),
            }
            let junk: Vec<u8> = (0..next() % 300).map(|_| next() as u8).collect();
            let now = next();
            let calls: [&dyn Fn(*mut u8, usize) -> u32; 6] = [
                &|o, n| unsafe { gk_site_observe_clock(state.as_ptr(), state.len(), now, o, n) },
                &|o, n| unsafe {
                    gk_site_verify(
                        state.as_ptr(),
                        state.len(),
                        junk.as_ptr(),
                        junk.len(),
                        junk.as_ptr(),
                        junk.len(),
                        1,
                        core::ptr::null(),
                        0,
                        0,
                        core::ptr::null(),
                        0,
                        now,
                        o,
                        n,
                    )
                },
                &|o, n| unsafe {
                    gk_site_install_revocations(
                        state.as_ptr(),
                        state.len(),
                        junk.as_ptr(),
                        junk.len(),
                        now,
                        o,
                        n,
                    )
                },
                &|o, n| unsafe { gk_site_status(state.as_ptr(), state.len(), o, n) },
                &|o, n| unsafe {
                    gk_site_distrust(state.as_ptr(), state.len(), now as u32, now, o, n)
                },
                &|o, n| unsafe {
                    gk_site_add_trusted_key(
                        state.as_ptr(),
                        state.len(),
                        junk.as_ptr(),
                        junk.len(),
                        o,
                        n,
                    )
                },
            ];
            for call in calls {
                let (s, out) = sections(call);
                let t = text(&out[0]);
                assert!(t.starts_with("status="), "{t}");
                if s != 0 {
                    assert!(t.contains("\nmessage="), "{t}");
                }
            }
            // The same junk against the good record: refused with a status, never a trap.
            let (s, out) = sections(|o, n| unsafe {
                gk_site_verify(
                    good.as_ptr(),
                    good.len(),
                    junk.as_ptr(),
                    junk.len(),
                    junk.as_ptr(),
                    junk.len(),
                    2,
                    junk.as_ptr(),
                    junk.len().min(16),
                    1,
                    junk.as_ptr(),
                    junk.len().min(8),
                    now,
                    o,
                    n,
                )
            });
            assert_ne!(s, 0, "{}", text(&out[0]));
        }
        assert_eq!(
            Status::BUFFER_TOO_SMALL.number(),
            u32::from(ErrorClass::BufferTooSmall.number())
        );
    }
}
