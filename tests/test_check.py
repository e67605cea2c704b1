"""authoring check: each kind of problem planted in a copy of the sample, found and located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.check import CheckOptions, NotCheckable, check_file
from authoring.check.images import file_name_alt
from authoring.cli import app
from conftest import ISSUES, ROOT

runner = CliRunner()
FAST = CheckOptions(spam=False)


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _finding(report, code: str):
    found = [f for f in report.findings if f.code == code]
    assert found, f"no {code} in:\n{report.format_text()}"
    return found[0]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_clean_sample_is_ready_and_reports_every_fast_part(issue_copy):
    report = check_file(issue_copy, FAST)
    assert report.ok(), report.format_text()
    assert [p.name for p in report.parts] == ["validation", "clients", "size", "images", "inbox",
                                             "spoofing", "history"]
    size = report.part("size")
    assert size is not None
    total = sum(block["bytes"] for block in size.data["blocks"])
    assert total == size.data["bytes"]  # the blocks add up to the exported HTML, byte for byte
    labels = [block["label"] for block in size.data["blocks"]]
    assert labels[0].startswith("head") and labels[-1] == "footer"
    assert "stories[1] news “Robots Learn Chores From Video”" in labels


def test_story_past_gmail_clip_is_an_error_at_that_story(issue_copy):
    paragraph = "A long paragraph that repeats itself to make this story heavy. " * 8
    heavy = ["  - text: |\n" + "".join("      " + paragraph + name + "\n\n" for _ in range(count))
             for name, count in (("a", 60), ("b", 90), ("c", 60))]  # a field holds at most 64 KB
    _edit(issue_copy, "  - promo:\n", "".join(heavy) + "  - promo:\n")
    report = check_file(issue_copy, FAST)
    finding = _finding(report, "size-clipped")
    assert finding.is_error and finding.path == ("stories", 3)  # the largest of the three
    lines = issue_copy.read_text().splitlines()
    assert lines[finding.line - 1] == "  - text: |" and "heavy. b" in lines[finding.line]
    assert "stories[3] text" in finding.message
    assert report.exit_code() == 1


def test_alt_text_that_is_a_file_name(issue_copy):
    _edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    finding = _finding(check_file(issue_copy, FAST), "alt-file-name")
    assert finding.path == ("stories", 2, "promo", "image", "alt")
    assert (finding.file, finding.line) == (str(issue_copy), _line_of(issue_copy, "The Batch (1)-1"))
    assert finding.column == (issue_copy.read_text().splitlines()[finding.line - 1]
                              .index('The Batch (1)-1') + 1)


@pytest.mark.parametrize("alt", ["The Batch (1)-1", "IMG_2041", "robot-arm.png", "hero_image_final",
                                 "Screenshot 2026-11-20 at 10.02.11"])
def test_file_name_alts(alt):
    assert file_name_alt(alt, "images/x.png")


@pytest.mark.parametrize("alt", ["A robot arm stacking colored blocks", "Course banner: Agentic AI",
                                 "Chart of GPU prices, 2020-2026", "GPT-4", "state-of-the-art",
                                 "Llama-3.1-405B"])
def test_descriptive_alts(alt):
    assert file_name_alt(alt, "images/x.png") is None


def _previous_issue(issue_copy: Path) -> Path:
    """Last week's issue: the same file, numbered 320 and dated a week earlier."""
    previous = issue_copy.with_name("0320.yaml")
    text = issue_copy.read_text().replace("number: 321", "number: 320")
    previous.write_text(text.replace("date: 2026-11-27", "date: 2026-11-20"))
    return previous


def test_headline_from_the_previous_issue(issue_copy):
    _previous_issue(issue_copy)
    report = check_file(issue_copy, FAST)
    finding = _finding(report, "repeated-headline")
    assert finding.path == ("stories", 1, "news", "headline")
    assert finding.line == _line_of(issue_copy, "headline: Robots Learn Chores From Video")
    assert "0320.yaml:41" in finding.message


def test_same_promo_in_consecutive_issues(issue_copy):
    _previous_issue(issue_copy)
    finding = _finding(check_file(issue_copy, FAST), "repeated-promo")
    assert finding.path == ("stories", 2, "promo")
    assert finding.line == _line_of(issue_copy, "  - promo:")


def test_number_and_date_follow_the_previous_issue(issue_copy, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    previous = _previous_issue(issue_copy)
    _edit(previous, "number: 320", "number: 318")
    _edit(previous, "date: 2026-11-20", "date: 2026-11-27")
    previous.rename(archive / previous.name)
    report = check_file(issue_copy, CheckOptions(spam=False, against=archive))
    assert _finding(report, "number-sequence").line == _line_of(issue_copy, "number: 321")
    date = _finding(report, "date-sequence")
    assert date.is_error and date.line == _line_of(issue_copy, "date: 2026-11-27")


def test_inbox_findings_point_at_their_fields(issue_copy):
    _edit(issue_copy, 'preheader: "Plus:', 'preheader: "Robots that learn from video. Plus:')
    _edit(issue_copy, "[the paper](", "[click here](")
    report = check_file(issue_copy, FAST)
    assert _finding(report, "preheader-repeats").path == ("issue", "preheader")
    vague = _finding(report, "vague-link-text")
    assert vague.line == _line_of(issue_copy, "[click here]")


def test_default_from_name_is_a_warning_in_the_publication(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    _edit(publication, "name: The Batch from DeepLearning.AI,", "name: Newsletter,")
    finding = _finding(check_file(issue_copy, FAST), "default-from-name")
    assert not finding.is_error and finding.file == str(publication)
    assert finding.line == _line_of(publication, "name: Newsletter,")


def test_drafts_show_their_draft_findings():
    draft = next(p for p in sorted(ISSUES.glob("00*.yaml")))
    report = check_file(draft, FAST)
    readiness = report.part("validation")
    assert readiness is not None and readiness.data["draft"] is True
    assert {"missing-number", "missing-date"} <= {f.code for f in readiness.findings if f.is_error}
    assert report.exit_code() == 1
    assert report.part("size").data["bytes"] > 0


def test_publication_file_is_not_checkable():
    with pytest.raises(NotCheckable):
        check_file(ISSUES / "publication.yaml", FAST)


def test_cli_text_report_and_exit_codes(issue_copy):
    result = runner.invoke(app, ["check", "--no-spam", str(issue_copy)])
    assert result.exit_code == 0, result.output
    assert "== Where the bytes go" in result.stdout and "ready to send" in result.stdout
    strict = runner.invoke(app, ["check", "--no-spam", "--strict", str(issue_copy)])
    assert strict.exit_code == 1  # the sample has warnings (subject length)
    assert runner.invoke(app, ["check", "--format", "yaml", str(issue_copy)]).exit_code == 2


def test_cli_json_format(issue_copy):
    _edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    result = runner.invoke(app, ["check", "--no-spam", "--format", "json", str(issue_copy)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["file"] == str(issue_copy) and data["ok"] is True
    images = next(p for p in data["parts"] if p["name"] == "images")
    (finding,) = [f for f in images["findings"] if f["code"] == "alt-file-name"]
    assert finding["severity"] == "warning" and finding["path"] == "stories[2].promo.image.alt"
    assert finding["location"] == f"{issue_copy}:{finding['line']}:{finding['column']}"
    size = next(p for p in data["parts"] if p["name"] == "size")
    assert size["figures"]["bytes"] == sum(b["bytes"] for b in size["figures"]["blocks"])


def test_cli_unreadable_issue_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue: [unclosed\n")
    result = runner.invoke(app, ["check", "--no-spam", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml:" in result.stderr and "Traceback" not in result.output


def test_flex_in_a_template_override_shows_for_the_clients_lacking_it(issue_copy):
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    builtin = (ROOT / "templates" / "email" / "text.mjml.j2").read_text()
    override = builtin + '<mj-text><div style="display: flex; gap: 8px">Side by side</div></mj-text>\n'
    (folder / "text.mjml.j2").write_text(override)
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    report = check_file(issue_copy, FAST)
    clients = report.part("clients")
    assert clients is not None
    flex = [f for f in clients.findings if f.code == "client-unsupported" and "display:flex" in f.message]
    assert flex, report.format_text()
    assert "Outlook Windows" in flex[0].message
    assert flex[0].file is not None and flex[0].file.endswith("my-templates/email/text.mjml.j2")
    assert flex[0].line == len(builtin.splitlines()) + 1
    windows = clients.data["families"]["outlook-windows"]
    (entry,) = [f for f in windows["features"] if f["feature"] == "css-display-flex"]
    assert entry == {"feature": "css-display-flex", "title": "display:flex", "support": "unsupported",
                     "count": 1, "fallback": None, "note": None}
    assert windows["score"] < report.part("clients").data["families"]["apple-mail-macos"]["score"]


def test_clean_sample_has_no_client_findings_and_a_score_per_family(issue_copy):
    clients = check_file(issue_copy, FAST).part("clients")
    assert clients is not None and clients.findings == []
    families = clients.data["families"]
    assert set(families) == {"gmail-web", "gmail-android", "gmail-ios", "outlook-windows", "outlook-mac",
                             "outlook-web", "apple-mail-macos", "apple-mail-ios", "yahoo",
                             "samsung-email", "thunderbird"}
    assert all(0 < family["score"] <= 100 for family in families.values())
    media = next(f for f in families["outlook-windows"]["features"] if f["feature"] == "css-at-media")
    assert media["support"] == "unsupported" and media["fallback"]
    radius = next(f for f in families["outlook-windows"]["features"]
                  if f["feature"] == "css-border-radius")
    assert radius["fallback"] == "cosmetic"


def test_caniemail_snapshot_is_pinned_with_its_licence():
    from authoring.check.features import snapshot

    data = snapshot()
    assert data["version"] and data["license"] == "MIT" and data["copyright"]
    assert data["features"]["css-display-flex"]["support"]["outlook-windows"] == "n"


def test_export_runs_the_fast_parts_and_refuses_on_their_errors(issue_copy, tmp_path):
    from authoring.diagnostics import AuthoringError
    from authoring.export import export_issue

    previous = _previous_issue(issue_copy)
    _edit(previous, "date: 2026-11-20", "date: 2026-11-28")  # last week's issue dated after this one
    out = tmp_path / "out"
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue_copy, out)
    assert "pre-send check" in str(refused.value) and not out.exists()
    (report,) = refused.value.reports
    (finding,) = report.diagnostics
    assert finding.code == "date-sequence" and finding.line == _line_of(issue_copy, "date: 2026-11-27")
    _edit(previous, "date: 2026-11-28", "date: 2026-11-20")
    assert export_issue(issue_copy, out).files  # warnings (repeated headline) do not stop it


def test_cli_json_for_an_unreadable_issue_has_the_same_shape(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue: [unclosed\n")
    result = runner.invoke(app, ["check", "--format", "json", str(bad)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["errors"] >= 1
    (part,) = data["parts"]
    assert part["name"] == "validation" and part["findings"][0]["code"] == "yaml-syntax"


def test_without_a_publication_file_export_refuses_and_the_check_goes_on(tmp_path):
    issue = tmp_path / "0321.yaml"
    issue.write_text((ISSUES / "0321.yaml").read_text())
    report = check_file(issue, FAST)
    readiness = report.part("validation")
    assert readiness is not None and readiness.data["export_ready"] is False
    assert readiness.findings and any(f.is_error for f in readiness.findings)
    assert _finding(report, "default-from-name").file == str(issue)  # the default 'Newsletter'
    assert report.part("size").data["bytes"] > 0


def test_a_number_used_by_another_issue_in_the_folder(issue_copy):
    issue_copy.with_name("0321-copy.yaml").write_text(issue_copy.read_text())
    finding = _finding(check_file(issue_copy, FAST), "number-taken")
    assert "0321-copy.yaml" in finding.message and not finding.is_error
    assert finding.line == _line_of(issue_copy, "number: 321")
