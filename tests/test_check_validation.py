"""check/validation.py: what export itself says, less the size warnings the size part explains,
and one line saying whether export builds the issue."""

from __future__ import annotations

import dataclasses

import pytest

from authoring import codes
from authoring.check import CheckOptions
from authoring.check.build import Built, build
from authoring.check.validation import export_readiness
from authoring.diagnostics import Diagnostic, Severity
from authoring.render import check_size
from conftest import ISSUES

NEAR_CLIP = check_size(95 * 1024 + 300)
"""The renderer's own warning near Gmail's clip: 'HTML is 95.3 KB: Gmail clips messages over 102 KB'."""


@pytest.fixture(scope="module")
def built() -> Built:
    return build(ISSUES / "0321.yaml")


def _readiness(built: Built, problems: list[Diagnostic], **state):
    return export_readiness(dataclasses.replace(built, problems=problems, **state), CheckOptions())


def _error(message: str, code: str = "missing-link") -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.ERROR, message=message)


def _warning(message: str, code: str = codes.RENDER) -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.WARNING, message=message)


def test_the_renderers_near_clip_warning_is_the_one_left_out():
    assert NEAR_CLIP == "HTML is 95.3 KB: Gmail clips messages over 102 KB"


def test_a_ready_issue_says_export_builds_it(built):
    result = _readiness(built, [])
    assert result.findings == []
    assert result.figures == ["export builds it: every link, image, number and date is there"]
    assert result.data == {"export_ready": True, "draft": False}


def test_the_size_findings_are_left_to_the_size_part_and_the_rest_kept_in_order(built):
    kept = [_warning("CSS the inliner rejects: 'mso-line-height-rule'"),
            _warning(NEAR_CLIP + ", and more"),  # not the renderer's sentence
            _warning("XHTML is 95.3 KB: Gmail clips messages over 102 KB"),
            _warning(NEAR_CLIP, code="template-warning"),  # the same words from elsewhere
            _warning(NEAR_CLIP.replace("102", "103"))]
    problems = [_error("the email HTML is 103.0 KB; Gmail clips messages over 102 KB",
                       code=codes.TOO_LARGE), kept[0], _warning(NEAR_CLIP), kept[1], kept[2],
                _warning("HTML is 101.9 KB: Gmail clips messages over 102 KB"), kept[3], kept[4]]
    assert _readiness(built, problems).findings == kept


@pytest.mark.parametrize(("problems", "figure"), [
    ([], "a draft: export refuses it (0 errors); the other parts look at the draft rendering"),
    ([_error("no link")],
     "a draft: export refuses it (1 error); the other parts look at the draft rendering"),
    ([_error("no link"), _warning("careful"), _error("no date")],
     "a draft: export refuses it (2 errors); the other parts look at the draft rendering"),
])
def test_a_draft_counts_the_errors_export_refuses_it_with(built, problems, figure):
    result = _readiness(built, problems, export_ready=False, draft=True)
    assert result.figures == [figure]
    assert result.data == {"export_ready": False, "draft": True}


def test_a_draft_counts_no_size_error_the_size_part_explains(built):
    too_large = _error("the email HTML is 103.0 KB", code=codes.TOO_LARGE)
    result = _readiness(built, [too_large, _error("no link")], export_ready=False, draft=True)
    assert result.figures == [
        "a draft: export refuses it (1 error); the other parts look at the draft rendering"]


def test_a_refusal_that_built_the_email_points_below(built):
    result = _readiness(built, [_error("no link")], export_ready=False)
    assert result.figures == ["export refuses it (see below); the other parts look at what it built"]
    assert result.data == {"export_ready": False, "draft": False}


def test_an_unrendered_draft_says_why_under_the_verdict(built):
    why = "the draft could not be rendered (boom); fix the errors above"
    result = _readiness(built, [_error("no link")], export_ready=False, draft=True, unrendered=why)
    assert result.figures == [
        "a draft: export refuses it (1 error); the other parts look at the draft rendering", why]
