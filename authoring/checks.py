"""House-style and safety checks: a registry of small named checks run in order.

Each check is a generator ``(issue, context) -> Finding`` registered with
``@check(name)``. They run on a structurally valid model, so they may assume the
types are right; they report with the YAML path of what they found and, for text
inside a field, the character offset so validation can point at the exact line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from authoring import blocks, codes, esp, markdown, model, paths
from authoring.diagnostics import Level, Severity
from authoring.house import SUBJECT_MAX_CHARS, Finding
from authoring.model import YamlPath
from authoring.theme import COLUMN_PADDING, DEFAULT_LOGO_WIDTH, parse_hex

_PLACEHOLDER_URL = re.compile(
    r"^(#|todo|tbd|xxx+|url|link|https?://(www\.)?(example\.(com|org|net)|localhost|127\.0\.0\.1)"
    r"([/:?#].*)?|https?://(todo|tbd|xxx+)(\b.*)?)$",
    re.IGNORECASE,
)
_GLUED_LABEL = re.compile(r"[.!?](?<=[a-z0-9)”\"][.!?])[”\"’]?(?P<label>[A-Z][\w’' ,()-]{1,40}?):\s")
"""A label glued to the sentence before it (``... works.Results: ...``). Starting with the
sentence's final mark rather than a lookbehind for it lets the engine skip ahead to each mark."""
_GLUED_LABEL_REACH = 43
"""A glued label ends at the first ``:`` after its start, at most this many characters on: the
final mark, a closing quote and a label of up to 41 characters."""
_HTML_TAG = re.compile(r"</?(?P<tag>[a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?/?>")
_DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "link", "meta",
                   "svg", "base", "frame", "frameset"}
_FORMATTING_TAGS = {"a", "b", "i", "u", "em", "strong", "br", "p", "div", "span", "img", "font",
                    "table", "tr", "td", "ul", "ol", "li", "h1", "h2", "h3", "small", "sup", "sub",
                    "center", "blockquote", "hr"}
# Straight quotes where the house uses curly ones: an apostrophe before a letter (it's, 'tis),
# a double quote opening before a word or closing after one. Two patterns, each starting with
# its quote, so the regex engine skips to the next quote at once: one alternation of
# lookbehinds tried at every character took ten times as long.
_STRAIGHT_APOSTROPHE = re.compile(r"'(?=\w)")
_STRAIGHT_DOUBLE_QUOTE = re.compile(r'"(?:(?<![\w\\]")(?=\w)|(?<=[\w.,!?]")(?!\w))')
# What the quote check skips: `code`, ](link targets), <autolinks> and bare URLs. Scanned by
# hand (blank_code_and_urls) rather than with one alternation, whose unclosed openers made it
# quadratic: 147 s on a 600 KB field. Each opener is a pattern of its own starting with a
# literal, found as quickly as a str.find.
_SPAN_OPENERS = (re.compile("`"), re.compile(r"\]\("), re.compile("<https?://"),
                 re.compile(r"https?://(?=\S)"))  # a bare "https://" before a space is no URL
_OPENER_LITERALS = ("`", "](", "<http", "http")
"""What each of _SPAN_OPENERS starts with: a text without it holds none of that kind, which a
str `in` tells many times faster than the pattern's search (most texts hold no URL or code)."""
_BARE_URL = re.compile(r"https?://\S+")
_SPAN_CLOSER = {"`": "`", "](": ")", "<": ">"}


@dataclass
class CheckContext:
    level: Level = Level.DRAFT
    publication: model.Publication | None = None
    folder: Path | None = None
    """The issue's folder, where relative image paths are looked up (None: not on disk)."""


Check = Callable[[model.Issue, CheckContext], Iterable[Finding]]


@dataclass
class Registry:
    checks: dict[str, Check] = field(default_factory=dict)

    def register(self, name: str) -> Callable[[Check], Check]:
        def decorator(func: Check) -> Check:
            self.checks[name] = func
            return func
        return decorator

    def run(self, issue: model.Issue, context: CheckContext) -> Iterator[Finding]:
        global _current_run
        every = list(_walk_text_fields(issue))  # walked and measured once, not once per check
        _current_run = _Run(issue, every, [f for f in every if _within_limit(f[1])])
        try:
            for func in self.checks.values():
                yield from func(issue, context)
        finally:
            _current_run = None


REGISTRY = Registry()
check = REGISTRY.register


# ---------------------------------------------------------------- walking the model


MAX_FIELD_BYTES = 64 * 1024
"""One text field may hold 64 KB (a long essay is 30 KB; a whole issue about 20 KB). Longer
ones are refused before any check parses them: Markdown parsing is linear but not cheap,
and a megabyte of it would take seconds."""


TextField = tuple[YamlPath, str, bool]
LinkOffsets = list[tuple[markdown.LinkRef, int | None]]


@dataclass
class _Run:
    """What the checks of one registry run share: the issue's text fields, walked once; those
    within the size limit; and the links of each Markdown text, found once though three checks
    read them. Dropped when the run ends."""

    issue: model.Issue
    every: list[TextField]
    checked: list[TextField]
    linked: list[tuple[YamlPath, str, LinkOffsets]] | None = None
    """linked_texts, once a check asked."""


_current_run: _Run | None = None
"""The run in progress. Read whole and compared by identity, so another thread's run only makes
a check do its own work again."""


def _run_of(issue: model.Issue) -> _Run | None:
    run = _current_run
    return run if run is not None and run.issue is issue else None


def text_fields(issue: model.Issue) -> Iterator[TextField]:
    """Every author-written text in the issue within the size limit: (path, text, is_markdown)."""
    run = _run_of(issue)
    if run is not None:
        return iter(run.checked)
    return (field for field in _walk_text_fields(issue) if _within_limit(field[1]))


def _within_limit(text: str) -> bool:
    return len(text) <= MAX_FIELD_BYTES // 4 or len(text.encode("utf-8")) <= MAX_FIELD_BYTES


def all_text_fields(issue: model.Issue) -> Iterator[TextField]:
    """Every author-written text in the issue: (path, text, is_markdown)."""
    run = _run_of(issue)
    return iter(run.every) if run is not None else _walk_text_fields(issue)


def linked_texts(issue: model.Issue) -> list[tuple[YamlPath, str, LinkOffsets]]:
    """The Markdown texts within the size limit that hold links or images, in order, each with
    its link_offsets. Found once per run: three checks read them."""
    run = _run_of(issue)
    if run is None:
        return _linked(text_fields(issue))
    if run.linked is None:
        run.linked = _linked(iter(run.checked))
    return run.linked


def _linked(fields: Iterator[TextField]) -> list[tuple[YamlPath, str, LinkOffsets]]:
    found = []
    for path, text, is_markdown in fields:
        links = list(link_offsets(text)) if is_markdown and markdown.may_link(text) else None
        if links:
            found.append((path, text, links))
    return found


def _walk_text_fields(issue: model.Issue) -> Iterator[tuple[YamlPath, str, bool]]:
    info = issue.issue
    yield info.path + ("subject",), info.subject, False
    if info.preheader:
        yield info.path + ("preheader",), info.preheader, False
    if issue.letter:
        letter = issue.letter
        yield letter.path + ("salutation",), letter.salutation, False
        yield letter.path + ("body",), letter.body, True
        for name in ("signoff", "signature"):
            if getattr(letter, name):
                yield letter.path + (name,), getattr(letter, name), False
        if letter.ps:
            yield letter.path + ("ps",), letter.ps, True
    for story in issue.stories:
        yield from blocks.of(story).fields(story)
    if issue.footer:
        yield issue.path + ("footer",), issue.footer, True


def urls(issue: model.Issue) -> Iterator[tuple[YamlPath, str | None, str, int | None]]:
    """Every URL slot: (path, url or None when missing, kind 'image'|'link'|'web', offset)."""
    if issue.issue.web_url:
        yield issue.issue.path + ("web_url",), issue.issue.web_url, "web", None
    images: list[model.Image] = []
    for story in issue.stories:
        image = getattr(story, "image", None)
        if image is not None:
            images.append(image)
        for path, url in blocks.of(story).links(story):
            yield path, url, "link", None
    for image in images:
        yield image.path + ("src",), image.src, "image", None
        if image.href is not None:
            yield image.path + ("href",), image.href, "link", None
    for path, _text, links in linked_texts(issue):
        for ref, offset in links:
            yield path, ref.url or None, ref.kind, offset


def link_offsets(text: str) -> Iterator[tuple[markdown.LinkRef, int | None]]:
    """Each link and image in ``text``, in order, with the offset of its address as written
    (of the ``]`` of ``]()`` when it has none); each is searched after the previous one, so two images
    with the same address are told apart. None when the parser rewrote the address."""
    cursor = 0
    for ref in markdown.iter_links(text):
        openings = ("](<", "](", "<") if ref.url else ("](",)
        found = [(i, i + len(o)) for o in openings
                 if (i := text.find(o + ref.url + ("" if ref.url else ")"), cursor)) >= 0]
        if not found:
            yield ref, None
            continue
        _, address = min(found)
        cursor = address + max(len(ref.url), 1)
        yield ref, address if ref.url else address - 2  # at the ']' of an empty ']()'


def blank_code_and_urls(text: str) -> str:
    """``text`` with code spans, link targets, autolinks and bare URLs replaced by spaces.

    Linear: an opener whose closer occurs nowhere after it can never close, which the last
    position of each closer tells at once instead of a search to the end of the text; and each
    kind of opener is searched for from where its last occurrence was passed, never again.
    """
    last = {closer: text.rfind(closer) for closer in _SPAN_CLOSER.values()}
    upcoming = [opener.search(text) if literal in text else None
                for opener, literal in zip(_SPAN_OPENERS, _OPENER_LITERALS, strict=True)]
    pieces: list[str] = []
    done = position = 0
    while (start := _next_opener(text, position, upcoming)) is not None:
        opener = start.group()
        if opener.startswith("http"):
            end = _BARE_URL.match(text, start.start()).end()  # type: ignore[union-attr]
        else:
            closer = _SPAN_CLOSER[opener[:2] if opener == "](" else opener[0]]
            after = start.start() + (2 if opener == "](" else 1)
            if last[closer] < after:
                position = start.start() + 1
                continue
            end = text.index(closer, after) + 1
        pieces += [text[done:start.start()], " " * (end - start.start())]
        done = position = end
    pieces.append(text[done:])
    return "".join(pieces)


def _next_opener(text: str, position: int, upcoming: list[re.Match[str] | None]) -> re.Match[str] | None:
    """The first opener at or after ``position``. ``upcoming`` holds the next match of each
    kind found so far; the kinds start with different characters, so two never start at the
    same place, and the one starting first is what one alternation of them would find."""
    first = None
    for kind, found in enumerate(upcoming):
        if found is not None and found.start() < position:
            found = upcoming[kind] = _SPAN_OPENERS[kind].search(text, position)
        if found is not None and (first is None or found.start() < first.start()):
            first = found
    return first


# ---------------------------------------------------------------- checks


@check("urls")
def check_urls(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    missing_severity = Severity.ERROR if ctx.level is Level.EXPORT else Severity.WARNING
    for path, url, kind, offset in urls(issue):
        noun = "image source" if kind == "image" else "link URL"
        if url is None or not url.strip():
            yield Finding(codes.MISSING_URL if kind != "image" else codes.MISSING_IMAGE_SRC,
                          f"{noun} is missing", path,
                          "add it before export" if kind != "image"
                          else "add 'src:' with an https URL or a path next to the issue",
                          severity=missing_severity, offset=offset)
            continue
        if markdown.misplaced_merge_tag(url):
            yield Finding(codes.UNSAFE_URL, f"unsafe {noun} '{url[:60]}': a merge tag may be the "
                          "whole address or a query value, never text before the address",
                          path, "write https://... and put the merge tag after '?', "
                          "e.g. https://example.org/u?id={{id}}", severity=Severity.ERROR,
                          offset=offset)
            continue
        if not markdown.is_safe_url(url, image=kind == "image"):
            scheme = markdown.url_scheme(url)
            yield Finding(codes.UNSAFE_URL, f"unsafe {noun} '{url[:60]}' ({scheme}: URLs are not allowed)",
                          path, "use an https:// address", severity=Severity.ERROR, offset=offset)
            continue
        if markdown.is_merge_tag(url):
            if kind == "image":  # render has no address to show: only the alt text would be sent
                yield Finding(codes.MERGE_TAG_IMAGE_SRC, f"image source '{url[:60]}' is a merge tag: "
                              "the email would show the image's alt text in its place", path,
                              "use the image's https address or a path next to the issue",
                              severity=missing_severity, offset=offset)
            continue
        scheme = markdown.url_scheme(url)
        if _PLACEHOLDER_URL.match(url.strip()):
            yield Finding(codes.PLACEHOLDER_URL, f"{noun} '{url}' looks like a placeholder", path,
                          "replace it with the real address", severity=missing_severity,
                          offset=offset)
        elif scheme == "http":
            yield Finding(codes.INSECURE_URL, f"{noun} '{url}' is not https", path,
                          "use https:// (mail clients warn about plain http)", offset=offset)
        elif scheme is None and kind != "image":
            yield Finding(codes.RELATIVE_LINK, f"link '{url}' is relative: it cannot work in an email",
                          path, "use a full https:// address", severity=missing_severity,
                          offset=offset)


@check("metadata")
def check_metadata(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    severity = Severity.ERROR if ctx.level is Level.EXPORT else Severity.WARNING
    info = issue.issue
    yield from _line_breaks(info.path + ("subject",), info.subject, "the subject")
    if info.number is None:
        yield Finding(codes.MISSING_NUMBER, "issue number is missing", info.path,
                      "add 'number: 42' under 'issue:'", severity=severity)
    if info.date is None:
        yield Finding(codes.MISSING_DATE, "issue date is missing", info.path,
                      "add 'date: YYYY-MM-DD' under 'issue:'", severity=severity)
    if not info.subject.strip():
        yield Finding(codes.EMPTY_SUBJECT, "the subject line is empty", info.path + ("subject",),
                      "write the subject people see in their inbox", severity=Severity.ERROR)
    if len(info.subject.strip()) > SUBJECT_MAX_CHARS:
        yield Finding(codes.LONG_SUBJECT, f"the subject is {len(info.subject.strip())} characters long; "
                      f"inboxes cut it off after about {SUBJECT_MAX_CHARS}", info.path + ("subject",),
                      "keep the subject short; the preheader can carry the rest",
                      offset=_nth_visible(info.subject, SUBJECT_MAX_CHARS))
    if not (info.preheader or "").strip():
        # at 'preheader:' when it is written empty, else at 'issue:'
        yield Finding(codes.MISSING_PREHEADER, "no preheader: inboxes will preview the first words",
                      info.path + ("preheader",), "add 'preheader: ...' (about 40–100 characters)")


def _nth_visible(text: str, n: int) -> int:
    """Offset in ``text`` of its n-th character after leading spaces: where a limit is crossed."""
    return len(text) - len(text.lstrip()) + n


def _per_block(name: str) -> Check:
    """The check ``name`` of each story's block type, story after story (see authoring.blocks)."""
    def run(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
        seen: dict = {}
        for story in issue.stories:
            block_check = blocks.of(story).checks.get(name)
            if block_check is not None:
                yield from block_check(story, seen)
    run.__name__ = f"check_{name.replace('-', '_')}"
    return run


# Checks that block types declare under these names run in these places of the order; a
# block's checks under other names run after all of these (``block-checks``).
check("labels")(_per_block("labels"))  # news: customary labels, their colons and order


@check("glued-label")
def check_glued_labels(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for path, text, is_markdown in text_fields(issue):
        if not is_markdown:
            continue
        for match in glued_labels(text):  # most fields hold no colon: no scan at all
            label = match.group("label")
            yield Finding(codes.GLUED_LABEL,
                          f"label '{label}:' is glued to the previous sentence",
                          path, f"start a new section '- {label}: ...'",
                          offset=match.start("label"))


def glued_labels(text: str) -> Iterator[re.Match[str]]:
    """Each label glued to the sentence before it, in order."""
    if ":" not in text:  # most fields: skip the scan
        return iter(())
    # only the stretch from just before the first colon to the last can hold a label
    start, end = max(0, text.find(":") - _GLUED_LABEL_REACH), text.rfind(":") + 2
    return _GLUED_LABEL.finditer(text, start, end)


check("headlines")(_per_block("headlines"))  # news: length, final period, duplicates, dek length
check("empty")(_per_block("empty"))  # empty bodies, sections, headers; promos without a button


@check("alt-text")
def check_alt_text(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for story in issue.stories:
        image = getattr(story, "image", None)
        if image is not None and not image.alt.strip():
            yield Finding(codes.MISSING_ALT, "image has no alt text", image.path + ("alt",),
                          "describe what it shows: screen readers and the plain text use it")
    for path, text, links in linked_texts(issue):
        for ref, offset in links:
            if ref.kind == "image" and not ref.text.strip():
                yield Finding(codes.MISSING_ALT, "image has no alt text", path,
                              "write it between the brackets: ![what it shows](src)",
                              offset=text.rfind("![", 0, offset) if offset is not None else None)


@check("raw-html")
def check_raw_html(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for path, text, _is_markdown in text_fields(issue):
        if "<" not in text:
            continue
        for match in _HTML_TAG.finditer(text):
            if match.group().startswith("</"):
                continue  # the opening tag was reported
            tag = match.group("tag").lower()
            if tag in _DANGEROUS_TAGS:
                yield Finding(codes.RAW_HTML, f"HTML tag <{tag}> is not allowed in text", path,
                              "remove it: text is shown as written, never run as HTML",
                              severity=Severity.ERROR, offset=match.start())
            elif tag in _FORMATTING_TAGS:
                yield Finding(codes.RAW_HTML, f"HTML tag <{tag}> will show as literal text", path,
                              "use Markdown instead: **bold**, *italic*, [text](https://...)",
                              offset=match.start())


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder the characters after them (Trojan Source)."""
_ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u180e\u2061\u2062\u2063\u2064")
"""Invisible characters no subject or link text needs."""
_JOINERS = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: needed inside emoji sequences and scripts such as Persian or Devanagari,
a disguise between Latin letters (pay\u200dpal)."""
_INVISIBLE_HINT = {codes.BIDI_CONTROL: "delete it: the text must read as it is written",
                   codes.ZERO_WIDTH: "delete it: an invisible character hides words from filters"}


def invisible_characters(text: str) -> Iterator[tuple[int, str]]:
    """(offset, code) of each bidi control and disguising zero-width character in ``text``."""
    if text.isascii():
        return
    for offset, char in enumerate(text):
        if char in _BIDI_CONTROLS:
            yield offset, codes.BIDI_CONTROL
        elif char in _ZERO_WIDTH or (char in _JOINERS and (offset == 0 or text[offset - 1].isascii())):
            yield offset, codes.ZERO_WIDTH


def _invisible(path: YamlPath, text: str | None, what: str, start: int = 0,
               end: int | None = None) -> Iterator[Finding]:
    """Findings for ``text[start:end]``, the part of the field at ``path`` that is ``what``."""
    for offset, code in invisible_characters((text or "")[start:end]):
        char = (text or "")[start + offset]
        kind = "a bidirectional control" if code == codes.BIDI_CONTROL else "a zero-width character"
        yield Finding(code, f"{what} holds {kind} (U+{ord(char):04X}), invisible and refused", path,
                      _INVISIBLE_HINT[code], severity=Severity.ERROR, offset=start + offset)


@check("spoofing")
def check_spoofing(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """Invisible characters that make the subject, preheader or a link's text read unlike what it
    is: bidi controls (Trojan Source) and zero-width characters."""
    info = issue.issue
    yield from _invisible(info.path + ("subject",), info.subject, "the subject")
    yield from _invisible(info.path + ("preheader",), info.preheader, "the preheader")
    for story in issue.stories:
        cta = getattr(story, "cta", None)
        if isinstance(cta, model.Link):
            yield from _invisible(cta.path + ("text",), cta.text, "the button's text")
    for path, text, links in linked_texts(issue):
        if text.isascii():
            continue
        for ref, offset in links:
            if ref.kind != "link" or offset is None:
                continue
            close = text.rfind("](", 0, offset + 1)
            opening = text.rfind("[", 0, close) if close >= 0 else -1
            if opening >= 0:
                yield from _invisible(path, text, "a link's text", opening + 1, close)


IMAGE_WIDTH_RANGE = (1, 2000)
"""An image's display width in pixels; wider than any screen is a typo (the render also narrows
it to the column)."""
THEME_WIDTH_RANGE = (320, 1200)
"""The content column: below a phone's width, or above a wide desktop reading pane, breaks layouts."""
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
"""A BCP 47 language tag's shape: a language of two or three letters, then subtags."""


def _width(path: YamlPath, width: int | None, limits: tuple[int, int], what: str) -> Iterator[Finding]:
    low, high = limits
    if width is not None and not low <= width <= high:
        yield Finding(codes.OUT_OF_RANGE, f"{what} {width} px is out of range: {low:,} to {high:,} px",
                      path, f"write a width from {low:,} to {high:,}", severity=Severity.ERROR)


def _lang(path: YamlPath, lang: str | None) -> Iterator[Finding]:
    if lang is not None and not _LANG_TAG.fullmatch(lang):
        yield Finding(codes.BAD_LANG, f"lang {lang[:40]!r} is not a language tag", path,
                      "write a BCP 47 tag such as en, en-US or pt-BR", severity=Severity.ERROR)


@check("ranges")
def check_ranges(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """Numbers and tags that reach the HTML: image widths and the issue's language."""
    for story in issue.stories:
        image = getattr(story, "image", None)
        if isinstance(image, model.Image):
            yield from _width(image.path + ("width",), image.width, IMAGE_WIDTH_RANGE, "image width")
    yield from _lang(issue.issue.path + ("lang",), issue.issue.lang)


@check("quotes")
def check_quotes(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for path, text, _is_markdown in text_fields(issue):
        if "'" not in text and '"' not in text:
            continue
        prose = blank_code_and_urls(text)
        found = straight_quotes(prose)
        if found:
            first = found[0]
            yield Finding(codes.STRAIGHT_QUOTES,
                          f"{len(found)} straight quote{'s' if len(found) > 1 else ''} "
                          f"({prose[first]}) where the house uses curly ones", path,
                          "use ’ for apostrophes and “ ” for quotations", offset=first)


def straight_quotes(prose: str) -> list[int]:
    """Offsets of the straight quotes in ``prose`` that the house writes curly, in order."""
    return sorted([m.start() for m in _STRAIGHT_APOSTROPHE.finditer(prose)]
                  + [m.start() for m in _STRAIGHT_DOUBLE_QUOTE.finditer(prose)])


@check("merge-tags")
def check_merge_tags(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """A merge tag the publication's email service would print as written."""
    service = ctx.publication.esp if ctx.publication else esp.NONE
    if not esp.flags_tags(service):
        return  # no service chosen, the usual case: no text needs reading
    severity = Severity.ERROR if ctx.level is Level.EXPORT else Severity.WARNING
    texts = set()
    for path, text, is_markdown in text_fields(issue):
        texts.add(path)
        if not esp.may_hold_code(text, service, is_markdown):
            continue
        live = list(_template_code(path, text, is_markdown, service, severity))
        yield from live
        for unknown in esp.unknown_tags(text, service):
            if not any(unknown.tag in finding.message for finding in live):
                yield _merge_tag_finding(unknown, path, severity)
    for path, url, _kind, _offset in urls(issue):  # addresses outside the texts: web_url, cta...
        if url and path not in texts and esp.may_hold_code(url, service, False):
            yield from _template_code(path, url, False, service, severity)


def _template_code(path: YamlPath, text: str, is_markdown: bool, service: str,
                   severity: Severity, locate: bool = True) -> Iterator[Finding]:
    """What the service would run in this field as it is exported (Markdown escapes resolved,
    entities decoded, code spans and link addresses included, tags rewritten): the same scan
    as render's and export's over their output (esp.live_code), located at the field."""
    exported = esp.rewrite(exported_text(text, is_markdown), service)
    for construct in esp.live_code(exported, service):
        where = esp.locate(text, construct) if locate else None
        yield Finding(codes.MERGE_TAG_TYPO if construct.is_typo else codes.ESP_TEMPLATE_CODE,
                      esp.describe(construct, service), path,
                      f"write '{construct.suggestion}'" if construct.is_typo else
                      "write it another way (a space between the braces: '{ {'), or set 'esp:' "
                      "to none if no template language reads the export",
                      severity=severity, offset=where)


def exported_text(text: str, is_markdown: bool) -> str:
    """The characters of a field that reach the email: for Markdown, what markdown-it makes of
    it (its text, code and addresses; blocks on lines of their own), not its source."""
    if not is_markdown:
        return text
    parsed = markdown.parse(text)
    if parsed.plain is not None:  # no markup character: the text is what is shown
        return "\n".join(line for block in parsed.plain for line in block.lines)
    pieces: list[str] = []

    def walk(tokens) -> None:
        for token in tokens:
            for name in ("href", "src"):
                value = token.attrGet(name) if token.attrs else None
                if value:
                    pieces.append(f" {value} ")
            if token.type in ("softbreak", "hardbreak"):
                pieces.append("\n")
            elif token.children:
                walk(token.children)
            elif token.type != "inline" and token.content:
                pieces.append(token.content)
            if token.nesting == -1 and token.block:
                pieces.append("\n")

    walk(parsed.tokens)
    return "".join(pieces)


def _merge_tag_finding(unknown: esp.UnknownTag, path: YamlPath, severity: Severity,
                       offset: bool = True) -> Finding:
    return Finding(codes.UNKNOWN_MERGE_TAG, f"merge tag '{unknown.tag}': {unknown.reason}", path,
                   "use a tag from the table in docs/esp.md, or set 'esp:' in publication.yaml "
                   "to the service you send with", severity=severity,
                   offset=unknown.offset if offset else None)


RETINA_FACTOR = 2
"""Sharp on high-density screens: an image has at least twice the pixels of the space it fills."""
MAX_IMAGE_BYTES = 50 * 1024 * 1024
"""Larger local files are not opened (only their header would be read anyway)."""


@check("image-resolution")
def check_image_resolution(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """A local image narrower than twice the column it fills looks soft on phones and retina screens."""
    if ctx.folder is None:
        return

    theme = ctx.publication.theme if ctx.publication else model.Theme()
    column = theme.width - 2 * COLUMN_PADDING
    for path, src, width, offset in _local_images(issue):
        shown = min(width or column, column)
        pixels = _pixel_width(ctx.folder, src)
        if pixels is not None and pixels < RETINA_FACTOR * shown:
            yield Finding(codes.LOW_RESOLUTION_IMAGE,
                          f"image '{src}' is {pixels} px wide and fills {shown} px: blurry on "
                          f"high-density screens", path,
                          f"export it at least {RETINA_FACTOR * shown} px wide "
                          f"(or set 'width: {pixels // RETINA_FACTOR}')", offset=offset)


def _logo_resolution(pub: model.Publication, folder: Path | None) -> Iterator[Finding]:
    logo = pub.logo
    if folder is None or logo is None:
        return

    shown = min(logo.width or DEFAULT_LOGO_WIDTH, pub.theme.width - 2 * COLUMN_PADDING)
    for name, src in (("src", logo.src), ("dark_src", logo.dark_src)):
        if not src or markdown.url_scheme(src.strip()) is not None:
            continue
        pixels = _pixel_width(folder, src.strip())
        if pixels is not None and pixels < RETINA_FACTOR * shown:
            yield Finding(codes.LOW_RESOLUTION_IMAGE,
                          f"logo '{src}' is {pixels} px wide and shown {shown} px wide: blurry on "
                          f"high-density screens", logo.path + (name,),
                          f"export it at least {RETINA_FACTOR * shown} px wide")


def _local_images(issue: model.Issue) -> Iterator[tuple[YamlPath, str, int | None, int | None]]:
    """(path, relative source, display width, offset) of every image written as a local path."""
    for story in issue.stories:
        image = getattr(story, "image", None)
        if image is not None and image.src and markdown.url_scheme(image.src.strip()) is None:
            yield image.path + ("src",), image.src.strip(), image.width, None
    for path, _text, links in linked_texts(issue):
        for ref, offset in links:
            if ref.kind == "image" and ref.url and markdown.url_scheme(ref.url) is None:
                yield path, ref.url, None, offset


def _pixel_width(folder: Path, src: str) -> int | None:
    """Width in pixels from the file's header (PNG, JPEG, GIF, WebP...); None if unreadable.
    Remembered between runs, so that validate seldom pays for importing imagesize."""
    from authoring.imagewidth import pixel_width

    return pixel_width(folder / src, max_bytes=MAX_IMAGE_BYTES)



@check("field-size")
def check_field_size(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    run = _run_of(issue)
    if run is not None and len(run.checked) == len(run.every):
        return  # the run measured every field: all within the limit
    for path, text, _is_markdown in all_text_fields(issue):
        if len(text) > MAX_FIELD_BYTES // 4 and (size := len(text.encode("utf-8"))) > MAX_FIELD_BYTES:
            yield Finding(codes.FIELD_TOO_LONG, f"this text is {size:,} bytes; a field may hold at most "
                          f"{MAX_FIELD_BYTES:,}", path,
                          "split it into several blocks or stories (or check for a paste gone wrong)",
                          severity=Severity.ERROR)


@check("nesting")
def check_nesting(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for path, text, is_markdown in text_fields(issue):
        if not is_markdown:
            continue
        depth, line = markdown.nesting_depth(text)
        if depth > markdown.MAX_NESTING:
            offset = 0
            for _ in range(line):
                offset = text.index("\n", offset) + 1
            yield Finding(codes.NESTING_TOO_DEEP,
                          f"emphasis, links and lists nest more than {markdown.MAX_NESTING} "
                          "levels deep here", path,
                          "close the ** * [ that pile up (a few levels are all a reader can follow)",
                          severity=Severity.ERROR, offset=offset)


LONG_PARAGRAPH_CHARS = 2000
"""A paragraph longer than this is a wall of text to a reader (a long essay's run about 1,000)."""
MIN_GLUED_WORDS = 3
"""Glued joins in one paragraph that make a run: one may be a typo, three are lost line breaks."""
_GLUED_WORD = re.compile(r"(?<![\w/.@:#-])[a-z]{2,}[.!?]?[A-Z][a-z]|[a-z]{2}[.!?][A-Z][a-z]")
"""``todayPicking``: a lower-case word glued to a capitalised one (brands glue capitalised parts,
``DeepMind``), or ``show.So``: a sentence glued to the next."""
_GLUED_JOIN = re.compile(r"\b[a-z]{2,}[.!?]?[A-Z][a-z]")
"""What every glued word holds, found four times faster than by _GLUED_WORD on a whole paragraph:
the paragraphs with fewer than MIN_GLUED_WORDS of these are not split into words at all."""
_NOT_PROSE = re.compile(r"\S*(?:://|www\.|@)\S*|`[^`]*`")


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph) of each blank-line-separated paragraph of a text."""
    offset = 0
    for part in text.split("\n\n"):
        if part.strip():
            yield offset, part
        offset += len(part) + 2


@cache
def _letter_classes() -> bytes:
    """Each byte of UTF-8 as its class in _GLUED_JOIN: a lower-case or a capital ASCII letter,
    another ASCII word character (digit, ``_``), a sentence's final mark, or anything else, a byte
    of a non-ASCII character too (as if it were no word character: more places count as a word's
    start). Made on first use: validate's start pays for none of it."""
    return bytes.maketrans(
        bytes(range(256)),
        bytes(ord("a") if 97 <= byte <= 122 else ord("A") if 65 <= byte <= 90
              else ord("w") if 48 <= byte <= 57 or byte == 95 else ord(".") if byte in b".!?" else ord(" ")
              for byte in range(256)))


_WORD_CLASSES = b"aAw"
_GLUED_TAILS = (b"aAa", b"a.Aa")
"""How each match of _GLUED_JOIN ends, in classes: a lower-case letter, maybe a final mark, a
capital and a lower-case letter."""


def _may_glue(text: str) -> bool:
    """Whether ``text`` could hold MIN_GLUED_WORDS of _GLUED_JOIN.

    Counts the ends of its possible matches in the bytes' classes (``bytes.find``, memchr speed):
    those after a run of two lower-case letters or more that starts a word. Each match ends so,
    each at a place of its own, so there are never fewer; brands (``ImageNet``, whose run starts
    inside the word) are not counted. The pattern, which opens with a word boundary, runs its
    matcher at each character: on a paragraph naming a brand thrice it was a third of validation."""
    # (a lone surrogate, which a YAML escape can write, as the bytes surrogatepass gives: not ASCII)
    classes = text.encode("utf-8", "surrogatepass").translate(_letter_classes())
    found = 0
    for tail in _GLUED_TAILS:
        end = classes.find(tail)
        while end >= 0:
            start = end
            while start and classes[start - 1] == 97:  # back to the start of the lower-case run
                start -= 1
            if end > start and (not start or classes[start - 1] not in _WORD_CLASSES):
                found += 1
                if found >= MIN_GLUED_WORDS:
                    return True
            end = classes.find(tail, end + 1)
    return False


def long_or_glued(text: str) -> Iterator[tuple[str, str, int]]:
    """(code, message, offset) for each paragraph over LONG_PARAGRAPH_CHARS characters and each with a
    run of glued words, in order: the importer reads its pasted text with it too."""
    may_glue = _may_glue(text)
    if not may_glue and len(text) <= LONG_PARAGRAPH_CHARS:
        return  # no paragraph longer than the whole text, none glued: most texts
    for offset, part in paragraphs(text):
        if len(part) > LONG_PARAGRAPH_CHARS:
            yield (codes.LONG_PARAGRAPH, f"a paragraph of {len(part):,} characters (over "
                   f"{LONG_PARAGRAPH_CHARS:,})", offset)
        if not may_glue or not _may_glue(part) or len(_GLUED_JOIN.findall(part)) < MIN_GLUED_WORDS:
            continue  # most paragraphs: one quick count, no split
        glued = [word for word in _NOT_PROSE.sub(" ", part).split() if _GLUED_WORD.search(word)]
        if len(glued) >= MIN_GLUED_WORDS:
            examples = ", ".join(f"'{word[:30]}'" for word in glued[:3])
            yield (codes.GLUED_WORDS, f"{len(glued)} words glued together ({examples}…)", offset)


@check("paragraphs")
def check_paragraphs(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    for path, text, _is_markdown in text_fields(issue):
        if len(text) < 30:
            continue  # no run of three glued joins, no long paragraph
        for code, message, offset in long_or_glued(text):
            hint = ("split it into paragraphs" if code == codes.LONG_PARAGRAPH
                    else "put back the spaces or line breaks that were lost")
            yield Finding(code, message, path, hint, offset=offset)


@check("block-checks")
def check_blocks(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """Each block type's own checks, those under names not run above (e.g. a transcript's timings)."""
    seen: dict[str, dict] = {}
    for story in issue.stories:
        for name, block_check in blocks.of(story).checks.items():
            if name not in REGISTRY.checks:
                yield from block_check(story, seen.setdefault(name, {}))


@check("image-files")
def check_image_files(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """A relative image must be a file next to the issue: export lists it for upload and the
    email would show a broken image without it."""
    if ctx.folder is None:
        return  # text not on disk (the preview's unsaved text, tests): nothing to look in
    severity = Severity.ERROR if ctx.level is Level.EXPORT else Severity.WARNING
    roots: list[Path] | None = None  # the folder resolved once, for the first relative image
    for path, src, kind, offset in urls(issue):
        if kind != "image" or not src or not paths.is_relative(src):
            continue
        if roots is None:
            roots = paths.resolved([ctx.folder])
        if paths.find_in(src, roots) is None:
            outside = paths.relative_path(src) is None
            yield Finding(codes.MISSING_IMAGE_FILE,
                          f"image '{src}' " + ("points outside the issue's folder" if outside
                                               else f"does not exist ({ctx.folder / src.strip()})"),
                          path, "put the file there, or correct the path (it is relative to the "
                          "issue file)", severity=severity, offset=offset)


_GREETING = re.compile(r"(?:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening))\b[^\n]{0,60}"
                       r"[,:!—–]\s*$", re.IGNORECASE)
"""A first line that is a greeting: "Dear friends,", "Hi all!", "Hello, readers:"."""


@check("salutation")
def check_salutation(issue: model.Issue, ctx: CheckContext) -> Iterator[Finding]:
    """The template prints the salutation above the body: a body that opens with a greeting
    shows two (the samples and every imported issue write "Dear friends," in the body)."""
    letter = issue.letter
    if letter is None or not letter.salutation.strip():
        return
    body = letter.body
    start = len(body) - len(body.lstrip())
    first = body[start:].split("\n", 1)[0].strip()
    plain = _plain_words(first)
    if not plain:
        return
    salutation = letter.salutation.strip()
    if plain == _plain_words(salutation):
        yield Finding(codes.REPEATED_SALUTATION,
                      f"the body starts with '{first}', which the salutation already prints above it",
                      letter.path + ("body",), f"delete '{first}' from the body", offset=start)
    elif _GREETING.fullmatch(_unmarked(first)):
        yield Finding(codes.REPEATED_SALUTATION,
                      f"the body opens with its own greeting '{first}' under the salutation "
                      f"'{salutation}': readers see two",
                      letter.path + ("body",),
                      f"delete '{first}' from the body, or write salutation: \"{_unmarked(first)}\" "
                      "and delete it from the body", offset=start)


def _unmarked(text: str) -> str:
    return text.replace("*", "").replace("_", " ").strip()


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", _unmarked(text).casefold()))


# ---------------------------------------------------------------- publication.yaml

INLINERS = ("css-inline", "premailer")
"""Engines of ``authoring.render.inline`` (kept here so validation does not import the renderer)."""
_LINE_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Everything Python's str.splitlines splits on: one of these in a header ends it early."""
_NOT_IN_HEADER_URI = re.compile(r"[<>,\s\"]")
"""A List-Unsubscribe URI is written <uri>, <uri>: any of these would open another one."""
_FONT_FAMILY = re.compile(r'"[^"\\;{}<>]*"|\'[^\'\\;{}<>]*\'|-?[A-Za-z_][\w-]*(?: +-?[A-Za-z_][\w-]*)*')
"""One family of a CSS font-family list: a quoted name or identifiers separated by spaces."""
FONT_MAX_CHARS = 200


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
"""An address of letters, digits and dots that the email package accepts as it is (a property
test holds the two together): most publications', decided without importing the package."""


def is_email(value: str) -> bool:
    """A single plain address, the whole value (no trailing newline), as the email package
    parses it."""
    if not value.isascii() or _LINE_BREAK.search(value) or value != value.strip():
        return False
    return bool(_PLAIN_ADDRESS.fullmatch(value)) or email_package_accepts(value)


def email_package_accepts(value: str) -> bool:
    """The email package parses ``value`` as exactly one address, written as it would write it."""
    # imported here: only unusual addresses need it, and it costs every start ~10-18 ms
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(address.username) and "." in address.domain and address.addr_spec == value


def is_font_family_list(value: str) -> bool:
    """``Helvetica, "Segoe UI", sans-serif``: nothing that could end the CSS declaration."""
    return len(value) <= FONT_MAX_CHARS and all(
        _FONT_FAMILY.fullmatch(family.strip()) for family in value.split(","))


def _line_breaks(path: YamlPath, value: str | None, what: str) -> Iterator[Finding]:
    match = _LINE_BREAK.search(value or "")
    if match is not None:
        yield Finding(codes.LINE_BREAK, f"{what} holds a line break (U+{ord(match.group()):04X}); "
                      "it goes in an email header, which must be one line", path,
                      "write it on one line", severity=Severity.ERROR, offset=match.start())


def _header_uri(path: YamlPath, uri: str | None) -> Iterator[Finding]:
    """An unsubscribe address as it goes into List-Unsubscribe: one URI, nothing more."""
    bare = markdown.merge_tag_span().sub("", uri or "")
    match = _NOT_IN_HEADER_URI.search(bare.strip())
    if match is not None:
        shown = repr(match.group())[1:-1]
        yield Finding(codes.BAD_UNSUBSCRIBE, f"unsubscribe address holds '{shown}', which would "
                      "add another address to the List-Unsubscribe header", path,
                      "write one address without spaces, < > , or quotes (percent-encode them)",
                      severity=Severity.ERROR)


def _mailto_address(value: str) -> str:
    return value.strip().removeprefix("mailto:").split("?", 1)[0]


def check_publication(pub: model.Publication, level: Level = Level.DRAFT,
                      folder: Path | None = None) -> Iterator[Finding]:
    """Safety and sanity of the shared settings; they reach every issue. At the export level,
    also what a real send needs: sender, postal address, unsubscribe and one-click unsubscribe.
    ``folder`` (the publication file's) is where a relative logo is looked up."""
    yield from check_publication_files(pub, folder)
    yield from check_publication_settings(pub, level)


def check_publication_files(pub: model.Publication, folder: Path | None) -> Iterator[Finding]:
    """check_publication's checks that read other files than the publication's: the logo's."""
    yield from _logo_resolution(pub, folder)


def check_publication_settings(pub: model.Publication, level: Level = Level.DRAFT) -> Iterator[Finding]:
    """check_publication's checks that read the settings alone, no file: the same findings for
    the same publication file's bytes (a warm process keeps them, ``validate``)."""
    yield from _publication_addresses(pub)
    yield from _publication_urls(pub)
    yield from _publication_theme(pub)
    yield from _publication_spoofing_and_ranges(pub)
    yield from _publication_merge_tags(pub, level)
    yield from _publication_site(pub.site)
    if level is Level.EXPORT:
        yield from _send_ready(pub)


def _publication_addresses(pub: model.Publication) -> Iterator[Finding]:
    """What goes into headers: one line each, one address each, one URI per unsubscribe entry."""
    yield from _line_breaks(pub.sender.path + ("name",), pub.sender.name, "the sender name")
    yield from _line_breaks(pub.path + ("name",), pub.name, "the publication name")
    mailto = pub.list_unsubscribe_mailto
    for path, email in [(pub.sender.path + ("email",), pub.sender.email),
                        (pub.path + ("reply_to",), pub.reply_to),
                        (pub.path + ("list_unsubscribe_mailto",),
                         None if mailto is None else _mailto_address(mailto))]:
        if email is not None and not is_email(email):
            yield Finding(codes.BAD_EMAIL, f"{email!r} is not an email address", path,
                          "write it as name@example.org", severity=Severity.ERROR)
    yield from _header_uri(pub.path + ("unsubscribe_url",), pub.unsubscribe_url)
    yield from _header_uri(pub.path + ("list_unsubscribe_mailto",), mailto)


def _publication_urls(pub: model.Publication) -> Iterator[Finding]:
    slots = [(pub.path + ("unsubscribe_url",), pub.unsubscribe_url, False),
             (pub.path + ("web_version_url",), pub.web_version_url, False),
             (pub.path + ("image_base_url",), pub.image_base_url, False)]
    if pub.logo is not None:
        slots += [(pub.logo.path + ("src",), pub.logo.src, True),
                  (pub.logo.path + ("dark_src",), pub.logo.dark_src, True),
                  (pub.logo.path + ("href",), pub.logo.href, False)]
    for path, url, image in slots:
        if url and not markdown.is_safe_url(url, image=image):
            yield Finding(codes.UNSAFE_URL, f"unsafe URL '{url[:60]}'", path, "use an https:// address",
                          severity=Severity.ERROR)
    if pub.image_base_url and markdown.url_scheme(pub.image_base_url) not in {"https", "http"}:
        yield Finding(codes.BAD_BASE_URL, "image_base_url must be an absolute http(s) URL", pub.path
                      + ("image_base_url",), "e.g. https://www.example.org/newsletter/images/",
                      severity=Severity.ERROR)
    if pub.inliner not in INLINERS:
        yield Finding(codes.UNKNOWN_INLINER, f"unknown inliner '{pub.inliner}'", pub.path + ("inliner",),
                      f"write one of: {', '.join(INLINERS)}", severity=Severity.ERROR)


def _publication_theme(pub: model.Publication) -> Iterator[Finding]:
    theme = pub.theme
    if not is_font_family_list(theme.font):
        yield Finding(codes.BAD_FONT, f"theme font {theme.font[:60]!r} is not a font-family list",
                      theme.path + ("font",),
                      "list font names separated by commas: Helvetica, \"Segoe UI\", sans-serif",
                      severity=Severity.ERROR)
    for name in ("text", "background", "surface", "accent", "link", "muted", "dark_text",
                 "dark_background", "dark_surface", "dark_link", "dark_accent"):
        value = getattr(theme, name)
        if parse_hex(value) is None:
            yield Finding(codes.BAD_COLOR, f"theme color '{value}' is not a hex color", theme.path
                          + (name,), "write it as #rrggbb", severity=Severity.ERROR)


def _publication_spoofing_and_ranges(pub: model.Publication) -> Iterator[Finding]:
    """The sender and publication names without invisible characters; widths, language and the
    SMTP settings in range."""
    yield from _invisible(pub.sender.path + ("name",), pub.sender.name, "the sender name")
    yield from _invisible(pub.path + ("name",), pub.name, "the publication name")
    yield from _width(pub.theme.path + ("width",), pub.theme.width, THEME_WIDTH_RANGE, "theme.width")
    if pub.logo is not None:
        yield from _width(pub.logo.path + ("width",), pub.logo.width, IMAGE_WIDTH_RANGE, "logo width")
    yield from _lang(pub.path + ("lang",), pub.lang)
    smtp = pub.smtp
    if smtp is None:
        return
    if smtp.port is not None and not 0 < smtp.port < 65536:
        yield Finding(codes.OUT_OF_RANGE, f"SMTP port {smtp.port} is out of range: 1 to 65535",
                      smtp.path + ("port",), "e.g. 587 with starttls, 465 with ssl",
                      severity=Severity.ERROR)
    for name, value in (("host", smtp.host), ("user", smtp.user)):
        if value is not None and not (value and value.isascii() and value.isprintable()
                                      and " " not in value and len(value) <= 253):
            yield Finding(codes.BAD_SMTP, f"SMTP {name} {value[:40]!r} is not one line of printable "
                          "ASCII without spaces", smtp.path + (name,),
                          "e.g. smtp: {host: smtp.example.org, user: editor}", severity=Severity.ERROR)


def _publication_merge_tags(pub: model.Publication, level: Level) -> Iterator[Finding]:
    severity = Severity.ERROR if level is Level.EXPORT else Severity.WARNING
    for path, text in [(pub.path + ("unsubscribe_url",), pub.unsubscribe_url),
                       (pub.path + ("web_version_url",), pub.web_version_url),
                       (pub.path + ("footer",), pub.footer),
                       (pub.sender.path + ("name",), pub.sender.name),
                       (pub.path + ("postal_address",), pub.postal_address)]:
        live = list(_template_code(path, text or "", path[-1] == "footer", pub.esp, severity,
                                   locate=False))
        yield from live
        for unknown in esp.unknown_tags(text or "", pub.esp):
            if not any(unknown.tag in finding.message for finding in live):
                yield _merge_tag_finding(unknown, path, severity, offset=False)


SITE_SIZE_RANGE = range(1, 1001)
"""Issues per index page and per feed: at least one, and pages and feeds a reader can load."""
_SITE_FOLDERS = frozenset({"page", "images", "drafts"})
"""The site's own folders (index pages, copied images, drafts): no issue page goes in them."""
_SITE_ISSUE_PATH = re.compile(r"(?:[A-Za-z0-9_.~{}-]+/)*[A-Za-z0-9_.~{}-]*")


def _publication_site(site: model.SiteSettings) -> Iterator[Finding]:
    """The archive's settings: an absolute base URL, a page path that stays under it, sane sizes."""
    base = site.base_url
    if base is not None and (markdown.url_scheme(base) not in {"http", "https"}
                             or base.strip() != base or any(ch in base for ch in "?#\"\'<> ")):
        yield Finding(codes.SITE_BASE_URL, f"'{base[:60]}' is not an absolute http(s) "
                      "address", site.path + ("base_url",), "e.g. https://example.org/archive/",
                      severity=Severity.ERROR)
    pattern = site.issue_path
    segments = pattern.rstrip("/").split("/")
    if ("{number}" not in pattern or not _SITE_ISSUE_PATH.fullmatch(pattern)
            or any(seg in {"", ".", ".."} for seg in segments) or segments[0] in _SITE_FOLDERS
            or pattern.replace("{number}", "").count("{") or pattern.replace("{number}", "").count("}")):
        yield Finding(codes.SITE_ISSUE_PATH, f"'{pattern[:60]}' is not a relative folder "
                      "holding {number}", site.path + ("issue_path",),
                      "letters, digits and -_.~/ with {number} once or more, e.g. issue-{number}/",
                      severity=Severity.ERROR)
    for name in ("page_size", "feed_size"):
        if getattr(site, name) not in SITE_SIZE_RANGE:
            yield Finding(codes.SITE_SIZE, f"{getattr(site, name)} is out of range: it must be from "
                          f"{SITE_SIZE_RANGE.start} to {SITE_SIZE_RANGE.stop - 1}", site.path + (name,),
                          "the default is 20", severity=Severity.ERROR)
    for name in ("subscribe_url", "subscribe_form"):
        url = getattr(site, name)
        if url and (markdown.url_scheme(url) not in {"http", "https"} or not markdown.is_safe_url(url)):
            yield Finding(codes.UNSAFE_URL, f"'{url[:60]}' is not an http(s) address",
                          site.path + (name,), "use an https:// address", severity=Severity.ERROR)


_PLACEHOLDER_DOMAIN = re.compile(r"@(example\.(com|org|net)|localhost|test|invalid)$", re.IGNORECASE)


def _send_ready(pub: model.Publication) -> Iterator[Finding]:
    """What anti-spam law and the big inboxes require of a real send (export and send refuse without)."""
    if _PLACEHOLDER_DOMAIN.search(pub.sender.email.strip()):
        yield Finding(codes.PLACEHOLDER_SENDER, f"sender '{pub.sender.email}' is a placeholder address",
                      pub.sender.path + ("email",), "set sender: {name: ..., email: ...} to the "
                      "address you send from", severity=Severity.ERROR)
    if not (pub.postal_address or "").strip():
        yield Finding(codes.MISSING_POSTAL_ADDRESS, "no postal address: anti-spam laws (CAN-SPAM, CASL) "
                      "require one in commercial email", pub.path,
                      "add 'postal_address: Company, street, city, country'", severity=Severity.ERROR)
    url = (pub.unsubscribe_url or "").strip()
    if not url or _PLACEHOLDER_URL.match(url):
        yield Finding(codes.MISSING_UNSUBSCRIBE, "no unsubscribe link", pub.path + ("unsubscribe_url",),
                      "set unsubscribe_url to your email service's merge tag (see docs/esp.md) "
                      "or an https URL", severity=Severity.ERROR)
    elif not (markdown.is_merge_tag(url) or markdown.url_scheme(url) == "https"):
        yield Finding(codes.NO_ONE_CLICK_UNSUBSCRIBE,
                      f"unsubscribe_url '{url[:60]}' cannot serve one-click unsubscribe (RFC 8058), "
                      "which Gmail and Yahoo require of bulk senders", pub.path + ("unsubscribe_url",),
                      "use an https URL or your email service's unsubscribe merge tag",
                      severity=Severity.ERROR)
