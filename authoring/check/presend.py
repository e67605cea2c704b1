"""The pre-send rules: what export (and send, and the check) refuses or warns about in the issue
as it will go out, each a small named rule run in order over one ``Presend`` context.

They read the rendered bytes, not the YAML (relative images, the Gmail clip, template code a
service would run, List-Unsubscribe, merge tags no service replaces, local files, broken links),
and place each finding at the line it was written on. ``build_export`` runs them all once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from authoring import codes, esp, links
from authoring.diagnostics import Diagnostic, Severity
from authoring.message import list_unsubscribe
from authoring.outgoing import Export, Prepared, Sources, image_resolver, is_written, prepare, raise_unless_ok
from authoring.render import GMAIL_CLIP_BYTES

# ---------------------------------------------------------------- building


def build_export(path: str | Path, *, strict: bool = False, check_links: bool = False,
                 publication_file: Path | None = None,
                 link_check: Callable[[list[str]], links.LinkCheck] = links.check_links,
                 inliner: str | None = None, refuse: bool = True) -> Export:
    """The issue as it will go out, with every pre-send rule's findings in its reports: a refusal
    lists all that blocks the issue in one run (a missing publication, its postal address, a
    relative image, ...), not one stage's at a time. Raises AuthoringError at once only when
    the issue cannot be rendered (an error a draft has too: nothing later could be trusted);
    with ``refuse`` (the default), also when the rules found errors (or warnings, ``strict``)."""
    prepared = prepare(Path(path), publication_file=publication_file, inliner=inliner)
    context = Presend(prepared, check_links=check_links, link_check=link_check)
    for _name, rule in RULES:
        rule(context)
    export = prepared.export(reports=context.sources.reports(), notes=context.notes,
                             images=context.uploads)
    if refuse:
        raise_unless_ok(export.source, export.reports, strict)
    return export


@dataclass
class Presend:
    """What the rules read (the prepared issue) and what they leave for the export."""

    prepared: Prepared
    check_links: bool = False
    link_check: Callable[[list[str]], links.LinkCheck] = links.check_links
    uploads: list[dict] = field(default_factory=list)
    """The local images to upload (the manifest's ``images``)."""
    notes: list[str] = field(default_factory=list)

    @property
    def sources(self) -> Sources:
        return self.prepared.sources


Rule = Callable[[Presend], None]
RULES: list[tuple[str, Rule]] = []
"""The pre-send rules by name, in the order they run (and report)."""


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES.append((name, func))
        return func
    return register


@rule("relative-images")
def _relative_images(context: Presend) -> None:
    sources, relative_images = context.sources, context.prepared.rendered.relative_images
    for src in dict.fromkeys(relative_images):
        sources.add(
            codes.NO_IMAGE_BASE_URL, Severity.ERROR, src,
            f"image '{src}' is a relative path and the publication sets no image_base_url",
            "set image_base_url in publication.yaml to where the images are uploaded, "
            "or use a full https:// address")


@rule("render-findings")
def _render_findings(context: Presend) -> None:
    """Renderer warnings and the Gmail size limit."""
    from authoring.render import check_size

    report, rendered = context.prepared.validated.report, context.prepared.rendered

    size = len(rendered.html.encode("utf-8"))
    too_large = size > GMAIL_CLIP_BYTES
    # The web page's size does not matter to Gmail; the email's, when too large, is an error below.
    size_warnings = {check_size(rendered.web.size)} | (
        {check_size(rendered.email.size)} if too_large else set())
    for warning in dict.fromkeys(rendered.email.warnings + rendered.web.warnings):
        if warning not in size_warnings:
            report.diagnostics.append(Diagnostic(code=codes.RENDER, severity=Severity.WARNING,
                                                 message=warning, file=report.file))
    if too_large:
        report.diagnostics.append(Diagnostic(
            code=codes.TOO_LARGE, severity=Severity.ERROR, file=report.file,
            message=f"the email HTML is {size / 1024:.1f} KB; Gmail clips messages over "
                    f"{GMAIL_CLIP_BYTES // 1024} KB, hiding the rest of the issue and the unsubscribe link",
            hint="shorten the issue or move a story to the web version"))


@rule("template-code")
def _template_code(context: Presend) -> None:
    """The last guard over the exported bytes (docs/security.md, "Handing text"): what the
    service would run in the plain text or a header (no literal form there), or a near miss of
    its tags anywhere. The merge-tag check finds the author's own first, in the YAML; this
    finds what templates or the publication add."""
    sources, rendered, validated = context.sources, context.prepared.rendered, context.prepared.validated
    publication = validated.publication
    service = publication.esp
    unsubscribe = list_unsubscribe(publication)
    parts = {"the plain text": rendered.text,
             "the Subject": esp.rewrite(validated.built_issue.issue.subject, service),
             "the From name": publication.sender.name,
             "List-Unsubscribe": esp.rewrite(unsubscribe, service) if unsubscribe else ""}
    def flat(text: str) -> str:
        return " ".join(text.replace("\\n", " ").split())

    # what the merge-tag check already reported (export goes on to list every blocker): once
    already = [flat(d.message) for d in validated.report.diagnostics
               if d.code in (codes.ESP_TEMPLATE_CODE, codes.MERGE_TAG_TYPO)]

    def reported(construct: esp.Construct) -> bool:
        return any(f"'{flat(construct.text)[:50]}" in message for message in already)

    for where, text in parts.items():
        for construct in esp.live_code(text, service):
            if reported(construct):
                continue
            # the plain text wraps long lines: look for the construct's longest unbroken piece
            needle = construct.text if not any(c.isspace() for c in construct.text) else \
                max(construct.text.split(), key=len)
            sources.add(codes.MERGE_TAG_TYPO if construct.is_typo else codes.ESP_TEMPLATE_CODE,
                        Severity.ERROR, needle, f"{where}: {esp.describe(construct, service)}",
                        "see docs/esp.md: only the service's merge tags may reach it")
    for construct in esp.live_code(rendered.html, service):  # the rest was neutralised
        if reported(construct):
            continue
        sources.add(codes.MERGE_TAG_TYPO, Severity.ERROR, construct.text,
                    f"the HTML: {esp.describe(construct, service)}", f"write '{construct.suggestion}'")


@rule("list-unsubscribe")
def _list_unsubscribe(context: Presend) -> None:
    report, publication = context.prepared.validated.report, context.prepared.validated.publication
    if not (publication.unsubscribe_url or publication.list_unsubscribe_mailto):
        report.diagnostics.append(Diagnostic(
            code=codes.NO_LIST_UNSUBSCRIBE, severity=Severity.WARNING, file=report.file,
            message="no List-Unsubscribe header: Gmail and Yahoo require one from bulk senders",
            hint="set unsubscribe_url or list_unsubscribe_mailto in publication.yaml"))


@rule("unreplaced-merge-tags")
def _unreplaced_tags(context: Presend) -> None:
    """A toolkit merge tag that no service replaces reaches readers as written: with ``esp: none``
    every one of them (the default unsubscribe_url among them), else those the service lacks."""
    sources, rendered = context.sources, context.prepared.rendered
    publication = context.prepared.validated.publication
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
        if _reported_by_validation(sources, name):
            continue  # unknown-merge-tag already stands at each place it is written: once is enough
        # validation refuses an esp: it does not know: the service is none or lacks the tag
        why = ("publication.yaml sets no esp:, so no service replaces it" if publication.esp == esp.NONE
               else f"{publication.esp} has no merge tag for it")
        written = next((n for n in ("{{" + name, "{{ " + name) if is_written(sources, n)), None)
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


def _reported_by_validation(sources: Sources, name: str) -> bool:
    """Whether validation flagged the toolkit tag ``name`` (unknown-merge-tag, which quotes the
    tag as written, ``{{name}}`` or ``{{ name }}``): it does where a chosen service lacks it."""
    written = re.compile(r"'\{\{\s*" + re.escape(name) + r"\s*\}\}'")
    return any(d.code == codes.UNKNOWN_MERGE_TAG and written.search(d.message)
               for report in (sources.issue, *sources.others) for d in report.diagnostics)


@rule("local-images")
def _local_images(context: Presend) -> None:
    """The local images to upload (for the manifest); a logo whose file is missing is an error
    (the issue's own images are validation's: missing-image-file), and so is an image too large
    or unreadable to list (it would go out broken)."""
    from authoring import localimages

    sources, rendered, validated = context.sources, context.prepared.rendered, context.prepared.validated
    publication, publication_file = validated.publication, validated.publication_file
    path = context.prepared.path
    as_written = list(rendered.written_as.values()) + list(rendered.relative_images)
    found, missing = localimages.collect(localimages.sources(rendered.issue, publication) + as_written,
                                         localimages.folders(path, publication_file))
    logo = {s.strip() for s in (publication.logo.src, publication.logo.dark_src) if s} \
        if publication.logo else set()
    for src in missing:
        if src in logo:
            sources.add_at_publication(
                codes.MISSING_IMAGE_FILE, Severity.ERROR, src,
                f"the logo '{src}' does not exist next to publication.yaml", "put the file there, "
                "or correct logo.src (it is relative to publication.yaml)")
    resolve = image_resolver(publication.image_base_url, [])
    for image in found:
        try:
            size, digest = localimages.digest(image)
        except OSError as exc:  # not listed for upload: the email would show it broken
            sources.add(codes.UNREADABLE_IMAGE_FILE, Severity.ERROR, image.src,
                        f"the image '{image.src}' cannot be read: {exc.strerror or exc}",
                        "use a smaller file (an email's image is rarely over 1 MB), or check its "
                        "permissions")
            continue
        url = resolve(image.src) if publication.image_base_url else None  # as the email links it
        context.uploads.append({"src": image.src, "path": image.path.as_posix(), "url": url,
                                "size": size, "sha256": digest})


@rule("links")
def _check_links(context: Presend) -> None:
    """Probe every address (``check_links``); broken ones become warnings at the line they were
    written on. Not when the issue is refused anyway: no point probing a refusal."""
    sources, rendered = context.sources, context.prepared.rendered
    if not context.check_links or any(r.errors for r in sources.reports()):
        return
    checked = context.link_check(list(dict.fromkeys(rendered.links + rendered.images)))
    if checked.offline:
        context.notes.append(f"links not checked: none of the {len(checked.checked)} addresses could be "
                     "reached (no network?)")
    for broken in checked.broken:
        sources.add(codes.BROKEN_LINK, Severity.WARNING, rendered.written_as.get(broken.url, broken.url),
                    f"'{broken.url}' does not work: {broken.reason}", "fix or remove the link")

