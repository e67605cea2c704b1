"""The shapes of the house layout, read on one unit: a label, a headline, a kicker, a caption.

Small predicates shared by the importer's stages and the blocks' recognisers (handed to
them through ``authoring.blocks.Reading``), and the writer of units as Markdown.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from authoring.importer.markdown import bold_label, escape
from authoring.importer.units import Unit

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

SALUTATION = re.compile(
    r"^(dear|hi|hello|hey|greetings|good (morning|afternoon|evening)|friends|to our)\b.{0,40}[,!:]$",
    re.IGNORECASE)
LABEL = re.compile(r"^(?P<label>[A-Z0-9“\"‘'][^:.!?\n]{0,58}?):(?:\s+(?P<rest>\S.*))?$")
GLUED = re.compile(r"(?<=[a-z0-9)”\"’][.!?])(?P<label>[A-Z][\w’' ,()-]{1,40}?):\s")
LEAD_IN_REST = re.compile(r"[“\"‘']?[A-Z]")
PS = re.compile(r"^P\.?\s?S\.?(?::|\s)\s*(?P<text>.*)$")
FOOTER_WORDS = re.compile(
    r"(unsubscribe|subscribe|©|copyright|all rights reserved|you (are )?receiv|preferences|"
    r"view (it )?in (your )?browser|mailing list)", re.IGNORECASE)
BARE_URL = re.compile(r"^(?:(?:https?|mailto|tel):\S+|\{\{\s*\w+\s*\}\}|\*\|\w+\|\*|%\w+%)$")
GLUED_HEADER = re.compile("^(?:" + "|".join(sorted(
    (re.escape(h.title()) for h in KNOWN_HEADERS), key=len, reverse=True)) + ")(?=[A-Z0-9“‘\"'])")
CLOSERS = "”’\"')]»"

MAX_LABEL_WORDS = 8
MAX_HEADLINE_WORDS = 16
MAX_ALT_WORDS = 30
MAX_CLUTTER = 12
"""Units before a salutation that may still be web-page clutter rather than content."""




def ends_clause(text: str) -> bool:
    return text.rstrip(CLOSERS)[-1:] in ".:;,…"


def ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS)[-1:] in ".!?:;,…"


def label_of(unit: Unit) -> tuple[str, str] | None:
    """('What’s new', 'text') for a ``Short label: text`` paragraph."""
    if unit.marker is not None or unit.image or unit.rule:
        return None
    match = LABEL.match(unit.text)
    if not match or len(match.group("label").split()) > MAX_LABEL_WORDS:
        return None
    if match.group("label").lower().startswith(("http", "www")):
        return None
    rest = match.group("rest") or ""
    if BARE_URL.match(rest) or titled(rest):
        return None  # "Enroll now: https://..." is a call to action, "Big Idea: Lessons From X" a title
    return match.group("label"), rest


SMALL_WORDS = {"a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by",
                "with", "from", "vs", "vs.", "as", "into", "is", "are", "its", "it’s", "via", "than"}


def titled(rest: str) -> bool:
    """The part after ": " of a title: title case, no final stop ("Lessons From the Valley")."""
    words = rest.split()
    if not 2 <= len(words) <= 12 or ends_sentence(rest):
        return False
    big = [w for w in words if w.lower() not in SMALL_WORDS]
    return bool(big) and all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in big)


_DANGLING = SMALL_WORDS | {"that", "which", "who", "if", "when", "because", "so", "it", "we", "i",
                            "you", "they", "can", "will", "would", "should", "be", "was", "were",
                            "has", "have", "this", "these", "their", "our", "my", "your", "more"}


_TIME_SPAN = re.compile(r"\d:\d\d|->|→")


def caption_like(unit: Unit) -> bool:
    """A line that reads as an image caption, not a short paragraph or a cut-off sentence."""
    if unit.image:
        return True
    text = unit.text
    if not alt_like(unit) or not 2 <= unit.words <= 20 or not (text[:1].isupper() or text[:1].isdigit()):
        return False
    if any(c in text for c in ",!?;") or any(unicodedata.category(c) == "So" for c in text):
        return False  # a clause, an exclamation, an emoji: a reader's paragraph
    if _TIME_SPAN.search(text):
        return False  # "10:00 -> 11:00 Keynote": an agenda's line
    words = [w.lower() for w in text.split()]
    if any(w in _VERBISH for w in words):
        return False  # "The best part was the final project": a sentence, not a caption
    return words[-1][-1:].isalnum() and words[-1] not in _DANGLING


_VERBISH = {"i", "we", "you", "they", "he", "she", "it", "it’s", "is", "are", "was", "were", "am", "be",
            "been", "has", "have", "had", "will", "would", "can", "could", "should", "do", "does", "did",
            "them", "us", "me", "now", "this", "that", "these", "there", "here", "not", "never"}


def title_case(text: str) -> bool:
    """Every word but the small ones capitalised: "A Year of Open Models"."""
    big = [w for w in text.split() if w.lower() not in SMALL_WORDS]
    return bool(big) and all(not w[0].isalpha() or w[0].isupper() for w in big)


def headline_like(unit: Unit) -> bool:
    return (unit.marker is None and not unit.image and unit.words <= MAX_HEADLINE_WORDS
            and len(unit.text) <= 120 and not ends_clause(unit.text) and label_of(unit) is None)


_NUMBERED = re.compile(r"\d{1,3}[.)]\s")
"""A line opening as a numbered list item does ("1. First", "2) Then"): a list's item, never a caption."""


def alt_like(unit: Unit) -> bool:
    if unit.image:
        return True
    # an address is a link for the reader to follow ("... Enroll now (https://...)"), never in alt text
    return (unit.marker is None and not unit.rule and unit.words <= MAX_ALT_WORDS
            and not ends_sentence(unit.text) and label_of(unit) is None
            and not _NUMBERED.match(unit.text) and "://" not in unit.text)


def kicker(unit: Unit) -> bool:
    if unit.marker is not None or len(unit.text) > 120 or not 2 <= unit.words <= 10:
        return False
    letters = [c for c in unit.text if c.isalpha()]
    # "SPONSORED BY ACME": capital words; "GPT-4 GPT-4" is a title of model names
    words = sum(len(w) >= 2 and w.isalpha() for w in unit.text.split())
    return len(letters) >= 6 and words >= 2 and all(c.isupper() for c in letters) \
        and not ends_sentence(unit.text)


def known_header(unit: Unit) -> bool:
    return unit.rule or (unit.marker is None and unit.text.strip().lower() in KNOWN_HEADERS)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE = re.compile(rf"^(?:(?:published|updated|posted)(?: on)?:?\s+)?(?:\w+day,?\s+)?"
                   rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?"
                   rf"\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})$", re.IGNORECASE)
ISSUE_LINE = re.compile(r"^Issue (?P<number>\d{1,6})(?: · (?P<date>.+))?$"
                         r"|^(?P<alone>[A-Z][a-z]+ \d{1,2}, \d{4})$")
WEB_LINE = re.compile(r"^View in browser: (?P<url>\S+)$")
# Only whole lines of web-page chrome: "Updated Models Beat Humans" or "Search Goes Multimodal"
# are titles (a date line needs its digits, a menu word stands alone).
CLUTTER = re.compile(
    r"^(?:\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read|reading time(?=$|.*\d).{0,30}"
    r"|(?:published|updated|posted)\b(?=.*\d).{0,40}"
    r"|(?:share|tweet|forward|print|listen)(?:\s+(?:this|on \w+))?"
    r"|by .{1,40} · .{1,40}|home|menu|search|sign in|log in|subscribe)$", re.IGNORECASE)
NAV_GAP = re.compile(r"\S(?: {3,}|\t)(?=\S)")


def date_line(unit: Unit) -> bool:
    return unit.marker is None and bool(DATE.match(unit.text))


def clutter(unit: Unit, names: frozenset[str] = frozenset()) -> bool:
    """Web-page chrome copied with a letter: reading time, a navigation line, a date line, the
    publication's name (one of ``names``) repeated."""
    if unit.marker is not None or unit.words > 12:
        return False
    return bool(CLUTTER.match(unit.text) or date_line(unit) or len(NAV_GAP.findall(unit.text)) >= 2
                or unit.text in names)


def issue_date(text: str) -> datetime.date | None:
    """"November 27, 2026" as a date (the top block's format), or None."""
    try:
        return datetime.datetime.strptime(text.strip(), "%B %d, %Y").date()
    except ValueError:
        return None


def signoff(unit: Unit) -> bool:
    if unit.marker is not None:
        return False
    text = unit.text.strip()
    if text.lower() in KNOWN_SIGNOFFS:
        return True
    return unit.words <= 4 and text[-1:] in "!," and ":" not in text


def signature(unit: Unit) -> bool:
    """"Andrew", "The editors": a name or a team, capitalised, short, without a final stop."""
    words = unit.text.split()
    return (unit.marker is None and 1 <= len(words) <= 4 and not ends_sentence(unit.text)
            and words[0][0].isupper() and not any(c.isdigit() for c in unit.text)
            and not known_header(unit) and label_of(unit) is None)


_SPACE_RUN = re.compile(r"(?<=\S) {2,}(?=\S)")
MIN_LEAD_INS = 2
"""Paragraphs of a letter or feature opening with a label (``Data labeling: ...``) that make them
lead-ins, bold as the house writes them; one alone may be a sentence with a colon."""


def _lead_ins(units: list[Unit]) -> set[int]:
    """Indexes of the paragraphs whose label is a lead-in: two or more, all different, none a letter
    or two (``Q:``), each followed by a capitalised sentence."""
    found = {n: got[0] for n, u in enumerate(units) if u.marker is None and not u.image and "\n" not in u.text
             and (got := label_of(u)) is not None and len(got[0]) > 2 and LEAD_IN_REST.match(got[1])}
    labels = list(found.values())
    return set(found) if len(labels) >= MIN_LEAD_INS and len(set(labels)) == len(labels) else set()


def paragraph(text: str) -> str:
    """A paragraph's text as Markdown: runs of spaces as one (the rendered text wraps them away),
    its line breaks (a question and its answer) kept as hard breaks."""
    return "\\\n".join(escape(_SPACE_RUN.sub(" ", line)) for line in text.split("\n"))


def markdown(units: list[Unit], *, images: bool = False) -> str:
    """Units as Markdown: paragraphs apart, list items together, alt lines as images; in a letter or
    feature (``images``) captions as images and lead-in labels in bold."""
    out: list[str] = []
    previous: Unit | None = None
    lead_ins = _lead_ins(units) if images else set()
    for n, unit in enumerate(units):
        if unit.marker is not None:
            marker = "-" if unit.marker == "•" else unit.marker
            found = LABEL.match(unit.text)
            # "Speed versus accuracy: In academia, ...": a lead-in, not a sentence with a colon
            if found and LEAD_IN_REST.match(found.group("rest") or "") \
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
        elif n in lead_ins and (got := label_of(unit)) is not None:
            out.append(bold_label(got[0], _SPACE_RUN.sub(" ", got[1])))
        else:
            out.append(paragraph(unit.text))
        previous = unit
    return "\n\n".join(out)


def plain_paragraphs(text: str) -> list[str]:
    from authoring.render.text import markdown_plain

    return [p for p in markdown_plain(text).split("\n\n") if p.strip()]


def same(a: str, b: str) -> bool:
    return a.split() == b.split()

