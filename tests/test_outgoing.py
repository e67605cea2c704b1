"""The issue as it will go out, in memory: what export writes, the refusal it gives, where findings go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authoring import codes
from authoring.check import presend
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.outgoing import MANIFEST, Sources, image_resolver, merge_reports, prepare, raise_unless_ok
from authoring.render import GMAIL_CLIP_BYTES


def finding(code: str = "render", severity: Severity = Severity.ERROR, line: int | None = 3,
            message: str = "planted") -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, file="0321.yaml", line=line, column=1)


# ---------------------------------------------------------------- the files


def test_the_files_in_write_order_and_a_manifest_that_describes_them(issue_copy):
    export = presend.build_export(issue_copy)
    files = export.files()
    assert list(files) == ["0321.html", "0321.txt", "0321.eml", "0321.web.html", MANIFEST]
    assert files["0321.html"] == export.html.encode("utf-8")
    assert files["0321.txt"] == export.text.encode("utf-8")
    assert files["0321.eml"] == export.message().as_bytes()
    assert files["0321.web.html"] == export.web_html.encode("utf-8")
    manifest = json.loads(files[MANIFEST])
    assert files[MANIFEST].endswith(b"}\n") and files[MANIFEST].startswith(b'{\n  "issue": {\n')
    subject = "Robots that learn from video, a data-center boom, and a new course"
    assert manifest["issue"] == {"number": 321, "date": "2026-11-27", "subject": subject,
                                 "source": "0321.yaml"}
    assert [f["name"] for f in manifest["files"]] == list(files)[:-1]
    assert manifest["html_bytes"] == len(files["0321.html"])
    assert manifest["gmail_clip_bytes"] == GMAIL_CLIP_BYTES == 102 * 1024
    assert manifest["images"] == export.images and manifest["warnings"] == []


def test_the_manifest_keeps_non_ascii_as_written(issue_copy):
    text = issue_copy.read_text(encoding="utf-8")
    old = '"Robots that learn from video, a data-center boom, and a new course"'
    assert old in text
    issue_copy.write_text(text.replace(old, '"Roboter lernen — heißt es"'), encoding="utf-8")
    manifest = presend.build_export(issue_copy).files()[MANIFEST]
    assert '"subject": "Roboter lernen — heißt es"'.encode() in manifest


def test_the_export_carries_what_validation_read(issue_copy):
    export = presend.build_export(issue_copy)
    publication = issue_copy.parent / "publication.yaml"
    assert (export.source, export.stem) == (issue_copy, "0321")
    assert export.publication.name == "The Batch" and export.issue.issue.number == 321
    assert export.publication_file == publication
    assert export.document is not None and export.document.lines == issue_copy.read_text().splitlines()
    assert export.publication_document is not None
    assert export.publication_document.lines == publication.read_text().splitlines()
    assert export.html.endswith("\r\n") and "\n" not in export.html.replace("\r\n", "")
    assert export.text.endswith("\r\n") and "\n" not in export.text.replace("\r\n", "")
    assert "\r\n" not in export.web_html  # a web page, not an email


def test_the_email_links_carry_campaign_parameters_and_the_web_page_none(issue_copy):
    prepared = prepare(issue_copy)
    rendered = prepared.rendered
    assert "utm_medium=email" in rendered.html and "utm_" not in rendered.web.html
    # the links as written (to probe them), each image with the address it was written as
    assert "https://www.deeplearning.ai/the-batch/" in rendered.links
    assert all("utm_" not in link for link in rendered.links)
    image = "https://www.deeplearning.ai/the-batch/images/robot-arm.png"
    assert image in rendered.images and rendered.written_as[image] == "images/robot-arm.png"
    assert rendered.relative_images == []
    # the web page's images resolved alike, as its own page shows them
    assert f'src="{image}"' in rendered.web.html and 'src="images/' not in rendered.web.html


def test_the_publications_templates_shape_the_email_and_the_web_page_wherever_export_runs(
        issue_copy, tmp_path, monkeypatch):
    """templates: is relative to publication.yaml, not to the folder export is run from."""
    from conftest import ROOT

    folder = issue_copy.parent / "mine" / "email"
    folder.mkdir(parents=True)
    footer = (ROOT / "templates" / "email" / "footer.mjml.j2").read_text(encoding="utf-8")
    assert "{{- footer | markdown -}}" in footer
    (folder / "footer.mjml.j2").write_text(
        footer.replace("{{- footer | markdown -}}", "{{- footer | markdown -}}<p>Our own footer</p>"),
        encoding="utf-8")
    publication = issue_copy.parent / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8") + "templates: mine\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rendered = prepare(issue_copy).rendered
    assert "Our own footer" in rendered.html and "Our own footer" in rendered.web.html


# ---------------------------------------------------------------- refusals


def test_a_publication_file_is_not_an_issue(issue_copy):
    publication = issue_copy.parent / "publication.yaml"
    with pytest.raises(AuthoringError) as refused:
        prepare(publication)
    assert str(refused.value) == (f"{publication} holds the publication's settings, not an issue; "
                                  "export an issue file next to it")


@pytest.mark.parametrize("errors, said", [(1, "1 error"), (2, "2 errors")])
def test_an_error_a_draft_has_too_stops_before_rendering_counted(issue_copy, errors, said):
    text = issue_copy.read_text(encoding="utf-8")
    for url in ["https://www.deeplearning.ai/resources/", "https://ai-dev.deeplearning.ai/"][:errors]:
        assert f"({url})" in text
        text = text.replace(f"({url})", "(javascript:alert(1))")
    issue_copy.write_text(text, encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        prepare(issue_copy)
    assert str(refused.value) == f"{issue_copy}: {said}; nothing exported"
    assert [d.code for r in refused.value.reports for d in r.errors] == ["unsafe-url"] * errors


def test_errors_only_export_raises_let_the_render_go_on(issue_copy):
    """A missing postal address (an export requirement) and a missing image file (a draft's
    warning) are no reason to stop before the pre-send rules: the refusal lists them with the rest."""
    publication = issue_copy.parent / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    publication.write_text(text.replace("postal_address:", "# postal_address:"), encoding="utf-8")
    (issue_copy.parent / "images" / "chart.png").unlink()
    prepared = prepare(issue_copy)
    errors = {d.code for d in prepared.validated.report.errors}
    assert errors >= {"missing-postal-address", "missing-image-file"}
    assert prepared.rendered.html


@pytest.mark.parametrize("errors, gate, said", [
    (1, 0, "1 error; nothing exported"),
    (2, 0, "2 errors; nothing exported"),
    (2, 1, "2 errors (1 from the pre-send check: authoring check shows its full report); nothing exported"),
    (1, 3, "1 error (1 from the pre-send check: authoring check shows its full report); nothing exported"),
])
def test_one_refusal_counts_the_errors(errors, gate, said):
    reports = [Report(file="0321.yaml", diagnostics=[finding(line=n) for n in range(errors)]),
               Report(file="publication.yaml", diagnostics=[finding(severity=Severity.WARNING)])]
    with pytest.raises(AuthoringError) as refused:
        # no gate errors given: none came from the pre-send check
        raise_unless_ok(Path("0321.yaml"), reports, strict=True, **({"gate_errors": gate} if gate else {}))
    assert str(refused.value) == f"0321.yaml: {said}"
    assert refused.value.reports == reports


@pytest.mark.parametrize("warnings, said", [(1, "1 warning"), (2, "2 warnings")])
def test_warnings_refuse_only_with_strict(warnings, said):
    reports = [Report(file="0321.yaml"),
               Report(file="p.yaml", diagnostics=[finding(severity=Severity.WARNING, line=n)
                                                  for n in range(warnings)])]
    raise_unless_ok(Path("0321.yaml"), reports, strict=False)
    with pytest.raises(AuthoringError) as refused:
        raise_unless_ok(Path("0321.yaml"), reports, strict=True)
    assert str(refused.value) == f"0321.yaml: {said} and --strict; nothing exported"


def test_merged_findings_join_their_files_report_once_each():
    mine = Report(file="0321.yaml", diagnostics=[finding(line=3)])
    reports = [mine]
    more = [Report(file="0321.yaml", diagnostics=[finding(line=3), finding(line=4)]),
            Report(file="publication.yaml", diagnostics=[finding(line=1)]),
            Report(file="publication.yaml", diagnostics=[finding(line=1), finding(line=2)])]
    merge_reports(reports, more)
    assert [(r.file, [d.line for d in r.diagnostics]) for r in reports] == [
        ("0321.yaml", [3, 4]), ("publication.yaml", [1, 2])]
    assert reports[0] is mine


def test_what_export_said_of_the_size_the_check_does_not_say_again():
    clipped = finding(code=codes.SIZE_CLIPPED, line=None, message="clipped at the 102 KB")
    other = finding(code="date-sequence")
    alone = [Report(file="0321.yaml")]
    merge_reports(alone, [Report(file="0321.yaml", diagnostics=[clipped, other])])
    assert [d.code for d in alone[0].diagnostics] == [codes.SIZE_CLIPPED, "date-sequence"]
    said = [Report(file="0321.yaml", diagnostics=[finding(code=codes.TOO_LARGE, line=None)])]
    merge_reports(said, [Report(file="0321.yaml", diagnostics=[clipped, other])])
    assert [d.code for d in said[0].diagnostics] == [codes.TOO_LARGE, "date-sequence"]


# ---------------------------------------------------------------- addresses


@pytest.mark.parametrize("base", ["https://cdn.e.org/news", "https://cdn.e.org/news/"])
@pytest.mark.parametrize("src, url", [
    ("images/a.png", "https://cdn.e.org/news/images/a.png"),
    (" images/a.png ", "https://cdn.e.org/news/images/a.png"),
    ("/a.png", "https://cdn.e.org/a.png"),
    ("https://other.org/a.png", "https://other.org/a.png"),
    ("{{logo_url}}", "{{logo_url}}"),
])
def test_images_resolve_against_the_base_url(base, src, url):
    relative: list[str] = []
    assert image_resolver(base, relative)(src) == url
    assert relative == []


@pytest.mark.parametrize("base", [None, ""])
def test_without_a_base_url_relative_images_are_kept_and_listed(base):
    relative: list[str] = []
    resolve = image_resolver(base, relative)
    assert resolve("images/a.png") == "images/a.png"
    assert resolve("https://e.org/b.png") == "https://e.org/b.png"
    assert resolve("images/a.png") == "images/a.png"
    assert relative == ["images/a.png", "images/a.png"]


# ---------------------------------------------------------------- where findings go

ISSUE_LINES = ["issue:", "  subject: Hi", "  image: logo.png", "# images/x.png", "  alt: twice, twice"]
PUBLICATION_LINES = ["name: The Batch", "# logo: old.png", "logo: {src: logo.png}", "esp: none",
                     "image_base_url: x", "  # dark: older.png", "footer: again and again"]


def _sources(publication: bool) -> Sources:
    """The issue's report, and publication.yaml's as validation read it (or none)."""
    from authoring.load import Document

    document = Document("publication.yaml", {}, "\n".join(PUBLICATION_LINES) + "\n")
    return Sources(Report(file="0321.yaml", source_lines=list(ISSUE_LINES)),
                   Path("publication.yaml") if publication else None, document)


def test_without_the_publication_as_read_findings_stay_in_the_issue():
    from authoring.load import Document

    document = Document("publication.yaml", {}, "\n".join(PUBLICATION_LINES) + "\n")
    for file, read in ((Path("publication.yaml"), None), (None, document)):
        found = Sources(Report(file="0321.yaml", source_lines=list(ISSUE_LINES)), file, read)
        found.add("render", Severity.ERROR, "The Batch", "planted", "fix")
        assert placed(found) == [("0321.yaml", None, None)]


def placed(found: Sources) -> list[tuple[str, int | None, int | None]]:
    return [(d.file, d.line, d.column) for r in (found.issue, *found.others) for d in r.diagnostics]


@pytest.mark.parametrize("needle, where", [
    ("logo.png", ("0321.yaml", 3, 10)),  # the issue first
    ("The Batch", ("publication.yaml", 1, 7)),
    ("images/x.png", ("0321.yaml", 4, 3)),  # add() takes a comment too: the line is where it is
    ("twice", ("0321.yaml", 5, 8)),  # the first on the line
    ("nowhere", ("0321.yaml", None, None)),  # the issue as a whole
])
def test_a_finding_goes_to_the_first_line_that_holds_its_needle(needle, where):
    found = _sources(True)
    found.add("render", Severity.ERROR, needle, "planted", "fix")
    assert placed(found) == [where]
    (diagnostic,) = [d for r in (found.issue, *found.others) for d in r.diagnostics]
    assert (diagnostic.code, diagnostic.severity, diagnostic.message, diagnostic.hint) == (
        "render", Severity.ERROR, "planted", "fix")


@pytest.mark.parametrize("needle, publication, where", [
    ("old.png", True, ("publication.yaml", 4, 1)),  # only in a comment: the esp: line
    ("older.png", True, ("publication.yaml", 4, 1)),  # an indented comment too
    ("again", True, ("publication.yaml", 7, 9)),  # the first on the line
    ("logo.png", True, ("0321.yaml", 3, 10)),
    ("src: logo", True, ("publication.yaml", 3, 8)),
    ("nowhere", True, ("publication.yaml", 4, 1)),
    ("nowhere", False, ("0321.yaml", None, None)),
])
def test_a_publication_finding_goes_to_its_line_or_the_esp_line(needle, publication, where):
    found = _sources(publication)
    found.add_at_publication("unreplaced-merge-tag", Severity.ERROR, needle, "planted", "fix")
    assert placed(found) == [where]
    (diagnostic,) = [d for r in (found.issue, *found.others) for d in r.diagnostics]
    assert (diagnostic.code, diagnostic.severity, diagnostic.message, diagnostic.hint) == (
        "unreplaced-merge-tag", Severity.ERROR, "planted", "fix")


def test_a_publication_without_an_esp_line_takes_the_finding_at_its_first_line():
    found = _sources(True)
    found.others[0].source_lines = [line for line in PUBLICATION_LINES if not line.startswith("esp:")]
    found.add_at_publication("unreplaced-merge-tag", Severity.ERROR, "nowhere", "planted", "fix")
    assert placed(found) == [("publication.yaml", 1, 1)]


def test_the_reports_are_the_issues_and_the_publications_when_it_has_findings():
    found = _sources(True)
    assert [r.file for r in found.reports()] == ["0321.yaml"]
    found.add("render", Severity.ERROR, "The Batch", "planted", "fix")
    assert [r.file for r in found.reports()] == ["0321.yaml", "publication.yaml"]


def test_an_export_never_shows_a_drafts_marks(issue_copy):
    """An image whose source is the service's merge tag has no address export can show: the email
    and the web page give its alt text, never the draft's "Image missing" box."""
    text = issue_copy.read_text(encoding="utf-8")
    issue_copy.write_text(text.replace("src: images/robot-arm.png", 'src: "*|LOGO_URL|*"'), encoding="utf-8")
    rendered = prepare(issue_copy).rendered
    for html in (rendered.html, rendered.web.html):
        assert "Image missing" not in html and "A robot arm stacking colored blocks" in html
