"""Where things live: the built-in templates (installed or in a checkout), the publication
file next to the issues, the issue schema above them."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

PUBLICATION_FILE = "publication.yaml"
"""The settings shared by every issue, in the issues' folder or one above it."""

SCHEMA_FILE = Path("schema") / "issue.schema.json"
"""The issue's JSON Schema, relative to the project folder."""


def templates_dir() -> Path:
    """The installed copy (wheel) or the checkout's top-level templates/ folder."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates folder not found next to the authoring package")


def find_schema(folder: Path) -> str | None:
    """The issue schema as a path relative to ``folder``, when the project has one above it."""
    import os

    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        schema = candidate / SCHEMA_FILE
        if schema.is_file():
            return Path(os.path.relpath(schema, folder)).as_posix()
    return None
