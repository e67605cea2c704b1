"""Attack family: killing the preview's render worker.

A killed worker breaks a ProcessPoolExecutor for good: every later save showed
``BrokenProcessPool`` until the preview was restarted. Now the next build starts a new worker.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import httpx

from authoring.files import write_atomic
from authoring.preview.server import PreviewServer, running
from conftest import ISSUES, wait_for


def state(server: PreviewServer) -> dict:
    return httpx.get(f"{server.base()}/issue/0321.yaml/state", timeout=60,
                     headers={"Authorization": f"token {server.site.access_token}"}).json()


def worker_pids(server: PreviewServer) -> list[int]:
    pool = server.site.isolated._pool  # type: ignore[union-attr]
    return list(getattr(pool, "_processes", {}) or {})


def test_a_killed_worker_is_replaced_on_the_next_save(tmp_path: Path):
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    shutil.copy(ISSUES / "publication.yaml", tmp_path / "publication.yaml")
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    issue = tmp_path / "0321.yaml"
    source = issue.read_text(encoding="utf-8")
    with running(issue) as server:
        assert state(server)["html"]
        for round_ in range(3):  # killed again and again: each next save still renders
            [pid] = worker_pids(server)
            pool = server.site.isolated._pool  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda pool=pool: pool._broken, timeout=30)  # the pool noticed: it is broken for good
            title = f"Data Centers Go Fission {round_}"
            write_atomic(issue, source.replace("Data Centers Go Nuclear", title).encode())
            now = wait_for(lambda title=title: title in ((s := state(server))["html"] or "") and s,
                           timeout=30)
            assert now["status"] != "errors", now["diagnostics"]
            assert not [d for d in now["diagnostics"] if d["code"] in ("render-crashed", "render-failed")]
            assert worker_pids(server) and worker_pids(server) != [pid]
