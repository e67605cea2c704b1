"""`authoring validate` over many files: each report is printed as soon as its file is checked
(nothing is kept per file but counts), and the JSON document is the one ``dumps_json`` writes."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from authoring import validate as validate_module
from authoring.cli import app
from authoring.diagnostics import dumps_json
from authoring.validate import validate_file
from conftest import DATA, sample_issues

runner = CliRunner()
FILES = [*sample_issues(), DATA / "bad" / "unsafe-url-mixed-case.yaml", DATA / "bad" / "duplicate-key.yaml"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_each_report_is_out_before_the_next_file_is_read(monkeypatch, fmt):
    real = validate_module.validate_file
    checked: list[str] = []
    printed_before: list[bool] = []

    def spy(path, **kwargs):
        if checked:
            so_far = sys.stdout.buffer.getvalue() + sys.stderr.buffer.getvalue()
            printed_before.append(checked[-1] in so_far.decode())
        checked.append(path.name)
        return real(path, **kwargs)

    monkeypatch.setattr(validate_module, "validate_file", spy)
    result = runner.invoke(app, ["validate", "--format", fmt, *map(str, FILES)])
    assert result.exit_code == 1 and len(checked) == len(FILES)
    if fmt == "json":
        assert printed_before == [True] * (len(FILES) - 1)
    else:  # a clean sample prints nothing: look at the two bad files
        assert printed_before[-1] is True, "the first bad file was out before the second was read"


def test_json_is_the_same_document_as_dumps_json():
    result = runner.invoke(app, ["validate", "--format", "json", *map(str, FILES)])
    assert result.exit_code == 1
    reports = [validate_file(path).report for path in FILES]
    assert result.stdout == dumps_json(reports) + "\n"
    assert [item["file"] for item in json.loads(result.stdout)] == [str(p) for p in FILES]


def test_text_summary_counts_every_file():
    result = runner.invoke(app, ["validate", *map(str, FILES)])
    errors = sum(len(validate_file(p).report.errors) for p in FILES)
    assert result.exit_code == 1
    assert f"{len(FILES)} files checked: {errors} error" in result.stderr


def test_the_files_share_one_reading_of_each_publication(monkeypatch):
    loads = []
    real = validate_module._load_publication
    monkeypatch.setattr(validate_module, "_load_publication",
                        lambda path, level: loads.append(path) or real(path, level))
    result = runner.invoke(app, ["validate", *map(str, sample_issues())])
    assert result.exit_code == 0 and len(sample_issues()) > 1
    assert len(loads) == 1, "one issues/publication.yaml for every sample"


def test_a_file_name_with_controls_is_printed_escaped_in_text_and_raw_in_json(tmp_path):
    """A report's location is its file name: ESC, a line break or a bidi override in it reach the
    terminal as escapes (one line a diagnostic), never raw; JSON keeps the name as it is."""
    name = tmp_path / "a\x1b[2J\nb\u202ec.yaml"
    name.write_text("issue:\n  subject: S\nstories: []\nheadine: x\n", encoding="utf-8")
    text = runner.invoke(app, ["validate", str(name)])
    assert text.exit_code == 1
    assert f"{tmp_path}/a\\x1b[2J\\nb\\u202ec.yaml:4:1: error: headine: unknown key 'headine'" in text.output
    assert not any(c in text.output for c in "\x1b\u202e")
    data = json.loads(runner.invoke(app, ["validate", "--format", "json", str(name)]).stdout)
    assert data[0]["file"] == str(name)


@pytest.mark.parametrize("command", ["validate", "check", "render", "export", "fix", "preview", "import"])
def test_every_command_prints_a_missing_files_name_escaped(tmp_path, command):
    """The name reaches the terminal as escapes whichever command prints it (a diagnostic, an
    error line, the fix summary): never ESC, and never a line break that splits the message."""
    name = tmp_path / "no\x1b[2Jsuch\nfile.yaml"
    result = runner.invoke(app, [command, str(name)])
    assert result.exit_code == 1, result.output
    assert "no\\x1b[2Jsuch\\nfile.yaml" in result.output
    assert "\x1b" not in result.output and "such\nfile" not in result.output
