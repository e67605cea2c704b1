"""Read the plain text of a past issue into the model.

The text is first cut into *units*: paragraphs (one source line each in the
archive's two styles, or several lines joined back when the text was wrapped) and
list items, each with its source lines and the number of blank lines before it; a
``===`` rule marks the line above it as a header, ``[Image: alt]`` an image.
Then the shapes of the house layout are recognised on that sequence:

- the top block of a rendered text (name, ``Issue 12 · November 27, 2026``, the
  web link) gives the number and date;
- a header glued to a headline ("NewsUpping the Ante") is split;
- a WEBVTT transcript, or the cues of a rendered one (``[00:00:01.000 --> 00:00:04.000] Ana: ...``),
  is a transcript block, never part of a letter or story (a WEBVTT file with what such a block
  cannot hold, header lines or cue settings, stays a text block);
- a news story is anchored on its first ``Label: text`` paragraph, with the
  headline, the dek and an image alt line just before it (a title-cased rest, as in
  "Big Idea: Lessons From X", makes a title, not a label);
- the letter runs from the salutation (after a few lines of web clutter, set aside as
  comments) to the sign-off, signature and P.S.;
- headers are known section names or short lines standing alone between blocks;
- promos start with an all-caps kicker or end with a call to action;
- index cards (title, date, summary) stay text; a title followed by paragraphs is a feature;
- the footer at the end is recognised and left to the publication that renders it.

Whatever fits none of these is kept, in order, in a text block with a warning
that names its lines: nothing is ever dropped.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from authoring import codes, model
from authoring.blocks.transcript import Cue, Transcript, milliseconds
from authoring.diagnostics import Diagnostic, Severity
from authoring.importer.markdown import bold_label, escape
from authoring.importer.source import cite
from authoring.validate import DEFAULT_PUBLICATION

KNOWN_HEADERS = {
    "news", "feature", "features", "research", "opinion", "letters", "data points", "in brief",
    "business", "science", "culture", "events", "jobs", "announcements", "special report",
    "the week", "highlights", "also", "more news", "interview", "interviews", "essay",
}
"""Section headers of the archive; other short lines alone between blocks count too."""

KNOWN_SIGNOFFS = {
    "keep learning!", "keep learning,", "keep building!", "keep building,", "best,",
    "best regards,", "cheers,", "cheers!", "thanks,", "thanks!", "thank you,", "sincerely,",
    "regards,", "warm regards,", "warmly,", "onward!", "happy learning!", "stay safe!",
    "all the best,", "yours,",
}

_SALUTATION = re.compile(
    r"^(dear|hi|hello|hey|greetings|good (morning|afternoon|evening)|friends|to our)\b.{0,40}[,!:]$",
    re.IGNORECASE)
_BULLET = re.compile(r"^(?P<indent>\s*)(?P<marker>[•●▪◦‣]|[-*–](?=\s))\s+(?P<text>.*)$")
_ORDERED_INDENTED = re.compile(r"^(?P<indent>\s+)(?P<marker>\d{1,3}[.)])\s+(?P<text>.*)$")
_LABEL = re.compile(r"^(?P<label>[A-Z0-9“\"‘'][^:.!?\n]{0,58}?):(?:\s+(?P<rest>\S.*))?$")
_GLUED = re.compile(r"(?<=[a-z0-9)”\"’][.!?])(?P<label>[A-Z][\w’' ,()-]{1,40}?):\s")
_LEAD_IN_REST = re.compile(r"[“\"‘']?[A-Z]")
_PS = re.compile(r"^P\.?\s?S\.?(?::|\s)\s*(?P<text>.*)$")
_CTA = re.compile(
    r"^(?P<body>.*?[.!?…][”’\"')]*)\s+(?P<cta>[A-Z][^.!?…:()]{0,60}?)(?:\s+\((?P<url>[^\s()]+)\))?$")
_CTA_ALONE = re.compile(r"^(?P<cta>[A-Z][^.!?…:()]{0,60}?)(?:\s+\((?P<url>[^\s()]+)\))?$")
_PROMO_WORDS = re.compile(
    r"\b(enroll|sign up|register|join|course|specialization|webinar|workshop|subscribe|discount|"
    r"sponsor(ed)?|ask me anything|free trial|early bird|tickets?)\b", re.IGNORECASE)
_FOOTER_WORDS = re.compile(
    r"(unsubscribe|subscribe|©|copyright|all rights reserved|you (are )?receiv|preferences|"
    r"view (it )?in (your )?browser|mailing list)", re.IGNORECASE)
_RULE = re.compile(r"^={3,}$")
_IMAGE = re.compile(r"^\[Image: (?P<alt>.+)\]$", re.DOTALL)
_CTA_URL = re.compile(r"^(?:(?P<body>.*?[.!?…][”’\"')]*)\s+)?(?P<cta>[A-Z][^.!?…:()]{0,60}?): "
                      r"(?P<url>(?:https?|mailto|tel):\S+|\{\{\s*\w+\s*\}\}|\*\|\w+\|\*|%\w+%)$")
_BARE_URL = re.compile(r"^(?:(?:https?|mailto|tel):\S+|\{\{\s*\w+\s*\}\}|\*\|\w+\|\*|%\w+%)$")
_GLUED_HEADER = re.compile("^(?:" + "|".join(sorted(
    (re.escape(h.title()) for h in KNOWN_HEADERS), key=len, reverse=True)) + ")(?=[A-Z0-9“‘\"'])")
_BYLINE = re.compile(r"^(by|written by)\s+\S.{0,80}$", re.IGNORECASE)
_CLOSERS = "”’\"')]»"

MAX_LABEL_WORDS = 8
MAX_HEADLINE_WORDS = 16
MAX_ALT_WORDS = 30
MAX_CTA_WORDS = 6
MAX_VTT_HEADER = 4
"""Lines right under ``WEBVTT`` before its first cue (``Kind: captions``, ``Language: en``)."""
MAX_CLUTTER = 12
"""Units before a salutation that may still be web-page clutter rather than content."""
MAX_PREAMBLE = 3
"""Paragraphs between a headline and the first labeled section (the dek and plain ones)."""


@dataclass
class Unit:
    """A paragraph or list item of the source text."""

    text: str
    first: int
    """1-based source line where it starts."""
    last: int
    gap: int = 0
    """Blank lines before it."""
    marker: str | None = None
    """'•' for a bullet, '1.' for a numbered item, None for a paragraph."""
    depth: int = 1
    rule: bool = False
    """Underlined with ``===``: a section header in the rendered layout."""
    image: bool = False
    """An ``[Image: alt]`` line; ``text`` is the alt text."""

    @property
    def lines(self) -> str:
        return f"line {self.first}" if self.first == self.last else f"lines {self.first}–{self.last}"

    @property
    def words(self) -> int:
        return len(self.text.split())


# ---------------------------------------------------------------- units


def split_units(text: str, links: dict[str, str] | None = None) -> list[Unit]:
    """The paragraphs and list items of a text; ``links`` turns ``text [n]`` into ``text (url)``."""
    lines = [line.rstrip() for line in text.split("\n")]
    width = _wrap_width(lines)
    units: list[Unit] = []
    current: Unit | None = None
    previous_length = 0
    gap = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            current = None
            gap += 1
            continue
        if _RULE.match(line) and current is not None and current.marker is None \
                and current.first == current.last:
            current.rule = True  # "News" / "====": a section header
            current = None
            continue
        bullet = _BULLET.match(line) or _ORDERED_INDENTED.match(line)
        if bullet:
            marker = bullet.group("marker")
            marker = marker if marker[0].isdigit() else "•"
            depth = 1 + len(bullet.group("indent").expandtabs(4)) // 4
            current = Unit(bullet.group("text").strip(), number, number, gap, marker, depth)
            units.append(current)
        elif current is not None and width and _continues(current, line, previous_length, width):
            current.text += " " + line.strip()
            current.last = number
        else:
            current = Unit(line.strip(), number, number, gap)
            units.append(current)
        previous_length = len(line)
        gap = 0
    for unit in units:
        _read_marks(unit, links or {})
    return units


def _read_marks(unit: Unit, links: dict[str, str]) -> None:
    """``[Image: alt]`` lines and ``text [n]`` references, as the rendered layout writes them."""
    unit.text = cite(unit.text, links)
    if unit.marker is None and (image := _IMAGE.match(unit.text)):
        unit.text, unit.image = image.group("alt"), True


def _wrap_width(lines: list[str]) -> int | None:
    """The width the text was wrapped at, or None when each line is a whole paragraph.

    A wrapped text separates its paragraphs with blank lines (single line breaks are
    then only wraps) and has no line with spaces longer than about 100 columns (only a
    long URL alone on its line may exceed the width). Lines a renderer may leave unwrapped
    (``[Image: alt]``, ``View in browser: URL``, ``Enroll now: URL``) do not count.
    """
    if not any(not line.strip() for line in lines[1:-1]):
        return None
    longest = 0
    for line in lines:
        if " " in line.strip() and "://" not in line and not line.startswith("[Image: "):
            longest = max(longest, len(line))
    return longest if 40 <= longest <= 100 else None


def _continues(current: Unit, line: str, previous_length: int, width: int) -> bool:
    """Is this line the rest of the previous one, wrapped?"""
    if current.marker is not None and line[:1].isspace():
        return True  # the hanging indent of a list item
    next_word = line.strip().split(" ", 1)[0]
    # The line before was broken because this word did not fit on it.
    return previous_length + 1 + len(next_word) > width


# ---------------------------------------------------------------- shapes


def _ends_clause(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in ".:;,…"


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in ".!?:;,…"


def label_of(unit: Unit) -> tuple[str, str] | None:
    """('What’s new', 'text') for a ``Short label: text`` paragraph."""
    if unit.marker is not None or unit.image or unit.rule:
        return None
    match = _LABEL.match(unit.text)
    if not match or len(match.group("label").split()) > MAX_LABEL_WORDS:
        return None
    if match.group("label").lower().startswith(("http", "www")):
        return None
    rest = match.group("rest") or ""
    if _BARE_URL.match(rest) or _titled(rest):
        return None  # "Enroll now: https://..." is a call to action, "Big Idea: Lessons From X" a title
    return match.group("label"), rest


_SMALL_WORDS = {"a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by",
                "with", "from", "vs", "vs.", "as", "into", "is", "are", "its", "it’s", "via", "than"}


def _titled(rest: str) -> bool:
    """The part after ": " of a title: title case, no final stop ("Lessons From the Valley")."""
    words = rest.split()
    if not 2 <= len(words) <= 12 or _ends_sentence(rest):
        return False
    big = [w for w in words if w.lower() not in _SMALL_WORDS]
    return bool(big) and all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in big)


_DANGLING = _SMALL_WORDS | {"that", "which", "who", "if", "when", "because", "so", "it", "we", "i",
                            "you", "they", "can", "will", "would", "should", "be", "was", "were",
                            "has", "have", "this", "these", "their", "our", "my", "your", "more"}


def caption_like(unit: Unit) -> bool:
    """A line that reads as an image caption, not a short paragraph or a cut-off sentence."""
    if unit.image:
        return True
    text = unit.text
    if not _alt_like(unit) or not 2 <= unit.words <= 20 or not (text[:1].isupper() or text[:1].isdigit()):
        return False
    if any(c in text for c in ",!?;") or any(unicodedata.category(c) == "So" for c in text):
        return False  # a clause, an exclamation, an emoji: a reader's paragraph
    words = [w.lower() for w in text.split()]
    if any(w in _VERBISH for w in words):
        return False  # "The best part was the final project": a sentence, not a caption
    return words[-1][-1:].isalnum() and words[-1] not in _DANGLING


_VERBISH = {"i", "we", "you", "they", "he", "she", "it", "it’s", "is", "are", "was", "were", "am", "be",
            "been", "has", "have", "had", "will", "would", "can", "could", "should", "do", "does", "did",
            "them", "us", "me", "now", "this", "that", "these", "there", "here", "not", "never"}


def title_case(text: str) -> bool:
    """Every word but the small ones capitalised: "A Year of Open Models"."""
    big = [w for w in text.split() if w.lower() not in _SMALL_WORDS]
    return bool(big) and all(not w[0].isalpha() or w[0].isupper() for w in big)


def _headline_like(unit: Unit) -> bool:
    return (unit.marker is None and not unit.image and unit.words <= MAX_HEADLINE_WORDS
            and len(unit.text) <= 120 and not _ends_clause(unit.text) and label_of(unit) is None)


def _alt_like(unit: Unit) -> bool:
    if unit.image:
        return True
    return (unit.marker is None and not unit.rule and unit.words <= MAX_ALT_WORDS
            and not _ends_sentence(unit.text) and label_of(unit) is None)


def _kicker(unit: Unit) -> bool:
    if unit.marker is not None or len(unit.text) > 120 or not 2 <= unit.words <= 10:
        return False
    letters = [c for c in unit.text if c.isalpha()]
    # "SPONSORED BY ACME": capital words; "GPT-4 GPT-4" is a title of model names
    words = sum(len(w) >= 2 and w.isalpha() for w in unit.text.split())
    return len(letters) >= 6 and words >= 2 and all(c.isupper() for c in letters) \
        and not _ends_sentence(unit.text)


def _known_header(unit: Unit) -> bool:
    return unit.rule or (unit.marker is None and unit.text.strip().lower() in KNOWN_HEADERS)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(rf"^(?:(?:published|updated|posted)(?: on)?:?\s+)?(?:\w+day,?\s+)?"
                   rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?"
                   rf"\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})$", re.IGNORECASE)
_ISSUE_LINE = re.compile(r"^Issue (?P<number>\d{1,6})(?: · (?P<date>.+))?$"
                         r"|^(?P<alone>[A-Z][a-z]+ \d{1,2}, \d{4})$")
_WEB_LINE = re.compile(r"^View in browser: (?P<url>\S+)$")
# Only whole lines of web-page chrome: "Updated Models Beat Humans" or "Search Goes Multimodal"
# are titles (a date line needs its digits, a menu word stands alone).
_CLUTTER = re.compile(
    r"^(?:\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read|reading time(?=$|.*\d).{0,30}"
    r"|(?:published|updated|posted)\b(?=.*\d).{0,40}"
    r"|(?:share|tweet|forward|print|listen)(?:\s+(?:this|on \w+))?"
    r"|by .{1,40} · .{1,40}|home|menu|search|sign in|log in|subscribe)$", re.IGNORECASE)
_NAV_GAP = re.compile(r"\S(?: {3,}|\t)(?=\S)")
_TIMING = re.compile(r"^(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\s+-->\s+(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\b.*$")
_CUE_NUMBER = re.compile(r"^\d{1,6}$")
_CUE_TIMES = re.compile(r"^(?P<start>\S+) --> (?P<end>\S+)$")
"""A WEBVTT timing line a transcript block holds whole: the two times, no cue settings."""
_RENDERED_CUE = re.compile(r"^\[(?P<start>[\d:.]+) --> (?P<end>[\d:.]+)\] (?P<said>\S.*)$")
"""A cue as the plain text of a transcript block writes it."""
_SPEAKER = re.compile(r"^(?P<speaker>[A-Z][\w.’'-]*(?: [A-Z0-9][\w.’'-]*){0,3}): (?P<text>\S.*)$")
"""``Ana: text`` or ``Dr. Ana Ruiz: text`` at the start of a cue: its speaker."""


def _date_line(unit: Unit) -> bool:
    return unit.marker is None and bool(_DATE.match(unit.text))


def clutter(unit: Unit, names: frozenset[str] = frozenset()) -> bool:
    """Web-page chrome copied with a letter: reading time, a navigation line, a date line, the
    publication's name (one of ``names``) repeated."""
    if unit.marker is not None or unit.words > 12:
        return False
    return bool(_CLUTTER.match(unit.text) or _date_line(unit) or len(_NAV_GAP.findall(unit.text)) >= 2
                or unit.text in names)


def issue_date(text: str) -> datetime.date | None:
    """"November 27, 2026" as a date (the top block's format), or None."""
    try:
        return datetime.datetime.strptime(text.strip(), "%B %d, %Y").date()
    except ValueError:
        return None


def _signoff(unit: Unit) -> bool:
    if unit.marker is not None:
        return False
    text = unit.text.strip()
    if text.lower() in KNOWN_SIGNOFFS:
        return True
    return unit.words <= 4 and text[-1:] in "!," and ":" not in text


def _signature(unit: Unit) -> bool:
    """"Andrew", "The editors": a name or a team, capitalised, short, without a final stop."""
    words = unit.text.split()
    return (unit.marker is None and 1 <= len(words) <= 4 and not _ends_sentence(unit.text)
            and words[0][0].isupper() and not any(c.isdigit() for c in unit.text)
            and not _known_header(unit) and label_of(unit) is None)


# ---------------------------------------------------------------- the parser


@dataclass
class ParsedIssue:
    """What the parser found in a text."""

    letter: model.Letter | None
    stories: list[model.Story]
    footer: str | None
    warnings: list[Diagnostic]
    story_lines: list[tuple[int, int]]
    """First and last source line of each story."""
    info: model.IssueInfo
    """Number, date and web address from the top block (the subject is left to the caller)."""
    footer_stripped: bool = False
    """The publication's footer was recognised and left out."""
    comments: list[str] = field(default_factory=list)
    """Lines for the YAML's top comment: web-page clutter set aside."""


class _Parser:
    def __init__(self, units: list[Unit], source: str, publication: model.Publication | None):
        self.units = units
        self.source = source
        self.publication = publication
        self.warnings: list[Diagnostic] = []
        self.starts: dict[int, tuple[int, int]] = {}
        """Story start index → (headline index, first labeled section index)."""
        self.transcripts: dict[int, int] = {}
        """WEBVTT transcript start index → index after its last cue."""
        self.stories: list[model.Story] = []
        self.story_lines: list[tuple[int, int]] = []
        self.info = model.IssueInfo(subject="")
        self.footer_stripped = False
        self.comments: list[str] = []
        self.blank_style = any(u.gap for u in units[1:])
        """Blank lines separate paragraphs (two or more separate blocks)."""

    def warn(self, code: str, unit: Unit, message: str, hint: str | None = None,
             last: Unit | None = None) -> None:
        where = unit.lines if last is None or last is unit else f"lines {unit.first}–{last.last}"
        self.warnings.append(Diagnostic(code=code, severity=Severity.WARNING, file=self.source,
                                        line=unit.first, message=f"{where}: {message}", hint=hint))

    def add(self, story: model.Story, units: list[Unit]) -> None:
        self.stories.append(story)
        self.story_lines.append((units[0].first, units[-1].last))

    def set_aside(self, units: list[Unit], code: str, what: str) -> None:
        """Web-page clutter: kept word for word as YAML comments, not rendered, with a warning."""
        where = units[0].lines if len(units) == 1 else f"lines {units[0].first}–{units[-1].last}"
        self.warn(code, units[0], f"kept as a comment at the top of the YAML: {what}",
                  "delete the comment, or move what belongs to the issue into a block", last=units[-1])
        self.comments.append(f"Web-page text from {where} of the source, not part of the issue:")
        self.comments += [f"  {unit.text}" for unit in units]

    def kept(self, units: list[Unit], code: str, what: str, hint: str) -> None:
        """Units kept, in order, as a text block with a warning naming their lines."""
        self.warn(code, units[0], f"kept as a text block: {what}", hint, last=units[-1])
        self.add(model.Text(body=model.Markdown(_markdown(units))), units)

    # -- blocks in a text: the gaps --------------------------------------------

    def boundary(self, i: int) -> bool:
        """Two blank lines (or more) before a unit start a new block, in texts that use blank lines."""
        return self.blank_style and self.units[i].gap >= 2

    # -- the whole text ----------------------------------------------------------

    def parse(self) -> ParsedIssue:
        self.read_top_block()
        self.split_glued_labels()
        self.split_glued_headers()
        end = self.strip_footer()
        self.find_transcripts(end)
        self.find_stories(end)
        letter, i = self.letter(end)
        while i < end:
            if i in self.transcripts:
                i = self.transcript(i)
            elif i in self.starts:
                story, stop = self.news(i, end)
                self.add(story, self.units[i:stop])
                i = stop
            elif self.is_header(i, end):
                self.add(model.Header(title=self.units[i].text), [self.units[i]])
                i += 1
            else:
                j = i + 1
                while j < end and not self.block_start(j, end):
                    j += 1
                self.loose(i, j)
                i = j
        return ParsedIssue(letter=letter, stories=self.stories, footer=self.footer,
                           warnings=self.warnings, story_lines=self.story_lines, info=self.info,
                           footer_stripped=self.footer_stripped, comments=self.comments)

    def block_start(self, j: int, end: int) -> bool:
        return (j in self.starts or j in self.transcripts or self.boundary(j) or _kicker(self.units[j])
                or self.is_header(j, end))

    # -- the top block: name, "Issue 12 · November 27, 2026", "View in browser: ..." --------

    def read_top_block(self) -> None:
        """Name, ``Issue 12 · November 27, 2026`` and ``View in browser: ...``, then a blank line.

        Number and date go to the issue; the name is left out only when it is the name of the
        publication (or render's default), else it stays for the shapes after to read (as clutter
        before the letter, with a warning); the web line is the publication's, not content.
        """
        units = self.units
        if len(units) < 2 or units[0].marker is not None:
            return
        k = 1
        number = date = None
        if units[k].gap == 0 and (issue := _ISSUE_LINE.match(units[k].text)):
            number = int(issue.group("number")) if issue.group("number") else None
            written = issue.group("date") or issue.group("alone")
            date = issue_date(written) if written else None
            if written and date is None:
                return  # a date in another format: leave the line to be read as content
            k += 1
        if k < len(units) and units[k].gap == 0 and _WEB_LINE.match(units[k].text):
            k += 1
        known = units[0].text in {DEFAULT_PUBLICATION.name, getattr(self.publication, "name", None)}
        if (k == 1 and not known) or (k < len(units) and units[k].gap == 0):
            return  # not a top block of its own: read it as content
        self.info.number, self.info.date = number, date
        self.units = units[k:] if known else [units[0], *units[k:]]

    # -- transcripts ------------------------------------------------------------------

    def find_transcripts(self, end: int) -> None:
        i = 0
        while i < end:
            unit = self.units[i]
            if unit.marker is None and (unit.text == "WEBVTT" or unit.text.startswith("WEBVTT ")):
                self.transcripts[i] = self.cues_end(i + 1, end)
                i = self.transcripts[i]
            elif self.rendered_cue(i):
                i = self.rendered_transcript(i, end)
            else:
                i += 1

    def rendered_cue(self, i: int) -> bool:
        return self.units[i].marker is None and _RENDERED_CUE.match(self.units[i].text) is not None

    def rendered_transcript(self, i: int, end: int) -> int:
        """A transcript block as the plain text writes it: a title line, then one cue a paragraph."""
        stop = i + 1
        while stop < end and not self.boundary(stop) and self.rendered_cue(stop):
            stop += 1
        titled = i > 0 and not self.boundary(i) and self.units[i - 1].marker is None \
            and (i - 1 == 0 or self.boundary(i - 1)) and (i - 1) not in self.transcripts
        self.transcripts[i - 1 if titled else i] = stop
        return stop

    def cue_start(self, i: int, end: int) -> int | None:
        """Index after the cue number and timing line starting at i, or None."""
        units = self.units
        if i + 1 < end and _CUE_NUMBER.match(units[i].text) and units[i + 1].gap == 0 \
                and _TIMING.match(units[i + 1].text):
            return i + 2
        return i + 1 if i < end and _TIMING.match(units[i].text) else None

    def cues_end(self, i: int, end: int) -> int:
        """The cues of a transcript: number, timing, up to three text lines; one blank line between."""
        units = self.units
        first = i
        while i < end and i - first < MAX_VTT_HEADER and units[i].gap == 0 and self.cue_start(i, end) is None:
            i += 1  # header lines under WEBVTT ("Kind: captions")
        if self.cue_start(i, end) is None:
            return first  # a WEBVTT line without cues after it: only that line
        while i < end and not self.boundary(i) and (j := self.cue_start(i, end)) is not None:
            lines = 0
            while j < end and lines < 3 and units[j].gap == 0 and self.cue_start(j, end) is None \
                    and not _known_header(units[j]) \
                    and not (_headline_like(units[j]) and self.labeled_soon(j + 1, end)):
                j += 1
                lines += 1
            i = j
        return i

    def transcript(self, i: int) -> int:
        """A transcript block, or a WEBVTT transcript it cannot hold kept as text."""
        stop = self.transcripts[i]
        units = self.units[i:stop]
        if not units[0].text.startswith("WEBVTT"):
            title = None if self.rendered_cue(i) else units[0].text
            rendered = [_rendered_cue(unit.text) for unit in units[1 if title else 0:]]
            self.add(Transcript(cues=rendered, title=title), units)
            return stop
        first_cue = i + 1
        while first_cue < stop and units[first_cue - i].gap == 0 and self.cue_start(first_cue, stop) is None:
            first_cue += 1  # header lines under WEBVTT ("Kind: captions")
        found = self.webvtt_cues(first_cue, stop)
        if found is not None and units[0].text == "WEBVTT":
            if first_cue > i + 1:
                self.vtt_header(units[1:first_cue - i])
            self.add(Transcript(cues=found), units)
            return stop
        cues: list[list[str]] = []
        for unit in units:
            if unit.gap or not cues:
                cues.append([])
            cues[-1].append(escape(unit.text))
        self.warn(codes.TRANSCRIPT_AS_TEXT, units[0], "a WEBVTT transcript with cue settings, named cues "
                  "or times a transcript block cannot hold, kept as a text block with its cues and timings "
                  "as written", "keep it, shorten it, or link to it", last=units[-1])
        self.add(model.Text(body=model.Markdown("\n\n".join("\\\n".join(cue) for cue in cues))), units)
        return self.transcripts[i]

    def vtt_header(self, units: list[Unit]) -> None:
        """``Kind: captions`` under WEBVTT describes the file, not the issue: kept as YAML comments."""
        where = units[0].lines if len(units) == 1 else f"lines {units[0].first}–{units[-1].last}"
        self.warn(codes.TRANSCRIPT_HEADER, units[0], "WEBVTT header lines, kept as a comment at the top "
                  "of the YAML", "delete the comment: it describes the captions file, not the issue",
                  last=units[-1])
        self.comments.append(f"WEBVTT header from {where} of the source, not part of the issue:")
        self.comments += [f"  {unit.text}" for unit in units]

    def webvtt_cues(self, i: int, stop: int) -> list[Cue] | None:
        """The cues of a WEBVTT transcript, or None when it holds what a transcript block cannot:
        header lines, cue identifiers other than their number, cue settings, invalid times."""
        units = self.units
        cues: list[Cue] = []
        while i < stop:
            body = self.cue_start(i, stop)
            if body is None or (body == i + 2 and units[i].text != str(len(cues) + 1)):
                return None
            times = _CUE_TIMES.match(units[body - 1].text)
            after = body
            while after < stop and self.cue_start(after, stop) is None:
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

    def is_header(self, i: int, end: int) -> bool:
        unit = self.units[i]
        if _known_header(unit):
            return True
        # A short line alone between two block gaps: "News" in the rendered layout.
        return (self.blank_style and unit.words <= 4 and _headline_like(unit)
                and not re.search(r"[.!?:;]", unit.text) and (i == 0 or self.boundary(i))
                and (i + 1 >= end or self.boundary(i + 1)))

    # -- glued labels ----------------------------------------------------------------

    def split_glued_labels(self) -> None:
        out: list[Unit] = []
        for unit in self.units:
            while unit.marker is None:
                match = _GLUED.search(unit.text)
                if match is None or len(match.group("label").split()) > MAX_LABEL_WORDS:
                    break
                head = Unit(unit.text[:match.start("label")].rstrip(), unit.first, unit.last,
                            unit.gap)
                out.append(head)
                label = match.group("label")
                self.warn(codes.GLUED_LABEL, unit, f"label '{label}:' was glued to the end of the previous "
                          "sentence; split into its own section",
                          "check the new section in the YAML")
                unit = Unit(unit.text[match.start("label"):], unit.first, unit.last, 1)
            out.append(unit)
        self.units = out

    def split_glued_headers(self) -> None:
        """"NewsUpping the Ante": a known section header stuck to the headline after it."""
        out: list[Unit] = []
        for unit in self.units:
            match = _GLUED_HEADER.match(unit.text) if unit.marker is None else None
            if match is not None:
                rest = Unit(unit.text[match.end():], unit.first, unit.last, 0)
                if _headline_like(rest) and not _kicker(unit):
                    self.warn(codes.GLUED_HEADER, unit, f"header '{match.group(0)}' was glued to the "
                              f"headline '{rest.text}'; split in two", "check the header and the headline")
                    out += [Unit(match.group(0), unit.first, unit.first, unit.gap), rest]
                    continue
            out.append(unit)
        self.units = out

    # -- footer -------------------------------------------------------------------------

    def strip_footer(self) -> int:
        """Index where the footer starts; the issue's own footer text goes to self.footer."""
        self.footer: str | None = None
        units = self.units
        end = len(units)
        pub = self.publication
        # What render adds after the footer, from the end: the publication's unsubscribe line and
        # postal address, or without a publication the default unsubscribe line.
        added = [f"Unsubscribe: {DEFAULT_PUBLICATION.unsubscribe_url}"]
        if pub is not None:
            added = [f"Unsubscribe: {pub.unsubscribe_url}" if pub.unsubscribe_url else "",
                     pub.postal_address or ""]
        for line in added:
            if line and end and _same(units[end - 1].text, line):
                end -= 1
        if pub is not None:
            paragraphs = _plain_paragraphs(pub.footer or "")
            k = len(paragraphs)
            if k and end >= k and all(_same(units[end - k + n].text, p) for n, p in enumerate(paragraphs)):
                self.footer_stripped = True
                return end - k
        # The issue's own footer: a short last block that reads like one.
        if self.blank_style:
            start = max((i for i in range(1, end) if self.boundary(i)), default=end)
        else:
            start = end - 1
        if 0 < start < end and end - start <= 4 and units[start].words <= 30 \
                and any(_FOOTER_WORDS.search(u.text) for u in units[start:end]):
            self.footer = _markdown(units[start:end])
            return start
        return end

    # -- news ---------------------------------------------------------------------

    def find_stories(self, end: int) -> None:
        """Anchor each story on its first labeled paragraph, the headline and dek just before it."""
        units = self.units
        taken = -1
        inside = [False] * end  # units of a transcript: its speakers are not news sections
        for a, b in self.transcripts.items():
            inside[a:b] = [True] * (min(b, end) - a)
        for j in range(end):
            if j <= taken or label_of(units[j]) is None or inside[j]:
                continue
            k = j - 1
            while k >= 0 and j - 1 - k < MAX_PREAMBLE and units[k].marker is None \
                    and label_of(units[k]) is None and not _headline_like(units[k]) \
                    and not self.boundary(k + 1):
                k -= 1
            if k < 0 or k <= taken or not _headline_like(units[k]) or self.boundary(k + 1) \
                    or _kicker(units[k]) or _known_header(units[k]):
                continue
            if any(self.boundary(m) for m in range(k + 1, j + 1)):
                continue
            stop = self.story_end(j, end)
            labels = [found[0] for u in units[j:stop] if (found := label_of(u)) is not None]
            if len(set(labels)) < len(labels):
                continue  # labels that repeat are speakers of a transcript, not news sections
            start = k
            if k - 1 > taken and _alt_like(units[k - 1]) and not self.boundary(k) \
                    and not _known_header(units[k - 1]) and not _kicker(units[k - 1]) \
                    and label_of(units[k - 1]) is None:
                start = k - 1
            self.starts[start] = (k, j)
            taken = stop - 1

    def story_end(self, j: int, end: int) -> int:
        """The first unit after the sections that begin at j."""
        units = self.units
        for i in range(j + 1, end):
            if self.boundary(i) or i in self.transcripts or _kicker(units[i]) or _known_header(units[i]):
                return i
            if _headline_like(units[i]) and self.labeled_soon(i + 1, end):
                return i  # the next story's headline (or its image alt line)
        return end

    def labeled_soon(self, i: int, end: int) -> bool:
        """A labeled paragraph follows within a dek's reach, with only paragraphs before it."""
        for m in range(i, min(i + 1 + MAX_PREAMBLE, end)):
            if self.boundary(m) or self.units[m].marker is not None:
                return False
            if label_of(self.units[m]) is not None:
                return True
        return False

    def news(self, start: int, end: int) -> tuple[model.News, int]:
        units = self.units
        headline_at, first_label = self.starts[start]
        image = model.Image(alt=units[start].text) if start < headline_at else None
        paragraphs = units[headline_at + 1:first_label]
        dek = escape(paragraphs[0].text) if paragraphs else None
        sections = [model.Section(label=None, body=model.Markdown(escape(u.text)))
                    for u in paragraphs[1:]]
        stop = self.story_end(first_label, end)
        # a story that ends where the next one starts
        for s in self.starts:
            if first_label < s < stop:
                stop = s
        current: list[Unit] = []
        label: str | None = None
        for unit in units[first_label:stop]:
            found = label_of(unit)
            if found is not None:
                if current or label is not None:
                    sections.append(_section(label, current))
                label, rest = found
                current = [Unit(rest, unit.first, unit.last)] if rest else []
            else:
                current.append(unit)
        sections.append(_section(label, current))
        story = model.News(headline=units[headline_at].text, dek=model.Markdown(dek) if dek else None,
                           image=image, sections=sections)
        return story, stop

    # -- letter ------------------------------------------------------------------------

    def salutation_at(self, end: int) -> int | None:
        """Where the letter starts: its salutation, first or after a few lines of web clutter."""
        first_block = min([*self.starts, *self.transcripts, end, MAX_CLUTTER + 1])
        for s, unit in enumerate(self.units[:first_block]):
            if unit.marker is None and _SALUTATION.match(unit.text):
                return s
            if _known_header(unit) or unit.words > 30 or (label_of(unit) is not None and not clutter(unit)):
                return None
        return None

    def letter(self, end: int) -> tuple[model.Letter | None, int]:
        start = self.salutation_at(end)
        if start is None:
            return None, 0
        if start:
            self.set_aside(self.units[:start], codes.CLUTTER_BEFORE_LETTER, "text before the letter's "
                           "salutation (web-page clutter: reading time, navigation, a caption, a date)")
        return self.letter_body(start, end)

    def letter_body(self, start: int, end: int) -> tuple[model.Letter, int]:
        units = self.units
        first_story = min([*self.starts, *self.transcripts, end])
        i = start + 1
        body: list[Unit] = []
        signoff = signature = None
        ps: list[Unit] = []
        limit = first_story
        while i < limit:
            unit = units[i]
            if _PS.match(unit.text) and unit.marker is None:
                break
            if _signoff(unit) and self.after_signoff(i + 1, limit):
                signoff = unit.text
                i += 1
                if i < limit and _signature(units[i]) and i not in self.starts \
                        and not self.boundary(i) and not self.is_header(i, end):
                    signature = units[i].text
                    i += 1
                break
            if body and (self.boundary(i) or _known_header(unit) or _kicker(unit)) or i in self.transcripts:
                break
            body.append(unit)
            i += 1
        if i < limit and units[i].marker is None and (match := _PS.match(units[i].text)):
            ps.append(Unit(match.group("text"), units[i].first, units[i].last))
            i += 1
            while self.blank_style and i < limit and not self.boundary(i) and units[i].gap <= 1 \
                    and not self.block_start(i, end):
                ps.append(units[i])
                i += 1
        if not body and signoff is None:
            self.warn(codes.EMPTY_LETTER, units[start], "a salutation but no letter after it")
        letter = model.Letter(body=model.Markdown(_markdown(body, images=True)),
                              salutation=units[start].text, signoff=signoff, signature=signature,
                              ps=model.Markdown(_markdown(ps)) if ps else None)
        return letter, i

    def after_signoff(self, i: int, limit: int) -> bool:
        """A sign-off ends the letter: what follows is a signature, a P.S. or the next block."""
        units = self.units
        if i >= limit or i in self.starts or self.boundary(i):
            return True
        nxt = units[i]
        return bool(_PS.match(nxt.text)) or _signature(nxt) or _known_header(nxt) or _kicker(nxt) \
            or units[i - 1].text.lower() in KNOWN_SIGNOFFS

    # -- everything else -----------------------------------------------------------

    def loose(self, i: int, j: int) -> None:
        """Units between the shapes found so far: a promo, a feature, or kept as text."""
        units = self.units[i:j]
        lead = 0
        names = frozenset({DEFAULT_PUBLICATION.name, getattr(self.publication, "name", "")} - {""})
        while lead < len(units) and clutter(units[lead], names):
            lead += 1
        if lead:
            self.set_aside(units[:lead], codes.WEB_CLUTTER,
                           "web-page text (reading time, navigation, a date), not a block of the issue")
            units = units[lead:]
            if not units:
                return
        first = units[0]
        if any(_date_line(units[k]) and _headline_like(units[k - 1]) for k in range(1, len(units))):
            self.kept(units, codes.INDEX_CARDS, "index cards (a title, a date, a summary), not stories",
                      "keep them as text, or link to the issues they list")
        elif _kicker(first) or self.promo_like(units):
            self.add(self.promo(units), units)
        elif len(units) >= 2 and _headline_like(first) and all(u.gap <= 1 for u in units[1:]) \
                and any(u.marker is not None or _ends_sentence(u.text) for u in units[1:]):
            self.add(self.feature(units), units)
        else:
            self.kept(units, codes.UNCLASSIFIED_TEXT, "not a letter, story, promo, feature or footer",
                      "move it into the right block by hand")

    def promo_like(self, units: list[Unit]) -> bool:
        if len(units) > 4:
            return False
        last = units[-1]
        for shape in (_CTA, _CTA_URL):
            if last.marker is None and (match := shape.match(last.text)) and _cta_words_ok(match):
                return True
        return any(_PROMO_WORDS.search(u.text) for u in units)

    def promo(self, units: list[Unit]) -> model.Promo:
        kicker = None
        if _kicker(units[0]):
            kicker = units[0].text
            units = units[1:]
        image = None
        if len(units) >= 2 and _alt_like(units[0]):
            image = model.Image(alt=units[0].text)
            units = units[1:]
        cta = None
        if units and units[-1].marker is None:
            last = units[-1]
            match = _CTA_URL.match(last.text) or _CTA.match(last.text)
            if match and _cta_words_ok(match) and (match.group("body") or len(units) >= 2):
                cta = model.Link(text=match.group("cta"), url=_url(match.group("url")))
                body = match.group("body")
                units = [*units[:-1], *([Unit(body, last.first, last.last, last.gap)] if body else [])]
            elif len(units) >= 2 and (alone := _CTA_ALONE.match(last.text)) and _cta_words_ok(alone):
                cta = model.Link(text=alone.group("cta"), url=_url(alone.group("url")))
                units = units[:-1]
        return model.Promo(body=model.Markdown(_markdown(units)), kicker=kicker, image=image, cta=cta)

    def feature(self, units: list[Unit]) -> model.Feature:
        image = None
        if len(units) >= 3 and _alt_like(units[0]) and _headline_like(units[1]) \
                and not _BYLINE.match(units[1].text) \
                and (units[0].image or title_case(units[1].text) or not title_case(units[0].text)):
            image = model.Image(alt=units[0].text)
            units = units[1:]
        title, units = units[0].text, units[1:]
        byline = None
        if units and _BYLINE.match(units[0].text) and not _ends_clause(units[0].text) and len(units) > 1:
            byline, units = units[0].text, units[1:]
        return model.Feature(title=title, body=model.Markdown(_markdown(units, images=True)),
                             image=image, byline=byline)


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


def _url(found: str | None) -> model.Url | None:
    return model.Url(found) if found else None


def _cta_words_ok(match: re.Match) -> bool:
    return len(match.group("cta").split()) <= MAX_CTA_WORDS


def _section(label: str | None, units: list[Unit]) -> model.Section:
    return model.Section(label=label, body=model.Markdown(_markdown(units)))


def _markdown(units: list[Unit], *, images: bool = False) -> str:
    """Units as Markdown: paragraphs apart, list items together, alt lines as images."""
    out: list[str] = []
    previous: Unit | None = None
    for unit in units:
        if unit.marker is not None:
            marker = "-" if unit.marker == "•" else unit.marker
            found = _LABEL.match(unit.text)
            # "Speed versus accuracy: In academia, ...": a lead-in, not a sentence with a colon
            if found and _LEAD_IN_REST.match(found.group("rest") or "") \
                    and len(found.group("label").split()) <= MAX_LABEL_WORDS:
                text = bold_label(found.group("label"), found.group("rest"))
            else:
                text = escape(unit.text)
            item = f"{'  ' * (unit.depth - 1)}{marker} {text}"
            if previous is not None and previous.marker is not None:
                out[-1] += "\n" + item
            else:
                out.append(item)
        elif unit.image or (images and caption_like(unit)):
            out.append(f"![{escape(unit.text, line_start=False)}]()")
        else:
            out.append(escape(unit.text))
        previous = unit
    return "\n\n".join(out)


def _plain_paragraphs(text: str) -> list[str]:
    from authoring.render.text import markdown_plain

    return [p for p in markdown_plain(text).split("\n\n") if p.strip()]


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()


def parse_units(units: list[Unit], *, source: str,
                publication: model.Publication | None) -> ParsedIssue:
    """The letter, stories and footer in a text's units, with a warning for each doubt."""
    return _Parser(units, source, publication).parse()
