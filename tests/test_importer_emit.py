"""The importer's YAML writer (authoring.importer.emit): the styles a person edits best, and YAML
that always reads back as the issue."""

from __future__ import annotations

import dataclasses
import datetime

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
