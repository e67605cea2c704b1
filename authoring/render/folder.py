"""Render every issue of a folder, on every core: ``authoring render FOLDER/ -o OUT/``.

Each issue is validated, rendered and written by a worker process; the parent only gets a
small ``Outcome`` back (sizes, counts, the diagnostics as text), never the HTML, so its memory
stays flat however many issues there are. A broken issue is one failed outcome: the rest still
render. Callable from Python:

    from authoring.render.folder import render_folder
    for outcome in render_folder("issues/archive", "out/archive"):
        print(outcome.source, outcome.error or "ok")
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
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
    return sorted(p for p in Path(folder).glob("*.yaml") if p.is_file() and p.name != PUBLICATION_FILE)


def render_folder(folder: str | Path, out_dir: str | Path, options: FolderOptions | None = None,
                  *, workers: int | None = None) -> Iterator[Outcome]:
    """Render every issue of ``folder`` into ``out_dir``; outcomes come in file order, as each is done.

    ``workers``: processes to use (default: every core); 1 renders in this process.
    """
    files = issue_files(folder)
    return render_files(files, out_dir, options, workers=workers)


def render_files(files: list[Path], out_dir: str | Path, options: FolderOptions | None = None,
                 *, workers: int | None = None) -> Iterator[Outcome]:
    """Render the given issue files into ``out_dir`` (see ``render_folder``)."""
    options = options or FolderOptions()
    out = Path(out_dir)
    workers = max(1, min(workers or os.cpu_count() or 1, len(files) or 1))
    if workers == 1:
        from authoring.validate import Publications

        batch = Publications()
        yield from (render_one(path, out, options, batch) for path in files)
    else:
        yield from _in_pool(files, out, options, workers)
    # Each output was renamed into place whole, without its own fsync (per file, the disk's
    # flushes were most of the time and ran one at a time): the whole batch goes to disk here.
    if hasattr(os, "sync"):
        os.sync()


_WORKER_BATCH: Publications | None = None
"""In a worker of the pool, the publication settings of the issues it renders (see
``validate.Publications``); the pool, and so this, lasts one ``render_files`` call."""


def _start_worker() -> None:
    global _WORKER_BATCH
    from authoring.validate import Publications

    _WORKER_BATCH = Publications()


def _in_pool(files: list[Path], out: Path, options: FolderOptions, workers: int) -> Iterator[Outcome]:
    # fork where there is one: the workers start with this process's modules already imported
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # chunks amortise the inter-process round trip; small enough that progress stays smooth
    chunk = max(1, min(16, len(files) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
        yield from pool.map(render_one, files, [out] * len(files), [options] * len(files),
                            chunksize=chunk)


def render_one(path: Path, out_dir: Path, options: FolderOptions,
               batch: Publications | None = None) -> Outcome:
    """Validate, render and write one issue; every failure becomes the outcome's ``error``.

    ``batch``: the publication settings of the issues rendered with it (a worker of the pool
    keeps its own). Each file is renamed into place whole but not synced: ``render_files``
    syncs the batch."""
    from authoring.diagnostics import AuthoringError
    from authoring.files import write_atomic
    from authoring.render import RenderOptions, render_file
    from authoring.validate import Publications

    if batch is None:  # alone (each call reads the settings afresh), or in a worker of the pool
        batch = _WORKER_BATCH if _WORKER_BATCH is not None else Publications()

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
    for name, content in outputs:
        target = out_dir / name
        data = content.encode("utf-8")
        try:
            write_atomic(target, data, sync=False)  # synced once for the batch
        except OSError as exc:
            outcome.error = f"cannot write {target}: {exc.strerror or exc}"
            return outcome
        outcome.written.append((target, len(data)))
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
