"""A Python exception in a callable on a worker process becomes a CallableError naming
the chunk and the worker, on every process."""

import json

import haydi_rs as hd


def boom(x):
    if x == 777:
        raise ValueError("no 777 here")
    return x


ctx = hd.DistributedContext(spawn_workers=2)
try:
    hd.Range(3000).map(boom).collect().run(ctx)
    outcome = {"raised": False}
except hd.CallableError as e:
    outcome = {"raised": True, "message": str(e), "chunk": list(e.chunk)}
if ctx.is_driver:
    print(json.dumps(outcome))
