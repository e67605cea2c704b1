"""Validate an issue: load → build the model → run the checks, all problems in one pass.

``validate_file(path)`` is what ``authoring validate`` calls; ``load_issue(path)`` is
what every later stage (render, preview, export) calls to get a model it can trust.
"""

from __future__ import annotations

import os
from dataclasses import field, replace
from pathlib import Path
from typing import overload

from authoring import checks, codes, markdown, model
from authoring import load as loader
from authoring.diagnostics import AuthoringError, Diagnostic, Level, Report, Severity, SourceLines
from authoring.load import MAX_BYTES, Document, LoadError, cycles_uncollected, load_bytes, load_file
from authoring.paths import PUBLICATION_FILE, first_file, search_names, untrusted_reason
from authoring.records import dataclass
from authoring.structure import build_issue, build_publication

DEFAULT_PUBLICATION = model.Publication(
    name="Newsletter",
    sender=model.Sender(name="Newsletter", email="newsletter@example.com"),
)
"""Used when no publication.yaml is found next to the issue or above it."""


@dataclass
class Validated:
    """The result of validating one issue file."""

    report: Report
    issue: model.Issue | None = None
    """The model, when the file could be built (it may still have errors)."""
    publication: model.Publication = field(default_factory=lambda: DEFAULT_PUBLICATION)
    publication_file: Path | None = None
    document: Document | None = field(default=None, repr=False)
    """The parsed YAML with every value's position: ``authoring check`` locates its findings in it."""
    publication_document: Document | None = field(default=None, repr=False)
    """The publication file as loaded for this validation, so later stages need not read it again."""

    @property
    def ok(self) -> bool:
        return self.report.ok()

    @property
    def built_issue(self) -> model.Issue:
        """The model, for callers of load_issue (which raises when there is none)."""
        if self.issue is None:
            raise AuthoringError(f"{self.report.file}: the issue could not be built", [self.report])
        return self.issue


def find_publication(issue_path: Path) -> Path | None:
    """publication.yaml in the issue's folder or the nearest folder above it, up to the project
    root (the folder holding pyproject.toml or .git); only the issue's folder outside a project."""
    return _publication_for(_resolved_folder(issue_path))


def _resolved_folder(issue_path: Path) -> str:
    """The folder ``issue_path`` resolves into (``issue_path.resolve().parent``, as a name)."""
    return os.path.dirname(os.path.realpath(issue_path))


def _publication_for(folder: str) -> Path | None:
    """find_publication for the issues of ``folder``, a resolved name."""
    return first_file(search_names(folder), PUBLICATION_FILE)


@overload
def load_publication(path: Path, level: Level = ...) -> tuple[model.Publication, Report]: ...
@overload
def load_publication(path: None, level: Level = ...) -> tuple[model.Publication, None]: ...
@overload
def load_publication(path: Path | None, level: Level = ...
                     ) -> tuple[model.Publication, Report | None]: ...


def load_publication(path: Path | None, level: Level = Level.DRAFT
                     ) -> tuple[model.Publication, Report | None]:
    """The publication settings and the report of their problems (None when no file)."""
    publication, report, _doc = _load_publication(path, level)
    return publication, report


def _load_publication(path: Path | None, level: Level
                      ) -> tuple[model.Publication, Report | None, Document | None]:
    """load_publication, and the file as loaded (None when there is none or it cannot be read)."""
    if path is None:
        return DEFAULT_PUBLICATION, None, None
    try:
        raw = loader.read_bounded(path, MAX_BYTES + 1)  # (by the module: tests count the reads)
        settings = _settings(path, raw, level)
    except LoadError as exc:
        return DEFAULT_PUBLICATION, exc.report, None
    doc, publication = settings.doc, settings.publication
    report = Report(file=str(path), source_lines=SourceLines(doc.text))
    # copies of what is kept: a caller may edit its report
    report.diagnostics.extend([replace(d) for d in settings.problems] + _trust_problems(path, publication))
    if publication is not None:
        report.diagnostics.extend(_diagnostic(doc, f) for f in checks.check_publication_files(
            publication, path.parent))
        report.diagnostics.extend(replace(d) for d in settings.findings)
    return publication or DEFAULT_PUBLICATION, report, doc


class _Settings:
    """What a publication file's bytes make, whatever the files around it: read it, never edit it.
    A plain class: a dataclass costs most of a millisecond to make at every start."""

    __slots__ = ("raw", "doc", "publication", "problems", "findings")

    def __init__(self, raw: bytes, doc: Document, publication: model.Publication | None,
                 problems: list[Diagnostic], findings: list[Diagnostic]):
        self.raw = raw
        self.doc = doc
        self.publication = publication
        self.problems = problems
        """The loader's and the model builder's."""
        self.findings = findings
        """checks.check_publication_settings'."""


_KEPT_SETTINGS: dict[tuple[str, Level], _Settings] = {}
"""The last settings made of each publication file (by its name as given, and the level), kept
for a process that renders again (the preview, a folder, export's build): the file is read each
time and its bytes compared, so an edit counts at once; what depends on other files (its owner
and mode, its templates folder's, the logo's width) is checked anew each time."""
_KEPT_SETTINGS_MAX = 16


def _settings(path: Path, raw: bytes, level: Level) -> _Settings:
    """The publication file ``path`` whose bytes are ``raw``, loaded, built and checked (raises
    LoadError)."""
    key = (str(path), level)
    kept = _KEPT_SETTINGS.get(key)
    if kept is not None and kept.raw == raw:
        return kept
    doc = load_bytes(raw, path)
    publication, problems = build_publication(doc)
    findings = [] if publication is None else [
        _diagnostic(doc, f) for f in checks.check_publication_settings(publication, level)]
    if len(_KEPT_SETTINGS) >= _KEPT_SETTINGS_MAX:
        _KEPT_SETTINGS.clear()
    kept = _KEPT_SETTINGS[key] = _Settings(raw, doc, publication, doc.diagnostics + problems, findings)
    return kept


class Publications:
    """The publication settings of one batch of issues (a folder render, ``validate a/*.yaml``):
    each folder's publication file found once and each file loaded once. Finding and loading it
    anew, with its checks and the trust check of its templates, was ~15% of rendering one issue
    of a folder. For one batch only: a long-lived process (the preview) loads it for each build,
    so that an edit or a ``chmod`` of the templates counts at once."""

    def __init__(self) -> None:
        self._found: dict[str, Path | None] = {}
        self._loaded: dict[tuple[Path | None, Level],
                           tuple[model.Publication, Report | None, Document | None]] = {}

    def find(self, issue_path: Path) -> Path | None:
        """find_publication, once per folder (the folder the file resolves into, as there)."""
        folder = _resolved_folder(issue_path)
        if folder not in self._found:
            self._found[folder] = _publication_for(folder)
        return self._found[folder]

    def load(self, path: Path | None, level: Level) -> tuple[model.Publication, Report | None]:
        """load_publication, once per file and level."""
        if (path, level) not in self._loaded:
            self._loaded[path, level] = _load_publication(path, level)
        publication, report, _doc = self._loaded[path, level]
        return publication, report

    def document(self, path: Path | None, level: Level) -> Document | None:
        """The file ``load`` read for ``path`` at ``level`` (None: not loaded, or unreadable)."""
        return self._loaded[path, level][2] if (path, level) in self._loaded else None


def _trust_problems(path: Path, publication: model.Publication | None) -> list[Diagnostic]:
    """A publication file or templates folder another local user could have written: its
    templates and settings would shape (and, unsandboxed, run in) every render. Refused."""
    suspects = [(path, "the publication file")]
    if publication is not None and publication.templates:
        folder = Path(publication.templates)
        folder = folder if folder.is_absolute() else path.parent / folder
        suspects += [(folder, "its templates folder"), (folder / "email", "its templates folder")]
        if (folder / "email").is_dir():
            suspects += [(t, "a template") for t in sorted((folder / "email").glob("*.j2"))[:200]]
    problems = []
    for suspect, what in suspects:
        reason = untrusted_reason(suspect)
        if reason:
            problems.append(Diagnostic(
                code=codes.UNTRUSTED_PUBLICATION, severity=Severity.ERROR, file=str(path), line=1,
                column=1, message=f"{what} {suspect} is not used: {reason}",
                hint="make it yours and writable only by you: chmod go-w, or move it into your project"))
    return problems


@cycles_uncollected
def validate_document(doc: Document, *, level: Level = Level.DRAFT,
                      publication: model.Publication = DEFAULT_PUBLICATION) -> Validated:
    report = Report(file=doc.file, source_lines=SourceLines(doc.text))
    report.diagnostics.extend(doc.diagnostics)
    if not isinstance(doc.data, dict):
        report.diagnostics.append(Diagnostic(
            code=codes.WRONG_TYPE, severity=Severity.ERROR, file=doc.file, line=1, column=1,
            message="an issue file is a mapping with 'issue:', 'letter:' and 'stories:'",
            hint="start from a template: authoring new"))
        return Validated(report=report, publication=publication, document=doc)
    markdown.parse.hold(len(doc.scalars))  # every text parsed once, for the checks and the render
    issue, problems, filled = build_issue(doc)
    report.diagnostics.extend(problems)
    if issue is not None:
        file = Path(doc.file)
        folder = file.parent if file.is_file() else None
        context = checks.CheckContext(level=level, publication=publication, folder=folder)
        for finding in checks.REGISTRY.run(issue, context):
            if finding.path not in filled:  # "'headline' is required" already says it
                report.diagnostics.append(_diagnostic(doc, finding))
    return Validated(report=report, issue=issue, publication=publication, document=doc)


def validate_text(text: str, *, file: str = "<string>", level: Level = Level.DRAFT,
                  publication: model.Publication = DEFAULT_PUBLICATION) -> Validated:
    """Validate YAML given as text (for tests, editors and the preview)."""
    from authoring.load import load_text

    try:
        doc = load_text(text, file)
    except LoadError as exc:
        return Validated(report=Report(file=file, diagnostics=[exc.diagnostic],
                                       source_lines=text.splitlines()), publication=publication)
    return validate_document(doc, level=level, publication=publication)


def validate_file(path: str | Path, *, level: Level = Level.DRAFT,
                  publication_file: Path | None = None,
                  publications: Publications | None = None) -> Validated:
    """Validate one issue file together with its publication file.

    ``publications``: the batch's, when this file is one of many."""
    path = Path(path)
    if path.name == PUBLICATION_FILE:
        # `authoring validate issues/*.yaml` sweeps up the publication file too
        publication, report = load_publication(path, level)
        return Validated(report=report, publication=publication, publication_file=path)
    batch = publications or Publications()
    exists = path.exists()
    pub_path = publication_file or (batch.find(path) if exists else None)
    publication, pub_report = batch.load(pub_path, level)
    try:
        doc = load_file(path)
    except LoadError as exc:
        result = Validated(report=exc.report, publication=publication, publication_file=pub_path)
    else:
        result = validate_document(doc, level=level, publication=publication)
        result.publication_file = pub_path
    result.publication_document = batch.document(pub_path, level)
    if pub_report is not None and pub_report.errors:
        # A broken publication file breaks every issue; say so with the issue.
        # (copies: the batch's issues share the publication's report, a report may be edited)
        result.report.diagnostics.extend(replace(error) for error in pub_report.errors)
    if pub_path is None and exists:  # a missing issue's publication was not looked for
        result.report.diagnostics.append(no_publication(path, level))
    return result


def no_publication(issue_path: Path, level: Level) -> Diagnostic:
    """Drafts render with the built-in defaults; a send-ready export needs the real settings."""
    expected = issue_path.parent / PUBLICATION_FILE
    if level is Level.EXPORT:
        return Diagnostic(
            code=codes.NO_PUBLICATION, severity=Severity.ERROR, file=str(expected),
            message=f"no {PUBLICATION_FILE} next to the issue or above it: the sender, postal "
                    "address and unsubscribe link would be placeholders",
            hint=f"create {expected} with name, sender, postal_address and unsubscribe_url")
    return Diagnostic(
        code=codes.NO_PUBLICATION, severity=Severity.WARNING, file=str(expected),
        message=f"no {PUBLICATION_FILE} next to the issue or above it: using built-in defaults "
                f"(sender {DEFAULT_PUBLICATION.sender.email}, no postal address)",
        hint=f"create {expected} before exporting")


def load_issue(path: str | Path, *, level: Level = Level.DRAFT, strict: bool = False,
               publication_file: Path | None = None,
               publications: Publications | None = None) -> Validated:
    """Validate and return the result; raise AuthoringError when it has errors."""
    result = validate_file(path, level=level, publication_file=publication_file,
                           publications=publications)
    if result.issue is None or not result.report.ok(strict=strict):
        count = len(result.report.errors) or len(result.report.warnings)
        kind = "error" if result.report.errors else "warning"
        raise AuthoringError(f"{path}: {count} {kind}{'s' if count != 1 else ''}",
                             [result.report])
    return result


def _diagnostic(doc: Document, finding: checks.Finding) -> Diagnostic:
    pos = doc.locate(finding.path, key=finding.key)
    if pos and finding.offset is not None and not finding.key:
        pos = doc.locate_offset(finding.path, finding.offset) or pos
    return Diagnostic(code=finding.code, severity=finding.severity, message=finding.message,
                      hint=finding.hint, file=doc.file, line=pos.line if pos else None,
                      column=pos.column if pos else None, path=finding.path)
