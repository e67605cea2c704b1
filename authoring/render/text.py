"""The plain-text part of the email, rendered from the model (never scraped from the HTML).

It reads like the plain text of past issues (``seeds/``), with what a reader needs to tell
the parts apart: a top block (publication name, "Issue N · date", "View in browser: URL"),
then "Dear friends," and the letter, section labels underlined with ``=``, each story as
``[Image: alt]``, headline, dek and ``Label: text`` paragraphs with ``  • `` bullets, promos
with their call to action on a line of its own (``Enroll now: https://...``), and the footer.
Markdown becomes plain text: emphasis markers dropped, links as ``text (URL)`` or, with the
publication's ``text_links: references``, as ``text [1]`` with the addresses listed under
"Links" at the end. Lines wrap at 78 columns, never inside a URL; bullets get a hanging
indent. Paragraphs are separated by one blank line, blocks by two.

The importer (``authoring.importer``) reads this layout back, so the two are kept in
step: importing the rendered text of an imported issue gives the same YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from textwrap import TextWrapper
from typing import TYPE_CHECKING

from authoring import blocks, markdown, model
from authoring.records import dataclass

if TYPE_CHECKING:
    from authoring.render import RenderOptions

WIDTH = 78
BULLET = "  • "
HANGING = "    "
PARAGRAPH_GAP = "\n\n"
BLOCK_GAP = "\n\n\n"
PS_PREFIX = "P.S. "
IMAGE_LINE = "[Image: {}]"
RULE = "="
LINKS_TITLE = "Links"


class _LinkStyle:
    """How links are printed: ``text (url)`` inline, or ``text [n]`` with numbered references."""

    def __init__(self, link_url: Callable[[str], str] | None = None, references: bool = False,
                 mark_images: bool = True):
        self.link_url = link_url
        self.references = references
        self.mark_images = mark_images
        """Images as ``[Image: alt]`` (the email's text part) or as their bare alt text."""
        self.numbers: dict[str, int] = {}
        """Address → its reference number; an address used twice keeps its first number."""

    def shown(self, url: str) -> str:
        return self.link_url(url) if self.link_url else url

    def after_label(self, url: str) -> str:
        """What follows a link's text: `` (url)`` or `` [n]``."""
        shown = self.shown(url)
        if not self.references:
            return f" ({shown})"
        number = self.numbers.setdefault(shown, len(self.numbers) + 1)
        return f" [{number}]"

    def reference_block(self) -> str:
        if not self.numbers:
            return ""
        lines = [LINKS_TITLE, _rule(LINKS_TITLE)]
        lines += [f"[{n}] {url}" for url, n in self.numbers.items()]
        return "\n".join(lines)



@dataclass
class _Para:
    """One paragraph of plain text, or one list item (``marker`` set, ``depth`` ≥ 1)."""

    text: str
    marker: str | None = None
    depth: int = 0


def render_text(issue: model.Issue, publication: model.Publication,
                options: RenderOptions | None = None) -> str:
    """The whole issue as plain text, ending with one newline."""
    link_url = getattr(options, "link_url", None)
    style = _LinkStyle(link_url, references=publication.text_links == "references")
    blocks: list[str] = []
    if issue.letter is not None:
        blocks.append(_letter(issue.letter, style))
    for story in issue.stories:
        text = _story(story, style)
        if text:
            blocks.append(text)
    footer = _footer(issue, publication, style, web=getattr(options, "mode", "email") == "web")
    if footer:
        blocks.append(footer)
    references = style.reference_block()
    if references:
        blocks.append(references)
    top = _top_block(issue, publication, style)
    body = BLOCK_GAP.join(blocks) + "\n"
    return f"{top}\n\n{body}" if top else body


def _top_block(issue: model.Issue, publication: model.Publication, style: _LinkStyle) -> str:
    """Publication name, "Issue N · date" and "View in browser: URL", each only when known."""
    info = issue.issue
    lines = [publication.name] if publication.name.strip() else []
    dateline = [f"Issue {info.number}"] if info.number is not None else []
    if info.date is not None:
        dateline.append(f"{info.date:%B} {info.date.day}, {info.date.year}")
    if dateline:
        lines.append(" · ".join(dateline))
    if info.web_url and _printable_url(info.web_url):
        lines.append(f"View in browser: {style.shown(info.web_url)}")
    return "\n".join(lines)


def _rule(title: str) -> str:
    return RULE * max(3, len(title))


# ---------------------------------------------------------------- blocks


def _letter(letter: model.Letter, style: _LinkStyle) -> str:
    parts = [_wrap(letter.salutation)] if letter.salutation.strip() else []
    parts += _markdown_chunks(letter.body, style)
    for line in (letter.signoff, letter.signature):
        if line and line.strip():
            parts.append(_wrap(line))
    if letter.ps and letter.ps.strip():
        parts += _markdown_chunks(letter.ps, style, PS_PREFIX)
    return PARAGRAPH_GAP.join(parts)


def _story(story: model.Story, style: _LinkStyle) -> str:
    parts = blocks.of(story).text(story, _Writer(style))
    return PARAGRAPH_GAP.join(p for p in parts if p)


class _Writer:
    """The plain-text tools a block's ``text`` uses (``authoring.blocks.PlainText``)."""

    def __init__(self, style: _LinkStyle):
        self.style = style

    def line(self, text: str) -> str:
        return _wrap(text)

    def heading(self, text: str) -> str:
        return f"{text}\n{_rule(text)}"

    def markdown(self, text: str, prefix: str = "") -> list[str]:
        return _markdown_chunks(text, self.style, prefix)

    def image(self, image: model.Image | None) -> list[str]:
        if image is None or not image.alt.strip():
            return []
        return [_wrap(IMAGE_LINE.format(image.alt.strip()))]

    def url(self, url: str | None) -> str | None:
        if not url or not _printable_url(url):
            return None
        return self.style.shown(url.strip())


def _footer(issue: model.Issue, publication: model.Publication,
            style: _LinkStyle, *, web: bool = False) -> str:
    parts = _markdown_chunks(issue.footer or publication.footer or "", style)
    if publication.postal_address:
        parts.append(_wrap(publication.postal_address))
    if publication.unsubscribe_url and not web:
        # The ESP replaces a merge tag in the text part as it does in the HTML.
        parts.append(_wrap(f"Unsubscribe: {publication.unsubscribe_url}"))
    return PARAGRAPH_GAP.join(parts)


# ---------------------------------------------------------------- Markdown → plain


def _printable_url(url: str) -> bool:
    url = url.strip()
    return bool(url) and not markdown.is_merge_tag(url) and markdown.is_safe_url(url)


def markdown_plain(text: str, link_url: Callable[[str], str] | None = None) -> str:
    """A Markdown text as plain text, unwrapped: what a reader of it sees (links inline)."""
    style = _LinkStyle(link_url, mark_images=False)
    return PARAGRAPH_GAP.join(_format(_paragraphs(text, style), wrap=False))


def _same_address(label: str, href: str) -> bool:
    """An autolink or ``[me@x.org](mailto:me@x.org)`` already shows its address."""
    label, href = label.strip(), href.strip()
    return label == href or f"mailto:{label}" == href or f"tel:{label}" == href


def _markdown_chunks(text: str, style: _LinkStyle, first_prefix: str = "") -> list[str]:
    """A Markdown text wrapped: its paragraphs, and its lists a chunk each (``_format`` of its
    ``_paragraphs``), ``first_prefix`` opening the first paragraph."""
    blocks = markdown.parse(text).plain
    if blocks is not None and (not first_prefix or (blocks and blocks[0].kind == "paragraph")):
        return _plain_chunks(blocks, first_prefix)
    return _format(_paragraphs(text, style), first_prefix=first_prefix)


def _plain_chunks(blocks: list[markdown.PlainBlock], first_prefix: str) -> list[str]:
    """``_markdown_chunks`` of a plain text (most fields), straight from its blocks: no _Para per
    paragraph and item for ``_format`` to read back. Its lines are words with no space around them
    (``markdown.plain_blocks``), so the stripping ``_format`` does changes nothing here."""
    chunks: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            chunks.append(_wrap(first_prefix + " ".join(block.lines)))
            first_prefix = ""
        else:
            chunks.append("\n".join([_wrap(item, BULLET, HANGING) for item in block.lines]))
    return chunks


def _paragraphs(text: str, style: _LinkStyle) -> list[_Para]:
    """Paragraphs and list items of a Markdown text, as plain text."""
    parsed = markdown.parse(text)
    if parsed.plain is not None:
        return _plain_paragraphs(parsed.plain)
    out: list[_Para] = []
    lists: list[list] = []  # per open list: [ordered, next number]
    item_open = False
    for tok in parsed.tokens:
        kind = tok.type
        if kind == "inline":
            plain = _inline(tok.children or [], style)
            if not lists:
                out.append(_Para(plain))
            elif item_open:
                ordered, number = lists[-1]
                marker = f"{number}." if ordered else "•"
                lists[-1][1] += 1
                out.append(_Para(plain, marker=marker, depth=len(lists)))
                item_open = False
            else:
                out.append(_Para(plain, depth=len(lists)))  # a later paragraph of the same item
        elif kind == "list_item_open":
            item_open = True
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(tok.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
    return out


def _plain_paragraphs(blocks: list[markdown.PlainBlock]) -> list[_Para]:
    """``_paragraphs`` of a plain text: a paragraph's lines joined by spaces, a list's items bulleted."""
    out: list[_Para] = []
    for block in blocks:
        if block.kind == "paragraph":
            out.append(_Para(" ".join(block.lines)))
        else:
            out += [_Para(item, "•", 1) for item in block.lines]
    return out


def _inline(children, style: _LinkStyle) -> str:
    if len(children) == 1 and children[0].type == "text":  # most paragraphs: plain text
        return children[0].content.strip()
    pieces: list[str] = []
    href: str | None = None
    label_start = 0
    for tok in children:
        kind = tok.type
        if kind in ("text", "code_inline"):
            pieces.append(tok.content)
        elif kind == "softbreak":
            pieces.append(" ")
        elif kind == "hardbreak":
            pieces.append("\n")
        elif kind == "image":
            marked = style.mark_images and tok.content.strip()
            pieces.append(IMAGE_LINE.format(tok.content) if marked else tok.content)
        elif kind == "link_open":
            href = str(tok.attrGet("href") or "")
            label_start = len(pieces)
        elif kind == "link_close":
            label = "".join(pieces[label_start:])
            if href and _printable_url(href) and not _same_address(label, href):
                pieces.append(style.after_label(href))
            elif href and style.link_url and _printable_url(href) and markdown.url_scheme(href) in (
                    "http", "https"):
                # an autolink shows its URL as the text: show the tracked one instead
                del pieces[label_start:]
                pieces.append(style.shown(href))
            href = None
    return "".join(pieces).strip()


# ---------------------------------------------------------------- layout


def _format(paras: list[_Para], first_prefix: str = "", wrap: bool = True) -> list[str]:
    """Wrapped paragraphs; consecutive list items form one chunk without blank lines."""
    chunks: list[str] = []
    if first_prefix and (not paras or paras[0].marker is not None):
        # a label before a list, or a label on an empty text: keep it on its own line
        paras = [_Para(""), *paras]
    for i, para in enumerate(paras):
        text = f"{first_prefix}{para.text}" if i == 0 and first_prefix else para.text
        if para.depth:
            indent = "  " * (para.depth - 1)
            if para.marker is not None:
                bullet = BULLET if para.marker == "•" else f"  {para.marker} "
                lines = _wrap(text, indent + bullet, indent + HANGING, wrap)
            else:
                lines = _wrap(text, indent + HANGING, indent + HANGING, wrap)
            if chunks and i > 0 and paras[i - 1].depth:
                chunks[-1] += "\n" + lines
                continue
            chunks.append(lines)
        else:
            chunks.append(_wrap(text.rstrip(), wrap=wrap) if text.strip() else text.strip())
    return [c for c in chunks if c]


@cache
def _wrapper(initial: str, subsequent: str) -> TextWrapper:
    # URLs and other long words stay whole: a broken URL cannot be followed.
    return TextWrapper(width=WIDTH, initial_indent=initial, subsequent_indent=subsequent,
                       break_long_words=False, break_on_hyphens=False)


def _wrap(text: str, initial: str = "", subsequent: str = "", wrap: bool = True) -> str:
    if not wrap:
        return initial + text
    # textwrap's chunk-by-chunk loop was half of the plain-text stage: printable lines (the
    # only whitespace in them is " ") take the same breaks found with str.rfind instead
    if text.isprintable():  # one line (a line break is not printable): most paragraphs
        return _wrap_line(text, initial, subsequent)
    if "\n" not in text and _breaks_at_spaces_alone(text):
        return _wrap_line(text, initial, subsequent)
    out: list[str] = []
    for n, line in enumerate(text.split("\n")):
        first = initial if n == 0 else subsequent
        if line.isprintable() or _breaks_at_spaces_alone(line):
            out.append(_wrap_line(line, first, subsequent))
        else:  # tabs, words of no-break spaces alone and the like: textwrap's own rules for them
            out.append("\n".join(_wrapper(first, subsequent).wrap(line)) or first.rstrip())
    return "\n".join(out).rstrip("\n")


def _breaks_at_spaces_alone(line: str) -> bool:
    """Whether textwrap wraps ``line`` as ``_wrap_line`` does, though it is not printable (a
    no-break space in "10\xa0km", as most paragraphs with one hold it: textwrap on a paragraph
    was a tenth of the stage). textwrap breaks at spaces and tabs, line feeds and the like, which
    it makes spaces: none of those but spaces; and it drops a run of other whitespace alone (a
    lone no-break space) at the ends of lines as it drops spaces: no such run."""
    if "\t" in line or "\x0b" in line or "\x0c" in line or "\r" in line:
        return False
    return all(word.strip() for word in line.split(" ") if word)


def _wrap_line(line: str, initial: str, subsequent: str) -> str:
    """A printable line wrapped (``TextWrapper.fill``), or the indent alone when it holds no text."""
    if "  " not in line and line[:1] != " " and line[-1:] != " ":
        return _fill_single_spaced(line, initial, subsequent) if line else initial.rstrip()
    return "\n".join(_fill(line, initial, subsequent)) or initial.rstrip()


def _fill(line: str, initial: str, subsequent: str) -> list[str]:
    """``TextWrapper.wrap`` for a line whose only whitespace is " ", line for line: greedy breaks
    between a word and a run of spaces, spaces dropped at the ends of lines (kept at the very
    start), a word longer than the width alone on its line."""
    lines: list[str] = []
    pos, end = 0, len(line)
    # an indent as wide as the line leaves no room for text (0, not less)
    indent, width, room_after = initial, max(WIDTH - len(initial), 0), max(WIDTH - len(subsequent), 0)
    while pos < end:
        limit = pos + width
        if limit >= end:
            cut = end
        elif line[limit] == " ":  # the text up to the limit ends a word (or a run of spaces)
            cut = limit
        else:  # before the word the limit falls in; a word longer than the width: all of it
            cut = line.rfind(" ", pos, limit) + 1
            if not cut:
                cut = _word_end(line, pos)
        text = line[pos:cut].rstrip(" ")
        if text:
            lines.append(indent + text)
            indent, width = subsequent, room_after
        pos = cut
        if lines or not text:  # spaces at a break go; at the start only before a too-long word
            while pos < end and line[pos] == " ":
                pos += 1
    return lines


def _fill_single_spaced(line: str, initial: str, subsequent: str) -> str:
    """``TextWrapper.fill`` of a line of words apart by one space each (nearly every paragraph):
    a line ends at the last space the width reaches, the space dropped; a word longer than the
    width stands alone."""
    end = len(line)
    if end <= WIDTH - len(initial):  # fits as it is: headlines, labels, most list items
        return initial + line
    # the lines as bare slices, their indents added by the join: ~330 lines an issue, so what
    # each one costs is most of the stage
    lines: list[str] = []
    pos, width, room_after = 0, max(WIDTH - len(initial), 0), max(WIDTH - len(subsequent), 0)
    while end - pos > width:
        cut = line.rfind(" ", pos, pos + width + 1)
        if cut < 0:  # no space within the width: the word runs past it, alone on its line
            cut = line.find(" ", pos + width)
            if cut < 0:
                break
        lines.append(line[pos:cut])
        pos, width = cut + 1, room_after
    lines.append(line[pos:])  # never empty: the line ends with a word
    return initial + ("\n" + subsequent).join(lines)


def _word_end(line: str, pos: int) -> int:
    found = line.find(" ", pos)
    return len(line) if found < 0 else found
