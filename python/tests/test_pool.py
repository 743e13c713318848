"""Pools on threads and serial (spawn: test_spawn.py): map keeps order, submit, apply
once per worker, push stores by content, exceptions name the task."""

import pytest

import haydi_rs as hd


@pytest.fixture(params=["serial", "threads:2"])
def pool(request):
    return hd.Pool.by_name(request.param)


def test_map_keeps_order(pool):
    assert pool.map(lambda x: x * 3, range(100)) == [x * 3 for x in range(100)]
    assert pool.map(lambda a, b: a - b, [5, 6], [1, 1]) == [4, 5]
    assert pool.map(lambda x: x, []) == []


def test_submit_and_wait(pool):
    hs = [pool.submit(lambda a, b=1: a + b, i, b=10) for i in range(8)]
    assert [h.wait() for h in hs] == [i + 10 for i in range(8)]


def test_apply_once_per_worker(pool):
    assert pool.apply(lambda: "hi") == ["hi"] * len(pool)
    assert pool.apply_indexed(lambda w: w) == list(range(len(pool)))


def test_push_and_remote_arguments(pool):
    r = pool.push({"k": [1, 2, 3]})
    assert pool.map(lambda k, d: d[k][0], ["k"], [r]) == [1]
    assert pool.submit(lambda d: len(d["k"]), r).wait() == 3
    r.remove()
    with pytest.raises(hd.HaydiError):
        r.get()


def test_scatter_list(pool):
    parts = pool.scatter_list(list(range(1, 11)))
    assert sum(pool.apply_indexed(lambda w: sum(parts[w].get()))) == 55


def test_exception_in_task_names_it(pool):
    with pytest.raises(hd.CallableError, match="task 2"):
        pool.map(lambda x: 1 // (x - 2), range(4))
    with pytest.raises(hd.CallableError):
        pool.submit(lambda: [][1]).wait()
