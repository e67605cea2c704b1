"""Export: the send-ready files of one issue, written as a set or not at all.

``build_export`` validates at the export level and renders in memory; ``export_issue``
also writes ``<stem>.html``, ``<stem>.txt``, ``<stem>.eml``, ``<stem>.web.html`` and
``manifest.json``. The email files use CRLF line endings, email's canonical form, so the
``.eml`` goes on the wire byte for byte and its parts decode to exactly the ``.html`` and
``.txt`` files. Exports are deterministic: the same issue gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message, MIMEPart
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from authoring import codes, esp, links, markdown, model
from authoring.diagnostics import AuthoringError, Diagnostic, Level, Report, Severity
from authoring.files import OutputRefused, write_all_atomic
from authoring.load import MAX_BYTES, Document, LoadError, read_bounded
from authoring.render import GMAIL_CLIP_BYTES

if TYPE_CHECKING:
    from authoring.render import Rendered
    from authoring.validate import Validated

MANIFEST = "manifest.json"

EMAIL_POLICY = email.policy.SMTP.clone(cte_type="7bit")
"""CRLF line endings; 7-bit transfer encodings (quoted-printable or base64, whichever is
shorter) so that no relay has to re-encode the message."""


@dataclass
class ExportedFile:
    name: str
    size: int
    sha256: str


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
class ExportResult:
    out_dir: Path
    files: list[ExportedFile]
    """What was written, manifest included."""
    manifest: dict
    reports: list[Report]
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for report in self.reports for d in report.sorted() if not d.is_error]

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f.name for f in self.files]


# ---------------------------------------------------------------- building


def build_export(path: str | Path, *, strict: bool = False, check_links: bool = False,
                 publication_file: Path | None = None,
                 link_check: Callable[[list[str]], links.LinkCheck] = links.check_links,
                 inliner: str | None = None) -> Export:
    """Validate at the export level and render everything; raise AuthoringError on problems."""
    export = _build(path, strict=strict, check_links=check_links, publication_file=publication_file,
                    link_check=link_check, inliner=inliner)
    _raise_unless_ok(export.source, export.reports, strict)
    return export


def _build(path: str | Path, *, strict: bool, check_links: bool, publication_file: Path | None,
           link_check: Callable[[list[str]], links.LinkCheck], inliner: str | None) -> Export:
    """The export with every problem found on the way in its reports, errors too: a refusal
    lists all that blocks the issue in one run (a missing publication, its postal address, a
    relative image, ...), not one stage's at a time. Raises AuthoringError at once only when
    the issue cannot be rendered (an error a draft has too: nothing later could be trusted)."""
    path = Path(path)
    validated = _validate_for_export(path, strict, publication_file)
    sources = _Sources(validated.report, validated.publication_file)
    rendered = _render_for_export(validated, inliner)
    _report_relative_images(sources, rendered.relative_images)
    _report_render_findings(validated.report, rendered)
    _report_list_unsubscribe(validated.report, validated.publication)
    _report_unreplaced_tags(sources, rendered, validated.publication)
    uploads = _report_local_images(sources, rendered, validated.publication, path,
                                   validated.publication_file)
    notes: list[str] = []
    if check_links and not any(r.errors for r in sources.reports()):  # no point probing a refusal
        notes += _check_links(sources, rendered, link_check)
    return Export(source=path, stem=path.stem, issue=validated.built_issue,
                  publication=validated.publication, html=rendered.html, text=rendered.text,
                  web_html=rendered.web.html, reports=sources.reports(), notes=notes,
                  document=validated.document, publication_file=validated.publication_file,
                  images=uploads)


def _export_only_codes() -> frozenset[str]:
    """Errors that only the export level raises (a draft has them as warnings, or they are about
    sending): an issue with no other errors renders as a draft does, so export goes on to find
    the rest of what blocks it."""
    return frozenset(c.code for c in codes.CATALOGUE.values()
                     if c.severity == codes.BY_LEVEL or c.meaning.startswith("export"))


def _validate_for_export(path: Path, strict: bool, publication_file: Path | None) -> Validated:
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
class _Rendered:
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


def _render_for_export(validated: Validated, inliner: str | None) -> _Rendered:
    from authoring.render import RenderOptions, render_issue

    issue, publication = validated.built_issue, validated.publication
    relative_images: list[str] = []
    image_url = _image_resolver(publication.image_base_url, relative_images)
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
    return _Rendered(email=email, web=web, html=to_crlf(email.html), text=to_crlf(email.text),
                     relative_images=relative_images, links=seen_links, images=seen_images,
                     written_as=written_as, issue=issue)


def _report_relative_images(sources: _Sources, relative_images: list[str]) -> None:
    for src in dict.fromkeys(relative_images):
        sources.add(
            codes.NO_IMAGE_BASE_URL, Severity.ERROR, src,
            f"image '{src}' is a relative path and the publication sets no image_base_url",
            "set image_base_url in publication.yaml to where the images are uploaded, "
            "or use a full https:// address")


def _report_render_findings(report: Report, rendered: _Rendered) -> None:
    """Renderer warnings and the Gmail size limit."""
    from authoring.render import check_size

    size = len(rendered.html.encode("utf-8"))
    too_large = size > GMAIL_CLIP_BYTES
    # The web page's size does not matter to Gmail; the email's, when too large, is an error below.
    size_warnings = {check_size(rendered.web.size)} | (
        {check_size(rendered.email.size)} if too_large else set())
    for warning in dict.fromkeys(rendered.email.warnings + rendered.web.warnings):
        if warning in size_warnings:
            continue
        report.diagnostics.append(Diagnostic(code=codes.RENDER, severity=Severity.WARNING,
                                             message=warning, file=report.file))
    if too_large:
        report.diagnostics.append(Diagnostic(
            code=codes.TOO_LARGE, severity=Severity.ERROR, file=report.file,
            message=f"the email HTML is {size / 1024:.1f} KB; Gmail clips messages over "
                    f"{GMAIL_CLIP_BYTES // 1024} KB, hiding the rest of the issue and the unsubscribe link",
            hint="shorten the issue or move a story to the web version"))


def _report_list_unsubscribe(report: Report, publication: model.Publication) -> None:
    if not (publication.unsubscribe_url or publication.list_unsubscribe_mailto):
        report.diagnostics.append(Diagnostic(
            code=codes.NO_LIST_UNSUBSCRIBE, severity=Severity.WARNING, file=report.file,
            message="no List-Unsubscribe header: Gmail and Yahoo require one from bulk senders",
            hint="set unsubscribe_url or list_unsubscribe_mailto in publication.yaml"))


def _report_unreplaced_tags(sources: _Sources, rendered: _Rendered,
                            publication: model.Publication) -> None:
    """A toolkit merge tag that no service replaces reaches readers as written: with ``esp: none``
    every one of them (the default unsubscribe_url among them), else those the service lacks."""
    header = list_unsubscribe(publication) or ""
    places = {"the HTML": rendered.html, "the plain text": rendered.text,
              "the List-Unsubscribe header": esp.rewrite(header, publication.esp),
              "the subject": esp.rewrite(rendered.issue.issue.subject, publication.esp)}
    found: dict[str, list[str]] = {}
    for place, text in places.items():
        for name in esp.unreplaced_tags(text, publication.esp):
            found.setdefault(name, [])
            if place not in found[name]:
                found[name].append(place)
    for name, where in found.items():
        service = esp.get(publication.esp)
        why = ("publication.yaml sets no esp:, so no service replaces it" if publication.esp == esp.NONE
               else f"{publication.esp} has no merge tag for it" if service is not None
               else "no service replaces it")
        written = next((n for n in ("{{" + name, "{{ " + name) if _written(sources, n)), None)
        if written is None and name == "unsubscribe_url":  # the default: nobody wrote the tag
            what = "publication.yaml has no unsubscribe_url:, so its default '{{unsubscribe_url}}'"
            fix = "or add unsubscribe_url: with the https address of a page of yours that unsubscribes"
        else:
            what = f"'{{{{{name}}}}}'"
            fix = f"or write the real address in place of {{{{{name}}}}} in publication.yaml"
        sources.add_at_publication(
            codes.UNREPLACED_MERGE_TAG, Severity.ERROR, written or "{{" + name,
            f"{what} would reach readers as written in {', '.join(where)}: {why}",
            f"set esp: to the service you send with (docs/esp.md lists them), {fix}")


def _written(sources: _Sources, needle: str) -> bool:
    return any(needle in line for report in (sources.issue, *sources.others)
               for line in report.source_lines)


def _report_local_images(sources: _Sources, rendered: _Rendered, publication: model.Publication,
                         path: Path, publication_file: Path | None) -> list[dict]:
    """The local images to upload (for the manifest); a logo whose file is missing is an error
    (the issue's own images are validation's: missing-image-file)."""
    from authoring import localimages

    written = list(rendered.written_as.values()) + list(rendered.relative_images)
    found, missing = localimages.collect(localimages.sources(rendered.issue, publication) + written,
                                         localimages.folders(path, publication_file))
    logo = {s.strip() for s in (publication.logo.src, publication.logo.dark_src) if s} \
        if publication.logo else set()
    for src in missing:
        if src in logo:
            sources.add_at_publication(
                codes.MISSING_IMAGE_FILE, Severity.ERROR, src,
                f"the logo '{src}' does not exist next to publication.yaml", "put the file there, "
                "or correct logo.src (it is relative to publication.yaml)")
    resolve = _image_resolver(publication.image_base_url, [])
    uploads = []
    for image in found:
        try:
            size, digest = localimages.digest(image)
        except OSError:
            continue
        url = resolve(image.src) if publication.image_base_url else None  # as the email links it
        uploads.append({"src": image.src, "path": image.path.as_posix(), "url": url,
                        "size": size, "sha256": digest})
    return uploads


def _check_links(sources: _Sources, rendered: _Rendered,
                 link_check: Callable[[list[str]], links.LinkCheck]) -> list[str]:
    """Probe every address; broken ones become warnings at the line they were written on."""
    checked = link_check(list(dict.fromkeys(rendered.links + rendered.images)))
    notes = []
    if checked.offline:
        notes.append(f"links not checked: none of the {len(checked.checked)} addresses could be "
                     "reached (no network?)")
    for broken in checked.broken:
        sources.add(codes.BROKEN_LINK, Severity.WARNING, rendered.written_as.get(broken.url, broken.url),
                    f"'{broken.url}' does not work: {broken.reason}", "fix or remove the link")
    return notes


def _raise_unless_ok(path: Path, reports: list[Report], strict: bool, gate_errors: int = 0) -> None:
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


def _merge(reports: list[Report], more: list[Report]) -> None:
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


def _image_resolver(base_url: str | None, relative: list[str]) -> Callable[[str], str]:
    def resolve(src: str) -> str:
        if markdown.is_merge_tag(src) or markdown.url_scheme(src.strip()) is not None:
            return src
        if not base_url:
            relative.append(src)
            return src
        return urljoin(base_url if base_url.endswith("/") else base_url + "/", src.strip())

    return resolve


class _Sources:
    """Files export reports on: the issue, and the publication file (logo, footer links).

    Export's findings are about addresses; each goes to the file and line it was written on.
    """

    def __init__(self, report: Report, publication_file: Path | None):
        self.issue = report
        self.others: list[Report] = []
        if publication_file is not None:
            with contextlib.suppress(LoadError, UnicodeError):
                lines = read_bounded(publication_file, MAX_BYTES).decode("utf-8").splitlines()
                self.others.append(Report(file=str(publication_file), source_lines=lines))

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
                column = line.find(needle)
                if column >= 0 and not line[:column].lstrip().startswith("#"):  # not in a comment
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


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def to_crlf(text: str) -> str:
    """Every line ended by CRLF, as the email package encodes text parts."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines) or "\r\n"


# ---------------------------------------------------------------- the message


def build_message(issue: model.Issue, publication: model.Publication, html: str, text: str, *,
                  subject_prefix: str = "", to: str | None = None,
                  message_id: str | None = None) -> EmailMessage:
    """multipart/alternative, text first and HTML last (clients show the last part they can)."""
    info = issue.issue
    sender = publication.sender
    domain = sender.email.rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=EMAIL_POLICY)
    msg["From"] = Address(display_name=sender.name, addr_spec=sender.email)
    if to:
        msg["To"] = to
    if publication.reply_to:
        msg["Reply-To"] = publication.reply_to
    _set_subject(msg, subject_prefix + info.subject)
    # ESPs stamp the real send time; the issue date keeps the export reproducible.
    date = info.date or dt.date.today()
    msg["Date"] = dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC)
    msg["Message-ID"] = message_id or stable_message_id(issue, publication, domain)
    msg["MIME-Version"] = "1.0"
    unsubscribe = list_unsubscribe(publication)
    if unsubscribe:
        msg["List-Unsubscribe"] = esp.rewrite(unsubscribe, publication.esp)
        if _one_click(publication.unsubscribe_url):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.make_alternative()
    parts: list[Message | str] = []
    for body, subtype in ((text, "plain"), (html, "html")):
        part = MIMEPart(policy=EMAIL_POLICY)  # not EmailMessage: parts carry no MIME-Version
        part.set_content(body, subtype=subtype, charset="utf-8")
        parts.append(part)
    msg.set_payload(parts)  # what attach() does; typeshed's attach() wants an EmailMessage
    # A boundary derived from the content keeps exports reproducible; '=_' cannot occur
    # in quoted-printable or base64 text, so it cannot collide with the parts.
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()
    msg.set_boundary(f"=_{digest[:32]}")
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """Subject, folded into encoded words by ``email.header`` when it is not ASCII.

    The email package's own folding drops the space between two encoded words in long
    non-ASCII subjects ("домашним делам" came back as "домашнимделам"); Header keeps every
    space inside the encoded text, and set_raw stores its lines (each under 78) as they are.
    """
    if _HEADER_LINE_BREAK.search(subject):
        raise ValueError("the subject holds a line break")  # validation reports it first
    if subject.isascii():
        msg["Subject"] = subject
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n"))


_HEADER_LINE_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def stable_message_id(issue: model.Issue, publication: model.Publication, domain: str) -> str:
    """The same for every export of one issue: <the-batch.321.20261127@deeplearning.ai>."""
    slug = re.sub(r"[^a-z0-9]+", "-", publication.name.lower()).strip("-") or "issue"
    info = issue.issue
    day = info.date.strftime("%Y%m%d") if info.date else "undated"
    return f"<{slug}.{info.number if info.number is not None else 0}.{day}@{domain}>"


def list_unsubscribe(publication: model.Publication) -> str | None:
    """``<https://...>, <mailto:...?subject=unsubscribe>`` (RFC 2369), or None when neither is set."""
    entries: list[str] = []
    url = (publication.unsubscribe_url or "").strip()
    if url and (markdown.is_merge_tag(url) or markdown.url_scheme(url) in {"http", "https"}):
        entries.append(f"<{url}>")
    mailto = (publication.list_unsubscribe_mailto or "").strip()
    if mailto:
        address = mailto.removeprefix("mailto:")
        entries.append(f"<mailto:{address}{'' if '?' in address else '?subject=unsubscribe'}>")
    for entry in entries:
        if _NOT_IN_HEADER_URI.search(markdown.merge_tag_span().sub("", entry[1:-1])):
            # validation reports it (bad-unsubscribe); never write a second URI into the header
            raise ValueError(f"List-Unsubscribe entry {entry!r} holds < > , or white space")
    return ", ".join(entries) or None


_NOT_IN_HEADER_URI = re.compile(r"[<>,\s\"]")


def _one_click(url: str | None) -> bool:
    """RFC 8058 one-click needs an https URL (a merge tag becomes one at send time)."""
    url = (url or "").strip()
    return bool(url) and (markdown.is_merge_tag(url) or markdown.url_scheme(url) == "https")


# ---------------------------------------------------------------- writing


def export_issue(path: str | Path, out_dir: str | Path, *, strict: bool = False,
                 check_links: bool = False, publication_file: Path | None = None,
                 link_check: Callable[[list[str]], links.LinkCheck] = links.check_links,
                 inliner: str | None = None) -> ExportResult:
    """Build the export and write its files to ``out_dir`` as one atomic set."""
    export = _build(path, strict=strict, check_links=check_links, publication_file=publication_file,
                    link_check=link_check, inliner=inliner)
    from authoring.check import refuse_on_errors  # the pre-send check's fast parts

    gate_errors = 0
    try:
        refuse_on_errors(export, publication_file=publication_file, inliner=inliner)
    except AuthoringError as exc:  # its errors join the others: one refusal lists them all
        gate_errors = sum(len(report.errors) for report in exc.reports)
        _merge(export.reports, exc.reports)
    _raise_unless_ok(export.source, export.reports, strict, gate_errors)
    files = export.files()
    out_dir = Path(out_dir)
    try:
        write_all_atomic(out_dir, files, protected=_protected_folders(export))
    except OutputRefused as exc:
        raise AuthoringError(f"{exc}; nothing was changed") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = exc.filename or out_dir
        raise AuthoringError(f"cannot write the export to {out_dir}: {where}: {reason}; "
                             "nothing was changed") from exc
    manifest = json.loads(files[MANIFEST])
    written = [ExportedFile(name, len(data), hashlib.sha256(data).hexdigest())
               for name, data in files.items()]
    return ExportResult(out_dir=out_dir, files=written, manifest=manifest, reports=export.reports,
                        notes=export.notes)


def _protected_folders(export: Export) -> dict[str, Path]:
    """Folders an export must never replace (nor any folder above them): what the user is
    working in, and where the issue and its publication live."""
    folders = {"the issue's folder": export.source.parent}
    with contextlib.suppress(OSError):  # the current folder was removed
        folders["the current folder"] = Path.cwd()
    with contextlib.suppress(RuntimeError, KeyError):  # no home folder known
        folders["your home folder"] = Path.home()
    if export.publication_file is not None:
        folders["the publication's folder"] = export.publication_file.parent
    return folders
