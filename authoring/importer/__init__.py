"""Import the plain-text archive into YAML issues, losing nothing.

``import_text(text, source=...)`` reads the plain text of a past issue (the layout of
``seeds/*.txt``, in either of its styles, or the text ``authoring render`` writes)
and returns the model, its YAML and the warnings, each naming its source line.
``import_file(path)`` does the same for a file. Stages: ``parse`` (text → model),
``markdown`` (literal text → Markdown), ``emit`` (model → YAML), ``words`` (proof that
no word was lost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from authoring import codes, model
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.importer import emit
from authoring.importer.parse import parse_units, split_units

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

    @property
    def blocks(self) -> int:
        """The letter and the stories found."""
        return len(self.issue.stories) + (self.issue.letter is not None)


def import_text(text: str, *, source: str, publication: model.Publication | None = None,
                schema: str | None = DEFAULT_SCHEMA) -> ImportResult:
    """The issue in ``text``; ``publication`` lets its footer be recognised and left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    if not text.strip():
        raise AuthoringError(f"{source}: nothing to import (the file is empty)",
                             [_report(source, codes.EMPTY_INPUT, "the file is empty")])
    if "\x00" in text:
        raise AuthoringError(f"{source}: not a text file",
                             [_report(source, codes.BINARY_INPUT, "the file holds binary data, not text")])
    units, wrapped = split_units(text.expandtabs(4))
    letter, stories, footer, warnings = parse_units(units, wrapped, source=source,
                                                    publication=publication)
    issue = model.Issue(issue=model.IssueInfo(subject=_subject(stories, letter, source)),
                        letter=letter, stories=stories,
                        footer=model.Markdown(footer) if footer else None)
    comments = [f"Imported from {source} by `authoring import`."]
    return ImportResult(issue=issue, yaml=emit.dumps(issue, comments=comments, schema=schema),
                        warnings=warnings, source=source)


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


def _subject(stories: list[model.Story], letter: model.Letter | None, source: str) -> str:
    """An invented subject line: the first headline, as the archive's subjects mostly were."""
    for story in stories:
        if isinstance(story, model.News):
            return story.headline
    for story in stories:
        if isinstance(story, model.Feature):
            return story.title
    return Path(source).stem


def _report(source: str, code: str, message: str, line: int | None = None) -> Report:
    return Report(file=source, diagnostics=[Diagnostic(code=code, severity=Severity.ERROR,
                                                       message=message, file=source, line=line)])
