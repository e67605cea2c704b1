"""Import the plain-text archive into YAML issues, losing nothing.

``import_text(text, source=...)`` reads the plain text of a past issue (the layout of
``seeds/*.txt``, in either of its styles, or the text ``authoring render`` writes, with
inline or numbered links) and returns the model, its YAML and the warnings, each naming
its source lines. ``import_file(path)`` does the same for a file; ``import_folder`` for a
folder (``authoring.importer.folder``). Stages: ``source`` (characters YAML refuses, the
Links block), ``parse`` (text → model), ``markdown`` (literal text → Markdown), ``emit``
(model → YAML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from authoring import codes, model
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.importer import emit
from authoring.importer.parse import parse_units, split_units
from authoring.importer.source import prepare

DEFAULT_SCHEMA = "../schema/issue.schema.json"
"""Where the JSON Schema is, seen from an issue in ``issues/``."""


@dataclass
class ImportResult:
    """One imported issue."""

    issue: model.Issue
    yaml: str
    """The YAML text, starting with a comment naming the source."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """What an editor should check, each with the source line."""
    source: str = "<text>"
    story_lines: list[tuple[int, int]] = field(default_factory=list)
    """First and last source line of each story."""
    footer_stripped: bool = False
    """The publication's footer was recognised and left to the publication."""

    @property
    def blocks(self) -> int:
        """The letter and the stories found."""
        return len(self.issue.stories) + (self.issue.letter is not None)


def import_text(text: str, *, source: str, publication: model.Publication | None = None,
                schema: str | None = DEFAULT_SCHEMA) -> ImportResult:
    """The issue in ``text``; ``publication``: the one that will render it, whose footer is left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    if not text.strip():
        raise AuthoringError(f"{source}: nothing to import (the file is empty)",
                             [_report(source, codes.EMPTY_INPUT, "the file is empty")])
    if "\x00" in text:
        raise AuthoringError(f"{source}: not a text file",
                             [_report(source, codes.BINARY_INPUT, "the file holds binary data, not text")])
    prepared = prepare(text.expandtabs(4), source=source)
    parsed = parse_units(split_units(prepared.text, prepared.links), source=source,
                         publication=publication)
    info = parsed.info
    info.subject, warning = _subject(parsed.stories, parsed.story_lines, source)
    issue = model.Issue(issue=info, letter=parsed.letter, stories=parsed.stories,
                        footer=model.Markdown(parsed.footer) if parsed.footer else None)
    comments = [f"Imported from {source} by `authoring import`.", *parsed.comments]
    return ImportResult(issue=issue, yaml=emit.dumps(issue, comments=comments, schema=schema),
                        warnings=[*prepared.warnings, *parsed.warnings, warning], source=source,
                        story_lines=parsed.story_lines, footer_stripped=parsed.footer_stripped)


def import_file(path: str | Path, *, publication: model.Publication | None = None,
                schema: str | None = DEFAULT_SCHEMA, source: str | None = None) -> ImportResult:
    """Import one text file; unreadable or non-UTF-8 files raise AuthoringError."""
    path = Path(path)
    name = source or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuthoringError(f"{name}: cannot read: {exc.strerror or exc}",
                             [_report(name, codes.UNREADABLE, f"cannot read the file: {exc.strerror or exc}")]
                             ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise AuthoringError(f"{name}:{line}: not UTF-8 text",
                             [_report(name, codes.NOT_UTF8, f"byte {exc.start} is not UTF-8 text", line)]
                             ) from None
    return import_text(text, source=name, publication=publication, schema=schema)


def _subject(stories: list[model.Story], lines: list[tuple[int, int]],
             source: str) -> tuple[str, Diagnostic]:
    """An invented subject line (the first headline, as the archive's subjects mostly were, else the
    file name) and the warning that asks the editor to set the real one."""
    found = next(((s.headline, n) for n, s in enumerate(stories) if isinstance(s, model.News)), None) \
        or next(((s.title, n) for n, s in enumerate(stories) if isinstance(s, model.Feature)), None)
    if found is not None:
        subject, n = found
        line: int | None = lines[n][0]
        kind = "headline" if isinstance(stories[n], model.News) else "title"
        where = f"line {line}: the subject is the first {kind}"
    else:
        subject, line, where = Path(source).stem, None, "the subject is the file name"
    return subject, Diagnostic(code=codes.INVENTED_SUBJECT, severity=Severity.WARNING, file=source, line=line,
                               message=f"{where} ('{subject}'): plain text has no subject line",
                               hint="set issue.subject to the subject the issue was sent with")


def _report(source: str, code: str, message: str, line: int | None = None) -> Report:
    return Report(file=source, diagnostics=[Diagnostic(code=code, severity=Severity.ERROR,
                                                       message=message, file=source, line=line)])
