"""check/images.py: with images off, alt texts that are file names, the logo's alt, and links
only an image carries; each finding at its line with its message, and the images counted."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check.build import build
from authoring.check.images import file_name_alt, images_off
from authoring.diagnostics import Severity
from conftest import edit, line_of

IMAGES = CheckOptions(parts={"images"})
NEWS_HREF = "        href: https://www.deeplearning.ai/the-batch/\n"




def _part(issue: Path):
    part = check_file(issue, IMAGES).part("images")
    assert part is not None and part.skipped is None
    return part


def test_the_sample_counts_its_images_and_finds_the_link_only_its_first_image_carries(issue_copy):
    part = _part(issue_copy)
    assert part.figures == ["5 images in the email, 5 with alt text (4 written in the issue)"]
    assert part.data == {"images": 5, "with_alt": 5, "in_issue": 4}
    (finding,) = part.findings
    assert finding.code == "image-only-link" and finding.severity is Severity.WARNING
    assert finding.path == ("stories", 1, "news", "image", "href")
    assert (finding.file, finding.line, finding.column) == (
        str(issue_copy), line_of(issue_copy, NEWS_HREF.strip()), 15)
    assert finding.message == ("the link to https://www.deeplearning.ai/the-batch/ is only on the "
                               "image: with images off readers can neither see nor follow it")
    assert finding.hint == ("link the same address from text too (the headline's story, a call to "
                            "action) or drop the image's href")


def test_a_text_link_to_the_same_page_is_enough_whatever_its_query_slash_or_host_case(issue_copy):
    # the promo's call to action links https://www.deeplearning.ai/courses/agentic-ai/ in text
    edit(issue_copy, NEWS_HREF,
          "        href: https://WWW.DeepLearning.ai/courses/agentic-ai?utm_source=x\n")
    assert _part(issue_copy).findings == []
    edit(issue_copy, "agentic-ai?utm_source=x", "Agentic-AI")  # a path is case-sensitive
    assert [f.code for f in _part(issue_copy).findings] == ["image-only-link"]


def test_an_image_without_a_link_or_linked_to_a_merge_tag_is_no_image_only_link(issue_copy):
    edit(issue_copy, NEWS_HREF, "        href: \"{{web_version_url}}\"\n")
    assert _part(issue_copy).findings == []
    edit(issue_copy, "        href: \"{{web_version_url}}\"\n", "")
    assert _part(issue_copy).findings == []


def test_a_markdown_image_named_like_a_file_is_found_at_its_alt(issue_copy):
    edit(issue_copy, NEWS_HREF, "")
    edit(issue_copy, "Three forces drive this:", "Three forces drive this: ![IMG_2041](images/chart.png)")
    part = _part(issue_copy)
    (finding,) = part.findings
    assert finding.code == "alt-file-name" and finding.severity is Severity.WARNING
    line = line_of(issue_copy, "![IMG_2041]")
    assert (finding.line, finding.column) == (
        line, issue_copy.read_text().splitlines()[line - 1].index("IMG_2041") + 1)
    assert finding.message == ("alt text 'IMG_2041' looks like a file name: with images off readers "
                               "see it instead of the picture")
    assert finding.hint == "describe what the picture shows, in a short sentence"
    assert part.figures == ["6 images in the email, 6 with alt text (5 written in the issue)"]


def test_a_story_images_alt_is_found_at_its_alt_line(issue_copy):
    edit(issue_copy, "alt: A robot arm stacking colored blocks after watching a video of a person",
          "alt: robot-arm")
    found = [f for f in _part(issue_copy).findings if f.code == "alt-file-name"]
    assert [(f.path, f.line) for f in found] == [
        (("stories", 1, "news", "image", "alt"), line_of(issue_copy, "alt: robot-arm"))]
    assert found[0].message.startswith("alt text 'robot-arm' is the image's file name:")


@pytest.mark.parametrize(("alt", "src", "reason"), [
    ("", "images/x.png", None),
    ("   ", "images/x.png", None),
    (" chart.PNG ", None, "is a file name"),
    ("scan.tiff", None, "is a file name"),
    ("Robot-Arm", "images/robot-arm.png", "is the image's file name"),
    ("robot-arm", " https://example.org/img/robot-arm.png?w=600 ", "is the image's file name"),
    ("robot-arm", None, None),
    ("Our team", "https://example.org/", None),
    ("banner (2)", None, "looks like a file name (a copy number at the end)"),
    ("The Batch (1)- 1", None, "looks like a file name (a copy number at the end)"),
    ("Our big team (2)", None, "looks like a file name (a copy number at the end)"),  # 4 words
    ("Our big team photo (2)", None, None),  # 5 words: prose with a number
    ("DSC_0042", None, "looks like a file name"),
    ("unnamed-3", None, "looks like a file name"),
    ("Photographs from 2020", None, None),
    ("robot_arm_v2", None, "looks like a file name"),
    ("robot_arm and more", None, None),
])
def test_each_reason_an_alt_looks_like_a_file_name(alt, src, reason):
    assert file_name_alt(alt, src) == reason


def _logo(built, **changes):
    logo = dataclasses.replace(built.publication.logo, **changes)
    return dataclasses.replace(built, publication=dataclasses.replace(built.publication, logo=logo))


def _logo_findings(issue: Path, **changes):
    built = build(issue)
    return [f for f in images_off(_logo(built, **changes), IMAGES).findings
            if f.path[:1] == ("logo",)]


def test_a_logo_without_alt_is_an_empty_box_at_the_logo(issue_copy):
    (finding,) = _logo_findings(issue_copy, alt="  ")
    publication = issue_copy.with_name("publication.yaml")
    assert (finding.code, finding.severity, finding.file, finding.line, finding.path) == (
        "logo-alt", Severity.WARNING, str(publication), line_of(publication, "logo:"), ("logo",))
    assert finding.message == "the logo has no alt text: with images off the masthead is an empty box"
    assert finding.hint == "set logo.alt to 'The Batch'"


def test_a_logo_alt_that_does_not_name_the_publication(issue_copy):
    (finding,) = _logo_findings(issue_copy, alt="Our masthead")
    assert (finding.code, finding.severity, finding.path) == ("logo-alt", Severity.WARNING, ("logo", "alt"))
    assert finding.message == ("the logo's alt text 'Our masthead' does not name the publication: "
                               "with images off readers cannot tell it is The Batch")
    assert finding.hint == "write the name in it: 'The Batch'"
    assert _logo_findings(issue_copy, alt="THE BATCH, weekly") == []


@pytest.mark.parametrize("alt", ["logo.png", "The Batch.png", "LOGO"])  # LOGO: images/logo.png's name
def test_a_logo_alt_that_is_a_file_name(issue_copy, alt):
    (finding,) = _logo_findings(issue_copy, alt=alt)
    assert (finding.code, finding.severity, finding.path) == (
        "alt-file-name", Severity.WARNING, ("logo", "alt"))
    assert finding.message == f"the logo's alt text '{alt}' looks like a file name"
    assert finding.hint == "write the publication's name: 'The Batch'"


def test_a_masthead_in_text_has_no_logo_to_describe(issue_copy):
    assert _logo_findings(issue_copy, alt="", src=None) == []
    built = build(issue_copy)
    bare = dataclasses.replace(built, publication=dataclasses.replace(built.publication, logo=None))
    assert [f.code for f in images_off(bare, IMAGES).findings] == ["image-only-link"]


def test_a_markdown_alt_is_found_at_the_image_not_an_earlier_mention_of_its_words(issue_copy):
    edit(issue_copy, NEWS_HREF, "")
    edit(issue_copy, "Three forces drive this:", "IMG_2041 shows it: ![IMG_2041](images/chart.png)")
    (finding,) = _part(issue_copy).findings
    line = line_of(issue_copy, "![IMG_2041]")
    assert (finding.line, finding.column) == (
        line, issue_copy.read_text().splitlines()[line - 1].index("![IMG_2041]") + 3)


def test_two_images_with_the_same_alt_are_each_found_at_their_own(issue_copy):
    edit(issue_copy, NEWS_HREF, "")
    edit(issue_copy, "Three forces drive this:",
          "Three forces: ![IMG_2041](images/chart.png) and ![IMG_2041](images/essay.png)")
    found = _part(issue_copy).findings
    line = line_of(issue_copy, "![IMG_2041]")
    written = issue_copy.read_text().splitlines()[line - 1]
    first = written.index("![IMG_2041]")
    assert [(f.line, f.column) for f in found] == [
        (line, first + 3), (line, written.index("![IMG_2041]", first + 1) + 3)]


def test_images_in_the_email_with_alt_text_are_those_whose_alt_says_something(issue_copy):
    built = build(issue_copy)
    html = built.html.replace("</body>", '<img src="a.png" alt="  "><img src="b.png"></body>')
    result = images_off(dataclasses.replace(built, html=html), IMAGES)
    assert result.figures == ["7 images in the email, 5 with alt text (4 written in the issue)"]
    assert result.data == {"images": 7, "with_alt": 5, "in_issue": 4}


def test_a_logo_file_named_after_the_publication_leaves_its_alt_alone(issue_copy):
    assert _logo_findings(issue_copy, alt="The Batch", src="images/The Batch.png") == []
    (finding,) = _logo_findings(issue_copy, alt="The Batch.png", src="images/The Batch.png")
    assert finding.code == "alt-file-name"


def test_a_page_under_the_one_linked_from_text_is_another_page(issue_copy):
    edit(issue_copy, NEWS_HREF, "        href: https://www.deeplearning.ai/courses/agentic-ai/X\n")
    assert [f.code for f in _part(issue_copy).findings] == ["image-only-link"]


def test_an_image_whose_address_the_parser_rewrites_is_found_at_its_alt_not_a_later_mention(issue_copy):
    # markdown-it writes chärt.png as ch%C3%A4rt.png: the address is not found as written
    edit(issue_copy, NEWS_HREF, "")
    edit(issue_copy, "Three forces drive this:",
          "Three forces: ![IMG_2041](images/chärt.png), written `![IMG_2041]` in the source.")
    found = [f for f in _part(issue_copy).findings if f.code == "alt-file-name"]
    line = line_of(issue_copy, "![IMG_2041]")
    assert [(f.line, f.column) for f in found] == [
        (line, issue_copy.read_text().splitlines()[line - 1].index("![IMG_2041]") + 3)]
