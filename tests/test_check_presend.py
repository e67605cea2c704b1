"""The pre-send rules: one registry in check/presend.py that export, send and the check run once."""

from __future__ import annotations

import pytest

from authoring.check import presend
from authoring.diagnostics import AuthoringError, Severity
from conftest import ISSUES


def test_the_rules_run_in_their_registered_order():
    assert [name for name, _ in presend.RULES] == [
        "relative-images", "render-findings", "template-code", "list-unsubscribe",
        "unreplaced-merge-tags", "local-images", "links"]


def test_a_registered_rule_runs_once_and_its_error_refuses_the_export(issue_copy, monkeypatch):
    seen: list[presend.Presend] = []

    def planted(context: presend.Presend) -> None:
        seen.append(context)
        context.sources.add("render", Severity.ERROR, "Robots Learn Chores", "planted", "remove it")

    monkeypatch.setattr(presend, "RULES", [*presend.RULES, ("planted", planted)])
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    assert len(seen) == 1 and seen[0].prepared.path == issue_copy
    planted_found = [d for r in refused.value.reports for d in r.errors if d.message == "planted"]
    assert [(d.file, d.line > 0) for d in planted_found] == [(str(issue_copy), True)]
    export = presend.build_export(issue_copy, refuse=False)  # the caller decides (the check's gate)
    assert any(d.message == "planted" for r in export.reports for d in r.errors)


def test_the_sample_passes_every_rule_and_lists_its_images_for_upload():
    export = presend.build_export(ISSUES / "0321.yaml")
    assert not [d for r in export.reports for d in r.errors]
    assert {image["src"] for image in export.images} >= {"images/robot-arm.png"}
    assert all(len(image["sha256"]) == 64 and image["size"] > 0 for image in export.images)
