"""``authoring validate FILE...``: check issues and report every problem."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from authoring.cli import app, print_reports


class Format(str, Enum):
    text = "text"
    json = "json"


class LevelOption(str, Enum):
    draft = "draft"
    export = "export"


@app.command()
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
    from authoring.validate import validate_file

    reports = []
    for file in files:
        result = validate_file(file, level=Level(level.value), publication_file=publication)
        reports.append(result.report)
    print_reports(reports, fmt=fmt.value)
    failed = [r for r in reports if not r.ok(strict=strict)]
    if fmt is Format.text:
        errors = sum(len(r.errors) for r in reports)
        warnings = sum(len(r.warnings) for r in reports)
        typer.echo(f"{len(files)} file{'s' if len(files) != 1 else ''} checked: "
                   f"{errors} error{'s' if errors != 1 else ''}, "
                   f"{warnings} warning{'s' if warnings != 1 else ''}"
                   + (" (strict: warnings fail)" if strict and warnings else ""), err=True)
    raise typer.Exit(1 if failed else 0)
