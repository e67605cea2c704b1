"""Export: the send-ready files of one issue, written as a set or not at all.

``export_issue`` builds the issue as it will go out and runs the pre-send check once
(``authoring.check.send_ready``: the pre-send rules and the check's fast parts, every blocker
listed in one refusal), then writes ``<stem>.html``, ``<stem>.txt``, ``<stem>.eml``,
``<stem>.web.html`` and ``manifest.json``. The email files use CRLF line endings, email's
canonical form, so the ``.eml`` goes on the wire byte for byte and its parts decode to exactly
the ``.html`` and ``.txt`` files. Exports are deterministic: the same issue gives the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from authoring import links
from authoring.check import send_ready
from authoring.diagnostics import AuthoringError, Diagnostic, Report
from authoring.files import OutputRefused, write_all_atomic
from authoring.outgoing import MANIFEST, Export

__all__ = ["Export", "ExportResult", "ExportedFile", "build_export", "export_issue"]

build_export = send_ready
"""The issue as export would write it, in memory, or AuthoringError with every blocker."""


@dataclass
class ExportedFile:
    name: str
    size: int
    sha256: str


@dataclass
class ExportResult:
    out_dir: Path
    files: list[ExportedFile]
    """What was written, manifest included."""
    manifest: dict
    reports: list[Report]
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for report in self.reports for d in report.sorted() if not d.is_error]

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f.name for f in self.files]


# ---------------------------------------------------------------- writing


def export_issue(path: str | Path, out_dir: str | Path, *, strict: bool = False,
                 check_links: bool = False, publication_file: Path | None = None,
                 link_check: Callable[[list[str]], links.LinkCheck] = links.check_links,
                 inliner: str | None = None) -> ExportResult:
    """Build the export, refuse it on the pre-send check's errors, and write its files to
    ``out_dir`` as one atomic set."""
    export = send_ready(path, strict=strict, check_links=check_links, publication_file=publication_file,
                        link_check=link_check, inliner=inliner)
    files = export.files()
    out_dir = Path(out_dir)
    try:
        write_all_atomic(out_dir, files, protected=_protected_folders(export))
    except OutputRefused as exc:
        raise AuthoringError(f"{exc}; nothing was changed") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = exc.filename or out_dir
        raise AuthoringError(f"cannot write the export to {out_dir}: {where}: {reason}; "
                             "nothing was changed") from exc
    manifest = json.loads(files[MANIFEST])
    written = [ExportedFile(name, len(data), hashlib.sha256(data).hexdigest())
               for name, data in files.items()]
    return ExportResult(out_dir=out_dir, files=written, manifest=manifest, reports=export.reports,
                        notes=export.notes)


def _protected_folders(export: Export) -> dict[str, Path]:
    """Folders an export must never replace (nor any folder above them): what the user is
    working in, and where the issue and its publication live."""
    folders = {"the issue's folder": export.source.parent}
    with contextlib.suppress(OSError):  # the current folder was removed
        folders["the current folder"] = Path.cwd()
    with contextlib.suppress(RuntimeError):  # no home folder known (no HOME, no passwd entry)
        folders["your home folder"] = Path.home()
    if export.publication_file is not None:
        folders["the publication's folder"] = export.publication_file.parent
    return folders
