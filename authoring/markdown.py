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
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from authoring.records import dataclass

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token as MarkdownItToken

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


class Token:
    """A token as markdown-it makes it (its ``markdown_it.token.Token``): the same fields, in the
    same order, read the same way. The fields of most texts are built here without markdown-it
    (``_plain_tokens``, ``_simple_tokens``), and a class of our own lets them be built without
    importing it (10-15 ms of every cold start); what markdown-it parses is converted to it
    (``_markdown_it_tokens``). tests/test_markdown.py holds both, field by field, to its tokens."""

    __slots__ = ("type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup",
                 "info", "meta", "block", "hidden")

    type: str
    tag: str
    nesting: int
    """1 opens an element, -1 closes it, 0 neither."""
    attrs: dict[str, str | int | float]
    map: list[int] | None
    """[first line, line after the last], 0-based, for block tokens."""
    level: int
    children: list[Token] | None
    """The inline tokens of an ``inline`` token (and an image's alt text)."""
    content: str
    markup: str
    info: str
    meta: dict
    block: bool
    hidden: bool
    """A tight list's paragraph: not rendered as a <p>."""

    def __init__(self, type: str, tag: str, nesting: int, attrs: dict[str, str | int | float],
                 map: list[int] | None, level: int, children: list[Token] | None, content: str,
                 markup: str, info: str, meta: dict, block: bool, hidden: bool) -> None:
        # every field given, in markdown-it's order: hundreds are made per issue
        self.type = type
        self.tag = tag
        self.nesting = nesting
        self.attrs = attrs
        self.map = map
        self.level = level
        self.children = children
        self.content = content
        self.markup = markup
        self.info = info
        self.meta = meta
        self.block = block
        self.hidden = hidden

    def attrGet(self, name: str) -> str | int | float | None:  # noqa: N802 (markdown-it's name)
        return self.attrs.get(name)


def _markdown_it_tokens(text: str) -> list[Token]:
    """markdown-it's parse of ``text``, as our Tokens."""
    return _converted(parser().parse(text))


def _converted(tokens: list[MarkdownItToken]) -> list[Token]:
    return [Token(t.type, t.tag, t.nesting, t.attrs, t.map, t.level,
                  None if t.children is None else _converted(t.children), t.content, t.markup, t.info,
                  t.meta, t.block, t.hidden) for t in tokens]


def normalize_link(url: str) -> str:
    """What the parser's normalizeLink makes of a link's address: a plain one (``_plain_url``)
    is known without building the parser (and importing markdown-it)."""
    return url if _plain_url().fullmatch(url) else parser().normalizeLink(url)


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
            if _plain_url().fullmatch(url):
                return url  # what markdown-it makes of it, known without its URL parser
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


@cache
def _plain_url() -> re.Pattern[str]:
    """An address markdown-it's normalizeLink gives back unchanged, and so without parsing it
    (mdurl's parse, format and encode cost 20-30 µs an address, a link's most): an http(s) or
    mailto address with a host of ASCII letters, digits and hyphens, or a relative path; then
    only characters mdurl.encode keeps, and no ``%`` (an escape, or a merge tag), ``*|``, ``{``
    or ``[``. tests/test_markdown.py holds it to normalizeLink over addresses it generates."""
    host = r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,3}"  # labels and a length mdurl keeps
    path = r"[A-Za-z0-9._~/-]*"
    rest = r"[A-Za-z0-9._~/=&+,;:@!$()-]*"
    # each part ends where a character the next cannot hold begins: linear, whatever the text
    return re.compile(rf"(?:https?://{host}(?::[0-9]{{1,5}})?(?:/{path})?|mailto:[A-Za-z0-9._+-]+@{host}"
                      rf"|(?!//){path})(?:\?{rest})?(?:#{rest})?")


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
    """markdown-it's block tokens (as our ``Token``), when some block is not plain (those of its
    plain and simply marked-up parts built without running markdown-it: ``_tokens_by_parts``)."""


PARSES_KEPT = 2048
"""The fewest parses ``parse`` keeps: every field of an ordinary issue many times over."""


class _Parses:
    """``parse``: each text's Parsed, kept for the texts last asked (validation, the HTML and the
    plain text all parse the same fields). It keeps PARSES_KEPT of them, or as many as the issue
    at hand has values when that is more (``hold``): an issue with more fields than the cache
    keeps would have each parsed three times, once a stage (10,000 stories hold 20,000 texts)."""

    def __init__(self) -> None:
        self.kept: OrderedDict[str, Parsed] = OrderedDict()
        """Least recently asked first."""
        self.room = PARSES_KEPT

    def __call__(self, text: str) -> Parsed:
        kept = self.kept
        try:
            kept.move_to_end(text)
        except KeyError:
            parsed = kept[text] = self.__wrapped__(text)
            if len(kept) > self.room:
                kept.popitem(last=False)
            return parsed
        return kept[text]

    @staticmethod
    def __wrapped__(text: str) -> Parsed:
        """The blocks of ``text``, parsed anew."""
        blocks = plain_blocks(text)
        if blocks is not None:
            return Parsed(blocks)
        return Parsed(None, tuple(_tokens_by_parts(text or "")))

    def hold(self, texts: int) -> None:
        """Keep the parses of ``texts`` texts from now on, or PARSES_KEPT if more: the values of
        the issue about to be validated and rendered (what it held beyond is let go, oldest first,
        so that a folder's huge issue leaves the next ones no larger a cache)."""
        self.room = max(PARSES_KEPT, texts)
        while len(self.kept) > self.room:
            self.kept.popitem(last=False)

    def cache_clear(self) -> None:
        self.kept.clear()


parse = _Parses()
"""The blocks of a text (``Parsed``), kept (see ``_Parses``)."""


def _tokens_by_parts(text: str) -> list[Token]:
    """markdown-it's tokens of ``text``, its plain parts (``_parts``) built from their blocks.

    A letter is mostly plain paragraphs around one list or image: markdown-it then parses only
    what is not plain. Neighbouring parts that are not plain go to it together, so a text
    alternating plain and marked-up paragraphs costs one markdown-it run per plain part at most.
    """
    # markdown-it turns CR into line breaks, so these lines would not be its lines
    if "\r" in text:
        return _markdown_it_tokens(text)
    simple = _simple_tokens(text, 0)  # most marked-up fields: the whole text at once
    if simple is not None:
        return simple
    lines = text.split("\n")
    parts = list(_parts(lines))
    if len(parts) == 1:  # the whole text, known not plain
        known = _labelled_tokens(text, 0)
        if known is None:
            known = _simple_tokens(text, 0)
        return known if known is not None else _markdown_it_tokens(text)
    tokens: list[Token] = []
    pending = 0  # first line of the parts not yet given to markdown-it
    for start, end in parts:
        part = _part_text(lines, start, end)
        blocks = plain_blocks(part)
        known = _plain_tokens(blocks, _line_count(part), start) if blocks is not None \
            else _labelled_tokens(part, start)
        if known is None:
            known = _simple_tokens(part, start)
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
    return [Token("text", "", 0, {}, None, 0, None, "", "", "", {}, False, False),
            Token("strong_open", "strong", 1, {}, None, 0, None, "", "**", "", {}, False, False),
            Token("text", "", 0, {}, None, 1, None, label, "", "", {}, False, False),
            Token("strong_close", "strong", -1, {}, None, 0, None, "", "**", "", {}, False, False),
            Token("text", "", 0, {}, None, 0, None, rest, "", "", {}, False, False)]


def _simple_tokens(text: str, offset: int) -> list[Token] | None:
    """markdown-it's tokens of a text of paragraphs and tight lists (``_simple_blocks``) whose
    inline markup is simple: ``[links](url)``,
    ``![images](src)``, ``*emphasis*`` and ``**strong**`` that do not nest, ```code```, and
    ``<`` that opens no autolink; None for any other text (markdown-it parses it).

    Letters and story bodies write their links and bold labels so: built here, they cost a
    tenth of markdown-it's run. Each construct is read as markdown-it reads it (its own
    delimiter rules, ``normalizeLink`` on every address), and anything whose reading depends
    on more (escapes, underscores that could emphasise, nesting, angle-bracketed or titled
    addresses, merge tags ``*|X|*``, line-break spaces) sends the whole text to markdown-it.
    tests/test_markdown.py holds this to markdown-it's own tokens, character class by class."""
    if "\r" in text or "\0" in text or "\t" in text or "*|" in text:
        return None
    lines = text.split("\n")
    blocks = _simple_blocks(lines)
    if blocks is None:
        return None
    token = Token

    def paragraph(first: int, own: list[str], level: int, hidden: bool) -> list[Token] | None:
        content = "\n".join(own)
        children = _simple_inline(content)
        if children is None:
            return None
        where = [first, first + len(own)]
        return [token("paragraph_open", "p", 1, {}, where, level, None, "", "", "", {}, True, hidden),
                token("inline", "", 0, {}, where.copy(), level + 1, children, content, "", "", {}, True,
                      False),
                token("paragraph_close", "p", -1, {}, None, level, None, "", "", "", {}, True, hidden)]

    tokens: list[Token] = []
    line_count = _line_count(text)
    for n, (kind, first, body, markup) in enumerate(blocks):
        first += offset
        if kind == "paragraph":
            made = paragraph(first, body, 0, False)
            if made is None:
                return None
            tokens += made
            continue
        end = (blocks[n + 1][1] if n + 1 < len(blocks) else line_count) + offset  # blank lines included
        tag = "ul" if kind == "bullet_list" else "ol"
        number = int(body[0][2]) if kind == "ordered_list" else 1
        tokens.append(token(f"{kind}_open", tag, 1, {} if number == 1 else {"start": number}, [first, end],
                            0, None, "", markup, "", {}, True, False))
        for i, (item_first, own, info) in enumerate(body):
            line = item_first + offset
            item_end = end if i == len(body) - 1 else body[i + 1][0] + offset
            tokens.append(token("list_item_open", "li", 1, {}, [line, item_end], 1, None, "", markup, info,
                                {}, True, False))
            made = paragraph(line, own, 2, True)
            if made is None:
                return None
            tokens += made
            tokens.append(token("list_item_close", "li", -1, {}, None, 1, None, "", markup, "", {}, True,
                                False))
        tokens.append(token(f"{kind}_close", tag, -1, {}, None, 0, None, "", markup, "", {}, True, False))
    return tokens


_SimpleBlock = tuple[str, int, list, str]
"""('paragraph', first line, its lines, '') or ('bullet_list' or 'ordered_list', first line,
[(item's first line, its lines, its number as written or '')], the marker: '-', '.' or ')')."""


@cache
def _ordered_item() -> re.Pattern[str]:
    """A numbered item as markdown-it reads it (up to nine digits, then ``.`` or ``)``), its
    text after one space."""
    return re.compile(r"([0-9]{1,9})([.)]) (\S.*)")


def _simple_blocks(lines: list[str]) -> list[_SimpleBlock] | None:
    """The blocks ``_simple_tokens`` reads: as plain_blocks finds them (lines without surrounding
    whitespace, no loose list, no lazy continuation), markup allowed; tight ``- `` lists, whose
    items' further lines are indented by exactly two spaces, and tight numbered lists of one
    line an item, each after an empty line or at the start."""
    blocks: list[_SimpleBlock] = []
    current: list[str] | None = None  # the lines of the open paragraph or item
    for number, line in enumerate(lines):
        if not line:
            current = None
            continue
        kind = blocks[-1][0] if blocks else None
        if line[0] == " ":  # a bullet item's next line
            content = line[2:]
            if (current is None or kind != "bullet_list" or line[1:2] != " " or not content
                    or content != content.strip() or _opens_list(content)):
                return None
            current.append(content)
            continue
        if line != line.strip():
            return None
        if line.startswith("- "):
            content = line[2:]
            if (content != content.lstrip() or _opens_list(content) or kind == "ordered_list"
                    or (kind == "bullet_list" and current is None)):
                return None  # nested, after a numbered list, or after an empty line (a loose list)
            if kind != "bullet_list":
                blocks.append(("bullet_list", number, [], "-"))
            current = [content]
            blocks[-1][2].append((number, current, ""))
            continue
        if line[0] in "0123456789" and (item := _ordered_item().fullmatch(line)) is not None:
            written, delimiter, content = item.groups()
            if kind == "ordered_list":
                if current is None or blocks[-1][3] != delimiter:
                    return None  # a loose list, or another list
            elif current is not None:
                return None  # right after a paragraph or another list's item
            if _opens_list(content):
                return None
            if kind != "ordered_list":
                blocks.append(("ordered_list", number, [], delimiter))
            current = [content]
            blocks[-1][2].append((number, current, written))
            continue
        if _opens_list(line) or (kind in ("bullet_list", "ordered_list") and current is not None):
            return None  # another list marker, or text right after an item (a lazy continuation)
        if current is None or kind != "paragraph":
            current = []
            blocks.append(("paragraph", number, current, ""))
        current.append(line)
    return blocks


def _opens_list(line: str) -> bool:
    return line[0] in "-+*0123456789" and _LIST_MARKER.match(line) is not None


@cache
def _inline_special() -> re.Pattern[str]:
    """What ends a run of text for ``_simple_inline``: every character an inline rule we enable
    may start at (the rest are text to markdown-it too), and the line break."""
    return re.compile(r"[\n*_\[\]<>`\\!]")


@cache
def _simple_destination() -> re.Pattern[str]:
    """A link's address up to its ``)``, read whole by markdown-it's parseLinkDestination: no
    space or control character, no parenthesis, ``<``, backslash or entity (``&``) to unescape."""
    return re.compile(r"[^\x00-\x20()<\\&\x7f]*\)")


def _simple_inline(src: str) -> list[Token] | None:
    """markdown-it's inline tokens of a paragraph's ``src`` when its markup is simple (see
    ``_simple_tokens``), else None."""
    token = Token

    special = _inline_special()
    out: list[str | Token] = []  # text as str (adjacent ones joined at the end, as markdown-it does)
    start = pos = 0  # where the pending text starts; where the search goes on
    open_run = 0  # the length of the open emphasis delimiter, 0 when none is open
    closer = 0  # where the first ">" after the last "<" is (-1: none after it)
    while (found := special.search(src, pos)) is not None:
        i = found.start()
        ch = src[i]
        after = i + 1
        if ch == "\n":
            made: list[str | Token] = [token("softbreak", "br", 0, {}, None, 0, None, "", "", "", {},
                                             False, False)]
        elif ch == "*" or ch == "_":
            count, can_open, can_close = _delimiter_run(src, i)
            if not can_open and not can_close:  # text, as markdown-it leaves it
                pos = i + count
                continue
            if ch == "_" or count > 2 or (can_open and can_close):
                return None
            after = i + count
            tag, markup = ("strong", "**") if count == 2 else ("em", "*")
            if can_open:
                if open_run:
                    return None  # nested
                open_run = count
                made = [token(f"{tag}_open", tag, 1, {}, None, 0, None, "", markup, "", {}, False, False)]
                if count == 2:
                    made.insert(0, "")  # markdown-it empties the first star's text, and keeps it
            else:
                if open_run != count:
                    return None  # a closer without its opener, or of another length
                open_run = 0
                made = [token(f"{tag}_close", tag, -1, {}, None, 0, None, "", markup, "", {}, False, False)]
                if count == 2:
                    made.append("")
        elif ch == "[" or (ch == "!" and src.startswith("[", i + 1)):
            link = _simple_link(src, i + 1 if ch == "!" else i, image=ch == "!")
            if link is None:
                return None
            made, after = link
        elif ch == "`":
            close = src.find("`", i + 1)
            if src.startswith("`", i + 1) or close < 0 or src.startswith("`", close + 1):
                return None  # runs of more than one, or an unclosed one
            content = src[i + 1:close]
            if "\n" in content:
                return None
            if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
                content = content[1:-1]
            made = [token("code_inline", "code", 0, {}, None, 0, None, content, "`", "", {}, False, False)]
            after = close + 1
        elif ch == "<":
            if -1 < closer <= i:  # the next ">", found again only once passed: linear in "<<<<"
                closer = src.find(">", i + 1)
            opener = src.find("<", i + 1, closer) if closer > i else -1
            inside = src[i + 1:closer] if closer > i and opener < 0 else ""
            if ":" in inside or "@" in inside:
                return None  # could be an autolink (a scheme's colon, an address's @)
            pos = i + 1  # text: no autolink starts here
            continue
        elif ch == ">" or ch == "!":
            pos = i + 1
            continue
        else:  # a backslash escape or a ']' of no link
            return None
        if i > start:
            out.append(src[start:i])
        out += made
        start = pos = after
    if open_run:
        return None
    if start < len(src):
        out.append(src[start:])
    return _joined(out)


def _simple_link(src: str, bracket: int, *, image: bool) -> tuple[list[str | Token], int] | None:
    """The tokens of ``[label](address)`` (``![alt](src)`` for an image) whose ``[`` is at
    ``bracket``, and where it ends; None unless the label holds no markup (nor a line break) and
    the address is read whole (``_simple_destination``)."""
    token = Token

    close = src.find("]", bracket + 1)
    label = src[bracket + 1:close]
    if close < 0 or not label or _inline_special().search(label) or not src.startswith("(", close + 1):
        return None
    address = _simple_destination().match(src, close + 2)
    if address is None:
        return None
    url = src[close + 2:address.end() - 1]
    target = normalize_link(url) if url else ""
    if image:
        text = token("text", "", 0, {}, None, 0, None, label, "", "", {}, False, False)
        return [token("image", "img", 0, {"src": target, "alt": ""}, None, 0, [text], label, "", "", {},
                      False, False)], address.end()
    return [token("link_open", "a", 1, {"href": target}, None, 0, None, "", "", "", {}, False, False),
            label,
            token("link_close", "a", -1, {}, None, 0, None, "", "", "", {}, False, False)], address.end()


def _delimiter_run(src: str, start: int) -> tuple[int, bool, bool]:
    """markdown-it's StateInline.scanDelims for the run of ``*`` or ``_`` at ``start`` of a whole
    inline text: its length, whether it can open and whether it can close emphasis."""
    marker = src[start]
    end = start
    while end < len(src) and src[end] == marker:
        end += 1
    last = src[start - 1] if start > 0 else " "
    after = src[end] if end < len(src) else " "
    last_punct, next_punct = _is_punctuation(last), _is_punctuation(after)
    last_space, next_space = _is_white_space(last), _is_white_space(after)
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    if marker == "*":
        return end - start, left, right
    return end - start, left and (not right or last_punct), right and (not left or next_punct)


def _is_punctuation(character: str) -> bool:
    """markdown-it's ``isMdAsciiPunct(ord(c)) or isPunctChar(c)``: a character of Unicode's
    punctuation (P) or symbol (S) categories, where every ASCII punctuation character falls.
    tests/test_markdown.py holds it to markdown-it's over every code point."""
    return unicodedata.category(character)[0] in "PS"


_WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \xa0\u1680\u202f\u205f\u3000")


def _is_white_space(character: str) -> bool:
    """markdown-it's ``isWhiteSpace(ord(c))``: Unicode's space separators and ASCII's white space
    (tests/test_markdown.py holds it to markdown-it's over every code point)."""
    return "\u2000" <= character <= "\u200a" or character in _WHITE_SPACE


def _joined(pieces: list[str | Token]) -> list[Token]:
    """Tokens with each run of adjacent texts one text token, and each level set from the
    nesting before it (markdown-it's fragments_join)."""
    token = Token

    tokens: list[Token] = []
    level = 0
    text: str | None = None
    for piece in pieces:
        if isinstance(piece, str):
            text = piece if text is None else text + piece
            continue
        if text is not None:
            tokens.append(token("text", "", 0, {}, None, level, None, text, "", "", {}, False, False))
            text = None
        if piece.nesting < 0:
            level -= 1
        piece.level = level
        if piece.nesting > 0:
            level += 1
        tokens.append(piece)
    if text is not None:
        tokens.append(token("text", "", 0, {}, None, level, None, text, "", "", {}, False, False))
    return tokens


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
    tokens = _markdown_it_tokens(_part_text(lines, start, end))
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
