#!/usr/bin/env python3
"""Prints the allocated sections of a 32-bit little-endian ELF file and what they take in
flash, without binutils: `python3 sections.py <elf> [--max-flash BYTES]`. With --max-flash,
exits with an error when the flash total (vector table, code, read-only data, initialised
data) is larger."""
import struct
import sys


def sections(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        sys.exit(f"{path}: not a 32-bit little-endian ELF file")
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    headers = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx][4]
    for name, kind, flags, _addr, _off, size, *_ in headers:
        end = data.index(b"\0", strtab + name)
        yield data[strtab + name:end].decode(), kind, flags, size


def main():
    args = sys.argv[1:]
    max_flash = None
    if len(args) == 3 and args[1] == "--max-flash":
        max_flash = int(args[2])
    elif len(args) != 1:
        sys.exit("usage: sections.py <elf> [--max-flash BYTES]")
    flash = 0
    alloc = 0x2
    nobits = 8
    for name, kind, flags, size in sections(sys.argv[1]):
        if not flags & alloc or size == 0:
            continue
        in_flash = kind != nobits
        flash += size if in_flash else 0
        print(f"{name:<16} {size:>8} bytes {size / 1024:7.1f} KiB{'' if in_flash else '  (RAM only)'}")
    print(f"{'flash total':<16} {flash:>8} bytes {flash / 1024:7.1f} KiB")
    if max_flash is not None and flash > max_flash:
        sys.exit(f"flash total is {flash} bytes, over the budget of {max_flash} bytes: "
                 "find what grew with `cargo bloat` or drop a feature")


main()
