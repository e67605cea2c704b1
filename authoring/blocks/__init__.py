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
for the importer): a block module imports the model and the checks, never the renderer or
the importer, so ``authoring validate`` does not load them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from authoring import model
from authoring.model import YamlPath

if TYPE_CHECKING:
    from authoring.checks import Finding

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


def kinds() -> dict[str, type]:
    """Story key → model class: what ``stories:`` accepts."""
    return {key: block.model for key, block in registry().items()}
