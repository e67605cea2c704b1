"""Author text to HTML: the Markdown subset rendered from markdown-it tokens, everything else escaped.

This is the only door through which author text reaches the HTML. Text is escaped,
only the tokens the subset produces become tags, and every URL passes through
``Links`` so that unsafe ones are dropped (their text stays, as plain text) and the
caller's ``link_url`` / ``image_url`` hooks see every target that is emitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import unquote

from markupsafe import Markup, escape

from authoring.markdown import PlainBlock, is_merge_tag, is_safe_url, parse

MERGE_TAG_TOKEN = "https://merge-tag-{}.invalid/"
"""Stands in for a merge tag between templating and inlining: lxml would percent-encode
the spaces or braces of a tag such as ``{{ unsubscribe_url }}``; restored at the end."""


_LIST_TAGS = {"bullet_list_open": "<ul>", "bullet_list_close": "</ul>", "ordered_list_close": "</ol>",
              "list_item_open": "<li>", "list_item_close": "</li>"}
"""Tags of list tokens that carry no attributes (an ordered list's start number is read apart)."""
_INLINE_TAGS = {"softbreak": "\n", "hardbreak": "<br>", "em_open": "<em>", "em_close": "</em>",
                "strong_open": "<strong>", "strong_close": "</strong>"}
"""Inline tokens that become a fixed piece of HTML."""


_TOKEN_START, _TOKEN_END = MERGE_TAG_TOKEN.split("{}")


@cache
def _digits() -> re.Pattern[str]:
    """A token's number, where a piece after its start begins."""
    return re.compile("[0-9]+")


def _restore_tokens(html: str, restored: dict[str, str]) -> str:
    """``html`` with each MERGE_TAG_TOKEN in it that ``restored`` knows replaced by its text.

    Split where each token starts (str.split: a search as fast as memchr, where a pattern's
    search for the same text read the ~30,000 characters one by one). A token's start holds no
    text that could start another, so each piece after the first opens with one start; a token
    is that start, digits and the end."""
    pieces = html.split(_TOKEN_START)
    if len(pieces) == 1:
        return html
    digits_at = _digits().match
    for n in range(1, len(pieces)):
        piece = pieces[n]
        found = digits_at(piece)
        digits = found.end() if found else 0
        token = _TOKEN_START + piece[:digits] + _TOKEN_END
        text = restored.get(token) if digits and piece.startswith(_TOKEN_END, digits) else None
        pieces[n] = _TOKEN_START + piece if text is None else text + piece[digits + len(_TOKEN_END):]
    return "".join(pieces)


class Links:
    """Decides what every link and image address in the output becomes."""

    def __init__(self, *, link_url: Callable[[str], str] | None = None,
                 image_url: Callable[[str], str] | None = None, draft: bool = True,
                 content_width: int = 552, alt_style: str = ""):
        self.link_url = link_url
        self.alt_style = alt_style
        """Font, size and color of alt text, which shows in place of a blocked image."""
        self.image_url = image_url
        self.draft = draft
        self.content_width = content_width
        self.merge_tags: dict[str, str] = {}
        """token → the merge tag it stands for."""
        self._tokens: dict[str, str] = {}
        """The merge tag → its token: a tag met again is found at once (a scan of merge_tags
        for each made 10,000 distinct tags take 0.8 s, quadratic)."""

    def href(self, url: str | None) -> str | None:
        """The link target to emit, or None when there is none or it is unsafe."""
        if not url or not url.strip():
            return None
        url = url.strip()
        if not is_merge_tag(url) and is_merge_tag(unquote(url)):
            url = unquote(url)  # markdown-it percent-encodes braces in link destinations
        if is_merge_tag(url):
            return self._merge_token(url)
        if not is_safe_url(url):
            return None
        return self.link_url(url) if self.link_url else url

    def src(self, url: str | None) -> str | None:
        """The image address to emit, or None when there is none or it is unsafe."""
        if not url or not url.strip():
            return None
        url = url.strip()
        if not is_safe_url(url, image=True) or is_merge_tag(url):
            return None
        # an image_url that answers "" has no file for it (the preview's missing image): marked
        return (self.image_url(url) or None) if self.image_url else url

    def _merge_token(self, tag: str) -> str:
        if tag in self._tokens:
            return self._tokens[tag]
        token = MERGE_TAG_TOKEN.format(len(self.merge_tags))
        self._tokens[tag] = token
        self.merge_tags[token] = tag
        return token

    def restore_merge_tags(self, html: str) -> str:
        if not self.merge_tags:
            return html
        if any("merge-tag-" in tag for tag in self.merge_tags.values()):
            # a tag that writes a token: each replaced in turn, the later ones inside the earlier
            for token, tag in self.merge_tags.items():
                html = html.replace(token, str(escape(tag)))
            return html
        # One pass for all the tokens (each replace read the whole HTML, and the MJML): the same,
        # as no tag holds a token and none can end one (a tag opens and closes with { } * % [ ],
        # which no token holds). A token the author wrote, with no tag, stays as it was.
        restored = {token: str(escape(tag)) for token, tag in self.merge_tags.items()}
        return _restore_tokens(html, restored)

    # ------------------------------------------------------------------ markdown

    def markdown(self, text: str | None, *, label: str | None = None, prefix: str | None = None,
                 cls: str | None = None) -> Markup:
        """Markdown text as HTML paragraphs and lists.

        ``label`` becomes "<strong>label:</strong> " and ``prefix`` plain text, both at the
        start of the first paragraph (a paragraph of their own when the text opens with a list).
        ``cls`` is set on every paragraph, for styles such as the dek's.
        """
        lead = ""
        if prefix:
            lead += f"{_escape_text(prefix)} "
        if label:
            lead += f"<strong>{_escape_text(label)}:</strong> "
        p_open = f'<p class="{_escape_text(cls)}">' if cls else "<p>"
        parsed = parse(text or "")
        if parsed.plain is not None:
            return html_markup(_plain_html(text or "", parsed.plain, lead, p_open))
        tokens = parsed.tokens
        out: list[str] = []
        if lead and not (tokens and tokens[0].type == "paragraph_open" and not tokens[0].hidden):
            out.append(f"{p_open}{lead.rstrip()}</p>")  # text opens with a list, or is empty
            lead = ""
        for token in tokens:
            kind = token.type
            if kind == "inline":
                alone = not lead and bool(out) and out[-1] == p_open
                if lead:
                    out.append(lead)
                    lead = ""
                out.append(self.inline(token.children or [], alone=alone))
            elif kind == "paragraph_open":
                if not token.hidden:
                    out.append(p_open)
            elif kind == "paragraph_close":
                if not token.hidden:
                    out.append("</p>")
            elif kind == "ordered_list_open":
                start = token.attrGet("start")
                out.append(f'<ol start="{int(start)}">' if start not in (None, 1, "1") else "<ol>")
            elif kind in _LIST_TAGS:
                out.append(_LIST_TAGS[kind])
        return html_markup("".join(out))

    def inline(self, children, *, alone: bool = False) -> str:
        if len(children) == 1 and children[0].type == "text":  # most paragraphs: plain text
            return _escape_text(children[0].content)
        out: list[str] = []
        open_links: list[bool] = []  # per link_open: whether an <a> was emitted
        block_image = alone and len(children) == 1 and children[0].type == "image"
        for tok in children:
            kind = tok.type
            if kind == "text":
                out.append(_escape_text(tok.content))
            elif kind in _INLINE_TAGS:
                out.append(_INLINE_TAGS[kind])
            elif kind == "code_inline":
                out.append(f"<code>{_escape_text(tok.content)}</code>")
            elif kind == "link_open":
                target = self.href(str(tok.attrGet("href") or ""))
                open_links.append(target is not None)
                if target is not None:
                    out.append(f'<a href="{_escape_text(target)}">')
            elif kind == "link_close":
                if open_links and open_links.pop():
                    out.append("</a>")
            elif kind == "image":
                out.append(self.image_tag(tok.content, str(tok.attrGet("src") or ""), block=block_image))
        return "".join(out)

    def image_tag(self, alt: str, src: str | None, *, block: bool, width: int | None = None) -> str:
        """An <img> sized for the column, or, without a usable source, the alt text marked as missing."""
        target = self.src(src)
        if target is None:
            return self.missing_image(alt, block=block)
        return self._img(alt, target, block=block, width=width)

    def _img(self, alt: str, target: str, *, block: bool, width: int | None) -> str:
        width = min(width or self.content_width, self.content_width)
        # The whole style inline, and no class the inlined CSS matches: premailer would otherwise
        # have to parse and merge this style attribute (with cssutils' slow validation).
        style = (f"display:block;width:100%;max-width:{width}px;height:auto;margin:0 auto;border:0"
                 if block else "max-width:100%;height:auto;border:0;vertical-align:middle")
        if self.alt_style:
            style += f";{self.alt_style}"
        return f'<img src="{_escape_text(target)}" alt="{_escape_text(alt)}" width="{width}" style="{style}">'

    def figure(self, alt: str, src: str | None, href: str | None = None,
               width: int | None = None) -> Markup:
        """A story's picture as a block: the image (linked when it has a target), or its marked alt text."""
        target = self.src(src)
        if target is None:
            return html_markup(f"<p>{self.missing_image(alt, block=True)}</p>")
        tag = self._img(alt, target, block=True, width=width)
        link = self.href(href)
        if link is not None:
            tag = f'<a href="{_escape_text(link)}" style="text-decoration:none">{tag}</a>'
        return html_markup(tag)

    def missing_image(self, alt: str, *, block: bool) -> str:
        if not self.draft:
            return f'<span class="ia">{_escape_text(alt)}</span>' if alt else ""
        return (f'<span class="ph{" phb" if block else ""}">'
                f"<strong>Image missing:</strong> {_escape_text(alt or '(no alt text)')}</span>")


def html_markup(html: str) -> Markup:
    """``Markup(html)`` for a str we built: its constructor first asks the str for an ``__html__``
    it never has, and the failed lookup was a third of a short field's filter call."""
    return str.__new__(Markup, html)


def template_escape(value: object) -> Markup:
    """``markupsafe.escape`` for the templates' ``{{ ... }}`` (bound in place of it, see
    ``html.environment``), the same Markup for every value, faster for the two kinds nearly every
    output is: text with nothing to escape, and HTML already made (filters, macros), which goes
    out as it is instead of being copied into a new Markup (~85 outputs a render)."""
    kind = value.__class__
    if kind is str:
        return html_markup(_escape_text(value))
    if kind is Markup:
        return value  # type: ignore[return-value]
    return escape(value)


def _escape_text(value: object) -> str:
    """``str(escape(value))``, without building a Markup for text that holds nothing to escape.

    Most author text holds none of ``& < > ' "``: five searches for a character each answer that
    in a quarter of the time ``escape`` takes to build its Markup (~85 escapes a render here)."""
    if type(value) is str and not ("&" in value or "<" in value or ">" in value
                                   or "'" in value or '"' in value):
        return value
    return str(escape(value))


def _plain_html(text: str, blocks: list[PlainBlock], lead: str, p_open: str) -> str:
    """``Links.markdown`` of a plain text (``authoring.markdown.plain_blocks``): escaped paragraphs
    and list items, the lead in the first paragraph."""
    if len(blocks) == 1 and "\n" not in text and blocks[0].kind == "paragraph":
        # one line, one paragraph (most labeled sections and deks): the whole text is its line
        return f"{p_open}{lead}{_escape_text(text)}</p>"
    return _plain_blocks_html(text, blocks, lead, p_open)


def _plain_blocks_html(text: str, blocks: list[PlainBlock], lead: str, p_open: str) -> str:
    """``_plain_html`` of any plain text, block by block."""
    # One escape for the whole field: it keeps every line break, so the blocks' line numbers
    # still find their lines (and an item's "- " its two characters).
    lines = str.split(_escape_text(text), "\n")
    out: list[str] = []
    if lead and not (blocks and blocks[0].kind == "paragraph"):
        out.append(f"{p_open}{lead.rstrip()}</p>")  # text opens with a list, or is empty
        lead = ""
    for block in blocks:
        own = lines[block.first:block.first + len(block.lines)]
        if block.kind == "paragraph":
            out += (p_open, lead, "\n".join(own), "</p>")
            lead = ""
        else:
            out += ("<ul>", *[f"<li>{item[2:]}</li>" for item in own], "</ul>")
    return "".join(out)


def alt_text_style(font: str, color: str) -> str:
    """How alt text looks where a client blocks images: a quiet caption in the email's font."""
    return f"font-family:{font};font-size:14px;line-height:1.4;color:{color}"
