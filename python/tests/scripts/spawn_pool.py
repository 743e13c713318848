"""Pool.by_name("spawn:2"): map, submit, apply, push on worker processes (SPMD)."""

import json

import haydi_rs as hd


def square(x):
    return x * x


pool = hd.Pool.by_name("spawn:2")
table = pool.push(list(range(100)))
out = {
    "len": len(pool),
    "map": pool.map(square, range(50)) == [x * x for x in range(50)],
    "map2": pool.map(max, [1, 9, 3], [4, 2, 8]) == [4, 9, 8],
    "submit": [pool.submit(lambda k, t: t[k] + 1, k, table).wait() for k in (3, 50)],
    "apply": pool.apply(lambda t: sum(t), table),
}
if pool.context.is_driver:
    print(json.dumps(out))
