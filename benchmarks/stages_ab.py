"""Template and text stages of two trees of this project, A/B interleaved: CPU ms per seed sample.

The warm template (Jinja → MJML, with ``links_for``) and text (plain-text alternative) stages
as ``benchmarks/render.py`` times them in its "every field new" reading: before each run every
cache keyed by the text is emptied (each tree's own ``forget_content``) and the issue validated
again (validation parses the fields first, as in the pipeline), then the two stages are timed
with ``time.process_time`` (what the load of a shared machine cannot inflate). Each tree runs in
a worker process of its own, given batches in turn (ABBA...), so that the machine's changes of
speed fall on both alike.

    python benchmarks/stages_ab.py OLD_TREE [NEW_TREE] [--rounds 30] [--batch 10]

OLD_TREE is a checkout of the code to compare with (``git worktree add /tmp/base main``);
NEW_TREE defaults to this one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("template", "text")

WORKER = r"""
import json, sys, time
from pathlib import Path
tree = sys.argv[1]
sys.path.insert(0, tree)
sys.path.insert(0, str(Path(tree, "benchmarks")))
from render import forget_content  # the tree's own "every field new": each cache keyed by the text
from authoring.load import load_file
from authoring.render import RenderOptions
from authoring.render import html as html_stage
from authoring.render.text import render_text
from authoring.validate import find_publication, load_publication, validate_document

def prepared(path):
    publication_file = find_publication(path)
    publication, _ = load_publication(publication_file)
    options = RenderOptions(publication_dir=publication_file.parent if publication_file else None)
    return path.name[:3], load_file(path), publication, options

samples = [prepared(p) for p in sorted(Path(tree, "issues").glob("[0-9][0-9][0-9]_*.yaml"))]
clock = time.process_time
for line in sys.stdin:
    times = {}
    for name, document, publication, options in samples:
        runs = times[name] = {"template": [], "text": []}
        for _ in range(int(line)):
            forget_content()
            issue = validate_document(document, publication=publication).issue
            start = clock()
            html_stage.template(issue, publication, options, html_stage.links_for(publication, options))
            middle = clock()
            render_text(issue, publication, options)
            end = clock()
            runs["template"].append((middle - start) * 1000)
            runs["text"].append((end - middle) * 1000)
    print(json.dumps(times), flush=True)
"""

Times = dict[str, dict[str, list[float]]]
"""sample → stage → CPU ms of each run."""


def start_worker(tree: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(tree)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def batch(worker: subprocess.Popen[str], runs: int) -> Times:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(f"{runs}\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def interleaved(trees: dict[str, Path], rounds: int, runs: int) -> dict[str, Times]:
    workers = {label: start_worker(tree) for label, tree in trees.items()}
    for worker in workers.values():
        batch(worker, runs)  # warm-up, unmeasured
    collected: dict[str, Times] = {label: {} for label in trees}
    order = list(workers)
    for round_number in range(rounds):
        for label in order if round_number % 2 == 0 else reversed(order):
            for sample, stages in batch(workers[label], runs).items():
                for stage, values in stages.items():
                    collected[label].setdefault(sample, {}).setdefault(stage, []).extend(values)
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.close()
        worker.wait()
    return collected


def with_sum(stages: dict[str, list[float]]) -> dict[str, list[float]]:
    """The stages and, run by run, both together."""
    return {**stages, "both": [sum(run) for run in zip(*(stages[s] for s in STAGES), strict=True)]}


def print_table(collected: dict[str, Times]) -> None:
    old, new = collected["old"], collected["new"]
    print(f"{'sample':<7}{'stage':<10}{'old median':>11}{'old best':>9}{'new median':>11}{'new best':>9}"
          f"{'Δ median':>10}{'Δ best':>8}")
    for sample in old:
        before, after = with_sum(old[sample]), with_sum(new[sample])
        for stage in (*STAGES, "both"):
            a, b = before[stage], after[stage]
            median_a, median_b, best_a, best_b = statistics.median(a), statistics.median(b), min(a), min(b)
            print(f"{sample:<7}{stage:<10}{median_a:11.3f}{best_a:9.3f}{median_b:11.3f}{best_b:9.3f}"
                  f"{(median_b / median_a - 1) * 100:9.0f}%{(best_b / best_a - 1) * 100:7.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=ROOT)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    collected = interleaved({"old": args.old.resolve(), "new": args.new.resolve()}, args.rounds, args.batch)
    print(f"CPU ms (process_time) of the warm template and text stages, every field new; "
          f"{args.rounds * args.batch} runs a tree, interleaved in batches of {args.batch}")
    print(f"old: {args.old}\nnew: {args.new}")
    print_table(collected)


if __name__ == "__main__":
    main()
