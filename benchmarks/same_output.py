"""Is the output byte-identical? Digests of everything the renderer makes, saved and compared.

A speed change must not change a byte of what is sent. This renders a wide family of issues,
every way the toolkit renders them, and prints one SHA-256 per output:

- every tracked issue in ``issues/`` (the samples and 0321);
- every plain-text page of ``seeds/`` and ``tests/data/archive/`` imported (``import_text``),
  the YAML it gives and that YAML rendered (the importer's shapes: glued lines, clutter,
  transcripts, promos, features);
- a synthetic issue of 300 stories (0321's stories repeated), for the long-issue paths;

each as email and web, draft and final, with css-inline and premailer: HTML, plain text and
MJML, plus the validation report (codes, locations and messages).

    python benchmarks/same_output.py --save /tmp/before.json     # on the old tree
    python benchmarks/same_output.py --compare /tmp/before.json  # on the new: exit 1 on a change
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from authoring.diagnostics import AuthoringError, Level  # noqa: E402
from authoring.importer import import_text  # noqa: E402
from authoring.render import RenderOptions, render_issue  # noqa: E402
from authoring.validate import validate_file  # noqa: E402

PUBLICATION = ROOT / "issues" / "publication.yaml"
OPTIONS = {
    f"{mode}-{'draft' if draft else 'final'}-{inliner}": RenderOptions(
        mode=mode, draft=draft, inliner=inliner, publication_dir=ROOT / "issues")  # type: ignore[arg-type]
    for mode in ("email", "web") for draft in (True, False) for inliner in ("css-inline", "premailer")
}


def tracked(pattern: str) -> list[Path]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", pattern], capture_output=True,
                            text=True, check=True).stdout.split()
    return sorted(ROOT / name for name in listed)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def report_text(validated: object, folder: Path) -> str:
    """The report as the CLI prints it, the temporary folder's name taken out."""
    report = validated.report  # type: ignore[attr-defined]
    return report.format_text().replace(str(folder), "<folder>")


def render_all(name: str, path: Path, out: dict[str, str]) -> None:
    folder = path.parent
    for level in (Level.DRAFT, Level.EXPORT):
        try:
            validated = validate_file(path, level=level, publication_file=PUBLICATION)
        except AuthoringError as error:
            out[f"{name} validate-{level.name}"] = digest(str(error).replace(str(folder), "<folder>"))
            continue
        out[f"{name} validate-{level.name}"] = digest(report_text(validated, folder))
    if validated.issue is None or validated.report.errors and any(
            d.code != "unsubscribe-missing" for d in validated.report.errors):
        validated = validate_file(path, level=Level.DRAFT, publication_file=PUBLICATION)
        if validated.issue is None:
            return
    for label, options in OPTIONS.items():
        try:
            rendered = render_issue(validated.built_issue, validated.publication, options)
        except AuthoringError as error:
            out[f"{name} {label}"] = digest(str(error))
            continue
        out[f"{name} {label} html"] = digest(rendered.html)
        out[f"{name} {label} text"] = digest(rendered.text)
        out[f"{name} {label} mjml"] = digest(rendered.mjml)


def synthetic(folder: Path, stories: int) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "issues" / "0321.yaml").read_text(encoding="utf-8"))
    base = data["stories"]
    data["stories"] = [base[i % len(base)] for i in range(stories)]
    path = folder / f"synthetic_{stories}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def outputs() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in tracked("issues/*.yaml"):
        if path.name != "publication.yaml":
            render_all(path.name, path, out)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for page in tracked("seeds/*.txt") + tracked("tests/data/archive/*.txt"):
            name = f"{page.parent.name}/{page.name}"  # the YAML names it: not where the checkout is
            try:
                imported = import_text(page.read_text(encoding="utf-8"), source=name)
            except AuthoringError as error:
                out[f"{name} import"] = digest(str(error))
                continue
            out[f"{name} import"] = digest(imported.yaml)
            target = folder / (page.stem + ".yaml")
            target.write_text(imported.yaml, encoding="utf-8")
            render_all(name, target, out)
        render_all("synthetic_300", synthetic(folder, 300), out)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the digests to this JSON file")
    group.add_argument("--compare", type=Path, help="compare with digests saved before")
    args = parser.parse_args()
    now = outputs()
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(now)} outputs saved to {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    changed = sorted(k for k in before.keys() & now.keys() if before[k] != now[k])
    missing, new = sorted(before.keys() - now.keys()), sorted(now.keys() - before.keys())
    for label, names in (("changed", changed), ("gone", missing), ("new", new)):
        for name in names:
            print(f"{label}: {name}")
    same = len(before.keys() & now.keys()) - len(changed)
    print(f"{same} of {len(before)} outputs byte-identical"
          + ("" if changed or missing or new else " (all)"))
    return 1 if changed or missing or new else 0


if __name__ == "__main__":
    raise SystemExit(main())
