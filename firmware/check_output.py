#!/usr/bin/env python3
"""Compares the firmware's output (QEMU's semihosting console) with spec/vectors/keys.json:
`python3 check_output.py <output.txt> <keys.json>`. Every vector of keys.json must appear
exactly once as `vector NAME expect=E got=G ok ...` with G equal to the vector's `expect`
(`valid` or the error class); no vector may be skipped. Prints the measured figures, and
exits non-zero on any difference or when the peak stack from text to license of a valid key
is over `--max-stack BYTES`."""
import json
import re
import sys

LINE = re.compile(r"^vector (\S+) expect=(\S+) got=(\S+) (ok|MISMATCH) (.*)$")


def main():
    args = sys.argv[1:]
    max_stack = None
    if "--max-stack" in args:
        i = args.index("--max-stack")
        max_stack = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit("usage: check_output.py <output.txt> <keys.json> [--max-stack BYTES]")
    output = open(args[0], encoding="utf-8", errors="replace").read().splitlines()
    vectors = json.load(open(args[1], encoding="utf-8"))["vectors"]
    seen = {}
    problems = []
    for line in output:
        if line.startswith("vector ") and " skipped: " in line:
            problems.append(f"skipped in the image: {line}")
            continue
        m = LINE.match(line)
        if not m:
            continue
        name, _, got, verdict, rest = m.groups()
        if name in seen:
            problems.append(f"{name}: reported twice")
        fields = dict(kv.split("=", 1) for kv in rest.split())
        seen[name] = (got, verdict, fields)
    peak = 0
    for v in vectors:
        name = v["name"]
        if name not in seen:
            problems.append(f"{name}: not run by the image")
            continue
        got, verdict, fields = seen.pop(name)
        if got != v["expect"]:
            problems.append(f"{name}: expected {v['expect']}, the image got {got}")
        if verdict != "ok":
            problems.append(f"{name}: the image reports a mismatch (message or claims)")
        if v["expect"] == "valid":
            peak = max(peak, int(fields["stack"]))
    for name in seen:
        problems.append(f"{name}: run by the image but not in keys.json")
    for line in output:
        if line.startswith(("calibration:", "floor:", "peak stack", "instructions,", "firmware:")):
            print(line)
    if max_stack is not None and peak > max_stack:
        problems.append(f"peak stack of a valid key, text to license, {peak} bytes is over the limit of {max_stack} bytes")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(f"{len(problems)} problem(s) with the firmware's output")
    print(f"all {len(vectors)} vectors gave their expected class under QEMU")


if __name__ == "__main__":
    main()
