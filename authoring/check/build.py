"""The issue as ``export`` builds it, in memory, with what the parts need to point at the YAML.

An issue that is not export-ready yet (a draft) is still checked: its export-level problems
become findings of the ``validation`` part and the other parts look at the draft rendering.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from authoring import links, model
from authoring.check.parse import Parsed, parse_html
from authoring.diagnostics import AuthoringError, Diagnostic, Level, Report, Severity
from authoring.load import Document, LoadError, load_file
from authoring.model import YamlPath
from authoring.paths import templates_dir

if TYPE_CHECKING:
    from authoring.outgoing import Export
    from authoring.render import RenderOptions
    from authoring.validate import Validated

_MARKER = re.compile(r"<!--@block (?P<block>[^>]{1,40})-->")


@dataclass
class Built:
    """One issue, rendered as it would be sent, and the sources to locate findings in."""

    path: Path
    issue: model.Issue
    publication: model.Publication
    publication_file: Path | None
    html: str
    """The email HTML (what export writes, CRLF line endings; a draft's rendering otherwise)."""
    text: str
    issue_doc: Document
    publication_doc: Document | None = None
    export_ready: bool = True
    """False when export refused the issue (the reasons are in ``problems``)."""
    draft: bool = False
    """Rendered as a draft (missing images and links marked) because it has export-level errors."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What export said: its warnings when it built the issue, all it refused with otherwise."""
    inliner: str | None = None
    """The CSS inliner export used (None: the publication's), for the block-marked render."""
    unrendered: str | None = None
    """Why there is no HTML to look at (a draft whose errors broke the render); the parts that
    read the HTML say it instead of running."""

    # ------------------------------------------------------------ locating

    def at(self, path: YamlPath, code: str, severity: Severity, message: str, hint: str,
           *, key: bool = False) -> Diagnostic:
        """A finding about the issue's YAML at ``path`` (its nearest written ancestor)."""
        pos = self.issue_doc.locate(path, key=key)
        return Diagnostic(code=code, severity=severity, message=message, hint=hint,
                          file=str(self.path), line=pos.line if pos else None,
                          column=pos.column if pos else None, path=path)

    def at_publication(self, path: YamlPath, code: str, severity: Severity, message: str,
                       hint: str, *, key: bool = False) -> Diagnostic:
        """A finding about publication.yaml (the issue file when there is none)."""
        if self.publication_doc is None:
            return Diagnostic(code=code, severity=severity, message=message, hint=hint,
                              file=str(self.path), path=("publication",) + path)
        pos = self.publication_doc.locate(path, key=key)
        return Diagnostic(code=code, severity=severity, message=message, hint=hint,
                          file=self.publication_doc.file, line=pos.line if pos else None,
                          column=pos.column if pos else None, path=path)

    def whole(self, code: str, severity: Severity, message: str, hint: str) -> Diagnostic:
        """A finding about the issue as a whole."""
        return Diagnostic(code=code, severity=severity, message=message, hint=hint,
                          file=str(self.path))

    def at_offset(self, path: YamlPath, offset: int | None, code: str, severity: Severity,
                  message: str, hint: str, *, needle: str = "") -> Diagnostic:
        """A finding about the character at ``offset`` inside the text at ``path``; ``needle``
        (the text found there) corrects the position where YAML folded the lines (``>``)."""
        from authoring.house import Finding
        from authoring.validate import _diagnostic

        found = _diagnostic(self.issue_doc, Finding(code=code, message=message, path=path,
                                                    hint=hint, severity=severity, offset=offset))
        lines = self.issue_doc.lines
        if needle and found.line and not _written_at(lines, found.line, found.column, needle):
            for number in range(found.line, min(len(lines), found.line + 400) + 1):
                column = lines[number - 1].find(needle)
                if column >= 0:
                    found.line, found.column = number, column + 1
                    break
        return found

    def at_text(self, needle: str, code: str, severity: Severity, message: str,
                hint: str) -> Diagnostic:
        """A finding about where ``needle`` is written: the issue first, then the publication."""
        docs = [self.issue_doc] + ([self.publication_doc] if self.publication_doc else [])
        for doc in docs:
            for number, line in enumerate(doc.lines, 1):
                column = line.find(needle) if needle else -1
                if column >= 0:
                    return Diagnostic(code=code, severity=severity, message=message, hint=hint,
                                      file=doc.file, line=number, column=column + 1)
        return self.whole(code, severity, message, hint)

    @cached_property
    def parsed(self) -> Parsed:
        """The final HTML's elements, attributes, styles and links."""
        return parse_html(self.html)

    # ------------------------------------------------------------ templates

    @cached_property
    def template_folders(self) -> list[Path]:
        """Where templates are looked up, the publication's own folder first."""
        from authoring.render.html import templates_folder

        base = self.publication_file.parent if self.publication_file else None
        own = templates_folder(self.publication, base)
        return ([Path(own)] if own else []) + [templates_dir()]

    # ------------------------------------------------------------ blocks

    @cached_property
    def blocks(self) -> list[tuple[str, int]]:
        """(block, bytes) in reading order: head, masthead, letter, stories[i], footer.

        The email is rendered once more with a comment before each block; the comments are
        the only difference, so the sizes between them add up to the real HTML's.
        """
        marked = self.marked_html
        body = marked.find("<body")
        if body < 0 or not _MARKER.search(marked):  # a publication's own issue template
            return [("whole email", len(self.html.encode("utf-8")))]
        spans: list[tuple[str, int]] = [("head", len(marked[:body].encode("utf-8")))]
        name, start = "masthead", body
        for match in _MARKER.finditer(marked):
            spans.append((name, len(marked[start:match.start()].encode("utf-8"))))
            name, start = match.group("block"), match.end()
        spans.append((name, len(marked[start:].encode("utf-8"))))
        return _merge(spans)

    @cached_property
    def marked_html(self) -> str:
        """The email HTML with ``<!--@block name-->`` before each block (CRLF, like the export)."""
        return _to_crlf(self._render(markers=True))

    def _render(self, *, markers: bool) -> str:
        from authoring import esp
        from authoring.render import render_html

        # as render_issue does for an email: the service's merge tags, so the bytes are export's
        html = render_html(self.issue, self.publication, self.render_options(markers=markers))[0]
        return esp.rewrite(html, self.publication.esp)

    def render_options(self, *, markers: bool = False) -> RenderOptions:
        """What export renders with (campaign tags, resolved images), or a draft's options."""
        from authoring.outgoing import image_resolver
        from authoring.render import RenderOptions

        tagger = links.campaign_tagger(self.publication, self.issue.issue.number)
        options = RenderOptions(
            mode="email", draft=self.draft, block_markers=markers,
            link_url=None if self.draft else tagger,
            image_url=None if self.draft else image_resolver(self.publication.image_base_url, []),
            publication_dir=self.publication_file.parent if self.publication_file else None,
            inliner=self.inliner)
        return options


def _written_at(lines: list[str], line: int, column: int | None, needle: str) -> bool:
    if not 0 < line <= len(lines) or column is None:
        return False
    return lines[line - 1][column - 1:].startswith(needle)


def _merge(spans: list[tuple[str, int]]) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for name, size in spans:
        merged[name] = merged.get(name, 0) + size
    return list(merged.items())


def _to_crlf(text: str) -> str:
    from authoring.message import to_crlf

    return to_crlf(text)


class NotCheckable(AuthoringError):
    """The issue cannot be built at all (YAML or structure errors): nothing to measure."""


def build(path: str | Path, *, publication_file: Path | None = None) -> Built:
    """Build the issue as export does; fall back to the draft rendering when export refuses."""
    from authoring.check.presend import build_export
    from authoring.validate import PUBLICATION_FILE, validate_file

    path = Path(path)
    if path.name == PUBLICATION_FILE:
        raise NotCheckable(f"{path} holds the publication's settings, not an issue; "
                           "check an issue file next to it")
    try:
        return from_export(build_export(path, publication_file=publication_file), publication_file)
    except AuthoringError as exc:
        refusal = [d for report in exc.reports for d in report.diagnostics]
    validated = validate_file(path, level=Level.EXPORT, publication_file=publication_file)
    if validated.issue is None or validated.document is None:
        raise NotCheckable(f"{path}: cannot be read as an issue", [validated.report])
    built = Built(path=path, issue=validated.issue, publication=validated.publication,
                  publication_file=validated.publication_file, html="", text="",
                  issue_doc=validated.document,
                  publication_doc=_publication_doc(validated),
                  export_ready=False, problems=refusal)
    _render_draft(built, validated.report)
    return built


def from_validated(validated: Validated) -> Built:
    """A quicker build for the live preview, from the draft it has just validated: one render
    (with block markers, removed for the HTML) instead of export's two plus the marked one.

    The HTML is the one export would write (same options); export's refusal is approximated by
    validating at the export level (the size part reports the Gmail clip)."""
    from authoring.validate import validate_document

    if validated.issue is None or validated.document is None:
        raise NotCheckable(f"{validated.report.file}: cannot be read as an issue", [validated.report])
    strict = validate_document(validated.document, level=Level.EXPORT,
                               publication=validated.publication)
    draft_errors = [d for d in strict.report.errors if d.code not in _EXPORT_ONLY]
    if draft_errors:
        raise NotCheckable(f"{validated.report.file}: errors", [strict.report])
    built = Built(path=Path(validated.report.file), issue=validated.issue,
                  publication=validated.publication, publication_file=validated.publication_file,
                  html="", text="", issue_doc=validated.document,
                  publication_doc=_publication_doc(validated),
                  export_ready=not strict.report.errors, draft=bool(strict.report.errors),
                  problems=list(strict.report.diagnostics))
    built.html = _MARKER.sub("", built.marked_html)
    return built


def from_export(export: Export, publication_file: Path | None = None,
                inliner: str | None = None) -> Built:
    """What export just built, ready for the check's parts (export's own gate)."""
    from authoring.validate import find_publication

    pub_path = publication_file or export.publication_file or find_publication(export.source)
    issue_doc = export.document if export.document is not None else load_file(export.source)
    same = pub_path == export.publication_file and export.publication_document is not None
    built = Built(path=export.source, issue=export.issue, publication=export.publication,
                  publication_file=pub_path, html="", text="", issue_doc=issue_doc,
                  publication_doc=export.publication_document if same else _load_quietly(pub_path),
                  inliner=inliner)
    _take_export(built, export)
    return built


def _take_export(built: Built, export: Export) -> None:
    built.html, built.text = export.html, export.text
    built.problems = export.warnings


def _render_draft(built: Built, report: Report) -> None:
    from authoring.message import to_crlf
    from authoring.render import render_issue

    # Errors a draft may not have (a missing alt, a field over 64 KB) stop export, not the check:
    # the draft is rendered as the preview shows it and every part that can still look does.
    draft_errors = [d for d in report.errors if d.code not in _EXPORT_ONLY]
    built.draft = bool(report.errors)
    try:
        rendered = render_issue(built.issue, built.publication, built.render_options())
    except Exception as exc:  # noqa: BLE001 - a draft with errors may break the renderer: said, not raised
        if not draft_errors:
            raise
        built.unrendered = f"the draft could not be rendered ({_first_line(exc)}); fix the errors above"
        return
    built.html, built.text = to_crlf(rendered.html), to_crlf(rendered.text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0][:160] if text else type(exc).__name__)


def _export_only() -> set[str]:
    """Errors only the export level raises (a draft may have them): the catalogue's codes that
    are warnings in drafts, and those it describes as export's own."""
    from authoring import codes

    return {c.code for c in codes.CATALOGUE.values()
            if c.severity == codes.BY_LEVEL or c.meaning.startswith("export")} | {codes.TOO_LARGE}


_EXPORT_ONLY = _export_only()


def _publication_doc(validated: Validated) -> Document | None:
    """The publication file as validation loaded it (read again only when it was not kept)."""
    return validated.publication_document or _load_quietly(validated.publication_file)


def _load_quietly(path: Path | None) -> Document | None:
    if path is None:
        return None
    with contextlib.suppress(LoadError, OSError):
        return load_file(path)
    return None
