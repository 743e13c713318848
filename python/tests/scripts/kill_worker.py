"""A worker process is killed (SIGKILL) in the middle of a run: the run still gives the
serial result. The first worker to reach item 1500 kills itself once (a flag file in the
private folder given by HAYDI_TEST_DIR marks that it happened)."""

import json
import os
import signal
import sys
import time

import haydi_rs as hd

flag = os.path.join(os.environ["HAYDI_TEST_DIR"], "killed")


def work(x):
    if x == 1500 and not ctx.is_driver:
        try:
            fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        except FileExistsError:
            pass
    time.sleep(0.0005)
    return x * x % 1009


ctx = hd.DistributedContext(spawn_workers=2)
got = hd.Range(4000).map(work).collect().run(ctx)
total = hd.Range(4000).map(lambda x: x * x % 1009).reduce(lambda a, b: a + b).run(ctx)
if ctx.is_driver:
    expected = [x * x % 1009 for x in range(4000)]
    print(json.dumps({"equal": got == expected, "killed": os.path.exists(flag),
                      "sum_equal": total == sum(expected)}))
