"""Validation speed: cold `authoring validate` per sample, and memory over many files.

Run: python benchmarks/validate.py [--runs N] [--files N]

Cold start: whole processes (python -m authoring validate FILE), so it measures imports and
start-up as a user meets them, in CPU time (user + system of each process: what other
people's load on a shared machine hardly changes). Each round runs a bare `python -c pass`, the
floor (a Python that only imports our dependencies: Typer, PyYAML, markdown-it) and ours, one
after the other, so the three share the machine's speed of the moment. As with an installed
package, authoring's bytecode caches exist (a priming run writes them when this machine's
Python does not), and so do the remembered widths of the samples' local images (in a
temporary XDG cache folder); one more row times a first run, whose width cache is empty.
Budget (issue 26): ours ≤ 1.25× the floor per sample, as the median of each round's ratio.

Streaming: `authoring validate` over N/10 and N files (copies of the samples); its peak memory
(RSS) must stay flat, since each report is printed and dropped as its file is checked.
Budget: N files within 10% + 5 MB of N/10 files.

Pathological input: in process, issues whose one field is about 1 MB (refused by the 64 KB
field limit) or just under 64 KB (checked in full) of the hostile texts in
tests/data/hostile/make.py (unclosed link targets, backticks, autolinks, runs of URLs, many
links, deep nesting, alias amplification): every check must stay linear.
Budget: each ≤ 1 s.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import VALIDATE_DEPENDENCIES, bytecode_note, imports_only, paired_ratio, ratio_line

ROOT = Path(__file__).resolve().parent.parent
CACHE = tempfile.mkdtemp(prefix="authoring-bench-cache-")
"""The user cache folder of every run (image widths), apart from the real one; removed at exit."""
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": CACHE}
COLD_RATIO_BUDGET = 1.25
PATHOLOGICAL_BUDGET_S = 1.0
FIELD_BYTES = 990_000
"""Just under the 1 MB file limit, so the whole issue still loads."""

PEAK_PROBE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(json.dumps({"seconds": time.perf_counter() - start, "code": done.returncode,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_once(args: list[str]) -> float:
    return run_with_cpu(args)[0]


def run_with_cpu(args: list[str], env: dict[str, str] = ENV) -> tuple[float, float]:
    """(wall, CPU) seconds of one process; CPU time is what other people's load cannot inflate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def prime(path: Path) -> None:
    """Bytecode caches written (as installing a package does) and the disk cache warm, unmeasured."""
    env = {key: value for key, value in ENV.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "authoring", "validate", str(path)], cwd=ROOT,
                   capture_output=True, check=False, env=env)


def cold_runs(path: Path, runs: int, fresh_cache: bool = False) -> dict[str, list[float]]:
    """CPU seconds of ``runs`` rounds of three processes in turn (ABCABC...): a bare ``python -c
    pass``, the floor (a Python that only imports our dependencies) and ours, so that each
    round's three share the machine's speed of the moment; and the wall seconds of ours."""
    times: dict[str, list[float]] = {"bare": [], "floor": [], "ours": [], "wall": []}
    env = {key: value for key, value in ENV.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(runs):
        times["bare"].append(run_with_cpu([sys.executable, "-c", "pass"], env)[1])
        times["floor"].append(run_with_cpu(imports_only(sys.executable, VALIDATE_DEPENDENCIES), env)[1])
        if fresh_cache:
            env = {**env, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="cache-", dir=CACHE)}
        wall, used = run_with_cpu([sys.executable, "-m", "authoring", "validate", str(path)], env)
        times["ours"].append(used)
        times["wall"].append(wall)
    return times


def cold_row(name: str, times: dict[str, list[float]]) -> bool:
    """One line of the table; True when the paired ratio holds the budget."""
    ours, floor = times["ours"], times["floor"]
    ratio = paired_ratio(ours, floor)
    above = statistics.median(a - b for a, b in zip(ours, floor, strict=True))
    ok = ratio <= COLD_RATIO_BUDGET
    print(f"{name:34} {statistics.median(ours) * 1000:6.1f} ms {statistics.median(floor) * 1000:7.1f} ms "
          f"{statistics.median(times['bare']) * 1000:7.1f} ms {above * 1000:8.1f} ms "
          f"{statistics.median(times['wall']) * 1000:7.1f} ms   {ratio:5.2f}×  "
          f"≤ {COLD_RATIO_BUDGET:.2f}× {'holds' if ok else 'MISSED'}")
    return ok


def cold_start(runs: int) -> bool:
    """The paired ratio of cold validate to its floor, per sample; True when every sample holds."""
    samples = sorted((ROOT / "issues").glob("*.yaml"))
    print(f"Cold `authoring validate`, {runs} interleaved rounds each (bare Python, floor, ours; CPU "
          f"time of each process) (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(bytecode_note(ROOT))
    prime(samples[0])
    print(f"{'sample':34} {'CPU ours':>9} {'floor':>10} {'python':>10} {'ours-floor':>11} "
          f"{'wall ours':>10}   {'ratio to the floor'}")
    holds = True
    ratios = []
    for path in samples:
        run_once([sys.executable, "-m", "authoring", "validate", str(path)])  # disk cache, unmeasured
        times = cold_runs(path, runs)
        holds &= cold_row(path.name, times)
        ratios.append((path.name, paired_ratio(times["ours"], times["floor"]),
                       statistics.median(times["floor"]), paired_ratio(times["bare"], times["floor"])))
    first = ROOT / "issues" / "0321.yaml"
    cold_row(f"{first.name}, first run*", cold_runs(first, runs, fresh_cache=True))
    print("floor: a Python that imports only "
          f"{', '.join(VALIDATE_DEPENDENCIES)} and exits (what our code sits on); python: `python -c "
          "pass`; medians of the rounds; ratio: the median of each round's ours / floor")
    print("* an empty width cache: the retina check imports imagesize (with urllib, http.client, ssl) "
          "to read the local logo's width (not a target: once per image)")
    print(f"\nTarget: cold `authoring validate` ≤ {COLD_RATIO_BUDGET}× its floor (paired median)")
    for name, ratio, floor, bare in ratios:
        print(ratio_line(name, ratio, COLD_RATIO_BUDGET, f"floor {floor * 1000:.0f} ms CPU = 1×; "
                         f"Python alone {bare:.2f}× of it"))
    return holds


def peak(files: list[Path]) -> dict[str, float]:
    command = [sys.executable, "-m", "authoring", "validate", *map(str, files)]
    out = subprocess.run([sys.executable, "-c", PEAK_PROBE, *command], capture_output=True, text=True,
                         cwd=ROOT, env=ENV, check=True)
    return json.loads(out.stdout)


def streaming(count: int) -> bool:
    samples = sorted(p for p in (ROOT / "issues").glob("*.yaml") if p.name != "publication.yaml")
    with tempfile.TemporaryDirectory(prefix="authoring-validate-") as tmp:
        folder = Path(tmp)
        shutil.copy(ROOT / "issues" / "publication.yaml", folder / "publication.yaml")
        files = []
        for n in range(count):
            source = samples[n % len(samples)]
            files.append(folder / f"{n:05d}_{source.name}")
            shutil.copy(source, files[-1])
        small, big = peak(files[:max(1, count // 10)]), peak(files)
    flat = big["peak_mb"] <= small["peak_mb"] * 1.1 + 5
    print("\n`authoring validate` over many files (peak RSS of the process)")
    print(f"  {max(1, count // 10):5} files: {small['seconds']:6.2f} s, peak {small['peak_mb']:6.1f} MB")
    print(f"  {count:5} files: {big['seconds']:6.2f} s, peak {big['peak_mb']:6.1f} MB "
          f"({count / big['seconds']:.0f} files/s)")
    print(f"  memory flat (≤ 10% + 5 MB more): {'holds' if flat else 'MISSED'}")
    return flat


def _with_field(text: str) -> str:
    sys.path.insert(0, str(ROOT / "tests" / "data" / "hostile"))
    import make

    return make.HEAD + "stories:\n  - text:\n      body: |\n        " + text + "\n"


def _fields(size: int, links: int) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "tests" / "data" / "hostile"))
    import make

    return {
        "](  unclosed link targets": _with_field(make.code_or_url_field(size)),
        "`   unclosed backticks": _with_field(make.unclosed_backticks(size)),
        "<https:// unclosed autolinks": _with_field("'<https://" * (size // 10)),
        "https:// runs": _with_field(make.long_url_run(size)),
        f"links, {links:,} of them": _with_field(make.many_links(links)),
        "<a  unclosed HTML tags": _with_field("<a " * (size // 3)),
    }


def pathological() -> bool:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "data" / "hostile")]
    import make

    from authoring.checks import MAX_FIELD_BYTES
    from authoring.load import LoadError
    from authoring.validate import validate_text

    cases = {f"1 MB: {k}": v for k, v in _fields(FIELD_BYTES, 30_000).items()}
    cases |= {f"64 KB: {k}": v for k, v in _fields(MAX_FIELD_BYTES - 100, 1_900).items()}
    cases |= {"nested ** (10,000 pairs)": make.nested_emphasis(10_000),
              "aliases to a 100 KB scalar": make.alias_amplification(1_000, 100_000)}
    print(f"\n{'pathological input (in process)':40} {'bytes':>9} {'validate':>10}  errors")
    holds = True
    for name, text in cases.items():
        start = time.perf_counter()
        try:
            codes = sorted({d.code for d in validate_text(text).report.errors}) or ["clean"]
        except LoadError as exc:  # validate_text reports load errors; this is a safety net
            codes = [exc.diagnostic.code]
        seconds = time.perf_counter() - start
        flag = "" if seconds <= PATHOLOGICAL_BUDGET_S else "  OVER BUDGET"
        holds &= not flag
        print(f"{name:40} {len(text.encode()):9,} {seconds * 1000:8.0f} ms  {', '.join(codes)}{flag}")
    print(f"budget: each under {PATHOLOGICAL_BUDGET_S:g} s")
    return holds



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    atexit.register(shutil.rmtree, CACHE, ignore_errors=True)
    cold = cold_start(args.runs)
    flat = streaming(args.files)
    hostile = pathological()
    print(f"\nBudgets: cold validate ≤ {COLD_RATIO_BUDGET}× its floor {'holds' if cold else 'MISSED'}; "
          f"memory flat over {args.files} files {'holds' if flat else 'MISSED'}; "
          f"pathological input ≤ {PATHOLOGICAL_BUDGET_S:g} s each {'holds' if hostile else 'MISSED'}")


if __name__ == "__main__":
    main()
