"""How fast is rendering? Prints, for each sample issue, the median and best time of every stage.

Stages (warm: the process has rendered the issue before, as the preview and export do):
load (YAML), validate (model + checks), template (Jinja → MJML), MJML (MRML → HTML),
inline (premailer), text (plain-text part), and the whole pipeline run end to end.
Then the cold ``authoring render`` process, and the HTML size.

When node and npm are present the official MJML and juice are installed from npm into a
temporary folder and timed on the same intermediate MJML in the same run: a warm compile
plus juice inlining inside one node process, and the ``mjml`` CLI as a cold process.

Budget (2-core machine, seed-sized issue): warm pipeline < 20 ms median and below node's
warm compile + juice; cold ``authoring render`` below the cold ``mjml`` CLI.

    python benchmarks/render.py [ISSUE.yaml ...] [--runs 30] [--cold-runs 5] [--no-node]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from authoring import markdown  # noqa: E402
from authoring.load import load_file  # noqa: E402
from authoring.render import RenderOptions, render_file  # noqa: E402
from authoring.render import html as html_stage  # noqa: E402
from authoring.render.text import render_text  # noqa: E402
from authoring.validate import find_publication, load_publication, validate_document  # noqa: E402

WARMUP = 5
NODE_PACKAGES = ["mjml@5", "juice@11"]
NODE_FOLDER = Path(tempfile.gettempdir()) / "authoring-bench-node"
"""npm installs here once; later runs reuse it."""

NODE_WARM_JS = r"""
const fs = require('fs');
const mjml2html = require('mjml');
const juice = require('juice');
const src = fs.readFileSync(process.argv[2], 'utf8');
const runs = Number(process.argv[3]), warmup = Number(process.argv[4]);
const ms = (a, b) => Number(b - a) / 1e6;
(async () => {
  const t = {compile: [], juice: [], total: []};
  for (let i = 0; i < runs + warmup; i++) {
    const a = process.hrtime.bigint();
    const result = await mjml2html(src, {validationLevel: 'skip'});
    const b = process.hrtime.bigint();
    juice(result.html, {preserveMediaQueries: true, removeStyleTags: false});
    const c = process.hrtime.bigint();
    if (i >= warmup) { t.compile.push(ms(a, b)); t.juice.push(ms(b, c)); t.total.push(ms(a, c)); }
  }
  console.log(JSON.stringify(t));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def sample_issues() -> list[Path]:
    return sorted(p for p in (ROOT / "issues").glob("*.yaml") if p.name != "publication.yaml")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):8.2f} {min(times):8.2f}"


def warm_stages(path: Path, runs: int) -> tuple[dict[str, list[float]], str]:
    """Per-stage times in ms over ``runs`` warm runs, and the intermediate MJML."""
    publication_file = find_publication(path)
    publication, _ = load_publication(publication_file)
    options = RenderOptions(publication_dir=publication_file.parent if publication_file else None)
    stages: dict[str, list[float]] = {name: [] for name in
                                      ("load", "validate", "template", "MJML", "inline", "text", "pipeline")}
    mjml = ""
    for i in range(runs + WARMUP):
        # Each run is a fresh edit: no Markdown parsed in an earlier run may be reused
        # (the parse cache only serves validate, HTML and text within one render).
        markdown.parse.cache_clear()
        t_load, doc = timed(lambda: load_file(path))
        t_validate, validated = timed(lambda doc=doc: validate_document(doc, publication=publication))
        issue, links = validated.issue, html_stage.links_for(publication, options)
        t_template, mjml = timed(lambda issue=issue, links=links:
                                 html_stage.template(issue, publication, options, links))
        t_mjml, compiled = timed(lambda mjml=mjml: html_stage.compile_mjml(mjml))
        t_inline, _ = timed(lambda compiled=compiled: html_stage.inline(compiled))
        t_text, _ = timed(lambda issue=issue: render_text(issue, publication, options))
        if i >= WARMUP:
            for name, value in zip(stages, (t_load, t_validate, t_template, t_mjml, t_inline, t_text),
                                   strict=False):
                stages[name].append(value)
            stages["pipeline"].append(t_load + t_validate + t_template + t_mjml + t_inline + t_text)
    return stages, links.restore_merge_tags(mjml)


def authoring_command() -> list[str]:
    """The installed console script (what a user runs), else ``python -m authoring``."""
    script = Path(sys.executable).parent / "authoring"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "authoring"]


def cold_times(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def node_tools() -> Path | None:
    """The folder holding mjml and juice from npm, installing them when missing; None without node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("node or npm not found: official MJML not timed")
        return None
    if not all((NODE_FOLDER / "node_modules" / name).is_dir() for name in ("mjml", "juice")):
        print(f"installing {' '.join(NODE_PACKAGES)} from npm into {NODE_FOLDER} ...", flush=True)
        NODE_FOLDER.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([npm, "install", "--prefix", str(NODE_FOLDER), "--no-audit", "--no-fund",
                                 "--silent", *NODE_PACKAGES], capture_output=True, text=True)
        if result.returncode != 0:
            print(f"npm install failed, official MJML not timed:\n{result.stderr.strip()[-800:]}")
            return None
    (NODE_FOLDER / "warm.js").write_text(NODE_WARM_JS, encoding="utf-8")
    return NODE_FOLDER


def node_warm(folder: Path, mjml_file: Path, runs: int) -> dict[str, list[float]]:
    out = subprocess.run(["node", str(folder / "warm.js"), str(mjml_file), str(runs), str(WARMUP)],
                         capture_output=True, text=True, check=True, cwd=folder)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("issues", nargs="*", type=Path, help="issue files (default: issues/*.yaml)")
    parser.add_argument("--runs", type=int, default=30, help="warm runs per issue (at least 30 recommended)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold process runs")
    parser.add_argument("--no-node", action="store_true", help="skip the official MJML comparison")
    args = parser.parse_args()
    issues = args.issues or sample_issues()
    node = None if args.no_node else node_tools()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} warm runs, "
          f"{args.cold_runs} cold runs; times in ms (median, best)\n")

    with tempfile.TemporaryDirectory(prefix="authoring-bench-") as tmp:
        for path in issues:
            _, rendered = render_file(path)
            stages, mjml = warm_stages(path, args.runs)
            print(f"{path.name}: HTML {rendered.size / 1024:.1f} KB, "
                  f"text {len(rendered.text) / 1024:.1f} KB, MJML {len(mjml) / 1024:.1f} KB")
            print(f"  {'stage':<28} {'median':>8} {'best':>8}")
            for name, times in stages.items():
                print(f"  {name:<28} {summary(times)}")
            cold = cold_times([*authoring_command(), "render", str(path), "-o", tmp], args.cold_runs)
            print(f"  {'cold `authoring render`':<28} {summary(cold)}")
            if node is not None:
                mjml_file = Path(tmp) / f"{path.stem}.mjml"
                mjml_file.write_text(mjml, encoding="utf-8")
                warm = node_warm(node, mjml_file, args.runs)
                cli = [str(node / "node_modules" / ".bin" / "mjml"), str(mjml_file),
                       "-o", str(Path(tmp) / "node.html")]
                node_cold = cold_times(cli, args.cold_runs)
                print(f"  {'node mjml compile (warm)':<28} {summary(warm['compile'])}")
                print(f"  {'node juice inline (warm)':<28} {summary(warm['juice'])}")
                print(f"  {'node compile + juice (warm)':<28} {summary(warm['total'])}")
                print(f"  {'cold `mjml` CLI':<28} {summary(node_cold)}")
                html_times = [sum(run) for run in zip(stages["template"], stages["MJML"], stages["inline"],
                                                      strict=True)]
                ours, theirs = statistics.median(html_times), statistics.median(warm["total"])
                print(f"  warm, same work: template + MJML + inline is {theirs / ours:.1f}x as fast as "
                      f"node compile + juice ({ours:.1f} vs {theirs:.1f} ms)")
                ours = statistics.median(stages["pipeline"])
                print(f"  warm, whole pipeline (YAML to HTML + text) vs node compile + juice: "
                      f"{theirs / ours:.1f}x ({ours:.1f} vs {theirs:.1f} ms)")
                ours, theirs = statistics.median(cold), statistics.median(node_cold)
                print(f"  cold: `authoring render` is {theirs / ours:.2f}x as fast as the `mjml` CLI "
                      f"({ours:.0f} vs {theirs:.0f} ms)")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
