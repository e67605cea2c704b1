"""Read the units of a past issue's plain text into the model.

The shapes of the house layout are recognised on the sequence of units
(``authoring.importer.units``):

- the top block of a rendered text (name, ``Issue 12 · November 27, 2026``, the
  web link) gives the number and date;
- glued lines are split, each with a warning (``authoring.importer.glue``);
- the footer at the end is recognised and left to the publication that renders it;
- the blocks' recognisers (``authoring.blocks``, one or more beside each block type) that
  scan the whole text find theirs first: transcripts, index cards, news stories, headers;
- the letter runs from the salutation to the sign-off, signature and P.S.
  (``authoring.importer.letter``);
- each run of units between those blocks goes to the first recogniser whose evidence it
  holds (a promo's kicker or call to action, a feature's title and paragraphs); the text
  block's takes the rest, with a warning naming its lines: nothing is ever dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from authoring import blocks, codes, model
from authoring.checks import long_or_glued
from authoring.diagnostics import Diagnostic, Severity
from authoring.importer import glue, letter, shapes
from authoring.importer.markdown import escape
from authoring.importer.shapes import Unit
from authoring.importer.units import line_span
from authoring.validate import DEFAULT_PUBLICATION

WALL_MIN = 30
"""Shorter paragraphs hold neither a wall of text nor a run of glued words."""


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
    """Number, date and web address from the top block; the subject when the web page gave one."""
    footer_stripped: bool = False
    """The publication's footer was recognised and left out."""
    comments: list[str] = field(default_factory=list)
    """Lines for the YAML's top comment: web-page clutter set aside."""
    evidence: list[str] = field(default_factory=list)
    """What each story was recognised on, in order."""
    subject_line: int | None = None
    """The source line of the web page's title, when it gave the subject."""


class Parser:
    """The text's units and what was read in them; the ``blocks.Reading`` its recognisers get."""

    def __init__(self, units: list[Unit], source: str, publication: model.Publication | None):
        self.units = units
        self.source = source
        self.publication = publication
        self.publication_names = frozenset(
            {DEFAULT_PUBLICATION.name, getattr(publication, "name", "")} - {""})
        """Names the page may repeat as chrome: the publication's and render's default."""
        self.warnings: list[Diagnostic] = []
        self.stories: list[model.Story] = []
        self.story_lines: list[tuple[int, int]] = []
        self.evidence: list[str] = []
        self.info = model.IssueInfo(subject="")
        self.footer: str | None = None
        self.footer_stripped = False
        self.comments: list[str] = []
        self.memo: dict = {}
        self.starts: dict[int, tuple[blocks.Recogniser, int]] = {}
        """Start of each block a scanning recogniser found → (the recogniser, its stop)."""
        self.claims: list[bool] = []
        self.blank_style = any(u.gap for u in units[1:])
        """Blank lines separate paragraphs (two or more separate blocks)."""

    # -- what a recogniser reads (blocks.Reading) ------------------------------------

    def boundary(self, i: int) -> bool:
        return self.blank_style and self.units[i].gap >= 2

    def claimed(self, i: int) -> bool:
        return i < len(self.claims) and self.claims[i]

    def label(self, unit: Unit) -> tuple[str, str] | None:
        return shapes.label_of(unit)

    def headline(self, unit: Unit) -> bool:
        return shapes.headline_like(unit)

    def alt(self, unit: Unit) -> bool:
        return shapes.alt_like(unit)

    def kicker(self, unit: Unit) -> bool:
        return shapes.kicker(unit)

    def header(self, unit: Unit) -> bool:
        return shapes.known_header(unit)

    def clutter(self, unit: Unit) -> bool:
        return shapes.clutter(unit, self.publication_names)

    def date(self, unit: Unit) -> bool:
        return shapes.date_line(unit)

    def title_case(self, text: str) -> bool:
        return shapes.title_case(text)

    def sentence(self, text: str) -> bool:
        return shapes.ends_sentence(text)

    def markdown(self, units: Sequence[Unit], images: bool = False) -> str:
        return shapes.markdown(list(units), images=images)

    def escape(self, text: str) -> str:
        return escape(text)

    def lines(self, units: Sequence[Unit]) -> str:
        return line_span(units[0].first, units[-1].last)

    def warn(self, code: str, first: Unit, message: str, hint: str | None = None,
             last: Unit | None = None) -> None:
        where = line_span(first.first, (last or first).last)
        self.warnings.append(Diagnostic(code=code, severity=Severity.WARNING, file=self.source,
                                        line=first.first, message=f"{where}: {message}", hint=hint))

    def comment(self, units: Sequence[Unit], code: str, what: str, message: str, hint: str) -> None:
        where = self.lines(units)
        self.warn(code, units[0], message, hint, last=units[-1])
        self.comments.append(f"{what} from {where} of the source, not part of the issue:")
        # a unit may hold line breaks (a question and its answer): each line a comment line of its own
        self.comments += [f"  {line}" for unit in units for line in unit.text.split("\n")]

    # -- the parser's own ---------------------------------------------------------------

    def add(self, found: blocks.Found, units: Sequence[Unit]) -> None:
        self.stories.append(found.story)
        self.story_lines.append((units[0].first, units[-1].last))
        self.evidence.append(found.evidence)

    def set_aside(self, units: list[Unit], code: str, what: str) -> None:
        """Web-page clutter: kept word for word as YAML comments, not rendered, with a warning."""
        self.comment(units, code, "Web-page text", f"kept as a comment at the top of the YAML: {what}",
                     "delete the comment, or move what belongs to the issue into a block")

    def opens(self, i: int) -> bool:
        """A block a scanning recogniser found starts at unit i."""
        return i in self.starts

    def block_start(self, j: int) -> bool:
        return j in self.starts or self.boundary(j) or shapes.kicker(self.units[j])

    def parse(self) -> ParsedIssue:
        self.read_top_block()
        self.units = glue.split(self.units, self)
        end = self.strip_footer()
        self.scan(end)
        found, i = letter.read(self, end)
        weak = [r for r in blocks.recognisers() if r.scan is None]
        while i < end:
            if i in self.starts:
                recogniser, stop = self.starts[i]
                self.add(recogniser.run(self, i, stop), self.units[i:stop])
                i = stop
                continue
            j = i + 1
            while j < end and not self.block_start(j):
                j += 1
            i = self.loose(i, j, weak)
        self.warn_walls(end)
        return ParsedIssue(letter=found, stories=self.stories, footer=self.footer,
                           warnings=self.warnings, story_lines=self.story_lines, info=self.info,
                           footer_stripped=self.footer_stripped, comments=self.comments,
                           evidence=self.evidence,
                           subject_line=self.memo["subject"].first if "subject" in self.memo else None)

    def warn_walls(self, end: int) -> None:
        """Paragraphs over 2,000 characters and runs of glued words, as ``check`` warns them, with their
        source lines (a flattened transcript has its own warning)."""
        for unit in self.units[:end]:
            if len(unit.text) < WALL_MIN or unit.first in self.memo.get("flattened", ()):
                continue
            for code, message, _ in long_or_glued(unit.text):
                self.warn(code, unit, f"{message}, kept as written", "split it into paragraphs, or put back "
                          "the spaces and line breaks that were lost")

    def scan(self, end: int) -> None:
        """Each scanning recogniser in turn finds its blocks among the units not yet claimed."""
        self.claims = [False] * len(self.units)
        for recogniser in blocks.recognisers():
            if recogniser.scan is None:
                continue
            for start, stop in recogniser.scan(self, end).items():
                if not any(self.claims[start:stop]):
                    self.starts[start] = (recogniser, stop)
                    self.claims[start:stop] = [True] * (stop - start)

    def loose(self, i: int, j: int, weak: list[blocks.Recogniser]) -> int:
        """A run of units between the blocks found by scans: web-page text set aside, then the first
        recogniser whose evidence the run holds (the text block's always does)."""
        lead = i
        while lead < j and self.clutter(self.units[lead]):
            lead += 1
        if lead > i:
            self.set_aside(self.units[i:lead], codes.WEB_CLUTTER,
                           "web-page text (reading time, navigation, a date), not a block of the issue")
        while lead < j:
            recogniser = next(r for r in weak if r.test is None or r.test(self, lead, j))
            found = recogniser.run(self, lead, j)
            self.add(found, self.units[lead:found.stop])
            lead = found.stop
        return j

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
        if units[k].gap == 0 and (issue := shapes.ISSUE_LINE.match(units[k].text)):
            number = int(issue.group("number")) if issue.group("number") else None
            written = issue.group("date") or issue.group("alone")
            date = shapes.issue_date(written) if written else None
            if written and date is None:
                return  # a date in another format: leave the line to be read as content
            k += 1
        if k < len(units) and units[k].gap == 0 and shapes.WEB_LINE.match(units[k].text):
            k += 1
        known = units[0].text in self.publication_names
        if (k == 1 and not known) or (k < len(units) and units[k].gap == 0):
            return  # not a top block of its own: read it as content
        self.info.number, self.info.date = number, date
        self.units = units[k:] if known else [units[0], *units[k:]]

    # -- footer -------------------------------------------------------------------------

    def strip_footer(self) -> int:
        """Index where the footer starts; the issue's own footer text goes to self.footer."""
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
            if line and end and shapes.same(units[end - 1].text, line):
                end -= 1
        if pub is not None:
            paragraphs = shapes.plain_paragraphs(pub.footer or "")
            k = len(paragraphs)
            if k and end >= k and all(shapes.same(units[end - k + n].text, p)
                                      for n, p in enumerate(paragraphs)):
                self.footer_stripped = True
                return end - k
        # The issue's own footer: a short last block that reads like one.
        if self.blank_style:
            start = max((i for i in range(1, end) if self.boundary(i)), default=end)
        else:
            start = end - 1
        if 0 < start < end and end - start <= 4 and units[start].words <= 30 \
                and any(shapes.FOOTER_WORDS.search(u.text) for u in units[start:end]):
            self.footer = shapes.markdown(units[start:end])
            return start
        return end


def parse_units(units: list[Unit], *, source: str,
                publication: model.Publication | None) -> ParsedIssue:
    """The letter, stories and footer in a text's units, with a warning for each doubt."""
    return Parser(units, source, publication).parse()
