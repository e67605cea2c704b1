"""Rebuild-on-change state for one issue: the last attempt, the last good render, an epoch.

Like mkdocs' livereload: a build callback, the paths it depends on, and an epoch
counter the browser waits on. A failed build never replaces the last good render;
it only adds its diagnostics, so a broken draft keeps the previous email visible.
Builds run once per change (the watcher calls ``rebuild``); requests only read.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from authoring import codes, paths
from authoring.diagnostics import AuthoringError, Diagnostic, Severity

if TYPE_CHECKING:
    from authoring.validate import Validated

log = logging.getLogger(__name__)


@dataclass
class Build:
    """The outcome of one build attempt."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    html: str | None = None
    """The email HTML; None when the build failed (errors, crash)."""
    text: str | None = None
    """The plain-text alternative."""
    subject: str | None = None
    watched: tuple[Path, ...] = ()
    """Files this build read: a change to any of them means rebuild."""
    watched_trees: tuple[Path, ...] = ()
    """Folders (templates) whose every file this build may have read."""
    roots: dict[str, Path] = field(default_factory=dict)
    """Folders the email's relative images are looked up in, by name (``issue``, ``publication``)."""
    served: frozenset[tuple[str, str]] = frozenset()
    """(root, path) of each image this email shows: the only files the preview serves."""
    check: dict | None = None
    """The pre-send check's fast parts (``authoring check``) as JSON, each finding with an
    ``editor_url``; None when the draft does not render."""
    check_pending: bool = False
    """The check comes after the page is updated (``Builder.finish_check``); until then
    ``check`` is the one of the build before."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.html is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def status(self) -> str:
        """valid / warnings / errors: what the folder index shows."""
        if self.errors or not self.ok:
            return "errors"
        return "warnings" if self.diagnostics else "valid"



BuildFn = Callable[[Path, str], Build]
"""``build(issue_path, files_url)``: files_url is the URL prefix that serves the issue's files
(its query, if any, is appended after each file's path)."""
CheckFn = Callable[[Path], "dict | None"]
"""``check(issue_path)``: the pre-send check of the build just made with ``check_pending``."""


@dataclass(frozen=True)
class Snapshot:
    """A builder's state, replaced as a whole so that readers in other threads never see half of it."""

    epoch: int = 0
    """Counts finished builds; the browser asks for anything newer than what it has."""
    current: Build | None = None
    last_good: Build | None = None
    last_good_epoch: int = 0


class Builder:
    """One issue's preview: rebuilt by the watcher (in a worker thread), read by every request."""

    def __init__(self, issue_path: Path, files_url: str, build: BuildFn | None = None,
                 check: CheckFn | None = None):
        self.issue_path = issue_path
        self.files_url = files_url
        self._build = build or default_build
        self._check: CheckFn = check or getattr(build, "check", None) or deferred_check
        """What completes a build made with ``check_pending``."""
        self._lock = threading.RLock()
        """Held while building: one build at a time per issue."""
        self.snapshot = Snapshot()
        self._state_json: tuple[Snapshot, str] | None = None

    @property
    def epoch(self) -> int:
        return self.snapshot.epoch

    @property
    def current(self) -> Build | None:
        return self.snapshot.current

    @property
    def last_good(self) -> Build | None:
        return self.snapshot.last_good

    @property
    def built(self) -> bool:
        return self.snapshot.current is not None

    def rebuild(self) -> Build:
        """Build now (blocking; call from a worker thread). Never raises."""
        with self._lock:
            before = self.snapshot
            started = time.perf_counter()
            try:
                result = self._build(self.issue_path, self.files_url)
            except Exception as exc:  # the server must outlive any bad draft or template
                previous = before.current
                result = Build(diagnostics=crash_diagnostics(exc, self.issue_path),
                               watched=previous.watched if previous else (self.issue_path.resolve(),),
                               watched_trees=previous.watched_trees if previous else (),
                               roots=previous.roots if previous else {})
            result.seconds = time.perf_counter() - started
            if result.check_pending:  # the last check stays in view until its successor is made
                result.check = before.current.check if before.current is not None else None
            epoch = before.epoch + 1
            if result.ok:
                self.snapshot = Snapshot(epoch, result, result, epoch)
            else:
                self.snapshot = Snapshot(epoch, result, before.last_good, before.last_good_epoch)
            return result

    def finish_check(self) -> None:
        """Make the check the current build left pending (blocking; call from a worker thread),
        as a new epoch of the same render: the page updates its check, not its email."""
        with self._lock:
            before = self.snapshot
            current = before.current
            if current is None or not current.check_pending:
                return
            try:
                check = self._check(self.issue_path)
            except Exception:  # the page already shows this build; the check is a bonus
                log.warning("the pre-send check of %s failed", self.issue_path, exc_info=True)
                check = None
            done = replace(current, check=check, check_pending=False)
            last_good = done if before.last_good is current else before.last_good
            self.snapshot = Snapshot(before.epoch + 1, done, last_good, before.last_good_epoch)

    def ensure_built(self) -> Build:
        """The current build, building first if nobody has yet (blocking); its check made."""
        with self._lock:
            if self.snapshot.current is None:
                self.rebuild()
                self.finish_check()
            current = self.snapshot.current
            assert current is not None
            return current

    def depends_on(self, changed: set[Path]) -> bool:
        """Whether any changed path is one this issue's last build read."""
        build = self.current
        if build is None:
            return False
        for path in changed:
            if path in build.watched:
                return True
            if any(path.is_relative_to(tree) for tree in build.watched_trees):
                return True
        return False

    def templates_changed(self, changed: set[Path]) -> bool:
        build = self.current
        return build is not None and any(
            path.is_relative_to(tree) for path in changed for tree in build.watched_trees)

    def roots(self) -> dict[str, Path]:
        build = self.current or self.last_good
        return dict(build.roots) if build else {"issue": self.issue_path.parent}

    def serves(self, root: str, path: str) -> bool:
        """Whether the email on show (or the one being fixed) uses this image."""
        return any(build is not None and (root, path) in build.served
                   for build in (self.last_good, self.current))

    def state(self, snapshot: Snapshot | None = None) -> dict:
        """What the page needs: the last good render plus the current diagnostics."""
        if snapshot is None or snapshot.current is None:
            with self._lock:  # the snapshot that holds the build ensure_built returns
                current = self.ensure_built()
                snapshot = self.snapshot
        else:
            current = snapshot.current
        good = snapshot.last_good
        return {
            "epoch": snapshot.epoch,
            "status": current.status,
            "subject": (good or current).subject,
            "file": str(self.issue_path),
            "render_epoch": snapshot.last_good_epoch,
            "stale": good is not None and good is not current,
            "html": frameable(good.html) if good and good.html is not None else None,
            "text": good.text if good else None,
            "diagnostics": [diagnostic_json(d) for d in sort_diagnostics(current.diagnostics)],
            "build_ms": round(current.seconds * 1000, 1),
            "check": current.check if current.ok else None,
            "check_pending": current.check_pending,
        }

    def state_json(self, snapshot: Snapshot | None = None) -> str:
        """The state serialised once per build, however many browsers ask (call once built)."""
        snapshot = snapshot or self.snapshot
        cached = self._state_json
        if cached is None or cached[0] is not snapshot:
            cached = (snapshot, json.dumps(self.state(snapshot if snapshot.current else None),
                                           ensure_ascii=False))
            self._state_json = cached
        return cached[1]


# ---------------------------------------------------------------- the real build


def default_build(issue_path: Path, files_url: str, inliner: str | None = None, *,
                  check: bool = True) -> Build:
    """Validate the issue, then render it as a draft email whose relative images the preview
    serves, then check it (``check``), else leave the check pending (``deferred_check``)."""
    from authoring.paths import templates_dir
    from authoring.render import RenderOptions, render_issue
    from authoring.validate import validate_file

    validated = validate_file(issue_path)
    issue_dir = issue_path.resolve().parent
    roots = {"issue": issue_dir}  # template folders are watched, never served
    watched = [issue_path.resolve()]
    trees = [templates_dir().resolve()]
    publication = validated.publication
    pub_dir = None
    if validated.publication_file is not None:
        pub_file = validated.publication_file.resolve()
        pub_dir = pub_file.parent
        watched.append(pub_file)
        if pub_file.parent != issue_dir:
            roots["publication"] = pub_file.parent
        if publication.templates:
            trees.append((pub_file.parent / publication.templates).resolve())
    build = Build(diagnostics=list(validated.report.diagnostics), watched=tuple(watched),
                  watched_trees=tuple(trees), roots=roots,
                  subject=validated.issue.issue.subject if validated.issue else None)
    if validated.issue is None or validated.report.errors:
        return build

    served: set[tuple[str, str]] = set()

    def image_url(src: str) -> str:
        if paths.is_relative(src) and paths.find(src, list(roots.values())) is None:
            return ""  # no such file: the draft shows a marked box, not a broken image
        return served_url(src, files_url, roots, served)

    try:
        options = RenderOptions(mode="email", draft=True, image_url=image_url,
                                publication_dir=pub_dir, inliner=inliner)
        rendered = render_issue(validated.issue, publication, options)
    except Exception as exc:
        build.diagnostics.extend(crash_diagnostics(exc, issue_path))
        return build
    build.html, build.text = rendered.html, rendered.text
    build.served = frozenset(served)
    build.diagnostics.extend(
        Diagnostic(code=codes.RENDER, severity=Severity.WARNING, message=w, file=str(issue_path))
        for w in rendered.warnings)
    if check:
        build.check = pre_send_check(validated)
    else:
        _VALIDATED[issue_path] = validated
        build.check_pending = True
    return build


def preview_build(issue_path: Path, files_url: str, inliner: str | None = None) -> Build:
    """The preview's build: the page is updated with the render first, the pre-send check (a
    third of a build's time: it renders again) made after it by ``deferred_check``."""
    return default_build(issue_path, files_url, inliner, check=False)


_VALIDATED: dict[Path, Validated] = {}
"""Of each issue built with its check pending, the draft that build validated (in the process
that built it: the preview's worker)."""


def deferred_check(issue_path: Path) -> dict | None:
    """The pre-send check of the build ``preview_build`` just made of ``issue_path`` (validated
    again if that was another process, a worker since replaced)."""
    validated = _VALIDATED.pop(issue_path, None)
    if validated is None:
        from authoring.validate import validate_file

        validated = validate_file(issue_path)
        if validated.issue is None or validated.report.errors:
            return None
    return pre_send_check(validated)


def pre_send_check(validated: Validated) -> dict | None:
    """What ``authoring check`` says without its slow parts (spam score, browser audit), from
    the draft just validated (one more render, not export's whole build)."""
    from authoring.check import CheckOptions, check_built, fast_parts, from_validated

    try:
        report = check_built(from_validated(validated), CheckOptions(parts=fast_parts()))
    except AuthoringError:
        return None  # errors the preview already lists
    data = report.to_json()
    for part in data["parts"]:
        del part["figures"]  # the panel shows the summary lines; the data is for --format json
        for finding in part["findings"]:
            finding["editor_url"] = editor_url(finding.get("file"), finding.get("line"),
                                               finding.get("column"))
    return data


def editor_url(file: str | None, line: int | None, column: int | None) -> str | None:
    """A link that opens the file at the line in VS Code (``vscode://file/...:line:col``)."""
    if not file or not line:
        return None
    return f"vscode://file{quote(str(Path(file).resolve()))}:{line}:{column or 1}"


def served_url(src: str, files_url: str, roots: dict[str, Path],
               served: set[tuple[str, str]] | None = None) -> str:
    """Map a relative image source to the URL that serves it (noting it in ``served``, the
    files the preview may hand out); leave absolute URLs alone. The URL names the file's
    version (``v``: its modification time and size), so that the browser may keep the image
    for the next render and fetches it anew once the file changes."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/") or not src:
        return src
    # An issue's images sit next to it; the logo may sit next to a publication file further up.
    name = next((n for n in ("issue", "publication")
                 if roots.get(n) is not None and (roots[n] / parts.path).is_file()), "issue")
    if served is not None:
        served.add((name, parts.path))
    version = file_version(roots[name] / parts.path) if roots.get(name) is not None else None
    prefix, _, query = files_url.partition("?")  # a query (the preview's token) goes last
    params = "&".join(filter(None, [f"v={version}" if version else "", query]))
    return f"{prefix}{name}/{quote(parts.path)}{'?' if params else ''}{params}"


def file_version(path: Path) -> str | None:
    """``MTIME-SIZE`` of a file (nanoseconds and bytes, in hex); None when it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_mtime_ns:x}-{info.st_size:x}"


# ---------------------------------------------------------------- diagnostics


def crash_diagnostics(exc: BaseException, issue_path: Path) -> list[Diagnostic]:
    """Turn an exception from rendering into diagnostics, pointing into the template when we can."""
    if isinstance(exc, AuthoringError) and exc.reports:
        found = [d for report in exc.reports for d in report.diagnostics]
        if found:
            return found
    from authoring.render.html import template_position

    file, line = template_position(exc) or (str(issue_path), None)
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, AuthoringError):
        message = f"{type(exc).__name__}: {message}"
    return [Diagnostic(code=codes.RENDER_FAILED, severity=Severity.ERROR, file=file, line=line,
                       message=f"rendering failed: {message}",
                       hint="the last good render stays visible until this is fixed")]


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (not d.is_error, d.file or "", d.line or 0, d.column or 0))


def diagnostic_json(diag: Diagnostic) -> dict:
    """A diagnostic for the page, with the offending source line quoted when the file is readable."""
    data = diag.to_json()
    data["location"] = diag.location()
    data["source"] = _source_line(diag.file, diag.line)
    return data


def _source_line(file: str | None, line: int | None) -> str | None:
    if not file or not line:
        return None
    from authoring.load import MAX_BYTES, LoadError, read_bounded

    try:  # bounded, and never blocks on a FIFO
        lines = read_bounded(file, MAX_BYTES).decode("utf-8", errors="replace").splitlines()
    except LoadError:
        return None
    return lines[line - 1][:300] if line <= len(lines) else None


_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def frameable(html: str) -> str:
    """The email as the preview frame shows it: links open a new tab instead of replacing the frame."""
    match = _HEAD.search(html)
    base = '<base target="_blank"><meta name="referrer" content="no-referrer">'
    return html[:match.end()] + base + html[match.end():] if match else base + html
