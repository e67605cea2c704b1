"""`authoring new`: a fresh issue, numbered and dated, that validates as a draft."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from authoring.cli import app
from authoring.new import new_issue, next_number
from authoring.validate import validate_file

runner = CliRunner()


def test_new_issue_is_numbered_after_the_highest(tmp_path):
    (tmp_path / "0007.yaml").write_text("issue:\n  number: 7\n  subject: x\n")
    (tmp_path / "0003.yaml").write_text("issue:\n  number: 3\n  subject: x\n")
    assert next_number(tmp_path) == 8
    path = new_issue(tmp_path, date=dt.date(2026, 12, 4))
    assert path.name == "0008.yaml"
    result = validate_file(path)
    assert result.report.errors == []
    assert result.issue.issue.number == 8
    assert result.issue.issue.date == dt.date(2026, 12, 4)


def test_new_refuses_to_overwrite(tmp_path):
    runner.invoke(app, ["new", str(tmp_path), "--number", "5"])
    result = runner.invoke(app, ["new", str(tmp_path), "--number", "5"])
    assert result.exit_code == 1
    assert "already exists" in result.stderr


def test_new_rejects_a_bad_date(tmp_path):
    result = runner.invoke(app, ["new", str(tmp_path), "--date", "tomorrow"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_new_in_an_empty_folder_starts_at_one(tmp_path):
    result = runner.invoke(app, ["new", str(tmp_path / "fresh")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("0001.yaml")
