"""``authoring render``: files written, sizes printed, exit codes, nothing written for a broken draft."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from authoring.cli import app
from conftest import ROOT, sample_issues

runner = CliRunner()
SAMPLE = sample_issues()[0]


def test_render_writes_html_and_text_and_prints_their_sizes(tmp_path):
    result = runner.invoke(app, ["render", str(SAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html, text = tmp_path / f"{SAMPLE.stem}.html", tmp_path / f"{SAMPLE.stem}.txt"
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert text.read_text(encoding="utf-8").strip()
    assert not (tmp_path / f"{SAMPLE.stem}.mjml").exists()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(str(html)) and lines[0].endswith(f"{html.stat().st_size / 1024:.1f} KB")
    assert lines[1].startswith(str(text))


def test_mjml_flag_writes_the_intermediate_mjml(tmp_path):
    result = runner.invoke(app, ["render", str(SAMPLE), "--output", str(tmp_path), "--mjml"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{SAMPLE.stem}.mjml").read_text(encoding="utf-8").startswith("<mjml")
    assert len(result.stdout.splitlines()) == 3


def test_web_writes_the_archive_page_beside_the_email_not_over_it(tmp_path):
    """As export names it: <stem>.web.html; the email's <stem>.html stays what it was."""
    assert runner.invoke(app, ["render", str(SAMPLE), "-o", str(tmp_path)]).exit_code == 0
    email = (tmp_path / f"{SAMPLE.stem}.html").read_bytes()
    result = runner.invoke(app, ["render", str(SAMPLE), "-o", str(tmp_path), "--web", "--mjml"])
    assert result.exit_code == 0, result.output
    web = tmp_path / f"{SAMPLE.stem}.web.html"
    assert (tmp_path / f"{SAMPLE.stem}.html").read_bytes() == email
    assert web.read_bytes() != email and web.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert (tmp_path / f"{SAMPLE.stem}.web.mjml").is_file()
    assert not (tmp_path / f"{SAMPLE.stem}.mjml").exists()
    assert result.stdout.splitlines()[0].startswith(str(web))


def test_default_folder_is_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["render", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / f"{SAMPLE.stem}.html").is_file()


def test_invalid_draft_prints_its_errors_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue:\n  subject: Hi\nstories:\n  - news: {dek: no headline}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "bad.yaml:4" in result.stderr and "error" in result.stderr
    assert not out.exists()


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    result = runner.invoke(app, ["render", str(tmp_path / "nope.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_usage_error_exits_2():
    assert runner.invoke(app, ["render"]).exit_code == 2


def test_validate_does_not_import_the_renderers_libraries():
    code = ("import sys; from authoring.cli import app; import authoring.validate, authoring.render; "
            "print(sorted(m for m in ('mjml', 'premailer', 'cssutils') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def _sample_folder(tmp_path):
    import shutil

    from conftest import ISSUES

    folder = tmp_path / "issues"
    folder.mkdir()
    for name in ("0321.yaml", "publication.yaml"):
        shutil.copy(ISSUES / name, folder / name)
    shutil.copytree(ISSUES / "images", folder / "images")
    return folder


def test_the_rendered_folder_opens_with_its_images(tmp_path):
    folder, out = _sample_folder(tmp_path), tmp_path / "out"
    result = runner.invoke(app, ["render", str(folder / "0321.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "0321.html").read_text(encoding="utf-8")
    import re

    sources = set(re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', html))
    assert sources == {"images/logo.png", "images/chart.png", "images/robot-arm.png",
                       "images/course.png", "images/essay.png"}
    for src in sources:  # each resolves beside the HTML to the same bytes
        assert (out / src).read_bytes() == (folder / src).read_bytes()
    assert "5 images copied beside it" in result.stderr
    assert len(result.stdout.splitlines()) == 2  # stdout lists the HTML and the text, for scripts


def test_render_never_overwrites_an_image_it_did_not_write(tmp_path):
    folder, out = _sample_folder(tmp_path), tmp_path / "out"
    (out / "images").mkdir(parents=True)
    (out / "images" / "chart.png").write_bytes(b"the designer's own chart")
    result = runner.invoke(app, ["render", str(folder / "0321.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "images" / "chart.png").read_bytes() == b"the designer's own chart"
    assert (f"warning: image not copied: {out / 'images' / 'chart.png'}: a file the toolkit did not "
            "write is there: left alone") in result.stderr
    assert (out / "images" / "robot-arm.png").is_file()
