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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BLOCK_RULES = ["list", "paragraph"]
INLINE_RULES = ["newline", "escape", "backticks", "emphasis", "link", "image", "autolink"]

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


@cache
def _merge_tag() -> re.Pattern[str]:
    return re.compile(r"^(\{\{.*\}\}|\*\|.*\|\*|%[A-Za-z_]+%|\[[A-Za-z_]+\])$")


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
            # ESP merge tags must reach the email byte for byte, not percent-encoded.
            return url.strip() if is_merge_tag(url) else super().normalizeLink(url)

    md = _Parser("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(BLOCK_RULES + INLINE_RULES)
    return md


@lru_cache(maxsize=2048)
def parse(text: str) -> tuple[Token, ...]:
    """Block tokens of ``text``; cached because validation, HTML and plain text all parse
    the same fields. Shared between callers: read them, never modify them."""
    return tuple(parser().parse(text or ""))


@dataclass
class LinkRef:
    """A link or image found in Markdown text."""

    kind: str
    """'link' or 'image'."""
    url: str
    text: str
    line: int
    """0-based line within the text."""


def iter_links(text: str) -> Iterator[LinkRef]:
    if "[" not in text and "<" not in text:
        return  # no link, image or autolink can start: skip the parse (most fields)
    for block in parse(text):
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        children = block.children
        for i, tok in enumerate(children):
            if tok.type == "link_open":
                label = []
                for nxt in children[i + 1:]:
                    if nxt.type == "link_close":
                        break
                    label.append(nxt.content)
                yield LinkRef("link", str(tok.attrGet("href") or ""), "".join(label), line)
            elif tok.type == "image":
                yield LinkRef("image", str(tok.attrGet("src") or ""), tok.content, line)


def is_merge_tag(url: str) -> bool:
    """ESP placeholders such as {{unsubscribe_url}}, *|UNSUB|* or %unsubscribe_url%."""
    return bool(_merge_tag().match(url.strip()))


def url_scheme(url: str) -> str | None:
    """The scheme as a browser would see it: control characters and spaces removed, lowercased."""
    cleaned = "".join(ch for ch in url if not unicodedata.category(ch).startswith("C"))
    cleaned = cleaned.replace(" ", "").lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


def is_safe_url(url: str, *, image: bool = False) -> bool:
    """True for http(s)/mailto/tel URLs, merge tags, and relative paths (images and links)."""
    if is_merge_tag(url):
        return True
    scheme = url_scheme(url)
    if scheme is None:
        return True  # relative: resolved against the issue or image base URL
    return scheme in SAFE_SCHEMES and not (image and scheme in {"mailto", "tel"})
