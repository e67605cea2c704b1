"""``- header: News``: a section header between stories."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, Found, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.house import Finding


def text(story: model.Header, out: PlainText) -> list[str]:
    return [out.heading(story.title)]


def emit(story: model.Header, out: YamlOut) -> object:
    return story.title


def fields(story: model.Header) -> Iterator[TextField]:
    yield story.path + ("title",), story.title, False


def check_empty(story: model.Header, seen: dict) -> Iterator[Finding]:
    if not story.title.strip():
        yield Finding(codes.EMPTY_BODY, "header is empty", story.path, "write its title")


# -- import: a section header in plain text -------------------------------------------------------

def scan(read: Reading, end: int) -> dict[int, int]:
    """A known section name, a line underlined with ``===``, or a short line alone between two
    block gaps ("News" in the rendered layout)."""
    return {i: i + 1 for i in range(end) if not read.claimed(i) and _header_at(read, i, end)}


def _header_at(read: Reading, i: int, end: int) -> bool:
    unit = read.units[i]
    if read.header(unit):
        return True
    return (read.blank_style and unit.words <= 4 and read.headline(unit)
            and not any(c in unit.text for c in ".!?:;") and (i == 0 or read.boundary(i))
            and (i + 1 >= end or read.boundary(i + 1))
            and not read.clutter(unit))  # "Share" alone is a page's button, set aside as such


def run(read: Reading, start: int, stop: int) -> Found:
    unit = read.units[start]
    why = "a known section name" if read.header(unit) else "a short line alone between two blocks"
    return Found(model.Header(title=unit.text), start + 1, f"{why}, {unit.lines}")


BLOCK = BlockType(key="header", model=model.Header, partial="header", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty}, shorthand="title", order=10,
                  recognisers=(Recogniser("header", 40, run, scan=scan),))
