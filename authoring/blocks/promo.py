"""``- promo:``: a promotional message (kicker, picture, message, call to action)."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, LinkSlot, PlainText, TextField, YamlOut
from authoring.checks import Finding


def text(story: model.Promo, out: PlainText) -> list[str]:
    # the kicker introduces the whole promo, image included
    parts = [out.line(story.kicker)] if story.kicker else []
    parts += out.image(story.image)
    parts += out.markdown(story.body)
    if story.cta is not None and story.cta.text.strip():
        # ``Enroll now: https://...`` on a line of its own (the URL stays whole, even past 78 columns)
        cta, url = story.cta.text.strip(), out.url(story.cta.url)
        parts.append(out.line(f"{cta}: {url}" if url is not None else cta))
    return parts


def emit(story: model.Promo, out: YamlOut) -> object:
    cta = out.fields({"text": story.cta.text, "url": story.cta.url}) if story.cta else None
    return out.fields({"kicker": story.kicker, "image": out.image(story.image),
                       "body": out.text(story.body), "cta": cta})


def fields(story: model.Promo) -> Iterator[TextField]:
    if story.image is not None:
        yield story.image.path + ("alt",), story.image.alt, False
    if story.kicker:
        yield story.path + ("kicker",), story.kicker, False
    yield story.path + ("body",), story.body, True
    if story.cta:
        yield story.cta.path + ("text",), story.cta.text, False


def links(story: model.Promo) -> Iterator[LinkSlot]:
    if story.cta is not None:
        yield story.cta.path + ("url",), story.cta.url


def check_empty(story: model.Promo, seen: dict) -> Iterator[Finding]:
    if not story.body.strip():
        yield Finding(codes.EMPTY_BODY, "body is empty", story.path + ("body",),
                      "write the text or remove the block")
    if story.cta is None:
        yield Finding(codes.PROMO_WITHOUT_CTA, "promo has no call to action", story.path,
                      "add 'cta: {text: Enroll now, url: https://...}'")


BLOCK = BlockType(key="promo", model=model.Promo, partial="promo", text=text, emit=emit, fields=fields,
                  links=links, checks={"empty": check_empty}, order=30)
