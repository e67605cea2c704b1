"""``authoring fix FILE...``: mend what a check flags and a machine can mend (straight quotes)."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.commands import app, fail, print_reports, shown


@app.command(epilog="Example: authoring fix issues/0042.yaml --check   (show the diff, change nothing)")
def fix(
    files: list[Path] = typer.Argument(..., help="Issue files (YAML).", show_default=False),
    check: bool = typer.Option(False, "--check", help="Show the changes as a diff and write nothing; "
                               "exit 1 if there is anything to fix."),
) -> None:
    """Make straight quotes and apostrophes curly (the straight-quotes check), outside code and
    URLs; every other byte and comment stays. Writes each file atomically."""
    from authoring.diagnostics import AuthoringError
    from authoring.fix import fix_file

    failed = pending = 0
    for file in files:
        try:
            fixed = fix_file(file, write=not check)
        except AuthoringError as exc:
            print_reports(exc.reports)
            typer.echo(f"error: {shown(str(exc))}", err=True)
            failed += 1
            continue
        count = len(fixed.edits)
        if check:
            typer.echo(fixed.diff(str(file)), nl=False)
            pending += bool(count)
        verb = "would fix" if check else "fixed"
        typer.echo(f"{shown(str(file))}: {verb} {count} quote{'s' if count != 1 else ''}", err=True)
    if failed:
        raise fail(f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} not fixed")
    raise typer.Exit(1 if pending else 0)
