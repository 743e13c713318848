"""Worker processes: the cases of cases.py on DistributedContext(spawn_workers=2), a worker
killed during a run, an exception on a worker, and a pool on spawn:2. Each script runs in a
fresh interpreter (spawn re-executes the script: SPMD)."""

import json
import os
import subprocess
import sys
import tempfile

import pytest

from cases import cases

HERE = os.path.dirname(os.path.abspath(__file__))


def run_script(name, timeout=600, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([sys.executable, os.path.join(HERE, "scripts", name)],
                       capture_output=True, text=True, timeout=timeout, env=e,
                       cwd=HERE)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, p.stdout + p.stderr
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def spawn_results():
    return run_script("spawn_suite.py")


def test_spawn_has_two_workers(spawn_results):
    assert spawn_results["workers"] == 2
    assert spawn_results["size"] == 3


@pytest.mark.parametrize("name", sorted(cases()))
def test_spawn_case(spawn_results, name):
    assert spawn_results["results"][name] is True, spawn_results["results"][name]


def test_killed_worker_changes_nothing():
    with tempfile.TemporaryDirectory() as d:
        out = run_script("kill_worker.py", env={"HAYDI_TEST_DIR": d})
    assert out["killed"], "no worker was killed: the test did not test anything"
    assert out["equal"] and out["sum_equal"]


def test_exception_on_worker_names_the_chunk():
    out = run_script("worker_error.py")
    assert out["raised"]
    assert "ValueError: no 777 here" in out["message"]
    assert "chunk [" in out["message"]
    lo, hi = out["chunk"]
    assert lo <= 777 < hi


def test_pool_on_spawn():
    out = run_script("spawn_pool.py")
    assert out["len"] == 2
    assert out["map"] and out["map2"]
    assert out["submit"] == [4, 51]
    assert out["apply"] == [4950, 4950]


def test_processes_started_by_hand():
    script = os.path.join(HERE, "scripts", "by_hand.py")
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o700)
        env = dict(os.environ, HAYDI_SIZE="2", HAYDI_JOB_ID="by-hand-" + os.path.basename(d),
                   HAYDI_RENDEZVOUS=os.path.join(d, "rendezvous"))
        procs = [subprocess.Popen([sys.executable, script], env=dict(env, HAYDI_RANK=str(r)),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  cwd=HERE)
                 for r in (0, 1)]
        outs = [p.communicate(timeout=300) for p in procs]
    for p, (o, e) in zip(procs, outs):
        assert p.returncode == 0, o + e
    line = [ln for ln in outs[0][0].splitlines() if ln.startswith("{")]
    assert len(line) == 1, outs
    out = json.loads(line[0])
    assert out == {"size": 2, "rank": 0, "squares": True, "graphs": 156}
    assert not [ln for ln in outs[1][0].splitlines() if ln.startswith("{")]
