"""Client compatibility: every feature of the final HTML looked up in caniemail's data.

Per client family: a support score (supported 1, partial ½, unsupported 0, over the features
the email uses that caniemail has tested there) and each partial or unsupported feature with
how often it occurs and whether the email carries a fallback. An unsupported feature without
a fallback is a finding, located at the template line that writes it.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from authoring import codes
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.check.features import Found, Occurrence, find_features, snapshot
from authoring.diagnostics import Diagnostic, Severity

COSMETIC = {"css-border-radius", "css-box-shadow", "css-text-shadow", "css-letter-spacing",
            "css-text-transform", "css-opacity", "css-cursor", "css-outline", "css-transition",
            "css-animation", "css-text-decoration", "css-text-decoration-color",
            "css-word-spacing", "css-word-break", "css-direction", "html-role", "html-aria-label",
            "html-target", "html-lang", "html-dir", "css-color-scheme", "html-meta-color-scheme",
            "css-at-media-prefers-color-scheme"}
"""Features whose absence changes how the email looks a little, never what it says."""

OUTLOOK_TABLES = {"css-at-media", "css-max-width", "css-width", "css-display", "css-unit-percent",
                  "css-max-height", "css-overflow", "css-display-none"}
"""Layout that MJML's conditional Outlook tables (<!--[if mso]>) replace: Outlook on Windows
gets the fixed-width layout instead."""


DEFAULT_VALUES = {"height:auto", "width:auto", "box-sizing:content-box", "float:none",
                  "position:static", "text-transform:none", "letter-spacing:normal"}
"""Declarations that state the initial value: a client that ignores them shows the same."""


@dataclass
class Verdict:
    family: str
    slug: str
    support: str
    """'a' partial or 'n' unsupported."""
    count: int
    fallback: str | None
    note: str | None


@part("clients", "Client compatibility (caniemail)")
def client_compatibility(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="clients", title="")
    data = snapshot()
    found = find_features(built.parsed)
    outlook_tables = "<!--[if mso" in built.html
    families: dict[str, dict] = {}
    missing: dict[str, list[Verdict]] = {}
    written: dict[str, tuple[str, int, int] | None] = {}
    located: dict[str, tuple[str, int, int]] = {}  # those written in a template: the others are MJML's
    head_styles_only = built.parsed.body_sheets == 0
    scores: list[tuple[int, str]] = []
    for family, name in data["families"].items():
        score, verdicts = _family(family, found, data, outlook_tables, head_styles_only)
        if score is not None:
            scores.append((score, name))
        for verdict in verdicts:
            if verdict.fallback is not None or verdict.support != "n":
                continue
            if verdict.slug not in written:
                written[verdict.slug] = _written_at(built, found.occurrences[verdict.slug])
            where = written[verdict.slug]
            if where is None:
                verdict.fallback = "MJML's markup, with its own fallbacks"
            else:
                located[verdict.slug] = where
        families[family] = {"name": name, "score": score,
                            "features": [_verdict_json(v, data) for v in verdicts]}
        result.details.extend(_family_lines(name, score, verdicts, data))
        for verdict in verdicts:
            if verdict.support == "n" and verdict.fallback is None:
                missing.setdefault(verdict.slug, []).append(verdict)
    result.data = {"caniemail": data["version"], "features_used": len(found.occurrences),
                   "families": families}
    result.figures.append(f"{len(found.occurrences)} HTML and CSS features looked up in "
                          f"caniemail {data['version']} ({data['last_update_date'][:10]})")
    if scores:
        lowest = ", ".join(f"{name} {score}%" for score, name in sorted(scores)[:3])
        result.figures.append(f"least support: {lowest}; what they lack has a fallback unless a "
                              "finding says otherwise")
    for slug, verdicts in missing.items():
        result.add(_finding(slug, verdicts, located[slug], data))
    return result


def _written_at(built: Built, occurrences: list[Occurrence]) -> tuple[str, int, int] | None:
    """The email template line that writes one of the occurrences, or None (MJML wrote it)."""
    for text in dict.fromkeys(o.text for o in occurrences):
        where = template_line([folder / "email" for folder in built.template_folders], text)
        if where:
            return where
    return None


HEAD_STYLE_CAVEATS = ("Not supported inside the `<body>`.",
                      "`<style>` elements need to be declared before their rules are used.")
"""caniemail's notes on ``<style>`` that only a sheet in the body meets (Gmail drops those;
Outlook needs the sheet before the rules are used): a head-only email is not concerned."""


def support_for(slug: str, family: str, feature: dict, head_styles_only: bool) -> tuple[str, str | None]:
    """caniemail's support of ``slug`` in ``family`` (y, a, n, u...) and its note, without the
    caveats the email does not meet."""
    support = feature["support"].get(family, "u")
    note = feature.get("notes", {}).get(family)
    if slug != "html-style" or not head_styles_only or support != "a" or not note:
        return support, note
    rest = note
    for caveat in HEAD_STYLE_CAVEATS:
        rest = rest.replace(caveat, "")
    rest = " ".join(w for w in rest.replace("Partial.", "").replace("Buggy.", "").split())
    return ("y", None) if not rest else ("a", f"Partial. {rest}")


def _family(family: str, found: Found, data: dict, outlook_tables: bool,
            head_styles_only: bool) -> tuple[int | None, list[Verdict]]:
    points, tested, verdicts = 0.0, 0, []
    for slug, occurrences in sorted(found.occurrences.items()):
        feature = data["features"][slug]
        support, note = support_for(slug, family, feature, head_styles_only)
        if support not in {"y", "a", "n"}:
            continue
        tested += 1
        points += {"y": 1.0, "a": 0.5, "n": 0.0}[support]
        if support != "y":
            verdicts.append(Verdict(family, slug, support, len(occurrences),
                                    fallback(slug, family, occurrences, outlook_tables), note))
    score = round(100 * points / tested) if tested else None
    return score, verdicts


def fallback(slug: str, family: str, occurrences: list[Occurrence], outlook_tables: bool
             ) -> str | None:
    """Why the email still works where ``slug`` is missing, or None when it does not."""
    if slug in {"css-at-media-prefers-color-scheme", "css-color-scheme", "html-meta-color-scheme"}:
        return "the light colors show"
    if slug in COSMETIC:
        return "cosmetic"
    if slug.startswith("css-at-media"):
        return "without @media the desktop layout shows"
    if family == "outlook-windows" and outlook_tables and slug in OUTLOOK_TABLES:
        return "fixed-width Outlook tables"
    if all(o.text.replace(" ", "").lower() in DEFAULT_VALUES for o in occurrences):
        return "the default value: nothing changes where it is dropped"
    places = {o.where for o in occurrences}
    if places <= {"media"}:
        return "only in @media rules: the desktop layout stands"
    if places <= {"media", "mjml"}:
        return "MJML's resets and @media rules"
    in_style_only = "inline" not in places
    if in_style_only and (slug.startswith(("css-selector-", "css-pseudo-"))
                          or slug in {"html-style", "css-important"}):
        return "the styles are inlined as well"
    return None


def _family_lines(name: str, score: int | None, verdicts: list[Verdict], data: dict) -> list[str]:
    """'Outlook Windows    63%' then its partial and unsupported features, wrapped."""
    lines = [f"{name:<17} {'n/a' if score is None else f'{score}%':>4}"
             + ("  everything supported" if not verdicts else "")]
    for support, label in (("n", "unsupported"), ("a", "partial")):
        items = []
        for v in verdicts:
            if v.support != support:
                continue
            why = f" ({v.fallback})" if v.fallback else (" (NO FALLBACK)" if support == "n" else "")
            items.append(f"{data['features'][v.slug]['title']} ×{v.count}{why}")
        if items:
            lines.extend(textwrap.wrap(f"{label}: " + ", ".join(items), width=96,
                                       initial_indent="    ", subsequent_indent="      "))
    return lines


def _verdict_json(v: Verdict, data: dict) -> dict:
    return {"feature": v.slug, "title": data["features"][v.slug]["title"],
            "support": {"a": "partial", "n": "unsupported"}[v.support], "count": v.count,
            "fallback": v.fallback, "note": v.note}


def _finding(slug: str, verdicts: list[Verdict], written: tuple[str, int, int], data: dict
             ) -> Diagnostic:
    """At the template line that writes the feature (what no template writes is MJML's, with its
    own fallbacks, and no finding)."""
    title = data["features"][slug]["title"]
    names = ", ".join(data["families"][v.family] for v in verdicts)
    count = verdicts[0].count
    message = (f"{title} (used {count} time{'s' if count != 1 else ''}) is not supported in "
               f"{names}, and the email has no fallback for it")
    hint = f"{advice(slug)}; see https://www.caniemail.com/features/{slug}/"
    file, line, column = written
    return Diagnostic(code=codes.CLIENT_UNSUPPORTED, severity=Severity.WARNING, message=message,
                      hint=hint, file=file, line=line, column=column)


ADVICE = {
    "css-at-font-face": "keep a web font optional: list system fonts after it in theme.font "
                        "(Helvetica, Arial, sans-serif), so clients without it still read well",
    "css-font": "write font-family, font-size and line-height apart: the font shorthand is dropped "
                "whole",
    "html-video": "show a still image linked to the video's page: most clients show no <video>",
    "css-background-image": "put the text on a plain background-color as well (and VML for Outlook, "
                            "or an <img>): where the image is dropped the text must still read",
    "html-background": "set a background color as well: where the image is dropped it shows",
    "css-background": "set background-color on its own as well: the shorthand is dropped whole in "
                      "some clients",
    "css-position": "lay it out with MJML's sections and columns: position is ignored",
    "css-display-flex": "use MJML's columns: flex layouts collapse in Outlook and Gmail",
    "css-display-grid": "use MJML's columns: grid layouts collapse in most clients",
}
"""What to do about a feature a client lacks, where the general layout advice does not fit."""


def advice(slug: str) -> str:
    if slug in ADVICE:
        return ADVICE[slug]
    if "font" in slug:
        return "list system fonts after it in theme.font, so clients without it still read well"
    if "video" in slug or "audio" in slug:
        return "link to the media from an image or a text link instead"
    if "background" in slug:
        return "set a background color as well, so the text still reads where it is dropped"
    return "use what MJML offers for layout (sections, columns, attributes) instead"


def template_line(folders: list[Path], text: str) -> tuple[str, int, int] | None:
    """Where a declaration or tag is written in the templates in use (the publication's own first)."""
    needle = _squeeze(text)
    if not needle:
        return None
    for file, number, squeezed, line in _template_lines(tuple(str(f) for f in folders)):
        if needle in squeezed:
            column = line.lower().find(text.split(":")[0].lower())
            # shown relative to the current folder of now, not of the run that read the file
            return _display(Path(file)), number, column + 1 if column >= 0 else 1
    return None


def _template_lines(folders: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    """(file, line number, line without spaces, line) of each template a render uses; read
    again only when a template file changes."""
    files: list[Path] = []
    seen: set[str] = set()
    for folder in map(Path, folders):
        if folder.is_dir():
            for path in sorted(folder.glob("*.j2")):
                if path.name not in seen:  # the publication's own template of that name wins
                    seen.add(path.name)
                    files.append(path)
    stamps = tuple((str(f), _mtime(f)) for f in files)
    return _read_lines(stamps)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=32)
def _read_lines(stamps: tuple[tuple[str, int], ...]) -> list[tuple[str, int, str, str]]:
    lines: list[tuple[str, int, str, str]] = []
    for file, _ in stamps:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            continue
        lines.extend((file, number, _squeeze(line), line)
                     for number, line in enumerate(text.splitlines(), 1))
    return lines


def _squeeze(text: str) -> str:
    return "".join(text.lower().split()).rstrip(";")


def _display(path: Path) -> str:
    """templates/email/news.mjml.j2 relative to the current folder when it is below it."""
    try:
        return os.path.relpath(path)
    except (ValueError, OSError):  # another drive; the current folder was removed
        return str(path)
