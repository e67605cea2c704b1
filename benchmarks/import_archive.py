"""Import a synthetic archive: time per issue at several sizes (linear growth?), and one seed's import.

The archive is built from the three seeds: issue k is seed k % 3 with the words of
each paragraph shuffled (labels, bullets and line shapes kept), so every issue is
seed-sized and different. Each size is measured on its own files (no file is read
twice, so no size profits from the page cache or the parse cache of another), after a
warm-up on files of its own, and the sizes run in alternating order (small to large,
then large to small) so that a machine slowly heating up or cooling down does not pass
for growth. Each issue is read with ``import_file`` (text → model → YAML).

    python benchmarks/import_archive.py [--counts 100 300 1000] [--rounds 2]
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
from authoring.validate import load_publication

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CORPUS = sorted((ROOT / "tests" / "data" / "archive").glob("*.txt"))
"""The archive-shaped pages of the importer's corpus: every shape the recognisers read."""
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


BUDGET_MS = 20.0
"""Import time per seed-sized issue."""
WARM_UP = 30


def build_archive(folder: Path, count: int) -> list[Path]:
    rng = random.Random(20211027)
    texts = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    paths = []
    for k in range(count):
        path = folder / f"{k:05d}.txt"
        path.write_text(vary(texts[k % len(texts)], rng), encoding="utf-8")
        paths.append(path)
    return paths


def run(paths: list[Path]) -> tuple[float, float]:
    """Wall-clock and CPU seconds to import ``paths`` (CPU time: this process only, so other work on
    a shared machine does not count)."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        import_file(path, publication=PUBLICATION)
    return time.perf_counter() - start, time.process_time() - cpu


def schedule(counts: list[int], rounds: int) -> list[int]:
    """The sizes in alternating order: ascending, then descending, and so on."""
    order: list[int] = []
    for n in range(rounds):
        order += sorted(counts, reverse=bool(n % 2))
    return order


def measure(counts: list[int], rounds: int) -> dict[int, tuple[float, float]]:
    """Wall and CPU seconds per issue at each size: the best of its rounds, each on files of its own."""
    order = schedule(counts, rounds)
    per_issue: dict[int, list[tuple[float, float]]] = {count: [] for count in counts}
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_archive(Path(tmp), WARM_UP + sum(order))
        run(paths[:WARM_UP])  # imports, regex compilation, caches: not part of any measured set
        start = WARM_UP
        print(f"{'round':>5} {'issues':>8} {'seconds':>9} {'issues/s':>9} {'ms/issue':>9} {'CPU ms':>8}")
        for n, count in enumerate(order):
            files = paths[start:start + count]  # disjoint from every other set
            start += count
            seconds, cpu = run(files)
            per_issue[count].append((seconds / count, cpu / count))
            print(f"{n // len(counts) + 1:>5} {count:>8} {seconds:>9.2f} {count / seconds:>9.0f} "
                  f"{1000 * seconds / count:>9.2f} {1000 * cpu / count:>8.2f}")
    return {count: (min(w for w, _ in times), min(c for _, c in times)) for count, times in per_issue.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    best = measure(sorted(set(args.counts)), args.rounds)
    print("\nbest time per issue at each size (import: text → model → YAML):")
    for count, (wall, cpu) in best.items():
        print(f"  {count:>5} issues: {1000 * wall:.2f} ms per issue, {1000 * cpu:.2f} ms CPU "
              f"({'within' if 1000 * cpu <= BUDGET_MS else 'OVER'} the {BUDGET_MS:.0f} ms budget)")
    small, large = min(best), max(best)
    for what, k in (("wall", 0), ("CPU", 1)):
        growth = best[large][k] / best[small][k]
        print(f"growth ({what}): {large / small:.0f}x the issues take {growth * large / small:.1f}x the "
              f"time; time per issue ratio {growth:.2f} ({'linear' if growth < 1.25 else 'NOT linear'})")

    print("\nimport of one whole seed (text → model → YAML), 30 warm runs:")
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        times, cpu_times = [], []
        for _ in range(30):
            start, cpu = time.perf_counter(), time.process_time()
            import_text(text, source=seed.name, publication=PUBLICATION)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
        median, cpu_median = statistics.median(times) * 1000, statistics.median(cpu_times) * 1000
        print(f"  {seed.name}: median {median:.1f} ms ({cpu_median:.1f} ms CPU), best "
              f"{min(times) * 1000:.1f} ms ({'within' if cpu_median <= BUDGET_MS else 'OVER'} the "
              f"{BUDGET_MS:.0f} ms budget)")

    print(f"\nimport of the archive corpus ({len(CORPUS)} pages, every shape), 5 warm runs each:")
    texts = [(page.name, page.read_text(encoding="utf-8")) for page in CORPUS]
    per_page = []
    for name, text in texts:
        cpu_times = []
        for _ in range(5):
            cpu = time.process_time()
            import_text(text, source=name, publication=PUBLICATION)
            cpu_times.append(time.process_time() - cpu)
        per_page.append((min(cpu_times) * 1000, len(text), name))
    slowest = max(per_page)
    print(f"  CPU per page: median {statistics.median(p[0] for p in per_page):.2f} ms, slowest "
          f"{slowest[0]:.2f} ms ({slowest[2]}, {slowest[1]} characters)")


if __name__ == "__main__":
    main()
