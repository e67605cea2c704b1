"""axe-core ships with the package: `check --browser` and the browser tests need no npm and no
network, and the wheel carries the script with its licence."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import zipfile

import pytest

from authoring.check import CheckOptions, PartResult, access
from authoring.diagnostics import Severity
from conftest import ISSUES, ROOT


def _recorded() -> tuple[str, str]:
    """The version and SHA-256 that authoring/data/axe.LICENSE names (scripts/refresh_axe.py)."""
    first = (ROOT / "authoring" / "data" / "axe.LICENSE").read_text(encoding="utf-8").splitlines()[0]
    match = re.search(r"axe-core (\S+) \(.*\), (sha256-\S+),", first)
    assert match, first
    return match.group(1), match.group(2)


def test_the_shipped_axe_is_used_without_npm_or_network(monkeypatch):
    monkeypatch.delenv("AUTHORING_AXE", raising=False)
    monkeypatch.setenv("PATH", "")  # no npm, no node: nothing to fetch with
    script = access.axe_script()
    assert script == ROOT / "authoring" / "data" / "axe.min.js"
    version, digest = _recorded()
    assert access.axe_version(script) == version == "4.10.3"
    assert "sha256-" + base64.b64encode(hashlib.sha256(script.read_bytes()).digest()).decode() == digest


def test_authoring_axe_names_another_script_or_says_it_is_missing(monkeypatch, tmp_path):
    other = tmp_path / "axe.min.js"
    other.write_text("/*! axe v9.9.9\n */ window.axe = {};\n")
    monkeypatch.setenv("AUTHORING_AXE", str(other))
    assert access.axe_script() == other and access.axe_version(other) == "9.9.9"
    monkeypatch.setenv("AUTHORING_AXE", str(tmp_path / "gone.js"))
    assert access.axe_script() == f"AUTHORING_AXE={tmp_path / 'gone.js'}: no such file"
    other.write_text("window.axe = {};\n")
    assert access.axe_version(other) == "(unknown version)"


def test_a_missing_shipped_axe_is_a_one_line_reason(monkeypatch, tmp_path):
    monkeypatch.delenv("AUTHORING_AXE", raising=False)
    monkeypatch.setattr(access, "SHIPPED_AXE", tmp_path / "axe.min.js")
    reason = access.axe_script()
    assert isinstance(reason, str) and "axe-core is missing" in reason and "\n" not in reason


def test_the_wheel_carries_the_data_files_and_their_licences(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    (wheel,) = tmp_path.glob("authoring-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = archive.read("authoring/data/axe.min.js")
    assert {"authoring/data/axe.min.js", "authoring/data/axe.LICENSE", "authoring/data/caniemail.json",
            "authoring/data/caniemail.LICENSE", "authoring/templates/email/news.mjml.j2"} <= names
    assert shipped == (ROOT / "authoring" / "data" / "axe.min.js").read_bytes()


# ---------------------------------------------------------------- the part without a browser


VIEWS = ["600 px light", "600 px dark", "375 px light", "375 px dark"]


def _violation(rule: str, impact: str, *blocks: str, html: str = "<p>x</p>") -> dict:
    return {"id": rule, "impact": impact, "help": f"{rule} help", "url": f"https://axe.example/{rule}",
            "nodes": [{"block": block, "html": f"{html}@{block}"} for block in blocks]}


@pytest.fixture(scope="module")
def built():
    from authoring.check.build import build

    return build(ISSUES / "0321.yaml")


def test_one_finding_per_rule_and_block_naming_each_view_it_shows_in(built):
    runs = {VIEWS[0]: [_violation("color-contrast", "serious", "stories[1]", "stories[1]", "footer")],
            VIEWS[1]: [_violation("color-contrast", "serious", "stories[1]"),
                       _violation("link-name", "minor", "letter")],
            VIEWS[2]: [],
            VIEWS[3]: [_violation("image-alt", "critical", "email"),
                       _violation("color-contrast", "serious", "footer", html="<td>y</td>")]}
    result = PartResult(name="access", title="")
    access._report(built, runs, result, "4.10.3")
    assert result.figures == [f"axe-core 4.10.3 at {', '.join(VIEWS)}: 4 problems"]
    assert result.data == {"views": VIEWS, "problems": [
        {"rule": "color-contrast", "block": "stories[1]", "impact": "serious", "views": VIEWS[:2],
         "help": "color-contrast help", "html": "<p>x</p>@stories[1]"},
        {"rule": "color-contrast", "block": "footer", "impact": "serious", "views": [VIEWS[0], VIEWS[3]],
         "help": "color-contrast help", "html": "<p>x</p>@footer"},
        {"rule": "link-name", "block": "letter", "impact": "minor", "views": [VIEWS[1]],
         "help": "link-name help", "html": "<p>x</p>@letter"},
        {"rule": "image-alt", "block": "email", "impact": "critical", "views": [VIEWS[3]],
         "help": "image-alt help", "html": "<p>x</p>@email"}]}
    story, footer, letter, whole = result.findings
    assert (story.code, story.severity, story.path) == ("a11y-serious", Severity.ERROR, ("stories", 1))
    assert story.message == ("color-contrast help (color-contrast, serious) in stories[1] news “Robots "
                             "Learn Chores From Video”, at 600 px light, 600 px dark: <p>x</p>@stories[1]")
    assert story.hint == "see https://axe.example/color-contrast"
    lines = (ISSUES / "0321.yaml").read_text().splitlines()
    assert (story.file, lines[story.line - 1].strip()) == (str(built.path), "- news:")
    assert story.column == lines[story.line - 1].index("news") + 1  # at the key, not its value
    assert (footer.code, footer.line, footer.path) == ("a11y-serious", None, ())
    assert footer.message.startswith("color-contrast help (color-contrast, serious) in footer, at "
                                     "600 px light, 375 px dark: ")
    assert (letter.code, letter.severity, letter.path) == ("a11y", Severity.WARNING, ("letter",))
    assert lines[letter.line - 1].startswith("letter:")
    assert (whole.code, whole.severity, whole.file, whole.line) == (
        "a11y-serious", Severity.ERROR, str(built.path), None)
    assert " in the email as a whole, at 375 px dark: " in whole.message
    assert whole.hint == "see https://axe.example/image-alt"


def test_one_problem_is_said_in_the_singular_and_none_is_no_finding(built):
    one = PartResult(name="access", title="")
    access._report(built, {VIEWS[0]: [_violation("region", "moderate", "head")]}, one, "9.9")
    assert one.figures == ["axe-core 9.9 at 600 px light: 1 problem"]
    assert [f.severity for f in one.findings] == [Severity.WARNING]
    none = PartResult(name="access", title="")
    access._report(built, {view: [] for view in VIEWS}, none, "9.9")
    assert none.figures == [f"axe-core 9.9 at {', '.join(VIEWS)}: 0 problems"] and none.findings == []


def test_whatever_is_missing_is_one_line_and_the_part_is_skipped(built, monkeypatch):
    reason = "chromium is not installed (apt-get install -y chromium)"
    monkeypatch.setattr(access, "_missing_tools", lambda: reason)
    result = access.accessibility(built, CheckOptions())
    assert result.skipped == reason and not result.figures
    monkeypatch.setattr(access, "_missing_tools", lambda: None)
    monkeypatch.setattr(access, "axe_script", lambda: "AUTHORING_AXE=/gone.js: no such file")
    assert access.accessibility(built, CheckOptions()).skipped == "AUTHORING_AXE=/gone.js: no such file"


def test_a_browser_that_fails_is_a_skip_with_its_first_line(built, monkeypatch):
    def fail(built, axe):
        raise RuntimeError("Executable doesn't exist at /nowhere/chromium" + "x" * 300 + "\nmore detail")

    monkeypatch.setattr(access, "_missing_tools", lambda: None)
    monkeypatch.setattr(access, "_audit", fail)
    result = access.accessibility(built, CheckOptions())
    assert result.skipped == ("the browser audit failed: Executable doesn't exist at /nowhere/chromium"
                              + "x" * (200 - len("Executable doesn't exist at /nowhere/chromium")))
    assert result.findings == [] and result.figures == []


def test_the_audit_runs_are_reported_with_the_shipped_axes_version(built, monkeypatch):
    runs = {VIEWS[0]: [_violation("link-name", "minor", "letter")]}
    monkeypatch.setattr(access, "_missing_tools", lambda: None)
    monkeypatch.setattr(access, "_audit",
                        lambda audited, axe: runs if audited is built and axe == access.SHIPPED_AXE else {})
    monkeypatch.delenv("AUTHORING_AXE", raising=False)
    result = access.accessibility(built, CheckOptions())
    assert result.skipped is None
    assert result.figures == ["axe-core 4.10.3 at 600 px light: 1 problem"]


def test_playwright_or_chromium_missing_is_said_with_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(access, "_chromium", lambda: None)
    assert access._missing_tools() == "chromium is not installed (apt-get install -y chromium)"
    monkeypatch.setattr(access, "_chromium", lambda: "/usr/bin/chromium")
    assert access._missing_tools() is None
    monkeypatch.setattr(builtins, "__import__", no_playwright)
    assert access._missing_tools() == "Playwright is not installed (pip install playwright)"


def test_chromium_is_the_first_binary_there_then_the_one_on_path(monkeypatch, tmp_path):
    real, wrapper = tmp_path / "real", tmp_path / "wrapper"
    wrapper.write_text("")
    monkeypatch.setattr(access, "CHROMIUM", [str(real), str(wrapper)])
    assert access._chromium() == str(wrapper)
    real.write_text("")
    assert access._chromium() == str(real)
    monkeypatch.setattr(access, "CHROMIUM", [str(tmp_path / "gone")])
    monkeypatch.setattr(access.shutil, "which", lambda name: f"/opt/{name}")
    assert access._chromium() == "/opt/chromium"


def test_a_script_whose_first_line_is_not_utf8_still_names_its_version(tmp_path):
    script = tmp_path / "axe.min.js"
    script.write_bytes(b"/*! axe v4.11.0 \xa9 Deque \xff\xfe */ window.axe = {};\n")
    assert access.axe_version(script) == "4.11.0"
