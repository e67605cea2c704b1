"""`authoring init`: a team's own folder, never over a file that is there."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from typer.testing import CliRunner

from authoring import schema
from authoring.cli import app
from authoring.diagnostics import AuthoringError
from authoring.init import TeamSettings, init_folder, publication_yaml
from authoring.validate import load_publication, validate_file

runner = CliRunner()
FLAGS = ["--name", "Team Weekly", "--sender-email", "news@team.example.org", "--signoff", "See you Friday!",
         "--signature", "Priya", "--kicker", "FROM THE TEAM", "--postal-address", "1 Main St, Springfield"]
FILES = ["schema/issue.schema.json", "schema/publication.schema.json", ".gitignore", "publication.yaml"]


def test_init_writes_the_teams_files_from_flags(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "team"), *FLAGS])
    assert result.exit_code == 0, result.output
    team = tmp_path / "team"
    assert result.stdout.splitlines() == [str(team / name) for name in FILES]
    publication, report = load_publication(team / "publication.yaml")
    assert report.diagnostics == []
    assert (publication.name, publication.sender.name, publication.sender.email) == (
        "Team Weekly", "Team Weekly", "news@team.example.org")
    assert publication.postal_address == "1 Main St, Springfield"
    defaults = publication.new_issue
    assert (defaults.signoff, defaults.signature, defaults.promo_kicker) == (
        "See you Friday!", "Priya", "FROM THE TEAM")
    assert (team / ".gitignore").read_text().splitlines()[-1] == "out/"
    assert json.loads((team / "schema" / "issue.schema.json").read_text()) == schema.issue_schema()
    assert json.loads((team / "schema" / "publication.schema.json").read_text()) == \
        schema.publication_schema()


def test_the_new_issue_carries_the_teams_names_and_a_relative_schema(tmp_path):
    team = tmp_path / "team"
    assert runner.invoke(app, ["init", str(team), *FLAGS]).exit_code == 0
    result = runner.invoke(app, ["new", str(team), "--date", "2026-12-11"])
    assert result.exit_code == 0, result.output
    text = (team / "0001.yaml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=schema/issue.schema.json"
    assert "file://" not in text and "Andrew" not in text and "DEEPLEARNING" not in text
    issue = validate_file(team / "0001.yaml").issue
    assert (issue.letter.signoff, issue.letter.signature) == ("See you Friday!", "Priya")
    assert issue.stories[-1].kicker == "FROM THE TEAM"


def test_without_a_terminal_the_required_settings_must_be_flags(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "team"), "--name", "X"])
    assert result.exit_code == 2
    assert result.stderr == "error: give --sender-email (init asks only in a terminal)\n"
    assert not (tmp_path / "team").exists()


def test_optional_settings_default_sensibly(tmp_path):
    init_folder(tmp_path, TeamSettings(name="Team Weekly", sender_email="news@team.example.org"))
    publication, _ = load_publication(tmp_path / "publication.yaml")
    assert publication.sender.name == "Team Weekly"
    assert publication.new_issue.promo_kicker == "A MESSAGE FROM TEAM WEEKLY"
    assert publication.new_issue.signoff is None and publication.new_issue.signature is None
    assert publication.postal_address is None
    assert "# postal_address:" in (tmp_path / "publication.yaml").read_text()


@pytest.mark.parametrize("existing", FILES)
def test_an_existing_file_is_named_and_nothing_is_written(tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    result = runner.invoke(app, ["init", str(tmp_path), *FLAGS])
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path / existing} already exists: init never replaces a file "
                             "(move it away, or edit it by hand)\n")
    assert (tmp_path / existing).read_text() == "mine\n"
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [existing]


def test_a_link_where_a_file_goes_counts_as_existing_even_when_dangling(tmp_path):
    os.symlink(tmp_path / "elsewhere.yaml", tmp_path / "publication.yaml")
    with pytest.raises(AuthoringError, match="publication.yaml already exists"):
        init_folder(tmp_path, TeamSettings(name="X", sender_email="x@team.example.org"))
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_a_linked_schema_folder_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    team = tmp_path / "team"
    team.mkdir()
    os.symlink(elsewhere, team / "schema")
    with pytest.raises(AuthoringError, match="is a link or a file"):
        init_folder(team, TeamSettings(name="X", sender_email="x@team.example.org"))
    assert list(elsewhere.iterdir()) == [] and list(team.iterdir()) == [team / "schema"]


@pytest.mark.parametrize(("flag", "value", "reason"), [
    ("--sender-email", "not an address", "is not an email address"),
    ("--name", "Two\nlines", "one line of text"),
    ("--signoff", "x" * 201, "at most 200 characters"),
    ("--sender-name", "Pay\u200dPal", "no bidirectional controls or zero-width characters"),
    ("--kicker", "FROM \u202eUS", "no bidirectional controls or zero-width characters"),
])
def test_malformed_settings_are_refused_before_anything_is_written(tmp_path, flag, value, reason):
    args = list(FLAGS)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    result = runner.invoke(app, ["init", str(tmp_path / "team"), *args])
    assert result.exit_code == 1
    assert reason in result.stderr
    assert not (tmp_path / "team").exists()


@pytest.mark.parametrize("name", ['Ed: "Al"', "#1 Weekly", "- dash", "yes", "{braces}", "It’s ours"])
def test_names_that_yaml_would_misread_are_quoted(tmp_path, name):
    text = publication_yaml(TeamSettings(name=name, sender_email="x@team.example.org", signature=name))
    data = yaml.safe_load(text)
    assert data["name"] == name and data["sender"]["name"] == name
    assert data["new_issue"]["signature"] == name


def test_init_asks_in_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr("authoring.commands.init.interactive", lambda: True)
    answers = "\n".join(["Team Weekly", "", "bad address", "news@team.example.org", "Cheers!", "Priya",
                         "", "", "", "http://plain.example.org/u", "https://team.example.org/u"]) + "\n"
    result = runner.invoke(app, ["init", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    assert "is not an email address" in result.stderr  # asked again
    publication, _ = load_publication(tmp_path / "publication.yaml")
    assert publication.sender.name == "Team Weekly"  # Enter took the default
    assert publication.new_issue.signoff == "Cheers!"
    assert publication.new_issue.promo_kicker == "A MESSAGE FROM TEAM WEEKLY"
    assert "an https:// address" in result.stderr  # the plain http page was asked again
    assert (publication.esp, publication.unsubscribe_url) == ("none", "https://team.example.org/u")


def test_init_with_a_service_asks_no_unsubscribe_page_and_writes_the_services_tag(tmp_path, monkeypatch):
    monkeypatch.setattr("authoring.commands.init.interactive", lambda: True)
    answers = "\n".join(["Team Weekly", "", "news@team.example.org", "", "", "", "", "sendgird",
                         "sendgrid"]) + "\n"
    result = runner.invoke(app, ["init", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    assert "one of: none, mailchimp, sendgrid" in result.stderr
    assert "unsubscribe page" not in result.stderr
    publication, report = load_publication(tmp_path / "publication.yaml")
    assert report.diagnostics == []
    assert (publication.esp, publication.unsubscribe_url) == ("sendgrid", "{{unsubscribe_url}}")


@pytest.mark.parametrize(("flags", "unsubscribe"), [
    (["--esp", "mailchimp"], "<*|UNSUB|*>"),
    (["--unsubscribe-url", "https://team.example.org/unsubscribe"], "<https://team.example.org/unsubscribe>"),
    ([], None),
])
def test_a_fresh_team_folder_exports_once_it_names_a_service_or_an_unsubscribe_page(tmp_path, flags,
                                                                                    unsubscribe):
    from authoring.export import build_export

    team = tmp_path / "team"
    assert runner.invoke(app, ["init", str(team), *FLAGS, *flags]).exit_code == 0
    text = (team / "publication.yaml").read_text()
    assert ("{{unsubscribe_url}}" in text.split("# esp:")[0]) == (flags[:1] == ["--esp"])
    issue = team / "0001.yaml"
    issue.write_text("issue: {number: 1, date: 2026-12-11, subject: First, preheader: Hello}\n"
                     "letter: {body: Hello., signoff: Bye}\n")
    if unsubscribe:
        assert build_export(issue).message()["List-Unsubscribe"].startswith(unsubscribe)
    else:
        with pytest.raises(AuthoringError) as caught:
            build_export(issue)
        codes = {d.code for r in caught.value.reports for d in r.diagnostics}
        assert "unreplaced-merge-tag" in codes


@pytest.mark.parametrize(("flag", "value", "reason"), [
    ("--esp", "sendgird", "one of: none, mailchimp"),
    ("--unsubscribe-url", "http://team.example.org/u", "an https:// address"),
    ("--unsubscribe-url", "https://team.example.org/u\nBcc: x", "an https:// address"),
])
def test_a_bad_service_or_unsubscribe_page_is_refused_before_anything_is_written(tmp_path, flag, value,
                                                                                  reason):
    result = runner.invoke(app, ["init", str(tmp_path / "team"), *FLAGS, flag, value])
    assert result.exit_code == 1
    assert reason in result.stderr
    assert not (tmp_path / "team").exists()


@pytest.mark.parametrize(("value", "said"), [
    ('https://team.example.org/u"x', "would add another address to the List-Unsubscribe header"),
    ("https://team.example.org/u<x>", "would add another address to the List-Unsubscribe header"),
    ("https://team.example.org/u,x", "would add another address to the List-Unsubscribe header"),
])
def test_init_never_writes_a_publication_that_validation_refuses(tmp_path, value, said):
    """Each setting's own check is a quick filter; what would still be refused is found by
    validating the file before it is written."""
    result = runner.invoke(app, ["init", str(tmp_path / "team"), *FLAGS, "--unsubscribe-url", value])
    assert result.exit_code == 1
    assert said in result.stderr and "unsubscribe_url: " in result.stderr
    assert not (tmp_path / "team").exists()


def test_the_site_line_init_comments_out_builds_the_archive_once_uncommented(tmp_path):
    """`authoring site` needs site.base_url: init shows where it goes, and that line, uncommented,
    is all a fresh team folder lacks to build its archive."""
    from authoring.site import build_site

    team = tmp_path / "team"
    assert runner.invoke(app, ["init", str(team), *FLAGS, "--esp", "mailchimp"]).exit_code == 0
    (team / "0001.yaml").write_text("issue: {number: 1, date: 2026-12-11, subject: First, "
                                    "preheader: Hello}\nletter: {body: Hello., signoff: Bye}\n")
    with pytest.raises(AuthoringError, match="site.base_url"):
        build_site(team)
    text = (team / "publication.yaml").read_text()
    assert text.count("# site: {base_url: ") == 1
    (team / "publication.yaml").write_text(text.replace("# site: {base_url: ", "site: {base_url: "))
    site = build_site(team)
    assert site.pages == 1
    assert b"https://www.example.org/archive/issue-1/" in site.files["sitemap.xml"]
    assert b"https://www.example.org/subscribe" in site.files["issue-1/index.html"]
