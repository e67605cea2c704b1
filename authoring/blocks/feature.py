"""``- feature:``: a long-form essay with a title."""

from __future__ import annotations

import re
from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, Found, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.house import Finding
from authoring.lazyre import lazy


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


# -- import: a feature in plain text ---------------------------------------------------------------
# A title (after an image caption, if any: a caption-led feature), an optional byline, then
# paragraphs: the evidence is a title line followed, without a block gap, by text that reads
# as sentences or a list.

_BYLINE = lazy(r"^(by|written by)\s+\S.{0,80}$", re.IGNORECASE)


def test(read: Reading, start: int, stop: int) -> bool:
    units = read.units[start:stop]
    if len(units) >= 3 and read.alt(units[0]) and read.headline(units[1]):
        units = units[1:]  # the caption of a caption-led feature, or its [Image: ...] line
    return len(units) >= 2 and read.headline(units[0]) and all(u.gap <= 1 for u in units[1:]) \
        and any(u.marker is not None or read.sentence(u.text) for u in units[1:])


def run(read: Reading, start: int, stop: int) -> Found:
    units = list(read.units[start:stop])
    image = None
    if len(units) >= 3 and read.alt(units[0]) and read.headline(units[1]) \
            and not _BYLINE.match(units[1].text) \
            and (units[0].image or read.title_case(units[1].text) or not read.title_case(units[0].text)):
        image = model.Image(alt=units[0].text)
        units = units[1:]
    title, title_unit, units = units[0].text, units[0], units[1:]
    byline = None
    if units and _BYLINE.match(units[0].text) and not read.sentence(units[0].text.rstrip("!?")) \
            and len(units) > 1:
        byline, units = units[0].text, units[1:]
    story = model.Feature(title=title, body=model.Markdown(read.markdown(units, images=True)),
                          image=image, byline=byline)
    caption = "caption, " if image else ""
    paragraphs = f"{len(units)} paragraph{'s' if len(units) != 1 else ''}"
    return Found(story, stop, f"{caption}title '{title}' ({title_unit.lines}) and {paragraphs}")


BLOCK = BlockType(key="feature", model=model.Feature, partial="feature", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty}, order=40,
                  recognisers=(Recogniser("feature", 60, run, test=test),))
