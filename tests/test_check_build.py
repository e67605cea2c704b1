"""authoring/check/build.py: the issue built as export builds it, the preview's quicker build,
the draft fallback, and where a finding about the YAML is located."""

from __future__ import annotations

import shutil

import pytest

from authoring.check.build import (
    _EXPORT_ONLY,
    Built,
    NotCheckable,
    _first_line,
    _load_quietly,
    _merge,
    _written_at,
    build,
    from_validated,
)
from authoring.checks import text_fields
from authoring.diagnostics import Severity
from authoring.validate import validate_file
from conftest import ISSUES, ROOT, edit, line_of

WARN = Severity.WARNING



@pytest.fixture
def built(issue_copy) -> Built:
    return build(issue_copy)


def test_at_points_at_a_value_or_at_its_key(built, issue_copy):
    value = built.at(("issue", "subject"), "subject-length", WARN, "m", "h")
    key = built.at(("issue", "subject"), "subject-length", WARN, "m", "h", key=True)
    line = line_of(issue_copy, "subject:")
    assert (value.file, value.line, value.column) == (str(issue_copy), line, 12)
    assert (key.line, key.column) == (line, 3)
    assert (value.code, value.severity, value.message, value.hint, value.path) == (
        "subject-length", WARN, "m", "h", ("issue", "subject"))


def test_at_publication_points_into_the_publication_file_value_or_key(built, issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    value = built.at_publication(("domains",), "no-campaign", WARN, "m", "h")
    key = built.at_publication(("domains",), "no-campaign", WARN, "m", "h", key=True)
    line = line_of(publication, "domains:")
    assert (value.file, value.line, value.column, value.path) == (str(publication), line, 10, ("domains",))
    assert (key.line, key.column) == (line, 1)
    assert (value.message, value.hint, value.severity) == ("m", "h", WARN)


def test_without_a_publication_file_a_finding_about_it_is_the_issues(tmp_path):
    issue = tmp_path / "0321.yaml"
    shutil.copy(ISSUES / "0321.yaml", issue)
    alone = build(issue)
    assert alone.publication_doc is None and not alone.export_ready
    finding = alone.at_publication(("sender", "name"), "default-from-name", WARN, "m", "h")
    assert (finding.file, finding.line, finding.column) == (str(issue), None, None)
    assert finding.path == ("publication", "sender", "name")
    assert (finding.message, finding.hint, finding.code) == ("m", "h", "default-from-name")


def test_whole_is_about_the_issue_file(built, issue_copy):
    finding = built.whole("image-heavy", WARN, "m", "h")
    assert (finding.file, finding.line, finding.column, finding.message, finding.hint) == (
        str(issue_copy), None, None, "m", "h")


def test_at_text_looks_in_the_issue_then_the_publication(built, issue_copy):
    in_issue = built.at_text("https://arxiv.org/abs/2405.01527", "untagged-link", WARN, "m", "h")
    line = line_of(issue_copy, "https://arxiv.org/abs/2405.01527")
    column = issue_copy.read_text().splitlines()[line - 1].index("https://arxiv.org") + 1
    assert (in_issue.file, in_issue.line, in_issue.column) == (str(issue_copy), line, column)
    assert (in_issue.code, in_issue.message, in_issue.hint, in_issue.severity) == (
        "untagged-link", "m", "h", WARN)
    publication = issue_copy.with_name("publication.yaml")
    in_publication = built.at_text("https://www.deeplearning.ai/the-batch/#subscribe", "c", WARN, "m", "h")
    assert (in_publication.file, in_publication.line) == (
        str(publication), line_of(publication, "#subscribe"))
    for needle in ("", "https://nowhere.example/"):
        whole = built.at_text(needle, "c", WARN, "m", "h")
        assert (whole.file, whole.line, whole.code, whole.severity, whole.message, whole.hint) == (
            str(issue_copy), None, "c", WARN, "m", "h")


def test_at_text_on_the_first_line_and_at_its_first_column(built, issue_copy):
    first = issue_copy.read_text().splitlines()[0]
    finding = built.at_text(first[:20], "c", WARN, "m", "h")
    assert (finding.line, finding.column) == (1, 1)


def test_at_offset_finds_text_written_on_a_later_line_of_a_folded_field(built, issue_copy):
    path = ("stories", 1, "news", "sections", 0, "What’s new")
    text = {p: t for p, t, _ in text_fields(built.issue)}[path]
    offset = text.index("[the paper]") + 1
    finding = built.at_offset(path, offset, "vague-link-text", WARN, "m", "h", needle="the paper")
    line = line_of(issue_copy, "[the paper](")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert (finding.line, finding.column) == (line, written.index("the paper") + 1)
    assert (finding.message, finding.hint, finding.code) == ("m", "h", "vague-link-text")


@pytest.mark.parametrize(("line", "column", "written"), [
    (1, 1, True), (1, 3, True), (2, 1, True), (0, 1, False), (3, 1, False), (1, None, False), (1, 2, False)])
def test_written_at_is_true_only_where_the_needle_starts(line, column, written):
    assert _written_at(["a-b", "a-x"], line, column, "a" if column != 3 else "b") is written


def test_blocks_with_the_same_name_add_up():
    assert _merge([("head", 5), ("stories[0]", 7), ("head", 2), ("footer", 1)]) == [
        ("head", 7), ("stories[0]", 7), ("footer", 1)]


def test_blocks_add_up_to_the_email_and_a_template_without_markers_is_one_block(issue_copy):
    built = build(issue_copy)
    assert sum(size for _, size in built.blocks) == len(built.html.encode("utf-8"))
    assert [name for name, _ in built.blocks][:3] == ["head", "masthead", "letter"]
    assert "<!--@block letter-->" in built.marked_html and "\r\n" in built.marked_html
    assert "\n" not in built.marked_html.replace("\r\n", "")
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    issue_template = (ROOT / "templates" / "email" / "issue.mjml.j2").read_text()
    (folder / "issue.mjml.j2").write_text(issue_template.replace("{% if marks %}", "{% if false %}"))
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    own = build(issue_copy)
    assert own.template_folders == [issue_copy.parent / "my-templates", ROOT / "templates"]
    assert own.blocks == [("whole email", len(own.html.encode("utf-8")))]


def test_the_template_folders_are_the_built_in_ones_without_an_own(built):
    assert built.template_folders == [ROOT / "templates"]


def test_render_options_tag_links_and_resolve_images_unless_a_draft(built, issue_copy):
    options = built.render_options()
    assert options.mode == "email" and not options.draft and not options.block_markers
    assert options.link_url("https://www.deeplearning.ai/x") == (
        "https://www.deeplearning.ai/x?utm_source=the-batch&utm_medium=email&utm_campaign=the-batch-321")
    assert options.image_url("images/chart.png") == "https://www.deeplearning.ai/the-batch/images/chart.png"
    assert options.publication_dir == issue_copy.parent and built.render_options(markers=True).block_markers
    built.draft = True
    draft = built.render_options()
    assert draft.draft and draft.link_url is None and draft.image_url is None


def test_a_publication_file_is_no_issue(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    with pytest.raises(NotCheckable) as refused:
        build(publication)
    assert str(refused.value) == (f"{publication} holds the publication's settings, not an issue; "
                                  "check an issue file next to it")


def test_an_unreadable_issue_is_not_checkable_with_its_report(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue: [unclosed\n")
    with pytest.raises(NotCheckable) as refused:
        build(bad)
    assert str(refused.value) == f"{bad}: cannot be read as an issue"
    (report,) = refused.value.reports
    assert report.errors[0].code == "yaml-syntax"


def test_a_draft_is_built_with_what_export_refused(issue_copy):
    text = issue_copy.read_text().replace("  number: 321\n", "")
    issue_copy.write_text(text)
    draft = build(issue_copy)
    assert not draft.export_ready and draft.draft and draft.unrendered is None
    assert "missing-number" in {d.code for d in draft.problems}
    assert draft.publication_doc is not None and draft.publication_doc.file == str(
        issue_copy.with_name("publication.yaml"))
    assert draft.html.count("\r\n") > 50 and "\n" not in draft.html.replace("\r\n", "")
    assert "utm_source" not in draft.html  # a draft's links are not tagged
    assert draft.text and "\n" not in draft.text.replace("\r\n", "")


def test_a_draft_whose_render_breaks_without_a_draft_error_is_raised(issue_copy):
    """Only an error the draft has explains a broken render; without one the error is the
    renderer's, and goes up: located at the template's line, never a traceback."""
    from authoring.render.html import TemplateError

    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    (folder / "news.mjml.j2").write_text("{{ 1 // 0 }}\n")
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    with pytest.raises(TemplateError) as raised:
        build(issue_copy)
    (diagnostic,) = [d for r in raised.value.reports for d in r.diagnostics]
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == (
        "template-error", str((folder / "news.mjml.j2").resolve()), 1)
    assert diagnostic.message == "ZeroDivisionError: integer division or modulo by zero"


def test_the_previews_build_is_exports_html(issue_copy):
    validated = validate_file(issue_copy)
    quick = from_validated(validated)
    built = build(issue_copy)
    assert quick.html == built.html and "<!--@block" not in quick.html
    assert quick.export_ready and not quick.draft and quick.problems == []
    assert quick.publication_doc is validated.publication_document
    assert quick.path == issue_copy and quick.publication_file == issue_copy.with_name("publication.yaml")


def test_the_previews_build_of_an_issue_export_refuses_is_a_draft(issue_copy):
    issue_copy.write_text(issue_copy.read_text().replace("  number: 321\n", ""))
    quick = from_validated(validate_file(issue_copy))
    assert quick.draft and not quick.export_ready
    assert "missing-number" in {d.code for d in quick.problems}
    assert "utm_source" not in quick.html  # as a draft renders: links not tagged, images local
    assert "https://www.deeplearning.ai/the-batch/images/chart.png" not in quick.html


def test_the_previews_build_refuses_a_draft_error_and_an_unreadable_file(issue_copy, tmp_path):
    issue_copy.write_text(issue_copy.read_text().replace(
        "        alt: A robot arm stacking colored blocks after watching a video of a person\n", ""))
    with pytest.raises(NotCheckable) as refused:
        from_validated(validate_file(issue_copy))
    assert str(refused.value) == f"{issue_copy}: errors"
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue: [unclosed\n")
    with pytest.raises(NotCheckable) as unreadable:
        from_validated(validate_file(bad))
    assert str(unreadable.value) == f"{bad}: cannot be read as an issue"


def test_an_exceptions_first_line_is_shown_at_most_160_characters():
    assert _first_line(ValueError("  first\nsecond  ")) == "first"
    assert _first_line(ValueError("x" * 200)) == "x" * 160
    assert _first_line(ZeroDivisionError()) == "ZeroDivisionError"


def test_export_only_errors_are_those_drafts_may_have():
    assert {"too-large", "missing-number", "missing-date"} <= _EXPORT_ONLY
    assert "missing-field" not in _EXPORT_ONLY and "yaml-syntax" not in _EXPORT_ONLY


def test_a_missing_or_broken_publication_is_loaded_as_none(tmp_path):
    assert _load_quietly(None) is None
    assert _load_quietly(tmp_path / "missing.yaml") is None
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    assert _load_quietly(tmp_path / "broken.yaml") is None
    assert _load_quietly(ISSUES / "publication.yaml").file == str(ISSUES / "publication.yaml")


@pytest.mark.parametrize("draft", [False, True])
def test_the_check_reads_each_file_once(issue_copy, draft, file_reads):
    """Export's load of the issue and the publication is the check's; a draft's are its own."""
    if draft:
        issue_copy.write_text(issue_copy.read_text().replace("  number: 321\n", ""))
    built = build(issue_copy)
    assert built.draft is draft
    publication = issue_copy.with_name("publication.yaml")
    assert built.publication_doc is not None and built.publication_doc.file == str(publication)
    assert built.issue_doc.file == str(issue_copy)
    if not draft:  # a draft is validated again after export refused it: read twice
        assert (file_reads.count(issue_copy), file_reads.count(publication)) == (1, 1)


def test_a_built_issue_carries_exports_text_and_warnings(issue_copy):
    text = issue_copy.read_text()
    start = text.index("  preheader: ")
    issue_copy.write_text(text[:start] + text[text.index("\n", start) + 1:])
    built = build(issue_copy)
    assert built.export_ready and not built.draft
    assert [d.code for d in built.problems] == ["missing-preheader"]
    assert "Robots Learn Chores From Video" in built.text and built.text.count("\r\n") > 20
    assert built.publication_file == issue_copy.with_name("publication.yaml")


def test_render_options_carry_the_inliner_and_no_folder_without_a_publication(built, tmp_path):
    built.inliner = "premailer"
    assert built.render_options().inliner == "premailer"
    (tmp_path / "alone").mkdir()
    issue = tmp_path / "alone" / "0321.yaml"
    shutil.copy(ISSUES / "0321.yaml", issue)
    alone = build(issue)
    assert alone.publication_file is None and alone.render_options().publication_dir is None
    assert alone.template_folders == [ROOT / "templates"]


def test_a_draft_that_cannot_be_rendered_says_why_and_has_no_html(issue_copy):
    issue_copy.write_text(issue_copy.read_text().replace(
        "        alt: A robot arm stacking colored blocks after watching a video of a person\n", ""))
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    (folder / "news.mjml.j2").write_text("{{ 1 // 0 }}\n")
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    built = build(issue_copy)
    assert built.unrendered == ("the draft could not be rendered (template error: ZeroDivisionError: "
                                "integer division or modulo by zero); fix the errors above")
    assert (built.html, built.text, built.draft, built.export_ready) == ("", "", True, False)


def test_export_only_errors_include_exports_own_and_those_by_level():
    from authoring import codes

    by_level = {c.code for c in codes.CATALOGUE.values() if c.severity == codes.BY_LEVEL}
    assert by_level and by_level <= _EXPORT_ONLY
    assert {"placeholder-sender", "no-image-base-url", "unreplaced-merge-tag"} <= _EXPORT_ONLY


def test_at_offset_places_the_offset_exactly_without_a_needle(built, issue_copy):
    text = {p: t for p, t, _ in text_fields(built.issue)}[("letter", "body")]
    finding = built.at_offset(("letter", "body"), text.index("model themselves"), "c", WARN, "m", "h")
    line = line_of(issue_copy, "model themselves and calling")
    assert (finding.line, finding.column, finding.severity) == (line, 5, WARN)
    error = built.at_offset(("letter", "body"), 0, "c", Severity.ERROR, "m", "h")
    assert error.severity == Severity.ERROR and (error.message, error.hint) == ("m", "h")


def test_at_offset_keeps_a_place_the_needle_is_written_at(built, issue_copy):
    """The last "a" of the line: not the first "a" the line holds."""
    text = {p: t for p, t, _ in text_fields(built.issue)}[("letter", "body")]
    finding = built.at_offset(("letter", "body"), text.index("building a") + 9, "c", WARN, "m", "h",
                              needle="a")
    line = line_of(issue_copy, "choose between building a")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert (finding.line, finding.column) == (line, written.index("building a") + 10)


def test_at_offset_finds_the_needle_from_the_fields_start_when_the_offset_misses(built, issue_copy):
    """Searched from the field down, not from the top of the file (the subject says "video" too)."""
    path = ("stories", 1, "news", "sections", 0, "What’s new")
    finding = built.at_offset(path, 0, "c", WARN, "m", "h", needle="video")
    line = line_of(issue_copy, "first-person video and")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert (finding.line, finding.column) == (line, written.index("video") + 1)
    several = built.at_offset(path, 0, "c", WARN, "m", "h", needle="e")  # the first of a line's
    written = issue_copy.read_text().splitlines()[several.line - 1]
    assert written.count("e") > 1 and several.column == written.index("e") + 1


def test_at_text_takes_the_first_place_on_the_first_line(built, issue_copy):
    first = issue_copy.read_text().splitlines()[0]
    finding = built.at_text("e", "c", WARN, "m", "h")
    assert (finding.line, finding.column) == (1, first.index("e") + 1)


def test_without_a_publication_at_text_looks_in_the_issue_alone(tmp_path):
    issue = tmp_path / "0321.yaml"
    shutil.copy(ISSUES / "0321.yaml", issue)
    alone = build(issue)
    finding = alone.at_text("https://nowhere.example/", "c", WARN, "m", "h")
    assert (finding.file, finding.line) == (str(issue), None)
    assert alone.at_publication(("sender",), "c", WARN, "m", "h").severity == WARN



@pytest.mark.parametrize("draft", [False, True])
def test_build_reads_the_publication_file_it_is_given(issue_copy, tmp_path, draft):
    if draft:
        issue_copy.write_text(issue_copy.read_text().replace("  number: 321\n", ""))
    other = tmp_path / "settings" / "publication.yaml"
    other.parent.mkdir()
    other.write_text(issue_copy.with_name("publication.yaml").read_text().replace(
        "name: The Batch from DeepLearning.AI,", "name: Weekly Robots,"))
    built = build(issue_copy, publication_file=other)
    assert built.draft is draft and built.publication.sender.name == "Weekly Robots"
    assert built.publication_file == other and built.publication_doc.file == str(other)


def test_yaml_that_is_no_issue_is_not_checkable(tmp_path):
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(NotCheckable, match="cannot be read as an issue"):
        build(listed)
    with pytest.raises(NotCheckable, match="cannot be read as an issue") as refused:
        from_validated(validate_file(listed))
    (report,) = refused.value.reports
    assert report.file == str(listed) and report.errors


def test_the_previews_refusal_carries_the_export_level_report(issue_copy):
    issue_copy.write_text(issue_copy.read_text().replace(
        "        alt: A robot arm stacking colored blocks after watching a video of a person\n", ""))
    with pytest.raises(NotCheckable) as refused:
        from_validated(validate_file(issue_copy))
    (report,) = refused.value.reports
    assert "missing-field" in {d.code for d in report.errors}


def test_the_previews_build_has_no_text():
    quick = from_validated(validate_file(ISSUES / "0321.yaml"))
    assert quick.text == "" and quick.html.startswith("<!doctype html>")


def test_export_only_is_computed_from_the_catalogue():
    from authoring import codes
    from authoring.check.build import _export_only

    computed = _export_only()
    by_level = {c.code for c in codes.CATALOGUE.values() if c.severity == codes.BY_LEVEL}
    assert computed == _EXPORT_ONLY and by_level and by_level <= computed
    assert {"placeholder-sender", "no-image-base-url", "unreplaced-merge-tag", "too-large"} <= computed
    assert not {"missing-field", "yaml-syntax", "unsafe-url"} & computed


def test_from_export_takes_the_inliner_and_another_publication_file(issue_copy, tmp_path):
    from authoring.check.build import from_export
    from authoring.check.presend import build_export

    export = build_export(issue_copy)
    other = tmp_path / "settings" / "publication.yaml"
    other.parent.mkdir()
    other.write_text(issue_copy.with_name("publication.yaml").read_text())
    built = from_export(export, other, "premailer")
    assert built.inliner == "premailer" and built.publication_file == other
    assert built.publication_doc is not None and built.publication_doc.file == str(other)
    same = from_export(export)
    assert same.publication_doc is export.publication_document and same.inliner is None
    assert (same.html, same.text, same.problems) == (export.html, export.text, export.warnings)


def test_the_previews_export_level_reads_the_issues_own_publication(issue_copy):
    # The sample's publication sends through Mailchimp, which would print a Mailgun tag as written:
    # export refuses it. The built-in default (no service) would call the same text export-ready.
    edit(issue_copy, "    This week I want", "    Hello %recipient.name%. This week I want")
    quick = from_validated(validate_file(issue_copy))
    assert quick.draft and not quick.export_ready
    assert [(d.code, d.severity) for d in quick.problems] == [("unknown-merge-tag", Severity.ERROR)]
