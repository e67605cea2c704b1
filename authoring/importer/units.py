"""The source text cut into units: paragraphs and list items, each with its source lines.

A unit is one source line in the archive's two styles, or several lines joined back when
the text was wrapped; a ``===`` rule marks the line above it as a header, ``[Image: alt]``
an image. Two shapes are joined here because a later reading could not undo their split:
a question line and its answer line (``Q: ...`` / ``A: ...``) stay one paragraph with a
line break, as the rendered text writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from authoring.importer.source import cite

_BULLET = re.compile(r"^(?P<indent>\s*)(?P<marker>[•●▪◦‣]|[-*–](?=\s))\s+(?P<text>.*)$")
_ORDERED_INDENTED = re.compile(r"^(?P<indent>\s+)(?P<marker>\d{1,3}[.)])\s+(?P<text>.*)$")
_RULE = re.compile(r"^={3,}$")
_IMAGE = re.compile(r"^\[Image: (?P<alt>.+)\]$", re.DOTALL)
_QUESTION = re.compile(r"^(?:Q|Question)[:.]\s+\S")
_ANSWER = re.compile(r"^(?:A|Answer)[:.]\s+\S")


def line_span(first: int, last: int) -> str:
    """Source lines as a reader names them: ``line 8``, ``lines 8–12`` (never ``lines 8–8``,
    which two units sharing a line, a glued one split, used to give)."""
    return f"line {first}" if first == last else f"lines {first}–{last}"


@dataclass
class Unit:
    """A paragraph or list item of the source text."""

    text: str
    first: int
    """1-based source line where it starts."""
    last: int
    gap: int = 0
    """Blank lines before it."""
    marker: str | None = None
    """'•' for a bullet, '1.' for a numbered item, None for a paragraph."""
    depth: int = 1
    rule: bool = False
    """Underlined with ``===``: a section header in the rendered layout."""
    image: bool = False
    """An ``[Image: alt]`` line; ``text`` is the alt text."""
    written: str | None = None
    """The item's marker as the source writes it (``-``, ``–``, ``*``, ``•``, ``1.``): for text
    kept as written (a transcript's cues), where ``marker`` is only what kind of item it is."""

    @property
    def lines(self) -> str:
        return line_span(self.first, self.last)

    @property
    def words(self) -> int:
        return len(self.text.split())


def split_units(text: str, links: dict[str, str] | None = None) -> list[Unit]:
    """The paragraphs and list items of a text; ``links`` turns ``text [n]`` into ``text (url)``."""
    lines = [line.rstrip() for line in text.split("\n")]
    blank_style = _blank_inside(lines)
    width = _wrap_width(lines) if blank_style else None
    units: list[Unit] = []
    current: Unit | None = None
    previous_length = 0
    gap = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            current = None
            gap += 1
            continue
        if _RULE.match(line) and current is not None and current.marker is None \
                and current.first == current.last:
            current.rule = True  # "News" / "====": a section header
            current = None
            continue
        bullet = _BULLET.match(line) or _ORDERED_INDENTED.match(line)
        if bullet:
            marker = bullet.group("marker")
            marker = marker if marker[0].isdigit() else "•"
            depth = 1 + len(bullet.group("indent").expandtabs(4)) // 4
            current = Unit(bullet.group("text").strip(), number, number, gap, marker, depth,
                           written=bullet.group("marker"))
            units.append(current)
        elif current is not None and blank_style and gap == 0 and current.marker is None \
                and _QUESTION.match(current.text) and "\n" not in current.text \
                and _ANSWER.match(line.strip()):
            current.text += "\n" + line.strip()  # "Q: ..." / "A: ...": one pair, one paragraph (no wrap)
            current.last = number
        elif current is not None and width and _continues(current, line, previous_length, width):
            current.text += " " + line.strip()
            current.last = number
        else:
            current = Unit(line.strip(), number, number, gap)
            units.append(current)
        previous_length = len(line)
        gap = 0
    for unit in units:
        _read_marks(unit, links or {})
    return units


def _read_marks(unit: Unit, links: dict[str, str]) -> None:
    """``[Image: alt]`` lines and ``text [n]`` references, as the rendered layout writes them."""
    unit.text = cite(unit.text, links)
    if unit.marker is None and (image := _IMAGE.match(unit.text)):
        unit.text, unit.image = image.group("alt"), True


def _blank_inside(lines: list[str]) -> bool:
    """A blank line between two lines of text: paragraphs are separated by blank lines (those
    above the first line or below the last, as a file saved with an extra newline has, do not count)."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    return bool(filled) and any(not line.strip() for line in lines[filled[0]:filled[-1]])


def _wrap_width(lines: list[str]) -> int | None:
    """The width the text was wrapped at, or None when each line is a whole paragraph.

    A wrapped text separates its paragraphs with blank lines (single line breaks are
    then only wraps: only such a text is asked) and has no line with spaces longer than
    about 100 columns (only a long URL alone on its line may exceed the width). Lines a
    renderer may leave unwrapped (``[Image: alt]``, ``View in browser: URL``, ``Enroll now:
    URL``) do not count, unless no other line is 40 columns long: then every line that shows
    the width holds an address among its words (a short text with inline links).
    """
    worded = [line for line in lines if " " in line.strip() and not line.startswith("[Image: ")]
    longest = max((len(line) for line in worded if "://" not in line), default=0)
    if longest < 40:
        longest = max((len(line) for line in worded), default=0)
    return longest if 40 <= longest <= 100 else None


def _continues(current: Unit, line: str, previous_length: int, width: int) -> bool:
    """Is this line the rest of the previous one, wrapped?"""
    if current.marker is not None and line[:1].isspace():
        return True  # the hanging indent of a list item
    next_word = line.strip().split(" ", 1)[0]
    # The line before was broken because this word did not fit on it.
    return previous_length + 1 + len(next_word) > width
