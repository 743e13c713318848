#!/usr/bin/env python3
"""Prints time ratios between the benchmarks of each criterion group from the last run.

Usage: python3 benches/ratios.py [GROUP_PREFIX ...]
Reads target/criterion/<group>/<bench>/new/estimates.json (the mean of the last run) and prints,
for every group, each benchmark's mean and its ratio to the group's first benchmark.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
prefixes = sys.argv[1:]
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "report"):
    if prefixes and not any(group.name.startswith(x) for x in prefixes):
        continue
    rows = []
    for bench in sorted(group.iterdir()):
        est = bench / "new" / "estimates.json"
        if est.exists():
            mean = json.loads(est.read_text())["mean"]["point_estimate"]
            rows.append((bench.name, mean))
    if not rows:
        continue
    print(f"{group.name}:")
    base = dict(rows).get("haydi", rows[0][1])
    for name, mean in rows:
        print(f"  {name:<28} {mean / 1e6:12.3f} ms   {mean / base:6.3f}x of haydi")
