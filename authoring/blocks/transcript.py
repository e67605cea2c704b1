"""``- transcript:``: a WEBVTT transcript (a podcast clip, a talk) as a list of timed cues.

.. code-block:: yaml

    - transcript:
        title: From the episode
        cues:
          - {start: "00:00:01.000", end: "00:00:04.000", speaker: Andrew, text: Welcome back.}

Timings stay data, written as WEBVTT timestamps (``hh:mm:ss.ttt``, hours optional); the
checks require each to be one, with the start not after the end. The HTML shows each cue
as a list item (times small and muted, the speaker in bold); the plain text writes one
paragraph per cue, ``[00:00:01.000 --> 00:00:04.000] Andrew: Welcome back.``, whole
timings included so that importing the rendered text gives the same block back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from authoring import codes, model
from authoring.blocks import BlockType, PlainText, TextField, YamlOut
from authoring.checks import Finding, Severity
from authoring.model import YamlPath

TIMESTAMP = re.compile(r"^(?:(?P<h>\d{2,9}):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)\.(?P<ms>\d{3})$")
"""A WEBVTT timestamp: hours optional, minutes and seconds, milliseconds. WEBVTT allows any
number of hour digits; nine (over a hundred thousand years) keep a hostile one from costing time."""


def _path() -> YamlPath:
    return ()


@dataclass
class Cue:
    """One cue of a transcript: when it is said, who says it and what is said."""

    start: str
    """When the cue starts, a WEBVTT timestamp: ``00:00:01.000`` (hours may be left out: ``00:01.000``)."""
    end: str
    """When it ends, a WEBVTT timestamp not before the start."""
    text: str
    """What is said, as plain text."""
    speaker: str | None = None
    """Who says it, shown in bold before the text."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


@dataclass
class Transcript(model.Block):
    """A transcript (WEBVTT captions): timed cues, each with its speaker and text."""

    cues: list[Cue]
    """The cues in order: ``- {start: "00:00:01.000", end: "00:00:04.000", speaker: Ana, text: ...}``."""
    title: str | None = None
    """A line above the cues, e.g. "From the episode"."""
    path: YamlPath = field(default_factory=_path, compare=False, repr=False)


def milliseconds(timestamp: str) -> int | None:
    """A WEBVTT timestamp in milliseconds, or None when it is not one."""
    found = TIMESTAMP.match(timestamp.strip())
    if found is None:
        return None
    hours = int(found.group("h") or 0)
    return ((hours * 60 + int(found.group("m"))) * 60 + int(found.group("s"))) * 1000 + int(found.group("ms"))


def cue_line(cue: Cue) -> str:
    """A cue as one plain-text paragraph (the importer reads it back)."""
    speaker = f"{cue.speaker}: " if cue.speaker else ""
    return f"[{cue.start} --> {cue.end}] {speaker}{cue.text}"


def text(story: Transcript, out: PlainText) -> list[str]:
    parts = [out.line(story.title)] if story.title else []
    return parts + [out.line(cue_line(cue)) for cue in story.cues]


def emit(story: Transcript, out: YamlOut) -> object:
    cues = [out.fields({"start": cue.start, "end": cue.end, "speaker": cue.speaker,
                        "text": out.text(cue.text)}) for cue in story.cues]
    return out.fields({"title": story.title, "cues": cues})


def fields(story: Transcript) -> Iterator[TextField]:
    if story.title:
        yield story.path + ("title",), story.title, False
    for cue in story.cues:
        if cue.speaker:
            yield cue.path + ("speaker",), cue.speaker, False
        yield cue.path + ("text",), cue.text, False


def check_timings(story: Transcript, seen: dict) -> Iterator[Finding]:
    """Each time a WEBVTT timestamp, each cue's start not after its end."""
    for cue in story.cues:
        start, end = milliseconds(cue.start), milliseconds(cue.end)
        for name, written, value in (("start", cue.start, start), ("end", cue.end, end)):
            if value is None:
                yield Finding(codes.BAD_TIMESTAMP, f"'{written[:40]}' is not a WEBVTT timestamp",
                              cue.path + (name,), "write it as hh:mm:ss.ttt or mm:ss.ttt, e.g. 00:01:02.500",
                              severity=Severity.ERROR)
        if start is not None and end is not None and end < start:
            yield Finding(codes.CUE_ENDS_BEFORE_START, f"the cue ends ({cue.end}) before it starts "
                          f"({cue.start})", cue.path + ("end",), "correct the start or the end time",
                          severity=Severity.ERROR)


def check_empty(story: Transcript, seen: dict) -> Iterator[Finding]:
    if not story.cues:
        yield Finding(codes.EMPTY_BODY, "transcript has no cues", story.path + ("cues",),
                      "add '- {start: ..., end: ..., text: ...}' under 'cues:', or remove the block",
                      key=True)
    for cue in story.cues:
        if not cue.text.strip():
            yield Finding(codes.EMPTY_BODY, "cue has no text", cue.path + ("text",),
                          "write what is said, or remove the cue")


BLOCK = BlockType(key="transcript", model=Transcript, partial="transcript", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty, "timings": check_timings}, order=60)
