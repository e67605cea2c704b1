"""The site of a folder, kept built in memory for the preview (``/site/``): built on the first
request, again on a request after any file it reads changed (issues, publication file, images,
templates). A build that fails keeps the last good site on show, with its errors above each page.
Nothing is read from disk to answer a request: only the built files are served.
"""

from __future__ import annotations

import html
import mimetypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from authoring.diagnostics import AuthoringError
from authoring.site import Site, SiteOptions, build_site
from authoring.site.assets import IMAGE_SUFFIXES
from authoring.site.pages import PageMemo

MAX_WATCHED = 20_000
"""Entries looked at for changes; a folder holding more (a whole home folder) is looked at this far."""
CONTENT_TYPES = {".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
                 ".html": "text/html; charset=utf-8"}
FEEDS = {"feed.xml": "application/atom+xml", "rss.xml": "application/rss+xml"}


@dataclass
class Answer:
    """What the preview sends back for one path under the site."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class LiveSite:
    def __init__(self, folder: Path, *, drafts: bool = True):
        self.folder = folder.resolve()
        self.drafts = drafts
        self._lock = threading.Lock()
        self._key: tuple[str, frozenset[tuple[str, int, int]]] | None = None
        self.site: Site | None = None
        self.error: str | None = None
        self.builds = 0
        self.memo = PageMemo()

    def current(self, base_url: str) -> tuple[Site | None, str | None]:
        """The last good site and the last build's error, rebuilding first if anything changed."""
        from authoring.render.html import reload_templates

        files = fingerprint(self.folder)
        key = (base_url, files)
        with self._lock:  # one build at a time; the others wait for it rather than build again
            if key != self._key:
                if self._key is not None and _may_be_templates(self._key[1] ^ files):
                    reload_templates()  # compiled templates are kept per process
                    self.memo = PageMemo()
                try:
                    self.site = build_site(self.folder, SiteOptions(drafts=self.drafts, base_url=base_url),
                                           self.memo)
                    self.error = None
                except AuthoringError as exc:
                    self.error = "\n\n".join([str(exc)] + [r.format_text() for r in exc.reports
                                                           if r.diagnostics])
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # noqa: BLE001 - a renderer's crash (a Rust panic is a
                    # BaseException) is shown in the page, and the preview goes on
                    self.error = f"building the site failed: {type(exc).__name__}: {exc}"
                self._key = key
                self.builds += 1
            return self.site, self.error

    def answer(self, path: str, base_url: str) -> Answer:
        """The file at ``path`` (relative to the site's root) from the current build."""
        site, error = self.current(base_url)
        if site is None:
            return Answer(500, _error_page(error or "the site has not been built").encode("utf-8"))
        name = path + "index.html" if path == "" or path.endswith("/") else path
        data = site.files.get(name)
        if data is None:
            if path + "/index.html" in site.files:  # pages link to folders: keep the slash
                return Answer(308, b"", headers={"Location": path.rsplit("/", 1)[-1] + "/"})
            return Answer(404, b"not found", "text/plain; charset=utf-8")
        suffix = os.path.splitext(name)[1].lower()
        content_type = FEEDS.get(name) or CONTENT_TYPES.get(suffix) or (
            mimetypes.guess_type(name)[0] or "application/octet-stream")
        if error and suffix == ".html":
            data = _with_banner(data, error)
        return Answer(200, data, content_type)


def fingerprint(folder: Path) -> frozenset[tuple[str, int, int]]:
    """(path, size, modification time) of what a build reads: the folder's files (images,
    templates and the publication file when they are in it), the YAML files of the folder above
    (a publication file there) and the built-in templates."""
    from authoring.paths import templates_dir

    return frozenset(_tree(folder) + _tree(templates_dir()) + _tree(folder.parent, depth=0, yaml_only=True))


_NOT_TEMPLATES = (".yaml", ".yml") + tuple(IMAGE_SUFFIXES)


def _may_be_templates(changed: frozenset[tuple[str, int, int]]) -> bool:
    """Whether a change may be to templates (compiled once per process): anything but issues,
    publication files and images, which the memo's keys already cover."""
    return any(not path.lower().endswith(_NOT_TEMPLATES) for path, _, _ in changed)


def _tree(root: Path, depth: int = 8, yaml_only: bool = False) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    stack = [(root, 0)]
    while stack and len(found) < MAX_WATCHED:
        folder, level = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.is_dir(follow_symlinks=False):
                if level < depth:
                    stack.append((Path(entry.path), level + 1))
                continue
            if yaml_only and not entry.name.endswith((".yaml", ".yml")):
                continue
            found.append((entry.path, info.st_size, info.st_mtime_ns))
    return found


def _error_page(error: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>The site cannot be "
            f"built</title></head><body><main><h1>The site cannot be built</h1><pre>{html.escape(error)}"
            "</pre></main></body></html>")


def _with_banner(page: bytes, error: str) -> bytes:
    """The last good page, with the build's errors above it."""
    banner = ('<div role="alert" style="background:#fff4e5;color:#1f2933;border:2px solid #c4122f;'
              'padding:12px 16px;margin:0;font:15px/1.5 monospace;white-space:pre-wrap">'
              "The last build failed; this is the last good one.\n\n" + html.escape(error) + "</div>")
    text = page.decode("utf-8")
    at = text.find(">", text.find("<body")) + 1
    return (text[:at] + banner + text[at:]).encode("utf-8") if at > 0 else page
