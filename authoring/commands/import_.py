"""``authoring import``: turn plain-text archive issues into YAML issues."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.cli import app, fail, print_reports


@app.command("import")
def import_(
    source: Path = typer.Argument(..., help="A plain-text issue, or a folder of them (*.txt).",
                                  show_default=False),
    output: Path | None = typer.Option(
        None, "--output", "-o",
        help="YAML file to write (default: stdout); a folder when SOURCE is a folder."),
    publication: Path | None = typer.Option(
        None, "--publication",
        help="Publication file whose footer is recognised and left out "
             "(default: publication.yaml next to or above the output)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing YAML files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not list the warnings."),
) -> None:
    """Import past issues from plain text; nothing is dropped, doubtful parts are warned about."""
    from authoring.diagnostics import AuthoringError

    if not source.exists():
        raise fail(f"{source}: no such file or folder")  # a missing input file is exit 1 everywhere
    publication_model = _publication(publication, output, source)
    if source.is_dir():
        if output is None:
            raise fail("importing a folder needs an output folder: -o OUTDIR/", 2)
        if output.exists() and not output.is_dir():
            raise fail(f"{output}: is a file; give a folder to import a folder into", 2)
        raise typer.Exit(_import_folder(source, output, publication_model, force, quiet))
    if output is not None and output.is_dir():
        output = output / f"{source.stem}.yaml"
    if output is not None and output.exists() and not force:
        raise fail(f"{output} exists: use --force to overwrite it", 1)
    try:
        result = _import_one(source, output, publication_model)
    except AuthoringError as exc:
        print_reports(exc.reports)
        raise typer.Exit(1) from None
    if not quiet:
        for warning in result.warnings:
            typer.echo(str(warning), err=True)
    if output is None:
        typer.echo(result.yaml, nl=False)
    else:
        typer.echo(f"wrote {output}: {result.blocks} blocks, {len(result.warnings)} "
                   f"warning{'s' if len(result.warnings) != 1 else ''}", err=True)


def _import_one(source: Path, output: Path | None, publication):
    from authoring.files import write_atomic
    from authoring.importer import DEFAULT_SCHEMA, import_file
    from authoring.paths import find_schema

    schema = find_schema(output.parent) if output is not None else DEFAULT_SCHEMA
    result = import_file(source, publication=publication, schema=schema)
    if output is not None:
        write_atomic(output, result.yaml.encode("utf-8"))
    return result


def _import_folder(folder: Path, output: Path, publication, force: bool, quiet: bool) -> int:
    import click

    from authoring.diagnostics import AuthoringError

    files = sorted(p for p in folder.glob("*.txt") if p.is_file())
    if not files:
        typer.echo(f"error: {folder}: no .txt files to import", err=True)
        return 1
    rows: list[tuple[str, str, str]] = []
    warnings = []
    failed = 0
    # the bar on stderr: stdout keeps only the summary table, for scripts
    with typer.progressbar(files, label="Importing", file=click.get_text_stream("stderr")) as bar:
        for path in bar:
            target = output / f"{path.stem}.yaml"
            if target.exists() and not force:
                rows.append((str(path), "-", "exists (use --force)"))
                failed += 1
                continue
            try:
                result = _import_one(path, target, publication)
            except AuthoringError as exc:
                rows.append((str(path), "-", f"error: {exc}"))
                failed += 1
                continue
            rows.append((str(path), str(result.blocks), str(len(result.warnings))))
            warnings += result.warnings
    if not quiet:
        for warning in warnings:
            typer.echo(str(warning), err=True)
    _print_table([("file", "blocks", "warnings"), *rows])
    typer.echo(f"{len(files) - failed} of {len(files)} imported into {output}", err=True)
    return 1 if failed else 0


def _print_table(rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for n, (name, blocks, warns) in enumerate(rows):
        typer.echo(f"{name:<{widths[0]}}  {blocks:>{widths[1]}}  {warns:>{widths[2]}}")
        if n == 0:
            typer.echo("  ".join("-" * w for w in widths))


def _publication(path: Path | None, output: Path | None, source: Path):
    """The publication whose footer to recognise: given, or found next to the output or the source."""
    from authoring.paths import PUBLICATION_FILE
    from authoring.validate import find_publication, load_publication

    if path is None:
        # next to the output, else next to the source, else the project's issues/ folder
        probes = [output / "issue.yaml" if output.is_dir() or source.is_dir() else output] if output else []
        probes.append(source / "issue.txt" if source.is_dir() else source)
        found = (find_publication(p) for p in probes)
        path = next((p for p in found if p is not None), None)
        default = Path("issues") / PUBLICATION_FILE
        if path is None and default.is_file():
            path = default
    elif not path.is_file():
        raise fail(f"{path}: no such publication file")
    if path is None:
        return None
    publication, report = load_publication(path)
    if report is not None and report.errors:
        print_reports([report])
        raise fail(f"{path}: the publication file has errors", 1)
    return publication
