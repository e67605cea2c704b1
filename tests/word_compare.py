"""Word sequences of texts, to prove that nothing was lost between two forms of an issue.

Both sides are normalised the same way: curly and straight quotes, dashes and
no-break spaces are made equal, punctuation around words is dropped, and Markdown
syntax is read as a reader sees it (``**Label:**`` is the word ``Label``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_SAME = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "\u00a0": " ",
                       "\u2009": " ", "\u202f": " "})
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?*_`…-•"
# "labels.Key insight:": a sentence glued to the next one is two words on both sides
_GLUED_SENTENCE = re.compile(r"(?<=[a-z0-9)][.!?])(?=[A-Z])")


def words(text: str, *, markdown: bool = False) -> list[str]:
    """The words of a text in order; with ``markdown`` the text is read as Markdown first."""
    if markdown:
        text = _markdown_plain(text)
    out = []
    for token in _GLUED_SENTENCE.sub(" ", text.translate(_SAME)).split():
        word = token.strip(_EDGE_PUNCTUATION)
        if word:
            out.append(word)
    return out


def _markdown_plain(text: str) -> str:
    from authoring.render.text import markdown_plain

    return markdown_plain(text)


@dataclass
class Comparison:
    """How the words of a text compare with the words of its copy."""

    missing: list[str]
    """Words of the original the copy lacks (in order)."""
    added: list[str]
    """Words the copy has that the original does not."""

    @property
    def complete(self) -> bool:
        return not self.missing


def compare(original: list[str], copy: list[str]) -> Comparison:
    """Match the original's words, in order, inside the copy."""
    matcher = difflib.SequenceMatcher(None, original, copy, autojunk=False)
    missing: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            missing += original[i1:i2]
        if tag in ("replace", "insert"):
            added += copy[j1:j2]
    return Comparison(missing=missing, added=added)


def missing_words(original: list[str], copy: list[str]) -> list[str]:
    return compare(original, copy).missing

