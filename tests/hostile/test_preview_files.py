"""Attack family: making the preview hand out a file other than the email's image.

Checking a path and then opening it is a race: a symlink swapped in between leaked a private
file 24 times in 20 s. The preview now opens without following any link and checks the open
descriptor (authoring/preview/servedfile.py); these shapes all get nothing.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import httpx
import pytest

from authoring.preview.servedfile import MAX_SERVED_BYTES, read_inside
from authoring.preview.server import running
from conftest import ISSUES

SECRET = b"top secret, outside the issue folder"
IMAGE = "images/robot-arm.png"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "images").mkdir()
    (site / IMAGE).write_bytes(b"\x89PNG real image")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return site


def test_a_regular_file_inside_is_read(folder: Path):
    assert read_inside(folder, IMAGE) == b"\x89PNG real image"


@pytest.mark.parametrize("shape", [
    "final link out", "final link inside", "folder link out", "folder link inside",
    "dot-dot", "absolute", "empty component", "fifo", "device", "a folder", "nul byte",
    "link as the root",
])
def test_no_link_and_nothing_but_a_regular_file_is_read(folder: Path, shape: str):
    secret = folder.parent / "secret.txt"
    path = IMAGE
    root = folder
    if shape == "final link out":
        (folder / IMAGE).unlink()
        (folder / IMAGE).symlink_to(secret)
    elif shape == "final link inside":  # even a link that stays inside: no link is followed
        (folder / "images" / "alias.png").symlink_to(folder / IMAGE)
        path = "images/alias.png"
    elif shape == "folder link out":
        shutil.rmtree(folder / "images")
        (folder / "images").symlink_to(folder.parent, target_is_directory=True)
        path = "images/secret.txt"
    elif shape == "folder link inside":
        (folder / "pics").symlink_to(folder / "images", target_is_directory=True)
        path = "pics/robot-arm.png"
    elif shape == "dot-dot":
        path = "images/../../secret.txt"
    elif shape == "absolute":
        path = str(secret)
    elif shape == "empty component":
        path = "images//robot-arm.png"
    elif shape == "fifo":  # O_NONBLOCK: opening a FIFO does not hang the server
        os.mkfifo(folder / "images" / "pipe.png")
        path = "images/pipe.png"
    elif shape == "device":
        (folder / "images" / "zero.png").symlink_to("/dev/zero")
        path = "images/zero.png"
    elif shape == "a folder":
        path = "images"
    elif shape == "nul byte":
        path = "images/robot-arm.png\0"
    elif shape == "link as the root":
        root = folder.parent / "linked-site"
        root.symlink_to(folder.parent, target_is_directory=True)
        path = "secret.txt"
    assert read_inside(root, path) is None


def test_a_file_over_the_limit_is_not_read(folder: Path):
    with (folder / "images" / "huge.png").open("wb") as handle:
        handle.truncate(MAX_SERVED_BYTES + 1)  # sparse: no real disk used
    assert read_inside(folder, "images/huge.png") is None


def test_a_symlink_swapped_in_while_serving_never_leaks(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ISSUES / "0321.yaml", site / "0321.yaml")
    shutil.copy(ISSUES / "publication.yaml", site / "publication.yaml")
    shutil.copytree(ISSUES / "images", site / "images")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    real = (site / IMAGE).read_bytes()
    (site / "images" / "real.tmp").write_bytes(real)
    with running(site / "0321.yaml") as server:
        url = f"{server.base()}/issue/0321.yaml/files/issue/{IMAGE}"
        token = {"Authorization": f"token {server.site.access_token}"}
        assert httpx.get(url, headers=token).content == real
        stop = threading.Event()
        swaps = 0

        def swap() -> None:
            nonlocal swaps
            link, copy = site / "images" / "link.tmp", site / "images" / "copy.tmp"
            while not stop.is_set():
                link.symlink_to(tmp_path / "secret.txt")
                os.replace(link, site / IMAGE)  # atomic: the name is always there
                shutil.copy(site / "images" / "real.tmp", copy)
                os.replace(copy, site / IMAGE)
                swaps += 1

        swapper = threading.Thread(target=swap)
        swapper.start()
        statuses: dict[int, int] = {}
        try:
            with httpx.Client(headers=token) as client:
                for _ in range(400):
                    response = client.get(url)
                    assert SECRET not in response.content
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        finally:
            stop.set()
            swapper.join()
        assert swaps > 10 and set(statuses) <= {200, 404} and statuses.get(200)
