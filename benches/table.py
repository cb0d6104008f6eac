#!/usr/bin/env python3
"""Prints the Markdown table of benches/RESULTS.md from criterion's saved estimates:
`python3 benches/table.py <target-dir>/criterion`. For each group (`verify`, `peers`), every
benchmark's median time and its ratio to the group's raw `verify_strict`; per-key figures for
the benchmarks that time many keys."""
import json
import os
import re
import sys


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: table.py <target-dir>/criterion")
    root = sys.argv[1]
    print("| group | operation | median | per key | ratio to raw verify_strict |")
    print("| --- | --- | ---: | ---: | ---: |")
    for group in ("verify", "peers"):
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        rows = []
        for bench in sorted(os.listdir(gdir)):
            est = os.path.join(gdir, bench, "new", "estimates.json")
            meta = os.path.join(gdir, bench, "new", "benchmark.json")
            if not os.path.exists(est):
                continue
            median = json.load(open(est))["median"]["point_estimate"]
            name = json.load(open(meta))["function_id"]
            m = re.match(r"(\d+) keys", name)
            keys = int(m.group(1)) if m else 1
            rows.append((name, median, median / keys))
        floor = next((per for name, _, per in rows if name.startswith("raw verify_strict")), None)
        for name, median, per in sorted(rows, key=lambda r: r[2]):
            ratio = f"{per / floor:.3f}" if floor else "-"
            print(f"| {group} | {name} | {fmt(median)} | {fmt(per)} | {ratio} |")


main()
