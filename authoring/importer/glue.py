"""Lines that copying from a web page glued together, split apart, each split warned.

- a label glued to the sentence before it (``... works.Results: ...``) or to its own text
  (``What’s new:The company``, ``Why it mattersThe company``);
- a known section header glued to the headline after it (``NewsUpping the Ante``);
- a kicker glued to its promo's body (``A MESSAGE FROM DEEPLEARNING.AIAI agents ...``,
  ``... DEEPLEARNING.AI"A2A: ...``);
- a headline glued to its dek (``The Coming CrackdownThe European Union proposed ...``), when
  labelled sections follow, the evidence of a news story.

Each split keeps every character; the warning names the line so the editor can check it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from authoring import codes
from authoring.house import CUSTOMARY_LABELS
from authoring.importer import shapes
from authoring.importer.shapes import Unit

if TYPE_CHECKING:
    from authoring.importer.parse import Parser

_CUSTOMARY = re.compile("^(?P<label>" + "|".join(re.escape(label) for label in CUSTOMARY_LABELS)
                        + ")(?::(?=\\S)|(?=[A-Z“\"‘]))")
_TIGHT_LABEL = re.compile(r"^(?P<label>[A-Z][^:.!?\n]{0,58}?):(?=[A-Z“\"‘][a-z’'])")
_CAPS_RUN = re.compile(r"^[A-Z0-9][A-Z0-9&.’'-]*(?: [A-Z0-9&][A-Z0-9&.’'-]*)+")
_HEADLINE_END = re.compile(r"(?<=[a-z0-9%)])(?=[A-Z](?:[a-z]|\s))")
_DOMAIN_TAIL = re.compile(r"\.(?P<tail>[A-Z]{4,})$")
MAX_GLUED_HEADLINE = 120
"""A headline glued to its dek ends within this many characters."""


def split(units: list[Unit], p: Parser) -> list[Unit]:
    out: list[Unit] = []
    for n, unit in enumerate(units):
        if unit.marker is not None or unit.image:
            out.append(unit)
            continue
        pieces = _glued_labels(unit, p)
        last = pieces.pop()
        out += pieces
        headline = _headline(last, units[n + 1:n + 3], p)
        if headline is not None:  # "NewsThe Coming CrackdownThe European Union ...": header, headline, dek
            out += [*(_header(headline[0], p) or headline[:1]), headline[1]]
        else:
            out += _header(last, p) or _kicker(last, p) or [_tight_label(last, p)]
    return out


def _glued_labels(unit: Unit, p: Parser) -> list[Unit]:
    """``... works.Results: ...``: a label glued to the end of the sentence before it."""
    out: list[Unit] = []
    while True:
        match = shapes.GLUED.search(unit.text)
        if match is None or len(match.group("label").split()) > shapes.MAX_LABEL_WORDS:
            break
        out.append(Unit(unit.text[:match.start("label")].rstrip(), unit.first, unit.last, unit.gap))
        label = match.group("label")
        p.warn(codes.GLUED_LABEL, unit, f"label '{label}:' was glued to the end of the previous "
               "sentence; split into its own section", "check the new section in the YAML")
        unit = Unit(unit.text[match.start("label"):], unit.first, unit.last, 1)
    return [*out, unit]


def _tight_label(unit: Unit, p: Parser) -> Unit:
    """``What’s new:The company`` or ``Why it mattersThe company``: a label glued to its text."""
    match = _CUSTOMARY.match(unit.text) or _TIGHT_LABEL.match(unit.text)
    if match is None or len(match.group("label").split()) > shapes.MAX_LABEL_WORDS:
        return unit
    label = match.group("label")
    rest = unit.text[match.end():]
    if len(rest.split()) < 3:
        return unit
    p.warn(codes.GLUED_LABEL, unit, f"label '{label}:' was glued to its text; read as a label",
           "check the section in the YAML")
    return Unit(f"{label}: {rest}", unit.first, unit.last, unit.gap)


def _header(unit: Unit, p: Parser) -> list[Unit] | None:
    """``NewsUpping the Ante``: a known section header stuck to the headline after it."""
    match = shapes.GLUED_HEADER.match(unit.text)
    if match is None:
        return None
    rest = Unit(unit.text[match.end():], unit.first, unit.last, 0)
    if not shapes.headline_like(rest) or shapes.kicker(unit):
        return None
    p.warn(codes.GLUED_HEADER, unit, f"header '{match.group(0)}' was glued to the "
           f"headline '{rest.text}'; split in two", "check the header and the headline")
    return [Unit(match.group(0), unit.first, unit.first, unit.gap), rest]


def _kicker(unit: Unit, p: Parser) -> list[Unit] | None:
    """``A MESSAGE FROM DEEPLEARNING.AIAI agents often fail ...``: a kicker glued to its body."""
    run = _CAPS_RUN.match(unit.text)
    if run is None or run.end() == len(unit.text):
        return None
    caps, after = run.group(0), unit.text[run.end()]
    if after.islower():
        cut = len(caps) - 1  # "CLOUDTrain": the body's first capital closed the run
    elif after in "“\"‘' ":
        cut = len(caps)
    else:
        return None
    if after == " " or caps[cut - 1] == " ":  # the body opens with a word of its own ("AI agents", "Agents")
        capitals = caps[:cut].rstrip()
        tail = _DOMAIN_TAIL.search(capitals)
        if tail is None:
            return None  # "SPONSORED BY ACME CLOUD AI agents": nothing tells where the kicker ends
        word = tail.group("tail")  # "DEEPLEARNING.AIAI agents": the domain, then the body's acronym
        half = len(word) // 2
        cut = len(capitals) - (half if word[:half] == word[half:] else len(word) - 2)
    head = Unit(caps[:cut].rstrip(), unit.first, unit.first, unit.gap)
    body = Unit(unit.text[cut:].lstrip(), unit.first, unit.last, 1)
    if not shapes.kicker(head) or body.words < 4 or not any(c.islower() for c in body.text):
        return None
    p.warn(codes.GLUED_KICKER, unit, f"kicker '{head.text}' was glued to the text after it; split in two",
           "check the kicker and the promo's first words")
    return [head, body]


def _headline(unit: Unit, after: list[Unit], p: Parser) -> list[Unit] | None:
    """``The Coming CrackdownThe European Union proposed ...``: a headline glued to its dek, read
    only where a labelled section follows (a news story's evidence)."""
    # most lines have none; a join is seen with the capital and the letter after it, 2 characters on
    joins = list(_HEADLINE_END.finditer(unit.text, 0, MAX_GLUED_HEADLINE + 2))
    if not joins or unit.words < 8 or not shapes.ends_sentence(unit.text) \
            or not any(shapes.label_of(u) is not None for u in after if u.gap <= 1):
        return None
    for match in reversed(joins):
        head = Unit(unit.text[:match.start()], unit.first, unit.first, unit.gap)
        dek = Unit(unit.text[match.start():], unit.first, unit.last, 1)
        if head.words >= 2 and shapes.headline_like(head) and shapes.title_case(head.text) \
                and dek.words >= 6:
            p.warn(codes.GLUED_HEADLINE, unit, f"headline '{head.text}' was glued to the text after it; "
                   "split in two", "check the headline and the dek")
            return [head, dek]
    return None
