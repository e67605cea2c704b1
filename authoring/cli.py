"""``authoring``: the entry point. The commands and their group live in ``authoring.commands``;
this module runs the group and turns what escapes a command into a message and an exit code
(1 for the input, 130 for Ctrl-C), never a traceback.
"""

from __future__ import annotations

import errno
import sys

import typer

from authoring.commands import COMMANDS, app, print_reports

__all__ = ["COMMANDS", "app", "main"]


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
    except OSError as exc:  # a path no file system accepts, met before any file is opened
        if exc.errno != errno.ENAMETOOLONG:
            raise
        typer.echo(f"error: {exc.filename}: a name in this path is longer than the file system "
                   "allows (255 bytes a name); rename or move it", err=True)
        sys.exit(1)
