"""authoring/check/__init__.py: which parts run, in what order, on what; each finding once."""

from __future__ import annotations

import pytest

from authoring.check import CheckOptions, _once, check_file, fast_parts, selected
from authoring.diagnostics import Diagnostic, Severity

DEFAULT = ["validation", "clients", "spam", "size", "images", "inbox", "spoofing", "contrast", "history"]


def _names(options: CheckOptions) -> list[str]:
    return [entry.name for entry in selected(options)]


def test_by_default_every_part_but_the_browsers_runs_in_report_order():
    assert _names(CheckOptions()) == DEFAULT
    assert _names(CheckOptions(spam=False)) == [n for n in DEFAULT if n != "spam"]
    assert _names(CheckOptions(browser=True)) == [*DEFAULT, "access"]


def test_parts_named_run_whatever_the_other_options_in_report_order():
    chosen = CheckOptions(parts={"access", "history", "spam", "validation"}, spam=False, browser=False)
    assert _names(chosen) == ["validation", "spam", "history", "access"]
    assert _names(CheckOptions(parts=set(), browser=True)) == []


def test_export_runs_the_cheap_parts():
    assert fast_parts() == {"validation", "clients", "size", "images", "inbox", "spoofing", "contrast",
                            "history"}


def _finding(**changes) -> Diagnostic:
    fields = {"code": "vague-link-text", "severity": Severity.WARNING, "message": "the link text 'here'",
              "hint": "link the words", "file": "0321.yaml", "line": 12, "column": 5, **changes}
    return Diagnostic(**fields)


def test_a_finding_is_new_unless_its_code_place_and_message_were_seen():
    seen: set[tuple] = set()
    assert _once(_finding(), seen)
    assert not _once(_finding(hint="another hint", severity=Severity.ERROR), seen)  # said already
    for change in ({"code": "untagged-link"}, {"file": "publication.yaml"}, {"line": 13},
                   {"column": 6}, {"message": "the link text 'more'"}):
        assert _once(_finding(**change), seen), change
        assert not _once(_finding(**change), seen), change


def test_each_part_reports_under_its_own_name_and_title(issue_copy):
    report = check_file(issue_copy, CheckOptions(parts={"inbox", "size", "history"}))
    assert [(p.name, p.title) for p in report.parts] == [
        ("size", "Where the bytes go (Gmail clips at 102 KB)"), ("inbox", "Inbox presentation"),
        ("history", "Across issues")]
    assert report.file == str(issue_copy) and not report.strict
    assert check_file(issue_copy, CheckOptions(parts={"inbox"}), strict=True).strict


def test_a_draft_that_cannot_be_rendered_skips_the_parts_that_read_the_html(issue_copy):
    """A draft error (an image without alt) beside a template that breaks: the parts that read the
    HTML say why they did not run; validation, contrast and history still do."""
    text = issue_copy.read_text()
    alt = "        alt: A robot arm stacking colored blocks after watching a video of a person\n"
    issue_copy.write_text(text.replace(alt, ""))
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    (folder / "news.mjml.j2").write_text("{{ 1 // 0 }}\n")
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    report = check_file(issue_copy, CheckOptions(spam=False))
    why = ("the draft could not be rendered (template error: ZeroDivisionError: integer division or modulo "
           "by zero); fix the errors above")
    assert [(p.name, p.skipped) for p in report.parts] == [
        ("validation", None), ("clients", why), ("size", why), ("images", why), ("inbox", why),
        ("spoofing", why), ("contrast", None), ("history", None)]
    assert report.part("inbox").title == "Inbox presentation"
    assert [f.code for f in report.part("validation").findings] == ["missing-field"]



def test_send_ready_refuses_on_a_fast_parts_error_and_leaves_the_checks_warnings(issue_copy):
    from authoring.check import send_ready
    from authoring.diagnostics import AuthoringError

    assert send_ready(issue_copy, strict=True).issue.issue.number == 321  # the check's warnings stay
    earlier = issue_copy.with_name("0320.yaml")  # last week's issue, dated after this one
    earlier.write_text(issue_copy.read_text().replace("number: 321", "number: 320")
                       .replace("date: 2026-11-27", "date: 2026-11-28"))
    with pytest.raises(AuthoringError) as refused:
        send_ready(issue_copy)
    assert str(refused.value) == (f"{issue_copy}: 1 error (1 from the pre-send check: authoring check "
                                  "shows its full report); nothing exported")
    (report,) = refused.value.reports
    assert [d.code for d in report.diagnostics] == ["date-sequence"]
    assert report.format_text().splitlines()[1:] == ["      date: 2026-11-27", "            ^"]


def test_send_ready_neither_probes_links_nor_refuses_warnings_unless_asked(issue_copy):
    from authoring import links
    from authoring.check import send_ready
    from authoring.diagnostics import AuthoringError

    probed: list[list[str]] = []

    def record(urls: list[str]) -> links.LinkCheck:
        probed.append(urls)
        return links.LinkCheck(checked=list(urls))

    text = issue_copy.read_text()
    start = text.index("  preheader: ")
    issue_copy.write_text(text[:start] + text[text.index("\n", start) + 1:])  # a warning: no preheader
    export = send_ready(issue_copy, link_check=record)
    assert probed == [] and "missing-preheader" in {d.code for r in export.reports for d in r.diagnostics}
    with pytest.raises(AuthoringError, match="1 warning and --strict; nothing exported"):
        send_ready(issue_copy, strict=True, link_check=record)
    send_ready(issue_copy, check_links=True, link_check=record)
    assert probed and "https://arxiv.org/abs/2405.01527" in probed[0]


def test_check_file_reads_the_publication_file_it_is_given(issue_copy, tmp_path):
    other = tmp_path / "settings" / "publication.yaml"
    other.parent.mkdir()
    other.write_text(issue_copy.with_name("publication.yaml").read_text().replace(
        "name: The Batch from DeepLearning.AI,", "name: Weekly Robots,"))
    inbox = check_file(issue_copy, CheckOptions(parts={"inbox"}), publication_file=other).part("inbox")
    assert inbox.figures[2] == "from Weekly Robots <thebatch@deeplearning.ai>"


def test_a_part_is_registered_with_what_it_declares(monkeypatch):
    import authoring.check as check

    monkeypatch.setattr(check, "PARTS", {})

    def run(built, options):
        raise AssertionError("not run here")

    assert check.part("plain", "A plain part")(run) is run
    check.part("slow", "A slow part", fast=False, opt_in=True, needs_html=False)(run)
    assert {
        "plain": check.Part(name="plain", title="A plain part", run=run, fast=True, opt_in=False,
                            needs_html=True),
        "slow": check.Part(name="slow", title="A slow part", run=run, fast=False, opt_in=True,
                           needs_html=False)} == check.PARTS


def test_send_ready_runs_the_fast_parts_and_no_other(issue_copy, monkeypatch):
    import authoring.check as check

    fast = fast_parts()  # loads every part
    ran: list[str] = []
    for name, entry in check.PARTS.items():
        def recording(built, options, run=entry.run, name=name):
            ran.append(name)
            return run(built, options)
        monkeypatch.setattr(entry, "run", recording)
    check.send_ready(issue_copy)
    assert sorted(ran) == sorted(fast) and "spam" not in ran and "access" not in ran
