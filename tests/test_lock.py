"""requirements/test.lock stays in step with pyproject.toml: every package the test command
installs is pinned with its hashes, at a version pyproject allows (else: run scripts/lock)."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

LOCK = ROOT / "requirements" / "test.lock"


def pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """Name → (version, its hashes), from a requirements file as `uv pip compile` writes it."""
    found: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        if head:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
            found[canonicalize_name(head.group(1))] = (head.group(2), hashes)
    return found


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    build = [line for line in (ROOT / "requirements" / "build.in").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    listed = [*project["dependencies"], *project["optional-dependencies"]["test"], *build]
    return [Requirement(r) for r in listed]


def test_every_declared_package_is_pinned_at_a_version_pyproject_allows():
    locked = pins(LOCK.read_text(encoding="utf-8"))
    for requirement in wanted():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in {LOCK.name}: run scripts/lock"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement}: run scripts/lock")


def test_every_pin_carries_its_hashes():
    locked = pins(LOCK.read_text(encoding="utf-8"))
    assert len(locked) > 40
    assert [name for name, (_, hashes) in locked.items() if not hashes] == []


def test_the_pins_are_read_with_their_hashes_and_nothing_else():
    text = ("# header\nfoo-bar==1.2 \\\n    --hash=sha256:" + "a" * 64 + " \\\n    --hash=sha256:" + "b" * 64
            + "\n    # via x\nBaz_Qux==3.0\n    # via y\n")
    assert pins(text) == {"foo-bar": ("1.2", ["a" * 64, "b" * 64]), "baz-qux": ("3.0", [])}


def test_the_readme_and_ci_run_the_same_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "apt-get update && apt-get install -y chromium spamassassin spamc spamd && scripts/test\n"
    assert command in readme and command in ci
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements/test.lock" in script
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in script


def _scripts_test_in(tmp_path):
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "test"
    script.write_bytes((ROOT / "scripts" / "test").read_bytes())
    script.chmod(0o755)
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "test.lock").write_text("")
    return script


def test_the_test_command_never_removes_a_venv_it_did_not_make(tmp_path):
    import subprocess

    script = _scripts_test_in(tmp_path)
    mine = tmp_path / ".venv-test"
    mine.mkdir()
    (mine / "notes.txt").write_text("the user's")
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "error: .venv-test was not made by scripts/test" in result.stderr
    assert (mine / "notes.txt").read_text() == "the user's"


def test_the_test_command_refuses_a_link_in_place_of_its_venv(tmp_path):
    import subprocess

    script = _scripts_test_in(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".made-by-scripts-test").write_text("")  # even with the marker behind the link
    (tmp_path / ".venv-test").symlink_to(elsewhere)
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert (elsewhere / ".made-by-scripts-test").exists()
