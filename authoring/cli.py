"""The ``authoring`` command line: a thin layer over the library.

Exit codes: 0 ok; 1 invalid input, including an input file that does not exist (the
diagnostics say why; the same in every command); 2 usage error (the command line itself).
Library errors (``AuthoringError``, which LoadError and PortInUse are) become messages and
exit 1, never tracebacks.
"""

from __future__ import annotations

import importlib
import sys
from enum import Enum

import typer

app = typer.Typer(
    name="authoring",
    help="Write, check, render, preview, export and import newsletter issues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

COMMANDS = ["validate", "check", "render", "new", "schema", "preview", "export", "send", "import_"]
"""Modules in authoring.commands, in the order ``--help`` lists them."""

class Inliner(str, Enum):
    """CSS inliner engines (``authoring.render.inline.ENGINES``), for ``--inliner``."""

    css_inline = "css-inline"
    premailer = "premailer"


def inliner_option() -> Inliner | None:
    """``--inliner``, shared by the commands that render; the default is publication.yaml's."""
    return typer.Option(None, "--inliner", help="CSS inliner (default: publication.yaml's "
                        "`inliner:`, else css-inline).", show_default=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a message on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def format_size(size: int) -> str:
    """A file size as the commands print it: bytes below 1 KB, else KB with one decimal."""
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """A folder command's summary on stdout: a header row, a rule, then the name left and two counts right."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for n, (name, first, second) in enumerate(rows):
        typer.echo(f"{name:<{widths[0]}}  {first:>{widths[1]}}  {second:>{widths[2]}}")
        if n == 0:
            typer.echo("  ".join("-" * w for w in widths))


def print_reports(reports, *, fmt: str = "text") -> None:
    """Diagnostics on stderr as text, or the JSON document on stdout."""
    from authoring.diagnostics import dumps_json

    if fmt == "json":
        typer.echo(dumps_json(reports))
        return
    for report in reports:
        if report.diagnostics:
            typer.echo(report.format_text(), err=True)


def main() -> None:
    from authoring.diagnostics import AuthoringError

    try:
        app()
    except AuthoringError as exc:  # raised by library calls outside a command's own handling
        print_reports(exc.reports)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


# Registered last: the command modules import app, fail and print_reports from here.
for _name in COMMANDS:
    importlib.import_module(f"authoring.commands.{_name}")
