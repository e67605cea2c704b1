"""Across issues: what already ran in the last issues of the same folder."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from authoring import codes, markdown, model
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.checks import linked_texts
from authoring.diagnostics import Severity
from authoring.load import LoadError, load_file
from authoring.model import YamlPath
from authoring.structure import build_issue

LOOKBACK = 8
"""How many earlier issues a headline or link must not repeat."""
MAX_FILES = 2000
"""Folders are read by name only past this many files (bounded work on a huge archive)."""


@dataclass
class Earlier:
    file: Path
    issue: model.Issue
    line_of: dict[str, int]
    """Normalized headline / link → line in that file, to quote it."""


@part("history", "Across issues", needs_html=False)
def across_issues(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="history", title="")
    folder = options.against or built.path.parent
    others = other_issues(built, folder)
    earlier = previous_issues(built, others)
    result.figures.append(f"compared with {len(earlier)} earlier issue"
                          f"{'s' if len(earlier) != 1 else ''} in {folder}"
                          + (": " + ", ".join(e.file.name for e in earlier) if earlier else ""))
    result.data = {"folder": str(folder), "earlier": [e.file.name for e in earlier]}
    _number_taken(built, others, result)
    if not earlier:
        return result
    _repeated_headlines(built, earlier, result)
    _repeated_links(built, earlier, result)
    _repeated_promo(built, earlier[0], result)
    _sequence(built, earlier[0], result)
    return result


def other_issues(built: Built, folder: Path) -> list[Earlier]:
    """Every other issue file in the folder that can be read (at most ``MAX_FILES`` looked at)."""
    me = _identity(built.path)
    found = []
    for index, file in enumerate(sorted(folder.glob("*.yaml"))):
        if index >= MAX_FILES:
            break
        if file.name == "publication.yaml":
            continue
        identity = _identity(file)
        if identity is None or identity == me:  # a link loop, a dangling link, or this issue
            continue
        loaded = _load(file, *_stamp(file))
        if loaded is not None:
            found.append(loaded)
    return found


def previous_issues(built: Built, others: list[Earlier]) -> list[Earlier]:
    """The last ``LOOKBACK`` issues before this one, newest first: by number when the issue has
    one, else by file name."""
    number = built.issue.issue.number
    if number is not None:
        before = [c for c in others if c.issue.issue.number is not None
                  and c.issue.issue.number < number]
        before.sort(key=lambda c: c.issue.issue.number or 0, reverse=True)
    else:
        before = [c for c in others if c.file.name < built.path.name]
        before.sort(key=lambda c: c.file.name, reverse=True)
    return before[:LOOKBACK]


def _identity(file: Path) -> tuple[int, int] | None:
    """The file a path leads to (device, inode); None when it leads nowhere. Not
    ``Path.resolve``: it raises RuntimeError on a link loop, which is no reason to crash."""
    try:
        info = os.stat(file)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _stamp(file: Path) -> tuple[int, int]:
    try:
        stat = file.stat()
    except OSError:
        return 0, 0
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=256)
def _load(file: Path, mtime: int, size: int) -> Earlier | None:
    """An earlier issue, read again only when it changes (the preview checks on every save)."""
    with contextlib.suppress(LoadError, OSError):
        doc = load_file(file)
        issue, _, _ = build_issue(doc)
        if issue is None:
            return None
        lines: dict[str, int] = {}
        for path, key, offset in _keys(issue):
            pos = (doc.locate_offset(path, offset) if offset is not None else None) or doc.locate(path)
            if pos:
                lines.setdefault(key, pos.line)
        return Earlier(file=file, issue=issue, line_of=lines)
    return None


def _keys(issue: model.Issue):
    for story in issue.stories:
        if isinstance(story, model.News):
            yield story.path + ("headline",), "h:" + _norm(story.headline), None
    for path, url, inside in _links(issue):
        yield path, "l:" + url, inside[0] if inside else None


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _links(issue: model.Issue) -> Iterator[tuple[YamlPath, str, tuple[int | None, str] | None]]:
    """(path, normalized address, (offset, address as written) inside the text or None) of the
    issue's own links: not site roots, not merge tags."""
    for path, _text, links in linked_texts(issue):
        for ref, offset in links:
            if ref.kind == "link":
                key = _link_key(ref.url)
                if key:
                    yield path, key, (offset, ref.url)
    for story in issue.stories:
        cta = getattr(story, "cta", None)
        if cta is not None and cta.url:
            key = _link_key(cta.url)
            if key:
                yield cta.path + ("url",), key, None


def _link_key(url: str) -> str | None:
    url = url.strip()
    if markdown.is_merge_tag(url) or markdown.url_scheme(url) not in {"http", "https"}:
        return None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path:
        return None  # a site's home page is linked every week
    return f"{(parts.hostname or '').removeprefix('www.')}{path}"


def _where(earlier: Earlier, key: str) -> str:
    line = earlier.line_of.get(key)
    return f"{earlier.file.name}:{line}" if line else earlier.file.name


def _find(earlier: list[Earlier], key: str) -> Earlier | None:
    return next((e for e in earlier if key in e.line_of), None)


def _repeated_headlines(built: Built, earlier: list[Earlier], result: PartResult) -> None:
    for story in built.issue.stories:
        if not isinstance(story, model.News):
            continue
        key = "h:" + _norm(story.headline)
        seen = _find(earlier, key)
        if seen:
            result.add(built.at(story.path + ("headline",), codes.REPEATED_HEADLINE, Severity.WARNING,
                                f"the headline '{story.headline}' already ran ({_where(seen, key)})",
                                "write a new headline, or drop the story if it is a repeat"))


def _repeated_links(built: Built, earlier: list[Earlier], result: PartResult) -> None:
    reported: set[str] = set()
    for path, url, inside in _links(built.issue):
        key = "l:" + url
        seen = _find(earlier, key)
        if seen and key not in reported:
            reported.add(key)
            message = f"the link to {url} already ran ({_where(seen, key)})"
            hint = "check it is meant to run again (a follow-up says so)"
            if inside is None:
                result.add(built.at(path, codes.REPEATED_LINK, Severity.WARNING, message, hint))
            else:  # at the link's own line inside the text, not the text's first line
                offset, written = inside
                result.add(built.at_offset(path, offset, codes.REPEATED_LINK, Severity.WARNING,
                                           message, hint, needle=written))


def _promo_key(promo: model.Promo) -> str:
    return _norm(promo.body) + "|" + (_link_key(promo.cta.url or "") or "" if promo.cta else "")


def _repeated_promo(built: Built, last: Earlier, result: PartResult) -> None:
    last_promos = {_promo_key(s): s for s in last.issue.stories if isinstance(s, model.Promo)}
    last_bodies = {_norm(s.body) for s in last_promos.values()}
    for story in built.issue.stories:
        if isinstance(story, model.Promo) and (_promo_key(story) in last_promos
                                               or _norm(story.body) in last_bodies):
            result.add(built.at(story.path, codes.REPEATED_PROMO, Severity.WARNING,
                                f"the same promotion ran in the previous issue ({last.file.name})",
                                "rotate promotions: readers stop seeing one that runs every week",
                                key=True))


def _number_taken(built: Built, others: list[Earlier], result: PartResult) -> None:
    info = built.issue.issue
    same = [o.file.name for o in others if info.number is not None and o.issue.issue.number == info.number]
    if same:
        result.add(built.at(info.path + ("number",), codes.NUMBER_TAKEN, Severity.WARNING,
                            f"issue number {info.number} is also the number of {', '.join(same)}",
                            "give this issue its own number (or remove the stale copy)"))


def _sequence(built: Built, last: Earlier, result: PartResult) -> None:
    info, before = built.issue.issue, last.issue.issue
    if info.number is not None and before.number is not None and info.number != before.number + 1:
        result.add(built.at(info.path + ("number",), codes.NUMBER_SEQUENCE, Severity.WARNING,
                            f"issue {info.number} does not follow the previous one, "
                            f"{before.number} ({last.file.name})",
                            f"number it {before.number + 1}, unless issues were skipped on purpose"))
    if info.date is not None and before.date is not None and info.date <= before.date:
        result.add(built.at(info.path + ("date",), codes.DATE_SEQUENCE, Severity.ERROR,
                            f"the date {info.date} is not after the previous issue's, {before.date} "
                            f"({last.file.name})", "set the date this issue goes out"))
