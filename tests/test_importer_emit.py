"""The importer's YAML writer (authoring.importer.emit): the styles a person edits best, and YAML
that always reads back as the issue."""

from __future__ import annotations

import dataclasses
import datetime

from authoring import model
from authoring.importer import emit, import_file
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
