"""``- header: News``: a section header between stories."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, PlainText, TextField, YamlOut
from authoring.checks import Finding


def text(story: model.Header, out: PlainText) -> list[str]:
    return [out.heading(story.title)]


def emit(story: model.Header, out: YamlOut) -> object:
    return story.title


def fields(story: model.Header) -> Iterator[TextField]:
    yield story.path + ("title",), story.title, False


def check_empty(story: model.Header, seen: dict) -> Iterator[Finding]:
    if not story.title.strip():
        yield Finding(codes.EMPTY_BODY, "header is empty", story.path, "write its title")


BLOCK = BlockType(key="header", model=model.Header, partial="header", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty}, shorthand="title", order=10)
