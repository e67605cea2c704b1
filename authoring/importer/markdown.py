"""Plain text made into Markdown that renders back to exactly that text.

Imported text is literal: a ``*`` or ``[`` in an old issue is a character, not
syntax. Escaping the characters the allowed Markdown subset gives a meaning to
(emphasis, code, links, autolinks, list markers at the start of a paragraph)
keeps it so when the YAML is rendered.
"""

from __future__ import annotations

import re

# `_` only matters at a word edge (snake_case stays readable); `<` only where it would open an
# autolink (<https://...>, <a@b.org>): ImageNet’s <person> category stays as written.
_SPECIAL = re.compile(r"[\\`*\[\]]|(?<![^\W_])_|_(?![^\W_])"
                      r"|<(?=[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|[^\s<>@]+@[^\s<>]+>)")
_LIST_MARKER = re.compile(r"^(\s*)([-+])(?=\s|$)")
_ORDERED_MARKER = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def escape(text: str, *, line_start: bool = True) -> str:
    """``text`` as Markdown that shows ``text``; ``line_start``: it opens a paragraph or item."""
    out = _SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    if line_start:
        out = _LIST_MARKER.sub(r"\1\\\2", out)
        out = _ORDERED_MARKER.sub(r"\1\\\2", out)
    return out


def bold_label(label: str, rest: str) -> str:
    """``**Label:** rest``: the bold lead of a list item or paragraph, as the house writes it (a lead-in
    always has its rest: a sentence opening with a capital)."""
    return f"**{escape(label, line_start=False)}:** {escape(rest, line_start=False)}"
