#!/usr/bin/env bash
# Copies seed inputs from spec/vectors/ into the fuzz corpora (idempotent: files are named by
# content hash). Run from anywhere; then minimise with `cargo fuzz cmin <target>` before
# committing new corpus files.
set -euo pipefail
cd "$(dirname "$0")/.."
vectors=spec/vectors
[ -d "$vectors" ] || { echo "no $vectors: nothing to seed"; exit 0; }

add() { # add <target> <prefix-byte-or-empty> <text>
  local dir="fuzz/corpus/$1" tmp
  mkdir -p "$dir"
  tmp=$(mktemp)
  if [ -n "$2" ]; then printf "\\x$2" >"$tmp"; fi
  printf '%s' "$3" >>"$tmp"
  mv "$tmp" "$dir/seed-$(sha1sum "$tmp" 2>/dev/null | cut -c1-16 || true)"
}

count=0
# Every key text in the vectors: *.key files (not the PEM secret) and "key" fields of keys.json.
keys=$( { for f in "$vectors"/*.key; do
            [ -e "$f" ] || continue
            grep -q "PRIVATE KEY" "$f" && continue
            cat "$f"; echo
          done
          [ -f "$vectors/keys.json" ] && grep -o '"key" *: *"[^"]*"' "$vectors/keys.json" | sed 's/.*: *"//; s/"$//' || true
        } | { grep -i '^ *glpi-' || true; } | sort -u )
while IFS= read -r key; do
  [ -n "$key" ] || continue
  add parse_text "" "$key"
  add verify 00 "$key"   # mode 0 of the verify target: the rest is text
  count=$((count + 1))
done <<<"$keys"
echo "seeded $count key texts from $vectors into fuzz/corpus/{parse_text,verify}"

# Revocation lists: text forms (mode 0 of the revocation target) and files (mode 1).
lists=0
for f in "$vectors"/revocation/*.txt; do
  [ -e "$f" ] || continue
  add revocation 00 "$(tr -d '\n' <"$f")"
  lists=$((lists + 1))
done
for f in "$vectors"/revocation/*.glpirl; do
  [ -e "$f" ] || continue
  dir=fuzz/corpus/revocation; mkdir -p "$dir"; tmp=$(mktemp)
  { printf '\x01'; cat "$f"; } >"$tmp"
  mv "$tmp" "$dir/seed-$(sha1sum "$tmp" | cut -c1-16)"
  lists=$((lists + 1))
done
echo "seeded $lists revocation lists from $vectors/revocation into fuzz/corpus/revocation"
