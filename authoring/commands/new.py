"""``authoring new``: start a fresh issue from the template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from authoring.commands import app, fail

MAX_NUMBER = 999_999
"""As authoring.new.MAX_NUMBER (not imported here: the command starts without the library)."""


@app.command(epilog="Example: authoring new issues/ --date 2026-12-11   (numbered after the highest)")
def new(
    folder: Path = typer.Argument(Path("issues"), help="Folder of issues."),
    number: int | None = typer.Option(None, "--number", "-n", min=1, max=MAX_NUMBER,
                                      help="Issue number (default: next free)."),
    date: str | None = typer.Option(None, "--date", "-d", help="Issue date, YYYY-MM-DD (default: today)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: FOLDER/NNNN.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Create a new issue file, numbered and dated, ready to fill in, with the publication's
    sign-off, signature and promo kicker (publication.yaml's new_issue:)."""
    from authoring.diagnostics import AuthoringError
    from authoring.new import new_issue

    when = None
    if date is not None:
        try:
            when = dt.date.fromisoformat(date)
        except ValueError:
            raise fail(f"--date {date!r} is not a date; write YYYY-MM-DD", 2) from None
    try:
        path = new_issue(folder, number=number, date=when, output=output, force=force)
    except AuthoringError as exc:
        raise fail(str(exc)) from None
    typer.echo(path)
