"""validate_file / load_issue: the library behind `authoring validate`."""

from __future__ import annotations

import re

import pytest

from authoring import model
from authoring.diagnostics import AuthoringError
from authoring.validate import load_issue, validate_file, validate_text
from conftest import DATA, ROOT, sample_issues


@pytest.mark.parametrize("path", sample_issues(), ids=lambda p: p.name)
def test_samples_have_no_errors(path):
    result = validate_file(path)
    assert result.report.errors == [], result.report.format_text()
    assert result.issue is not None
    assert result.publication.name == "The Batch"


def test_format_doc_example_is_a_valid_issue():
    """The whole-issue example in docs/format.md is what a user copies: it must validate."""
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    example = re.search(r"## A whole issue\n\n```yaml\n(.*?)```", doc, re.S).group(1)
    result = validate_text(example)
    assert result.report.errors == [], result.report.format_text()
    kinds = {type(s) for s in result.issue.stories}
    assert kinds == {model.Header, model.News, model.Promo, model.Feature, model.Text}


def test_model_of_the_hand_written_sample():
    issue = validate_file(ROOT / "issues" / "0321.yaml").issue
    assert issue.issue.number == 321
    assert issue.letter.signoff == "Keep learning!"
    news = issue.stories[1]
    assert isinstance(news, model.News)
    assert [s.label for s in news.sections] == [
        "What’s new", "How it works", "Results", "Why it matters", "We’re thinking"]
    assert news.sections[1].body.startswith("The system first learns")
    assert news.path == ("stories", 1, "news")


def test_all_problems_are_collected_in_one_pass():
    result = validate_file(DATA / "bad" / "many-errors.yaml")
    assert {d.code for d in result.report.errors} >= {"unknown-key", "wrong-type"}
    assert len(result.report.errors) >= 3


def test_load_issue_raises_with_reports():
    with pytest.raises(AuthoringError) as info:
        load_issue(DATA / "bad" / "misspelled-headline.yaml")
    assert info.value.reports[0].errors[0].code == "unknown-key"


def test_strict_load_refuses_warnings():
    load_issue(DATA / "bad" / "html-formatting-in-text.yaml")
    with pytest.raises(AuthoringError):
        load_issue(DATA / "bad" / "html-formatting-in-text.yaml", strict=True)


def test_missing_required_text_still_checks_the_rest():
    """A story without its headline is reported, and the story's other problems are too."""
    text = ("issue: {subject: x}\nstories:\n  - news:\n      dek: 'It''s here.'\n"
            "      sections:\n        - Whats new: x\n")
    codes = {d.code for d in validate_text(text).report.diagnostics}
    assert {"missing-field", "unknown-label", "straight-quotes"} <= codes


def test_publication_settings_are_checked(tmp_path):
    pub = tmp_path / "publication.yaml"
    pub.write_text("name: X\nsender: {name: X, email: not-an-email}\n"
                   "logo: {src: 'javascript:alert(1)', alt: X}\ntheme: {accent: red}\n")
    report = validate_file(pub).report
    assert {d.code for d in report.errors} == {"bad-email", "unsafe-url", "bad-color"}
    (color,) = [d for d in report.errors if d.code == "bad-color"]
    assert (color.line, color.column) == (4, 17)


def test_text_shorthand_block_has_no_trailing_newline():
    issue = validate_text("issue: {subject: x}\nstories:\n  - text: |\n      Hello.\n").issue
    assert issue.stories[0].body == "Hello."


def test_a_missing_field_is_reported_once():
    report = validate_file(DATA / "bad" / "misspelled-headline.yaml").report
    assert [d.code for d in report.errors] == ["unknown-key", "missing-field"]
