"""The user cache folder holds compiled templates, which a render runs (Jinja unpickles and
executes what it finds there), so a folder another user could have written is not used: the
render compiles its templates again, with the same output, and runs nothing of theirs."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic
from test_render_html import DEFAULT_PUBLICATION, render

from authoring import model, paths
from authoring.render import html as render_html

ISSUE = model.Issue(issue=model.IssueInfo(subject="s"), stories=[model.Header(title="News")])


class _Payload:
    """Unpickling it creates the marker file: what a planted cache entry would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache base folder ($XDG_CACHE_HOME), and the names a render writes in its
    ``authoring/jinja`` (learnt from a render into a throwaway base)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "learn"))
    render_html.reload_templates()
    expected = render(ISSUE)
    names = sorted(p.name for p in (tmp_path / "learn" / "authoring" / "jinja").iterdir())
    assert names, "the render wrote no compiled template to learn from"
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    render_html.reload_templates()
    yield base, names, expected
    render_html.reload_templates()


def _plant(folder: Path, names: list[str], marker: Path) -> None:
    """Every compiled template the render would read, written as a payload."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(bc_magic + pickle.dumps(_Payload(marker)))


def _renders_without_the_cache(expected: str, marker: Path) -> None:
    render_html.reload_templates()
    assert render_html.environment(None).bytecode_cache is None
    assert render(ISSUE) == expected
    assert not marker.exists()


def test_the_planted_payload_runs_where_the_cache_is_trusted(cache, tmp_path):
    """The payload is live (so the refusals below are what keeps it from running): planted in
    a folder that passes every check, a render runs it."""
    base, names, expected = cache
    marker = tmp_path / "PWNED"
    folder = base / "authoring" / "jinja"
    _plant(folder, names, marker)
    folder.chmod(0o700)
    render_html.reload_templates()
    assert paths.user_cache_folder("jinja") == folder
    assert render(ISSUE) == expected  # what it unpickled is no checksum: compiled again
    assert marker.exists()


@pytest.mark.parametrize("mode", [0o777, 0o707, 0o1777])
def test_a_cache_folder_others_can_write_is_not_used(cache, tmp_path, mode):
    base, names, expected = cache
    marker = tmp_path / "PWNED"
    folder = base / "authoring" / "jinja"
    _plant(folder, names, marker)
    folder.chmod(mode)
    _renders_without_the_cache(expected, marker)


def test_a_cache_folder_of_another_user_is_not_used(cache, tmp_path):
    if os.getuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    base, names, expected = cache
    marker = tmp_path / "PWNED"
    folder = base / "authoring" / "jinja"
    _plant(folder, names, marker)
    folder.chmod(0o700)
    os.chown(folder, 4242, 4242)
    _renders_without_the_cache(expected, marker)


@pytest.mark.parametrize("link", ["authoring", "authoring/jinja"])
def test_a_symbolic_link_in_the_cache_path_is_not_followed(cache, tmp_path, link):
    """Another user's folder linked in where the toolkit would make its own: even a folder that
    looks right (0700) is not used through the link."""
    base, names, expected = cache
    marker = tmp_path / "PWNED"
    theirs = tmp_path / "theirs"
    _plant(theirs / "jinja" if link == "authoring" else theirs, names, marker)
    for folder in (theirs, theirs / "jinja"):
        if folder.exists():
            folder.chmod(0o700)
    (base / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(theirs, base / link)
    _renders_without_the_cache(expected, marker)


def test_a_base_folder_others_can_write_is_not_used_unless_it_is_sticky(cache, tmp_path):
    """Without the sticky bit, another user could rename ``authoring`` away and put theirs in
    its place after the check; with it (as /tmp), they cannot."""
    base, _names, expected = cache
    base.chmod(0o777)
    _renders_without_the_cache(expected, tmp_path / "PWNED")
    base.chmod(0o1777)
    render_html.reload_templates()
    assert render_html.environment(None).bytecode_cache is not None
    assert render(ISSUE) == expected


@pytest.mark.parametrize("damage", [b"", b"garbage", bc_magic, bc_magic + b"\x80\x04truncated"])
def test_a_damaged_cache_entry_is_compiled_again(cache, damage):
    base, _names, expected = cache
    render(ISSUE)  # the cache written
    written = sorted((base / "authoring" / "jinja").iterdir())
    assert written
    for entry in written:
        entry.write_bytes(damage)
    render_html.reload_templates()
    assert render(ISSUE) == expected


def test_a_changed_template_is_compiled_again_not_taken_from_the_cache(cache, tmp_path):
    """Entries are keyed by the template's source (its checksum): an edit is never served stale."""
    folder = tmp_path / "t" / "email"
    folder.mkdir(parents=True)
    publication = replace(DEFAULT_PUBLICATION, templates=str(tmp_path / "t"))
    for title in ("first", "second"):
        (folder / "header.mjml.j2").write_text(f"<mj-text><h2>{title} {{{{ story.title }}}}</h2></mj-text>\n")
        render_html.reload_templates()  # as a new process would: the compiled code from the cache
        assert f"{title} News" in render(ISSUE, publication)
