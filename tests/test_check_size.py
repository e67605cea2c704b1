"""check/size.py: the byte figures, Gmail's 102 KB clip and the warning below it, at equality.

The sample is built once for real; each test then gives it HTML of an exact size and a chosen
split by block, so every threshold is met at its byte and every figure can be asserted whole.
"""

from __future__ import annotations

import dataclasses

import pytest

from authoring import codes
from authoring.check import CheckOptions
from authoring.check.build import Built, build
from authoring.check.size import block_path, label, where_the_bytes_go
from authoring.diagnostics import Severity
from authoring.render import GMAIL_CLIP_BYTES, WARN_SIZE

KB = 1024


@pytest.fixture
def built(issue_copy) -> Built:
    return build(issue_copy)


def _sized(built: Built, blocks: list[tuple[str, int]]) -> Built:
    """The sample with HTML of exactly the blocks' total bytes, split as given."""
    total = sum(size for _, size in blocks)
    sized = dataclasses.replace(built, html="x" * total)
    sized.__dict__["blocks"] = blocks  # the cached marked render, chosen here
    return sized


def _clip_at(total: int, *, heavy: str = "stories[1]") -> list[tuple[str, int]]:
    return [("head", 2000), ("letter", 3000), (heavy, total - 2000 - 3000 - 500), ("footer", 500)]


def test_limits_are_gmails_102_kb_and_a_warning_from_90_kb():
    assert (WARN_SIZE, GMAIL_CLIP_BYTES) == (90 * KB, 102 * KB)


def test_at_the_warning_size_nothing_is_judged_and_without_figures_nothing_measured(built):
    at_warn = _sized(built, _clip_at(WARN_SIZE))
    quiet = where_the_bytes_go(at_warn, CheckOptions(figures=False))
    assert (quiet.findings, quiet.figures, quiet.data) == ([], [], {"bytes": WARN_SIZE})
    shown = where_the_bytes_go(at_warn, CheckOptions())
    assert shown.findings == [] and shown.data["bytes"] == WARN_SIZE
    assert shown.figures[0] == "HTML 90.0 KB of Gmail's 102.0 KB (88%)"


def test_one_byte_over_the_warning_size_warns_even_without_figures(built):
    result = where_the_bytes_go(_sized(built, _clip_at(WARN_SIZE + 1)), CheckOptions(figures=False))
    [finding] = result.findings
    assert (finding.code, finding.severity) == (codes.SIZE_NEAR_CLIP, Severity.WARNING)
    assert finding.message == ("the email HTML is 90.0 KB, close to Gmail's 102.0 KB clip; the largest "
                               "block is stories[1] news “Robots Learn Chores From Video” (84.6 KB)")
    assert finding.hint == "keep an eye on it: a longer story will get the email clipped"
    assert finding.path == ("stories", 1) and finding.line == 36  # the story's key, `  - news:`
    assert result.data["warn_bytes"] == WARN_SIZE and result.data["clip_bytes"] == GMAIL_CLIP_BYTES


def test_exactly_at_the_clip_is_still_only_a_warning(built):
    result = where_the_bytes_go(_sized(built, _clip_at(GMAIL_CLIP_BYTES)), CheckOptions())
    [finding] = result.findings
    assert (finding.code, finding.severity) == (codes.SIZE_NEAR_CLIP, Severity.WARNING)
    assert "is 102.0 KB, close to Gmail's 102.0 KB clip" in finding.message


def test_one_byte_past_the_clip_is_an_error_naming_the_block_it_cuts_and_the_largest(built):
    blocks = [("head", 2000), ("stories[1]", GMAIL_CLIP_BYTES - 2000), ("stories[5]", 1),
              ("letter", 40 * KB), ("footer", 500)]
    result = where_the_bytes_go(_sized(built, blocks), CheckOptions())
    [finding] = result.findings
    assert (finding.code, finding.severity) == (codes.SIZE_CLIPPED, Severity.ERROR)
    total = GMAIL_CLIP_BYTES + 1 + 40 * KB + 500
    assert finding.message == (
        f"the email HTML is {total / KB:.1f} KB: Gmail clips it at 102.0 KB, cutting the email inside "
        "stories[5] feature “Why Small Models Keep Winning” and hides the rest, the unsubscribe link "
        "included; the largest block is stories[1] news “Robots Learn Chores From Video” (100.0 KB)")
    assert finding.hint == "shorten this block or move it to the web version"
    assert finding.path == ("stories", 1)


def test_the_block_that_ends_exactly_at_the_clip_is_not_the_one_cut(built):
    # stories[1] ends at byte 102 KB: the clip falls in the byte after it, in stories[3]
    blocks = [("head", 1000), ("stories[1]", GMAIL_CLIP_BYTES - 1000), ("stories[3]", 10),
              ("footer", 5)]
    [finding] = where_the_bytes_go(_sized(built, blocks), CheckOptions()).findings
    assert "cutting the email inside stories[3] news “Data Centers Go Nuclear” and" in finding.message


def test_past_the_clip_with_no_content_block_the_finding_is_about_the_whole_issue(built):
    blocks = [("head", GMAIL_CLIP_BYTES - 100), ("footer", 200)]
    [finding] = where_the_bytes_go(_sized(built, blocks), CheckOptions()).findings
    assert finding.message == ("the email HTML is 102.1 KB: Gmail clips it at 102.0 KB, cutting the "
                               "email inside footer and hides the rest, the unsubscribe link included")
    assert (finding.path, finding.line, finding.file) == ((), None, str(built.path))
    assert (finding.code, finding.severity) == (codes.SIZE_CLIPPED, Severity.ERROR)
    assert finding.hint == "shorten this block or move it to the web version"


def test_when_the_blocks_do_not_reach_the_clip_no_block_is_named_as_cut(built):
    # the block split comes from a second, marked render: should it fall short of the export's
    # bytes, the message says no more than it knows
    sized = dataclasses.replace(built, html="x" * (GMAIL_CLIP_BYTES + 1))
    sized.__dict__["blocks"] = [("head", 1000), ("stories[1]", 2000)]
    [finding] = where_the_bytes_go(sized, CheckOptions()).findings
    assert finding.message == (
        "the email HTML is 102.0 KB: Gmail clips it at 102.0 KB and hides the rest, the unsubscribe "
        "link included; the largest block is stories[1] news “Robots Learn Chores From Video” (2.0 KB)")


def test_the_letter_can_be_the_largest_block_and_is_located_at_its_key(built):
    blocks = [("head", 1000), ("letter", 95 * KB), ("stories[1]", 2 * KB)]
    [finding] = where_the_bytes_go(_sized(built, blocks), CheckOptions()).findings
    assert finding.message.endswith("; the largest block is letter (95.0 KB)")
    assert finding.path == ("letter",) and finding.line == 10


def test_figures_give_the_total_and_each_block_in_kb_with_its_label(built):
    blocks = [("head", 3 * KB), ("letter", 1536), ("stories[0]", 512), ("stories[2]", 100),
              ("stories[6]", 10 * KB), ("footer", 2048)]
    result = where_the_bytes_go(_sized(built, blocks), CheckOptions())
    total = sum(size for _, size in blocks)
    assert result.figures == [
        f"HTML {total / KB:.1f} KB of Gmail's 102.0 KB ({100 * total / GMAIL_CLIP_BYTES:.0f}%)",
        "   3.0 KB  head (CSS for phones and dark mode)",
        "   1.5 KB  letter",
        "   0.5 KB  stories[0] header “News”",
        "   0.1 KB  stories[2] promo “A MESSAGE FROM DEEPLEARNING.AI”",
        "  10.0 KB  stories[6] text",
        "   2.0 KB  footer",
    ]
    assert result.figures[0] == "HTML 17.1 KB of Gmail's 102.0 KB (17%)"
    assert result.data == {
        "bytes": total, "warn_bytes": WARN_SIZE, "clip_bytes": GMAIL_CLIP_BYTES,
        "blocks": [{"block": name, "label": label(built.issue, name), "bytes": size}
                   for name, size in blocks]}
    assert result.data["blocks"][1] == {"block": "letter", "label": "letter", "bytes": 1536}
    assert result.findings == []


@pytest.mark.parametrize(("name", "path"), [
    ("stories[3]", ("stories", 3)), ("stories[12]", ("stories", 12)), ("letter", ("letter",)),
    ("head", ()), ("footer", ()), ("stories", ()), ("stories[3", ()), ("letters", ()),
])
def test_block_path(name, path):
    assert block_path(name) == path


def test_labels_name_head_email_and_stories_by_headline_title_or_kicker(built):
    issue = built.issue
    assert label(issue, "head") == "head (CSS for phones and dark mode)"
    assert label(issue, "email") == "the email as a whole"
    assert label(issue, "footer") == "footer"
    assert label(issue, "letter") == "letter"
    assert label(issue, "stories[1]") == "stories[1] news “Robots Learn Chores From Video”"
    assert label(issue, "stories[5]") == "stories[5] feature “Why Small Models Keep Winning”"
    assert label(issue, "stories[2]") == "stories[2] promo “A MESSAGE FROM DEEPLEARNING.AI”"
    assert label(issue, "stories[6]") == "stories[6] text"
    last = len(issue.stories)
    assert label(issue, f"stories[{last - 1}]").startswith(f"stories[{last - 1}] ")
    assert label(issue, f"stories[{last}]") == f"stories[{last}]"  # past the end: the name alone


def test_a_label_shortens_titles_past_60_characters_with_an_ellipsis(built):
    issue = built.issue
    for length, shown in ((60, "H" * 60), (61, "H" * 59 + "…")):
        issue.stories[1].headline = "H" * length
        assert label(issue, "stories[1]") == f"stories[1] news “{shown}”"
