"""The corpus of malformed drafts in tests/data/bad/: each gives the expected exit code,
the right location and a message a person can act on, and never a traceback."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from authoring.cli import app
from authoring.validate import validate_file
from conftest import DATA

BAD = DATA / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
runner = CliRunner()


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert all((BAD / name).is_file() for name in CASES)


def test_realistic_breakages_are_pinned_to_line_column_and_hint():
    """Issue 11: each mistake in a real issue is reported exactly where it is, with advice that fits."""
    realistic = {name: case for name, case in CASES.items() if name.startswith("real-")}
    assert len(realistic) == 15
    assert all({"line", "column", "hint", "code"} <= set(case) for case in realistic.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_draft(name):
    expected = CASES[name]
    path = BAD / name
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == expected["exit"], result.output
    (report,) = json.loads(result.stdout)
    if "code" in expected:
        matching = [d for d in report["diagnostics"] if d["code"] == expected["code"]]
        assert matching, f"no {expected['code']} in {report['diagnostics']}"
        diag = matching[0]
        assert diag["file"] == str(path)
        if "line" in expected:
            assert diag["line"] == expected["line"], diag
        if "column" in expected:
            assert diag["column"] == expected["column"], diag
        if "message" in expected:
            assert expected["message"] in f"{diag['message']} — {diag['hint']}", diag
        if "hint" in expected:
            assert expected["hint"] in (diag["hint"] or ""), diag
        # a message a person can act on: every error comes with a hint saying what to do
        if diag["severity"] == "error":
            assert diag["hint"], diag
    if "min_errors" in expected:
        assert report["errors"] >= expected["min_errors"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_draft_text_output_quotes_the_line(name):
    """The text format names file:line:column and shows the source line with a caret."""
    result = runner.invoke(app, ["validate", str(BAD / name)])
    assert "Traceback" not in result.output
    expected = CASES[name]
    if expected["exit"] == 1 and "line" in expected:
        location = f"{BAD / name}:{expected['line']}:"
        assert location in result.stderr
        if "column" in expected:
            assert "^" in result.stderr


def test_literal_text_survives():
    """Jinja-looking text and YAML 1.1 booleans stay exactly as written."""
    for name, expected in CASES.items():
        if "literal" in expected:
            result = validate_file(BAD / name)
            assert result.issue is not None
            texts = [result.issue.stories[1].dek if result.issue.stories else None]
            if result.issue.letter:
                texts += [result.issue.letter.signoff]
            assert expected["literal"] in texts, (name, texts)


def test_ten_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"issue:\n  subject: big\nstories:\n" + b"  - text: " + b"x" * 10_000_000 + b"\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "10.0 MB" in result.stderr and "at most 1 MB" in result.stderr


def test_missing_file_and_folder(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and "is a folder" in result.stderr


def test_usage_error_exits_2():
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml", "x.yaml"]).exit_code == 2
    assert runner.invoke(app, ["frobnicate"]).exit_code == 2
