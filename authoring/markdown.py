"""The Markdown subset allowed in text fields, and URL safety.

Allowed: paragraphs, bullet and numbered lists, *emphasis*, **strong**, `code`,
[links](https://...), ![images](src) and <https://autolinks>. Everything else —
raw HTML, headings, tables, code blocks, block quotes — is not parsed, so it stays
literal text and is escaped on output. markdown-it-py does the parsing; we only
choose the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BLOCK_RULES = ["list", "paragraph"]
INLINE_RULES = ["newline", "escape", "backticks", "emphasis", "link", "image", "autolink"]

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


MAX_NESTING = 16
"""Deepest nesting of emphasis, links and lists in one text. Real text needs three or four;
thousands of nested ``**`` crash the MJML compiler (MRML overflows its stack: exit 139)."""


@cache
def merge_tag_span() -> re.Pattern[str]:
    """One merge tag. A pattern spanning from the first opener to the last closer would accept
    `{{x}}javascript:alert(1)//}}` as "a merge tag"; bodies exclude their delimiters, so the
    search also stays linear however many openers a text holds. (Compiled on first use.)"""
    return re.compile(r"\{\{[^{}]*\}\}|\*\|[^|]*\|\*|%[A-Za-z_][A-Za-z0-9_.]*%|\[[A-Za-z_]+\]")


@cache
def _any_merge_tag() -> re.Pattern[str]:
    """Where a merge tag starts, closed or not."""
    return re.compile(r"\{\{|\*\||%(?![0-9A-Fa-f]{2})[A-Za-z_][A-Za-z0-9_.]*%|\[[A-Za-z_]+\]")


@cache
def parser() -> MarkdownIt:
    # imported on the first parse: most fields hold no link, and several commands parse none
    from markdown_it import MarkdownIt

    class _Parser(MarkdownIt):
        def validateLink(self, url: str) -> bool:
            # Accept every URL while parsing so that validation sees (and reports) unsafe ones
            # instead of markdown-it silently leaving them as text; renderers check is_safe_url.
            return True

        def normalizeLink(self, url: str) -> str:
            # ESP merge tags must reach the email byte for byte, not percent-encoded: the whole
            # URL, or each tag inside it (https://x.org/u?id={{id}}).
            if is_merge_tag(url):
                return url.strip()
            normalized = super().normalizeLink(url)
            for tag in set(merge_tag_span().findall(url)):
                normalized = normalized.replace(super().normalizeLink(tag), tag)
            return normalized

    md = _Parser("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(BLOCK_RULES + INLINE_RULES)
    md.inline.ruler.before("emphasis", "merge_tag", _star_merge_tag)
    return md


def _star_merge_tag(state, silent: bool) -> bool:  # markdown-it's StateInline: imported lazily
    """``*|FNAME|*`` (Mailchimp's merge tags) is text, not emphasis around ``|FNAME|``: the
    service must receive the tag byte for byte, in the HTML and in the plain text."""
    src, pos = state.src, state.pos
    if not src.startswith("*|", pos):
        return False
    tag = _star_tag().match(src, pos)
    if tag is None:
        return False
    if not silent:
        state.push("text", "", 0).content = tag.group()
    state.pos = tag.end()
    return True


@cache
def _star_tag() -> re.Pattern[str]:
    """The ``*|...|*`` alternative of merge_tag_span (a body without ``|``: one match stays linear)."""
    return re.compile(r"\*\|[^|]*\|\*")


_MARKUP_CHARACTERS = "*_[]<>`\\\r\0\t"
"""Characters that can start Markdown we parse (emphasis, links, autolinks, code, escapes;
images start with ``![``) or that markdown-it normalises (CR, NUL, tab)."""

_LIST_MARKER = re.compile(r"[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)")
"""A line starting like this could open a list item."""
_MAY_OPEN_LIST = frozenset("-+0123456789")
"""The first characters of _LIST_MARKER (but ``*``, a markup character): other lines skip it."""


def _has_markup(text: str) -> bool:
    """Whether ``text`` holds a character of _MARKUP_CHARACTERS ("![" holds "[", one of them)."""
    # one `in` per character: each is a C-speed scan, several times faster than one pass that
    # hashes every character (set.isdisjoint) or a character-class regex; written out, as
    # any(map(text.__contains__, ...)) pays a method call per character, three times the time
    # (tests/test_markdown.py holds the two lists of characters together)
    return ("*" in text or "_" in text or "[" in text or "]" in text or "<" in text or ">" in text
            or "`" in text or "\\" in text or "\r" in text or "\0" in text or "\t" in text)


@dataclass(slots=True)
class PlainBlock:
    """A paragraph, or a tight list of one-line ``- `` items, of text with no markup."""

    kind: str
    """'paragraph' or 'bullet_list'."""
    first: int
    """0-based line where it starts."""
    lines: list[str]
    """The paragraph's lines, or each item's text."""


def plain_blocks(text: str) -> list[PlainBlock] | None:
    """The blocks of ``text`` when they are all plain, else None (markdown-it parses it).

    Most fields are plain sentences, sometimes with a flat list of ``- `` items: what
    markdown-it makes of them is known without running it, and running it is most of the
    warm render's parsing time. Plain means: no character of _MARKUP_CHARACTERS and no ``![``;
    blocks apart by empty lines; no line with surrounding whitespace; items of one line,
    none that opens another list, no blank line between two items (a loose list), no text
    right after an item (a lazy continuation). tests/test_markdown.py holds this to
    markdown-it's own output.
    """
    if not text or _has_markup(text):
        return None
    if "\n" not in text and not text.startswith("- "):  # one line of prose: most fields
        if text != text.strip() or (text[0] in _MAY_OPEN_LIST and _LIST_MARKER.match(text)):
            return None
        return [PlainBlock("paragraph", 0, [text])]
    blocks: list[PlainBlock] = []
    current: PlainBlock | None = None
    for number, line in enumerate(text.split("\n")):
        if not line:
            current = None
            continue
        if line != line.strip():
            return None
        kind, content = ("bullet_list", line[2:]) if line.startswith("- ") else ("paragraph", line)
        if content != content.lstrip() or (content[0] in _MAY_OPEN_LIST and _LIST_MARKER.match(content)):
            return None
        if current is None or current.kind != kind:
            previous = blocks[-1].kind if blocks else None
            if previous == "bullet_list" and (current is not None or kind == "bullet_list"):
                return None  # text glued to an item, or items apart by blank lines
            current = PlainBlock(kind, number, [])
            blocks.append(current)
        current.lines.append(content)
    return blocks


def _line_count(text: str) -> int:
    """Lines as markdown-it counts them: a final newline ends the last line, not a new one."""
    return text.count("\n") + (not text.endswith("\n"))


def _plain_tokens(blocks: list[PlainBlock], line_count: int, offset: int = 0) -> list[Token]:
    """The tokens markdown-it makes of a plain text's blocks, ``offset`` lines into its field."""
    from markdown_it.token import Token

    # Every Token field given in order (type, tag, nesting, attrs, map, level, children,
    # content, markup, info, meta, block, hidden): twice as fast as keywords and defaults,
    # and hundreds are made per issue.
    def paragraph(first: int, lines: list[str], level: int, hidden: bool) -> list[Token]:
        children = [Token("text", "", 0, {}, None, 0, None, lines[0], "", "", {}, False, False)]
        for line in lines[1:]:
            children += (Token("softbreak", "br", 0, {}, None, 0, None, "", "", "", {}, False, False),
                         Token("text", "", 0, {}, None, 0, None, line, "", "", {}, False, False))
        end = first + len(lines)
        return [Token("paragraph_open", "p", 1, {}, [first, end], level, None, "", "", "", {}, True, hidden),
                Token("inline", "", 0, {}, [first, end], level + 1, children, "\n".join(lines), "", "", {},
                      True, False),
                Token("paragraph_close", "p", -1, {}, None, level, None, "", "", "", {}, True, hidden)]

    tokens: list[Token] = []
    for n, block in enumerate(blocks):
        first = block.first + offset
        if block.kind == "paragraph":
            tokens += paragraph(first, block.lines, 0, False)
            continue
        end = (blocks[n + 1].first if n + 1 < len(blocks) else line_count) + offset  # blank lines included
        tokens.append(Token("bullet_list_open", "ul", 1, {}, [first, end], 0, None, "", "-", "", {},
                            True, False))
        for i, item in enumerate(block.lines):
            line = first + i
            item_end = end if i == len(block.lines) - 1 else line + 1
            tokens.append(Token("list_item_open", "li", 1, {}, [line, item_end], 1, None, "", "-", "", {},
                                True, False))
            tokens += paragraph(line, [item], 2, True)
            tokens.append(Token("list_item_close", "li", -1, {}, None, 1, None, "", "-", "", {}, True, False))
        tokens.append(Token("bullet_list_close", "ul", -1, {}, None, 0, None, "", "-", "", {}, True, False))
    return tokens


class Parsed(NamedTuple):
    """A text's parse. Shared between callers (see ``parse``): read it, never modify it.
    (Immutable as a frozen dataclass is, and made in a third of the time: one per field.)"""

    plain: list[PlainBlock] | None
    """The blocks when every one is plain: markdown-it was not run, and the readers (depth, HTML,
    plain text) use these directly; no tokens are made for them (~290 a seed issue)."""
    tokens: tuple[Token, ...] = ()
    """markdown-it's block tokens, when some block is not plain (those of its plain parts built
    without running markdown-it: ``_tokens_by_parts``)."""


@lru_cache(maxsize=2048)
def parse(text: str) -> Parsed:
    """The blocks of ``text``; cached because validation, HTML and plain text all parse
    the same fields."""
    blocks = plain_blocks(text)
    if blocks is not None:
        return Parsed(blocks)
    return Parsed(None, tuple(_tokens_by_parts(text or "")))


def _tokens_by_parts(text: str) -> list[Token]:
    """markdown-it's tokens of ``text``, its plain parts (``_parts``) built from their blocks.

    A letter is mostly plain paragraphs around one list or image: markdown-it then parses only
    what is not plain. Neighbouring parts that are not plain go to it together, so a text
    alternating plain and marked-up paragraphs costs one markdown-it run per plain part at most.
    """
    # markdown-it turns CR into line breaks, so these lines would not be its lines
    if "\r" in text:
        return parser().parse(text)
    lines = text.split("\n")
    parts = list(_parts(lines))
    if len(parts) == 1:  # the whole text, known not plain
        labelled = _labelled_tokens(text, 0)
        return labelled if labelled is not None else parser().parse(text)
    tokens: list[Token] = []
    pending = 0  # first line of the parts not yet given to markdown-it
    for start, end in parts:
        part = _part_text(lines, start, end)
        blocks = plain_blocks(part)
        known = _plain_tokens(blocks, _line_count(part), start) if blocks is not None \
            else _labelled_tokens(part, start)
        if known is None:
            continue
        if pending < start:
            tokens += _markdown_it_lines(lines, pending, start)
        tokens += known
        pending = end
    if pending < len(lines):
        tokens += _markdown_it_lines(lines, pending, len(lines))
    return tokens


def _labelled_tokens(text: str, offset: int) -> list[Token] | None:
    """markdown-it's tokens of a text that would be plain but for list items opening with a
    bold label, ``- **Label:** text`` (how letters write their lists), or one-line paragraphs
    opening with one (``**Subscribe to The Batch**``, how footers write their heading); None
    for any other text.

    The label is emphasis markdown-it always makes strong: its ``**`` open the item's text (or
    the line) and close before a space or the line's end, around a label that neither starts
    nor ends with a space; with the labels' stars dropped, the text must be plain (plain_blocks),
    so nothing else in it is markup, and each labelled line must open an item or a paragraph of
    its own. tests/test_markdown.py holds this to markdown-it's own output.
    """
    written = text.split("\n")
    lines = written.copy()  # with each label's stars dropped
    labels: dict[int, tuple[str, str]] = {}  # line → its item marker ("" in a paragraph), label
    for number, line in enumerate(written):
        marker = "- " if line.startswith("- **") else "" if line.startswith("**") else None
        if marker is None:
            continue
        close = line.find("**", len(marker) + 2)
        label = line[len(marker) + 2:close] if close > len(marker) + 2 else ""
        after = line[close + 2:close + 3]
        if not label or label[0].isspace() or label[-1].isspace() or after not in ("", " "):
            return None
        labels[number] = marker, label
        lines[number] = marker + label + line[close + 2:]
    blocks = plain_blocks("\n".join(lines)) if labels else None
    if blocks is None:
        return None
    tokens = _plain_tokens(blocks, _line_count(text), offset)
    found = 0
    for token in tokens:
        where = token.map if token.type == "inline" else None
        if not where or where[0] - offset not in labels:
            continue
        number = where[0] - offset
        marker, label = labels[number]
        if where[1] - where[0] != 1 or (token.level == 1) != (not marker):
            return None  # a paragraph of more lines, or a label's line read as a list item
        token.content = written[number][len(marker):]
        token.children = _label_children(label, lines[number][len(marker) + len(label):])
        found += 1
    return tokens if found == len(labels) else None  # none inside another line's paragraph


def _label_children(label: str, rest: str) -> list[Token]:
    """The inline tokens markdown-it makes of ``**label**rest``: its emphasis pass leaves an empty
    text where the opening stars were, and the text after the closing ones, even empty."""
    from markdown_it.token import Token

    return [Token("text", "", 0, {}, None, 0, None, "", "", "", {}, False, False),
            Token("strong_open", "strong", 1, {}, None, 0, None, "", "**", "", {}, False, False),
            Token("text", "", 0, {}, None, 1, None, label, "", "", {}, False, False),
            Token("strong_close", "strong", -1, {}, None, 0, None, "", "**", "", {}, False, False),
            Token("text", "", 0, {}, None, 0, None, rest, "", "", {}, False, False)]


def _parts(lines: list[str]) -> Iterator[tuple[int, int]]:
    """Line ranges markdown-it parses alike alone or in the whole text: a part starts after an
    empty line, at a line that is neither indented nor a list item, since such a line closes
    every list (and a paragraph ends at the empty line); only lists span empty lines among the
    blocks we parse. A part keeps the empty lines after it."""
    start = 0
    for number in range(1, len(lines)):
        line = lines[number]
        if (not lines[number - 1] and line and line[0] not in " \t"
                and not _LIST_MARKER.match(line)):
            yield start, number
            start = number
    yield start, len(lines)


def _part_text(lines: list[str], start: int, end: int) -> str:
    """Lines ``start`` to ``end`` of a text as written, with the line feed that ends the last
    one unless it ends the text."""
    return "\n".join(lines[start:end]) + ("\n" if end < len(lines) else "")


def _markdown_it_lines(lines: list[str], start: int, end: int) -> list[Token]:
    """markdown-it's tokens of lines ``start`` to ``end``, their line numbers counted in the whole text."""
    tokens = parser().parse(_part_text(lines, start, end))
    if start:
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + start, token.map[1] + start]
    return tokens


@dataclass
class LinkRef:
    """A link or image found in Markdown text."""

    kind: str
    """'link' or 'image'."""
    url: str
    text: str
    line: int
    """0-based line within the text."""


def may_link(text: str) -> bool:
    """Whether a link, image or autolink could start in ``text``: without "[" or "<" none can,
    and no parse is needed to know it has none (most fields)."""
    return "[" in text or "<" in text


def iter_links(text: str) -> Iterator[LinkRef]:
    """Links and images in reading order (a link before the images in its label); one pass."""
    if not may_link(text):
        return
    for block in parse(text).tokens:  # a plain text (no tokens) has no "[" or "<"
        if block.type != "inline" or not block.children:
            continue
        yield from _block_links(block.children, block.map[0] if block.map else 0)


def _block_links(children: list[Token], line: int) -> list[LinkRef]:
    found: list[LinkRef] = []
    open_link: LinkRef | None = None  # links do not nest (CommonMark), images inside them do
    label: list[str] = []
    for tok in children:
        if tok.type == "link_open":
            open_link, label = LinkRef("link", str(tok.attrGet("href") or ""), "", line), []
            found.append(open_link)
            continue
        if tok.type == "link_close" and open_link is not None:
            open_link.text, open_link = "".join(label), None
            continue
        if open_link is not None:
            label.append(tok.content)
        if tok.type == "image":
            found.append(LinkRef("image", str(tok.attrGet("src") or ""), tok.content, line))
    return found


def nesting_depth(text: str) -> tuple[int, int]:
    """How deeply the elements of ``text`` nest (lists, items, paragraphs, emphasis, links),
    and the 0-based line where that depth is first reached (stops early past MAX_NESTING)."""
    parsed = parse(text)
    if parsed.plain is not None:
        return _plain_depth(parsed.plain)
    deepest, where, depth = 0, 0, 0
    line = 0
    for block in parsed.tokens:
        depth += block.nesting
        line = block.map[0] if block.map else line
        inner = depth
        for tok in block.children or ():
            inner += tok.nesting
            if inner > deepest:
                deepest, where = inner, line
        if depth > deepest:
            deepest, where = depth, line
        if deepest > MAX_NESTING:
            break
    return deepest, where


def _plain_depth(blocks: list[PlainBlock]) -> tuple[int, int]:
    """A paragraph is one level deep; a list's item paragraphs three (list, item, paragraph),
    first reached at its first item."""
    for block in blocks:
        if block.kind == "bullet_list":
            return 3, block.first
    return (1, blocks[0].first) if blocks else (0, 0)


def is_merge_tag(url: str) -> bool:
    """ESP placeholders such as {{unsubscribe_url}}, *|UNSUB|* or %unsubscribe_url%: one tag,
    the whole value."""
    return bool(merge_tag_span().fullmatch(url.strip()))


def misplaced_merge_tag(url: str) -> bool:
    """A merge tag that is neither the whole URL nor inside its query: the ESP would put
    text before the scheme, so nothing we check is what the reader gets."""
    url = url.strip()
    return not is_merge_tag(url) and _tag_before_query(url)


def _tag_before_query(url: str) -> bool:
    """misplaced_merge_tag of a stripped ``url`` known not to be one merge tag."""
    tag = _any_merge_tag().search(url)
    if tag is None:
        return False
    query = url.find("?")
    return query < 0 or tag.start() < query


@cache
def _scheme() -> re.Pattern[str]:
    """A URL's scheme, at its start. (Compiled on first use, then not looked up by text.)"""
    return re.compile(r"([a-z][a-z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme as a browser would see it: control characters and spaces removed, lowercased."""
    if url.isascii() and url.isprintable():
        cleaned = url  # nearly every URL: no control or format character to drop
    else:
        cleaned = "".join(ch for ch in url if not unicodedata.category(ch).startswith("C"))
    match = _scheme().match(cleaned.replace(" ", "").lower())
    return match.group(1) if match else None


def is_safe_url(url: str, *, image: bool = False) -> bool:
    """True for http(s)/mailto/tel URLs, merge tags, and relative paths (images and links)."""
    stripped = url.strip()
    if is_merge_tag(stripped):  # one test of the stripped URL, not three
        return True
    if _tag_before_query(stripped):
        return False
    scheme = url_scheme(url)
    if scheme is None:
        return True  # relative: resolved against the issue or image base URL
    return scheme in SAFE_SCHEMES and not (image and scheme in {"mailto", "tel"})
