"""The preview server: a Starlette app on uvicorn, bound to 127.0.0.1 only.

URLs (``NAME`` is an issue's file name, e.g. ``0321.yaml``):

- ``/``                         the folder's index (or a redirect to the only issue)
- ``/events``                   server-sent events: something changed (the index listens)
- ``/issue/NAME/``              the preview page
- ``/issue/NAME/events``        server-sent events carrying the page state after each rebuild
- ``/issue/NAME/state``         the same state as JSON
- ``/issue/NAME/email``         the last good email HTML;  ``.../text``: its plain text
- ``/issue/NAME/files/ROOT/P``  an image the email shows (ROOT: ``issue`` or ``publication``);
                                nothing else is served: no template, no other file
- ``/_preview/F``               the page's own script and style
- ``/site/KEY/P``               the folder's archive site as ``authoring site`` builds it (drafts
                                too), in memory, rebuilt after an edit; KEY (``Site.site_token``)
                                is a folder of its path, so the site's relative links keep it

Security (docs/security.md, "Serving"): the socket is bound to 127.0.0.1; the Host header
must name it (so a web page cannot reach the server through DNS rebinding); every request needs
the session's token (TokenGate), kept only in places scoped to the preview's own origin, never in
a cookie (cookies do not isolate ports: every other server on 127.0.0.1 would receive it); files
are opened without following links and checked on the open descriptor (servedfile). Builds run
in a worker process (IsolatedBuild): a crash of the MJML compiler is an error in the page, not
the end of the server, and a dead worker is replaced on the next build.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import mimetypes
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authoring.diagnostics import AuthoringError
from authoring.paths import PUBLICATION_FILE, templates_dir
from authoring.preview.builder import Builder, BuildFn, file_version
from authoring.preview.isolated import IsolatedBuild
from authoring.preview.servedfile import read_inside
from authoring.preview.watcher import WatchSet, watch
from authoring.render.html import reload_templates

if TYPE_CHECKING:
    from authoring.site.live import LiveSite

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
        self.isolated = build if isinstance(build, IsolatedBuild) else (
            IsolatedBuild().start() if build is None else None)
        self._build = self.isolated or build
        self.access_token = secrets.token_urlsafe(24)
        """Required on every request (TokenGate): printed in the URL on start."""
        self.files_token = secrets.token_urlsafe(24)
        """Opens only the email's images (TokenGate): what their URLs carry. The email's HTML
        comes from templates that may be hostile and can read those URLs; a template that sends
        one elsewhere gives away the images it shows, not the preview."""
        self.site_token = secrets.token_urlsafe(24)
        """Opens only the archive site (``/site/KEY/``), as the first folder of its path: its pages
        are static and link to each other relatively. Templates that may be hostile build them
        too and can read it; it gives away the site they build, not the preview."""
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
        # the email's image URLs carry the token: the frame loads them, and cannot add a header
        files_url = f"/issue/{quote(path.name)}/files/?{TOKEN_PARAMETER}={self.files_token}"
        builder = Builder(path, files_url, self._build)
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
                if self.isolated is not None:
                    await anyio.to_thread.run_sync(self.isolated.reload_templates)
            for builder in list(self.builders.values()):
                if builder.depends_on(changed):
                    result = await anyio.to_thread.run_sync(builder.rebuild)
                    log.info("%s rebuilt in %.0f ms: %s", builder.issue_path.name,
                             result.seconds * 1000, result.status)
                    self.notify()  # the page shows the new render while its check is made
                    if result.check_pending:
                        await anyio.to_thread.run_sync(builder.finish_check)
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
        if self.isolated is not None:
            self.isolated.close()


# ---------------------------------------------------------------- the app

TOKEN_PARAMETER = "token"
TOKEN_HEADER_PREFIX = "token "
"""``Authorization: token ...``: how the page's script (and a tool) presents the token."""

SECURITY_HEADERS = [
    (b"referrer-policy", b"no-referrer"),  # a URL with the token never leaves as a Referer
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cache-control", b"no-store"),
]


class TokenGate:
    """Only a request that carries the session's token gets in: every route, every method.

    Where the token lives, and why there: browsers send a host's cookies to every port of it
    (RFC 6265 section 8.5), so a cookie would hand the token to any other server on
    127.0.0.1, and two previews would overwrite each other's. The token is therefore never in
    a cookie. It is in the URL the preview prints (``?token=...``); the page's script keeps it
    in sessionStorage (scoped to this scheme, host and port) and sends it as
    ``Authorization: token ...`` on its fetches, and in the URL of what cannot carry a header
    (its EventSource streams, the page's own links, script and style). The email's images
    carry a second token that opens nothing else (``Site.files_token``).
    """

    def __init__(self, app: ASGIApp, token: str, files_token: str, site_token: str):
        self.app = app
        self.token = token
        self.files_token = files_token
        self.site_token = site_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # no route takes one (and uvicorn runs with ws="none")
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan: the server's own start and stop
            await self.app(scope, receive, send)
            return
        if self.admits(Request(scope)):
            await self.app(scope, receive, _with_security_headers(send))
            return
        response = PlainTextResponse("403: open the preview with the URL it printed when it "
                                     "started (it carries the session's token)\n", status_code=403)
        await response(scope, receive, _with_security_headers(send))

    def admits(self, request: Request) -> bool:
        presented = [request.query_params.get(TOKEN_PARAMETER)]
        header = request.headers.get("authorization", "")
        if header.startswith(TOKEN_HEADER_PREFIX):
            presented.append(header[len(TOKEN_HEADER_PREFIX):])
        site_key = _site_key(request.scope["path"])
        if site_key and secrets.compare_digest(site_key.encode(), self.site_token.encode()):
            return True  # the archive site's pages: its key is the first folder of their path
        keys = [self.token] + ([self.files_token] if _is_files_path(request.scope["path"]) else [])
        return any(given is not None and secrets.compare_digest(given.encode(), key.encode())
                   for given in presented for key in keys)


def _is_files_path(path: str) -> bool:
    """``/issue/NAME/files/...``: the only route the files token opens (NAME holds no '/')."""
    parts = path.split("/", 4)
    return len(parts) == 5 and parts[0] == "" and parts[1] == "issue" and parts[3] == "files"


def _site_key(path: str) -> str | None:
    """KEY of ``/site/KEY/...``, the archive site's own token; None for every other route."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) == 4 and parts[0] == "" and parts[1] == "site" else None


def _with_security_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


class _Handlers:
    """The request handlers, each reading the site's current builds."""

    def __init__(self, site: Site):
        self.site = site
        self.archive: LiveSite | None = None
        self.pages = Environment(loader=FileSystemLoader(templates_dir() / "preview"),
                                 autoescape=select_autoescape(default=True, default_for_string=True))

    def _with_token(self, url: str) -> str:
        """A link of the preview's own pages: a navigation cannot carry a header."""
        return f"{url}?{TOKEN_PARAMETER}={self.site.access_token}"

    async def built(self, name: str) -> Builder:
        builder = self.site.builder(name)
        if not builder.built:
            await anyio.to_thread.run_sync(builder.ensure_built)
        return builder

    async def index(self, request: Request) -> Response:
        site = self.site
        if not site.folder_mode:
            return RedirectResponse(self._with_token(site.first_url()))
        site.rescan()
        rows = []
        for name, builder in list(site.builders.items()):
            if not builder.issue_path.is_file():
                continue
            current = await anyio.to_thread.run_sync(builder.ensure_built)
            rows.append({"name": name, "url": self._with_token(f"/issue/{quote(name)}/"),
                         "status": current.status,
                         "subject": (builder.last_good or current).subject,
                         "errors": len(current.errors),
                         "warnings": len(current.diagnostics) - len(current.errors)})
        html = self.pages.get_template("index.html.j2").render(
            folder=str(site.folder), rows=rows, token=site.access_token,
            site_url=f"/site/{site.site_token}/")
        return HTMLResponse(html, headers=NO_STORE)

    async def page(self, request: Request) -> Response:
        builder = await self.built(request.path_params["name"])
        html = self.pages.get_template("page.html.j2").render(
            name=builder.issue_path.name, file=str(builder.issue_path),
            subject=(builder.last_good or builder.ensure_built()).subject,
            index_url=self._with_token("/") if self.site.folder_mode else None,
            token=self.site.access_token)
        return HTMLResponse(html, headers=NO_STORE)

    async def state(self, request: Request) -> Response:
        builder = await self.built(request.path_params["name"])
        return Response(builder.state_json(), media_type="application/json", headers=NO_STORE)

    async def email(self, request: Request) -> Response:
        good = (await self.built(request.path_params["name"])).last_good
        if good is None:
            raise HTTPException(404, "no good render yet")
        return HTMLResponse(good.html, headers={**NO_STORE, **EMAIL_POLICY})

    async def text(self, request: Request) -> Response:
        good = (await self.built(request.path_params["name"])).last_good
        if good is None:
            raise HTTPException(404, "no good render yet")
        return PlainTextResponse(good.text, headers=NO_STORE)

    async def files(self, request: Request) -> Response:
        """An image the email shows, and nothing else: never a template or another file."""
        builder = await self.built(request.path_params["name"])
        root, path = request.path_params["root"], request.path_params["path"]
        folder = builder.roots().get(root)
        if folder is None or not builder.serves(root, path):
            raise HTTPException(404)
        content = await anyio.to_thread.run_sync(read_inside, folder, path)
        if content is None:
            raise HTTPException(404)
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        # the next render shows the same image under the same URL while the file is unchanged:
        # the browser may keep it then (each new frame would fetch every image again otherwise)
        version = request.query_params.get("v")
        kept = version is not None and version == file_version(folder / path)
        # an SVG opened on its own is a document of this origin: no script of it may run
        return Response(content, media_type=media_type,
                        headers={**(KEPT_IMAGE if kept else NO_STORE), **EMAIL_POLICY})

    async def issue_events(self, request: Request) -> Response:
        builder = await self.built(request.path_params["name"])
        return _event_stream(_build_events(self.site, builder, request.headers.get("last-event-id")))

    async def archive_site(self, request: Request) -> Response:
        """A file of the folder's archive site, from its build in memory (``authoring.site.live``):
        nothing is read from disk to answer. The session's token leads to ``/site/KEY/``."""
        from authoring.site.live import LiveSite

        key, _, path = request.path_params["path"].partition("/")
        token = self.site.site_token
        if not secrets.compare_digest(key.encode(), token.encode()):
            return RedirectResponse(f"/site/{token}/", status_code=307)
        if self.archive is None:
            self.archive = LiveSite(self.site.folder)
        base = f"http://{request.url.netloc}/site/{token}/"
        answer = await anyio.to_thread.run_sync(self.archive.answer, path, base)
        return Response(answer.body, answer.status, headers=answer.headers,
                        media_type=answer.content_type)

    async def site_events(self, request: Request) -> Response:
        return _event_stream(_change_events(self.site))


NO_STORE = {"Cache-Control": "no-store"}
KEPT_IMAGE = {"Cache-Control": "private, max-age=86400, immutable"}
"""An image of the email at the version its URL names: kept by this browser alone, for a day."""
EMAIL_POLICY = {"Content-Security-Policy": "sandbox; script-src 'none'; object-src 'none'"}
"""On what the email brings (its HTML, its images): shown, never run, on the preview's origin."""


async def _build_events(site: Site, builder: Builder, seen: str | None) -> AsyncIterator[str]:
    yield "retry: 500\n\n"  # reconnect quickly when the server comes back
    while not site.closing:
        snapshot = builder.snapshot  # one snapshot: the id and the data must agree
        event_id = f"{site.token}-{snapshot.epoch}"
        if event_id != seen:
            seen = event_id
            yield f"id: {event_id}\nevent: build\ndata: {builder.state_json(snapshot)}\n\n"
        elif not await site.wait(PING_SECONDS):
            yield ": ping\n\n"


async def _change_events(site: Site) -> AsyncIterator[str]:
    yield "retry: 500\n\n"
    while not site.closing:
        if await site.wait(PING_SECONDS):
            yield f"event: change\ndata: {site.generation}\n\n"
        else:
            yield ": ping\n\n"


def _lifespan(site: Site):
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

    return lifespan


def _routes(handlers: _Handlers) -> list:
    return [
        Route("/", handlers.index),
        Route("/events", handlers.site_events),
        Route("/issue/{name}/", handlers.page),
        Route("/issue/{name}/state", handlers.state),
        Route("/issue/{name}/email", handlers.email),
        Route("/issue/{name}/text", handlers.text),
        Route("/issue/{name}/events", handlers.issue_events),
        Route("/issue/{name}/files/{root}/{path:path}", handlers.files, methods=["GET", "HEAD"]),
        Route("/site/{path:path}", handlers.archive_site, methods=["GET", "HEAD"]),
        Mount("/_preview", app=StaticFiles(directory=templates_dir() / "preview", follow_symlink=False)),
    ]


def create_app(site: Site) -> Starlette:
    """The app: the routes, behind the Host check and the session's token."""
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"]),
                  Middleware(TokenGate, token=site.access_token, files_token=site.files_token,
                             site_token=site.site_token)]
    return Starlette(routes=_routes(_Handlers(site)), middleware=middleware,
                     lifespan=_lifespan(site))


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
    sock.listen(128)  # not inheritable (Python's default): no program run beside it can accept on it
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
        self.app = create_app(self.site)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False,
                                lifespan="on", ws="none", timeout_graceful_shutdown=3)
        self._server = _Server(config, self.site)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The address to open, with the session's token (print it: it is the key)."""
        return f"http://{HOST}:{self.port}{self.site.first_url()}?{TOKEN_PARAMETER}={self.site.access_token}"

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

