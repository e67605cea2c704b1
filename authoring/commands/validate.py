"""``authoring validate FILE...``: check issues and report every problem."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from authoring.commands import app

if TYPE_CHECKING:
    from authoring.diagnostics import Level, Report


class Format(str, Enum):
    text = "text"
    json = "json"


class LevelOption(str, Enum):
    draft = "draft"
    export = "export"


@app.command(epilog="Example: authoring validate issues/*.yaml --level export   (as export judges them)")
def validate(
    files: list[Path] = typer.Argument(..., help="Issue files (YAML).", show_default=False),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    level: LevelOption = typer.Option(
        LevelOption.draft, "--level",
        help="draft: missing images and URLs are warnings; export: they are errors."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
) -> None:
    """Check issue files: YAML syntax, structure, safety and house style."""
    from authoring.diagnostics import Level

    # Each file's report is printed as soon as it is checked and then dropped (only counts are
    # kept), so memory stays flat over a thousand files and the first problems show at once.
    counts = _Counts()
    reports = (counts.add(report, strict) for report in
               _reports(files, Level(level.value), publication))
    if fmt is Format.json:
        _stream_json(reports)
    else:
        for report in reports:
            if report.diagnostics:
                typer.echo(report.format_text(), err=True)
        typer.echo(f"{len(files)} file{'s' if len(files) != 1 else ''} checked: "
                   f"{counts.errors} error{'s' if counts.errors != 1 else ''}, "
                   f"{counts.warnings} warning{'s' if counts.warnings != 1 else ''}"
                   + (" (strict: warnings fail)" if strict and counts.warnings else ""), err=True)
    raise typer.Exit(1 if counts.failed else 0)


class _Counts:
    def __init__(self) -> None:
        self.errors = self.warnings = self.failed = 0

    def add(self, report: Report, strict: bool) -> Report:
        self.errors += len(report.errors)
        self.warnings += len(report.warnings)
        self.failed += not report.ok(strict=strict)
        return report


def _reports(files: list[Path], level: Level, publication: Path | None) -> Iterator[Report]:
    from authoring.validate import Publications, validate_file

    batch = Publications()  # each publication file read once for all the files
    for file in files:
        yield validate_file(file, level=level, publication_file=publication, publications=batch).report


def _stream_json(reports: Iterable[Report]) -> None:
    """The same document as ``dumps_json`` (a list, indented by 2), written one report at a time."""
    import json

    typer.echo("[", nl=False)
    empty = True
    for n, report in enumerate(reports):
        item = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
        # split on "\n" only: JSON escapes newlines in strings, but not U+2028 and friends
        typer.echo(("," if n else "") + "\n" + "\n".join(f"  {line}" for line in item.split("\n")),
                   nl=False)
        empty = False
    typer.echo("]" if empty else "\n]")
