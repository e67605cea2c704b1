"""Import to files: one text file, or a folder of them, each written atomically.

The publication whose footer is recognised (and left out of the YAML) is the one that
will render the output: given, or ``publication.yaml`` next to the output file or in a
folder above it. A publication found anywhere else (the current folder's ``issues/``,
the source's folder) would strip a footer that the later render never writes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from authoring import model
from authoring.diagnostics import AuthoringError, Diagnostic
from authoring.files import write_atomic
from authoring.importer import DEFAULT_SCHEMA, ImportResult, import_file
from authoring.paths import find_schema
from authoring.validate import find_publication


def publication_for(output_file: Path | None, given: Path | None = None) -> Path | None:
    """The publication file that will render ``output_file``: ``given``, or the nearest one at or
    above the output's folder. Standard output (None) has no folder: only a given one counts."""
    if given is not None:
        return given
    return find_publication(output_file) if output_file is not None else None


def import_to_file(source: Path, target: Path | None, *,
                   publication: model.Publication | None) -> ImportResult:
    """Import ``source``; write the YAML to ``target`` (atomically) unless it is None."""
    schema = find_schema(target.parent) if target is not None else DEFAULT_SCHEMA
    result = import_file(source, publication=publication, schema=schema)
    if target is not None:
        write_atomic(target, result.yaml.encode("utf-8"))
    return result


@dataclass
class FileOutcome:
    """What became of one file of a folder import."""

    source: Path
    result: ImportResult | None = None
    problem: str | None = None
    """Why nothing was written (the target exists, the file cannot be read)."""


@dataclass
class FolderImport:
    """Every file of a folder import, in name order."""

    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(o.problem is not None for o in self.outcomes)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [w for o in self.outcomes if o.result for w in o.result.warnings]

    @property
    def footers_stripped(self) -> int:
        return sum(bool(o.result and o.result.footer_stripped) for o in self.outcomes)


def text_files(folder: Path) -> list[Path]:
    """The ``*.txt`` files of a folder, in name order."""
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


def import_folder(files: Iterable[Path], output: Path, *, publication: model.Publication | None,
                  force: bool = False) -> FolderImport:
    """Import each file to ``output/<stem>.yaml`` exactly as a file-by-file import would.

    ``files`` may be any iterable of paths (a progress bar over ``text_files(folder)``).
    """
    output.mkdir(parents=True, exist_ok=True)
    done = FolderImport()
    for path in files:
        target = output / f"{path.stem}.yaml"
        outcome = FileOutcome(path)
        if target.exists() and not force:
            outcome.problem = "exists (use --force)"
        else:
            try:
                outcome.result = import_to_file(path, target, publication=publication)
            except AuthoringError as exc:
                outcome.problem = f"error: {exc}"
        done.outcomes.append(outcome)
    return done
