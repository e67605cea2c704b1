"""Save → updated preview latency, in a real headless Chromium (target: median ≤ 100 ms on 0321).

Run: python benchmarks/preview.py [--edits N] [--issue FILE]
Starts `authoring preview` as a user would (its own process), opens the page in
Debian's Chromium, then edits the issue N times: each edit renames a headline and
is saved atomically (temporary file + rename, like most editors). The clock starts
just before the write and stops when the new headline is in the email frame's DOM;
it covers the file watcher, validation, rendering, the event push and the browser's
update (the pre-send check follows the render and is not waited for). Prints median / p90 /
worst, and the server's own build time for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from authoring.files import write_atomic  # noqa: E402

DEFAULT_ISSUE = ROOT / "issues" / "0321.yaml"
"""The hand-written issue with every block type and its images (issue 26's target is on it;
``--issue issues/001_0c676e81095fd596.yaml`` for the largest seed, about 2,600 words)."""
CHROMIUM = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
BUDGET_MS = 100

FRAME_HAS = """(marker) => {
  const frame = document.getElementById('email');
  const body = frame && frame.contentDocument && frame.contentDocument.body;
  return !!body && body.textContent.includes(marker);
}"""


def start_preview(issue: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "authoring", "preview", str(issue), "--port", "0", "--no-open"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
    if match is None:
        process.kill()
        raise SystemExit(f"preview did not start: {line!r}")
    return process, match.group(0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--issue", type=Path, default=DEFAULT_ISSUE)
    args = parser.parse_args()
    import httpx
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        issue = folder / args.issue.name
        shutil.copy(args.issue, issue)
        shutil.copy(ROOT / "issues" / "publication.yaml", folder / "publication.yaml")
        shutil.copytree(ROOT / "issues" / "images", folder / "images")
        source = issue.read_text(encoding="utf-8")
        headline = re.search(r"headline: (.+)", source).group(1).strip()
        words = len(re.findall(r"\w+", source))

        process, url = start_preview(issue)
        page_url, _, token = url.partition("?")  # the printed URL carries the session token
        state_url = page_url.rstrip("/") + "/state?" + token
        latencies: list[float] = []
        builds: list[float] = []
        try:
            executable = next(c for c in CHROMIUM if os.path.exists(c))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                page.wait_for_function(FRAME_HAS, arg=headline, timeout=30_000)
                for number in range(-3, args.edits):  # three warm-up edits, not counted
                    marker = f"{headline} (edit {number + 3})"
                    edited = source.replace(f"headline: {headline}", f"headline: {marker}", 1).encode()
                    started = time.perf_counter()
                    write_atomic(issue, edited)
                    page.wait_for_function(FRAME_HAS, arg=marker, polling="raf", timeout=10_000)
                    elapsed = time.perf_counter() - started
                    if number >= 0:
                        latencies.append(elapsed * 1000)
                        builds.append(httpx.get(state_url).json()["build_ms"])
                    time.sleep(0.15)  # let the page settle: edits stay separate saves
                browser.close()
        finally:
            process.terminate()
            process.wait(10)

    median = statistics.median(latencies)
    print(f"issue: {args.issue.name} ({words} words of YAML), {len(latencies)} edits")
    print(f"save → updated page: median {median:6.1f} ms   p90 {percentile(latencies, 0.9):6.1f} ms   "
          f"best {min(latencies):6.1f} ms   worst {max(latencies):6.1f} ms")
    print(f"server build (validate + render; the check comes after): median "
          f"{statistics.median(builds):6.1f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"target: median ≤ {BUDGET_MS} ms — {'holds' if median <= BUDGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
