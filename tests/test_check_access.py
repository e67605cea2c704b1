"""axe-core ships with the package: `check --browser` and the browser tests need no npm and no
network, and the wheel carries the script with its licence."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import zipfile

from authoring.check import access
from conftest import ROOT


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
