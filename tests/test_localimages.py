"""Relative images and their files: found inside their folder only, copied beside a render
without ever replacing a file the toolkit did not write."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path, PurePosixPath

import pytest

from authoring import localimages
from authoring.localimages import LEDGER, LEDGER_LIMIT, Copied, LocalImage, collect, copy_beside
from authoring.paths import find, is_relative


@pytest.mark.parametrize(("src", "relative"), [
    ("images/a.png", True), ("a.png?v=2", True), ("./a.png", True),
    ("https://x.org/a.png", False), ("//x.org/a.png", False), ("/a.png", False),
    ("{{logo_url}}", False), ("data:image/png;base64,AA", False), ("", False), ("  ", False)])
def test_what_counts_as_a_relative_image(src, relative):
    assert is_relative(src) is relative


def test_found_inside_the_folder_only(tmp_path):
    folder = tmp_path / "issue"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a b.png").write_bytes(b"A")
    (tmp_path / "outside.png").write_bytes(b"O")
    (folder / "link.png").symlink_to(tmp_path / "outside.png")
    assert find("images/a%20b.png", [folder]) == (folder / "images" / "a b.png").resolve()
    assert find("images/a b.png?v=1#x", [folder]) == (folder / "images" / "a b.png").resolve()
    assert find("../outside.png", [folder]) is None
    assert find("link.png", [folder]) is None  # a link out of the folder is not the issue's file
    assert find("images", [folder]) is None  # a folder is not an image
    assert find("outside.png", [folder, tmp_path]) == (tmp_path / "outside.png").resolve()


def _resolved_the_slow_way(src: str, folder: Path) -> Path | None:
    """find as it was: every candidate resolved whole."""
    from authoring.paths import relative_path

    root = folder.resolve()
    try:
        candidate = (root / relative_path(src)).resolve()  # type: ignore[operator]
        candidate.relative_to(root)
    except (OSError, ValueError, RuntimeError):  # a loop of links, a path out of the folder
        return None
    return candidate if candidate.is_file() else None


def test_links_on_the_way_are_resolved_and_plain_paths_need_not_be(tmp_path):
    folder = tmp_path / "issue"
    (folder / "images" / "deep").mkdir(parents=True)
    (folder / "images" / "deep" / "a.png").write_bytes(b"A")
    (folder / "file.png").write_bytes(b"F")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.png").write_bytes(b"B")
    (folder / "inside.png").symlink_to(folder / "images" / "deep" / "a.png")  # a link that stays in
    (folder / "pictures").symlink_to(folder / "images")  # a linked folder that stays in
    (folder / "away").symlink_to(tmp_path / "elsewhere")  # a linked folder that leads out
    (folder / "images" / "loop.png").symlink_to(folder / "images" / "loop.png")
    cases = {"images/deep/a.png": folder / "images" / "deep" / "a.png",
             "inside.png": folder / "images" / "deep" / "a.png",
             "pictures/deep/a.png": folder / "images" / "deep" / "a.png",
             "away/b.png": None, "file.png/a.png": None, "images/deep": None, "images/none.png": None,
             "images/loop.png": None, "./images/deep/a.png": folder / "images" / "deep" / "a.png"}
    for src, expected in cases.items():
        found = find(src, [folder])
        assert found == (expected.resolve() if expected else None), src
        assert found == _resolved_the_slow_way(src, folder), src
    assert find("images/deep/a.png", [tmp_path / "issue" / "images" / ".."]) == cases["images/deep/a.png"]


def test_collect_splits_found_and_missing_each_once(tmp_path):
    (tmp_path / "a.png").write_bytes(b"A")
    found, missing = collect(["a.png", "b.png", "a.png", "https://x.org/c.png", " b.png "], [tmp_path])
    assert [i.src for i in found] == ["a.png"] and missing == ["b.png"]


def _image(folder: Path, name: str, data: bytes) -> LocalImage:
    file = folder / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    return LocalImage(src=name, path=PurePosixPath(name), file=file)


def test_copies_keep_their_relative_paths_and_are_recorded(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    images = [_image(src, "images/a.png", b"A"), _image(src, "logo.png", b"L")]
    result = copy_beside(images, out)
    assert result.refused == [] and result.copied == [out / "images" / "a.png", out / "logo.png"]
    assert (out / "images" / "a.png").read_bytes() == b"A"
    ledger = json.loads((out / LEDGER).read_text())
    assert set(ledger) == {"images/a.png", "logo.png"}
    # the source changed: our own copy is brought up to date
    (src / "images" / "a.png").write_bytes(b"A2")
    assert copy_beside(images, out).refused == []
    assert (out / "images" / "a.png").read_bytes() == b"A2"


def test_an_unchanged_copy_is_not_written_again_but_a_deleted_one_is(tmp_path):
    """Rendering again into the same folder writes neither the images it copied before (same
    bytes) nor the ledger: the files keep their inodes."""
    src, out = tmp_path / "src", tmp_path / "out"
    images = [_image(src, "images/a.png", b"A"), _image(src, "logo.png", b"L")]
    copy_beside(images, out)
    files = [out / "images" / "a.png", out / "logo.png", out / LEDGER]
    before = [os.stat(f).st_ino for f in files]
    result = copy_beside(images, out)
    assert result.refused == [] and result.copied == files[:2]
    assert [os.stat(f).st_ino for f in files] == before
    (out / "logo.png").unlink()
    assert copy_beside(images, out).copied == files[:2]
    assert (out / "logo.png").read_bytes() == b"L"
    assert os.stat(out / "images" / "a.png").st_ino == before[0]


def test_a_file_the_toolkit_did_not_write_is_never_replaced(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    (out / "images").mkdir(parents=True)
    (out / "images" / "a.png").write_bytes(b"theirs")
    result = copy_beside([_image(src, "images/a.png", b"A")], out)
    assert result.copied == [] and len(result.refused) == 1
    assert "a file the toolkit did not write is there: left alone" in result.refused[0]
    assert (out / "images" / "a.png").read_bytes() == b"theirs"


def test_a_copy_changed_since_is_left_alone(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    images = [_image(src, "a.png", b"A")]
    copy_beside(images, out)
    (out / "a.png").write_bytes(b"edited by hand")
    (src / "a.png").write_bytes(b"A2")
    result = copy_beside(images, out)
    assert "was changed since the toolkit copied it" in result.refused[0]
    assert (out / "a.png").read_bytes() == b"edited by hand"


def test_symbolic_links_in_the_output_are_not_followed(tmp_path):
    src, out, elsewhere = tmp_path / "src", tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "images").symlink_to(elsewhere)
    (out / "logo.png").symlink_to(elsewhere / "logo.png")
    result = copy_beside([_image(src, "images/a.png", b"A"), _image(src, "logo.png", b"L")], out)
    assert result.copied == [] and len(result.refused) == 2
    assert "not followed" in result.refused[0] and "symbolic link" in result.refused[1]
    assert list(elsewhere.iterdir()) == []


def _ledger_of(out: Path, data: bytes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "a.png").write_bytes(b"old")
    (out / LEDGER).write_bytes(data)


def test_a_ledger_proves_a_copy_ours_up_to_16_mib(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    entry = json.dumps({"a.png": hashlib.sha256(b"old").hexdigest()})
    _ledger_of(out, entry.encode())
    assert copy_beside([_image(src, "a.png", b"new")], out).refused == []
    assert (out / "a.png").read_bytes() == b"new"
    padded = entry[:-1] + ', "pad": "' + "x" * (LEDGER_LIMIT - len(entry) - 11) + '"}'
    for data, replaced in ((padded.encode(), True), (padded.encode() + b" ", False)):
        assert len(data) == LEDGER_LIMIT + (not replaced)
        _ledger_of(out, data)
        result = copy_beside([_image(src, "a.png", b"newer")], out)
        assert (out / "a.png").read_bytes() == (b"newer" if replaced else b"old"), len(data)
        assert (result.refused == []) is replaced


@pytest.mark.parametrize("planted", ["link", "pipe", "not json", "deep"])
def test_a_ledger_that_is_a_link_a_pipe_or_no_ledger_proves_nothing_and_never_hangs(tmp_path, planted):
    src, out = tmp_path / "src", tmp_path / "out"
    entry = json.dumps({"a.png": hashlib.sha256(b"old").hexdigest()})
    _ledger_of(out, b"")
    (out / LEDGER).unlink()
    if planted == "link":  # a ledger that would prove the copy ours, through a link
        (tmp_path / "elsewhere.json").write_text(entry)
        (out / LEDGER).symlink_to(tmp_path / "elsewhere.json")
    elif planted == "pipe":  # reading it would wait for a writer forever
        os.mkfifo(out / LEDGER)
    else:
        (out / LEDGER).write_text("{[" if planted == "not json" else "[" * 100_000)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(copy_beside([_image(src, "a.png", b"new")], out)),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "copying blocked on the ledger"
    result = done[0]
    assert isinstance(result, Copied) and "a file the toolkit did not write is there" in result.refused[0]
    assert (out / "a.png").read_bytes() == b"old"
    if planted == "link":
        assert (tmp_path / "elsewhere.json").read_text() == entry


def test_rendering_into_the_issues_own_folder_copies_nothing(tmp_path):
    image = _image(tmp_path, "images/a.png", b"A")
    result = copy_beside([image], tmp_path)
    assert result.copied == [tmp_path / "images" / "a.png"] and result.refused == []
    assert not (tmp_path / LEDGER).exists()


def test_parallel_copies_of_one_image_agree(tmp_path):
    """A folder render: every issue copies the logo at once; none sees another's copy as foreign."""
    src, out = tmp_path / "src", tmp_path / "out"
    image = _image(src, "logo.png", b"L" * 100_000)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(copy_beside([image], out)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.refused for r in results] == [[]] * 8
    assert (out / "logo.png").read_bytes() == b"L" * 100_000


def test_digest_for_the_manifest(tmp_path):
    image = _image(tmp_path, "a.png", b"abc")
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc"), FIPS 180-2
    assert localimages.digest(image) == (3, abc)


def test_an_unwritable_output_is_said_not_raised(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file where the folder should be")
    result = copy_beside([_image(tmp_path / "src", "a.png", b"A")], out)
    assert result.copied == [] and "cannot copy the images there" in result.refused[0]
    assert os.path.isfile(out)
