"""authoring check: the fast parts (what export also runs) and the SpamAssassin part apart.

Run: python benchmarks/check.py [--runs N]
Prints median and best of N warm in-process runs of ``check_file`` without the spam and
browser parts for each sample (seed-sized issues; budget 100 ms warm), the same split into
building (export in memory) and the parts, what export's gate adds to an export, and one
SpamAssassin run per sample (a process each time: rule compilation dominates).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ["0321.yaml", "000_1d7dabc5e949b867.yaml", "001_0c676e81095fd596.yaml",
           "002_b0c842497fd11487.yaml"]
BUDGET_MS = 100


def report(name: str, times: list[float], budget: float | None = None) -> None:
    median = statistics.median(times) * 1000
    verdict = "" if budget is None else ("  within budget" if median <= budget else "  OVER BUDGET")
    print(f"{name:52} median {median:7.1f} ms   best {min(times) * 1000:7.1f} ms{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT))
    from authoring import markdown
    from authoring.check import CheckOptions, build, check_built, check_file, fast_parts, from_export
    from authoring.check.presend import build_export

    fast = CheckOptions(parts=fast_parts())
    spam = CheckOptions(parts={"spam"})

    def fresh():
        markdown.parse.cache_clear()  # each run counts as a fresh edit

    for name in SAMPLES:
        path = ROOT / "issues" / name
        check_file(path, fast)  # warm: imports, templates, caniemail snapshot
        report(f"check {name} (fast parts)", timed(lambda p=path: (fresh(), check_file(p, fast)), runs),
               BUDGET_MS)
        report("  build (export in memory)", timed(lambda p=path: (fresh(), build(p)), runs))
        built = build(path)
        report("  parts on a built issue", timed(lambda b=built: check_built(b, fast), runs))
    built_export = build_export(ROOT / "issues" / SAMPLES[0])
    gate = CheckOptions(parts=fast_parts(), figures=False)
    report(f"export's gate on {SAMPLES[0]} (fast parts, no figures)",
           timed(lambda: check_built(from_export(built_export), gate), runs))
    for name in SAMPLES[:2]:
        path = ROOT / "issues" / name
        built = build(path)
        report(f"SpamAssassin {name}", timed(lambda b=built: check_built(b, spam), 3))


if __name__ == "__main__":
    main()
