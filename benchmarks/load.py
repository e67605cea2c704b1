"""The load stage, this tree against another (before/after), interleaved A/B.

    python benchmarks/load.py --base DIR [--runs 300] [--cold 15] [ISSUE.yaml ...]

``DIR`` is another checkout of the project (e.g. ``git worktree add /tmp/base main``).

Warm: one worker process per tree, each importing its own ``authoring``, asked in turn (ABAB,
the order swapped every run) to time, in CPU milliseconds (``time.process_time``, which the load
of a shared machine does not inflate as it does wall time), with every cache keyed by the text
emptied first (the "every field new" reading of benchmarks/render.py):
  load      ``load_file`` of the issue;
  locate    placing every finding of the issue's validation that points inside a text
            (``Document.locate_offset``), as validation does;
  validate  ``validate_document``, locating included.
Cold (``--cold N`` pairs, 0 to skip): ``python -X importtime -m authoring validate ISSUE`` of each
tree in turn, with bytecode caches as an installed package has them (in a temporary folder,
whatever PYTHONDONTWRITEBYTECODE says); printed: the self import time of the loader's modules
and the whole process's CPU time (user + system).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(p for p in (ROOT / "issues").glob("[0-9][0-9][0-9]_*.yaml"))
WARMUP = 20
STAGES = ("load", "locate", "validate")
COLD_MODULES = ("authoring.load", "authoring.scalars", "authoring.diagnostics")

WORKER = r"""
import json, sys, time
from authoring import load, markdown
from authoring.validate import validate_document

def forget():
    markdown.parse.cache_clear()
    load._line_starts.cache_clear()
    load._source_offsets.cache_clear()

def findings(doc):
    # what validation locates inside texts: (path, offset) of each finding, asked of the checks
    located = []
    real = type(doc).locate_offset
    def spy(self, path, offset):
        located.append((path, offset))
        return real(self, path, offset)
    type(doc).locate_offset = spy
    try:
        validate_document(doc)
    finally:
        type(doc).locate_offset = real
    return located

asked = {}
for line in sys.stdin:
    path = line.strip()
    if path not in asked:
        asked[path] = findings(load.load_file(path))
    forget()
    start = time.process_time()
    doc = load.load_file(path)
    loaded = time.process_time()
    for where, offset in asked[path]:
        doc.locate_offset(where, offset)
    located = time.process_time()
    forget()
    doc = load.load_file(path)
    validate_start = time.process_time()
    validate_document(doc)
    validated = time.process_time()
    print(json.dumps({"load": (loaded - start) * 1000, "locate": (located - loaded) * 1000,
                      "validate": (validated - validate_start) * 1000}), flush=True)
"""


def worker(tree: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WORKER], cwd=tree, text=True,
                            env={**os.environ, "PYTHONPATH": str(tree)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def ask(process: subprocess.Popen[str], issue: Path) -> dict[str, float]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{issue}\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def change(before: list[float], after: list[float]) -> str:
    median = statistics.median(after) / statistics.median(before) - 1
    best = min(after) / min(before) - 1
    return f"{median:+6.0%} median {best:+6.0%} best"


def warm(trees: dict[str, Path], issues: list[Path], runs: int) -> None:
    workers = {name: worker(tree) for name, tree in trees.items()}
    print(f"warm, CPU ms, {runs} interleaved runs each (median / best)")
    print(f"  {'issue':<28} {'stage':<9} {'before':>17} {'after':>17}  change")
    try:
        for issue in issues:
            times: dict[str, dict[str, list[float]]] = {name: {s: [] for s in STAGES} for name in trees}
            for run in range(runs + WARMUP):
                for name in (list(trees) if run % 2 == 0 else list(trees)[::-1]):
                    result = ask(workers[name], issue)
                    if run >= WARMUP:
                        for stage in STAGES:
                            times[name][stage].append(result[stage])
            before, after = times["before"], times["after"]
            for stage in STAGES:
                print(f"  {issue.name:<28} {stage:<9} "
                      f"{statistics.median(before[stage]):8.3f} {min(before[stage]):8.3f} "
                      f"{statistics.median(after[stage]):8.3f} {min(after[stage]):8.3f}  "
                      f"{change(before[stage], after[stage])}", flush=True)
    finally:
        for process in workers.values():
            assert process.stdin is not None
            process.stdin.close()
            process.wait()


def cold_run(tree: Path, issue: Path, env: dict[str, str]) -> dict[str, float]:
    """Self import time (ms) of COLD_MODULES and the CPU time of one cold validate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "authoring", "validate", str(issue)],
                          cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"cpu": (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)$", line)
        if match and match.group(2) in COLD_MODULES:
            out[match.group(2)] = int(match.group(1)) / 1000
    return out


def cold(trees: dict[str, Path], issue: Path, pairs: int) -> None:
    with tempfile.TemporaryDirectory() as caches:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = caches
        for tree in trees.values():  # priming: write the bytecode caches
            cold_run(tree, issue, env)
        times: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
        for pair in range(pairs):
            for name in (list(trees) if pair % 2 == 0 else list(trees)[::-1]):
                for key, value in cold_run(trees[name], issue, env).items():
                    times[name].setdefault(key, []).append(value)
    print(f"\ncold `authoring validate {issue.name}`, {pairs} interleaved pairs, ms (median / best)")
    for key in (*COLD_MODULES, "cpu"):
        before, after = times["before"].get(key), times["after"].get(key)
        if not before or not after:
            continue
        label = f"{key} (self import)" if key != "cpu" else "whole process (CPU, user + system)"
        print(f"  {label:<36} {statistics.median(before):8.2f} {min(before):8.2f} "
              f"{statistics.median(after):8.2f} {min(after):8.2f}  {change(before, after)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("issues", nargs="*", type=Path, help="issue files (default: the seed samples)")
    parser.add_argument("--base", type=Path, required=True, help="the other tree (before)")
    parser.add_argument("--runs", type=int, default=300, help="warm runs per issue and tree")
    parser.add_argument("--cold", type=int, default=15, help="pairs of cold runs (0: none)")
    args = parser.parse_args()
    trees = {"before": args.base.resolve(), "after": ROOT}
    issues = [issue.resolve() for issue in args.issues] or SEEDS
    warm(trees, issues, args.runs)
    if args.cold:
        cold(trees, issues[-1], args.cold)


if __name__ == "__main__":
    main()
