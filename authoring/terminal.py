"""Text bound for a terminal (the standard library only: the command modules import it at start)."""

from __future__ import annotations


def shown(text: str) -> str:
    """``text`` safe to print on a terminal and on one line: every character that is not printable
    (ESC, other controls, bidi overrides, line breaks) written as its Python escape, e.g. ``\\x1b``.
    File names go through it wherever they are printed (a name may hold any of them)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
