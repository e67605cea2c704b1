"""``authoring send ISSUE.yaml --to ADDRESS``: email a test of the exported issue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from authoring.commands import app, fail, print_reports

if TYPE_CHECKING:
    from authoring.send import Security


def _split_host_port(value: str) -> tuple[str, int | None]:
    """'host', 'host:587', '[::1]:25' → (host, port or None)."""
    host, port = value.strip(), None
    if host.startswith("["):
        inside, _, rest = host[1:].partition("]")
        host, port_text = inside, rest.removeprefix(":") if rest.startswith(":") else None
        if rest and port_text is None:
            raise typer.BadParameter(f"'{value}' is not HOST:PORT")
    elif host.count(":") == 1:
        host, port_text = host.split(":")
    else:
        port_text = None
    if port_text is not None:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise typer.BadParameter(f"'{value}': the port must be a number from 1 to 65535")
        port = int(port_text)
    if not host:
        raise typer.BadParameter(f"'{value}' has no host")
    return host, port


@app.command(epilog="Example: authoring send issues/0042.yaml --to me@example.org --smtp "
             "smtp.example.org:587 --starttls --user editor   (or set smtp: in publication.yaml)")
def send(
    issue: Path = typer.Argument(..., help="The issue file (YAML).", show_default=False),
    to: str = typer.Option(..., "--to", help="Address to send the test to.", show_default=False),
    smtp: str | None = typer.Option(
        None, "--smtp", metavar="HOST[:PORT]", show_default=False,
        help="SMTP server (default: $AUTHORING_SMTP_HOST, else publication.yaml's smtp:, else "
             "localhost; port default: 587 with --starttls, 465 with --ssl, else 25)."),
    starttls: bool = typer.Option(False, "--starttls", help="Upgrade the connection with STARTTLS."),
    use_ssl: bool = typer.Option(False, "--ssl", help="Connect with TLS from the start (port 465)."),
    user: str | None = typer.Option(
        None, "--user", help="Log in as this user; the password comes from "
        "$AUTHORING_SMTP_PASSWORD or a prompt."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
    timeout: float = typer.Option(
        60.0, "--timeout", min=0.1, max=86400, metavar="SECONDS",
        help="Time allowed for the whole SMTP session, connection to the end."),
) -> None:
    """Send the exported issue to one address as a test, subject prefixed [TEST], dated now."""
    from authoring.diagnostics import AuthoringError
    from authoring.send import parse_address, send_issue

    if timeout != timeout:  # nan passes the range check
        raise fail("--timeout: give a number of seconds", 2)
    if starttls and use_ssl:
        raise fail("--starttls and --ssl exclude each other: choose one", 2)
    try:
        to = parse_address(to)
    except ValueError as exc:
        raise fail(f"--to: {exc}", 2) from None
    host: str | None = None
    port: int | None = None
    if smtp is not None:
        try:
            host, port = _split_host_port(smtp)
        except typer.BadParameter as exc:
            raise fail(f"--smtp: {exc}", 2) from None
    security: Security | None = "ssl" if use_ssl else "starttls" if starttls else None

    def ask_password(name: str) -> str:
        return typer.prompt(f"SMTP password for {name}", hide_input=True, err=True)

    try:
        result = send_issue(issue, to, smtp_host=host, port=port, security=security, user=user,
                            publication_file=publication, ask_password=ask_password,
                            timeout=timeout)
    except AuthoringError as exc:
        print_reports(exc.reports)
        raise fail(str(exc)) from None
    typer.echo(f"sent “{result.subject}” to {result.to} via {result.host}:{result.port} "
               f"({len(result.message) / 1024:.1f} KB)", err=True)
