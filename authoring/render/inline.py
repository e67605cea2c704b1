"""Stage 3 of the email HTML: inline the CSS of the ``/*inline*/`` style block.

Two engines behind one function, chosen per publication (``inliner:`` in publication.yaml)
or per command (``--inliner``):

- ``css-inline`` (Rust, html5ever): ~1 ms per issue and ~5 ms to import.
- ``premailer`` (lxml + cssutils): ~2-4 ms per issue and ~90 ms to import (cssutils and the
  ``requests`` stack it pulls in); it also reports CSS it cannot parse, as one render warning.

Both leave every ``<style>`` block in ``<head>`` as MRML wrote it (resets, ``@media`` and dark
mode rules must stay there) and inline only the block marked ``/*inline*/``; on every sample
the two give the same head CSS and the same declarations on every element
(tests/test_render_inline.py). Each engine's library is imported on first use only.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from authoring.diagnostics import AuthoringError

if TYPE_CHECKING:
    import css_inline
    import premailer

ENGINES = ("css-inline", "premailer")
DEFAULT_ENGINE = "css-inline"
"""Same output as premailer on every sample, 3-4x faster warm and ~90 ms less to start (README)."""

_DOCTYPE = "<!doctype html>"


class InlineError(AuthoringError):
    """The inliner could not process the HTML (a broken stylesheet in a publication's templates)."""


def inline(html: str, engine: str = DEFAULT_ENGINE, warnings: list[str] | None = None) -> str:
    """The HTML with the ``/*inline*/`` rules in style attributes; ``<!doctype html>`` first."""
    if engine == "css-inline":
        out = _inline_css_inline(html)
    elif engine == "premailer":
        out = _inline_premailer(html, warnings)
    else:
        raise ValueError(f"unknown inliner {engine!r}: choose one of {', '.join(ENGINES)}")
    return _with_doctype(out)


def _with_doctype(html: str) -> str:
    """One spelling of the doctype whatever the engine; without one clients use quirks mode."""
    stripped = html.lstrip()
    if stripped[:len(_DOCTYPE)].lower() == _DOCTYPE:
        return _DOCTYPE + stripped[len(_DOCTYPE):]  # css-inline writes <!DOCTYPE html>
    return _DOCTYPE + html  # premailer drops it


# ---------------------------------------------------------------- css-inline


_INLINE_OPEN = '<style type="text/css">/*inline*/'
_STYLE_CLOSE = "</style>"


def _marked_css(html: str) -> str:
    """The CSS of every ``/*inline*/`` block, joined by newlines (an unclosed block gives none).

    str.find, not a regular expression: a search for the long marker skips through the ~30,000
    characters of HTML where the expression tried a match at each (40 µs of a 0.5 ms stage)."""
    blocks: list[str] = []
    start = html.find(_INLINE_OPEN)
    while start >= 0:
        css_start = start + len(_INLINE_OPEN)
        end = html.find(_STYLE_CLOSE, css_start)
        if end < 0:
            break
        blocks.append(html[css_start:end])
        start = html.find(_INLINE_OPEN, end + len(_STYLE_CLOSE))
    return "\n".join(blocks)


@cache
def _escaped_angle() -> re.Pattern[str]:
    # compiled on first render, not when the module is imported
    return re.compile("&[lg]t;")


_KEEP_ESCAPED = (("&lt;", "\ufdd0"), ("&gt;", "\ufdd1"))
"""html5ever writes a decoded ``<`` or ``>`` back raw inside attribute values (valid HTML, but
author text such as ``<script>`` would then appear unescaped in ``aria-label``, where lxml and
stricter mail filters expect ``&lt;``): they cross the inliner as noncharacters instead."""


def _stand_in(entity: re.Match[str]) -> str:
    return _STAND_INS[entity.group()]


_STAND_INS = dict(_KEEP_ESCAPED)


def _inline_css_inline(html: str) -> str:
    import css_inline

    css = _marked_css(html)
    # Most issues hold neither entity: one search for both (~10 µs) settles that nothing needs
    # keeping, where the four replaces over the whole HTML took ~90 µs to change nothing
    protect = (_escaped_angle().search(html) is not None
               and not any(stand_in in html for _, stand_in in _KEEP_ESCAPED))
    if protect:  # one pass for both (each replace scanned the whole HTML: 4x the time)
        html = _escaped_angle().sub(_stand_in, html)
    try:
        out = _css_inliner(css).inline(html)
    except css_inline.InlineError as exc:
        raise InlineError(f"cannot inline the email's CSS: {exc}") from None
    if protect:
        for entity, stand_in in _KEEP_ESCAPED:
            out = out.replace(stand_in, entity)
    return out


@lru_cache(maxsize=16)
def _css_inliner(css: str) -> css_inline.CSSInliner:
    """One inliner per stylesheet (a publication's theme gives one): it keeps its parsed CSS."""
    import css_inline

    # The marked block is given as extra CSS and no <style> is read: every block stays in the
    # head untouched, as premailer leaves it. Nothing is fetched.
    return css_inline.CSSInliner(inline_style_tags=False, keep_style_tags=True, keep_link_tags=True,
                                 load_remote_stylesheets=False, extra_css=css or None)


# ---------------------------------------------------------------- premailer


@cache
def _other_style_tag() -> re.Pattern[str]:
    return re.compile(r'<style type="text/css">(?!/\*inline\*/)')


@cache
def _premailer() -> tuple[premailer.Premailer, list[str]]:
    """premailer, configured once: it caches parsed CSS between runs; and the list where what
    cssutils reports at ERROR level is collected, instead of printed (each message once)."""
    import logging  # here, with premailer: ~2 ms of every cold render that uses css-inline

    import cssutils
    import premailer

    problems: list[str] = []

    class CssProblems(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message not in problems:
                problems.append(message)

    # cssutils warns about every mso-* and -webkit-* property; only its errors matter, and
    # those are reported once as render warnings, never printed.
    log = logging.getLogger("CSSUTILS")
    log.handlers[:] = [CssProblems(level=logging.ERROR)]
    log.propagate = False
    cssutils.log.setLevel(logging.ERROR)
    inliner = _rule_caching(premailer.Premailer)(
        allow_network=False,
        strip_important=False,  # !important in @media rules is what makes the phone layout win
        keep_style_tags=True,  # media queries and dark mode live there
        disable_validation=True,
        cssutils_logging_level=logging.ERROR,
        disable_basic_attributes=["width", "height"],  # keep the pixel widths Outlook needs
        align_floating_images=False,  # no floats; it would parse (and validate) every img style
    )
    return inliner, problems


_RULE_CACHE_SIZE = 16
"""Stylesheets whose rules are kept: a publication's theme gives a few."""


def _rule_caching(base: type[premailer.Premailer]) -> type[premailer.Premailer]:
    """premailer with each stylesheet's rules kept between runs.

    premailer caches the parse of a stylesheet, but turns its rules back into text on every run,
    which is two thirds of its time on our samples. The rules of a given stylesheet at a given
    position are always the same tuples of text; each run gets copies of the lists, so nothing
    premailer does with them reaches the kept ones."""

    class RuleCachingPremailer(base):
        _rules: dict[tuple[str, int], tuple[list, list]] = {}

        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> tuple[list, list]:
            key = (css_body, ruleset_index)
            if key not in self._rules:
                if len(self._rules) >= _RULE_CACHE_SIZE:
                    self._rules.clear()
                self._rules[key] = super()._parse_style_rules(css_body, ruleset_index)
            rules, leftover = self._rules[key]
            return list(rules), list(leftover)

    return RuleCachingPremailer


def _inline_premailer(html: str, warnings: list[str] | None) -> str:
    inliner, problems = _premailer()
    marked = _other_style_tag().sub('<style type="text/css" data-premailer="ignore">', html)
    problems.clear()
    out = inliner.transform(marked, pretty_print=False)
    # premailer never sees the blocks inside <!--[if mso]> comments: drop the mark there too
    out = out.replace('<style type="text/css" data-premailer="ignore">', '<style type="text/css">')
    if warnings is not None and problems:
        # one warning for the stylesheet, not one per cssutils complaint (the parse is cached,
        # so a stylesheet is reported the first time it is seen in a process)
        more = len(problems) - 1
        warnings.append(f"CSS problem while inlining styles: {problems[0]}"
                        + (f" (and {more} more)" if more else ""))
    return out
