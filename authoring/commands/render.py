"""``authoring render ISSUE.yaml|FOLDER/ [-o DIR] [--mjml]``: write the email's HTML and plain text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from authoring.commands import (
    Inliner,
    app,
    fail,
    format_size,
    inliner_option,
    print_reports,
    print_table,
    shown,
)

if TYPE_CHECKING:
    from authoring.validate import Validated


@app.command(epilog="Example: authoring render issues/0042.yaml -o out/   (or a folder: issues/)")
def render(
    file: Path = typer.Argument(..., help="Issue file (YAML), or a folder of them.", show_default=False),
    out: Path = typer.Option(Path("out"), "--output", "-o",
                             help="Folder to write <stem>.html and <stem>.txt to."),
    mjml: bool = typer.Option(False, "--mjml", help="Also write the intermediate MJML (<stem>.mjml)."),
    web: bool = typer.Option(False, "--web", help="Render the web-archive page (<stem>.web.html, as "
                             "export names it) instead of the email."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
    inliner: Inliner | None = inliner_option(),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Processes for a folder (0: chosen from the work and the free "
                                  "cores, and said)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="For a folder: do not list the warnings."),
) -> None:
    """Render an issue (or every issue of a folder) to inlined email HTML and plain text."""
    engine = inliner.value if inliner else None
    if file.is_dir():
        raise typer.Exit(_render_folder(file, out, publication, engine, web=web, mjml=mjml,
                                        jobs=jobs, quiet=quiet))
    _render_file(file, out, publication, engine, web=web, mjml=mjml)


def _render_file(file: Path, out: Path, publication: Path | None, engine: str | None, *,
                 web: bool, mjml: bool) -> None:
    from authoring.diagnostics import AuthoringError
    from authoring.files import OutputRefused, write_owned
    from authoring.render import RenderOptions, render_file

    options = RenderOptions(mode="web" if web else "email", inliner=engine)
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
    files = {path.name: content.encode("utf-8") for path, content in outputs}
    try:
        write_owned(out, files)
    except OutputRefused as exc:
        raise fail(f"{exc}; nothing was written") from None
    except OSError as exc:
        raise fail(f"cannot write into {out}: {exc.filename or out}: {exc.strerror or exc}") from None
    for path, _ in outputs:
        typer.echo(f"{shown(str(path))}  {format_size(len(files[path.name]))}")
    for warning in rendered.warnings:
        typer.echo(f"warning: {shown(str(warning))}", err=True)
    _copy_images(validated, file, out)


def _copy_images(validated: Validated, file: Path, out: Path) -> None:
    """The local images beside the HTML, so that it opens with its pictures."""
    from authoring import localimages

    copied = localimages.copy_issue_images(validated.built_issue, validated.publication, file,
                                           validated.publication_file, out)
    if copied.copied:
        typer.echo(f"{len(copied.copied)} image{'s' if len(copied.copied) != 1 else ''} copied "
                   f"beside it, under {shown(str(out))}", err=True)  # stdout lists the files written
    for refusal in copied.refused:
        typer.echo(f"warning: image not copied: {shown(str(refusal))}", err=True)


def _render_folder(folder: Path, out: Path, publication: Path | None, engine: str | None, *,
                   web: bool, mjml: bool, jobs: int, quiet: bool) -> int:
    """Every issue of the folder on every core; a progress bar, then a summary table. 1 if any failed."""
    from authoring.render.folder import FolderOptions, choose_workers, render_files, scan

    files, skipped = scan(folder)
    if not files:
        for path, what in skipped:
            typer.echo(f"{shown(str(path))}: skipped: {what}, not an issue file", err=True)
        typer.echo(f"error: {shown(str(folder))}: no issue files (*.yaml) to render", err=True)
        return 1
    if out.exists() and not out.is_dir():
        raise fail(f"{shown(str(out))}: is a file; give a folder to render a folder into", 2)
    options = FolderOptions(mode="web" if web else "email", inliner=engine,
                            publication_file=publication, mjml=mjml)
    rows: list[tuple[Path, tuple[str, str, str]]] = [
        (path, (str(path), "-", f"skipped: {what}, not an issue file")) for path, what in skipped]
    diagnostics: list[str] = []  # printed after the bar; with --quiet only the failed issues
    failed = 0
    workers = choose_workers(files, jobs or None)
    typer.echo(workers.describe(len(files)), err=True)
    outcomes = render_files(files, out, options, workers=workers.count)
    # the bar on stderr: stdout keeps only the summary table, for scripts
    with typer.progressbar(outcomes, length=len(files), label="Rendering",
                           file=typer.get_text_stream("stderr")) as bar:
        for outcome in bar:
            if outcome.diagnostics and (outcome.error is not None or not quiet):
                diagnostics.append(outcome.diagnostics)
            if outcome.error is not None:
                failed += 1
                rows.append((outcome.source, (str(outcome.source), "-", f"error: {outcome.error}")))
                continue
            html = outcome.written[0][1] if outcome.written else 0
            rows.append((outcome.source, (str(outcome.source), format_size(html), str(outcome.warnings))))
    for text in diagnostics:
        typer.echo(text, err=True)
    rows.sort(key=lambda row: row[0])  # file order, the skipped among the rendered
    print_table([("file", "HTML", "warnings"), *(row for _, row in rows)])
    more = f"; {len(skipped)} skipped (not files)" if skipped else ""
    typer.echo(f"{len(files) - failed} of {len(files)} rendered into {shown(str(out))}{more}", err=True)
    return 1 if failed else 0
