"""The importer's YAML writer (authoring.importer.emit): the styles a person edits best, and YAML
that always reads back as the issue."""

from __future__ import annotations

from authoring.importer import emit, import_file
from authoring.validate import DEFAULT_PUBLICATION, validate_text
from conftest import SEEDS, tracked

SEED = tracked(SEEDS, "*.txt")[0]


def test_yaml_whose_styles_would_read_back_differently_is_written_in_plain_styles(monkeypatch):
    issue = import_file(SEED).issue
    monkeypatch.setattr(emit, "_dump", lambda data: "issue: {}\n")  # a style that misfired
    text = emit.dumps(issue, comments=["a comment"])
    assert text.startswith("# a comment\nissue:\n  subject: ")
    assert "!!" not in text  # plain YAML, no Python types
    validated = validate_text(text, publication=DEFAULT_PUBLICATION)
    assert validated.report.errors == [] and validated.issue == issue
