"""Create a fresh issue file from the ``new-issue.yaml`` template, numbered and dated."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from authoring.diagnostics import AuthoringError
from authoring.files import write_atomic
from authoring.paths import SCHEMA_FILE, find_schema, templates_dir

TEMPLATE = "new-issue.yaml.j2"

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


def render_new_issue(number: int, date: dt.date, schema_path: str | None = None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(templates_dir()), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    return env.get_template(TEMPLATE).render(number=number, date=date.isoformat(),
                                             schema_path=schema_path)


def new_issue(folder: str | Path = "issues", *, number: int | None = None,
              date: dt.date | None = None, output: str | Path | None = None,
              force: bool = False) -> Path:
    """Write a new issue file and return its path; refuses to overwrite unless ``force``."""
    folder = Path(folder)
    if number is None:
        number = next_number(folder) if folder.is_dir() else 1
    date = date or dt.date.today()
    path = Path(output) if output else folder / f"{number:04d}.yaml"
    if os.path.lexists(path) and not force:  # a dangling link is something there too
        raise AuthoringError(f"{path} already exists (use --force to overwrite, or pick --number)")
    schema_ref = find_schema(path.parent)
    checkout_schema = Path(__file__).resolve().parent.parent / SCHEMA_FILE
    if schema_ref is None and checkout_schema.is_file():  # outside the project: the absolute address
        schema_ref = checkout_schema.as_uri()
    write_atomic(path, render_new_issue(number, date, schema_ref).encode("utf-8"))
    return path
