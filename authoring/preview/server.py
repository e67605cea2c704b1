"""The preview server: a Starlette app on uvicorn, bound to 127.0.0.1 only.

URLs (``NAME`` is an issue's file name, e.g. ``0321.yaml``):

- ``/``                         the folder's index (or a redirect to the only issue)
- ``/events``                   server-sent events: something changed (the index listens)
- ``/issue/NAME/``              the preview page
- ``/issue/NAME/events``        server-sent events carrying the page state after each rebuild
- ``/issue/NAME/state``         the same state as JSON
- ``/issue/NAME/email``         the last good email HTML;  ``.../text``: its plain text
- ``/issue/NAME/files/ROOT/P``  a file under one of the issue's folders (``issue``, ``publication``,
                                ``templates``, ``custom-templates``); nothing else is served
- ``/_preview/F``               the page's own script and style

Security: the socket is bound to 127.0.0.1; the Host header must name it (so a web page
cannot reach the server through DNS rebinding); files are looked up by Starlette's
StaticFiles, which resolves symlinks and refuses anything outside the folder (404).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import anyio
import uvicorn
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from authoring.diagnostics import AuthoringError
from authoring.paths import PUBLICATION_FILE, templates_dir
from authoring.preview.builder import Builder, BuildFn
from authoring.preview.watcher import WatchSet, watch
from authoring.render.html import reload_templates

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
ISSUE_SUFFIXES = (".yaml", ".yml")
PING_SECONDS = 15.0
"""Comment lines sent on idle event streams, so proxies and browsers keep them open."""


class Site:
    """Every issue the server previews: one file, or each issue of a folder."""

    def __init__(self, target: Path, build: BuildFn | None = None):
        target = target.resolve()
        self.folder_mode = target.is_dir()
        self.folder = target if self.folder_mode else target.parent
        self._build = build
        self.builders: dict[str, Builder] = {}
        self.token = secrets.token_hex(4)
        """Tells a browser reconnecting after a restart that its epoch is from another run."""
        self.generation = 0
        """Counts notifications: what the index page waits on."""
        self.closing = False
        self._pulse = asyncio.Event()
        self._rebuilding: asyncio.Lock | None = None
        if self.folder_mode:
            self.rescan()
        else:
            self._add(target)

    # ------------------------------------------------------------ issues

    def _add(self, path: Path) -> Builder:
        builder = Builder(path, f"/issue/{quote(path.name)}/files/", self._build)
        self.builders[path.name] = builder
        return builder

    def rescan(self) -> None:
        """Pick up issues added to or removed from the folder."""
        found = {p.name: p for p in self.folder.iterdir()
                 if p.suffix in ISSUE_SUFFIXES and p.name != PUBLICATION_FILE and p.is_file()}
        for name, builder in list(self.builders.items()):
            # a deleted issue that was viewed keeps its builder: its page says "no such file"
            if name not in found and not builder.built:
                del self.builders[name]
        for name, path in sorted(found.items()):
            if name not in self.builders:
                self._add(path)

    def builder(self, name: str) -> Builder:
        builder = self.builders.get(name)
        if builder is None:
            raise HTTPException(404)
        return builder

    def first_url(self) -> str:
        """The URL to open: the issue's page, or the folder's index."""
        if self.folder_mode or not self.builders:
            return "/"
        return f"/issue/{quote(next(iter(self.builders)))}/"

    # ------------------------------------------------------------ change → rebuild → notify

    def watch_set(self) -> WatchSet:
        folders = {self.folder}
        trees = {templates_dir().resolve()}
        for builder in self.builders.values():
            build = builder.current
            folders.add(builder.issue_path.resolve().parent)
            if build is not None:
                folders.update(p.parent for p in build.watched)
                trees.update(build.watched_trees)
        return frozenset(folders), frozenset(trees)

    async def on_change(self, changed: set[Path]) -> None:
        """Rebuild what the changed files affect, once, and tell the browsers after each rebuild."""
        if self._rebuilding is None:
            self._rebuilding = asyncio.Lock()
        async with self._rebuilding:
            if self.folder_mode and any(p.parent == self.folder and p.suffix in ISSUE_SUFFIXES
                                        for p in changed):
                self.rescan()
                self.notify()
            if any(builder.templates_changed(changed) for builder in self.builders.values()):
                await anyio.to_thread.run_sync(reload_templates)
            for builder in list(self.builders.values()):
                if builder.depends_on(changed):
                    result = await anyio.to_thread.run_sync(builder.rebuild)
                    log.info("%s rebuilt in %.0f ms: %s", builder.issue_path.name,
                             result.seconds * 1000, result.status)
                    self.notify()

    def notify(self) -> None:
        self.generation += 1
        pulse, self._pulse = self._pulse, asyncio.Event()
        pulse.set()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next notification; False on timeout."""
        pulse = self._pulse
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pulse.wait(), timeout)
            return True
        return False

    def close(self) -> None:
        """End every event stream (the server waits for open responses before it stops)."""
        self.closing = True
        self.notify()


# ---------------------------------------------------------------- the app


def create_app(site: Site) -> Starlette:
    pages = Environment(loader=FileSystemLoader(templates_dir() / "preview"),
                        autoescape=select_autoescape(default=True, default_for_string=True))
    statics: dict[Path, StaticFiles] = {}

    def static(folder: Path) -> StaticFiles:
        # follow_symlink=False: StaticFiles resolves symlinks and refuses targets outside the folder
        if folder not in statics:
            statics[folder] = StaticFiles(directory=folder, check_dir=False, follow_symlink=False)
        return statics[folder]

    async def built(name: str) -> Builder:
        builder = site.builder(name)
        if not builder.built:
            await anyio.to_thread.run_sync(builder.ensure_built)
        return builder

    async def index(request: Request) -> Response:
        if not site.folder_mode:
            return RedirectResponse(site.first_url())
        site.rescan()
        rows = []
        for name, builder in list(site.builders.items()):
            if not builder.issue_path.is_file():
                continue
            current = await anyio.to_thread.run_sync(builder.ensure_built)
            rows.append({"name": name, "url": f"/issue/{quote(name)}/", "status": current.status,
                         "subject": (builder.last_good or current).subject,
                         "errors": len(current.errors),
                         "warnings": len(current.diagnostics) - len(current.errors)})
        html = pages.get_template("index.html.j2").render(folder=str(site.folder), rows=rows)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def page(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        html = pages.get_template("page.html.j2").render(
            name=builder.issue_path.name, file=str(builder.issue_path),
            subject=(builder.last_good or builder.ensure_built()).subject,
            index_url="/" if site.folder_mode else None)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        return Response(builder.state_json(), media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    async def email(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        if builder.last_good is None:
            raise HTTPException(404, "no good render yet")
        return HTMLResponse(builder.last_good.html, headers={"Cache-Control": "no-store"})

    async def text(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        if builder.last_good is None:
            raise HTTPException(404, "no good render yet")
        return PlainTextResponse(builder.last_good.text, headers={"Cache-Control": "no-store"})

    async def files(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        folder = builder.roots().get(request.path_params["root"])
        if folder is None:
            raise HTTPException(404)
        return await static(folder).get_response(request.path_params["path"], request.scope)

    async def issue_events(request: Request) -> Response:
        builder = await built(request.path_params["name"])
        seen = request.headers.get("last-event-id")

        async def stream() -> AsyncIterator[str]:
            nonlocal seen
            yield "retry: 500\n\n"  # reconnect quickly when the server comes back
            while not site.closing:
                snapshot = builder.snapshot  # one snapshot: the id and the data must agree
                event_id = f"{site.token}-{snapshot.epoch}"
                if event_id != seen:
                    seen = event_id
                    yield f"id: {event_id}\nevent: build\ndata: {builder.state_json(snapshot)}\n\n"
                elif not await site.wait(PING_SECONDS):
                    yield ": ping\n\n"

        return _event_stream(stream())

    async def site_events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            yield "retry: 500\n\n"
            while not site.closing:
                if await site.wait(PING_SECONDS):
                    yield f"event: change\ndata: {site.generation}\n\n"
                else:
                    yield ": ping\n\n"

        return _event_stream(stream())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = anyio.Event()
        if not site.folder_mode:  # render before the first request (the first render imports the renderer)
            for builder in site.builders.values():
                await anyio.to_thread.run_sync(builder.ensure_built)
        async with anyio.create_task_group() as group:
            group.start_soon(watch, site.watch_set, site.on_change, stop)
            try:
                yield
            finally:
                site.close()
                stop.set()

    routes = [
        Route("/", index),
        Route("/events", site_events),
        Route("/issue/{name}/", page),
        Route("/issue/{name}/state", state),
        Route("/issue/{name}/email", email),
        Route("/issue/{name}/text", text),
        Route("/issue/{name}/events", issue_events),
        Route("/issue/{name}/files/{root}/{path:path}", files, methods=["GET", "HEAD"]),
        Mount("/_preview", app=StaticFiles(directory=templates_dir() / "preview", follow_symlink=False)),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _event_stream(chunks: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# ---------------------------------------------------------------- running it


class PortInUse(AuthoringError):
    """The port is taken (another preview?); ``suggestion`` is a free one near it."""

    def __init__(self, port: int, suggestion: int):
        super().__init__(f"port {port} is already in use")
        self.port = port
        self.suggestion = suggestion


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0 = any free port); PortInUse when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port, _free_port_near(port)) from None
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _free_port_near(port: int) -> int:
    for candidate in [*range(port + 1, min(port + 20, 65536)), 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    return 0


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, site: Site):
        super().__init__(config)
        self.site = site

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn waits for open responses to finish: end the endless event streams first.
        self.site.close()
        await super().shutdown(sockets)


class PreviewServer:
    """A preview of ``target`` (an issue file or a folder) on 127.0.0.1:port."""

    def __init__(self, target: Path, port: int = 0, build: BuildFn | None = None):
        self.site = Site(Path(target), build)
        self.socket = bind(port)
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(self.site), log_level="warning", access_log=False,
                                lifespan="on", ws="none", timeout_graceful_shutdown=3)
        self._server = _Server(config, self.site)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.site.first_url()}"

    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C (uvicorn handles the signal and shuts down gracefully)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> PreviewServer:
        """Serve in a background thread (tests, benchmarks); returns once it accepts requests."""
        self._thread = threading.Thread(target=self.serve_forever, name="preview-server", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the preview server failed to start")
            self._thread.join(0.01)
        return self

    def stop(self, timeout: float = 10) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


@contextlib.contextmanager
def running(target: Path, port: int = 0, build: BuildFn | None = None) -> Iterator[PreviewServer]:
    server = PreviewServer(target, port, build).start()
    try:
        yield server
    finally:
        server.stop()

