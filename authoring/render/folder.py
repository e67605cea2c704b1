"""Render every issue of a folder, on every core: ``authoring render FOLDER/ -o OUT/``.

Each issue is validated, rendered and written by a worker process; the parent only gets a
small ``Outcome`` back (sizes, counts, the diagnostics as text), never the HTML, so its memory
stays flat however many issues there are. A broken issue is one failed outcome: the rest still
render, even when it kills the process rendering it (see ``_in_pool``). Callable from Python:

    from authoring.render.folder import render_folder
    for outcome in render_folder("issues/archive", "out/archive"):
        print(outcome.source, outcome.error or "ok")
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import stat
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from authoring.files import RenderRecord
    from authoring.validate import Publications, Validated

PUBLICATION_FILE = "publication.yaml"


@dataclass(frozen=True)
class FolderOptions:
    """What every issue of the folder is rendered with (plain data: it goes to the workers)."""

    mode: Literal["email", "web"] = "email"
    inliner: str | None = None
    publication_file: Path | None = None
    mjml: bool = False
    """Also write the intermediate ``<stem>.mjml``."""


@dataclass
class Outcome:
    """What became of one issue file."""

    source: Path
    written: list[tuple[Path, int]] = field(default_factory=list)
    """(output path, bytes) of each file written."""
    warnings: int = 0
    """Validation warnings and render warnings (size, CSS)."""
    diagnostics: str = ""
    """The validation report and render warnings as text, ready to print."""
    error: str | None = None
    """Why nothing was written for this issue; None when it rendered."""

    @property
    def ok(self) -> bool:
        return self.error is None


def issue_files(folder: str | Path) -> list[Path]:
    """The issue files of a folder (``*.yaml`` but the publication's settings), sorted by name."""
    return scan(folder)[0]


def scan(folder: str | Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The issue files of a folder, and the ``*.yaml`` entries that are no file to read (a FIFO,
    a device, a folder, a dangling link) with what each is; both sorted by name."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name == PUBLICATION_FILE:
            continue
        what = _not_a_file(path)
        if what is None:
            found.append(path)
        else:
            skipped.append((path, what))
    return found, skipped


def _not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (through a link), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


POOL_BYTES_PER_WORKER = 200_000
"""YAML a worker of the pool needs to pay for its start. Measured on 2 cores: two workers added
0.18-0.20 s of CPU (forking, importing the renderer) to a folder of 2, 8 or 32 issues, and an
issue renders in about 1 ms of CPU per KB of YAML: with 200 KB each, a worker renders about
twice what it cost to start it."""


@dataclass(frozen=True)
class Workers:
    """How many processes render a folder, and why (``authoring render FOLDER`` says it)."""

    count: int
    cores: int
    """The cores this process may run on."""
    load: float
    """The machine's load average over the last minute: cores other work keeps busy."""
    reason: str = ""
    """Why one process when the pool was not forced: too little work, or no free core."""
    forced: bool = False
    """Asked for (``--jobs N``)."""

    def describe(self, issues: int) -> str:
        """``rendering 200 issues with 2 workers (2 cores, load 0.3)``."""
        how = "in one process" if self.count == 1 else f"with {self.count} workers"
        why = (f"--jobs {self.count}" if self.forced
               else f"{self.cores} core{'s' if self.cores != 1 else ''}, load {self.load:.1f}"
               + (f": {self.reason}" if self.reason else ""))
        return f"rendering {issues} issue{'s' if issues != 1 else ''} {how} ({why})"


def plan_workers(issues: int, size: int, *, cores: int, load: float, jobs: int | None = None) -> Workers:
    """The processes for ``issues`` issue files of ``size`` bytes in all: ``jobs`` when given (at
    most one an issue), else one a free core (``cores`` less the ``load`` average, a core counted
    free when less than half of it is busy), one a POOL_BYTES_PER_WORKER of YAML, and one process
    alone when that makes fewer than two: a pool that would not pay for its start is no faster."""
    if jobs:
        return Workers(max(1, min(jobs, issues)), cores, load, forced=True)
    free = max(0, math.floor(cores - load + 0.5))
    fed = size // POOL_BYTES_PER_WORKER
    count = max(1, min(free, fed, issues))
    reason = ""
    if count == 1:
        reason = ("no second core free" if free < 2 else
                  f"{size // 1000} KB of YAML, too little to share" if fed < 2 else "one issue")
    return Workers(count, cores, load, reason)


def machine() -> tuple[int, float]:
    """The cores this process may use and the load average of the last minute (0 where unknown)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return cores, load


def choose_workers(files: list[Path], jobs: int | None = None) -> Workers:
    """plan_workers for these files on this machine, now."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):  # its render says what is wrong with it
            size += path.stat().st_size
    cores, load = machine()
    return plan_workers(len(files), size, cores=cores, load=load, jobs=jobs)


def render_folder(folder: str | Path, out_dir: str | Path, options: FolderOptions | None = None,
                  *, workers: int | None = None) -> Iterator[Outcome]:
    """Render every issue of ``folder`` into ``out_dir``; outcomes come in file order, as each is done.

    ``workers``: processes to use (default: ``choose_workers``); 1 renders in this process.
    """
    files = issue_files(folder)
    return render_files(files, out_dir, options, workers=workers)


def render_files(files: list[Path], out_dir: str | Path, options: FolderOptions | None = None,
                 *, workers: int | None = None) -> Iterator[Outcome]:
    """Render the given issue files into ``out_dir`` (see ``render_folder``)."""
    options = options or FolderOptions()
    out = Path(out_dir)
    workers = max(1, min(workers or choose_workers(files).count, len(files) or 1))
    if workers == 1:
        from authoring.files import RenderRecord
        from authoring.validate import Publications

        batch, record = Publications(), RenderRecord()
        yield from (render_one(path, out, options, batch, record) for path in files)
    else:
        yield from _in_pool(files, out, options, workers)
    # Each output was renamed into place whole, without its own fsync (per file, the disk's
    # flushes were most of the time and ran one at a time): the whole batch goes to disk here.
    if hasattr(os, "sync"):
        os.sync()


_WORKER_BATCH: Publications | None = None
"""In a worker of the pool, the publication settings of the issues it renders (see
``validate.Publications``); the pool, and so this, lasts one ``render_files`` call."""
_WORKER_RECORD: RenderRecord | None = None
"""In a worker of the pool, the output folder's render record as it knows it (see
``files.RenderRecord``), for the same call."""


def _start_worker() -> None:
    global _WORKER_BATCH, _WORKER_RECORD
    from authoring.files import RenderRecord
    from authoring.validate import Publications

    _WORKER_BATCH, _WORKER_RECORD = Publications(), RenderRecord()


def _in_pool(files: list[Path], out: Path, options: FolderOptions, workers: int) -> Iterator[Outcome]:
    """Outcomes in file order from a pool of ``workers`` processes.

    A worker that dies (SIGKILL, the out-of-memory killer) breaks its pool for good. The
    issues then in flight are each rendered again alone, in a process of their own: one that
    kills that process too is the culprit and fails with a reason; the rest go on in a fresh
    pool. At most ``2 * workers`` issues are in flight, so few are suspects.
    """
    done: dict[int, Outcome] = {}
    waiting = deque(range(len(files)))
    next_out = 0
    while next_out < len(files):
        in_flight: dict[Future[Outcome], int] = {}
        broken = False
        with _pool(workers) as pool:
            while (waiting or in_flight) and not broken:
                while waiting and len(in_flight) < 2 * workers:
                    index = waiting.popleft()
                    in_flight[pool.submit(render_one, files[index], out, options)] = index
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    error = future.exception()
                    if error is None:
                        done[in_flight.pop(future)] = future.result()
                    elif isinstance(error, BrokenProcessPool):
                        broken = True
                    else:
                        raise error  # render_one turns every error of an issue into its outcome
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        for future, index in sorted(in_flight.items(), key=lambda item: item[1]):  # when broken
            ok = future.done() and future.exception() is None
            done[index] = future.result() if ok else _alone(files[index], out, options)
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1


def _alone(path: Path, out: Path, options: FolderOptions) -> Outcome:
    """Render one issue in a process of its own; its death fails only this issue."""
    with _pool(1) as pool:
        try:
            return pool.submit(render_one, path, out, options).result()
        except BrokenProcessPool:
            return Outcome(source=path, error="the process rendering it died (killed by a signal, "
                                              "or out of memory); the other issues went on")


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork where there is one: the workers start with this process's modules already imported
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)


def render_one(path: Path, out_dir: Path, options: FolderOptions,
               batch: Publications | None = None, record: RenderRecord | None = None) -> Outcome:
    """Validate, render and write one issue; every failure becomes the outcome's ``error``.

    ``batch``: the publication settings of the issues rendered with it; ``record``: the output
    folder's render record as the batch knows it (a worker of the pool keeps its own of both).
    Each file is renamed into place whole but not synced: ``render_files`` syncs the batch."""
    from authoring.diagnostics import AuthoringError
    from authoring.files import OutputRefused, write_owned
    from authoring.render import RenderOptions, render_file
    from authoring.validate import Publications

    if batch is None:  # alone (each call reads the settings afresh), or in a worker of the pool
        batch = _WORKER_BATCH if _WORKER_BATCH is not None else Publications()
    if record is None:
        record = _WORKER_RECORD

    outcome = Outcome(source=path)
    try:
        validated, rendered = render_file(path, options=RenderOptions(mode=options.mode,
                                                                      inliner=options.inliner),
                                          publication_file=options.publication_file, publications=batch)
    except AuthoringError as exc:
        outcome.error = str(exc)
        outcome.diagnostics = "\n".join(r.format_text() for r in exc.reports if r.diagnostics)
        return outcome
    except Exception as exc:  # a bug must not stop the other issues: say which file hit it
        outcome.error = f"internal error: {type(exc).__name__}: {exc}"
        return outcome
    texts = [validated.report.format_text()] if validated.report.diagnostics else []
    texts += [f"{path}: warning: {warning}" for warning in rendered.warnings]
    outcome.diagnostics = "\n".join(texts)
    outcome.warnings = len(validated.report.warnings) + len(rendered.warnings)
    page = f"{path.stem}.web" if options.mode == "web" else path.stem  # as `render --web` names it
    outputs = [(f"{page}.html", rendered.html), (f"{path.stem}.txt", rendered.text)]
    if options.mjml:
        outputs.append((f"{page}.mjml", rendered.mjml))
    files = {name: content.encode("utf-8") for name, content in outputs}
    try:
        write_owned(out_dir, files, sync=False, record=record)  # synced once for the batch
    except OutputRefused as exc:
        outcome.error = str(exc)
        return outcome
    except OSError as exc:
        outcome.error = f"cannot write into {out_dir}: {exc.filename or out_dir}: {exc.strerror or exc}"
        return outcome
    outcome.written = [(out_dir / name, len(data)) for name, data in files.items()]
    _copy_images(validated, path, out_dir, outcome)
    return outcome


def _copy_images(validated: Validated, path: Path, out_dir: Path, outcome: Outcome) -> None:
    """The issue's local images beside its HTML (see ``localimages.copy_beside``)."""
    from authoring import localimages

    copied = localimages.copy_issue_images(validated.built_issue, validated.publication, path,
                                           validated.publication_file, out_dir)
    if copied.refused:
        outcome.warnings += len(copied.refused)
        outcome.diagnostics = "\n".join(filter(None, [outcome.diagnostics] + [
            f"{path}: warning: image not copied: {refusal}" for refusal in copied.refused]))
