"""check/contrast.py: every theme pair measured, WCAG's 4.5:1 at equality, the color to change
located at its ``theme:`` line, and which way to move it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check import contrast as contrast_part
from authoring.check.build import build
from authoring.diagnostics import Severity
from authoring.theme import contrast
from conftest import line_of

CONTRAST = CheckOptions(parts={"contrast"})
SAMPLE_ACCENT = '  accent: "#c4122f"\n'


def _theme(issue: Path, **colors: str) -> Path:
    """The sample's publication with these theme colors written after its accent."""
    publication = issue.with_name("publication.yaml")
    text = publication.read_text()
    assert SAMPLE_ACCENT in text
    lines = "".join(f'  {key}: "{value}"\n' for key, value in colors.items())
    publication.write_text(text.replace(SAMPLE_ACCENT, SAMPLE_ACCENT + lines))
    return publication



def _part(issue: Path):
    part = check_file(issue, CONTRAST).part("contrast")
    assert part is not None
    return part


def test_every_pair_is_measured_in_order_and_the_lowest_is_named(issue_copy):
    part = _part(issue_copy)
    assert part.findings == []
    assert part.data == {"minimum": 4.5, "pairs": [
        {"foreground": "text", "background": "surface", "ratio": 14.76},
        {"foreground": "link", "background": "surface", "ratio": 6.67},
        {"foreground": "muted", "background": "surface", "ratio": 5.93},
        {"foreground": "accent", "background": "surface", "ratio": 6.04},
        {"foreground": "dark_text", "background": "dark_surface", "ratio": 13.57},
        {"foreground": "dark_link", "background": "dark_surface", "ratio": 7.76},
        {"foreground": "dark_accent", "background": "dark_surface", "ratio": 7.28}]}
    assert part.figures == ["7 color pairs; the lowest contrast is 5.9:1 (muted on surface)"]


def test_a_pair_exactly_at_the_minimum_passes_and_one_a_hair_under_warns(issue_copy, monkeypatch):
    muted = contrast("#5b6570", "#ffffff")  # the sample's lowest pair, unrounded
    monkeypatch.setattr(contrast_part, "MIN_CONTRAST", muted)
    assert _part(issue_copy).findings == []
    monkeypatch.setattr(contrast_part, "MIN_CONTRAST", muted + 1e-9)
    assert [f.message.split(" (")[0] for f in _part(issue_copy).findings] == [
        "captions, bylines and the footer"]


def test_a_low_pair_is_a_warning_at_its_color_with_the_figures_and_which_way_to_go(issue_copy):
    publication = _theme(issue_copy, muted="#bbbbbb")
    part = _part(issue_copy)
    (finding,) = part.findings
    assert finding.code == "low-contrast" and finding.severity is Severity.WARNING
    assert (finding.file, finding.line, finding.path) == (
        str(publication), line_of(publication, "muted:"), ("theme", "muted"))
    assert finding.message == (
        "captions, bylines and the footer (muted #bbbbbb on surface #ffffff) has a contrast of "
        "1.9:1, under WCAG's 4.5:1: hard to read, and SpamAssassin scores text colored like its "
        "background")
    assert finding.hint == "make muted darker until the pair reaches 4.5:1"
    assert part.figures == ["7 color pairs; the lowest contrast is 1.9:1 (muted on surface)"]
    assert part.data["pairs"][2] == {"foreground": "muted", "background": "surface", "ratio": 1.92}


def test_a_written_background_is_the_one_to_change_when_the_text_color_is_the_default(issue_copy):
    publication = _theme(issue_copy, surface="#5b6570")
    found = _part(issue_copy).findings
    # the default text (#1f2933), link and accent on it; muted on itself
    assert [f.message.split(" (")[0] for f in found] == [
        "body text", "links", "captions, bylines and the footer", "section headers and kickers"]
    surface, accent = line_of(publication, "surface:"), line_of(publication, "accent:")
    # the sample writes its accent: that one is changed there
    assert [(f.line, f.path) for f in found] == [(surface, ("theme", "surface"))] * 3 + [
        (accent, ("theme", "accent"))]
    assert [f.hint for f in found] == [
        "make surface lighter until the pair reaches 4.5:1",
        "make surface lighter until the pair reaches 4.5:1",
        "make surface lighter until the pair reaches 4.5:1",  # muted on its own color: equal
        "make accent darker until the pair reaches 4.5:1"]


def test_with_both_colors_written_the_text_color_is_the_one_to_change(issue_copy):
    publication = _theme(issue_copy, text="#888888", surface="#777777")
    (body, *_) = _part(issue_copy).findings
    assert (body.line, body.path) == (line_of(publication, "text:"), ("theme", "text"))
    assert body.hint == "make text lighter until the pair reaches 4.5:1"  # it is the lighter one
    _theme(issue_copy, dark_text="#1d2024")  # the dark column's own color: equal luminance
    found = _part(issue_copy).findings
    assert found[-1].hint == "make dark_text darker until the pair reaches 4.5:1"


def test_a_color_that_is_no_hex_is_left_to_validation(issue_copy):
    _theme(issue_copy, text="red")
    part = _part(issue_copy)
    assert part.findings == []
    assert [p["foreground"] for p in part.data["pairs"]] == [
        "link", "muted", "accent", "dark_text", "dark_link", "dark_accent"]
    assert part.figures == ["6 color pairs; the lowest contrast is 5.9:1 (muted on surface)"]


def test_of_equal_lowest_ratios_the_first_by_name_is_named(issue_copy):
    _theme(issue_copy, link="#5b6570")  # link and muted both at 5.93
    assert _part(issue_copy).figures == [
        "7 color pairs; the lowest contrast is 5.9:1 (link on surface)"]


def test_without_a_publication_file_the_finding_is_about_the_issue(issue_copy):
    built = build(issue_copy)
    theme = dataclasses.replace(built.publication.theme, dark_link="#30343a")
    bare = dataclasses.replace(built, publication_doc=None,
                               publication=dataclasses.replace(built.publication, theme=theme))
    (finding,) = contrast_part.theme_contrast(bare, CONTRAST).findings
    assert (finding.file, finding.line, finding.path) == (
        str(issue_copy), None, ("publication", "theme", "dark_link"))
    assert finding.hint == "make dark_link lighter until the pair reaches 4.5:1"


@pytest.mark.parametrize(("front", "back", "key", "darker"), [
    ("#777777", "#ffffff", "text", True), ("#777777", "#ffffff", "surface", False),
    ("#ffffff", "#777777", "text", False), ("#ffffff", "#777777", "surface", True),
    ("#777777", "#777777", "text", True), ("#777777", "#777777", "surface", False)])
def test_darkening_helps_only_the_darker_color_of_the_pair(front, back, key, darker):
    theme = type("Theme", (), {"text": front, "surface": back})()
    assert contrast_part._darker_fixes(theme, "text", "surface", key) is darker
