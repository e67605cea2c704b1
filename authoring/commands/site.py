"""``authoring site FOLDER -o DIR``: the web archive of a folder of issues, with feeds."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.commands import app, fail, print_reports, shown


@app.command(epilog="Example: authoring site issues/ -o site/   (--drafts to see the drafts too)")
def site(
    folder: Path = typer.Argument(..., help="The folder of issues (YAML).", show_default=False),
    out: Path = typer.Option(Path("site"), "--output", "-o", help="Folder to build the site in."),
    drafts: bool = typer.Option(False, "--drafts",
                                help="Give drafts pages too (under drafts/, not in feeds or sitemap)."),
    base_url: str | None = typer.Option(None, "--base-url",
                                        help="Instead of publication.yaml's site.base_url."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file (default: publication.yaml next to or above the issues)."),
) -> None:
    """Build the archive site: index, one page per issue, Atom and RSS feeds, sitemap, images."""
    from authoring.diagnostics import AuthoringError
    from authoring.site import SiteOptions, publish_site

    options = SiteOptions(drafts=drafts, base_url=base_url, publication_file=publication)
    try:
        result = publish_site(folder, out, options)
    except AuthoringError as exc:
        print_reports(exc.reports)
        raise fail(str(exc)) from None
    built, written = result.site, result.written
    print_reports(built.warnings)
    for left in built.left_out:
        first = min(left.problems, key=lambda d: d.line or 0) if left.problems else None
        reason = f" (line {first.line}: {first.message})" if first and first.line else (
            f" ({first.message})" if first else "")
        typer.echo(shown(f"note: {left.source} left out as a draft{reason}; --drafts includes it"), err=True)
    for path in written.carried:
        typer.echo(shown(f"note: kept {out / path}, which `authoring site` did not write"), err=True)
    for path in written.written:
        typer.echo(shown(f"{out / path}"))
    typer.echo(shown(f"built {built.pages} issue page{'s' if built.pages != 1 else ''} and "
               f"{built.index_pages} index page{'s' if built.index_pages != 1 else ''} in {out}: "
               f"{len(written.written)} written, {len(written.kept)} unchanged, "
               f"{len(written.removed)} removed"), err=True)
