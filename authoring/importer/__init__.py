"""Import the plain-text archive into YAML issues, losing nothing.

``import_text(text, source=...)`` reads the plain text of a past issue (the layout of
``seeds/*.txt``, in either of its styles, or the text ``authoring render`` writes, with
inline or numbered links) and returns the model, its YAML and the warnings, each naming
its source lines. ``import_file(path)`` does the same for a file; ``import_folder`` for a
folder (``authoring.importer.folder``). Stages: ``source`` (characters YAML refuses, the
Links block), ``units`` (text → paragraphs with their lines), ``glue`` (glued lines split),
``parse`` (units → model, through the recognisers beside each block in ``authoring.blocks``
and ``letter``), ``markdown`` (literal text → Markdown), ``emit`` (model → YAML). A file is
read bounded, at most ``authoring.load.MAX_BYTES`` as for validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from authoring import codes, model
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.importer import emit
from authoring.importer.parse import parse_units
from authoring.importer.source import one_line, prepare
from authoring.importer.units import split_units
from authoring.load import MAX_BYTES, LoadError, read_bounded
from authoring.terminal import shown

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
    evidence: list[str] = field(default_factory=list)
    """What each story was recognised on (``kicker 'A MESSAGE ...' (line 9)``), in order."""
    subject_from: str = "file name"
    """Where the invented subject came from: "page title", "headline", "title" or "file name"."""

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
    if len(text) > MAX_BYTES // 4 and len(text.encode("utf-8")) > MAX_BYTES:
        size = len(text.encode("utf-8"))
        raise AuthoringError(f"{source}: too large to import ({size / 1_000_000:.1f} MB; at most "
                             f"{MAX_BYTES // 1_000_000} MB)",
                             [_report(source, codes.FILE_TOO_LARGE,
                                      f"the text is {size / 1_000_000:.1f} MB; an issue may be at most "
                                      f"{MAX_BYTES // 1_000_000} MB, as validate allows")])
    if "\x00" in text:
        raise AuthoringError(f"{source}: not a text file",
                             [_report(source, codes.BINARY_INPUT, "the file holds binary data, not text")])
    prepared = prepare(text.expandtabs(4), source=source)
    parsed = parse_units(split_units(prepared.text, prepared.links), source=source,
                         publication=publication)
    info = parsed.info
    if info.subject:
        line = parsed.subject_line
        subject_from = "page title"
        warning = Diagnostic(code=codes.INVENTED_SUBJECT, severity=Severity.WARNING, file=source, line=line,
                             message=f"line {line}: the subject is the web page's title ('{info.subject}')",
                             hint="check it is the subject the issue was sent with")
    else:
        info.subject, warning, subject_from = _subject(parsed.stories, parsed.story_lines, source)
    issue = model.Issue(issue=info, letter=parsed.letter, stories=parsed.stories,
                        footer=model.Markdown(parsed.footer) if parsed.footer else None)
    # the file name escaped, as the terminal shows it: one line, and the user can still tell which file
    comments = [f"Imported from {shown(source)} by `authoring import`.", *parsed.comments]
    return ImportResult(issue=issue, yaml=emit.dumps(issue, comments=comments, schema=schema),
                        warnings=[*prepared.warnings, *parsed.warnings, warning], source=source,
                        story_lines=parsed.story_lines, footer_stripped=parsed.footer_stripped,
                        evidence=parsed.evidence, subject_from=subject_from)


def import_file(path: str | Path, *, publication: model.Publication | None = None,
                schema: str | None = DEFAULT_SCHEMA, source: str | None = None) -> ImportResult:
    """Import one text file; unreadable or non-UTF-8 files raise AuthoringError."""
    path = Path(path)
    name = source or str(path)
    try:
        data = read_bounded(path, MAX_BYTES + 1)  # a FIFO or device is refused, a huge file not read whole
    except LoadError as exc:
        raise AuthoringError(f"{name}: cannot read: {exc.diagnostic.message}",
                             [_report(name, exc.diagnostic.code, exc.diagnostic.message)]) from None
    if len(data) > MAX_BYTES:
        size = _size(path)
        raise AuthoringError(
            f"{name}: too large to import ({size / 1_000_000:.1f} MB; at most {MAX_BYTES // 1_000_000} MB)",
            [_report(name, codes.FILE_TOO_LARGE,
                     f"the file is too large to import: {size / 1_000_000:.1f} MB; an issue may be "
                     f"at most {MAX_BYTES // 1_000_000} MB, as validate allows (split the archive page, or "
                     "check that this is the right file)")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise AuthoringError(f"{name}:{line}: not UTF-8 text",
                             [_report(name, codes.NOT_UTF8, f"byte {exc.start} is not UTF-8 text", line)]
                             ) from None
    return import_text(text, source=name, publication=publication, schema=schema)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return MAX_BYTES + 1


def _subject(stories: list[model.Story], lines: list[tuple[int, int]],
             source: str) -> tuple[str, Diagnostic, str]:
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
        subject = one_line(Path(source).stem) or "Untitled"  # a file name may hold line breaks
        line, where, kind = None, "the subject is the file name", "file name"
    return subject, Diagnostic(code=codes.INVENTED_SUBJECT, severity=Severity.WARNING, file=source, line=line,
                               message=f"{where} ('{subject}'): plain text has no subject line",
                               hint="set issue.subject to the subject the issue was sent with"), kind


def _report(source: str, code: str, message: str, line: int | None = None) -> Report:
    return Report(file=source, diagnostics=[Diagnostic(code=code, severity=Severity.ERROR,
                                                       message=message, file=source, line=line)])
