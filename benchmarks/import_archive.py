"""Import and render a synthetic archive: issues per second at several sizes, and one seed's import time.

The archive is built from the three seeds: issue k is seed k % 3 with the words of
each paragraph shuffled (labels, bullets and line shapes kept), so every issue is
seed-sized and different. Each issue is written to a temporary folder, imported with
``import_file`` (text → model → YAML) and rendered back with ``render_text``.

    python benchmarks/import_archive.py [--counts 100 300 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from authoring.importer import import_file, import_text
from authoring.render.text import render_text
from authoring.validate import load_publication

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PUBLICATION, _ = load_publication(ROOT / "issues" / "publication.yaml")
_LABEL = re.compile(r"^(\s*(?:[•-]\s+)?(?:[^:.!?]{1,60}:\s)?)(.*)$")


def vary(text: str, rng: random.Random) -> str:
    """The same layout with the words of each line shuffled (the line's lead and last word kept)."""
    out = []
    for line in text.split("\n"):
        lead, rest = _LABEL.match(line).groups()
        words = rest.split(" ")
        if len(words) > 3:
            middle = words[1:-1]
            rng.shuffle(middle)
            words = [words[0], *middle, words[-1]]
        out.append(lead + " ".join(words))
    return "\n".join(out)


def build_archive(folder: Path, count: int) -> list[Path]:
    rng = random.Random(20211027)
    texts = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    paths = []
    for k in range(count):
        path = folder / f"{k:05d}.txt"
        path.write_text(vary(texts[k % len(texts)], rng), encoding="utf-8")
        paths.append(path)
    return paths


def run(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        result = import_file(path, publication=PUBLICATION)
        render_text(result.issue, PUBLICATION)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 300, 1000])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        paths = build_archive(Path(tmp), max(args.counts))
        run(paths[:20])  # warm up: imports, regex compilation, caches
        print(f"{'issues':>8} {'seconds':>9} {'issues/s':>9} {'ms/issue':>9}")
        per_issue = []
        for count in args.counts:
            seconds = run(paths[:count])
            per_issue.append(seconds / count)
            print(f"{count:>8} {seconds:>9.2f} {count / seconds:>9.0f} {1000 * seconds / count:>9.2f}")
        spread = max(per_issue) / min(per_issue)
        print(f"time per issue varies by {100 * (spread - 1):.0f}% across sizes "
              f"({'linear' if spread < 1.25 else 'NOT linear'} growth)")

    print("\nimport of one whole seed (text → model → YAML), 30 warm runs:")
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        times = []
        for _ in range(30):
            start = time.perf_counter()
            import_text(text, source=seed.name, publication=PUBLICATION)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        print(f"  {seed.name}: median {median:.1f} ms, best {min(times) * 1000:.1f} ms "
              f"({'within' if median < 20 else 'OVER'} the 20 ms budget)")


if __name__ == "__main__":
    main()
