#!/usr/bin/env bash
# Mutation testing of what the last commit changed in the core (issue 19; tests/MUTANTS.md has
# the full runs and their figures, too long for CI). Every mutant that cargo-mutants generates
# in the changed lines of `src/` is built and tested; one that no test notices ("missed") fails
# this part, unless tests/MUTANTS.md explains it as equivalent and .cargo/mutants.toml excludes it.
#
# Bounded in time: at most MUTANTS_MAX mutants (a rotating sample when the change has more) and
# MUTANTS_SECONDS of wall time, after which the mutants not reached are reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
max="${MUTANTS_MAX:-8}"
budget="${MUTANTS_SECONDS:-360}"
want="27.1.0"
say() { printf -- '--- %s\n' "$*"; }

if [ "$(cargo mutants --version 2>/dev/null || true)" != "cargo-mutants $want" ]; then
  say "install cargo-mutants $want"
  cargo install cargo-mutants --version "=$want" --locked
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
base="$(git rev-parse --verify -q HEAD~1 || true)"
if [ -z "$base" ]; then
  echo "no previous commit: nothing to compare with"
  exit 0
fi
git diff "$base" HEAD -- src/ >"$work/diff"
if [ ! -s "$work/diff" ]; then
  echo "the last commit ($(git log -1 --format=%h)) changes nothing in src/: no mutant to test"
  exit 0
fi

cargo mutants -p glpi-key --in-diff "$work/diff" --list >"$work/all" 2>/dev/null || true
total=$(wc -l <"$work/all")
if [ "$total" -eq 0 ]; then
  echo "the change to src/ generates no mutant (comments, tests or declarations only)"
  exit 0
fi
# In place, with the default test profile and features: the builds reuse what `cargo test`
# built a moment ago (the long runs' `--profile mutants --all-features` would build every
# dependency again). .cargo/mutants.toml gives the tests to run and the equivalent mutants.
args=(-p glpi-key --in-diff "$work/diff" --in-place --baseline skip
  --timeout 240 --build-timeout 600 -o "$work")
if [ "$total" -gt "$max" ]; then
  shards=$(((total + max - 1) / max))
  # A different sample on each commit: the shard index comes from the commit id.
  shard=$((0x$(git rev-parse --short=6 HEAD) % shards))
  args+=(--shard "$shard/$shards")
  say "$total mutants in the change; testing sample $shard of $shards (about $max)"
else
  say "$total mutants in the change; testing them all"
fi

# In place means the working tree's src/ is mutated (and restored after each mutant): refuse
# when it holds uncommitted work, which a restore could not tell apart from a mutation.
if [ -n "$(git status --porcelain -- src/)" ]; then
  echo "src/ has uncommitted changes: commit them first (mutants run in place); skipped"
  exit 0
fi
set +e
timeout --signal=INT "$budget" cargo mutants "${args[@]}"
status=$?
set -e
# cargo-mutants restores each file itself; after an interruption, put back the committed src/
# (it was clean before the run).
git diff --quiet -- src/ || git checkout -- src/
# A property test that fails under a mutant saves its seed in proptest-regressions/: those
# seeds belong to mutants, not to the code, so they go.
git clean -fdq -- ':(glob)**/proptest-regressions/**'

out="$work/mutants.out"
for f in caught missed timeout unviable; do
  printf '%-9s %s\n' "$f:" "$(cat "$out/$f.txt" 2>/dev/null | wc -l)"
done
if [ -s "$out/missed.txt" ]; then
  echo "mutants that no test noticed (add a test that asserts the behaviour they change, or"
  echo "explain them as equivalent in tests/MUTANTS.md and exclude them in .cargo/mutants.toml):"
  cat "$out/missed.txt"
  exit 1
fi
case "$status" in
  0 | 3) ;; # 3: some mutants timed out, which counts as caught (the tests hang on them)
  124 | 130) echo "time budget of ${budget}s reached: the mutants above were tested, the rest not" ;;
  *) echo "cargo mutants failed (exit $status)"; exit "$status" ;;
esac
