"""Create a fresh issue file from the ``new-issue.yaml`` template, numbered and dated.

The letter's sign-off and signature and the promo's kicker come from the publication's
``new_issue:`` settings (``authoring init`` writes them), never from another publication."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from authoring import model
from authoring.diagnostics import AuthoringError
from authoring.files import write_atomic
from authoring.paths import find_schema, templates_dir
from authoring.schema import SCHEMA_ID

TEMPLATE = "new-issue.yaml.j2"

MAX_NUMBER = 999_999
"""Issue numbers run from 1 to this (a weekly would take 19,000 years to reach it)."""

_NUMBER = re.compile(r"^\s+number:\s*(\d+)\s*$", re.MULTILINE)


def next_number(folder: Path) -> int:
    """One more than the highest issue number found in the folder's YAML files."""
    highest = 0
    for path in folder.glob("*.yaml"):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _NUMBER.finditer(text):
            highest = max(highest, int(match.group(1)))
    return highest + 1


def yaml_scalar(text: str) -> str:
    """``text`` as one YAML scalar on one line: plain when YAML reads it back as the same text,
    quoted otherwise (a name such as ``Ed: "Al"`` or ``#1 Weekly`` is quoted); double-quoted
    with escapes when it holds a line break or another invisible character, which must neither
    break the template's lines nor hide in the file."""
    import yaml

    if not text.isprintable():
        return '"' + "".join(_escaped(char) for char in text) + '"'
    dumped = yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return dumped.removesuffix("\n").removesuffix("\n...")


def _escaped(char: str) -> str:
    """One character inside a YAML double-quoted scalar."""
    if char in '"\\':
        return "\\" + char
    if char.isprintable():
        return char
    return f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"


def render_new_issue(number: int, date: dt.date, schema_path: str | None = None,
                     defaults: model.IssueDefaults | None = None,
                     salutation: str = model.Letter.salutation) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(templates_dir()), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = yaml_scalar
    defaults = defaults or model.IssueDefaults()
    return env.get_template(TEMPLATE).render(
        number=number, date=date.isoformat(), schema_path=schema_path or SCHEMA_ID,
        salutation=salutation, signoff=defaults.signoff, signature=defaults.signature,
        kicker=defaults.promo_kicker)


def publication_defaults(folder: Path) -> model.IssueDefaults:
    """The ``new_issue:`` settings of the publication an issue in ``folder`` would use (none
    found, or unreadable: empty, so nothing is filled in)."""
    from authoring.validate import find_publication, load_publication

    found = find_publication(folder / "new.yaml")
    if found is None:
        return model.IssueDefaults()
    publication, _report = load_publication(found)
    return publication.new_issue


def new_issue(folder: str | Path = "issues", *, number: int | None = None,
              date: dt.date | None = None, output: str | Path | None = None,
              force: bool = False) -> Path:
    """Write a new issue file and return its path; refuses to overwrite unless ``force``."""
    folder = Path(folder)
    if number is None:
        number = next_number(folder) if folder.is_dir() else 1
    if not 1 <= number <= MAX_NUMBER:
        raise AuthoringError(f"issue number {number} is out of range: give 1 to {MAX_NUMBER:,}")
    date = date or dt.date.today()
    path = Path(output) if output else folder / f"{number:04d}.yaml"
    if os.path.lexists(path) and not force:  # a dangling link is something there too
        raise AuthoringError(f"{path} already exists (use --force to overwrite, or pick --number)")
    # relative to the schema of the project or team folder (authoring init copies one in);
    # else the published address: never this machine's file:/// path, which breaks when shared
    schema_ref = find_schema(path.parent)
    text = render_new_issue(number, date, schema_ref, publication_defaults(path.parent))
    write_atomic(path, text.encode("utf-8"))
    return path
