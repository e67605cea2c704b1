"""Cold start of `authoring validate` on each sample issue (budget: under 0.3 s).

Run: python benchmarks/validate.py [--runs N]
Times whole processes (python -m authoring validate FILE), so it measures imports
and start-up as a user meets them; prints median and best per sample.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_process(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    baseline = time_process([sys.executable, "-c", "pass"], runs)
    print(f"python start-up alone: median {statistics.median(baseline) * 1000:6.1f} ms")
    print(f"{'sample':34} {'median':>9} {'best':>9}")
    for path in sorted((ROOT / "issues").glob("*.yaml")):
        times = time_process([sys.executable, "-m", "authoring", "validate", str(path)], runs)
        print(f"{path.name:34} {statistics.median(times) * 1000:7.1f} ms {min(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
