"""Write an imported issue as YAML a person can edit.

PyYAML does the quoting and escaping; we choose the styles: ``|`` blocks for text
with several paragraphs, ``>-`` folded text for a long paragraph, plain scalars for
short ones, curly quotes kept as they are (UTF-8), keys in reading order (the order
of the plain text and of issues/0321.yaml: a story's image before its headline),
defaults left out, ``- header: News`` and ``- What’s new: ...`` shorthands, list
items indented under their key, and a blank line between stories.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import yaml

from authoring import blocks, model

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"
FOLD_AFTER = 60
"""Paragraphs longer than this are written as folded ``>-`` blocks."""


class _Literal(str):
    pass


class _Folded(str):
    pass


# libyaml's emitter when PyYAML has it (ten times faster); it writes `key:` then `- item` at the
# same column, so _indent_sequences moves list items under their key afterwards.
# libyaml counts characters beyond U+FFFF (emoji) as unprintable and escapes the whole text in a
# double-quoted string ("\U0001F605..."); PyYAML's own emitter writes them as they are, so a text
# holding any is written by it.
_STR = "tag:yaml.org,2002:str"


def _dumper(name: str, base: type) -> type:
    return type(name, (base,), {"yaml_representers": {
        **base.yaml_representers,  # type: ignore[attr-defined]  # what add_representer does, on our subclass
        _Literal: lambda d, s: d.represent_scalar(_STR, str(s), style="|"),
        _Folded: lambda d, s: d.represent_scalar(_STR, str(s), style=">"),
    }})


@cache
def _dumpers() -> tuple[type, type]:
    """libyaml's dumper and PyYAML's own (for a text holding emoji), each writing our styles; made
    on first use, as the block registry is."""
    return (_dumper("_Dumper", getattr(yaml, "CSafeDumper", yaml.SafeDumper)),
            _dumper("_AstralDumper", yaml.SafeDumper))


_ASTRAL_ESCAPE = re.compile(r"\\U[0-9A-Fa-f]{8}")
_BLOCK_HEADER = re.compile(r"(^|:\s|-\s)[|>][-+]?\d*$")
_ITEM = re.compile(r"^((?:- )+)")


def _indent_sequences(text: str) -> str:
    """`key:` / `- item` at one column → the items indented two spaces under the key."""
    out: list[str] = []
    open_lists: list[int] = []  # columns of the lists still open
    block_key = -1  # inside a block scalar: lines indented deeper than its key are its text
    shift = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        column = len(line) - len(stripped)
        if not stripped:
            out.append(line)
            continue
        if block_key >= 0 and column > block_key:
            out.append(" " * shift + line)
            continue
        block_key = -1
        is_item = stripped.startswith("- ") or stripped == "-"
        while open_lists and (column < open_lists[-1] or (column == open_lists[-1] and not is_item)):
            open_lists.pop()
        if is_item and (not open_lists or open_lists[-1] != column):
            open_lists.append(column)
        shift = 2 * len(open_lists)
        out.append(" " * shift + line)
        if _BLOCK_HEADER.search(stripped):
            dashes = _ITEM.match(stripped)
            block_key = column + (len(dashes.group(1)) if dashes else 0)
    return "\n".join(out)


def _text(value: str) -> str:
    if "\n" in value:
        return _Literal(value + "\n")  # `|`: the loader drops the final newline of a block
    if len(value) > FOLD_AFTER:
        return _Folded(value)
    return value


def issue_data(issue: model.Issue) -> dict:
    """The issue as plain YAML data, fields in reading order, without default values."""
    info = issue.issue
    data: dict = {"issue": _drop_empty({
        "subject": info.subject, "number": info.number, "date": info.date,
        "preheader": _text(info.preheader) if info.preheader else None, "web_url": info.web_url,
        "lang": info.lang})}
    if issue.letter is not None:
        letter = issue.letter
        data["letter"] = _drop_empty({
            "salutation": letter.salutation,  # kept even when it is the default: the author wrote it
            "body": _text(letter.body), "signoff": letter.signoff, "signature": letter.signature,
            "ps": _text(letter.ps) if letter.ps else None}, keep=("body",))  # required, even empty
    if issue.stories:
        data["stories"] = [_story(story) for story in issue.stories]
    if issue.footer:
        data["footer"] = _text(issue.footer)
    return data


def _story(story: model.Story) -> dict:
    # Fields in the order a reader meets them (the image comes first), as in the plain text.
    block = blocks.of(story)
    return {block.key: block.emit(story, _YAML_OUT)}


class _YamlOut:
    """The YAML tools a block's ``emit`` uses (``authoring.blocks.YamlOut``)."""

    def text(self, value: str) -> str:
        return _text(value)

    def shorthand(self, value: str) -> str:
        # `|-`: the loader keeps the final newline of the `- text: |` shorthand
        return _Literal(value) if isinstance(_text(value), _Literal) else _text(value)

    def image(self, image: model.Image | None) -> dict | None:
        return _image(image)

    def fields(self, mapping: dict) -> dict:
        return _drop_empty(mapping)


_YAML_OUT = _YamlOut()


def _image(image: model.Image | None) -> dict | None:
    if image is None:
        return None
    return _drop_empty({"alt": _text(image.alt), "src": image.src, "href": image.href, "width": image.width})


def _drop_empty(mapping: dict, keep: tuple[str, ...] = ()) -> dict:
    """``mapping`` without its empty values, but those of the fields named in ``keep``."""
    return {k: v for k, v in mapping.items() if k in keep or (v is not None and v != [] and v != "")}


_TOP_KEY = re.compile(r"(?<=\n)(?=[^\s#])")
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML 1.1 reads as a line break (PyYAML and libyaml alike)."""


def dumps(issue: model.Issue, *, comments: Sequence[str] = (), schema: str | None = None) -> str:
    """The YAML text of an issue, with a schema line and comments at the top."""
    data = issue_data(issue)
    body = _dump(data)
    if _load(body) != data:  # never seen; if a style ever misfires, PyYAML's default styles are exact
        body = yaml.dump(_plain(data), Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False)
    head, sep, rest = body.partition("\nstories:\n")
    if sep:
        stories_end = _TOP_KEY.search(rest)
        cut = stories_end.start() if stories_end else len(rest)
        # a blank line between stories (inside `stories:` only top-level items start with "  - ")
        rest = rest[:cut].replace("\n  - ", "\n\n  - ") + rest[cut:]
        body = head + sep + rest
    body = _TOP_KEY.sub("\n", body)  # and between the top-level keys
    # every line of a comment marked: a line break YAML reads (\r, NEL, U+2028 too) would end it and
    # let what follows be read as keys
    top = ([SCHEMA_COMMENT.format(schema=schema)] if schema else []) + [
        f"# {line}" for comment in comments for line in _YAML_LINE_BREAK.split(comment)]
    return "\n".join(top + [body.rstrip("\n")]) + "\n"


def _dump(data: dict) -> str:
    dumper, astral = _dumpers()
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=76,
                     default_flow_style=False)
    if _ASTRAL_ESCAPE.search(text):
        text = yaml.dump(data, Dumper=astral, allow_unicode=True, sort_keys=False, width=76,
                         default_flow_style=False)
    return _indent_sequences(text)


def _load(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, _Literal):  # `|` gave the text its final newline; a quoted string would keep it
        return str(value).removesuffix("\n")
    return str(value) if isinstance(value, str) else value
