"""A job started by hand: every process runs this script with HAYDI_RANK / HAYDI_SIZE set
(and one rendezvous file); DistributedContext() joins them. The driver prints the results."""

import json

import haydi_rs as hd

ctx = hd.DistributedContext()
squares = hd.Range(2000).map(lambda x: x * x % 101).collect().run(ctx)
graphs = hd.Subsets(hd.Subsets(hd.USet(6, "v"), 2)).cnfs().count().run(ctx)
if ctx.is_driver:
    print(json.dumps({"size": ctx.size, "rank": ctx.rank,
                      "squares": squares == [x * x % 101 for x in range(2000)],
                      "graphs": graphs}))
