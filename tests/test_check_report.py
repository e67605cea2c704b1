"""check/report.py: the verdict's findings first (errors, then warnings by part, five at most),
each printed once; every part's figures and the rest of its findings in file order; the summary
line, strict mode, the parts that did not run, and the JSON shape."""

from __future__ import annotations

import json

import pytest

from authoring.check import report as report_module
from authoring.check.report import CheckReport, PartResult
from authoring.diagnostics import Diagnostic, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _d(severity: Severity, message: str, file: str | None = "x.yaml", line: int | None = None,
       column: int | None = None, code: str = "c", hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, file=file, line=line,
                      column=column, hint=hint)


def _report(strict: bool = False) -> CheckReport:
    return CheckReport(file="x.yaml", strict=strict, parts=[
        PartResult("validation", "Export readiness", figures=["export refuses it"],
                   findings=[_d(ERROR, "no link", line=5, column=3, code="missing-link", hint="add it")]),
        PartResult("clients", "Client support", figures=["least support: Outlook"],
                   details=["Gmail: partial flex"],
                   findings=[_d(WARNING, "flex", line=30), _d(WARNING, "grid", line=2)]),
        PartResult("spam", "Spam score (SpamAssassin)", skipped="SpamAssassin is not installed"),
        PartResult("size", "Where the bytes go", figures=["12.0 KB", "3 blocks"],
                   findings=[_d(WARNING, "near the clip", line=40)]),
        PartResult("images", "Images off",
                   findings=[_d(WARNING, "alt b", line=12, column=4), _d(WARNING, "alt a", line=12, column=2),
                             _d(ERROR, "logo", file="publication.yaml", line=3),
                             _d(WARNING, "whole", file=None)]),
    ])


TEXT = """\
== First (2 errors, 3 warnings of 8)
  x.yaml:5:3: error: no link — add it [missing-link]
  publication.yaml:3: error: logo [c]
  x.yaml:40: warning: near the clip [c]
  x.yaml:12:4: warning: alt b [c]
  x.yaml:12:2: warning: alt a [c]
  not checked: Spam score (SpamAssassin): SpamAssassin is not installed

== Export readiness (1 error; 1 above)
  export refuses it

== Client support (2 warnings)
  least support: Outlook
  (--verbose shows each client's partial and unsupported features)
  x.yaml:2: warning: grid [c]
  x.yaml:30: warning: flex [c]

== Spam score (SpamAssassin)
  not checked: SpamAssassin is not installed

== Where the bytes go (1 warning; 1 above)
  12.0 KB
  3 blocks

== Images off (1 error, 3 warnings; 3 above)
  <input>: warning: whole [c]

x.yaml: 2 errors, 6 warnings; not checked: spam score: not ready"""


def test_the_text_report_first_then_each_part_then_the_verdict():
    assert _report().format_text() == TEXT


def test_strict_marks_each_warning_and_verbose_shows_the_details():
    text = _report(strict=True).format_text(verbose=True)
    assert text.splitlines()[1:6] == [
        "  x.yaml:5:3: error: no link — add it [missing-link]",
        "  publication.yaml:3: error: logo [c]",
        "  (strict) x.yaml:40: warning: near the clip [c]",
        "  (strict) x.yaml:12:4: warning: alt b [c]",
        "  (strict) x.yaml:12:2: warning: alt a [c]"]
    assert ("== Client support (2 warnings)\n  least support: Outlook\n  Gmail: partial flex\n"
            "  (strict) x.yaml:2: warning: grid [c]\n") in text
    assert "--verbose shows" not in text
    assert text.endswith("\n\nx.yaml: 2 errors, 6 warnings (strict: warnings fail); not checked: spam "
                         "score (strict: fails): not ready")


def test_when_every_finding_is_first_no_total_is_given_and_a_part_without_any_has_no_counts():
    report = CheckReport(file="x.yaml", parts=[
        PartResult("size", "Where the bytes go", figures=["12.0 KB"]),
        PartResult("images", "Images off", findings=[_d(WARNING, "alt", line=1)])])
    assert report.format_text() == (
        "== First (1 warning)\n  x.yaml:1: warning: alt [c]\n\n"
        "== Where the bytes go\n  12.0 KB\n\n"
        "== Images off (1 warning; 1 above)\n\n"
        "x.yaml: 0 errors, 1 warning: ready to send")


def test_a_clean_report_has_no_first_section():
    report = CheckReport(file="x.yaml", parts=[PartResult("size", "Where the bytes go", figures=["1 KB"])])
    assert report.format_text() == ("== Where the bytes go\n  1 KB\n\n"
                                    "x.yaml: 0 errors, 0 warnings: ready to send")
    assert report.ok() and report.ok(strict=True) and report.exit_code() == 0


def test_only_parts_not_checked_make_a_first_section():
    report = CheckReport(file="x.yaml", parts=[PartResult("spam", "Spam score (SpamAssassin)",
                                                          skipped="spamc timed out")])
    assert report.format_text().startswith(
        "== First (parts not checked)\n  not checked: Spam score (SpamAssassin): spamc timed out\n\n")
    assert report.summary() == ("x.yaml: 0 errors, 0 warnings; not checked: spam score: "
                                "ready to send as far as checked")


def test_warnings_pass_unless_strict_and_errors_always_fail():
    warned = CheckReport(file="x.yaml", parts=[PartResult("size", "S", findings=[_d(WARNING, "w")])])
    assert warned.ok() and warned.exit_code() == 0 and not warned.ok(strict=True)
    warned.strict = True
    assert not warned.ok() and warned.exit_code() == 1 and warned.ok(strict=False)
    assert warned.summary() == "x.yaml: 0 errors, 1 warning (strict: warnings fail): not ready"
    failed = CheckReport(file="x.yaml", parts=[PartResult("size", "S", findings=[_d(ERROR, "e")])])
    assert not failed.ok() and failed.exit_code() == 1
    assert failed.summary() == "x.yaml: 1 error, 0 warnings: not ready"
    skipped = CheckReport(file="x.yaml", parts=[PartResult("spam", "Spam", skipped="no spamc")])
    assert skipped.ok() and not skipped.ok(strict=True)


def test_every_part_not_checked_is_named_in_the_summary():
    report = CheckReport(file="x.yaml", parts=[
        PartResult("spam", "Spam score (SpamAssassin)", skipped="no spamc"),
        PartResult("size", "Where the bytes go"),
        PartResult("access", "Accessibility (axe-core in Chromium)", skipped="no chromium")])
    assert report.summary() == ("x.yaml: 0 errors, 0 warnings; not checked: spam score, "
                                "accessibility: ready to send as far as checked")


def test_warnings_go_first_by_what_they_change_for_readers(monkeypatch):
    monkeypatch.setattr(report_module, "FIRST", 20)
    names = ["custom", "clients", "history", "access", "contrast", "images", "inbox", "size", "spam",
             "validation"]
    report = CheckReport(file="x.yaml", parts=[
        PartResult(name, name, findings=[_d(WARNING, name)]) for name in names])
    assert [f.message for f in report.first()] == names[::-1]


@pytest.mark.parametrize(("errors", "warnings", "first"), [
    (0, 7, (0, 5)), (1, 7, (1, 4)), (4, 7, (4, 1)), (5, 7, (5, 0)), (6, 7, (6, 0)), (0, 3, (0, 3))])
def test_every_error_is_first_and_warnings_fill_up_to_five(errors, warnings, first):
    findings = [_d(WARNING, f"w{i}") for i in range(warnings)] + [_d(ERROR, f"e{i}") for i in range(errors)]
    report = CheckReport(file="x.yaml", parts=[PartResult("size", "S", findings=findings)])
    chosen = report.first()
    assert [f.message for f in chosen] == ([f"e{i}" for i in range(first[0])]
                                           + [f"w{i}" for i in range(first[1])])


def test_the_rest_is_ordered_errors_first_then_by_file_line_and_column():
    a, b = "/work/a.yaml", "/work/b.yaml"
    findings = [_d(WARNING, "b2", file=b, line=2), _d(WARNING, "a1c1", file=a, line=1, column=1),
                _d(WARNING, "a1", file=a, line=1), _d(WARNING, "a", file=a),
                _d(WARNING, "a1c5", file=a, line=1, column=5), _d(ERROR, "err", file="/z.yaml", line=9),
                _d(WARNING, "a1c2", file=a, line=1, column=2), _d(WARNING, "nofile", file=None, line=1)]
    # no file before any file, no line before line 1, no column before column 1
    assert [f.message for f in report_module._ordered(findings)] == [
        "err", "nofile", "a", "a1", "a1c1", "a1c2", "a1c5", "b2"]


def test_findings_errors_and_warnings_gather_every_part_and_a_part_is_found_by_name():
    report = _report()
    assert [f.message for f in report.findings] == [
        "no link", "flex", "grid", "near the clip", "alt b", "alt a", "logo", "whole"]
    assert [f.message for f in report.errors] == ["no link", "logo"]
    assert len(report.warnings) == 6
    assert report.part("size").figures == ["12.0 KB", "3 blocks"] and report.part("inbox") is None
    assert [p.name for p in report.not_checked] == ["spam"]


def test_the_json_report_has_every_part_and_each_findings_location():
    report = CheckReport(file="x.yaml", strict=True, parts=[
        PartResult("size", "Where the bytes go", figures=["1 KB"], data={"bytes": 1024},
                   details=["more"], findings=[_d(WARNING, "“near”", line=4, column=2, hint="cut")]),
        PartResult("spam", "Spam score", skipped="no spamc")])
    data = report.to_json()
    assert data == {
        "file": "x.yaml", "ok": False, "strict": True, "errors": 0, "warnings": 1,
        "not_checked": [{"name": "spam", "title": "Spam score", "reason": "no spamc"}],
        "parts": [
            {"name": "size", "title": "Where the bytes go", "skipped": None, "summary": ["1 KB"],
             "details": ["more"], "figures": {"bytes": 1024},
             "findings": [{"code": "c", "severity": "warning", "message": "“near”", "hint": "cut",
                           "file": "x.yaml", "line": 4, "column": 2, "path": "",
                           "location": "x.yaml:4:2"}]},
            {"name": "spam", "title": "Spam score", "skipped": "no spamc", "summary": [],
             "details": [], "figures": {}, "findings": []}]}
    text = report.dumps_json()
    assert json.loads(text) == data
    assert '"message": "“near”"' in text and text.startswith('{\n  "file": "x.yaml",\n')


def test_add_appends_in_order():
    part = PartResult("size", "S")
    first, second = _d(WARNING, "1"), _d(WARNING, "2")
    part.add(first)
    part.add(second)
    assert part.findings == [first, second]
