//! Runs every key vector of `spec/vectors/keys.json` (embedded at build time by `build.rs`)
//! through glpi-key on a Cortex-M4F, under QEMU's `mps2-an386`:
//!
//! ```text
//! qemu-system-arm -M mps2-an386 -nographic -icount shift=0 \
//!     -semihosting-config enable=on,target=native -kernel glpi-key-firmware
//! ```
//!
//! For each vector it prints one line over semihosting: the name, the expected and the actual
//! outcome (`valid` or the error class), then the peak stack and the instruction count of
//! parsing (`parse_with_trust`, as `tests/vectors.rs` does), of verifying, and of the whole
//! path from text to license. First it measures the floor the same way: a raw ed25519-dalek
//! `verify_strict` of a message of the typical signing input's length (signed by `build.rs`).
//! `.ci/parts/90-firmware.sh` runs it and `check_output.py` compares the classes with
//! keys.json. It exits 0 (semihosting
//! `SYS_EXIT`) only when every vector gives its expected class, message or claims; a panic or
//! a fault exits with failure.
//!
//! How it measures:
//! - Stack: just before the measured call, every word from the bottom of the stack region
//!   (`_stack_end`) up to the current stack pointer is painted with a pattern; after the
//!   call, the lowest word that no longer holds it is the high-water mark. The figure is the
//!   distance from the caller's stack pointer, so it covers the callee's whole call tree.
//! - Instructions: QEMU's `-icount shift=0` advances the virtual clock by exactly 1 ns per
//!   executed instruction, and the CMSDK APB timer 0 (25 MHz) runs on that clock: one tick
//!   is 40 instructions. A calibration loop of a known instruction count checks the ratio
//!   at start; without `-icount` the counts are meaningless and the program says so.

#![no_std]
#![no_main]

use core::{
    arch::asm,
    fmt::{self, Write as _},
    hint::black_box,
    ptr,
};

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use ed25519_dalek::{Signature, VerifyingKey};
use glpi_key::{
    Claims, Error, GlpiVersion, InstanceId, KeyKind, TrustStore, TrustedKey, UnixTime,
    UnverifiedKey, VerifyOptions,
};

/// One vector of keys.json, as `build.rs` writes it.
struct Vector {
    name: &'static str,
    key: &'static str,
    now: u64,
    kind: Option<KeyKind>,
    instance: Option<&'static str>,
    glpi_version: Option<&'static str>,
    expect: Expect,
}

enum Expect {
    Valid(WantClaims),
    Error {
        code: &'static str,
        message: &'static str,
    },
}

/// The claims a valid vector must give.
struct WantClaims {
    serial: u64,
    short_id: &'static str,
    kind: KeyKind,
    tier: &'static str,
    owner: &'static str,
    issued_at: u64,
    not_before: u64,
    expires_at: Option<u64>,
    instance: Option<[u8; 16]>,
    entitlement_bits: u32,
    glpi_versions: Option<((u8, u8), (u8, u8))>,
    max_assets: Option<u32>,
    entity: Option<u32>,
    supersedes: Option<u64>,
    extensions: &'static [(u16, &'static [u8])],
}

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

// ---------------------------------------------------------------------------------------
// Measuring: the painted stack and QEMU's instruction clock.

/// What the stack is painted with.
const PAINT: u32 = 0xC0DE_5AFE;

extern "C" {
    /// The lowest address the stack may reach (cortex-m-rt's linker script).
    static _stack_end: u32;
}

/// CMSDK APB timer 0 of the MPS2 boards: control, current value, reload.
const TIMER0_CTRL: *mut u32 = 0x4000_0000 as *mut u32;
const TIMER0_VALUE: *mut u32 = 0x4000_0004 as *mut u32;
const TIMER0_RELOAD: *mut u32 = 0x4000_0008 as *mut u32;
/// The timer's clock (the board's 25 MHz system clock) and the instruction clock of
/// `-icount shift=0` (1 GHz): instructions per timer tick.
const INSTRUCTIONS_PER_TICK: u64 = 1_000_000_000 / 25_000_000;

fn start_timer() {
    // SAFETY: the MPS2 timer 0 registers are memory-mapped I/O at these addresses on
    // mps2-an386, and nothing else in this program uses the timer.
    unsafe {
        ptr::write_volatile(TIMER0_CTRL, 0);
        ptr::write_volatile(TIMER0_RELOAD, u32::MAX);
        ptr::write_volatile(TIMER0_VALUE, u32::MAX);
        ptr::write_volatile(TIMER0_CTRL, 1);
    }
}

/// The timer counts down.
#[inline(always)]
fn ticks() -> u32 {
    // SAFETY: see `start_timer`.
    unsafe { ptr::read_volatile(TIMER0_VALUE) }
}

/// The stack and time one call took.
#[derive(Clone, Copy, Default)]
struct Usage {
    /// Peak stack below the caller's stack pointer, in bytes.
    stack: usize,
    /// Timer ticks (each `INSTRUCTIONS_PER_TICK` instructions under `-icount shift=0`).
    ticks: u32,
}

impl Usage {
    fn instructions(self) -> u64 {
        u64::from(self.ticks) * INSTRUCTIONS_PER_TICK
    }
}

/// Calls `f(arg)` on a freshly painted stack and reports its peak stack and duration.
#[inline(never)]
fn measure<A, R>(f: fn(A) -> R, arg: A) -> (R, Usage) {
    let sp: usize;
    // SAFETY: reads the stack pointer.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    let bottom = ptr::addr_of!(_stack_end) as usize;
    // SAFETY: paints the free stack, [bottom, sp): no live data is there (no interrupt is
    // enabled, and this code uses only registers). Written in assembly so that no compiler
    // spill lands in the painted range.
    unsafe {
        asm!(
            "2:",
            "cmp {p}, {end}",
            "bhs 3f",
            "str {pat}, [{p}], #4",
            "b 2b",
            "3:",
            p = inout(reg) bottom => _,
            end = in(reg) sp,
            pat = in(reg) PAINT,
            options(nostack),
        );
    }
    let f = black_box(f);
    let before = ticks();
    let result = f(arg);
    let after = ticks();
    let mut lowest = sp;
    let mut p = bottom;
    while p < sp {
        // SAFETY: reads the painted range back, word by word, inside the RAM region.
        if unsafe { ptr::read_volatile(p as *const u32) } != PAINT {
            lowest = p;
            break;
        }
        p += 4;
    }
    if lowest == bottom {
        exit_failure(format_args!(
            "stack overflow: the whole stack region ({} bytes) was used",
            sp - bottom
        ));
    }
    let usage = Usage {
        stack: sp - lowest,
        ticks: before.wrapping_sub(after),
    };
    (result, usage)
}

/// A loop of exactly `2 * n + 1` instructions (`subs`, `bne` per turn, then `bx lr`'s turn
/// is not counted: the call itself is a few more), to check the instruction clock.
#[inline(never)]
fn spin(n: u32) -> u32 {
    // SAFETY: a counted loop on one register.
    unsafe {
        asm!(
            "2:",
            "subs {n}, {n}, #1",
            "bne 2b",
            n = inout(reg) n => _,
            options(nomem, nostack),
        );
    }
    n
}

// ---------------------------------------------------------------------------------------
// The measured calls.

/// Parsing as `tests/vectors.rs` does it: a suspected typo is confirmed against the trust store.
#[inline(never)]
fn parse((text, trust): (&str, &TrustStore)) -> Result<UnverifiedKey, Error> {
    UnverifiedKey::parse_with_trust(text, trust)
}

#[inline(never)]
fn verify<'k>(
    (key, trust, options): (&'k UnverifiedKey, &TrustStore, &VerifyOptions),
) -> Result<Claims<'k>, Error> {
    key.verify(trust, options).map(|license| *license.claims())
}

/// The whole path from text: parse, then verify; the serial of a valid key.
#[inline(never)]
fn parse_and_verify(
    (text, trust, options): (&str, &TrustStore, &VerifyOptions),
) -> Result<u64, Error> {
    let key = UnverifiedKey::parse_with_trust(text, trust)?;
    let license = key.verify(trust, options)?;
    Ok(license.serial().value())
}

/// The floor: a bare ed25519-dalek `verify_strict`, no glpi-key code.
#[inline(never)]
fn raw_verify_strict((key, message, signature): (&VerifyingKey, &[u8], &Signature)) -> bool {
    key.verify_strict(message, signature).is_ok()
}

// ---------------------------------------------------------------------------------------
// Comparing with the expected outcome.

/// Formats into a fixed buffer (for messages and short IDs).
struct Buf {
    bytes: [u8; 1024],
    len: usize,
}

impl Buf {
    const fn new() -> Self {
        Buf {
            bytes: [0; 1024],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("<not UTF-8>")
    }

    fn of(value: impl fmt::Display) -> Self {
        let mut buf = Buf::new();
        // A message longer than the buffer is cut: it then differs from the expected one.
        let _ = write!(buf, "{value}");
        buf
    }
}

impl fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The first claim that differs from the expected ones, if any.
fn claims_differ(c: &Claims<'_>, w: &WantClaims) -> Option<&'static str> {
    let versions = c
        .glpi_versions
        .map(|r| ((r.min.major, r.min.minor), (r.max.major, r.max.minor)));
    let extensions_match = {
        let mut got = c.extensions.iter();
        w.extensions
            .iter()
            .all(|&(tag, value)| got.next().is_some_and(|e| e.tag == tag && e.value == value))
            && got.next().is_none()
    };
    let checks = [
        (c.serial.value() == w.serial, "serial"),
        (
            Buf::of(c.serial.short_id()).as_str() == w.short_id,
            "short_id",
        ),
        (c.kind == w.kind, "kind"),
        (c.tier.name() == w.tier, "tier"),
        (c.owner == w.owner, "owner"),
        (c.issued_at.as_secs() == w.issued_at, "issued_at"),
        (c.not_before.as_secs() == w.not_before, "not_before"),
        (
            c.expires_at.map(UnixTime::as_secs) == w.expires_at,
            "expires_at",
        ),
        (c.instance.map(|i| i.0) == w.instance, "instance"),
        (
            c.entitlements.bits() == w.entitlement_bits,
            "entitlement_bits",
        ),
        (versions == w.glpi_versions, "glpi_versions"),
        (c.max_assets == w.max_assets, "max_assets"),
        (c.entity == w.entity, "entity"),
        (
            c.supersedes.map(|s| s.value()) == w.supersedes,
            "supersedes",
        ),
        (extensions_match, "extensions"),
    ];
    checks.iter().find(|(ok, _)| !ok).map(|&(_, field)| field)
}

fn options(v: &Vector) -> VerifyOptions {
    let mut options = VerifyOptions::at(UnixTime::from_secs(v.now));
    options.kind = v.kind;
    if let Some(text) = v.instance {
        let Some(id) = InstanceId::parse(text) else {
            exit_failure(format_args!("{}: bad instance option {text}", v.name));
        };
        options.instance = Some(id);
    }
    if let Some(text) = v.glpi_version {
        let Some(version) = GlpiVersion::parse(text) else {
            exit_failure(format_args!("{}: bad GLPI version option {text}", v.name));
        };
        options.glpi_version = Some(version);
    }
    options
}

/// Running figures over the vectors.
#[derive(Default)]
struct Figures {
    max_valid_stack: usize,
    max_stack: usize,
    max_stack_vector: &'static str,
    max_parse_stack: usize,
    max_verify_stack: usize,
    valid: u64,
    valid_instructions: u64,
    min_valid_instructions: u64,
    max_valid_instructions: u64,
    max_instructions: u64,
}

fn check(v: &Vector, trust: &TrustStore, figures: &mut Figures) -> bool {
    let options = options(v);
    let (parsed, parse_usage) = measure(parse, (v.key, trust));
    let (verdict, verify_usage) = match &parsed {
        Ok(key) => {
            let (result, usage) = measure(verify, (key, trust, &options));
            (result.map(Some), usage)
        }
        Err(e) => (Err(*e), Usage::default()),
    };
    let (whole, whole_usage) = measure(parse_and_verify, (v.key, trust, &options));

    let got = match &verdict {
        Ok(_) => "valid",
        Err(e) => e.code(),
    };
    let (want, problem) = match (&v.expect, &verdict) {
        (Expect::Valid(w), Ok(Some(claims))) => ("valid", claims_differ(claims, w)),
        (Expect::Valid(_), _) => ("valid", Some("class")),
        (Expect::Error { code, message }, Err(e)) => {
            let problem = if e.code() != *code {
                Some("class")
            } else if Buf::of(e).as_str() != *message {
                Some("message")
            } else {
                None
            };
            (*code, problem)
        }
        (Expect::Error { code, .. }, Ok(_)) => (*code, Some("class")),
    };
    // The whole path must agree with the two steps.
    let problem = problem.or(match (&whole, &verdict) {
        (Ok(serial), Ok(Some(c))) if *serial == c.serial.value() => None,
        (Err(a), Err(b)) if a == b => None,
        _ => Some("parse-and-verify disagrees with parse then verify"),
    });
    hprintln!(
        "vector {} expect={} got={} {} stack={} instructions={} parse_stack={} \
         parse_instructions={} verify_stack={} verify_instructions={}",
        v.name,
        want,
        got,
        match problem {
            None => "ok",
            Some(_) => "MISMATCH",
        },
        whole_usage.stack,
        whole_usage.instructions(),
        parse_usage.stack,
        parse_usage.instructions(),
        verify_usage.stack,
        verify_usage.instructions(),
    );
    if let Some(what) = problem {
        hprintln!("  {}: {} differs", v.name, what);
        if let Err(e) = verdict {
            hprintln!("  message: {}", Buf::of(e).as_str());
        }
    }

    if whole_usage.stack > figures.max_stack {
        figures.max_stack = whole_usage.stack;
        figures.max_stack_vector = v.name;
    }
    figures.max_parse_stack = figures.max_parse_stack.max(parse_usage.stack);
    figures.max_verify_stack = figures.max_verify_stack.max(verify_usage.stack);
    let n = whole_usage.instructions();
    figures.max_instructions = figures.max_instructions.max(n);
    if whole.is_ok() {
        figures.valid += 1;
        figures.valid_instructions += n;
        figures.max_valid_stack = figures.max_valid_stack.max(whole_usage.stack);
        figures.max_valid_instructions = figures.max_valid_instructions.max(n);
        if figures.min_valid_instructions == 0 || n < figures.min_valid_instructions {
            figures.min_valid_instructions = n;
        }
    }
    problem.is_none()
}

#[entry]
fn main() -> ! {
    start_timer();
    // The instruction clock: a loop of 2 * N instructions (plus the call's few).
    const N: u32 = 1_000_000;
    let (_, usage) = measure(spin, N);
    let ratio_ok = usage.instructions().abs_diff(2 * u64::from(N)) < 2 * u64::from(N) / 1000;
    hprintln!(
        "calibration: a loop of {} instructions took {} timer ticks = {} instructions{}",
        2 * N,
        usage.ticks,
        usage.instructions(),
        if ratio_ok {
            ""
        } else {
            " (run QEMU with -icount shift=0: the instruction counts below are not valid)"
        }
    );

    let mut trust = TrustStore::new();
    for key in TRUST {
        let Ok(key) = TrustedKey::from_public_key_bytes(key) else {
            exit_failure(format_args!("a trusted key of keys.json does not load"));
        };
        if trust.add(key).is_err() {
            exit_failure(format_args!("the trust store is full"));
        }
    }

    let Ok(floor_key) = VerifyingKey::from_bytes(&TRUST[0]) else {
        exit_failure(format_args!(
            "the first trusted key of keys.json does not load"
        ));
    };
    let floor_signature = Signature::from_bytes(&FLOOR_SIGNATURE);
    let (floor_ok, floor) = measure(
        raw_verify_strict,
        (&floor_key, FLOOR_MESSAGE, &floor_signature),
    );
    hprintln!(
        "floor: raw ed25519-dalek verify_strict of a {}-byte message: {} stack={} instructions={}",
        FLOOR_MESSAGE.len(),
        if floor_ok { "valid" } else { "INVALID" },
        floor.stack,
        floor.instructions()
    );
    if !floor_ok {
        exit_failure(format_args!("the floor's signature does not verify"));
    }

    let mut figures = Figures::default();
    let mut passed = 0;
    let mut failed = 0;
    for v in VECTORS {
        if check(v, &trust, &mut figures) {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    for (name, reason) in SKIPPED {
        hprintln!("vector {} skipped: {}", name, reason);
    }
    hprintln!(
        "peak stack, text to license: valid keys {} bytes; any vector {} bytes (vector {}); \
         parse alone {} bytes, verify alone {} bytes",
        figures.max_valid_stack,
        figures.max_stack,
        figures.max_stack_vector,
        figures.max_parse_stack,
        figures.max_verify_stack
    );
    if let Some(mean) = figures.valid_instructions.checked_div(figures.valid) {
        hprintln!(
            "instructions, text to license, valid keys: mean {} min {} max {} ({} keys); any vector max {}",
            mean,
            figures.min_valid_instructions,
            figures.max_valid_instructions,
            figures.valid,
            figures.max_instructions
        );
    }
    hprintln!(
        "firmware: {} passed, {} failed, {} skipped",
        passed,
        failed,
        SKIPPED.len()
    );
    if failed == 0 && passed > 0 && ratio_ok {
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {
        cortex_m::asm::bkpt();
    }
}

fn exit_failure(why: fmt::Arguments<'_>) -> ! {
    hprintln!("error: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    exit_failure(format_args!("hard fault at pc {:#010x}", frame.pc()))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    exit_failure(format_args!("panic: {info}"))
}
