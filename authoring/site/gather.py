"""Stage 1 of the site: the issues of a folder, validated, sorted newest first, each with its page's URL.

A **draft** is an issue that does not pass validation at the export level (no number or date, an
image without its source, a call to action without its link...): what ``authoring export`` would
refuse to send is not published either. Drafts are left out of the site unless ``--drafts``; with
it they get pages under ``drafts/<file name>/`` marked ``noindex``, stay out of the feeds and the
sitemap, and an issue that cannot even be rendered (errors at the draft level) fails the build.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from authoring import codes, model
from authoring.diagnostics import AuthoringError, Diagnostic, Level, Report, Severity

if TYPE_CHECKING:
    from authoring.load import Document

DRAFTS_FOLDER = "drafts/"


@dataclass
class Entry:
    """One issue of the archive."""

    source: Path
    issue: model.Issue
    url_path: str
    """The page's folder relative to the site's root, ending in ``/`` (``issue-321/``)."""
    draft: bool = False
    problems: list[Diagnostic] = field(default_factory=list)
    """Why it is a draft: its errors at the export level."""
    report: Report | None = field(default=None, repr=False)
    document: Document | None = field(default=None, repr=False)

    @property
    def number(self) -> int | None:
        return self.issue.issue.number

    @property
    def date(self) -> dt.date | None:
        return self.issue.issue.date


@dataclass
class LeftOut:
    """A draft the site leaves out, with the first reason."""

    source: Path
    problems: list[Diagnostic]


@dataclass
class Archive:
    """Everything the later stages read."""

    folder: Path
    publication: model.Publication
    publication_file: Path | None
    base_url: str
    """Absolute, ending in ``/``."""
    entries: list[Entry]
    """Newest first: drafts (when included), then published issues by date and number."""
    left_out: list[LeftOut] = field(default_factory=list)
    warnings: list[Report] = field(default_factory=list)

    @property
    def published(self) -> list[Entry]:
        return [entry for entry in self.entries if not entry.draft]


def gather(folder: str | Path, *, drafts: bool = False, base_url: str | None = None,
           publication_file: Path | None = None) -> Archive:
    """Validate every issue of ``folder``; raise AuthoringError when the site cannot be built
    (a broken publication file, no base URL, two issues on one page, a draft that cannot render)."""
    from authoring.render.folder import issue_files
    from authoring.validate import Publications, find_publication, validate_file

    folder = Path(folder)
    if not folder.is_dir():
        raise AuthoringError(f"{folder}: not a folder of issues", [Report(file=str(folder), diagnostics=[
            Diagnostic(code=codes.FILE_NOT_FOUND if not folder.exists() else codes.NOT_A_FILE,
                       severity=Severity.ERROR, file=str(folder), message="not a folder of issues",
                       hint="pass the folder that holds the issues' .yaml files")])])
    batch = Publications()
    files = issue_files(folder)
    pub_file = publication_file or (batch.find(files[0]) if files else find_publication(folder / "x.yaml"))
    publication, pub_report = batch.load(pub_file, Level.DRAFT)
    if pub_report is not None and pub_report.errors:  # it would break every page: say it once
        raise AuthoringError(f"{pub_file}: the publication file has errors; the site was not changed",
                             [pub_report])
    entries: list[Entry] = []
    left_out: list[LeftOut] = []
    failed: list[Report] = []
    for path in files:
        result = validate_file(path, level=Level.EXPORT, publication_file=pub_file, publications=batch)
        if result.issue is not None and result.report.ok():
            entries.append(Entry(source=path, issue=result.issue, url_path="", report=result.report,
                                 document=result.document))
            continue
        broken = _publication_errors(result.report, pub_file)
        if broken:
            raise AuthoringError(f"{pub_file}: the publication file has errors at the export level; "
                                 "the site was not changed",
                                 [Report(file=str(pub_file), diagnostics=broken)])
        problems = result.report.errors
        if not drafts:
            left_out.append(LeftOut(path, problems))
            continue
        draft = validate_file(path, level=Level.DRAFT, publication_file=pub_file, publications=batch)
        if draft.issue is None or not draft.report.ok():
            failed.append(draft.report)
            continue
        entries.append(Entry(source=path, issue=draft.issue, url_path="", draft=True,
                             problems=problems, report=draft.report))
    if failed:
        raise AuthoringError(f"{len(failed)} draft{'s' if len(failed) != 1 else ''} cannot be "
                             "rendered; the site was not changed", failed)
    base = _base_url(base_url, publication, pub_file)
    _order(entries)
    _assign_urls(entries, publication, failed)
    if failed:
        raise AuthoringError("two issues would share one page; the site was not changed", failed)
    warnings = _site_findings(entries, base)
    return Archive(folder=folder, publication=publication, publication_file=pub_file, base_url=base,
                   entries=entries, left_out=left_out, warnings=warnings)


_EMAIL_ONLY = re.compile(r"\b(?:reply|respond) to this (?:e-?mail|message|newsletter)\b"
                         r"|\bforward this (?:e-?mail|message|newsletter)\b", re.IGNORECASE)


def _site_findings(entries: list[Entry], base_url: str) -> list[Report]:
    """The site's own warnings about published issues (validation's are `authoring validate`'s)."""
    reports = []
    for entry in entries:
        if entry.draft:
            continue
        found = list(email_only_text(entry.issue, entry.document))
        found += web_url_elsewhere(entry, base_url + entry.url_path)
        if found:
            reports.append(Report(file=str(entry.source), diagnostics=found,
                                  source_lines=entry.report.source_lines if entry.report else []))
    return reports


def web_url_elsewhere(entry: Entry, page_url: str) -> list[Diagnostic]:
    """An issue whose ``web_url`` (the email's link to its web copy) is not where the site puts it."""
    info = entry.issue.issue
    if not info.web_url or info.web_url.strip() == page_url:
        return []
    path = info.path + ("web_url",)
    position = entry.document.locate(path) if entry.document else None
    return [Diagnostic(
        code=codes.SITE_WEB_URL, severity=Severity.WARNING, path=path, file=str(entry.source),
        line=position.line if position else None, column=position.column if position else None,
        message=f"web_url is {info.web_url}, but the site puts this issue at {page_url}",
        hint=f"set web_url to {page_url}, or site.base_url and site.issue_path to where it is")]


def email_only_text(issue: model.Issue, document: Document | None) -> Iterator[Diagnostic]:
    """Warnings where the author's text speaks to an email's reader (the page keeps the text)."""
    from authoring.checks import text_fields

    for path, text, _ in text_fields(issue):
        for match in _EMAIL_ONLY.finditer(text):
            position = document.locate_offset(path, match.start()) if document else None
            yield Diagnostic(
                code=codes.SITE_EMAIL_TEXT, severity=Severity.WARNING, path=path,
                file=document.file if document else None,
                line=position.line if position else None, column=position.column if position else None,
                message=f"'{match.group(0)}' speaks to an email's reader: the archive page shows it "
                        "as written",
                hint="say how to reach you instead (write to ...), or keep it if it reads well on the web")


def _publication_errors(report: Report, pub_file: Path | None) -> list[Diagnostic]:
    """Errors of the publication file at the export level (validate_file copies them into each
    issue's report) but those about sending email: they are not the issue's to fix."""
    if pub_file is None:
        return []
    return [d for d in report.diagnostics if d.file == str(pub_file) and d.is_error
            and d.code != codes.NO_PUBLICATION and not _send_only(d.code)]


def _send_only(code: str) -> bool:
    """Export-level publication errors that concern sending email, not a web page."""
    return code in {codes.PLACEHOLDER_SENDER, codes.MISSING_POSTAL_ADDRESS, codes.MISSING_UNSUBSCRIBE,
                    codes.NO_ONE_CLICK_UNSUBSCRIBE}


def _base_url(override: str | None, publication: model.Publication, pub_file: Path | None) -> str:
    from authoring.markdown import url_scheme

    base = override or publication.site.base_url
    if not base or url_scheme(base) not in {"http", "https"}:
        where = pub_file or Path("publication.yaml")
        raise AuthoringError(f"{where}: no site.base_url", [Report(file=str(where), diagnostics=[
            _located(where, publication.site.path or ("site",), codes.SITE_BASE_URL,
                     "site.base_url is not set: pages need it for their canonical links, feeds for "
                     "their addresses", "add site: {base_url: https://example.org/archive/} to "
                     f"{where.name}")])])
    return base if base.endswith("/") else base + "/"


def _located(file: Path, path: model.YamlPath, code: str, message: str, hint: str) -> Diagnostic:
    from authoring.load import LoadError, load_file

    line = column = None
    try:
        position = load_file(file).locate(path) if file.is_file() else None
    except LoadError:
        position = None
    if position is not None:
        line, column = position.line, position.column
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, hint=hint, file=str(file),
                      line=line, column=column, path=path)


def _order(entries: list[Entry]) -> None:
    """Drafts first (what comes next), then the published issues newest first."""
    entries.sort(key=lambda e: (not e.draft, -(e.date or dt.date.min).toordinal(), -(e.number or 0),
                                e.source.name))


_UNSAFE_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


def _assign_urls(entries: list[Entry], publication: model.Publication, failed: list[Report]) -> None:
    pattern = publication.site.issue_path
    pattern = pattern if pattern.endswith("/") else pattern + "/"
    taken: dict[str, Entry] = {}
    for entry in entries:
        if entry.draft:
            slug = _UNSAFE_SLUG.sub("-", entry.source.stem).strip(".-") or "issue"
            entry.url_path = f"{DRAFTS_FOLDER}{slug}/"
        else:
            entry.url_path = pattern.replace("{number}", str(entry.number))
        other = taken.get(entry.url_path)
        if other is not None:
            failed.append(Report(file=str(entry.source), diagnostics=[Diagnostic(
                code=codes.SITE_URL_TAKEN, severity=Severity.ERROR, file=str(entry.source),
                path=entry.issue.issue.path + ("number",),
                line=_line(entry), message=f"{other.source.name} has the same page, "
                f"{entry.url_path}", hint="give each issue its own number")]))
        taken[entry.url_path] = entry


def _line(entry: Entry) -> int | None:
    from authoring.load import LoadError, load_file

    try:
        position = load_file(entry.source).locate(entry.issue.issue.path + ("number",))
    except LoadError:
        return None
    return position.line if position else None
