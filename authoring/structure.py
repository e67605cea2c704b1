"""Turn loaded YAML data into the typed model, collecting every structural problem.

The model's dataclasses are the schema: field names are the keys, type hints the
types, fields without a default are required. Conversion never stops at the first
problem; each one becomes a Diagnostic with its YAML path, and the bad value is
left out so the rest of the document is still checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache
from typing import Any, Union

from authoring import blocks, codes, model
from authoring.diagnostics import Diagnostic, Severity, suggest
from authoring.lazyre import lazy
from authoring.load import Document
from authoring.model import Markdown, Url, YamlPath

_MISSING = object()
_DATE_SHAPE = lazy(r"^\d{4}-\d{2}-\d{2}$")


Conversion = tuple[str, Any]
"""How a value becomes a type: a kind (_TEXT, _LIST, ...) and what it needs (see _conversion)."""


@cache
def _fields(cls: type) -> dict[str, tuple[Any, bool, Conversion]]:
    """Field name → (type hint, required, conversion) for a model dataclass, without the
    bookkeeping 'path'."""
    hints = typing.get_type_hints(cls)
    out = {}
    for f in dataclasses.fields(cls):
        if f.name == "path":
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        out[f.name] = (hints[f.name], required, _conversion(hints[f.name]))
    return out


@cache
def _required(cls: type) -> list[tuple[str, Any]]:
    """(name, type hint) of each field of ``cls`` that has no default, in order."""
    return [(name, hint) for name, (hint, required, _) in _fields(cls).items() if required]


_TEXT, _OPTIONAL, _DATACLASS, _STORY, _SECTIONS, _LIST, _CHOICE, _DATE, _INT, _FLOAT = (
    "text", "optional", "dataclass", "story", "sections", "list", "choice", "date", "int", "float")


@cache
def _conversion(hint: Any) -> Conversion:
    """How a value becomes ``hint``, and what that needs (the conversion of the inner or the
    item type, the choices, the class): worked out once per type hint rather than with
    typing's introspection for every value of every build."""
    if hint is model.Story:
        return _STORY, None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _OPTIONAL, _conversion(inner)
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        return (_SECTIONS, None) if item_hint is model.Section else (_LIST, _conversion(item_hint))
    if origin is typing.Literal:
        return _CHOICE, typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _DATACLASS, hint
    if hint in (str, Markdown, Url):
        return _TEXT, None
    simple = {int: _INT, float: _FLOAT, dt.date: _DATE}
    if hint in simple:
        return simple[hint], None
    raise TypeError(f"no conversion for {hint!r}")  # a model bug, not user input


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value})"
    return f"text ({value!r})" if len(str(value)) < 40 else "text"


class Builder:
    """Builds model objects from a Document, appending diagnostics as it goes."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.diagnostics: list[Diagnostic] = []
        self.filled: set[YamlPath] = set()
        """Required text fields that were missing and hold "" so checks can run on the rest."""

    def error(self, code: str, path: YamlPath, message: str, hint: str | None = None,
              *, key: bool = False) -> None:
        pos = self.doc.locate(path, key=key)
        self.diagnostics.append(Diagnostic(
            code=code, severity=Severity.ERROR, message=message, hint=hint,
            file=self.doc.file, line=pos.line if pos else None,
            column=pos.column if pos else None, path=path))

    # -- entry points ---------------------------------------------------------

    def issue(self) -> model.Issue | None:
        built = self.dataclass(model.Issue, self.doc.data, ())
        return built if isinstance(built, model.Issue) else None

    def publication(self) -> model.Publication | None:
        built = self.dataclass(model.Publication, self.doc.data, ())
        return built if isinstance(built, model.Publication) else None

    # -- by type ---------------------------------------------------------------

    def value(self, hint: Any, value: object, path: YamlPath) -> object:
        """Convert one value to ``hint``; returns _MISSING (after reporting) when it cannot."""
        return self.convert(_conversion(hint), value, path)

    def convert(self, conversion: Conversion, value: object, path: YamlPath) -> object:
        """Convert one value as ``conversion`` says (see value)."""
        kind, argument = conversion
        if kind is _TEXT:
            return self.text(value, path)
        if kind is _OPTIONAL:  # `X | None`: the optional fields
            return None if value is None else self.convert(argument, value, path)
        if kind is _DATACLASS:
            return self.dataclass(argument, value, path)
        if kind is _STORY:  # a block the value's single key chooses from
            return self.story(value, path)
        if kind is _SECTIONS:
            return self.sections(value, path)
        if kind is _LIST:
            return self.items(argument, value, path)
        if kind is _CHOICE:
            return self.choice(argument, value, path)
        if kind is _DATE:
            return self.date(value, path)
        return self.number(kind, value, path)

    def items(self, item: Conversion, value: object, path: YamlPath) -> object:
        if not isinstance(value, list):
            self.error(codes.WRONG_TYPE, path, f"expected a list, found {_describe(value)}",
                       "write each item on its own line starting with '- '")
            return _MISSING
        items = []
        for i, element in enumerate(value):
            converted = self.convert(item, element, (*path, i))
            if converted is not _MISSING:
                items.append(converted)
        return items

    def number(self, kind: str, value: object, path: YamlPath) -> object:
        if kind is _INT:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.error(codes.WRONG_TYPE, path, f"expected a whole number, found {_describe(value)}",
                       "write digits only, e.g. 42")
            return _MISSING
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        self.error(codes.WRONG_TYPE, path, f"expected a number, found {_describe(value)}",
                   "write a number, e.g. 4.5")
        return _MISSING

    def text(self, value: object, path: YamlPath) -> object:
        if isinstance(value, str):
            # only a block's text loses its final line breaks; asked only of a text ending in
            # whitespace, as hashing the path costs more than looking at its last character
            return value.rstrip() if value[-1:].isspace() and path in self.doc.block_scalars else value
        if path in self.doc.raw_scalars:  # `signoff: Yes` or `title: 2021` are text here
            return self.doc.raw_scalars[path]
        if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
            return str(value)
        self.error(codes.WRONG_TYPE, path, f"expected text, found {_describe(value)}",
                   "write the text after the colon; quote it if it starts with [ or { or contains ': '")
        return _MISSING

    def choice(self, choices: tuple[str, ...], value: object, path: YamlPath) -> object:
        """One of a fixed set of words (``esp: mailchimp``)."""
        if isinstance(value, str) and value in choices:
            return value
        guess = suggest(str(value), choices) if isinstance(value, str) else None
        self.error(codes.BAD_CHOICE, path, f"expected one of {', '.join(choices)}, found {_describe(value)}",
                   f"did you mean '{guess}'?" if guess else f"write one of: {', '.join(choices)}")
        return _MISSING

    def date(self, value: object, path: YamlPath) -> object:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                if _DATE_SHAPE.match(value.strip()):  # 2026-02-30: the right shape, no such day
                    self.error(codes.BAD_DATE, path, f"expected a date, found '{value.strip()}': {exc}",
                               "check the day and the month (YYYY-MM-DD)")
                    return _MISSING
        self.error(codes.BAD_DATE, path, f"expected a date, found {_describe(value)}",
                   "write the date as YYYY-MM-DD, e.g. 2026-11-27")
        return _MISSING

    def dataclass(self, cls: type, value: object, path: YamlPath) -> object:
        shorthand = _shorthand(cls)
        if shorthand and (isinstance(value, str) or path in self.doc.raw_scalars):
            # `- header: News` and `- text: |` are the natural ways to write these
            if path in self.doc.block_scalars:
                self.doc.block_scalars.add(path + (shorthand,))  # drop the block's final newline
            if path in self.doc.scalars:  # the field's text is the scalar written at the story
                self.doc.scalars[path + (shorthand,)] = self.doc.scalars[path]
            value = {shorthand: value}
        if value is None and path and isinstance(path[-1], str):
            first = next(iter(_fields(cls)))
            self.error(codes.WRONG_TYPE, path, f"'{path[-1]}' is empty",
                       f"indent its fields under it, e.g. '{first}: ...', or delete the line", key=True)
            return _MISSING
        if not isinstance(value, dict):
            self.error(codes.WRONG_TYPE, path,
                       f"expected a mapping of {', '.join(_fields(cls))}, found {_describe(value)}",
                       f"indent the fields under it, e.g. '{next(iter(_fields(cls)))}: ...'")
            return _MISSING
        fields = _fields(cls)
        kwargs: dict[str, object] = {}
        for key, item in value.items():
            if key not in fields:
                guess = suggest(key, fields)
                hint = f"did you mean '{guess}'?" if guess else f"known keys: {', '.join(fields)}"
                self.error(codes.UNKNOWN_KEY, path + (key,), f"unknown key '{key}'", hint, key=True)
                continue
            _, required, conversion = fields[key]
            if item is None and required:
                continue  # reported below as missing
            converted = self.convert(conversion, item, (*path, key))
            if converted is not _MISSING:
                kwargs[key] = converted
        failed = False
        for name, hint_type in _required(cls):
            if name in kwargs:
                continue
            if name not in value or value[name] is None:
                self.error(codes.MISSING_FIELD, path, f"'{name}' is required",
                           f"add '{name}: ...' to {_describe_path(path)}")
            if hint_type in (str, Markdown):
                kwargs[name] = ""  # keeps the block so later checks still see the rest of it
                self.filled.add(path + (name,))
            else:
                failed = True
        if failed:
            return _MISSING
        return cls(**kwargs, path=path)

    def story(self, value: object, path: YamlPath) -> object:
        kinds = _story_kinds()
        if not isinstance(value, dict) or len(value) != 1:
            if isinstance(value, dict) and not set(value) & set(kinds):
                found = ", ".join(f"'{k}'" for k in value)
                self.error(codes.UNKNOWN_STORY, path, f"a story starts with its type, found {found}",
                           f"write '- news:' (or {', '.join(kinds)}) and indent the fields under it")
            elif isinstance(value, dict):
                extra = [k for k in value if k not in kinds]
                self.error(codes.STORY_SHAPE, path,
                           f"a story has one type key, found {', '.join(repr(k) for k in value)}",
                           f"indent {', '.join(repr(k) for k in extra) or 'the fields'} under the "
                           "type key, or start a new story with '- '")
            else:
                self.error(codes.WRONG_TYPE, path, f"expected a story, found {_describe(value)}",
                           f"start it with its type: {', '.join(k + ':' for k in kinds)}")
            return _MISSING
        ((kind, body),) = value.items()
        if kind not in kinds:
            guess = suggest(kind, kinds)
            self.error(codes.UNKNOWN_STORY, path + (kind,), f"unknown story type '{kind}'",
                       f"did you mean '{guess}'?" if guess else f"known types: {', '.join(kinds)}",
                       key=True)
            return _MISSING
        return self.dataclass(kinds[kind], body, path + (kind,))

    def sections(self, value: object, path: YamlPath) -> object:
        if not isinstance(value, list):
            self.error(codes.WRONG_TYPE, path, f"expected a list of sections, found {_describe(value)}",
                       "write each section as '- Label: text' on its own line")
            return _MISSING
        sections = []
        for i, item in enumerate(value):
            where = (*path, i)
            if isinstance(item, dict) and len(item) == 1:  # the usual `- Label: text`
                ((label, body),) = item.items()
                labelled = (*where, label)
                text = self.text(body if body is not None else "", labelled)
                if isinstance(text, str):
                    sections.append(model.Section(label=label, body=Markdown(text), path=labelled))
                continue
            if isinstance(item, str) or (item is not None and where in self.doc.raw_scalars):
                text = self.text(item, where)
                if not isinstance(text, str):
                    continue
                sections.append(model.Section(label=None, body=Markdown(text), path=where))
                continue
            if not isinstance(item, dict) or not item:
                self.error(codes.WRONG_TYPE, where, f"expected '- Label: text', found {_describe(item)}",
                           "write the section as '- What’s new: text'")
                continue
            labels = list(item)
            self.error(codes.SECTION_SHAPE, where,
                       f"one section holds {len(labels)} labels: " + ", ".join(repr(k) for k in labels),
                       f"start each section with '- ': add a '-' before '{labels[1]}:'")
        return sections


@cache
def _story_kinds() -> dict[str, type]:
    """What ``stories:`` accepts (blocks.kinds), made once: every story is looked up in it."""
    return blocks.kinds()


@cache
def _shorthand(cls: type) -> str | None:
    """The field a bare string fills, for a story type that may be written as one (asked for
    every mapping built, so answered once per class)."""
    block = blocks.by_model(cls)
    return block.shorthand if block else None


def _describe_path(path: YamlPath) -> str:
    from authoring.diagnostics import format_path

    return format_path(path) or "the top level"


def build_issue(doc: Document) -> tuple[model.Issue | None, list[Diagnostic], set[YamlPath]]:
    """The model (None when it cannot be built), its problems, and the filled-in fields."""
    builder = Builder(doc)
    issue = builder.issue()
    return (None if issue is _MISSING else issue), builder.diagnostics, builder.filled


def build_publication(doc: Document) -> tuple[model.Publication | None, list[Diagnostic]]:
    builder = Builder(doc)
    pub = builder.publication()
    return (None if pub is _MISSING else pub), builder.diagnostics
