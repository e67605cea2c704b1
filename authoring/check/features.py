"""Which caniemail features the final HTML uses: found by parsing, never by searching the text.

Elements and attributes come from the HTML parser (``parse.py``); CSS from tinycss2, both the
``style=""`` attributes and the ``<style>`` sheets: properties, property:value pairs, at-rules
and media features, functions, units, ``!important``, selectors and pseudo-classes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import tinycss2
from tinycss2 import ast

from authoring.check.parse import Parsed

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "caniemail.json"


@cache
def snapshot() -> dict:
    """The pinned caniemail data shipped with the package (scripts/refresh_caniemail.py)."""
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@dataclass
class Occurrence:
    where: str
    """'inline' (a style attribute), 'sheet' (a top-level <style> rule), 'media' (inside
    @media), 'mjml' (MJML's own reset sheets) or 'html'."""
    text: str
    """The declaration, selector or tag as it appears, to find it in the templates."""


@dataclass
class Found:
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    """Feature slug → where it occurs."""

    def add(self, slug: str, where: str, text: str) -> None:
        self.occurrences.setdefault(slug, []).append(Occurrence(where, text))


@dataclass
class _Index:
    """The snapshot's match rules turned into lookups."""

    properties: dict[str, list[str]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    at_rules: dict[str, list[str]] = field(default_factory=dict)
    media_features: dict[str, list[str]] = field(default_factory=dict)
    functions: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, list[str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    selectors: dict[str, list[str]] = field(default_factory=dict)
    pseudos: dict[str, list[str]] = field(default_factory=dict)
    elements: dict[str, list[str]] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    images: dict[str, list[str]] = field(default_factory=dict)
    important: list[str] = field(default_factory=list)


@cache
def _index() -> _Index:
    index = _Index()
    for slug, feature in snapshot()["features"].items():
        rule = feature["match"]
        for key, table in (("property", index.properties), ("at_rule", index.at_rules),
                           ("media_feature", index.media_features), ("function", index.functions),
                           ("element", index.elements), ("attribute", index.attributes)):
            if key in rule and not (key == "element" and "type" in rule):  # <input type=...>: never output
                for name in rule[key] if isinstance(rule[key], list) else [rule[key]]:
                    table.setdefault(name, []).append(slug)
        for key, table in (("unit", index.units), ("keyword", index.keywords),
                           ("selector", index.selectors), ("pseudo", index.pseudos),
                           ("image", index.images)):
            if key in rule:
                table.setdefault(rule[key], []).append(slug)
        if "pair" in rule:
            index.pairs.setdefault(tuple(rule["pair"]), []).append(slug)
        if rule.get("important"):
            index.important.append(slug)
    return index


def find_features(parsed: Parsed) -> Found:
    found = Found()
    index = _index()
    _html(parsed, index, found)
    for style in parsed.styles:
        for slug, text in _inline_features(style):
            found.add(slug, "inline", text)
    for sheet in parsed.sheets:
        where = "mjml" if _is_mjml_reset(sheet) else "sheet"
        _rules(tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True), where,
               index, found)
    return found


@lru_cache(maxsize=4096)
def _inline_features(style: str) -> tuple[tuple[str, str], ...]:
    """Features of one style attribute; MJML repeats the same few hundred, so parse each once."""
    found = Found()
    _declarations(tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True),
                  "inline", _index(), found)
    return tuple((slug, o.text) for slug, items in found.occurrences.items() for o in items)


def _is_mjml_reset(sheet: str) -> bool:
    """MJML's own boilerplate sheets (resets, column classes), tested by MJML on every client."""
    return "#outlook a" in sheet or ".mj-" in sheet or ".moz-text-html" in sheet


def _html(parsed: Parsed, index: _Index, found: Found) -> None:
    for tag, count in parsed.elements.items():
        for slug in index.elements.get(tag, []):
            for _ in range(count):
                found.add(slug, "html", f"<{tag}")
    for name, count in parsed.attributes.items():
        if "[" in name:
            continue
        for slug in index.attributes.get(name, []):
            for _ in range(count):
                found.add(slug, "html", f'{name}="')
    for image in parsed.images:
        path = urlsplit(image.get("src", "")).path.lower()
        extension = path.rpartition(".")[2] if "." in path else ""
        extension = {"jpeg": "jpg", "tif": "tiff", "heic": "heif"}.get(extension, extension)
        for slug in index.images.get(extension, []):
            found.add(slug, "html", image.get("src", ""))


def _rules(rules: Iterable, where: str, index: _Index, found: Found) -> None:
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            rule_where = "media" if where == "sheet" and _dark_only(rule.prelude) else where
            _selectors(rule.prelude, rule_where, index, found)
            content = tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                      skip_whitespace=True)
            _declarations(content, rule_where, index, found)
        elif isinstance(rule, ast.AtRule):
            _at_rule(rule, where, index, found)


_DARK_ATTRIBUTES = ("data-ogsc", "data-ogsb")
"""Attributes Outlook.com sets on the email in dark mode: rules under them are dark-mode only,
like rules inside ``@media (prefers-color-scheme: dark)``."""


def _dark_only(prelude: list) -> bool:
    return all(any(isinstance(t, ast.SquareBracketsBlock)
                   and tinycss2.serialize(t.content).strip().lower() in _DARK_ATTRIBUTES for t in group)
               for group in _split(prelude, ","))


def _at_rule(rule: ast.AtRule, where: str, index: _Index, found: Found) -> None:
    name = rule.lower_at_keyword
    text = f"@{name} {tinycss2.serialize(rule.prelude).strip()}".rstrip()  # "@font-face", no blank
    for slug in index.at_rules.get(name, []):
        found.add(slug, where, text)
    if name != "media":
        return
    for token in _walk(rule.prelude):
        if isinstance(token, ast.ParenthesesBlock):
            first = next((t for t in token.content if isinstance(t, ast.IdentToken)), None)
            if first is not None:
                for slug in index.media_features.get(first.lower_value, []):
                    found.add(slug, where, text)
    if rule.content is not None:
        nested = tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                skip_whitespace=True)
        _rules(nested, "media" if where != "mjml" else where, index, found)


def _declarations(items: Iterable, where: str, index: _Index, found: Found) -> None:
    for item in items:
        if not isinstance(item, ast.Declaration):
            continue
        name = item.lower_name
        value = tinycss2.serialize(item.value).strip()
        text = f"{name}:{value}"
        for slug in index.properties.get(name, []):
            found.add(slug, where, text)
        for slug in index.pairs.get((name, value.lower()), []):
            found.add(slug, where, text)
        if item.important:
            for slug in index.important:
                found.add(slug, where, text)
        for token in _walk(item.value):
            for slug in _value_features(token, index):
                found.add(slug, where, text)


def _value_features(token: object, index: _Index) -> list[str]:
    if isinstance(token, ast.FunctionBlock):
        return index.functions.get(token.lower_name, [])
    if isinstance(token, ast.DimensionToken):
        return index.units.get(token.lower_unit, [])
    if isinstance(token, ast.PercentageToken):
        return index.units.get("%", [])
    if isinstance(token, ast.IdentToken):
        return index.keywords.get(token.lower_value, [])
    return []


def _walk(tokens: Iterable) -> Iterator[object]:
    for token in tokens:
        yield token
        content = getattr(token, "arguments", None) or getattr(token, "content", None)
        if isinstance(content, list):
            yield from _walk(content)


def _selectors(prelude: list, where: str, index: _Index, found: Found) -> None:
    text = tinycss2.serialize(prelude).strip()
    groups = _split(prelude, ",")
    kinds: list[str] = ["grouping"] if len(groups) > 1 else []
    for group in groups:
        kinds += _selector_kinds(group)
    for kind in kinds:
        table = index.pseudos if kind.startswith(":") else index.selectors
        for slug in table.get(kind, []):
            found.add(slug, where, text)


def _split(tokens: list, separator: str) -> list[list]:
    groups: list[list] = [[]]
    for token in tokens:
        if isinstance(token, ast.LiteralToken) and token.value == separator:
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if any(not isinstance(t, ast.WhitespaceToken) for t in g)]


def _selector_kinds(tokens: list) -> list[str]:
    """The selector features one complex selector uses: 'h2.sh > a:hover' → type, class,
    chaining, child, pseudo ':hover'."""
    kinds: list[str] = []
    simple = 0  # simple selectors in the current compound
    tokens = _strip(tokens)
    previous = None
    for i, token in enumerate(tokens):
        if isinstance(token, ast.WhitespaceToken):
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if not _is_combinator(previous) and not _is_combinator(after):
                kinds.append("descendant")
            simple = 0
        elif _is_combinator(token):
            kinds.append({">": "child", "+": "adjacent-sibling", "~": "general-sibling"}[token.value])
            simple = 0
        else:
            kind = _simple_kind(tokens, i)
            if kind:
                kinds.append(kind)
                simple += 1
                if simple == 2:
                    kinds.append("chaining")
        previous = token
    return kinds


def _simple_kind(tokens: list, i: int) -> str | None:
    token = tokens[i]
    before = tokens[i - 1] if i else None
    if isinstance(token, ast.IdentToken):
        if isinstance(before, ast.LiteralToken) and before.value in {".", ":"}:
            return None  # the name after '.' or ':' was counted with it
        return "type"
    if isinstance(token, ast.LiteralToken):
        if token.value == ".":
            return "class"
        if token.value == "*":
            return "universal"
        if token.value == ":" and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if isinstance(before, ast.LiteralToken) and before.value == ":":
                return None
            colons = "::" if isinstance(nxt, ast.LiteralToken) and nxt.value == ":" else ":"
            name_token = tokens[i + len(colons)] if i + len(colons) < len(tokens) else None
            name = getattr(name_token, "lower_value", None) or getattr(name_token, "lower_name", "")
            return f"{colons}{name}"
    if isinstance(token, ast.HashToken):
        return "id"
    if isinstance(token, ast.SquareBracketsBlock):
        return "attribute"
    return None


def _is_combinator(token: object) -> bool:
    return isinstance(token, ast.LiteralToken) and token.value in {">", "+", "~"}


def _strip(tokens: list) -> list:
    while tokens and isinstance(tokens[0], ast.WhitespaceToken):
        tokens = tokens[1:]
    while tokens and isinstance(tokens[-1], ast.WhitespaceToken):
        tokens = tokens[:-1]
    return tokens
