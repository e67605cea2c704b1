"""One home per block type: each module here declares everything about one kind of story.

A block module defines ``BLOCK = BlockType(...)``: the key that introduces it under
``stories:``, its model class, its template partial (``templates/email/<partial>.mjml.j2``),
its plain-text rendering, how the importer writes it as YAML, the author text the checks
read, and the checks that apply to it. The stages (structure, checks, render.html,
render.text, importer.emit) never test a story's class; they ask this registry.

Adding a block type is one module here plus its template partial. Modules are found by
listing this package, so nothing else names them; ``order`` fixes their place in lists and
messages. The registry is built on first use, so importing this package costs nothing.

The stages hand their own tools to a block (``PlainText`` for the text part, ``YamlOut``
for the importer's writer, ``Reading`` for its recognisers): a block module imports the
model and the checks, never the renderer or the importer, so ``authoring validate`` does
not load them.

A block's ``recognisers`` find it in plain text (``authoring import``), after Python-Markdown's
block processors: each returns the block with the evidence it was found on, and a block is
given only on its defining evidence (a promo its kicker or call to action, a news story its
headline and labelled sections); what no recogniser claims is kept as a text block, warned.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from authoring import model
from authoring.model import YamlPath

if TYPE_CHECKING:
    from authoring.house import Finding

TextField = tuple[YamlPath, str, bool]
"""An author-written text: (its YAML path, the text, whether it is Markdown)."""

LinkSlot = tuple[YamlPath, str | None]
"""A link target written in a field of its own (not inside Markdown): (path, url or None)."""

BlockCheck = Callable[[Any, dict], Iterator["Finding"]]
"""One check on one story. The dict is shared by the stories of one run (e.g. headlines seen)."""


class PlainText(Protocol):
    """What the plain-text stage offers a block (``authoring.render.text``)."""

    def line(self, text: str) -> str:
        """Plain text wrapped at the text width."""

    def heading(self, text: str) -> str:
        """A section header: the text, underlined with ``=``."""

    def markdown(self, text: str, prefix: str = "") -> list[str]:
        """Markdown as wrapped paragraphs; ``prefix`` opens the first."""

    def image(self, image: model.Image | None) -> list[str]:
        """The ``[Image: alt]`` line that stands for a picture (none without alt text)."""

    def url(self, url: str | None) -> str | None:
        """The address as the reader sees it, or None when it is not shown (missing, unsafe, merge tag)."""


class YamlOut(Protocol):
    """What the importer's YAML writer offers a block (``authoring.importer.emit``)."""

    def text(self, value: str) -> str:
        """A text in the style that reads best: ``|`` block, ``>-`` folded or plain."""

    def shorthand(self, value: str) -> str:
        """A text written right after the block's key (``- text: |-``)."""

    def image(self, image: model.Image | None) -> dict | None:
        """An image's fields."""

    def fields(self, mapping: dict) -> dict:
        """The mapping without empty values (defaults are left out)."""


class Reading(Protocol):
    """What the importer offers a block's recogniser (``authoring.importer.parse``): the text's
    units (paragraphs and list items with their source lines, ``authoring.importer.units``) and
    the shapes it reads on one of them."""

    @property
    def units(self) -> Sequence[Any]:
        """The paragraphs and list items, in order."""

    @property
    def blank_style(self) -> bool:
        """Blank lines separate the text's paragraphs (two or more separate its blocks)."""

    @property
    def memo(self) -> dict:
        """What a recogniser keeps between its scan and its runs."""

    def boundary(self, i: int) -> bool:
        """Two blank lines or more before unit i: a new block, in a text that uses blank lines."""

    def claimed(self, i: int) -> bool:
        """Unit i is inside a block an earlier recogniser found."""

    def label(self, unit: Any) -> tuple[str, str] | None:
        """(label, rest) of a ``Short label: text`` paragraph."""

    def headline(self, unit: Any) -> bool:
        """A short line without a final stop that is no label."""

    def alt(self, unit: Any) -> bool:
        """An ``[Image: ...]`` line or a line that could be an image's alt text."""

    def kicker(self, unit: Any) -> bool:
        """An all-capitals line of a few words (``A MESSAGE FROM ...``)."""

    def header(self, unit: Any) -> bool:
        """A known section name, or a line underlined with ``===``."""

    def clutter(self, unit: Any) -> bool:
        """Web-page chrome: reading time, "Share", a navigation line, a date line, the
        publication's name repeated."""

    def date(self, unit: Any) -> bool:
        """A date line (``March 3, 2021``, ``Published 4 May 2022``)."""

    def title_case(self, text: str) -> bool:
        """Every word but the small ones capitalised: "A Year of Open Models"."""

    def sentence(self, text: str) -> bool:
        """It ends as a sentence or clause does (``.``, ``!``, ``?``, ``:``, ``;``, ``,``)."""

    def markdown(self, units: Sequence[Any], images: bool = False) -> str:
        """Units as Markdown showing their text as written (``images``: captions as images)."""

    def escape(self, text: str) -> str:
        """Literal text as Markdown."""

    def lines(self, units: Sequence[Any]) -> str:
        """The source lines the units span: ``line 8`` or ``lines 8–12``."""

    def warn(self, code: str, first: Any, message: str, hint: str | None = None,
             last: Any | None = None) -> None:
        """A warning naming the source lines from ``first`` to ``last``."""

    def comment(self, units: Sequence[Any], code: str, what: str, message: str, hint: str) -> None:
        """Units kept word for word as comments at the top of the YAML (headed ``what from lines
        ...``), with a warning."""


@dataclass(frozen=True)
class Found:
    """A block a recogniser found."""

    story: Any
    stop: int
    """The index after its last unit."""
    evidence: str
    """What it was recognised on (``kicker 'A MESSAGE FROM ...'``), for the editor and the tests."""


@dataclass(frozen=True)
class Recogniser:
    """How the importer finds one block type in plain text.

    With ``scan``, it finds its blocks in the whole text before the others are read
    (``{start: stop}``, unit indexes; units an earlier recogniser claimed are skipped), and
    each start ends whatever block runs before it. Without, it reads a run of units between
    two such blocks and says with ``test`` whether the run is its block."""

    name: str
    order: int
    run: Callable[[Reading, int, int], Found]
    """The block on units ``[start, stop)``."""
    scan: Callable[[Reading, int], dict[int, int]] | None = None
    test: Callable[[Reading, int, int], bool] | None = None


def _no_links(story: Any) -> Iterator[LinkSlot]:
    return iter(())


def _no_summary(story: Any) -> str | None:
    return None


@dataclass(frozen=True)
class BlockType:
    """Everything the stages need to know about one kind of story."""

    key: str
    """The key that introduces it under ``stories:`` (``- news:``)."""
    model: type
    """Its dataclass; fields, types and docstrings make the schema."""
    partial: str
    """Its template, ``templates/email/<partial>.mjml.j2``."""
    text: Callable[[Any, PlainText], list[str]]
    """Its plain-text paragraphs."""
    emit: Callable[[Any, YamlOut], object]
    """The YAML value under its key, as the importer writes it."""
    fields: Callable[[Any], Iterator[TextField]]
    """The author's texts in it, in reading order, for the checks that read text."""
    order: int
    """Its place among the block types (lists, messages, the schema)."""
    links: Callable[[Any], Iterator[LinkSlot]] = _no_links
    """Link targets written as fields of their own (a button's URL)."""
    summary: Callable[[Any], str | None] = _no_summary
    """A one-paragraph summary (a news dek): a web page's description when the issue has no preheader."""
    checks: Mapping[str, BlockCheck] = field(default_factory=dict)
    """Named checks of this block; a name the checks module runs for every block (``labels``,
    ``headlines``, ``empty``) runs in its place in that order, others after the shared ones."""
    shorthand: str | None = None
    """The field a bare string fills (``- header: News``), if it may be written so."""
    recognisers: tuple[Recogniser, ...] = ()
    """How the importer finds it in plain text."""


@cache
def registry() -> dict[str, BlockType]:
    """Story key → its block type, in ``order``."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        block = getattr(module, "BLOCK", None)
        if isinstance(block, BlockType):
            found.append(block)
    return {block.key: block for block in sorted(found, key=lambda b: b.order)}


@cache
def _by_model() -> dict[type, BlockType]:
    return {block.model: block for block in registry().values()}


def of(story: object) -> BlockType:
    """The block type of a story."""
    block = by_model(type(story))
    if block is None:
        raise TypeError(f"no block type for {type(story).__name__}")  # a model bug, not input
    return block


def by_model(cls: type) -> BlockType | None:
    """The block type whose model is ``cls`` (None for the other model classes)."""
    return _by_model().get(cls)


def recognisers() -> list[Recogniser]:
    """Every block's recognisers, in the order the importer tries them."""
    return sorted((r for block in registry().values() for r in block.recognisers), key=lambda r: r.order)


def kinds() -> dict[str, type]:
    """Story key → model class: what ``stories:`` accepts."""
    return {key: block.model for key, block in registry().items()}
