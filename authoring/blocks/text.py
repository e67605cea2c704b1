"""``- text: ...``: free text in no known shape (the importer keeps what it cannot classify here)."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, Found, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.house import Finding


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


# -- import: what is kept as text -----------------------------------------------------------------
# Index cards of a tag or archive page (a caption, a section name, a title, a one-line summary,
# repeated; or a title, a date, a summary) are no stories: kept as one text block, warned. So is
# any run of units no other recogniser finds its evidence in: nothing is dropped.

MIN_CARDS = 3
"""Cards in a row that make an index page (two suffice when their section names repeat)."""
MAX_HEADING = 3
"""Units at the top of a page before its cards (the page's name, a description)."""


def _card(read: Reading, t: int, end: int) -> bool:
    """A card at t: a section name (or an image caption), a title, a one-line summary."""
    if t + 2 >= end:
        return False
    tag, title, summary = read.units[t:t + 3]
    if not read.sentence(summary.text):
        return False  # the quick refusal first: most units open no card
    return (all(u.marker is None and not read.claimed(t + n) for n, u in enumerate((tag, title, summary)))
            and not read.boundary(t + 1) and not read.boundary(t + 2) and not title.text.startswith("By ")
            and (1 <= tag.words <= 4 or (read.alt(tag) and not read.title_case(tag.text)))
            and not read.sentence(tag.text) and read.label(tag) is None
            and read.headline(title) and title.text != tag.text and not read.kicker(title)
            and read.sentence(summary.text) and summary.words >= 3 and read.label(summary) is None)


def scan_cards(read: Reading, end: int) -> dict[int, int]:
    units = read.units
    found: dict[int, int] = {}
    t = 0
    while t < end:
        if not _card(read, t, end):
            t += 1
            continue
        cards = [t]
        while True:
            after = cards[-1] + 3
            nxt = next((after + extra for extra in (0, 1) if _card(read, after + extra, end)
                        and not any(read.boundary(k) for k in range(after, after + extra + 1))), None)
            if nxt is None:
                break
            cards.append(nxt)
        tags = [units[c].text for c in cards]
        if len(cards) >= MIN_CARDS or (len(cards) == 2 and tags[0] == tags[1]):
            captioned = all(b - a == 4 for a, b in zip(cards, cards[1:], strict=False))  # caption, tag, ...
            start = cards[0] - 1 if captioned and cards[0] and read.alt(units[cards[0] - 1]) \
                and not read.claimed(cards[0] - 1) else cards[0]
            if start <= MAX_HEADING and not any(read.claimed(k) or read.label(units[k]) is not None
                                                or units[k].text.lower().startswith(("dear", "hi ", "hello"))
                                                for k in range(start)):
                start = 0  # the page's name and description above its cards
            found[start] = cards[-1] + 3
        t = cards[-1] + 3
    return found


def run_cards(read: Reading, start: int, stop: int) -> Found:
    units = read.units[start:stop]
    read.warn(codes.INDEX_CARDS, units[0], "kept as a text block: index cards (a title, a date or a section "
              "name, a summary), not stories", "keep them as text, or link to the issues they list",
              last=units[-1])
    return Found(model.Text(body=model.Markdown(read.markdown(units))), stop,
                 f"index cards, {read.lines(units)}")


def test_dated_cards(read: Reading, start: int, stop: int) -> bool:
    units = read.units
    return any(read.date(units[k]) and read.headline(units[k - 1]) for k in range(start + 1, stop))


def run_kept(read: Reading, start: int, stop: int) -> Found:
    units = read.units[start:stop]
    read.warn(codes.UNCLASSIFIED_TEXT, units[0], "kept as a text block: no evidence of a letter, story, "
              "promo (kicker or call to action), feature (title and paragraphs) or footer",
              "move it into the right block by hand", last=units[-1])
    return Found(model.Text(body=model.Markdown(read.markdown(units))), stop,
                 f"nothing else, {read.lines(units)}")


BLOCK = BlockType(key="text", model=model.Text, partial="text", text=text, emit=emit, fields=fields,
                  checks={"empty": check_empty}, shorthand="body", order=50,
                  recognisers=(Recogniser("index-cards", 20, run_cards, scan=scan_cards),
                               Recogniser("dated-cards", 45, run_cards, test=test_dated_cards),
                               Recogniser("text", 90, run_kept)))
