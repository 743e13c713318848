"""Runs: timeouts give a partial, serial-ordered result that says so; progress bars;
generate; items travel as plain Python objects; atoms, Set and Map pickle."""

import datetime
import pickle
import time

import haydi_rs as hd


def slow(x):
    time.sleep(0.001)
    return x


def test_timeout_gives_a_partial_result_that_says_so():
    out = hd.Range(100000).map(slow).collect().run_outcome(timeout=0.3)
    assert not out.complete
    assert 0 < out.processed < 100000
    assert out.total == 100000
    # the value is the serial result over the covered indices
    expected = [x for a, b in out.covered for x in range(a, b)]
    assert out.value == expected


def test_timeout_as_timedelta_and_max_under_timeout():
    r = hd.Range(10 ** 6).map(slow).max().run(timeout=datetime.timedelta(seconds=0.3))
    assert r is not None and r[0] > 0


def test_threads_timeout():
    out = hd.Range(100000).map(slow).collect().run_outcome(hd.ThreadContext(2), timeout=0.3)
    assert not out.complete
    expected = [x for a, b in out.covered for x in range(a, b)]
    assert out.value == expected


def test_progress_bar_run_gives_the_same_result(capfd):
    assert hd.Range(2000).map(lambda x: x + 1).run(progress=True) == list(range(1, 2001))


def test_generate_stays_in_domain():
    xs = hd.Range(-5, 10, 3).generate(300).run()
    assert len(xs) == 300 and set(xs) <= set(range(-5, 10, 3))
    ys = (hd.Range(3) * hd.Boolean()).generate().filter(lambda p: p[1]).take(50).run()
    assert len(ys) == 50 and all(p[1] for p in ys)
    assert hd.Subsets(hd.Range(4)).generate_one() in set(hd.Subsets(hd.Range(4)))


def test_items_are_plain_python_objects():
    a = hd.USet(2, "a")
    item = (hd.Range(2) * hd.Values([1.5, "s", [1, 2]]) * a).run()[4]
    assert item == (0, [1, 2], a.get(0)) and type(item) is tuple
    assert type(item[1]) is list
    s = hd.Subsets(hd.Range(3), set_class=frozenset).run()[3]
    assert s == frozenset({0, 1, 2}) and type(s) is frozenset


def test_atoms_set_map_pickle_as_values():
    a = hd.USet(3, "a")
    x = (a.get(2), hd.Set([a.get(0), 1]), hd.Map({a.get(1): "x"}))
    y = pickle.loads(pickle.dumps(x))
    assert y == x and hash(y) == hash(x)
    assert y[0].parent is a and repr(y[0]) == "a2"


def test_count_without_callables_and_with():
    assert hd.Range(10 ** 6).count().run(hd.ThreadContext(2)) == 10 ** 6
    assert hd.Range(10000).filter(lambda x: x % 3 == 0).count().run() == 3334


def test_compare_follows_the_item_order():
    a = hd.USet(2, "a")
    items = [(1, 2), 3, "x", (0,), None, True, a.get(0), 2.5]
    hd.sort(items)
    assert items == [True, 2.5, 3, "x", a.get(0), None, (0,), (1, 2)]
