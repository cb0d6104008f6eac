#!/usr/bin/env bash
# The core on a microcontroller: builds firmware/ (cortex-m-rt, semihosting) for an emulated
# Cortex-M4F, runs it under QEMU (machine mps2-an386, -icount shift=0) and checks that every
# vector of spec/vectors/keys.json gives its expected class (firmware/check_output.py). Prints
# the floor (a raw verify_strict), the peak stack and the instructions per verification, and
# fails when a valid key takes more than 8 KiB of stack from text to license.
# Runs twice: the default profile and the small one (sha2's force-soft-compact).
#
# QEMU is not installed with apt-get install (qemu-system-arm's dependencies would replace the
# machine's qemu-utils): its packages are downloaded and unpacked into a cache,
# ~/.cache/glpi-key/qemu (override with GLPI_KEY_QEMU_CACHE), once. A qemu-system-arm already
# on PATH that knows mps2-an386 is used as is.
set -euo pipefail
cd "$(dirname "$0")/../.."

rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 >/dev/null; }

cache="${GLPI_KEY_QEMU_CACHE:-$HOME/.cache/glpi-key/qemu}"
qemu_root="$cache/root"
qemu_libs="$qemu_root/usr/lib/x86_64-linux-gnu:$qemu_root/lib/x86_64-linux-gnu"
# qemu-system-arm of Debian 12 and the libraries it needs that a plain system lacks.
qemu_packages=(qemu-system-arm qemu-system-common qemu-system-data libfdt1 libcapstone4
  libpmem1 libndctl6 libdaxctl1 librdmacm1 libibverbs1 libnl-3-200 libnl-route-3-200
  libslirp0 libvdeplug2)
qemu() { timeout 300 env LD_LIBRARY_PATH="$qemu_libs" "$qemu_bin" "$@"; }

if command -v qemu-system-arm >/dev/null && qemu-system-arm -M help | grep -q mps2-an386; then
  qemu_bin=$(command -v qemu-system-arm)
else
  qemu_bin="$qemu_root/usr/bin/qemu-system-arm"
  if ! { [ -x "$qemu_bin" ] && qemu -M help 2>/dev/null | grep -q mps2-an386; }; then
    echo "--- fetching QEMU into $cache (apt-get download + dpkg -x; nothing is installed) ---"
    mkdir -p "$cache/debs"
    apt-get update -qq
    (cd "$cache/debs" && apt-get download -qq "${qemu_packages[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$qemu_root"; done
    missing=$(LD_LIBRARY_PATH="$qemu_libs" ldd "$qemu_bin" | grep 'not found' || true)
    [ -z "$missing" ] || { echo "qemu-system-arm lacks libraries:"; echo "$missing"; exit 1; }
  fi
fi
qemu --version | head -1

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/firmware"
elf="$target_dir/thumbv7em-none-eabihf/release/glpi-key-firmware"
run() {
  local profile=$1; shift
  echo "--- firmware, $profile profile ---"
  (cd firmware && cargo build --release --quiet --target-dir "$target_dir" "$@")
  local out="$target_dir/output-$profile.txt"
  # The image exits through semihosting; QEMU's exit code is the image's.
  if ! qemu -M mps2-an386 -nographic -monitor none -serial none -icount shift=0 \
      -semihosting-config enable=on,target=native -kernel "$elf" </dev/null >"$out" 2>&1; then
    cat "$out"
    echo "the firmware failed under QEMU ($profile profile)"
    return 1
  fi
  python3 firmware/check_output.py "$out" spec/vectors/keys.json --max-stack 8192
}
run default
run small --features small
