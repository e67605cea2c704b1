"""``authoring render ISSUE.yaml [-o DIR] [--mjml]``: write the email's HTML and plain text."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.cli import app, fail, format_size, print_reports


@app.command()
def render(
    file: Path = typer.Argument(..., help="Issue file (YAML).", show_default=False),
    out: Path = typer.Option(Path("out"), "--out", "-o",
                             help="Folder to write <stem>.html and <stem>.txt to."),
    mjml: bool = typer.Option(False, "--mjml", help="Also write the intermediate MJML (<stem>.mjml)."),
    web: bool = typer.Option(False, "--web", help="Render the web-archive page (<stem>.web.html, as "
                             "export names it) instead of the email."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
) -> None:
    """Render an issue to inlined email HTML and its plain-text alternative."""
    from authoring.diagnostics import AuthoringError
    from authoring.files import write_atomic
    from authoring.render import RenderOptions, render_file

    options = RenderOptions(mode="web" if web else "email")
    try:
        validated, rendered = render_file(file, options=options, publication_file=publication)
    except AuthoringError as exc:
        print_reports(exc.reports)
        raise fail(str(exc)) from None
    # Warnings of a draft (missing images, ...) are worth seeing, but do not stop the render.
    print_reports([validated.report])
    page = f"{file.stem}.web" if web else file.stem  # never over the email's files
    outputs = [(out / f"{page}.html", rendered.html), (out / f"{file.stem}.txt", rendered.text)]
    if mjml:
        outputs.append((out / f"{page}.mjml", rendered.mjml))
    for path, content in outputs:
        data = content.encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise fail(f"cannot write {path}: {exc.strerror or exc}") from None
        typer.echo(f"{path}  {format_size(len(data))}")
    for warning in rendered.warnings:
        typer.echo(f"warning: {warning}", err=True)
