#!/usr/bin/env bash
# Fuzzing (issue 5): every cargo-fuzz target runs for a bounded time on stable (no sanitizer),
# then one shorter AddressSanitizer pass where a nightly toolchain is present. Fails on any
# crash or property violation. Prints executions per second and total executions per target.
# Budget: about 7 minutes on 2 cores including builds (25 s per target: CI as a whole must stay
# under 30 minutes now that the packages and the firmware run too). Override the times with FUZZ_SECONDS
# and ASAN_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
elapsed() { echo "[fuzz part: $(( $(date +%s) - started )) s elapsed] $*"; }

# The run list: every [[bin]] of fuzz/Cargo.toml must be here (checked below).
TARGETS=(parse_text verify claims_decode roundtrip revocation)
FUZZ_SECONDS=${FUZZ_SECONDS:-25}
ASAN_SECONDS=${ASAN_SECONDS:-8}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi
cargo fuzz --version

# No target left out: the run list must equal the targets declared in fuzz/Cargo.toml.
declared=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -vxE 'glpi-key-fuzz|glpi_key_fuzz' | sort)
listed=$(printf '%s\n' "${TARGETS[@]}" | sort)
if [ "$declared" != "$listed" ]; then
  echo "fuzz targets in fuzz/Cargo.toml and the run list of $0 differ:" >&2
  diff <(echo "$declared") <(echo "$listed") >&2 || true
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary="$work/summary"

# run_all <toolchain> <sanitizer> <seconds>
run_all() {
  local toolchain=$1 sanitizer=$2 seconds=$3 t log corpus extra
  echo "building fuzz targets ($toolchain, sanitizer: $sanitizer)"
  (cd fuzz && cargo "+$toolchain" fuzz build -s "$sanitizer" >"$work/build.log" 2>&1) || {
    cat "$work/build.log" >&2
    return 1
  }
  elapsed "built ($toolchain, $sanitizer)"
  for t in "${TARGETS[@]}"; do
    log="$work/$t-$sanitizer.log"
    corpus="$work/corpus-$sanitizer/$t"
    mkdir -p "$corpus"
    extra=()
    [ "$t" = parse_text ] && extra=(-max_len=8192)  # beyond MAX_INPUT_LEN: huge inputs too
    seeds=(fuzz/corpus/"$t")
    [ -d fuzz/regressions/"$t" ] && seeds+=(fuzz/regressions/"$t")
    if ! (cd fuzz && cargo "+$toolchain" fuzz run -s "$sanitizer" "$t" "$corpus" "${seeds[@]/#fuzz\//}" -- \
          -max_total_time="$seconds" -print_final_stats=1 "${extra[@]}") >"$log" 2>&1; then
      tail -n 60 "$log" >&2
      echo "FUZZ FAILURE: target $t ($sanitizer). The crash input is in fuzz/artifacts/$t/;" \
           "copy it to fuzz/regressions/$t/ so that cargo test replays it, then fix the bug." >&2
      return 1
    fi
    local execs rate
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    printf '%-14s %-8s %4ss  %12s execs  %9s exec/s\n' "$t" "$sanitizer" "$seconds" "${execs:-?}" "${rate:-?}" | tee -a "$summary"
  done
}

# Stable with -s none works with cargo-fuzz (no sanitizer needs no nightly flags).
stable_toolchain=stable
if ! cargo +stable --version >/dev/null 2>&1; then stable_toolchain=$(rustup show active-toolchain | cut -d' ' -f1); fi
run_all "$stable_toolchain" none "$FUZZ_SECONDS"

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  run_all nightly address "$ASAN_SECONDS"
else
  echo "AddressSanitizer pass SKIPPED: no nightly toolchain on this machine (rustup toolchain install nightly to enable it)"
fi

elapsed "all fuzz runs done"
echo
echo "fuzz summary (target, sanitizer, time, total executions, executions per second):"
cat "$summary"
