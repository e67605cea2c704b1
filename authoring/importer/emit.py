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

import yaml

from authoring import model

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"
FOLD_AFTER = 60
"""Paragraphs longer than this are written as folded ``>-`` blocks."""


class _Literal(str):
    pass


class _Folded(str):
    pass


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # `stories:` then `  - news:`: indented list items, as people write them
        return super().increase_indent(flow, False)


_Dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))
_Dumper.add_representer(_Folded, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style=">"))


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
            "ps": _text(letter.ps) if letter.ps else None})
    if issue.stories:
        data["stories"] = [_story(story) for story in issue.stories]
    if issue.footer:
        data["footer"] = _text(issue.footer)
    return data


def _story(story: model.Story) -> dict:
    # Fields in the order a reader meets them (the image comes first), as in the plain text.
    if isinstance(story, model.Header):
        return {"header": story.title}
    if isinstance(story, model.Text):
        text = _text(story.body)
        # `|-`: the loader keeps the final newline of the `- text: |` shorthand
        return {"text": _Literal(story.body) if isinstance(text, _Literal) else text}
    if isinstance(story, model.News):
        sections = [_text(s.body) if s.label is None else {s.label: _text(s.body) if s.body else None}
                    for s in story.sections]
        return {"news": _drop_empty({"image": _image(story.image), "headline": _text(story.headline),
                                     "dek": _text(story.dek) if story.dek else None,
                                     "sections": sections})}
    if isinstance(story, model.Promo):
        cta = _drop_empty({"text": story.cta.text, "url": story.cta.url}) if story.cta else None
        return {"promo": _drop_empty({"kicker": story.kicker, "image": _image(story.image),
                                      "body": _text(story.body), "cta": cta})}
    if isinstance(story, model.Feature):
        return {"feature": _drop_empty({"image": _image(story.image), "title": _text(story.title),
                                        "byline": story.byline, "body": _text(story.body)})}
    raise TypeError(f"unknown story {story!r}")  # a model bug, not input


def _image(image: model.Image | None) -> dict | None:
    if image is None:
        return None
    return _drop_empty({"alt": _text(image.alt), "src": image.src, "href": image.href, "width": image.width})


def _drop_empty(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v is not None and v != [] and v != ""}


_TOP_KEY = re.compile(r"(?<=\n)(?=[^\s#])")


def dumps(issue: model.Issue, *, comments: list[str] = (), schema: str | None = None) -> str:
    """The YAML text of an issue, with a schema line and comments at the top."""
    data = issue_data(issue)
    body = _dump(data)
    if _load(body) != data:  # pragma: no cover - a PyYAML style corner case: plain styles are exact
        body = _dump(_plain(data))
    head, sep, rest = body.partition("\nstories:\n")
    if sep:
        stories_end = _TOP_KEY.search(rest)
        cut = stories_end.start() if stories_end else len(rest)
        # a blank line between stories (inside `stories:` only top-level items start with "  - ")
        rest = rest[:cut].replace("\n  - ", "\n\n  - ") + rest[cut:]
        body = head + sep + rest
    body = _TOP_KEY.sub("\n", body)  # and between the top-level keys
    top = ([SCHEMA_COMMENT.format(schema=schema)] if schema else []) + [f"# {c}" for c in comments]
    return "\n".join(top + [body.rstrip("\n")]) + "\n"


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88,
                     default_flow_style=False)


def _load(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value
