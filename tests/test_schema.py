"""The published JSON Schema: generated from the model, committed, and true to the samples."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from authoring import schema
from authoring.cli import app
from conftest import ISSUES, ROOT, sample_issues

runner = CliRunner()


def _load_yaml(path):
    # JSON Schema knows no dates: compare the way an editor's YAML extension sees the file
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_committed_schemas_are_up_to_date():
    """`authoring schema -o schema/issue.schema.json` must be rerun when the model changes."""
    assert (ROOT / "schema" / "issue.schema.json").read_text() == schema.dumps(schema.issue_schema())
    assert (ROOT / "schema" / "publication.schema.json").read_text() == schema.dumps(
        schema.publication_schema())


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema.issue_schema())
    jsonschema.Draft202012Validator.check_schema(schema.publication_schema())


@pytest.mark.parametrize("path", sample_issues(), ids=lambda p: p.name)
def test_samples_match_schema(path):
    jsonschema.validate(_load_yaml(path), schema.issue_schema())
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/issue.schema.json")


def test_publication_matches_schema():
    jsonschema.validate(_load_yaml(ISSUES / "publication.yaml"), schema.publication_schema())


def test_schema_rejects_a_misspelled_key():
    data = {"issue": {"subject": "x"}, "stories": [{"news": {"headine": "x"}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema.issue_schema())


def test_descriptions_come_from_the_model_docstrings():
    news = schema.issue_schema()["$defs"]["News"]["properties"]
    assert news["dek"]["description"] == "One-paragraph summary under the headline."


def test_cli_prints_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Newsletter issue"
