"""What a cold start imports: only the command the command line names, and no imagesize (with
its urllib, http.client and ssl) once the widths of the local images are remembered."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring import imagewidth
from authoring.cli import COMMANDS, app
from conftest import DATA, ISSUES, ROOT

runner = CliRunner()

PROBE = """\
import sys
from authoring.cli import main
sys.argv = ["authoring", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("authoring.commands.")
             or m in ("imagesize", "urllib.request", "http.client", "ssl", "jinja2", "premailer",
                      "markdown_it")))
print(sorted(sys.modules))
"""


def _cold_imports(*args: str, cache: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)
    return eval(done.stdout.strip().splitlines()[-2])  # a list literal printed by the probe


def _cold_modules(*args: str, cache: Path) -> set[str]:
    """Every module a cold run of the command line has imported when it ends."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)
    return set(eval(done.stdout.strip().splitlines()[-1]))


def test_validate_imports_only_its_command_and_imagesize_only_on_the_first_run(tmp_path):
    sample = str(ISSUES / "0321.yaml")  # its publication has a local logo: the retina check reads it
    first = _cold_imports("validate", sample, cache=tmp_path)
    assert "imagesize" in first and [m for m in first if m.startswith("authoring.")] == [
        "authoring.commands.validate"]
    assert _cold_imports("validate", sample, cache=tmp_path) == ["authoring.commands.validate"]


def test_validate_imports_neither_the_renderer_nor_the_importer_nor_their_libraries(tmp_path):
    """What only rendering or importing needs stays out of a cold `authoring validate`: each
    costs milliseconds at every start (the budget is 1.25x Python with Typer, PyYAML and
    markdown-it). Nor does markdown-it itself (10-15 ms): the samples' fields are all read
    without it (authoring.markdown builds their tokens), so it is imported only for a field
    that needs its parser."""
    samples = sorted(ISSUES.glob("0*.yaml"))
    assert len(samples) == 4
    loaded = _cold_modules("validate", *map(str, samples), cache=tmp_path)
    assert "authoring.validate" in loaded and "authoring.blocks.promo" in loaded
    renderer = {m for m in loaded if m == "authoring.render" or m.startswith("authoring.render.")}
    importer = {m for m in loaded if m.startswith(("authoring.importer", "authoring.site",
                                                   "authoring.preview", "authoring.check."))}
    libraries = loaded & {"jinja2", "markupsafe", "mjml", "css_inline", "premailer", "markdown",
                          "markdown_it", "mdurl"}
    assert (renderer, importer, libraries) == (set(), set(), set())


def test_render_imports_only_its_command_and_neither_imagesize_nor_premailer_when_warm(tmp_path):
    args = ("render", str(ISSUES / "0321.yaml"), "-o", str(tmp_path / "out"))
    _cold_imports(*args, cache=tmp_path)
    assert _cold_imports(*args, cache=tmp_path) == ["authoring.commands.render", "jinja2"]


def test_help_lists_every_command_in_order_with_its_help():
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    commands = result.output.split("Commands:\n")[1].split("\n\n")[0]  # the epilog follows a blank line
    listed = [line.split()[0] for line in commands.splitlines()]
    assert listed == list(COMMANDS)
    assert listed[:10] == ["init", "new", "validate", "fix", "preview", "check", "render", "export", "send",
                           "import"]  # the order of an editor's week
    assert "Check issue files: YAML syntax" in result.output and "Import past issues" in result.output


def test_a_mistyped_command_is_a_usage_error_with_a_suggestion():
    result = runner.invoke(app, ["valdate", "x.yaml"])
    assert result.exit_code == 2 and "Did you mean 'validate'?" in result.output


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(DATA / "images", tmp_path / "images")
    monkeypatch.setattr(imagewidth, "_seen_in_this_process", {})
    return tmp_path / "cache" / "authoring" / imagewidth.CACHE_FOLDER


def _no_reading(file):
    raise AssertionError(f"{file} read again: its width was remembered")


def test_a_width_is_read_once_then_remembered(tmp_path, cache, monkeypatch):
    image = tmp_path / "images" / "narrow-600.png"
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 600
    assert len(list(cache.iterdir())) == 1
    monkeypatch.setattr(imagewidth, "_read_width", _no_reading)
    imagewidth._seen_in_this_process.clear()  # as a new process would: from the cache folder
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 600


def test_a_width_found_once_is_not_looked_up_again_in_the_same_process(tmp_path, cache, monkeypatch):
    image = tmp_path / "images" / "narrow-600.png"
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 600
    monkeypatch.setattr(imagewidth, "_read_width", _no_reading)
    monkeypatch.setattr(imagewidth, "_cache_entry", _no_reading)
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 600
    shutil.copy(tmp_path / "images" / "wide-1200.png", image)  # a new stamp: looked up again
    with pytest.raises(AssertionError, match="read again"):
        imagewidth.pixel_width(image, max_bytes=10**6)


def test_a_replaced_image_is_read_again(tmp_path, cache):
    image = tmp_path / "images" / "narrow-600.png"
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 600
    shutil.copy(tmp_path / "images" / "wide-1200.png", image)
    assert imagewidth.pixel_width(image, max_bytes=10**6) == 1200


def test_a_damaged_cache_entry_is_read_again(tmp_path, cache):
    image = tmp_path / "images" / "narrow-600.png"
    imagewidth.pixel_width(image, max_bytes=10**6)
    (entry,) = cache.iterdir()
    for damage in (b"", b"1 2 3\n", b"x y z w\n/a", entry.read_bytes().replace(b" 600\n", b" -600\n"),
                   entry.read_bytes().replace(b" 600\n", b" 1\n") + b"/elsewhere"):
        entry.write_bytes(damage)
        imagewidth._seen_in_this_process.clear()
        assert imagewidth.pixel_width(image, max_bytes=10**6) == 600


def test_without_a_usable_cache_folder_widths_are_still_read(tmp_path, cache):
    cache.parent.parent.mkdir()
    cache.parent.write_text("a file where the cache folder should be")
    assert imagewidth.pixel_width(tmp_path / "images" / "wide-1200.png", max_bytes=10**6) == 1200


def test_what_is_not_a_readable_image_has_no_width(tmp_path, cache):
    (tmp_path / "notes.png").write_text("not an image")
    assert imagewidth.pixel_width(tmp_path / "notes.png", max_bytes=10**6) is None
    assert imagewidth.pixel_width(tmp_path / "missing.png", max_bytes=10**6) is None
    assert imagewidth.pixel_width(tmp_path / "images", max_bytes=10**6) is None
    assert imagewidth.pixel_width(tmp_path / "images" / "wide-1200.png", max_bytes=100) is None
