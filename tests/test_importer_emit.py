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
