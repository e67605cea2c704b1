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
from dataclasses import field

from authoring import codes, model
from authoring.blocks import BlockType, Found, PlainText, Reading, Recogniser, TextField, YamlOut
from authoring.diagnostics import Severity
from authoring.house import Finding
from authoring.lazyre import lazy
from authoring.model import YamlPath
from authoring.records import dataclass

TIMESTAMP = lazy(r"^(?:(?P<h>\d{2,9}):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)\.(?P<ms>\d{3})$")
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


# -- import: a transcript in plain text ---------------------------------------------------------
# A WEBVTT transcript (``WEBVTT``, numbered cues with their timings), or the cues of a rendered
# one (``[00:00:01.000 --> 00:00:04.000] Ana: ...``), is a transcript block, never part of a letter
# or story. A WEBVTT transcript with what a block cannot hold (header lines aside, which become
# comments: cue settings, named cues, malformed or backward timings) stays one text block with
# its cues and timings as written, warned; so does one flattened into a single line.

MAX_VTT_HEADER = 4
"""Lines right under ``WEBVTT`` before its first cue (``Kind: captions``, ``Language: en``)."""
MAX_CUE_LINES = 3
_TIMING = lazy(r"^(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\s+-->\s+(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\b.*$")
_LOOSE_TIMING = lazy(r"^\d[\d:.,]{0,15}\s{0,3}-{1,2}>\s{0,3}\d[\d:.,]{0,15}(?:\s.*)?$")
"""A timing line however malformed (``00:01.000 -> 00:04.000``, ``1:2:3 --> 1:2:4``): still a cue's."""
_CUE_NUMBER = lazy(r"^\d{1,6}$")
_CUE_TIMES = lazy(r"^(?P<start>\S+) --> (?P<end>\S+)$")
"""A WEBVTT timing line a transcript block holds whole: the two times, no cue settings."""
_RENDERED_CUE = lazy(r"^\[(?P<start>[\d:.]+) --> (?P<end>[\d:.]+)\] (?P<said>\S.*)$")
"""A cue as the plain text of a transcript block writes it."""
_SPEAKER = lazy(r"^(?P<speaker>[A-Z][\w.’'-]*(?: [A-Z0-9][\w.’'-]*){0,3}): (?P<text>\S.*)$")
"""``Ana: text`` or ``Dr. Ana Ruiz: text`` at the start of a cue: its speaker."""
_FLATTENED = lazy(r"^[“\"‘']?WEBVTT(?:\S| +(?:Kind|Language|Region|STYLE|NOTE)\b)")
"""``WEBVTTKind: captionsLanguage: enWelcome...``: the file's lines joined (with or without a space)."""


def _paragraph(read: Reading, i: int) -> bool:
    return read.units[i].marker is None


def _vtt_start(read: Reading, i: int) -> bool:
    text = read.units[i].text
    return _paragraph(read, i) and (text == "WEBVTT" or text.startswith("WEBVTT ")) \
        and not _FLATTENED.match(text)


def _rendered(read: Reading, i: int) -> bool:
    return _paragraph(read, i) and _RENDERED_CUE.match(read.units[i].text) is not None


def scan(read: Reading, end: int) -> dict[int, int]:
    found: dict[int, int] = {}
    i = 0
    while i < end:
        if _vtt_start(read, i):
            found[i] = _cues_end(read, i + 1, end)
            i = found[i]
        elif _rendered(read, i):
            stop = i + 1
            while stop < end and not read.boundary(stop) and _rendered(read, stop):
                stop += 1
            titled = i > 0 and not read.boundary(i) and _paragraph(read, i - 1) \
                and (i - 1 == 0 or read.boundary(i - 1)) and (i - 1) not in found
            found[i - 1 if titled else i] = stop
            i = stop
        elif _headerless(read, i, end) and (stop := _cues_end(read, i, end, opens=True)) > i:
            found[i] = stop
            i = stop
        else:
            i += 1
    return found


def _headerless(read: Reading, i: int, end: int) -> bool:
    """Cues without a ``WEBVTT`` line (SRT captions, a pasted excerpt): a timing with milliseconds, or
    a cue number over a timing however malformed. An agenda's ``10:00 -> 11:00 Keynote`` is neither."""
    if not _paragraph(read, i):
        return False
    if _cue_start(read, i, end) is not None:
        return True
    numbered = _CUE_NUMBER.match(read.units[i].text) is not None
    return numbered and _cue_start(read, i, end, _LOOSE_TIMING) == i + 2


def _cue_start(read: Reading, i: int, end: int, timing: re.Pattern = _TIMING) -> int | None:
    """Index after the cue number and timing line starting at i, or None."""
    units = read.units
    if i + 1 < end and _CUE_NUMBER.match(units[i].text) and units[i + 1].gap == 0 \
            and timing.match(units[i + 1].text):
        return i + 2
    return i + 1 if i < end and timing.match(units[i].text) else None


def _cues_end(read: Reading, i: int, end: int, opens: bool = False) -> int:
    """The cues of a transcript: number, timing, up to three text lines; one blank line between.
    Timings WEBVTT would refuse still hold their cues together (to be kept as text). ``opens``: the
    first cue is where the block starts (no WEBVTT line above it), a gap before it is no end."""
    units = read.units
    first = i
    while not opens and i < end and i - first < MAX_VTT_HEADER and units[i].gap == 0 \
            and _cue_start(read, i, end) is None:
        i += 1  # header lines under WEBVTT ("Kind: captions"); cues without a WEBVTT line have none
    timing = _TIMING if _cue_start(read, i, end) is not None else _LOOSE_TIMING
    if _cue_start(read, i, end, timing) is None:
        return first  # a WEBVTT line without cues after it: only that line
    while i < end and (not read.boundary(i) or (opens and i == first)) \
            and (j := _cue_start(read, i, end, timing)) is not None:
        lines = 0
        while j < end and lines < MAX_CUE_LINES and units[j].gap == 0 \
                and _cue_start(read, j, end, timing) is None and not read.header(units[j]) \
                and not (read.headline(units[j]) and _labeled_soon(read, j + 1, end)):
            j += 1
            lines += 1
        i = j
    return i


def _labeled_soon(read: Reading, i: int, end: int) -> bool:
    return any(read.label(u) is not None for u in read.units[i:min(i + 4, end)])


def run(read: Reading, start: int, stop: int) -> Found:
    """A transcript block, or a WEBVTT transcript it cannot hold kept as text."""
    units = read.units[start:stop]
    if not units[0].text.startswith("WEBVTT") and not _headerless(read, start, stop):
        title = None if _rendered(read, start) else units[0].text
        cues = [_rendered_cue(unit.text) for unit in units[1 if title else 0:]]
        return Found(Transcript(cues=cues, title=title), stop, f"cues as plain text writes them, "
                     f"{read.lines(units)}")
    first_cue = start + 1
    while first_cue < stop and units[first_cue - start].gap == 0 \
            and _cue_start(read, first_cue, stop) is None:
        first_cue += 1  # header lines under WEBVTT ("Kind: captions")
    found = _webvtt_cues(read, first_cue, stop)
    if found and units[0].text == "WEBVTT":
        if first_cue > start + 1:
            read.comment(units[1:first_cue - start], codes.TRANSCRIPT_HEADER, "WEBVTT header",
                         "WEBVTT header lines, kept as a comment at the top of the YAML",
                         "delete the comment: it describes the captions file, not the issue")
        return Found(Transcript(cues=found), stop, f"WEBVTT and {len(found)} timed cues, "
                     f"{read.lines(units)}")
    groups: list[list[str]] = []
    for unit in units:
        if unit.gap or not groups:
            groups.append([])
        # a cue line "- Where are you?" is an item to the reader of units: its dash is the cue's
        groups[-1].append(read.escape(f"{unit.written} {unit.text}" if unit.written else unit.text))
    what = "a WEBVTT transcript with malformed timings, cue settings, named cues or no cues" \
        if units[0].text.startswith("WEBVTT") else "captions without a WEBVTT line (SRT, a pasted excerpt)"
    read.warn(codes.TRANSCRIPT_AS_TEXT, units[0], f"{what}, which a transcript block cannot hold, kept as "
              "a text block with its cues and timings as written",
              "keep it, correct the timings, or link to it", last=units[-1])
    body = "\n\n".join("\\\n".join(group) for group in groups)
    return Found(model.Text(body=model.Markdown(body)), stop,
                 f"cues without valid WEBVTT, {read.lines(units)}")


def _webvtt_cues(read: Reading, i: int, stop: int) -> list[Cue] | None:
    """The cues of a WEBVTT transcript, or None when it holds what a transcript block cannot:
    header lines, cue identifiers other than their number, cue settings, invalid times."""
    units = read.units
    cues: list[Cue] = []
    while i < stop:
        body = _cue_start(read, i, stop)
        if body is None or (body == i + 2 and units[i].text != str(len(cues) + 1)):
            return None
        times = _CUE_TIMES.match(units[body - 1].text)
        after = body
        while after < stop and _cue_start(read, after, stop) is None:
            after += 1
        lines = units[body:after]
        if times is None or not lines or any(unit.gap or unit.marker for unit in lines):
            return None
        start, end = milliseconds(times.group("start")), milliseconds(times.group("end"))
        if start is None or end is None or end < start:
            return None
        cues.append(_cue(times.group("start"), times.group("end"), " ".join(u.text for u in lines)))
        i = after
    return cues


def _cue(start: str, end: str, said: str) -> Cue:
    speaker = _SPEAKER.match(said)
    if speaker is None:
        return Cue(start=start, end=end, text=said)
    return Cue(start=start, end=end, speaker=speaker.group("speaker"), text=speaker.group("text"))


def _rendered_cue(text: str) -> Cue:
    found = _RENDERED_CUE.match(text)
    if found is None:
        raise ValueError(f"not a rendered cue: {text!r}")  # a parser bug: only matching units come here
    return _cue(found.group("start"), found.group("end"), found.group("said"))


def scan_flattened(read: Reading, end: int) -> dict[int, int]:
    return {i: i + 1 for i in range(end) if _paragraph(read, i) and _FLATTENED.match(read.units[i].text)}


def run_flattened(read: Reading, start: int, stop: int) -> Found:
    unit = read.units[start]
    read.memo.setdefault("flattened", set()).add(unit.first)
    read.warn(codes.TRANSCRIPT_FLATTENED, unit, "a WEBVTT transcript flattened into one paragraph of "
              f"{len(unit.text)} characters, kept as a text block as written", "split it into a transcript "
              "block (cues with their times), or link to the recording")
    return Found(model.Text(body=model.Markdown(read.markdown([unit]))), start + 1,
                 f"'WEBVTT' glued to the text after it, {unit.lines}")


BLOCK = BlockType(key="transcript", model=Transcript, partial="transcript", text=text, emit=emit,
                  fields=fields, checks={"empty": check_empty, "timings": check_timings}, order=60,
                  recognisers=(Recogniser("transcript", 10, run, scan=scan),
                               Recogniser("flattened-transcript", 11, run_flattened, scan=scan_flattened)))
