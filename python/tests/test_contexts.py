"""Every domain and action (cases.py) against its plain-Python oracle, on the serial
context (the default, and an explicit SerialContext), on threads, and through the
session's context."""

import pytest

import haydi_rs as hd
from cases import cases

CASES = cases()


def test_there_are_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_serial_default(name):
    run, expected = CASES[name]
    assert run(None) == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_serial_context(name):
    run, expected = CASES[name]
    assert run(hd.SerialContext()) == expected


THREADS = hd.ThreadContext(2)


@pytest.mark.parametrize("name", sorted(CASES))
def test_threads(name):
    run, expected = CASES[name]
    assert run(THREADS) == expected


@pytest.mark.parametrize("name", ["collect_chain", "groups", "cnfs_graphs_6_count"])
def test_session_context(name):
    run, expected = CASES[name]
    hd.session.set_parallel_context(hd.ThreadContext(2))
    try:
        assert hd.session.get_parallel_context() is not None
        assert run(True) == expected
    finally:
        hd.session.clear_parallel_context()
