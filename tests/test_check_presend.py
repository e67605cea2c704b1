"""The pre-send rules: one registry in check/presend.py that export, send and the check run once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from authoring.check import presend
from authoring.diagnostics import AuthoringError, Severity
from authoring.outgoing import prepare
from authoring.render import GMAIL_CLIP_BYTES
from conftest import ISSUES, copy_samples

MINIMAL = """\
issue:
  number: 500
  date: 2026-12-04
  subject: A short issue
  preheader: Just one story this week, with a picture.
stories:
  - news:
      headline: Short Story
      image: {src: images/robot-arm.png, alt: A robot arm}
      sections:
        - What’s new: Something happened at [our site](https://www.deeplearning.ai/x).
"""


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


def located(refusal: AuthoringError, code: str) -> list[str]:
    """The refusal's findings of one kind, as the command line prints them."""
    return [str(d) for r in refusal.reports for d in r.diagnostics if d.code == code]


def test_a_relative_image_without_a_base_url_is_refused_once_at_its_line(issue_copy):
    publication = issue_copy.parent / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    publication.write_text(re.sub(r"(?m)^image_base_url:.*\n", "", text), encoding="utf-8")
    issue = issue_copy.read_text(encoding="utf-8")
    # the same image twice: one finding, at its first line
    issue_copy.write_text(issue.replace("src: images/chart.png", "src: images/robot-arm.png"),
                          encoding="utf-8")
    lines = issue_copy.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, 1) if "images/robot-arm.png" in line)
    column = lines[first - 1].index("images/robot-arm.png") + 1
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue_copy)
    found = [f for f in located(refused.value, "no-image-base-url") if "robot-arm" in f]
    assert found == [
        f"{issue_copy}:{first}:{column}: error: image 'images/robot-arm.png' is a relative path and the "
        "publication sets no image_base_url — set image_base_url in publication.yaml to where the images "
        "are uploaded, or use a full https:// address [no-image-base-url]"]


def issue_of_email_size(folder: Path, size: int) -> Path:
    """An issue whose email HTML, as export writes it (CRLF), is exactly ``size`` bytes."""
    paragraph = "Researchers trained a policy on thousands of hours of video. " * 12
    blocks = ("  - text: |\n" + "".join(f"      {paragraph}\n\n" for _ in range(40))) * 3
    path = folder / "0500.yaml"

    def written(padding: int) -> int:
        path.write_text(MINIMAL + blocks + f"  - text: |\n      {'a' * padding}\n", encoding="utf-8")
        return len(prepare(path).rendered.html.encode("utf-8"))

    padding = 10 + size - written(10)  # one more letter, one more byte
    assert 0 < padding <= 2000 and written(padding) == size  # a paragraph, not a long one
    return path


def test_the_email_at_gmails_clip_exports_and_one_byte_more_is_refused(tmp_path):
    folder = copy_samples(tmp_path / "issues")
    issue = issue_of_email_size(folder, GMAIL_CLIP_BYTES)
    export = presend.build_export(issue)
    assert not [d for r in export.reports for d in r.errors]
    # the renderer's warning that the email nears the clip stays; the web page's size is no matter
    size = len(export.html.replace("\r\n", "\n").encode("utf-8"))
    assert [str(d) for d in export.warnings] == [
        f"{issue}: warning: HTML is {size / 1024:.1f} KB: Gmail clips messages over 102 KB [render]"]

    issue_of_email_size(folder, GMAIL_CLIP_BYTES + 1)
    with pytest.raises(AuthoringError) as refused:
        presend.build_export(issue)
    assert located(refused.value, "too-large") == [
        f"{issue}: error: the email HTML is 102.0 KB; Gmail clips messages over 102 KB, hiding the rest "
        "of the issue and the unsubscribe link — shorten the issue or move a story to the web version "
        "[too-large]"]
    assert not [d for r in refused.value.reports for d in r.diagnostics if "Gmail clips" in d.message
                and d.code != "too-large"]  # said once, as the error
