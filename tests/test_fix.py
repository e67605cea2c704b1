"""`authoring fix`: straight quotes made curly where the check flags them, every other byte kept."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.diagnostics import AuthoringError
from authoring.fix import curly, fix_file, fix_text
from authoring.validate import validate_file, validate_text
from conftest import ISSUES, tracked

runner = CliRunner()

BEFORE = """\
# a comment with 'straight' "quotes" stays as it is
issue:
  number: 1
  subject: "It's \\"big\\" news"   # trailing comment
  preheader: 'Don''t miss it'
letter:
  body: |
    I'd say 'hello' to "everyone". Keep `x = 'y'` and https://x.org/a'b as they are.

    - **It's:** "quoted" text
stories:
  - news:
      headline: Robots' new "tricks"
      sections:
        - What’s new: It's plain, and 'tis the season for '90s hits.
"""
AFTER = """\
# a comment with 'straight' "quotes" stays as it is
issue:
  number: 1
  subject: "It’s “big” news"   # trailing comment
  preheader: 'Don’t miss it'
letter:
  body: |
    I’d say ‘hello’ to “everyone”. Keep `x = 'y'` and https://x.org/a'b as they are.

    - **It’s:** “quoted” text
stories:
  - news:
      headline: Robots' new “tricks”
      sections:
        - What’s new: It’s plain, and ’tis the season for ’90s hits.
"""


def test_fix_makes_the_flagged_quotes_curly_and_keeps_every_other_byte():
    fixed = fix_text(BEFORE)
    assert fixed.new == AFTER
    assert len(fixed.edits) == 17
    # what the check flagged is gone; the same text otherwise
    assert [d for d in validate_text(fixed.new).report.diagnostics if d.code == "straight-quotes"] == []
    assert validate_text(fixed.new).issue.letter.body == validate_text(BEFORE).issue.letter.body \
        .replace("I'd", "I’d").replace("'hello'", "‘hello’").replace('"everyone"', "“everyone”") \
        .replace("**It's:**", "**It’s:**").replace('"quoted"', "“quoted”")


def test_a_file_with_nothing_to_fix_is_left_as_it_is(tmp_path):
    path = tmp_path / "0321.yaml"
    shutil.copy(ISSUES / "0321.yaml", path)
    before = path.stat()
    fixed = fix_file(path)
    assert fixed.edits == [] and fixed.new == fixed.old
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_ino == before.st_ino


def test_crlf_line_endings_and_a_byte_order_mark_are_kept(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BEFORE.replace("\n", "\r\n").encode("utf-8"))
    fix_file(path)
    assert path.read_bytes() == b"\xef\xbb\xbf" + AFTER.replace("\n", "\r\n").encode("utf-8")


def test_fix_writes_atomically_and_keeps_the_mode(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    os.chmod(path, 0o640)
    result = runner.invoke(app, ["fix", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{path}: fixed 17 quotes\n"
    assert path.read_text(encoding="utf-8") == AFTER
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]  # no temporary file left


def test_check_shows_a_diff_and_writes_nothing(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    result = runner.invoke(app, ["fix", "--check", str(path)])
    assert result.exit_code == 1
    assert f"--- a/{path}\n+++ b/{path}\n" in result.stdout
    assert '-  subject: "It\'s \\"big\\" news"   # trailing comment\n' in result.stdout
    assert '+  subject: "It’s “big” news"   # trailing comment\n' in result.stdout
    assert path.read_text(encoding="utf-8") == BEFORE
    path.write_text(AFTER, encoding="utf-8")
    result = runner.invoke(app, ["fix", "--check", str(path)])
    assert result.exit_code == 0 and result.stdout == ""


def test_a_symlink_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text(BEFORE, encoding="utf-8")
    link = tmp_path / "link.yaml"
    os.symlink(target, link)
    with pytest.raises(AuthoringError, match="is a symbolic link"):
        fix_file(link)
    assert target.read_text(encoding="utf-8") == BEFORE and link.is_symlink()


def test_a_hard_linked_file_is_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    os.link(path, tmp_path / "other.yaml")
    with pytest.raises(AuthoringError, match="1 other hard link"):
        fix_file(path)
    assert path.read_text(encoding="utf-8") == BEFORE


def test_a_folder_a_fifo_and_a_missing_file_are_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    for path, reason in [(tmp_path, "not a regular file"), (tmp_path / "pipe.yaml", "not a regular file"),
                         (tmp_path / "none.yaml", "no such file")]:
        with pytest.raises(AuthoringError, match=reason):
            fix_file(path)


def test_another_users_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "x.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    with pytest.raises(AuthoringError, match="belongs to another user"):
        fix_file(path)


def test_a_file_changed_while_fixing_is_not_overwritten(tmp_path, monkeypatch):
    import authoring.fix as fix_module

    path = tmp_path / "x.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    real_fix_text = fix_module.fix_text

    def edit_meanwhile(text, file):
        fixed = real_fix_text(text, file)
        path.write_text(BEFORE + "# the editor saved this meanwhile\n", encoding="utf-8")
        return fixed

    monkeypatch.setattr(fix_module, "fix_text", edit_meanwhile)
    with pytest.raises(AuthoringError, match="changed while it was being fixed"):
        fix_file(path)
    assert path.read_text(encoding="utf-8").endswith("# the editor saved this meanwhile\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


def test_a_broken_file_is_refused_with_its_errors(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("issue: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["fix", str(path)])
    assert result.exit_code == 1
    assert "yaml-syntax" in result.stderr and "nothing fixed" in result.stderr
    assert path.read_text(encoding="utf-8") == "issue: [unclosed\n"


@pytest.mark.parametrize(("prose", "expected"), [
    ("it's", "it’s"), ("'tis", "’tis"), ("'hello' there", "‘hello’ there"), ('"hi"', "“hi”"),
    ('say "hi."', "say “hi.”"), ("the '90s", "the ’90s"),
])
def test_curly_chooses_the_right_quote(prose, expected):
    from authoring.checks import straight_quotes

    replaced = dict(curly(prose, straight_quotes(prose)))
    assert "".join(replaced.get(i, c) for i, c in enumerate(prose)) == expected


def test_every_sample_is_a_fixed_point_or_only_gains_curly_quotes(tmp_path):
    for sample in tracked(ISSUES, "0*.yaml"):
        text = sample.read_text(encoding="utf-8")
        fixed = fix_text(text, str(sample))
        # only quote characters change, one for one or two (an escape) for one
        assert len(fixed.new) <= len(text)
        assert fixed.new.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"') \
            .count("\n") == text.count("\n")
        path = tmp_path / sample.name
        path.write_text(fixed.new, encoding="utf-8")
        assert [d for d in validate_file(path).report.diagnostics if d.code == "straight-quotes"] == []
