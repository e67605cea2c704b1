"""Builds in a worker process, so that a crash of the MJML compiler cannot end the preview.

MRML is native code: input it cannot handle has ended the whole process with a segmentation
fault (exit 139), and the preview with it, silently. Here each build runs in one long-lived
worker process (warm: the renderer is imported once); when the worker dies, the build becomes
an error shown in the page and the next build starts a fresh worker (also when the worker
was killed between builds).
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from authoring import codes
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.preview.builder import Build, BuildFn, CheckFn, deferred_check, preview_build

BUILD_TIMEOUT_S = 60.0
"""A build that takes longer is stuck: the worker is replaced and the build reported."""


def _warm_up() -> None:
    import authoring.render  # noqa: F401 — the first build should not pay for the import


def _reload_templates() -> None:
    from authoring.render.html import reload_templates

    reload_templates()


class IsolatedBuild:
    """A BuildFn that runs ``build`` in a worker process (``build`` must be picklable), and
    ``check`` after it (a build that leaves its check pending: ``preview_build``)."""

    def __init__(self, build: BuildFn = preview_build, check: CheckFn = deferred_check):
        self._build = build
        self._check = check
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the server has threads running, which fork would copy mid-state
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_warm_up)
            return self._pool

    def start(self) -> IsolatedBuild:
        self._executor().submit(_warm_up)
        return self

    def __call__(self, issue_path: Path, files_url: str) -> Build:
        # A worker that died between builds (killed, out of memory) leaves the pool broken for
        # good: every later submit would fail. Such a build gets one fresh worker; only a build
        # that breaks its own fresh worker too is the input's crash.
        for fresh in (False, True):
            pool = self._executor()
            try:
                return pool.submit(self._build, issue_path, files_url).result(timeout=BUILD_TIMEOUT_S)
            except BrokenProcessPool:
                self._replace(kill=True, only=pool)
                if fresh:
                    raise _crashed(issue_path, "the renderer crashed (its process ended abruptly, "
                                   "for example on a segmentation fault)") from None
            except TimeoutError:
                self._replace(kill=True, only=pool)
                raise _crashed(issue_path, f"rendering took over {BUILD_TIMEOUT_S:g} s and was "
                               "stopped") from None
        raise AssertionError("unreachable")

    def check(self, issue_path: Path) -> dict | None:
        """The check the last build left pending, made in the worker that holds its draft; None
        when the worker dies or hangs on it (replaced: the next build gets a fresh one)."""
        pool = self._executor()
        try:
            return pool.submit(self._check, issue_path).result(timeout=BUILD_TIMEOUT_S)
        except (BrokenProcessPool, TimeoutError):
            self._replace(kill=True, only=pool)
            return None

    def reload_templates(self) -> None:
        """Read the templates again in the worker (a new override file needs a new environment)."""
        try:
            self._executor().submit(_reload_templates).result(timeout=BUILD_TIMEOUT_S)
        except (BrokenProcessPool, TimeoutError):
            self._replace(kill=True)

    def _replace(self, kill: bool = False, only: ProcessPoolExecutor | None = None) -> None:
        """Drop the pool (``only``: if it is still that one; another build may have replaced
        it already, and its fresh worker must live)."""
        with self._lock:
            if only is not None and self._pool is not only:
                return
            pool, self._pool = self._pool, None
        if pool is not None:
            if kill:
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()  # a stuck or dying worker: it gets no say
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._replace(kill=True)


def _crashed(issue_path: Path, message: str) -> AuthoringError:
    diagnostic = Diagnostic(code=codes.RENDER_CRASHED, severity=Severity.ERROR, file=str(issue_path),
                            message=message,
                            hint="the last good render stays visible; undo the last edit, and "
                                 "report the input that did this")
    return AuthoringError(message, [Report(file=str(issue_path), diagnostics=[diagnostic])])
