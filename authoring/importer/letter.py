"""The editor's letter: from the salutation to the sign-off, signature and P.S.

What a web view puts before the salutation is read too: the page's title is the
issue's subject (kept as a comment as well), a cover caption right above the letter is
the letter's first image, and the rest (reading time, navigation, dates) is kept as
comments, each with a warning naming its lines. A sign-off and signature on one line
(``Keep building! Andrew``, the web views' shape) end the letter as two lines do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from authoring import codes, model
from authoring.importer import shapes
from authoring.importer.shapes import Unit

if TYPE_CHECKING:
    from authoring.importer.parse import Parser

_ONE_LINE = re.compile(r"^(?P<signoff>\S+(?: \S+){0,2}?[!,]) ?(?:[—–-] ?)?"
                       r"(?P<signature>[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,2})$")
"""``Keep building! Andrew``: a sign-off and the signature after it, on one line (``Keep
building!Andrew`` when the copy lost the space, ``Keep building! — Andrew`` with a dash)."""
MIN_TITLE_WORDS = 3
"""A page's title has a few words; a line of one or two is more often the publication's name."""
_PAGE_TITLE_TAIL = re.compile(r"\s+[|–—-]\s+\S.*$")
"""`` | The Batch`` after a page's title."""


def read(p: Parser, end: int) -> tuple[model.Letter | None, int]:
    """The letter and the index after it (None, 0 without a salutation)."""
    start = salutation_at(p, end)
    if start is None:
        return None, 0
    cover = _before(p, p.units[:start]) if start else None
    return _body(p, start, end, cover)


def salutation_at(p: Parser, end: int) -> int | None:
    """Where the letter starts: its salutation, first or after a few lines of web clutter."""
    first_block = min([*p.starts, end, shapes.MAX_CLUTTER + 1])
    for s, unit in enumerate(p.units[:first_block]):
        if unit.marker is None and shapes.SALUTATION.match(unit.text):
            return s
        if shapes.known_header(unit) or unit.words > 30 \
                or (shapes.label_of(unit) is not None and not shapes.clutter(unit)):
            return None
    return None


def _before(p: Parser, units: list[Unit]) -> Unit | None:
    """Web-page text before the salutation: the title gives the subject, a cover caption right
    above the letter becomes its image (returned), the rest is kept as comments."""
    names = p.publication_names
    cover = None
    kept = list(units)
    last = max((k for k, u in enumerate(units) if not shapes.clutter(u) and u.text not in names),
               default=None)
    if last is not None and not shapes.title_case(units[last].text) \
            and (units[last].image or shapes.caption_like(units[last])):
        cover = units[last]
        kept.remove(cover)
        p.warn(codes.COVER_CAPTION, cover, "the cover caption above the letter is the letter's first image, "
               "without its picture", "give the image its src, or delete it")
    title = next((u for u in kept if u.text not in names and not shapes.clutter(u)
                  and u.words >= MIN_TITLE_WORDS and shapes.headline_like(u) and shapes.title_case(u.text)),
                 None)
    if title is not None:
        p.info.subject = _PAGE_TITLE_TAIL.sub("", title.text)
        p.memo["subject"] = title
    if kept:
        p.set_aside(kept, codes.CLUTTER_BEFORE_LETTER, "text before the letter's salutation (web-page "
                    "clutter: the page's title, reading time, navigation, a date)")
    return cover


def _body(p: Parser, start: int, end: int, cover: Unit | None) -> tuple[model.Letter, int]:
    units = p.units
    limit = min([*p.starts, end])
    i = start + 1
    image = [Unit(cover.text, cover.first, cover.last, image=True)] if cover else []
    body: list[Unit] = []
    signoff = signature = None
    while True:
        if i >= limit:
            if i < end and i in p.starts and p.starts[i][0].name == "flattened-transcript":
                _flattened_in_letter(p, i)
                limit = min([*p.starts, end])
                continue
            break
        unit = units[i]
        if shapes.PS.match(unit.text) and unit.marker is None:
            break
        if shapes.signoff(unit) and _after_signoff(p, i + 1, limit):
            signoff = unit.text
            i += 1
            if i < limit and shapes.signature(units[i]) and not p.opens(i) and not p.boundary(i) \
                    and not shapes.kicker(units[i]):  # a promo's kicker right under it: no signature
                signature = units[i].text
                i += 1
            break
        if (one := _ONE_LINE.match(unit.text)) and unit.marker is None \
                and shapes.signoff(Unit(one.group("signoff"), unit.first, unit.last)) \
                and _after_signoff(p, i + 1, limit, one_line=True):
            signoff, signature = one.group("signoff"), one.group("signature")
            i += 1
            break
        if p.boundary(i) or shapes.known_header(unit) or shapes.kicker(unit):  # even as its first unit
            break
        body.append(unit)
        i += 1
    i, ps = _ps(p, i, limit)
    if not body and signoff is None:
        p.warn(codes.EMPTY_LETTER, units[start], "a salutation but no letter after it")
    letter = model.Letter(body=model.Markdown(shapes.markdown(image + body, images=True)),
                          salutation=units[start].text, signoff=signoff, signature=signature,
                          ps=model.Markdown(shapes.markdown(ps)) if ps else None)
    return letter, i


def _flattened_in_letter(p: Parser, i: int) -> None:
    """A flattened transcript pasted inside the letter stays there as written, warned."""
    del p.starts[i]
    unit = p.units[i]
    p.memo.setdefault("flattened", set()).add(unit.first)
    p.warn(codes.TRANSCRIPT_FLATTENED, unit, "a WEBVTT transcript flattened into one paragraph of "
           f"{len(unit.text)} characters, kept in the letter as written", "split it into a transcript "
           "block (cues with their times), or link to the recording")


def _ps(p: Parser, i: int, limit: int) -> tuple[int, list[Unit]]:
    units = p.units
    ps: list[Unit] = []
    if i < limit and units[i].marker is None and (match := shapes.PS.match(units[i].text)):
        ps.append(Unit(match.group("text"), units[i].first, units[i].last))
        i += 1
        while p.blank_style and i < limit and not p.boundary(i) and units[i].gap <= 1 \
                and not p.block_start(i):
            ps.append(units[i])
            i += 1
    return i, ps


def _after_signoff(p: Parser, i: int, limit: int, one_line: bool = False) -> bool:
    """A sign-off ends the letter: what follows is a signature, a P.S. or the next block."""
    units = p.units
    if i >= limit or p.opens(i) or p.boundary(i):
        return True
    nxt = units[i]
    if shapes.PS.match(nxt.text) or shapes.known_header(nxt) or shapes.kicker(nxt):
        return True
    if one_line:  # the signature is on the line already: only a known sign-off ends the letter here
        return units[i - 1].text.lower().startswith(tuple(shapes.KNOWN_SIGNOFFS))
    return shapes.signature(nxt) or units[i - 1].text.lower() in shapes.KNOWN_SIGNOFFS
