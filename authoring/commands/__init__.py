"""The ``authoring`` command line's commands: one module per command, each registering itself on
``app``, the Typer group defined here with what the commands share (``fail``, the tables, the
reports, ``--inliner``).

Exit codes: 0 ok; 1 invalid input, including an input file that does not exist (the
diagnostics say why; the same in every command); 2 usage error (the command line itself).
Library errors (``AuthoringError``, which LoadError and PortInUse are) become messages and
exit 1, never tracebacks.

Command modules import only typer and the standard library at module level, so that
``authoring validate`` starts fast; the library they call is imported inside the command. A
command's module is imported the first time the group looks the command up (``_LazyCommands``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer
import typer.core
import typer.main

from authoring.terminal import shown

if TYPE_CHECKING:
    from typer._click import Command  # click as typer (0.28) vendors it: not the `click` package

COMMANDS = {"init": "init", "new": "new", "validate": "validate", "fix": "fix", "preview": "preview",
            "check": "check", "render": "render", "export": "export", "send": "send",
            "import": "import_", "site": "site", "schema": "schema"}
"""Command name → its module in authoring.commands, in the order ``--help`` lists them: the order
of an editor's week (set up, write, check, fix, preview, send), then the archive and the schema."""


class _LazyCommands(MutableMapping[str, "Command"]):
    """The group's commands by name; a command's module is imported (and its click command
    built) the first time the command is looked up, so `authoring validate` neither imports
    nor builds the other eight. ``--help`` and typo suggestions still see every name."""

    def __init__(self, built: MutableMapping[str, Command]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            importlib.import_module(f"{__name__}.{COMMANDS[name]}")
            self._built[name] = _click_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._built.keys())


class _LazyGroup(typer.core.TyperGroup):
    """Typer's group, with the commands it was built with (none, in a fresh process) looked up
    through ``_LazyCommands``."""

    def __init__(self, *, commands: MutableMapping[str, Command] | None = None,
                 **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(commands or {})


def _print_version(value: bool) -> None:
    if value:
        from authoring import __version__

        typer.echo(f"authoring {__version__}")
        raise typer.Exit()


def _group_options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """The group's callback: its options (``--version``). Typer makes a group (not a single
    command) of an app with a callback or several registered commands; the commands register
    only when looked up."""


app = typer.Typer(
    name="authoring",
    help="Write, check, render, preview, export and import newsletter issues.",
    epilog="\b\nAn editor's week:\n  authoring init team/\n  authoring new team/\n"
           "  authoring validate team/0001.yaml\n  authoring preview team/0001.yaml\n"
           "  authoring check team/0001.yaml\n  authoring export team/0001.yaml -o out/0001\n"
           "  authoring send team/0001.yaml --to you@example.org",
    cls=_LazyGroup,
    callback=_group_options,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion; names come from COMMANDS
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _click_command(name: str) -> Command:
    """The click command of a registered command, built as typer builds a group's commands."""
    for info in app.registered_commands:
        callback_name = info.callback.__name__ if info.callback else ""
        if (info.name or typer.main.get_command_name(callback_name)) == name:
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode)
    raise KeyError(name)


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
    typer.echo(f"error: {shown(message)}", err=True)  # it may name a file: escaped
    return typer.Exit(code)


def format_size(size: int) -> str:
    """A file size as the commands print it: bytes below 1 KB, else KB with one decimal."""
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """A folder command's summary on stdout: a header row, a rule, then the name left and two
    counts right; control characters (from file names) escaped."""
    rows = [(shown(name), shown(first), shown(second)) for name, first, second in rows]
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
