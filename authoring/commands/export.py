"""``authoring export ISSUE.yaml``: write the send-ready files of an issue."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.commands import Inliner, app, fail, format_size, inliner_option, print_reports, shown


@app.command(epilog="Example: authoring export issues/0042.yaml -o out/0042")
def export(
    issue: Path = typer.Argument(..., help="The issue file (YAML).", show_default=False),
    out: Path = typer.Option(Path("out"), "--output", "-o", help="Folder to write the files to."),
    strict: bool = typer.Option(False, "--strict", help="Refuse to export with warnings."),
    check_links: bool = typer.Option(
        False, "--check-links", help="Check that every link works (needs the network)."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issue)."),
    inliner: Inliner | None = inliner_option(),
) -> None:
    """Write <stem>.html, .txt, .eml, .web.html and manifest.json, all or nothing."""
    from authoring.diagnostics import AuthoringError
    from authoring.export import export_issue
    from authoring.render import GMAIL_CLIP_BYTES

    if check_links:
        typer.echo("checking links…", err=True)
    try:
        result = export_issue(issue, out, strict=strict, check_links=check_links,
                              publication_file=publication,
                              inliner=inliner.value if inliner else None)
    except AuthoringError as exc:
        print_reports(exc.reports)
        raise fail(str(exc)) from None
    print_reports(result.reports)
    for note in result.notes:
        typer.echo(f"note: {shown(str(note))}", err=True)
    for file, path in zip(result.files, result.paths, strict=True):
        typer.echo(f"{shown(str(path))}  {format_size(file.size)}")
    html = result.manifest["html_bytes"]
    warnings = len(result.warnings)
    typer.echo(f"exported issue {result.manifest['issue']['number']}: HTML {format_size(html)} of Gmail's "
               f"{GMAIL_CLIP_BYTES // 1024} KB, {warnings} warning{'s' if warnings != 1 else ''}",
               err=True)
