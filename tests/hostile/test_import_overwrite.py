"""``import -o`` and ``new -o``: the text being imported is never the output, even with --force;
an existing output (a dangling link included) needs --force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from conftest import SEEDS, tracked

runner = CliRunner()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    seed = tracked(SEEDS, "*.txt")[0]
    shutil.copy(seed, tmp_path / "archive.txt")
    return tmp_path / "archive.txt"


@pytest.mark.parametrize("shape", ["the same name", "a dotted path to it", "a link to it", "a hard link"])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_source_is_never_the_output(source, shape, force):
    before = source.read_bytes()
    if shape == "the same name":
        output = source
    elif shape == "a dotted path to it":
        output = source.parent / "." / source.name
    elif shape == "a link to it":
        output = source.parent / "archive.yaml"
        output.symlink_to(source.name)
    else:
        output = source.parent / "archive.yaml"
        output.hardlink_to(source)
    result = runner.invoke(app, ["import", str(source), "-o", str(output), *force])
    assert result.exit_code == 2
    assert "is the text being imported" in result.stderr
    assert source.read_bytes() == before


def test_a_dangling_link_as_output_needs_force(source, tmp_path):
    link = tmp_path / "out.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    result = runner.invoke(app, ["import", str(source), "-o", str(link)])
    assert result.exit_code == 1 and "exists: use --force" in result.stderr
    assert link.is_symlink()


def test_new_over_a_dangling_link_needs_force(tmp_path):
    link = tmp_path / "0001.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    result = runner.invoke(app, ["new", str(tmp_path), "-n", "1"])
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert link.is_symlink() and not (tmp_path / "elsewhere.yaml").exists()
