"""``authoring init [FOLDER]``: set up a team's folder (publication.yaml, schemas, .gitignore)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from authoring.commands import app, fail, shown

_QUESTIONS = [  # (setting, question, required)
    ("name", "Newsletter name", True),
    ("sender_name", "Sender name (From:)", False),
    ("sender_email", "Sender address (From:)", True),
    ("signoff", "Sign-off under the letter (e.g. Keep learning!)", False),
    ("signature", "Signature under the sign-off (a name)", False),
    ("promo_kicker", "Kicker above promos", False),
    ("postal_address", "Postal address (required to export; Enter to fill in later)", False),
    ("esp", "Email service that sends the issues (mailchimp, sendgrid, listmonk, brevo, buttondown, "
     "mailgun; Enter for none)", False),
    ("unsubscribe_url", "Your own unsubscribe page, https (required to export without a service; "
     "Enter to fill in later)", False),
]


@app.command(epilog="Example: authoring init team-weekly --name 'Team Weekly' "
             "--sender-email news@team.example.org --signoff 'See you next week!'")
def init(
    folder: Path = typer.Argument(Path("."), help="Folder to set up (made if missing)."),
    name: str | None = typer.Option(None, "--name", help="The newsletter's name."),
    sender_name: str | None = typer.Option(None, "--sender-name",
                                           help="From name (default: the newsletter's name)."),
    sender_email: str | None = typer.Option(None, "--sender-email", help="From address."),
    signoff: str | None = typer.Option(None, "--signoff", help="The letter's closing line."),
    signature: str | None = typer.Option(None, "--signature", help="The name under the sign-off."),
    promo_kicker: str | None = typer.Option(
        None, "--kicker", help="Line above promos (default: A MESSAGE FROM <NAME>)."),
    postal_address: str | None = typer.Option(None, "--postal-address",
                                              help="Postal address for the footer."),
    esp: str | None = typer.Option(None, "--esp", help="Email service that sends the issues "
                                   "(its merge tags are written on export; docs/esp.md)."),
    unsubscribe_url: str | None = typer.Option(None, "--unsubscribe-url", help="Your own https "
                                               "unsubscribe page, when no service sends the issues."),
) -> None:
    """Set up a team's folder: publication.yaml with your names, the schemas, a .gitignore.

    Asks for what the options do not give when run in a terminal; never replaces a file."""
    from authoring.diagnostics import AuthoringError
    from authoring.init import TeamSettings, init_folder, problem

    given = {"name": name, "sender_name": sender_name, "sender_email": sender_email,
             "signoff": signoff, "signature": signature, "promo_kicker": promo_kicker,
             "postal_address": postal_address, "esp": esp, "unsubscribe_url": unsubscribe_url}
    if interactive():
        for setting, question, required in _QUESTIONS:
            if setting == "unsubscribe_url" and given["esp"] not in (None, "", "none"):
                continue  # the service's own tag is used
            while given[setting] is None:
                default = _default(setting, given)
                answer = typer.prompt(question, default=default or "", show_default=bool(default),
                                      err=True).strip()
                if not answer and not required:
                    given[setting] = ""
                    break
                reason = problem(setting, answer) if answer else "an answer is needed"
                if reason:
                    typer.echo(f"  {reason}", err=True)
                    continue
                given[setting] = answer
    missing = [f"--{s.replace('_', '-')}" for s, _, required in _QUESTIONS if required and not given[s]]
    if missing:
        raise fail(f"give {' and '.join(missing)} (init asks only in a terminal)", 2)
    settings = TeamSettings(**{k: v or None for k, v in given.items()})  # type: ignore[arg-type]
    try:
        written = init_folder(folder, settings)
    except AuthoringError as exc:
        raise fail(str(exc)) from None
    for path in written:
        typer.echo(path)
    typer.echo(f"next: authoring new {shown(str(folder))}", err=True)


def interactive() -> bool:
    """Whether someone can answer questions: stdin is a terminal (not a pipe, a file or CI)."""
    return sys.stdin.isatty()


def _default(setting: str, given: dict[str, str | None]) -> str | None:
    if setting == "sender_name":
        return given["name"]
    if setting == "promo_kicker" and given["name"]:
        return f"A MESSAGE FROM {given['name'].upper()}"
    return None
