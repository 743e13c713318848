"""Errors: a Python exception in a callable becomes CallableError naming the chunk, with
the original exception as its cause; bad input gets a clear error."""

import pytest

import haydi_rs as hd


def boom(x):
    if x == 123:
        raise ValueError("bad item 123")
    return x


@pytest.mark.parametrize("ctx", [None, hd.ThreadContext(2)], ids=["serial", "threads"])
def test_callable_exception_names_the_chunk(ctx):
    with pytest.raises(hd.CallableError) as info:
        hd.Range(1000).map(boom).run(ctx)
    e = info.value
    assert "ValueError: bad item 123" in str(e)
    lo, hi = e.chunk
    assert lo <= 123 < hi
    assert isinstance(e.__cause__, ValueError)
    assert str(e.__cause__) == "bad item 123"


def test_exception_in_key_and_reduce_functions():
    with pytest.raises(hd.CallableError, match="ZeroDivisionError"):
        hd.Range(10).max(lambda x: 1 // (x - 5)).run()
    with pytest.raises(hd.CallableError, match="TypeError"):
        hd.Range(10).reduce(lambda x, y: x + "s").run()


def test_exception_while_iterating_a_domain():
    with pytest.raises(ValueError, match="bad item 123"):
        list(hd.Range(1000).filter(lambda x: boom(x) >= 0))


def test_keyboard_interrupt_passes_through():
    def stop(x):
        raise KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        hd.Range(10).map(stop).run()


def test_bad_input():
    with pytest.raises(ValueError):
        hd.Range(0, 10, 0)
    with pytest.raises(hd.HaydiError, match="endless"):
        hd.Range(10).generate().run()
    with pytest.raises(hd.HaydiError, match="timeout"):
        hd.Range(10).run(timeout=-1)
    with pytest.raises(TypeError):
        hd.Range(10).run("threads")
    with pytest.raises(ValueError):
        hd.Subsets(hd.Range(3), set_class=list)
    with pytest.raises(hd.HaydiError, match="not a canonical form"):
        a0, a1, a2 = hd.USet(3, "a")
        hd.CnfValues((a0, a1))
    with pytest.raises(ValueError):
        hd.Product((hd.Range(2), hd.Range(2)), unordered=True)


def test_closed_context_refuses_runs():
    t = hd.ThreadContext(2)
    t.close()
    with pytest.raises(hd.HaydiError, match="closed"):
        hd.Range(3).run(t)


def test_nested_parallel_run_is_an_error():
    t = hd.ThreadContext(2)

    def inner(x):
        return hd.Range(3).run(t)
    with pytest.raises(hd.CallableError, match="nested parallel run"):
        hd.Range(2).map(inner).run(t)
    # a serial run inside a callable is fine
    assert hd.Range(2).map(lambda x: hd.Range(x + 1).run()).run(t) == [[0], [0, 1]]
