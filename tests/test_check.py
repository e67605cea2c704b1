"""authoring check: each kind of problem planted in a copy of the sample, found and located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.check import CheckOptions, NotCheckable, check_file, clients
from authoring.check.images import file_name_alt
from authoring.cli import app
from conftest import ISSUES, ROOT, edit, line_of, tracked

runner = CliRunner()
FAST = CheckOptions(spam=False)
PREHEADER = 'preheader: "Plus: why small models keep winning, and what it means for your next project."'



def _finding(report, code: str):
    found = [f for f in report.findings if f.code == code]
    assert found, f"no {code} in:\n{report.format_text()}"
    return found[0]



def test_clean_sample_is_ready_and_reports_every_fast_part(issue_copy):
    report = check_file(issue_copy, FAST)
    assert report.ok(), report.format_text()
    assert [p.name for p in report.parts] == ["validation", "clients", "size", "images", "inbox",
                                             "spoofing", "contrast", "history"]
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
    edit(issue_copy, "  - promo:\n", "".join(heavy) + "  - promo:\n")
    report = check_file(issue_copy, FAST)
    finding = _finding(report, "size-clipped")
    assert finding.is_error and finding.path == ("stories", 3)  # the largest of the three
    lines = issue_copy.read_text().splitlines()
    assert lines[finding.line - 1] == "  - text: |" and "heavy. b" in lines[finding.line]
    assert "stories[3] text" in finding.message
    assert report.exit_code() == 1


def test_alt_text_that_is_a_file_name(issue_copy):
    edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    finding = _finding(check_file(issue_copy, FAST), "alt-file-name")
    assert finding.path == ("stories", 2, "promo", "image", "alt")
    assert (finding.file, finding.line) == (str(issue_copy), line_of(issue_copy, "The Batch (1)-1"))
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
    assert finding.line == line_of(issue_copy, "headline: Robots Learn Chores From Video")
    assert "0320.yaml:41" in finding.message


def test_same_promo_in_consecutive_issues(issue_copy):
    _previous_issue(issue_copy)
    finding = _finding(check_file(issue_copy, FAST), "repeated-promo")
    assert finding.path == ("stories", 2, "promo")
    assert finding.line == line_of(issue_copy, "  - promo:")


def test_number_and_date_follow_the_previous_issue(issue_copy, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    previous = _previous_issue(issue_copy)
    edit(previous, "number: 320", "number: 318")
    edit(previous, "date: 2026-11-20", "date: 2026-11-27")
    previous.rename(archive / previous.name)
    report = check_file(issue_copy, CheckOptions(spam=False, against=archive))
    assert _finding(report, "number-sequence").line == line_of(issue_copy, "number: 321")
    date = _finding(report, "date-sequence")
    assert date.is_error and date.line == line_of(issue_copy, "date: 2026-11-27")


def test_inbox_findings_point_at_their_fields(issue_copy):
    edit(issue_copy, 'preheader: "Plus:', 'preheader: "Robots that learn from video. Plus:')
    edit(issue_copy, "[the paper](", "[click here](")
    report = check_file(issue_copy, FAST)
    assert _finding(report, "preheader-repeats").path == ("issue", "preheader")
    vague = _finding(report, "vague-link-text")
    assert vague.line == line_of(issue_copy, "[click here]")


def test_default_from_name_is_a_warning_in_the_publication(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    edit(publication, "name: The Batch from DeepLearning.AI,", "name: Newsletter,")
    finding = _finding(check_file(issue_copy, FAST), "default-from-name")
    assert not finding.is_error and finding.file == str(publication)
    assert finding.line == line_of(publication, "name: Newsletter,")


def test_drafts_show_their_draft_findings():
    draft = tracked(ISSUES, "00*.yaml")[0]
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
    edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
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
    edit(previous, "date: 2026-11-20", "date: 2026-11-28")  # last week's issue dated after this one
    out = tmp_path / "out"
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue_copy, out)
    assert "pre-send check" in str(refused.value) and not out.exists()
    (report,) = refused.value.reports
    (finding,) = report.diagnostics
    assert finding.code == "date-sequence" and finding.line == line_of(issue_copy, "date: 2026-11-27")
    edit(previous, "date: 2026-11-28", "date: 2026-11-20")
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
    assert finding.line == line_of(issue_copy, "number: 321")


# ---------------------------------------------------------------- an editor's week (issue 24)


def test_an_error_in_the_draft_stops_no_part(issue_copy):
    """An image without alt (a structure error) and a missing file: every part still reports."""
    edit(issue_copy, "        alt: A robot arm stacking colored blocks after watching a video of a person\n",
          "")
    edit(issue_copy, "src: images/robot-arm.png", "src: images/open-weights.png")
    report = check_file(issue_copy, FAST)
    assert [p.name for p in report.parts] == ["validation", "clients", "size", "images", "inbox",
                                              "spoofing", "contrast", "history"]
    assert all(p.skipped is None for p in report.parts)
    assert {"missing-field", "missing-image-file"} <= {f.code for f in report.errors}
    missing = _finding(report, "missing-image-file")
    assert missing.line == line_of(issue_copy, "src: images/open-weights.png")
    assert report.part("size").data["bytes"] > 0 and report.part("clients").data["features_used"] > 0
    assert report.exit_code() == 1 and report.summary().endswith(": not ready")


def test_a_field_over_64_kb_leaves_the_size_part_running(issue_copy):
    words = "Robots learn to fold laundry from video. " * 2700  # 107 KB in one field
    edit(issue_copy, "Results: The arm completed 78 percent of unseen tasks, up from 31 percent.",
          f"Results: {words}")
    report = check_file(issue_copy, FAST)
    assert _finding(report, "field-too-long").is_error
    size = report.part("size")
    assert size is not None and size.skipped is None
    assert size.data["bytes"] > 102 * 1024
    assert any(f.code == "size-clipped" for f in size.findings)


def test_a_part_that_did_not_run_is_named_in_the_verdict_and_fails_strict(issue_copy, monkeypatch):
    from authoring.check import spam as spam_part

    monkeypatch.setattr(spam_part.shutil, "which", lambda name: None)
    report = check_file(issue_copy, CheckOptions(parts={"validation", "spam"}))
    assert [p.name for p in report.not_checked] == ["spam"]
    assert report.ok() and report.summary().endswith(
        "; not checked: spam score: ready to send as far as checked")
    assert report.to_json()["not_checked"] == [{"name": "spam", "title": report.part("spam").title,
                                                "reason": "SpamAssassin is not installed (apt-get "
                                                          "install -y spamassassin)"}]
    strict = check_file(issue_copy, CheckOptions(parts={"validation", "spam"}), strict=True)
    assert not strict.ok() and strict.exit_code() == 1
    assert strict.summary().endswith("(strict: fails): not ready")
    text = strict.format_text()
    assert text.startswith("== First (parts not checked)\n  not checked: Spam score")
    result = runner.invoke(app, ["check", "--strict", str(issue_copy)])
    assert result.exit_code == 1 and "not checked: spam score" in result.stdout


def test_the_findings_that_matter_come_first_each_printed_once(issue_copy):
    edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    report = check_file(issue_copy, FAST)
    first = report.first()
    assert [f.code for f in first] == ["subject-length", "alt-file-name", "image-only-link"]
    text = report.format_text()
    assert text.startswith("== First (3 warnings)\n")
    for finding in report.findings:
        assert text.count(str(finding)) == 1, finding
    assert "== Images off (2 warnings; 2 above)" in text


def test_errors_go_first_and_warnings_fill_up_to_five(issue_copy):
    from authoring.check.report import FIRST

    edit(issue_copy, 'alt: "Course banner: Agentic AI"', 'alt: "The Batch (1)-1"')
    edit(issue_copy, "src: images/robot-arm.png", "src: images/open-weights.png")
    edit(issue_copy, "  body: |\n    This week", "  body: |\n    Dear friends,\n\n    This week")
    edit(issue_copy, PREHEADER, 'preheader: "Plus: more"')
    report = check_file(issue_copy, FAST)
    first = report.first()
    assert FIRST == 5 and len(first) == FIRST < len(report.findings)
    assert first[0].is_error and first[0].code == "missing-image-file"
    assert not any(f.is_error for f in first[1:])
    assert f"== First (1 error, 4 warnings of {len(report.findings)})" in report.format_text()


def test_the_same_finding_from_two_parts_is_printed_once(issue_copy):
    from authoring.check import Built, PartResult, check_built, part
    from authoring.check.build import build
    from authoring.diagnostics import Diagnostic, Severity

    twice = Diagnostic(code="render", severity=Severity.WARNING, message="the same", file="x.yaml", line=3)

    @part("twice-a", "A")
    def _a(built: Built, options: CheckOptions) -> PartResult:
        return PartResult(name="", title="", findings=[twice])

    @part("twice-b", "B")
    def _b(built: Built, options: CheckOptions) -> PartResult:
        return PartResult(name="", title="", findings=[Diagnostic(**twice.__dict__)])

    from authoring.check import PARTS
    try:
        report = check_built(build(issue_copy), CheckOptions(parts={"twice-a", "twice-b"}))
    finally:
        del PARTS["twice-a"], PARTS["twice-b"]
    assert [len(p.findings) for p in report.parts] == [1, 0] and len(report.warnings) == 1


def test_client_detail_is_behind_verbose(issue_copy):
    quiet = runner.invoke(app, ["check", "--no-spam", str(issue_copy)])
    loud = runner.invoke(app, ["check", "--no-spam", "--verbose", str(issue_copy)])
    assert quiet.exit_code == loud.exit_code == 0
    assert "partial:" not in quiet.stdout and "--verbose shows each client" in quiet.stdout
    assert "least support: Outlook Windows" in quiet.stdout
    assert "    partial: " in loud.stdout and "Outlook Windows " in loud.stdout
    assert len(loud.stdout.splitlines()) > len(quiet.stdout.splitlines()) + 20


def test_style_in_the_head_is_no_gmail_or_outlook_caveat(issue_copy):
    from authoring.check.clients import support_for
    from authoring.check.features import snapshot

    feature = snapshot()["features"]["html-style"]
    assert support_for("html-style", "gmail-web", feature, True) == ("y", None)
    assert support_for("html-style", "outlook-windows", feature, True) == ("y", None)
    # the other caveat of Gmail's apps (non-Google accounts) still stands
    assert support_for("html-style", "gmail-android", feature, True) == (
        "a", "Partial. Not supported with non Google accounts.")
    assert support_for("html-style", "gmail-web", feature, False)[0] == "a"  # a <style> in the body
    clients = check_file(issue_copy, CheckOptions(parts={"clients"})).part("clients")
    gmail_web = clients.data["families"]["gmail-web"]["features"]
    assert "html-style" not in {f["feature"] for f in gmail_web}


def test_style_in_the_body_is_counted():
    from authoring.check.parse import parse_html

    assert parse_html("<html><head><style>p{}</style></head><body><p>x</p></body></html>").body_sheets == 0
    assert parse_html("<html><head></head><body><style>p{}</style></body></html>").body_sheets == 1


@pytest.mark.parametrize(("slug", "words"), [("css-at-font-face", "system fonts"),
                                             ("html-video", "still image linked"),
                                             ("css-background-image", "background-color"),
                                             ("css-display-flex", "MJML's columns")])
def test_advice_fits_the_feature(slug, words):
    from authoring.check.clients import advice

    assert words in advice(slug)
    assert advice(slug) != advice("css-max-width")


def test_emoji_only_subject(issue_copy):
    edit(issue_copy, 'subject: "Robots that learn from video, a data-center boom, and a new course"',
          'subject: "🤖🔥"')
    finding = _finding(check_file(issue_copy, FAST), "emoji-subject")
    assert finding.line == line_of(issue_copy, "subject:") and not finding.is_error
    edit(issue_copy, 'subject: "🤖🔥"', 'subject: "🤖 Robots learn chores"')
    assert "emoji-subject" not in {f.code for f in check_file(issue_copy, FAST).findings}


def test_one_big_image_and_a_line_of_text(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.png").write_bytes((ISSUES / "images" / "chart.png").read_bytes())
    (tmp_path / "publication.yaml").write_text((ISSUES / "publication.yaml").read_text())
    issue = tmp_path / "0400.yaml"
    issue.write_text(
        "issue: {number: 400, date: 2026-12-04, subject: Our sale,\n"
        "        preheader: Everything is on sale this week only}\n"
        "letter:\n  body: |\n    ![Everything half price](images/poster.png)\n\n    See you at the sale.\n"
        "stories: []\n")
    finding = _finding(check_file(issue, FAST), "image-heavy")
    assert "1 image and 5 words" in finding.message
    assert finding.line == 4  # the body holding the image
    issue.write_text(issue.read_text().replace("See you at the sale.", "See you at the sale. " * 10))
    assert "image-heavy" not in {f.code for f in check_file(issue, FAST).findings}  # 50 words


def test_low_contrast_theme_colors_at_their_lines_without_a_browser(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text().replace(
        '  accent: "#c4122f"\n', '  accent: "#c4122f"\n  muted: "#bbbbbb"\n  dark_link: "#30343a"\n'))
    report = check_file(issue_copy, FAST)
    found = [f for f in report.findings if f.code == "low-contrast"]
    assert [(f.file, f.line) for f in found] == [
        (str(publication), line_of(publication, "muted:")),
        (str(publication), line_of(publication, "dark_link:"))]
    assert "muted #bbbbbb on surface #ffffff" in found[0].message and "1.9:1" in found[0].message
    assert "make muted darker" in found[0].hint and "make dark_link lighter" in found[1].hint
    assert report.part("contrast").data["pairs"][0] == {"foreground": "text", "background": "surface",
                                                        "ratio": 14.76}


def test_contrast_at_the_threshold_is_fine():
    from authoring.theme import MIN_CONTRAST, contrast

    assert contrast("#767676", "#ffffff") >= MIN_CONTRAST > contrast("#777777", "#ffffff")


def test_repeated_link_at_the_links_own_line(issue_copy):
    earlier = issue_copy.with_name("0320.yaml")
    earlier.write_text(issue_copy.read_text().replace("number: 321", "number: 320")
                       .replace("date: 2026-11-27", "date: 2026-11-20"))
    report = check_file(issue_copy, FAST)
    found = [f for f in report.findings if f.code == "repeated-link"]
    paper = next(f for f in found if "arxiv.org/abs/2405.01527" in f.message)
    assert paper.line == line_of(issue_copy, "[the paper](https://arxiv.org/abs/2405.01527)")
    assert f"0320.yaml:{line_of(earlier, '[the paper](https://arxiv.org/abs/2405.01527)')}" in paper.message


def test_an_empty_preheader_at_its_own_line(issue_copy):
    edit(issue_copy, PREHEADER, 'preheader: ""')
    finding = _finding(check_file(issue_copy, FAST), "missing-preheader")
    assert finding.line == line_of(issue_copy, 'preheader: ""')


def test_the_view_in_browser_link_is_the_issues_web_url(issue_copy):
    from authoring.check.build import build

    built = build(issue_copy)
    assert 'href="https://www.deeplearning.ai/the-batch/issue-321/?utm_source' in built.html
    assert "*|ARCHIVE|*" not in built.html


def test_a_check_from_a_removed_current_folder_finds_what_it_finds_elsewhere(tmp_path, monkeypatch):
    """Template lines are shown relative to the current folder; with that folder gone (removed
    under a shell still in it) they are shown whole, not a FileNotFoundError traceback."""
    def found() -> list[tuple]:
        report = check_file(ISSUES / "0321.yaml", CheckOptions(spam=False))
        return [(f.code, Path(f.file).name if f.file else None, f.line) for part in report.parts
                for f in part.findings]

    monkeypatch.chdir(tmp_path)
    expected = found()
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    clients._read_lines.cache_clear()  # template lines are read (and shown) again
    assert found() == expected
