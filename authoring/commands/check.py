"""``authoring check ISSUE.yaml``: measure send-readiness, every finding located in the YAML."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from authoring.commands import app, fail, print_reports

if TYPE_CHECKING:
    from authoring.check import CheckReport


class Format(str, Enum):
    text = "text"
    json = "json"


@app.command(epilog="Example: authoring check issues/0042.yaml --no-spam   (the fast parts only)")
def check(
    issue: Path = typer.Argument(..., help="The issue file (YAML).", show_default=False),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    against: Path | None = typer.Option(
        None, "--against", help="Folder of earlier issues (default: the issue's folder).",
        exists=True, file_okay=False),
    browser: bool = typer.Option(
        False, "--browser", help="Also audit accessibility in headless Chromium (slow)."),
    no_spam: bool = typer.Option(False, "--no-spam", help="Skip the SpamAssassin score (~2 s)."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Show each client's partial and unsupported features."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
) -> None:
    """Client support, spam score, size by block, images off, inbox, theme colors, repeats: one
    report, the findings that matter first. A part that could not run (SpamAssassin missing or
    timed out) is named in the verdict; --strict fails on it."""
    from authoring.check import CheckOptions, NotCheckable, check_file

    options = CheckOptions(against=against, browser=browser, spam=not no_spam)
    try:
        report = check_file(issue, options, strict=strict, publication_file=publication)
    except NotCheckable as exc:
        if fmt is Format.json:  # tools get the same shape: the reasons as the validation part
            typer.echo(unreadable_report(issue, exc).dumps_json())
            raise typer.Exit(1) from None
        print_reports(exc.reports)
        raise fail(str(exc)) from None
    if fmt is Format.json:
        typer.echo(report.dumps_json())
    else:
        typer.echo(report.format_text(verbose=verbose))
    raise typer.Exit(report.exit_code())


def unreadable_report(issue: Path, exc: Exception) -> CheckReport:
    """A report whose only part says why the issue could not be checked."""
    from authoring.check import CheckReport, PartResult

    findings = [d for report in getattr(exc, "reports", []) for d in report.diagnostics]
    part = PartResult(name="validation", title="Export readiness", figures=[str(exc)],
                      data={"export_ready": False, "draft": True}, findings=findings)
    return CheckReport(file=str(issue), parts=[part])
