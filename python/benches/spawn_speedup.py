"""spawn(2) against serial (and threads(2)) on a CPU-heavy Python callable, in one run:
python spawn_speedup.py ITEMS. Every process runs this script (SPMD); the serial and
threads timings are taken on the driver while the workers wait for the first run."""

import json
import sys
import time

import haydi_rs as hd


def heavy(x):
    # About 0.2 ms of pure Python work per item.
    acc = 0
    for i in range(1500):
        acc = (acc + i * x) % 1000003
    return acc


n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
pipeline = hd.Range(n).map(heavy).reduce(lambda a, b: a + b)
ctx = hd.DistributedContext(spawn_workers=2)
out = {}
if ctx.is_driver:
    t = time.perf_counter()
    expected = pipeline.run()
    out["serial_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assert pipeline.run(hd.ThreadContext(2)) == expected
    out["threads2_s"] = time.perf_counter() - t
t = time.perf_counter()
got = pipeline.run(ctx)
spawn_s = time.perf_counter() - t
if ctx.is_driver:
    assert got == expected
    out["spawn2_s"] = spawn_s
    out["items"] = n
    print(json.dumps(out))
