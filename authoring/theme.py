"""What the theme implies beyond what it names: the column's layout, the colors it leaves out, and
WCAG contrast.

The theme gives a muted color for light mode only and no tint for promo boxes; these are
mixed from the theme's own colors and checked against 4.5:1, falling back to the plain
text color when a mix would be too faint. Both the renderer and the checks (image widths,
contrast) read this module, so it sits below both.
"""

from __future__ import annotations

import re

from authoring.model import Theme
from authoring.records import dataclass

COLUMN_PADDING = 24
"""Left and right padding of the text column (px); images in text span the rest."""
DEFAULT_LOGO_WIDTH = 200
"""Display width of a logo that sets none (px)."""

_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

MIN_CONTRAST = 4.5


def parse_hex(color: str) -> tuple[int, int, int] | None:
    match = _HEX.match(color.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(255, max(0, c))):02x}" for c in rgb)


def mix(a: str, b: str, amount: float) -> str | None:
    """a moved ``amount`` (0..1) of the way towards b; None unless both are hex colors."""
    ra, rb = parse_hex(a), parse_hex(b)
    if ra is None or rb is None:
        return None
    red, green, blue = (x + (y - x) * amount for x, y in zip(ra, rb, strict=True))
    return to_hex((red, green, blue))


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float | None:
    ra, rb = parse_hex(a), parse_hex(b)
    if ra is None or rb is None:
        return None
    la, lb = sorted((luminance(ra), luminance(rb)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _readable(candidate: str | None, background: str, fallback: str) -> str:
    if candidate is None:
        return fallback
    ratio = contrast(candidate, background)
    return candidate if ratio is None or ratio >= MIN_CONTRAST else fallback


@dataclass(frozen=True)
class Palette:
    """Every color the templates use, for light and dark mode."""

    text: str
    background: str
    surface: str
    accent: str
    link: str
    muted: str
    tint: str
    """Background of promo boxes."""
    dark_text: str
    dark_background: str
    dark_surface: str
    dark_accent: str
    dark_link: str
    dark_muted: str
    dark_tint: str
    on_accent: str
    """Text on the accent color (a button's label): white, or the text color where white is too faint."""


def palette(theme: Theme) -> Palette:
    tint = mix(theme.surface, theme.accent, 0.05) or theme.surface
    dark_tint = mix(theme.dark_surface, theme.dark_text, 0.07) or theme.dark_surface
    return Palette(
        text=theme.text, background=theme.background, surface=theme.surface,
        accent=theme.accent, link=theme.link, muted=theme.muted, tint=tint,
        dark_text=theme.dark_text, dark_background=theme.dark_background,
        dark_surface=theme.dark_surface, dark_accent=theme.dark_accent, dark_link=theme.dark_link,
        # muted text in dark mode: the text color a quarter of the way into the surface
        dark_muted=_readable(mix(theme.dark_text, theme.dark_surface, 0.25), dark_tint, theme.dark_text),
        dark_tint=dark_tint,
        on_accent="#ffffff" if (contrast("#ffffff", theme.accent) or 5) >= MIN_CONTRAST else theme.text,
    )
