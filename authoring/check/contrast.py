"""Theme colors: the text, link and accent colors against the column they sit on, light and
dark, by WCAG's contrast ratio. Fast (no browser): the colors are the publication's, so each
finding points at the ``theme:`` line that sets one of the pair."""

from __future__ import annotations

from authoring import codes
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.diagnostics import Severity
from authoring.theme import MIN_CONTRAST, contrast

PAIRS = [
    ("text", "surface", "body text"),
    ("link", "surface", "links"),
    ("muted", "surface", "captions, bylines and the footer"),
    ("accent", "surface", "section headers and kickers"),
    ("dark_text", "dark_surface", "body text in dark mode"),
    ("dark_link", "dark_surface", "links in dark mode"),
    ("dark_accent", "dark_surface", "section headers and kickers in dark mode"),
]
"""(foreground, background, what is written in it): the theme's pairs a reader must read."""


@part("contrast", "Theme colors (contrast)", needs_html=False)
def theme_contrast(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="contrast", title="")
    theme = built.publication.theme
    measured: list[tuple[float, str, str]] = []
    for front, back, what in PAIRS:
        ratio = contrast(getattr(theme, front), getattr(theme, back))
        if ratio is None:
            continue  # not a hex color: validation's bad-color
        measured.append((round(ratio, 2), front, back))
        if ratio < MIN_CONTRAST:
            key = front if _written(built, front) or not _written(built, back) else back
            result.add(built.at_publication(
                ("theme", key), codes.LOW_CONTRAST, Severity.WARNING,
                f"{what} ({front} {getattr(theme, front)} on {back} {getattr(theme, back)}) has a "
                f"contrast of {ratio:.1f}:1, under WCAG's {MIN_CONTRAST:g}:1: hard to read, "
                "and SpamAssassin scores text colored like its background",
                f"make {key} {'darker' if _darker_fixes(theme, front, back, key) else 'lighter'} "
                f"until the pair reaches {MIN_CONTRAST:g}:1"))
    if measured:
        ratio, front, back = min(measured)
        result.figures.append(f"{len(measured)} color pairs; the lowest contrast is {ratio:.1f}:1 "
                              f"({front} on {back})")
    result.data = {"pairs": [{"foreground": f, "background": b, "ratio": r} for r, f, b in measured],
                   "minimum": MIN_CONTRAST}
    return result


def _written(built: Built, key: str) -> bool:
    doc = built.publication_doc
    return doc is not None and ("theme", key) in doc.marks


def _darker_fixes(theme: object, front: str, back: str, key: str) -> bool:
    """Whether darkening ``key`` raises the pair's contrast (it is the darker of the two)."""
    from authoring.theme import luminance, parse_hex

    a, b = parse_hex(getattr(theme, front)), parse_hex(getattr(theme, back))
    if a is None or b is None:
        return True
    darker = front if luminance(a) <= luminance(b) else back
    return key == darker
