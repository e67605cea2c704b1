"""``authoring site`` over synthetic archives: a full build, a rebuild with nothing changed, and one
after a single issue changed, at 100 and 1,000 issues (is the time per issue flat?).

Issue k is the 0321 sample with its own number, date and subject (every page, feed entry and
index line differs). Each size is built in its own folder; wall and CPU time are printed with the
load average they ran under (two cores shared with other work inflate wall time).

    python benchmarks/site.py [--counts 100 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path

from authoring.site import build_site, publish_site

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "issues" / "0321.yaml").read_text()
SUBJECT = "Robots that learn from video, a data-center boom, and a new course"


def make_archive(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", folder / "publication.yaml")
    shutil.copytree(ROOT / "issues" / "images", folder / "images")
    start = dt.date(2006, 1, 6)
    for k in range(1, count + 1):
        date = start + dt.timedelta(days=7 * k)
        text = (SAMPLE.replace("number: 321", f"number: {k}").replace("date: 2026-11-27", f"date: {date}")
                .replace(f'subject: "{SUBJECT}"', f'subject: "Issue {k}: {SUBJECT}"')
                .replace("issue-321/", f"issue-{k}/"))
        (folder / f"{k:05d}.yaml").write_text(text)
    return folder


def clock(func) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    per_issue: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        build_site(make_archive(Path(tmp) / "warm", 5))  # imports and template compiling apart
        for count in args.counts:
            folder = make_archive(Path(tmp) / f"issues-{count}", count)
            out = Path(tmp) / f"site-{count}"
            load = os.getloadavg()[0]
            wall, cpu, site = clock(lambda folder=folder: build_site(folder))
            print(f"{count:5d} issues: build in memory {wall:6.2f} s wall, {cpu:6.2f} s CPU "
                  f"({1000 * cpu / count:.1f} ms CPU an issue), {len(site.files)} files, "
                  f"{sum(map(len, site.files.values())) / 2**20:.1f} MB  [load {load:.1f}]")
            per_issue[count] = cpu / count
            wall, cpu, done = clock(lambda folder=folder, out=out: publish_site(folder, out))
            print(f"       first build + write  {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                  f"{len(done.written.written)} files written")
            wall, cpu, done = clock(lambda folder=folder, out=out: publish_site(folder, out))
            print(f"       rebuild, no change   {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                  f"{len(done.written.written)} written, {len(done.written.kept)} kept")
            middle = folder / f"{count // 2:05d}.yaml"
            middle.write_text(middle.read_text().replace("Issue ", "Changed issue ", 1))
            wall, cpu, done = clock(lambda folder=folder, out=out: publish_site(folder, out))
            print(f"       rebuild, one changed {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                  f"{len(done.written.written)} written ({', '.join(sorted(done.written.written)[:8])})")
    if len(per_issue) >= 2:
        small, large = min(per_issue), max(per_issue)
        print(f"CPU per issue, {large} vs {small}: {per_issue[large] / per_issue[small]:.2f}x "
              "(1.00 is linear)")


if __name__ == "__main__":
    main()
