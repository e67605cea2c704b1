"""scripts/mutation's pytest plugin: what it does to a run must not turn mutants into false kills."""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import sys
import types

from conftest import ROOT


def script():
    loader = importlib.machinery.SourceFileLoader("mutation_script", str(ROOT / "scripts" / "mutation"))
    spec = importlib.util.spec_from_loader("mutation_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_plugin_empties_caches_and_leaves_classes_that_define_cache_clear_alone(monkeypatch):
    """A class with a cache_clear method (markdown's parse cache) made the plugin call the unbound
    method: a TypeError in pytest_sessionstart, pytest's exit 3, which mutmut counts as a kill,
    so every one of load.py's 1,692 mutants was "killed" in 3 minutes."""
    plugin: dict = {}
    exec(script().PLUGIN, plugin)  # the plugin's text, as the scratch folder gets it

    calls = []

    @functools.cache
    def cached(x):
        calls.append(x)
        return x

    class Parses:
        def cache_clear(self):
            raise AssertionError("an instance's method, not the class's")

    fake = types.ModuleType("fakepkg.mod")
    fake.cached, fake.Parses = cached, Parses
    monkeypatch.setitem(sys.modules, "fakepkg.mod", fake)
    cached(1)
    plugin["_clear"]("fakepkg")
    cached(1)
    assert calls == [1, 1]  # emptied in between


def test_a_mutant_whose_run_was_a_pytest_internal_error_is_no_kill(tmp_path, monkeypatch):
    """mutmut lists pytest's exit 3 as "killed"; the score must not count it."""
    import json
    import subprocess

    mutation = script()
    (tmp_path / "mutants" / "authoring").mkdir(parents=True)
    (tmp_path / "mutants" / "authoring" / "load.py.meta").write_text(json.dumps(
        {"exit_code_by_key": {"authoring.load.x_a__mutmut_1": 1, "authoring.load.x_a__mutmut_2": 3,
                              "authoring.load.x_a__mutmut_3": 0}}))
    listed = ("    authoring.load.x_a__mutmut_1: killed\n    authoring.load.x_a__mutmut_2: killed\n"
              "    authoring.load.x_a__mutmut_3: survived\n")
    monkeypatch.setattr(mutation.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, listed))
    statuses = mutation.statuses_of(tmp_path, {})
    assert statuses == {
        "authoring.load.x_a__mutmut_1": "killed",
        "authoring.load.x_a__mutmut_2": "pytest internal error (no test ran: run its tests by hand)",
        "authoring.load.x_a__mutmut_3": "survived"}
    assert [n for n, s in statuses.items() if s in mutation.KILLED] == ["authoring.load.x_a__mutmut_1"]
