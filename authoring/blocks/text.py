"""``- text: ...``: free text in no known shape (the importer keeps what it cannot classify here)."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, PlainText, TextField, YamlOut
from authoring.checks import Finding


def text(story: model.Text, out: PlainText) -> list[str]:
    return out.markdown(story.body)


def emit(story: model.Text, out: YamlOut) -> object:
    return out.shorthand(story.body)


def fields(story: model.Text) -> Iterator[TextField]:
    yield story.path + ("body",), story.body, True


def check_empty(story: model.Text, seen: dict) -> Iterator[Finding]:
    if not story.body.strip():
        yield Finding(codes.EMPTY_BODY, "body is empty", story.path + ("body",),
                      "write the text or remove the block")


BLOCK = BlockType(key="text", model=model.Text, partial="text", text=text, emit=emit, fields=fields,
                  checks={"empty": check_empty}, shorthand="body", order=50)
