"""``- news:``: a news story (picture, headline, dek, labeled sections)."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, Found, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.diagnostics import Severity, format_path, suggest
from authoring.house import CUSTOMARY_LABELS, DEK_MAX_WORDS, HEADLINE_MAX_CHARS, LABEL_RANKS, Finding


def text(story: model.News, out: PlainText) -> list[str]:
    parts = [*out.image(story.image), out.line(story.headline)]
    if story.dek:
        parts += out.markdown(story.dek)
    for section in story.sections:
        parts += out.markdown(section.body, prefix=f"{section.label}: " if section.label else "")
    return parts


def emit(story: model.News, out: YamlOut) -> object:
    sections = [out.text(s.body) if s.label is None else {s.label: out.text(s.body) if s.body else None}
                for s in story.sections]
    return out.fields({"image": out.image(story.image), "headline": out.text(story.headline),
                       "dek": out.text(story.dek) if story.dek else None, "sections": sections})


def fields(story: model.News) -> Iterator[TextField]:
    if story.image is not None:
        yield story.image.path + ("alt",), story.image.alt, False
    yield story.path + ("headline",), story.headline, False
    if story.dek:
        yield story.path + ("dek",), story.dek, True
    for section in story.sections:
        yield section.path, section.body, True


def summary(story: model.News) -> str | None:
    return story.dek


def check_labels(story: model.News, seen: dict) -> Iterator[Finding]:
    last_rank, last_label = -1, None
    for section in story.sections:
        label = section.label
        if label is None:
            continue
        bare = label.rstrip(":").strip()
        if bare != label:
            yield Finding(codes.LABEL_COLON, f"label '{label}' carries its own colon", section.path,
                          f"write '{bare}': the colon is added when rendering", key=True)
        normalized = bare.replace("'", "’")
        if normalized not in LABEL_RANKS:
            guess = suggest(normalized, CUSTOMARY_LABELS)
            if guess:
                yield Finding(codes.UNKNOWN_LABEL, f"unknown section label '{bare}'", section.path,
                              f"did you mean '{guess}'?", key=True)
            continue
        rank = LABEL_RANKS[normalized]
        if rank < last_rank:
            yield Finding(codes.LABEL_ORDER, f"'{bare}' usually comes before '{last_label}'",
                          section.path, "reorder the sections: "
                          + " → ".join(CUSTOMARY_LABELS[:3]) + " → …", key=True)
        last_rank, last_label = max(rank, last_rank), bare if rank >= last_rank else last_label


def check_headline(story: model.News, seen: dict) -> Iterator[Finding]:
    """House rules for a headline and its dek; ``seen`` holds the headlines of earlier stories."""
    path = story.path + ("headline",)
    headline = story.headline.strip()
    if not headline:
        yield Finding(codes.EMPTY_HEADLINE, "headline is empty", path, "write the story's title",
                      severity=Severity.ERROR)
        return
    if len(headline) > HEADLINE_MAX_CHARS:
        yield Finding(codes.LONG_HEADLINE,
                      f"headline is {len(headline)} characters long (house limit "
                      f"{HEADLINE_MAX_CHARS})", path, "shorten it; details belong in the dek")
    if headline.endswith(".") and not headline.endswith("..."):
        yield Finding(codes.HEADLINE_PERIOD, "headline ends with a period", path,
                      "drop the final period")
    key = headline.casefold()
    if key in seen:
        yield Finding(codes.DUPLICATE_HEADLINE, f"headline '{headline}' is used twice", path,
                      f"the first is at {format_path(seen[key])}")
    else:
        seen[key] = path
    if story.dek is not None and len(story.dek.split()) > DEK_MAX_WORDS:
        yield Finding(codes.LONG_DEK, f"dek is {len(story.dek.split())} words long (house limit "
                      f"{DEK_MAX_WORDS})", story.path + ("dek",),
                      "keep the dek to one or two sentences")


def check_empty(story: model.News, seen: dict) -> Iterator[Finding]:
    if not story.sections:
        yield Finding(codes.NO_SECTIONS, "news story has no sections", story.path,
                      "add 'sections:' with '- What’s new: ...'")
    for section in story.sections:
        if not section.body.strip():
            yield Finding(codes.EMPTY_SECTION, f"section '{section.label or ''}' is empty",
                          section.path, "write its text or remove it", key=True)


# -- import: a news story in plain text ------------------------------------------------------------
# Anchored on its first ``Label: text`` paragraph (its defining evidence), with the headline, the
# dek and an image alt line just before it; labels that repeat are a dialogue's speakers, not
# sections. A title-cased rest ("Big Idea: Lessons From X") makes a title, not a label.

MAX_PREAMBLE = 3
"""Paragraphs between a headline and the first labelled section (the dek and plain ones)."""


def scan(read: Reading, end: int) -> dict[int, int]:
    units = read.units
    anchors: dict[int, tuple[int, int]] = read.memo.setdefault("news", {})
    found: dict[int, int] = {}
    taken = -1
    for j in range(end):
        if j <= taken or read.label(units[j]) is None or read.claimed(j):
            continue
        k = j - 1  # back to the headline, over no block gap (a walk stopped by one is refused below)
        while k >= 0 and j - 1 - k < MAX_PREAMBLE and units[k].marker is None \
                and read.label(units[k]) is None and not read.headline(units[k]) and not read.boundary(k + 1):
            k -= 1
        if k < 0 or k <= taken or not read.headline(units[k]) or read.boundary(k + 1) \
                or read.kicker(units[k]) or read.header(units[k]) or read.claimed(k):
            continue
        stop = _story_end(read, j, end)
        labels = [got[0] for u in units[j:stop] if (got := read.label(u)) is not None]
        if len(set(labels)) < len(labels):
            continue  # labels that repeat are speakers of a dialogue, not news sections
        rest = read.label(units[j])[1]  # type: ignore[index]  # j holds a label
        if len(labels) < 2 and labels[0] not in CUSTOMARY_LABELS and rest[:1].islower():
            continue  # one "Left: a sensor ..." is a caption or a sentence, not a story's sections
        start = k
        if k - 1 > taken and read.alt(units[k - 1]) and not read.boundary(k) and not read.claimed(k - 1) \
                and not read.header(units[k - 1]) and not read.kicker(units[k - 1]) \
                and read.label(units[k - 1]) is None:
            start = k - 1
        anchors[start] = (k, j)
        found[start] = stop
        taken = stop - 1
    return found


def _story_end(read: Reading, j: int, end: int) -> int:
    """The first unit after the sections that begin at j."""
    units = read.units
    for i in range(j + 1, end):
        if read.boundary(i) or read.claimed(i) or read.kicker(units[i]) or read.header(units[i]):
            return i
        if _next_headline(read, i, end) or (read.alt(units[i]) and i + 1 < end
                                            and _next_headline(read, i + 1, end)):
            return i  # the next story's headline, or its picture (an ``[Image: ...]`` line too, as scan)
    return end


def _next_headline(read: Reading, i: int, end: int) -> bool:
    """Unit i is the headline of a story that starts there (a labelled paragraph soon after it)."""
    unit = read.units[i]
    return read.headline(unit) and not read.boundary(i) and not read.claimed(i) and not read.kicker(unit) \
        and not read.header(unit) and _labeled_soon(read, i + 1, end)


def _labeled_soon(read: Reading, i: int, end: int) -> bool:
    """A labelled paragraph follows within a dek's reach, with only paragraphs before it."""
    for m in range(i, min(i + 1 + MAX_PREAMBLE, end)):
        if read.boundary(m) or read.units[m].marker is not None:
            return False
        if read.label(read.units[m]) is not None:
            return True
    return False


def run(read: Reading, start: int, stop: int) -> Found:
    units = read.units
    headline_at, first_label = read.memo["news"][start]
    image = model.Image(alt=units[start].text) if start < headline_at else None
    paragraphs = units[headline_at + 1:first_label]
    dek = read.escape(paragraphs[0].text) if paragraphs else None
    sections = [model.Section(label=None, body=model.Markdown(read.escape(u.text))) for u in paragraphs[1:]]
    current: list = []
    label: str | None = None
    for unit in units[first_label:stop]:
        got = read.label(unit)
        if got is not None:
            if current or label is not None:
                sections.append(model.Section(label=label, body=model.Markdown(read.markdown(current))))
            label, rest = got
            current = [type(unit)(rest, unit.first, unit.last)] if rest else []
        else:
            current.append(unit)
    sections.append(model.Section(label=label, body=model.Markdown(read.markdown(current))))
    story = model.News(headline=units[headline_at].text, dek=model.Markdown(dek) if dek else None,
                       image=image, sections=sections)
    named = sum(section.label is not None for section in sections)
    return Found(story, stop, f"headline '{units[headline_at].text}' ({units[headline_at].lines}) and "
                 f"{named} labelled section{'s' if named > 1 else ''}")


BLOCK = BlockType(key="news", model=model.News, partial="news", text=text, emit=emit, fields=fields,
                  summary=summary, order=20,
                  checks={"labels": check_labels, "headlines": check_headline, "empty": check_empty},
                  recognisers=(Recogniser("news", 30, run, scan=scan),))
