"""The importer's YAML writer (authoring.importer.emit): the styles a person edits best, and YAML
that always reads back as the issue."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from authoring import model
from authoring.importer import emit, import_file, import_text
from authoring.validate import DEFAULT_PUBLICATION, validate_text
from conftest import SEEDS, tracked

SEED = tracked(SEEDS, "*.txt")[0]


def test_yaml_whose_styles_would_read_back_differently_is_written_in_plain_styles(monkeypatch):
    imported = import_file(SEED).issue
    issue = dataclasses.replace(imported, issue=dataclasses.replace(
        imported.issue, number=12, date=datetime.date(2026, 11, 27)))
    monkeypatch.setattr(emit, "_dump", lambda data: "issue: {}\n")  # a style that misfired
    text = emit.dumps(issue, comments=["a comment"])
    assert text.startswith("# a comment\nissue:\n  subject: ")
    assert "\n  number: 12\n  date: 2026-11-27\n" in text  # a number and a date, not strings
    assert "!!" not in text  # plain YAML, no Python types
    assert "’" in text and "\\u2019" not in text  # curly quotes as written, not escaped
    validated = validate_text(text, publication=DEFAULT_PUBLICATION)
    assert validated.report.errors == [] and validated.issue == issue


def test_every_field_of_an_image_is_written_alt_first():
    image = model.Image(alt="A robot arm", src=model.Url("https://x.org/a.png"),
                        href=model.Url("https://x.org/"), width=300)
    issue = model.Issue(issue=model.IssueInfo(subject="S"), stories=[
        model.News(headline="H", image=image, sections=[model.Section(label="What’s new", body="B.")])])
    text = emit.dumps(issue)
    assert "  - news:\n      image:\n        alt: A robot arm\n        src: https://x.org/a.png\n" \
           "        href: https://x.org/\n        width: 300\n      headline: H\n" in text
    validated = validate_text(text, publication=DEFAULT_PUBLICATION)
    assert validated.report.errors == [] and validated.issue == issue


def test_the_yaml_reads_back_the_same_without_libyaml(monkeypatch):
    """The written YAML is read back to check its styles: with PyYAML's own loader when libyaml is
    missing (a wheel without it), not an AttributeError."""
    import yaml

    with_libyaml = import_file(SEED).yaml
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert import_file(SEED).yaml == with_libyaml


def test_without_libyaml_the_yaml_is_written_by_pyyamls_own_emitter_as_it_would_be(monkeypatch):
    """A wheel without libyaml has no ``CSafeDumper``: the importer falls back to PyYAML's own
    dumper (with the same styles), not an AttributeError."""
    import yaml

    with_libyaml = import_file(SEED).yaml
    monkeypatch.delattr(yaml, "CSafeDumper")
    monkeypatch.delattr(yaml, "CSafeLoader")
    emit._dumpers.cache_clear()
    try:
        assert import_file(SEED).yaml == with_libyaml
    finally:
        monkeypatch.undo()
        emit._dumpers.cache_clear()


def test_a_paragraph_with_a_zero_width_no_break_space_is_written_quoted_and_folded_by_libyaml():
    """U+FEFF inside a line is kept (YAML can hold it escaped); the double-quoted paragraph is folded
    at a space as libyaml folds it (PyYAML's own emitter would break it with a backslash)."""
    import yaml

    if not hasattr(yaml, "CSafeDumper"):
        pytest.skip("PyYAML without libyaml")
    paragraph = ("The\ufeffteam’s results came in on Monday and the numbers look better than anyone "
                 "expected at first and more words follow here, many of them.")
    text = import_text(f"Hi all,\n\n{paragraph}\n\nBest,\nAna\n", source="t.txt").yaml
    assert '  body: "The\\uFEFFteam’s results came in on Monday and the numbers look better\n' \
           '    than anyone expected at first and more words follow here, many of them."\n' in text


_AFTER_A_LETTER = "Hi all,\n\nThe results came in on Monday and they look good.\n\nBest,\nAna\n\n\n"
"""A short letter and the block gap after it: what follows is the issue's next block."""


def test_an_issues_footer_holding_a_list_is_a_block_whose_items_stay_where_they_are_written():
    text = import_text(_AFTER_A_LETTER + "You are receiving this because you subscribed.\n\n"
                       "- Update your preferences\n- Unsubscribe at any time\n", source="t.txt").yaml
    assert text.endswith("\nfooter: |\n  You are receiving this because you subscribed.\n\n"
                         "  - Update your preferences\n  - Unsubscribe at any time\n")


def test_a_line_of_capital_xs_in_a_storys_text_stays_inside_its_block():
    text = import_text(_AFTER_A_LETTER + "We went to the lab and it was closed for the day.\n\nXXX\n\n"
                       "Then we went home again and waited.\n", source="t.txt").yaml
    assert text.endswith("\nstories:\n  - text: |-\n      We went to the lab and it was closed for the day.\n"
                         "\n      XXX\n\n      Then we went home again and waited.\n")


def test_an_issues_preheader_is_written_under_its_key_and_reads_back():
    long = "A preheader long enough to be folded: it runs on past sixty characters."
    for preheader, written in (("Short and plain", "  preheader: Short and plain\n"),
                               (long, f"  preheader: >-\n    {long}\n")):
        issue = model.Issue(issue=model.IssueInfo(subject="S", preheader=preheader))
        text = emit.dumps(issue)
        assert text == f"issue:\n  subject: S\n{written}"
        validated = validate_text(text, publication=DEFAULT_PUBLICATION)
        assert validated.report.errors == [] and validated.issue == issue


def test_the_issues_own_fields_are_written_in_reading_order_and_empty_ones_left_out():
    issue = model.Issue(
        issue=model.IssueInfo(subject="S", number=3, preheader="What this week holds",
                              web_url=model.Url("https://x.org/3/"), lang="en-GB"),
        letter=model.Letter(body=model.Markdown("Hello."), signoff="Keep learning!", signature=""),
        footer=model.Markdown("Links:\n- one\n- two\nFollow us on X"))
    text = emit.dumps(issue)
    assert text == ("issue:\n  subject: S\n  number: 3\n  preheader: What this week holds\n"
                    "  web_url: https://x.org/3/\n  lang: en-GB\n\n"
                    "letter:\n  salutation: Dear friends,\n  body: Hello.\n  signoff: Keep learning!\n\n"
                    # the footer's own list keeps its lines together; the text ends as written
                    "footer: |\n  Links:\n  - one\n  - two\n  Follow us on X\n")
    validated = validate_text(text, publication=DEFAULT_PUBLICATION)
    assert validated.issue is not None and validated.issue.letter is not None
    assert validated.issue.issue == issue.issue and validated.issue.footer == issue.footer
    assert validated.issue.letter.signature is None  # an empty signature is no signature


def test_blank_lines_go_between_stories_only_not_into_a_footer_after_them():
    story = model.News(headline="H", sections=[model.Section(label="What’s new", body="B.")])
    issue = model.Issue(issue=model.IssueInfo(subject="S"), stories=[story, story],
                        footer=model.Markdown("Links:\n- one\n- two"))
    text = emit.dumps(issue)
    assert "stories:\n  - news:\n      headline: H\n" in text
    assert "What’s new: B.\n\n  - news:\n" in text  # a blank line between the two stories
    assert text.endswith("\n\nfooter: |\n  Links:\n  - one\n  - two\n")


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"])
def test_every_line_of_a_comment_is_marked_whatever_line_break_yaml_reads(brk):
    issue = model.Issue(issue=model.IssueInfo(subject="S"), stories=[model.Text(body=model.Markdown("Hi."))])
    text = emit.dumps(issue, comments=[f"first{brk}stories: [x]{brk}issue: {{subject: Y}}"])
    assert text.startswith("# first\n# stories: [x]\n# issue: {subject: Y}\nissue:\n")
    assert validate_text(text).issue == issue
