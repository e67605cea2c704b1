"""Do big issues cost in proportion to their size? 100, 1,000 and 10,000 stories, stage by stage.

Each size is one issue of 0321's stories repeated, every story made distinct (its number added to
each of its texts, never to a link or an image), so that no cache keyed by the text serves one
story for another; every fourth story has a finding placed inside a text (an ``http:`` link
reading "click here" in its body or dek: insecure-url, vague-link-text) and every tenth one keeps
its headline unnumbered (duplicate-headline), so that the diagnostics grow with the issue too.
10,000 such stories are 4.6 MB of YAML, past the 1 MB an issue file may hold: the issues are
given as text (``load_text``), as an editor or the preview would.

Each size runs in a worker process of its own, asked in turn for one run (the order turned every
round, so that the machine's changes of speed fall on all alike); before each run every cache keyed
by the text is emptied (``benchmarks/render.py``'s "every field new"). CPU time of each stage
(``time.process_time``): load (YAML), validate (the model and the checks), template (Jinja →
MJML), MRML (MJML → HTML), inline (css-inline), text (the plain-text part), finish (the merge
tags put back, then ``render.finish``: the email service's rewriting and neutralising, the
size, as ``render_issue`` ends), each with Python's cyclic garbage collector held off as the pipeline holds it
(``load.cycles_uncollected``: load, validate and ``render_issue``, which runs the five others);
then, the document, the model and the HTML let go as the commands let them go, report (the
diagnostics as the terminal shows them, each with its line) and the collector's pass over what
the run left in its youngest generation (collector); and all together.

``--check``: also ``authoring check``'s fast parts (as the preview runs them: every part but
the spam score and the browser audit) on the validated issue, timed apart (check), not in all.

Target (issue 26): all together, 1,000 stories ≤ 11× 100 and 10,000 ≤ 11× 1,000, as the median
of the per-round ratios; each stage's ratios are printed beside it.

    python benchmarks/scale.py [--rounds 3] [--sizes 100 1000 10000] [--check]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("load", "validate", "template", "MRML", "inline", "text", "finish", "report", "collector")
TARGET = 11.0

WORKER = r"""
import gc, json, re, sys, time
from pathlib import Path
root = Path(sys.argv[1]); stories = int(sys.argv[2]); checked = sys.argv[3] == "check"
sys.path.insert(0, str(root)); sys.path.insert(0, str(root / "benchmarks"))
import yaml
from render import forget_content
from authoring.load import _COLLECTOR_PAUSE, load_text
from authoring import render
from authoring.render import RenderOptions
from authoring.render import html as html_stage
from authoring.render.text import render_text
from authoring.validate import load_publication, validate_document

def numbered(value, n, key=None):
    if isinstance(value, dict):
        return {k: numbered(item, n, k) for k, item in value.items()}
    if isinstance(value, list):
        return [numbered(item, n) for item in value]
    if key == "headline" and n % 10 == 0:
        return value  # the same headline as the story ten before: duplicate-headline
    if isinstance(value, str) and "://" not in value and not re.search(r"\.(png|jpe?g|gif)$", value):
        if key in ("body", "dek") and n % 4 == 0:
            return f"{value} ({n}), [click here](http://example.org/{n})"
        return f"{value} ({n})"
    return value

data = yaml.safe_load((root / "issues" / "0321.yaml").read_text(encoding="utf-8"))
base = data["stories"]
data["stories"] = [numbered(base[n % len(base)], n) for n in range(stories)]
text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=80)
publication, _ = load_publication(root / "issues" / "publication.yaml")
options = RenderOptions(publication_dir=root / "issues", inliner="css-inline")
file = str(root / "issues" / f"scale_{stories}.yaml")
clock = time.process_time

def stages(times):
    def timed(stage, work):
        start = clock()
        result = work()
        times[stage] = clock() - start
        return result

    document = timed("load", lambda: load_text(text, file))
    validated = timed("validate", lambda: validate_document(document, publication=publication))
    assert validated.issue is not None and len(validated.issue.stories) == stories
    issue = validated.issue
    with _COLLECTOR_PAUSE:  # as render_issue runs the five
        links = html_stage.links_for(publication, options)
        mjml = timed("template", lambda: html_stage.template(issue, publication, options, links))
        html = timed("MRML", lambda: html_stage.compile_mjml(mjml))
        inlined = timed("inline", lambda: html_stage.inline(html, None, "css-inline"))
        plain = timed("text", lambda: render_text(issue, publication, options))

        def finish():  # as html.render_parts ends and render_issue goes on
            markup = links.restore_merge_tags(inlined)
            return render.finish(markup, plain, lambda: mjml, publication, options, []).size

        size = timed("finish", finish)
    if checked:
        from authoring.check import CheckOptions, check_built, fast_parts, from_validated

        validated.publication_file = root / "issues" / "publication.yaml"
        options_ = CheckOptions(parts=fast_parts())
        timed("check", lambda: check_built(from_validated(validated), options_))
    return validated.report, size

def run():
    forget_content()
    gc.collect()  # each run from the same start
    times = {}
    report, html_size = stages(times)
    start = clock(); report.format_text(); times["report"] = clock() - start
    start = clock(); gc.collect(0); times["collector"] = clock() - start
    return ({stage: seconds * 1000 for stage, seconds in times.items()}, len(text), html_size,
            len(report.diagnostics))

run()  # warm: imports, templates compiled
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    times, yaml_size, html_size, findings = run()
    print(json.dumps({"times": times, "yaml": yaml_size, "html": html_size, "findings": findings}),
          flush=True)
"""


def ask(worker: subprocess.Popen[str]) -> dict:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("run\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--check", action="store_true", help="also time check's fast parts")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    workers = {size: subprocess.Popen([sys.executable, "-c", WORKER, str(ROOT), str(size),
                                       "check" if args.check else "-"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for size in sizes}
    for worker in workers.values():
        assert worker.stdout is not None
        json.loads(worker.stdout.readline())  # ready
    runs: dict[int, list[dict]] = {size: [] for size in sizes}
    for round_ in range(args.rounds):
        for size in sizes if round_ % 2 == 0 else list(reversed(sizes)):
            runs[size].append(ask(workers[size]))
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.close()
        worker.wait()

    stages = (*STAGES, "check") if args.check else STAGES

    def total(run: dict) -> float:
        return sum(ms for stage, ms in run["times"].items() if stage != "check")

    print(f"CPU ms per stage, median of {args.rounds} interleaved rounds (every field new); "
          "0321's stories, each made distinct")
    print(f"{'stories':>8} {'YAML':>9} {'HTML':>10} {'findings':>8} " + " ".join(f"{s:>9}" for s in stages)
          + f" {'all':>9}")
    for size in sizes:
        first = runs[size][0]
        medians = [statistics.median(r["times"][s] for r in runs[size]) for s in stages]
        print(f"{size:>8} {first['yaml'] / 1e6:7.2f}MB {first['html'] / 1e6:8.2f}MB {first['findings']:>8} "
              + " ".join(f"{m:9.1f}" for m in medians)
              + f" {statistics.median(total(r) for r in runs[size]):9.1f}")
    ok = True
    print(f"\nRatios, larger / smaller (median of per-round ratios); linear is {sizes[1] // sizes[0]}×"
          if len(sizes) > 1 else "")
    for small, big in zip(sizes, sizes[1:], strict=False):
        per_stage = {s: statistics.median(b["times"][s] / a["times"][s]
                                          for a, b in zip(runs[small], runs[big], strict=True))
                     for s in stages}
        whole = statistics.median(total(b) / total(a) for a, b in zip(runs[small], runs[big], strict=True))
        bound = TARGET * big / small / 10
        holds = whole <= bound
        ok &= holds
        print(f"  {big:>6} / {small:<6} all {whole:5.1f}×  (target ≤ {bound:.0f}×: "
              f"{'holds' if holds else 'MISSED'});  "
              + ", ".join(f"{s} {r:.1f}×" for s, r in per_stage.items()))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
