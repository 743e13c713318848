"""Runs every case of cases.py on DistributedContext(spawn_workers=2) and prints, on the
driver, one JSON line: {case: true/false}. Every process runs this script (SPMD)."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import haydi_rs as hd  # noqa: E402
from cases import cases  # noqa: E402

ctx = hd.DistributedContext(spawn_workers=2)
results = {}
for name, (run, expected) in sorted(cases().items()):
    try:
        results[name] = run(ctx) == expected
    except Exception as e:  # reported, so that one failure does not hide the others
        results[name] = "{}: {}".format(type(e).__name__, e)
if ctx.is_driver:
    print(json.dumps({"workers": ctx.workers, "size": ctx.size, "results": results}))
