"""`authoring new`: a fresh issue, numbered and dated, that validates as a draft."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from authoring.cli import app
from authoring.diagnostics import AuthoringError
from authoring.new import new_issue, next_number
from authoring.validate import validate_file
from conftest import ISSUES

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


def test_outside_a_project_the_schema_is_the_published_one_not_a_local_path(tmp_path):
    from authoring.schema import SCHEMA_ID

    path = new_issue(tmp_path, date=dt.date(2026, 12, 4))
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_ID}"


def test_inside_a_project_the_schema_is_relative(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "issue.schema.json").write_text("{}")
    path = new_issue(tmp_path / "issues", date=dt.date(2026, 12, 4))
    assert path.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../schema/issue.schema.json"


def test_without_a_publication_no_ones_names_are_written(tmp_path):
    text = new_issue(tmp_path, date=dt.date(2026, 12, 4)).read_text(encoding="utf-8")
    assert "Andrew" not in text and "DEEPLEARNING" not in text and "Keep learning" not in text
    assert "  # signature: Your name" in text and "      # kicker: A MESSAGE FROM ..." in text
    issue = validate_file(tmp_path / "0001.yaml").issue
    assert issue.letter.signature is None and issue.stories[-1].kicker is None


def test_the_salutation_is_shown_in_the_file(tmp_path):
    text = new_issue(tmp_path, date=dt.date(2026, 12, 4)).read_text(encoding="utf-8")
    assert "  salutation: Dear friends,\n" in text
    assert validate_file(tmp_path / "0001.yaml").issue.letter.salutation == "Dear friends,"


def test_the_publications_names_are_written_quoted_when_yaml_needs_it(tmp_path):
    (tmp_path / "publication.yaml").write_text(
        "name: X\nsender: {name: X, email: x@team.example.org}\n"
        "new_issue: {signoff: 'Until next week: be well', signature: '#1 Editor', "
        "promo_kicker: 'A MESSAGE FROM \"US\"'}\n")
    new_issue(tmp_path, date=dt.date(2026, 12, 4))
    letter = validate_file(tmp_path / "0001.yaml").issue.letter
    assert (letter.signoff, letter.signature) == ("Until next week: be well", "#1 Editor")
    assert validate_file(tmp_path / "0001.yaml").issue.stories[-1].kicker == 'A MESSAGE FROM "US"'


@pytest.mark.parametrize(("number", "ok"), [(-5, False), (0, False), (1, True), (999_999, True),
                                            (1_000_000, False)])
def test_the_number_is_range_checked(tmp_path, number, ok):
    result = runner.invoke(app, ["new", str(tmp_path), "--number", str(number)])
    assert result.exit_code == (0 if ok else 2), result.output
    assert (len(list(tmp_path.glob("*.yaml"))) == 1) is ok
    if not ok:
        with pytest.raises(AuthoringError, match="out of range"):
            new_issue(tmp_path, number=number)


def test_the_batchs_own_folder_keeps_its_names():
    from authoring.new import publication_defaults

    defaults = publication_defaults(ISSUES)
    assert (defaults.signoff, defaults.signature, defaults.promo_kicker) == (
        "Keep learning!", "Andrew", "A MESSAGE FROM DEEPLEARNING.AI")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_written_name_reads_back_as_itself_on_one_line(text):
    import yaml

    from authoring.new import yaml_scalar

    written = yaml_scalar(text)
    assert "\n" not in written and "\r" not in written
    assert yaml.safe_load(f"key: {written}\n") == {"key": text}
