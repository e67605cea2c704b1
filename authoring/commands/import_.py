"""``authoring import``: turn plain-text archive issues into YAML issues (the work is in
``authoring.importer``; this module reads the arguments and prints)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from authoring.commands import app, fail, print_reports, print_table, shown


@app.command("import", epilog="Example: authoring import archive/ -o issues/archive/")
def import_(
    source: Path = typer.Argument(..., help="A plain-text issue, or a folder of them (*.txt).",
                                  show_default=False),
    output: Path | None = typer.Option(
        None, "--output", "-o",
        help="YAML file to write (default: stdout); a folder when SOURCE is a folder."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="The publication that will render the output: its footer is recognised and left out "
             "(default: publication.yaml next to or above the output; none for stdout)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing YAML files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not list the warnings."),
) -> None:
    """Import past issues from plain text; nothing is dropped, doubtful parts are warned about."""
    if not source.exists():
        raise fail(f"{source}: no such file or folder")  # a missing input file is exit 1 everywhere
    if publication is not None and not publication.is_file():
        raise fail(f"{publication}: no such publication file")
    if source.is_dir():
        if output is None:
            raise fail("importing a folder needs an output folder: -o OUTDIR/", 2)
        if output.exists() and not output.is_dir():
            raise fail(f"{output}: is a file; give a folder to import a folder into", 2)
        raise typer.Exit(_import_folder(source, output, publication, force, quiet))
    if output is not None and output.is_dir():
        output = output / f"{source.stem}.yaml"
    if output is not None and _same_file(source, output):  # --force or not: the input stays
        raise fail(f"{output} is the text being imported: writing the YAML there would destroy "
                   "it; give another -o, e.g. the same name ending in .yaml", 2)
    if output is not None and os.path.lexists(output) and not force:
        raise fail(f"{output} exists: use --force to overwrite it", 1)
    raise typer.Exit(_import_file(source, output, publication, quiet))


def _same_file(source: Path, output: Path) -> bool:
    try:
        return os.path.samefile(source, output)
    except OSError:  # the output does not exist (yet)
        return False


def _import_file(source: Path, output: Path | None, given: Path | None, quiet: bool) -> int:
    from authoring.diagnostics import AuthoringError
    from authoring.importer.folder import import_to_file, publication_for

    pub_path = publication_for(output, given)
    try:
        result = import_to_file(source, output, publication=_load(pub_path))
    except AuthoringError as exc:
        print_reports(exc.reports)
        return 1
    if not quiet:
        for warning in result.warnings:
            typer.echo(str(warning), err=True)
    if output is None:
        typer.echo(result.yaml, nl=False)
    warnings = f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}"
    written = f"{result.blocks} blocks, {warnings}"
    if output is not None:
        written = f"wrote {shown(str(output))}: {written}"
    typer.echo(written + _footer_note(pub_path, result), err=True)
    return 0


def _import_folder(folder: Path, output: Path, given: Path | None, force: bool, quiet: bool) -> int:
    from authoring.importer.folder import import_folder, publication_for, text_files

    files = text_files(folder)
    if not files:
        typer.echo(f"error: {shown(str(folder))}: no .txt files to import", err=True)
        return 1
    pub_path = publication_for(output / "issue.yaml", given)
    publication = _load(pub_path)
    # the bar on stderr: stdout keeps only the summary table, for scripts
    with typer.progressbar(files, label="Importing", file=typer.get_text_stream("stderr")) as bar:
        done = import_folder(bar, output, publication=publication, force=force)
    if not quiet:
        for warning in done.warnings:
            typer.echo(str(warning), err=True)
    rows = [(str(o.source), str(o.result.blocks), str(len(o.result.warnings))) if o.result
            else (str(o.source), "-", o.problem or "") for o in done.outcomes]
    print_table([("file", "blocks", "warnings"), *rows])
    typer.echo(f"{len(files) - done.failed} of {len(files)} imported into {shown(str(output))}", err=True)
    if pub_path is not None:
        typer.echo(f"footer of {shown(str(pub_path))} recognised and left out in {done.footers_stripped} of "
                   f"{len(files)} files (the publication renders it)", err=True)
    return 1 if done.failed else 0


def _footer_note(pub_path: Path | None, result) -> str:
    if result.footer_stripped:
        return f"; footer left out: {shown(str(pub_path))} renders it"
    if result.issue.footer and pub_path is None:
        return "; footer kept (no publication.yaml at or above the output; --publication to give one)"
    return ""


def _load(path: Path | None):
    """The publication model, or None; a publication with errors stops the import (exit 1)."""
    from authoring.validate import load_publication

    if path is None:
        return None
    publication, report = load_publication(path)
    if report is not None and report.errors:
        print_reports([report])
        raise fail(f"{path}: the publication file has errors", 1)
    return publication
