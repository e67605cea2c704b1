"""``- feature:``: a long-form essay with a title."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, PlainText, TextField, YamlOut
from authoring.checks import Finding


def text(story: model.Feature, out: PlainText) -> list[str]:
    parts = [*out.image(story.image), out.line(story.title)]
    if story.byline:
        parts.append(out.line(story.byline))
    return parts + out.markdown(story.body)


def emit(story: model.Feature, out: YamlOut) -> object:
    return out.fields({"image": out.image(story.image), "title": out.text(story.title),
                       "byline": story.byline, "body": out.text(story.body)})


def fields(story: model.Feature) -> Iterator[TextField]:
    if story.image is not None:
        yield story.image.path + ("alt",), story.image.alt, False
    yield story.path + ("title",), story.title, False
    if story.byline:
        yield story.path + ("byline",), story.byline, False
    yield story.path + ("body",), story.body, True


def check_empty(story: model.Feature, seen: dict) -> Iterator[Finding]:
    if not story.body.strip():
        yield Finding(codes.EMPTY_BODY, "body is empty", story.path + ("body",),
                      "write the text or remove the block")


BLOCK = BlockType(key="feature", model=model.Feature, partial="feature", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty}, order=40)
