"""Every public name of haydi_rs has a docstring with an example, and every example in
the package's docstrings runs (doctest)."""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import haydi_rs as hd

MODULES = sorted(m.name for m in pkgutil.walk_packages(hd.__path__, "haydi_rs.")
                 if not m.name.endswith("._native"))


def test_every_public_name_has_an_example():
    missing = []
    for name in hd.__all__:
        obj = getattr(hd, name)
        doc = inspect.getdoc(obj) or ""
        if ">>>" not in doc and "::" not in doc:
            missing.append(name)
    assert not missing, missing


def test_public_methods_are_documented():
    missing = []
    for cls in (hd.Domain, hd.Pipeline, hd.Pool, hd.DistributedContext, hd.Set, hd.Map,
                hd.DLTS, hd.TaskHandle, hd.RemoteObject):
        for name, member in vars(cls).items():
            if name.startswith("_") or not callable(member):
                continue
            if not (inspect.getdoc(member) or ""):
                missing.append("{}.{}".format(cls.__name__, name))
    assert not missing, missing


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    m = importlib.import_module(module)
    failures, _ = doctest.testmod(m, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_there_are_examples():
    total = sum(doctest.testmod(importlib.import_module(m)).attempted for m in MODULES)
    assert total > 60
