"""``authoring schema``: print the JSON Schema of the issue (or publication) format."""

from __future__ import annotations

from pathlib import Path

import typer

from authoring.commands import app, shown


@app.command(epilog="Example: authoring schema -o schema/issue.schema.json")
def schema(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    publication: bool = typer.Option(False, "--publication", help="Schema of publication.yaml instead."),
) -> None:
    """Print the JSON Schema for editor completion and inline errors."""
    from authoring import schema as schemas

    text = schemas.dumps(schemas.publication_schema() if publication else schemas.issue_schema())
    if output is None:
        typer.echo(text, nl=False)
        return
    from authoring.files import write_atomic

    write_atomic(output, text.encode("utf-8"))
    typer.echo(f"wrote {shown(str(output))}", err=True)
