"""The issue as it will go out, built in memory: validated at the export level, rendered as
the email and as the web page, with what the pre-send rules need to find and locate problems.

Nothing here judges whether the issue may be sent (``authoring.check.presend`` does) or writes
a file (``authoring.export`` does); both start from ``prepare``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from authoring import codes, links, markdown, model
from authoring.diagnostics import AuthoringError, Diagnostic, Level, Report, Severity
from authoring.load import Document
from authoring.message import build_message, to_crlf
from authoring.render import GMAIL_CLIP_BYTES

if TYPE_CHECKING:
    from authoring.render import Rendered
    from authoring.validate import Validated

MANIFEST = "manifest.json"


@dataclass
class Export:
    """One issue rendered for sending, in memory."""

    source: Path
    stem: str
    issue: model.Issue
    publication: model.Publication
    html: str
    """Inlined email HTML, CRLF line endings."""
    text: str
    """Plain-text alternative, CRLF line endings."""
    web_html: str
    """The web-archive page."""
    reports: list[Report]
    """The issue's diagnostics (validation plus export's own), then the publication file's
    when export found something there; only warnings remain."""
    notes: list[str] = field(default_factory=list)
    """Things to tell the user that are not problems with the issue (e.g. offline link check)."""
    document: Document | None = field(default=None, repr=False)
    """The issue as loaded (with positions), so the pre-send check need not parse it again."""
    publication_file: Path | None = None
    """The publication file the issue was validated with, if any."""
    publication_document: Document | None = field(default=None, repr=False)
    """That file as validation loaded it, so the pre-send check need not read it again."""
    images: list[dict] = field(default_factory=list)
    """The local images to upload under image_base_url: src, path, url, size, sha256."""

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for report in self.reports for d in report.sorted() if not d.is_error]

    def message(self, *, subject_prefix: str = "", to: str | None = None,
                message_id: str | None = None) -> EmailMessage:
        return build_message(self.issue, self.publication, self.html, self.text,
                             subject_prefix=subject_prefix, to=to, message_id=message_id)

    def files(self) -> dict[str, bytes]:
        """File name → content, in write order, the manifest last."""
        files = {
            f"{self.stem}.html": self.html.encode("utf-8"),
            f"{self.stem}.txt": self.text.encode("utf-8"),
            f"{self.stem}.eml": self.message().as_bytes(),
            f"{self.stem}.web.html": self.web_html.encode("utf-8"),
        }
        files[MANIFEST] = (json.dumps(self.manifest(files), ensure_ascii=False, indent=2)
                           + "\n").encode("utf-8")
        return files

    def manifest(self, files: dict[str, bytes]) -> dict:
        info = self.issue.issue
        return {
            "issue": {
                "number": info.number,
                "date": info.date.isoformat() if info.date else None,
                "subject": info.subject,
                "source": self.source.name,
            },
            "files": [{"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                      for name, data in files.items()],
            "images": self.images,
            "html_bytes": len(files[f"{self.stem}.html"]),
            "gmail_clip_bytes": GMAIL_CLIP_BYTES,
            "warnings": [d.to_json() for d in self.warnings],
        }



@dataclass
class Prepared:
    """An issue validated at the export level and rendered, before any pre-send rule: what the
    rules read, and the reports they add their findings to."""

    path: Path
    validated: Validated
    rendered: Renders
    sources: Sources

    def export(self, *, reports: list[Report], notes: list[str], images: list[dict]) -> Export:
        validated, rendered = self.validated, self.rendered
        return Export(source=self.path, stem=self.path.stem, issue=validated.built_issue,
                      publication=validated.publication, html=rendered.html, text=rendered.text,
                      web_html=rendered.web.html, reports=reports, notes=notes,
                      document=validated.document, publication_file=validated.publication_file,
                      publication_document=validated.publication_document, images=images)


def prepare(path: Path, *, publication_file: Path | None = None, inliner: str | None = None) -> Prepared:
    """Validate at the export level and render the email and the web page; AuthoringError when
    the issue has an error a draft has too (nothing rendered from it could be trusted)."""
    validated = _validate_for_export(path, publication_file)
    return Prepared(path=path, validated=validated, rendered=_render_for_export(validated, inliner),
                    sources=Sources(validated.report, validated.publication_file,
                                    validated.publication_document))


def _export_only_codes() -> frozenset[str]:
    """Errors that only the export level raises (a draft has them as warnings, or they are about
    sending): an issue with no other errors renders as a draft does, so export goes on to find
    the rest of what blocks it."""
    return frozenset(c.code for c in codes.CATALOGUE.values()
                     if c.severity == codes.BY_LEVEL or c.meaning.startswith("export"))


def _validate_for_export(path: Path, publication_file: Path | None) -> Validated:
    from authoring.paths import PUBLICATION_FILE
    from authoring.validate import validate_file

    if path.name == PUBLICATION_FILE:
        raise AuthoringError(f"{path} holds the publication's settings, not an issue; "
                             "export an issue file next to it")
    validated = validate_file(path, level=Level.EXPORT, publication_file=publication_file)
    export_only = _export_only_codes()
    if validated.issue is None or any(d.code not in export_only for d in validated.report.errors):
        errors = len(validated.report.errors)
        raise AuthoringError(f"{path}: {errors} error{'s' if errors != 1 else ''}; nothing exported",
                             [validated.report])
    return validated


@dataclass
class Renders:
    """The email and web renders, and the addresses the email uses."""

    email: Rendered
    web: Rendered
    html: str
    """The email HTML, CRLF line endings."""
    text: str
    relative_images: list[str]
    links: list[str]
    images: list[str]
    written_as: dict[str, str]
    """Resolved image address → as written, to locate it."""
    issue: model.Issue


def _render_for_export(validated: Validated, inliner: str | None) -> Renders:
    from authoring.render import RenderOptions, render_issue

    issue, publication = validated.built_issue, validated.publication
    relative_images: list[str] = []
    image_url = image_resolver(publication.image_base_url, relative_images)
    seen_links: list[str] = []
    seen_images: list[str] = []
    written_as: dict[str, str] = {}
    tagger = links.campaign_tagger(publication, issue.issue.number)

    def email_link(url: str) -> str:
        seen_links.append(url)
        return tagger(url) if tagger else url

    def email_image(src: str) -> str:
        resolved = image_url(src)
        seen_images.append(resolved)
        written_as.setdefault(resolved, src)
        return resolved

    # The web page is not an email: no utm_medium=email on its links.
    folder = validated.publication_file.parent if validated.publication_file else None
    email = render_issue(issue, publication, RenderOptions(
        mode="email", draft=False, link_url=email_link, image_url=email_image, publication_dir=folder,
        inliner=inliner))
    web = render_issue(issue, publication, RenderOptions(
        mode="web", draft=False, image_url=image_url, publication_dir=folder, inliner=inliner))
    return Renders(email=email, web=web, html=to_crlf(email.html), text=to_crlf(email.text),
                     relative_images=relative_images, links=seen_links, images=seen_images,
                     written_as=written_as, issue=issue)



def is_written(sources: Sources, needle: str) -> bool:
    """Whether ``needle`` is written in the issue or the publication file, a comment aside (a
    comment naming a setting is no setting: ``add_at_publication`` would not find it there)."""
    return any(_written_at(line, needle) >= 0 for report in (sources.issue, *sources.others)
               for line in report.source_lines)


def _written_at(line: str, needle: str) -> int:
    """Where ``needle`` starts in ``line``, or -1 when it is not there or only in a comment line."""
    column = line.find(needle)
    return -1 if column < 0 or line[:column].lstrip().startswith("#") else column



def raise_unless_ok(path: Path, reports: list[Report], strict: bool, gate_errors: int = 0) -> None:
    """One refusal for everything found; ``gate_errors`` of the errors came from the pre-send check."""
    if all(report.ok(strict=strict) for report in reports):
        return
    errors = sum(len(report.errors) for report in reports)
    warnings = sum(len(report.warnings) for report in reports)
    if errors:
        gate = (f" ({min(gate_errors, errors)} from the pre-send check: authoring check shows its "
                "full report)") if gate_errors else ""
        message = f"{path}: {errors} error{'s' if errors != 1 else ''}{gate}; nothing exported"
    else:
        message = (f"{path}: {warnings} warning{'s' if warnings != 1 else ''} "
                   "and --strict; nothing exported")
    raise AuthoringError(message, reports)


_SAID_BY_EXPORT = {codes.SIZE_CLIPPED: codes.TOO_LARGE}
"""The pre-send check's codes for what export's own findings already say."""


def merge_reports(reports: list[Report], more: list[Report]) -> None:
    """Add the diagnostics of ``more`` to the report of the same file (once each), or its report;
    none that one of export's own findings already says."""
    said = {d.code for report in reports for d in report.diagnostics}
    more = [replace(report, diagnostics=[d for d in report.diagnostics
                                         if _SAID_BY_EXPORT.get(d.code) not in said])
            for report in more]
    by_file = {report.file: report for report in reports}
    for report in more:
        mine = by_file.get(report.file)
        if mine is None:
            reports.append(report)
            by_file[report.file] = report
            continue
        seen = {(d.code, d.line, d.column, d.message) for d in mine.diagnostics}
        mine.diagnostics.extend(d for d in report.diagnostics
                                if (d.code, d.line, d.column, d.message) not in seen)


def image_resolver(base_url: str | None, relative: list[str]) -> Callable[[str], str]:
    def resolve(src: str) -> str:
        if markdown.is_merge_tag(src) or markdown.url_scheme(src.strip()) is not None:
            return src
        if not base_url:
            relative.append(src)
            return src
        return urljoin(base_url if base_url.endswith("/") else base_url + "/", src.strip())

    return resolve


class Sources:
    """Files export reports on: the issue, and the publication file (logo, footer links).

    Export's findings are about addresses; each goes to the file and line it was written on.
    """

    def __init__(self, report: Report, publication_file: Path | None,
                 publication_document: Document | None = None):
        self.issue = report
        self.others: list[Report] = []
        if publication_file is not None and publication_document is not None:
            # as validation read it: the file is read once a run
            self.others.append(Report(file=str(publication_file), source_lines=publication_document.lines))

    def add(self, code: str, severity: Severity, needle: str, message: str, hint: str) -> None:
        for report in (self.issue, *self.others):
            for number, line in enumerate(report.source_lines, 1):
                column = line.find(needle)
                if column >= 0:
                    report.diagnostics.append(Diagnostic(
                        code=code, severity=severity, message=message, hint=hint,
                        file=report.file, line=number, column=column + 1))
                    return
        self.issue.diagnostics.append(Diagnostic(code=code, severity=severity, message=message,
                                                 hint=hint, file=self.issue.file))

    def add_at_publication(self, code: str, severity: Severity, needle: str, message: str,
                           hint: str) -> None:
        """Where ``needle`` is written (the issue, then publication.yaml); a default nobody wrote
        at publication.yaml's ``esp:`` line, or its first line."""
        for report in (self.issue, *self.others):
            for number, line in enumerate(report.source_lines, 1):
                column = _written_at(line, needle)
                if column >= 0:
                    report.diagnostics.append(Diagnostic(
                        code=code, severity=severity, message=message, hint=hint,
                        file=report.file, line=number, column=column + 1))
                    return
        for report in self.others:
            lines = report.source_lines
            number = next((i for i, line in enumerate(lines, 1) if line.startswith("esp:")), 1)
            report.diagnostics.append(Diagnostic(code=code, severity=severity, message=message,
                                                 hint=hint, file=report.file, line=number, column=1))
            return
        self.issue.diagnostics.append(Diagnostic(code=code, severity=severity, message=message,
                                                 hint=hint, file=self.issue.file))

    def reports(self) -> list[Report]:
        return [self.issue, *(r for r in self.others if r.diagnostics)]

