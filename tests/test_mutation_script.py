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


def test_each_kill_is_logged_with_its_test_and_mutant_and_nothing_else_is(tmp_path, monkeypatch):
    plugin: dict = {}
    exec(script().PLUGIN, plugin)
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "mutmut-kills.log"

    def report(nodeid, failed):
        return types.SimpleNamespace(nodeid=nodeid, failed=failed)

    for mutant, nodeid, failed in [("stats", "tests/t.py::a", True), ("", "tests/t.py::b", True),
                                   ("authoring.x.x_f__mutmut_3", "tests/t.py::c", False),
                                   ("authoring.x.x_f__mutmut_4", "tests/t.py::d", True),
                                   ("authoring.x.x_g__mutmut_1", "tests/t.py::d", True)]:
        monkeypatch.setenv("MUTANT_UNDER_TEST", mutant)
        plugin["pytest_runtest_logreport"](report(nodeid, failed))
    assert log.read_text() == ("tests/t.py::d\tauthoring.x.x_f__mutmut_4\n"
                               "tests/t.py::d\tauthoring.x.x_g__mutmut_1\n")


def test_tests_run_in_order_of_kills_per_second_with_a_tenth_of_a_kill_to_start(tmp_path, monkeypatch):
    """A mutant's run stops at its first failure: the corpus test that caught 30 mutants in 0.3 s
    runs before unit tests that caught none, and a slow test that caught one only after the fast
    tests that caught none."""
    import json

    plugin: dict = {}
    exec(script().PLUGIN, plugin)
    monkeypatch.chdir(tmp_path)
    times = {"corpus": 0.3, "unit": 0.002, "slow_unit": 0.02, "folder": 4.0, "kills_once": 0.01}
    (tmp_path / "mutmut-stats.json").write_text(json.dumps({"duration_by_test": times}))
    (tmp_path / "mutmut-kills.log").write_text("corpus\tm1\n" * 30 + "folder\tm2\n" + "kills_once\tm3\n")
    items = [types.SimpleNamespace(nodeid=n) for n in [*times, "new"]]  # "new": no time yet
    plugin["pytest_collection_modifyitems"](None, None, items)
    # per second: new 0.1/0.001 = 100, corpus 30.1/0.3 = 100.3, kills_once 110, unit 50, slow_unit 5,
    # folder 0.275
    assert [item.nodeid for item in items] == ["kills_once", "corpus", "new", "unit", "slow_unit", "folder"]


def test_the_heap_is_frozen_after_the_warm_up_and_never_after_a_mutants_run():
    """mutmut's fork server warms up with --collect-only; each run forks from it and, unfrozen,
    pytest's closing collections walked the whole inherited heap (half a killed mutant's time)."""
    import gc

    plugin: dict = {}
    exec(script().PLUGIN, plugin)
    gc.unfreeze()
    try:
        plugin["pytest_unconfigure"](types.SimpleNamespace(option=types.SimpleNamespace(collectonly=False)))
        assert gc.get_freeze_count() == 0
        plugin["pytest_unconfigure"](types.SimpleNamespace(option=types.SimpleNamespace(collectonly=True)))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
