"""``- news:``: a news story (picture, headline, dek, labeled sections)."""

from __future__ import annotations

from collections.abc import Iterator

from authoring import codes, model
from authoring.blocks import BlockType, PlainText, TextField, YamlOut
from authoring.checks import (
    CUSTOMARY_LABELS,
    DEK_MAX_WORDS,
    HEADLINE_MAX_CHARS,
    LABEL_RANKS,
    Finding,
    Severity,
)
from authoring.diagnostics import format_path
from authoring.structure import suggest


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


BLOCK = BlockType(key="news", model=model.News, partial="news", text=text, emit=emit, fields=fields,
                  summary=summary, order=20,
                  checks={"labels": check_labels, "headlines": check_headline, "empty": check_empty})
