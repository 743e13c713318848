"""Drives a crop through a real, local HyperQueue cluster (PyPI's `hyperqueue` wheel).

Called by `contexts/tests/crop_hyperqueue.rs` as

    python driver.py PROGRAM CROP_DIR BATCHES SERVER_DIR REPORT_JSON

PROGRAM is the Rust test binary; its role comes from HAYDI_CROP_TEST_ROLE (`sow`, `check`,
`grow`). The first job is task 0 (sow, idempotent) and tasks 1..BATCHES, each growing batch
HQ_TASK_ID after task 0; one of them kills itself with SIGKILL in the middle of its batch (the
Rust side arms that). The failed tasks are read back from HyperQueue and resubmitted as a second
job: task 0 checks the crop, task k grows the k-th failed batch (HAYDI_CROP_BATCHES). What
happened is written to REPORT_JSON for the Rust side to check; the reaping is the Rust side's.
"""

import json
import os
import sys
from pathlib import Path

from hyperqueue import Job, LocalCluster
from hyperqueue.cluster import WorkerConfig


def task_env(crop_dir, role, extra=None):
    # The test's own settings (which batch dies, where its marker goes) travel explicitly:
    # what a task inherits from the worker's environment is HyperQueue's business.
    env = {k: v for k, v in os.environ.items() if k.startswith("HAYDI_CROP_TEST_")}
    env.update({"HAYDI_CROP_TEST_ROLE": role, "HAYDI_CROP_TEST_DIR": str(crop_dir)})
    env.update(extra or {})
    return env


def main():
    program, crop_dir, batches, server_dir, report = sys.argv[1:6]
    batches = int(batches)
    logs = Path(server_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    def add(job, role, extra=None, deps=()):
        return job.program(
            [program],
            env=task_env(crop_dir, role, extra),
            deps=deps,
            stdout=str(logs / f"{role}-%{{JOB_ID}}-%{{TASK_ID}}.out"),
            stderr=str(logs / f"{role}-%{{JOB_ID}}-%{{TASK_ID}}.err"),
        )

    with LocalCluster(server_dir=str(Path(server_dir) / "server")) as cluster:
        cluster.start_worker(WorkerConfig(cores=2))
        client = cluster.client()

        # max_fails=None: a failed batch must not cancel the others.
        first = Job(max_fails=None)
        sow = add(first, "sow")
        for _ in range(batches):
            add(first, "grow", deps=[sow])
        submitted = client.submit(first)
        first_ok = client.wait_for_jobs([submitted], raise_on_error=False)
        failed = sorted(int(t) for t in client.get_failed_tasks(submitted))

        second = Job(max_fails=None)
        check = add(second, "check")
        ids = ",".join(str(t) for t in failed)
        for _ in failed:
            add(second, "grow", {"HAYDI_CROP_BATCHES": ids}, deps=[check])
        resubmitted = client.submit(second)
        second_ok = client.wait_for_jobs([resubmitted], raise_on_error=False)
        second_failed = sorted(int(t) for t in client.get_failed_tasks(resubmitted))

    outputs = {p.name: p.read_text(errors="replace") for p in sorted(logs.iterdir())}
    Path(report).write_text(
        json.dumps(
            {
                "first_ok": first_ok,
                "failed": failed,
                "second_ok": second_ok,
                "second_failed": second_failed,
                "outputs": outputs,
            }
        )
    )


if __name__ == "__main__":
    main()
