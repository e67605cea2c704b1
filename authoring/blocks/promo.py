"""``- promo:``: a promotional message (kicker, picture, message, call to action)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from authoring import codes, model
from authoring.blocks import BlockType, Found, LinkSlot, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.house import Finding
from authoring.lazyre import lazy


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


# -- import: a promo in plain text -----------------------------------------------------------------
# Only on its defining evidence: an all-capitals kicker first (``A MESSAGE FROM ...``) or a call to
# action: a link last (``... Enroll now (https://...)``, ``Enroll now: https://...``), or a sentence
# telling the reader to take up an offer (``Join instructor ... for a live session``). Promotional
# words alone ("course", "join") are no evidence: a feature about a course uses them too.

_CTA = lazy(
    r"^(?P<body>.*?[.!?…][”’\"')]*)\s+(?P<cta>[A-Z][^.!?…:()]{0,60}?)(?:\s+\((?P<url>[^\s()]+)\))?$")
_CTA_ALONE = lazy(r"^(?P<cta>[A-Z][^.!?…:()]{0,60}?)(?:\s+\((?P<url>[^\s()]+)\))?$")
_CTA_URL = lazy(r"^(?:(?P<body>.*?[.!?…][”’\"')]*)\s+)?(?P<cta>[A-Z][^.!?…:()]{0,60}?): "
                      r"(?P<url>(?:https?|mailto|tel):\S+|\{\{\s*\w+\s*\}\}|\*\|\w+\|\*|%\w+%)$")
_CALL = lazy(r"(?:enroll|sign|register|join|learn|get|start|try|download|buy|subscribe|read|watch|"
                   r"apply|reserve|book|claim|save|explore|discover|shop|see|find|build|take|grab|attend)\b",
                   re.IGNORECASE)
"""A call to action alone on its line starts with a verb telling the reader what to do."""
_OFFER = lazy(r"\b(course|specialization|webinar|workshop|session|event|conference|program|certificate|"
                    r"discount|free trial|early bird|tickets?|ask me anything)\b", re.IGNORECASE)
_SENTENCE_START = lazy(r"(?:^|(?<=[.!?…]) )(?=[A-Z])")
_SENTENCE_END = lazy(r"[.!?…](?= |$)")
MAX_CTA_WORDS = 6
MAX_UNITS = 4
"""A promo without a kicker is a short run: its call to action ends at most this many paragraphs."""


def _cta(text: str) -> re.Match | None:
    """A call to action ending ``text``: with its link, or a verb telling the reader what to do
    (``... Sign up now``); a sentence and a capitalised word without either (``Keep building!
    Andrew``, a one-line sign-off) is no call to action."""
    for shape in (_CTA_URL, _CTA):
        if (match := shape.match(text)) and len(match.group("cta").split()) <= MAX_CTA_WORDS \
                and (shape is _CTA_URL or match.group("url") is not None or _CALL.match(match.group("cta"))):
            return match
    return None


def _call_to_offer(units: Sequence) -> str | None:
    """The first sentence that calls the reader to an offer (``Join ... session``), if any."""
    for unit in units:
        if unit.marker is None and _OFFER.search(unit.text):
            text = unit.text
            for start in _SENTENCE_START.finditer(text):
                at = start.end()  # read in place: slicing at each sentence was quadratic on a long paragraph
                if _CALL.match(text, at):
                    end = _SENTENCE_END.search(text, at)
                    sentence = text[at:end.end() if end else len(text)]
                    if _OFFER.search(sentence):
                        return " ".join(sentence.split()[:4])
    return None


def test(read: Reading, start: int, stop: int) -> bool:
    units = read.units[start:stop]
    last = units[-1]
    if read.kicker(units[0]):
        return len(units) > 1  # a kicker alone introduces nothing: a promo needs its message
    if len(units) > MAX_UNITS or last.marker is not None:
        return False
    if _call_to_offer(units) is not None:
        return True
    alone = _CTA_ALONE.match(last.text) if len(units) >= 2 else None
    if _cta(last.text) is not None:
        return True
    return alone is not None and len(alone.group("cta").split()) <= MAX_CTA_WORDS \
        and (alone.group("url") is not None or _CALL.match(last.text) is not None)


def run(read: Reading, start: int, stop: int) -> Found:
    units = list(read.units[start:stop])
    kicker = None
    evidence = []
    if read.kicker(units[0]):
        kicker = units[0].text
        evidence.append(f"kicker '{kicker}' ({units[0].lines})")
        units = units[1:]
    image = None
    if len(units) >= 2 and read.alt(units[0]):
        image = model.Image(alt=units[0].text)
        units = units[1:]
    cta = None
    if units and units[-1].marker is None:
        last = units[-1]
        match = _cta(last.text)
        if match and (match.group("body") or len(units) >= 2):
            cta = model.Link(text=match.group("cta"), url=_url(match.group("url")))
            body = match.group("body")
            units = [*units[:-1], *([type(last)(body, last.first, last.last, last.gap)] if body else [])]
        elif len(units) >= 2 and (alone := _CTA_ALONE.match(last.text)) \
                and len(alone.group("cta").split()) <= MAX_CTA_WORDS:
            cta = model.Link(text=alone.group("cta"), url=_url(alone.group("url")))
            units = units[:-1]
        if cta is not None:
            evidence.append(f"call to action '{cta.text}' ({last.lines})")
    if not evidence and (call := _call_to_offer(units)) is not None:
        evidence.append(f"a call to an offer '{call}…'")
    story = model.Promo(body=model.Markdown(read.markdown(units)), kicker=kicker, image=image, cta=cta)
    return Found(story, stop, " and ".join(evidence))


def _url(found: str | None) -> model.Url | None:
    return model.Url(found) if found else None


BLOCK = BlockType(key="promo", model=model.Promo, partial="promo", text=text, emit=emit, fields=fields,
                  links=links, checks={"empty": check_empty}, order=30,
                  recognisers=(Recogniser("promo", 50, run, test=test),))
