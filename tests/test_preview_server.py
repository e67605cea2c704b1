"""The preview server: what it serves, to whom, under load, on edits, and how it stops."""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from authoring.files import write_atomic
from authoring.paths import templates_dir
from authoring.preview.server import HOST, PortInUse, PreviewServer, Site, bind, running
from conftest import ISSUES, ROOT, wait_for

SECRET = "top secret, outside the issue folder"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """tmp/site/0321.yaml (+ publication, images) and tmp/secret.txt next to the folder."""
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(ISSUES / "0321.yaml", folder / "0321.yaml")
    shutil.copy(ISSUES / "publication.yaml", folder / "publication.yaml")
    shutil.copytree(ISSUES / "images", folder / "images")
    (tmp_path / "secret.txt").write_text(SECRET)
    return folder


@pytest.fixture
def server(site: Path):
    with running(site / "0321.yaml") as server:
        yield server


def auth(server: PreviewServer) -> dict[str, str]:
    """The session token, as a tool sends it (a browser gets it from the printed URL)."""
    return {"Authorization": f"token {server.site.access_token}"}


def get(server: PreviewServer, path: str, **kwargs) -> httpx.Response:
    return httpx.get(f"{server.base()}{path}", headers=auth(server), **kwargs)


def raw_get(server: PreviewServer, path: str, host: str | None = None) -> tuple[int, bytes]:
    """GET exactly this path: http.client sends it as written (httpx and browsers normalise '..')."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"{HOST}:{server.port}")
        conn.putheader("Authorization", auth(server)["Authorization"])
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def state(server: PreviewServer) -> dict:
    return get(server, "/issue/0321.yaml/state").json()


# ---------------------------------------------------------------- what is served


def test_serves_the_page_the_email_its_text_and_its_images(server):
    base = "/issue/0321.yaml"
    page = get(server, f"{base}/")
    assert page.status_code == 200 and "Robots that learn from video" in page.text
    email = get(server, f"{base}/email").text
    assert "Robots Learn Chores From Video" in email
    assert "Robots Learn Chores From Video" in get(server, f"{base}/text").text
    image = re.search(r'src="(/issue/0321\.yaml/files/issue/images/robot-arm\.png)'
                      r'\?v=([0-9a-f-]+)&amp;token=([^"]+)"', email)
    assert image.group(3) == server.site.files_token  # the frame loads it: no header possible
    url = f"{server.base()}{image.group(1)}?v={image.group(2)}&token={image.group(3)}"
    response = httpx.get(url)
    assert response.headers["content-type"] == "image/png"
    assert response.status_code == 200 and response.content == (ISSUES / "images/robot-arm.png").read_bytes()
    # the image at the version its URL names may be kept by this browser; at another, not
    assert response.headers["cache-control"] == "private, max-age=86400, immutable"
    for other in (url.replace(f"v={image.group(2)}", "v=0-0"), url.replace(f"v={image.group(2)}&", "")):
        response = httpx.get(other)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert get(server, f"{base}/email").headers["cache-control"] == "no-store"
    assert get(server, "/_preview/preview.js").status_code == 200
    assert get(server, "/", follow_redirects=False).headers["location"] == \
        f"/issue/0321.yaml/?token={server.site.access_token}"


TRAVERSALS = [
    "/issue/0321.yaml/files/issue/../secret.txt",
    "/issue/0321.yaml/files/issue/../../secret.txt",
    "/issue/0321.yaml/files/issue/images/../../secret.txt",
    "/issue/0321.yaml/files/issue/%2e%2e/secret.txt",
    "/issue/0321.yaml/files/issue/%2E%2E%2Fsecret.txt",
    "/issue/0321.yaml/files/issue/..%2fsecret.txt",
    "/issue/0321.yaml/files/issue/.%2e/secret.txt",
    "/issue/0321.yaml/files/issue/%252e%252e/secret.txt",
    "/issue/0321.yaml/files/issue/..%5csecret.txt",
    "/issue/0321.yaml/files/issue/%c0%ae%c0%ae/secret.txt",
    "/issue/0321.yaml/files/issue//etc/passwd",
    "/issue/0321.yaml/files/issue/%2fetc%2fpasswd",
    "/issue/0321.yaml/files/issue/images%00/../../secret.txt",
    "/issue/0321.yaml/files/..%2f..%2fsecret.txt/x",
    "/issue/0321.yaml/files/%2e%2e/secret.txt",
    "/issue/..%2fsecret.txt/files/issue/secret.txt",
    "/issue/../files/issue/secret.txt",
    "/_preview/../../../secret.txt",
    "/_preview/%2e%2e/%2e%2e/authoring/cli.py",
    "/issue/0321.yaml/files/issue/leak.txt",
    "/issue/0321.yaml/files/issue/outside/secret.txt",
]


def test_path_traversal_gets_404(server, site: Path):
    (site / "leak.txt").symlink_to(site.parent / "secret.txt")
    (site / "outside").symlink_to(site.parent, target_is_directory=True)
    (site / "inside.png").symlink_to(site / "images" / "chart.png")
    for path in TRAVERSALS:
        status, body = raw_get(server, path)
        assert status == 404, path
        assert SECRET.encode() not in body and b"root:" not in body, path
    # a file the email does not show is not served, wherever it is
    status, body = raw_get(server, "/issue/0321.yaml/files/issue/inside.png")
    assert status == 404


def test_only_files_requests_read_the_disk_and_only_with_get(server):
    response = httpx.post(f"{server.base()}/issue/0321.yaml/files/issue/images/chart.png",
                          headers=auth(server))
    assert response.status_code == 405
    assert get(server, "/issue/nope.yaml/").status_code == 404


# ---------------------------------------------------------------- who can connect


def test_listens_on_127_0_0_1_only(server):
    assert server.socket.getsockname()[0] == "127.0.0.1"
    others = ["127.0.0.2"]  # the rest of the loopback range: a 0.0.0.0 bind would answer here
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            if not probe.getsockname()[0].startswith("127."):
                others.append(probe.getsockname()[0])
    except OSError:
        pass  # no network interface besides loopback
    for address in others:
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=2):
            pass
    with socket.create_connection((HOST, server.port), timeout=2):
        pass


def test_refuses_requests_for_other_host_names(server):
    # a page on another site that rebinds its DNS name to 127.0.0.1 still sends its own Host
    status, _ = raw_get(server, "/issue/0321.yaml/state", host="evil.example")
    assert status == 400
    status, _ = raw_get(server, "/issue/0321.yaml/state", host=f"localhost:{server.port}")
    assert status == 200


def test_survives_500_concurrent_requests(server):
    paths = ["/issue/0321.yaml/", "/issue/0321.yaml/state", "/issue/0321.yaml/email",
             "/issue/0321.yaml/text", "/issue/0321.yaml/files/issue/images/robot-arm.png",
             "/_preview/preview.css", "/issue/0321.yaml/files/issue/../../secret.txt"]
    expected = {path: 404 if "secret" in path else 200 for path in paths}
    builder = server.site.builders["0321.yaml"]
    epoch = builder.epoch

    async def get(path: str) -> int:
        # Plain asyncio streams, one connection per request: httpx's connection pool needs ~10 s
        # for this on two cores (the server alone answers all 500 in under a second).
        reader, writer = await asyncio.open_connection(HOST, server.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
                     f"Authorization: token {server.site.access_token}\r\n\r\n".encode())
        await writer.drain()
        response = await reader.read()
        writer.close()
        await writer.wait_closed()
        return int(response.split(b" ", 2)[1])

    async def hammer() -> list[tuple[str, int]]:
        limit = asyncio.Semaphore(100)  # bounded: 100 in flight at once, 500 in all

        async def one(i: int) -> tuple[str, int]:
            path = paths[i % len(paths)]
            async with limit:
                return path, await get(path)

        return await asyncio.gather(*(one(i) for i in range(500)))

    # A thread of its own: Playwright's sync API (the session's browser fixture) may
    # already run an event loop in the main thread, and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        results = pool.submit(asyncio.run, hammer()).result(timeout=60)
    assert len(results) == 500
    assert [(p, s) for p, s in results if s != expected[p]] == []
    assert builder.epoch == epoch  # requests read the build; they never trigger one
    assert server.running


# ---------------------------------------------------------------- edits


@pytest.fixture
def batches(monkeypatch) -> list[set[str]]:
    """The names in each batch of changes the server handled, appended once it is handled
    (rebuilt or not): a test waits on these events instead of sleeping."""
    handled: list[set[str]] = []
    original = Site.on_change

    async def recording(self: Site, changed: set[Path]) -> None:
        await original(self, changed)
        handled.append({path.name for path in changed})

    monkeypatch.setattr(Site, "on_change", recording)
    return handled


@pytest.fixture
def watched_server(site: Path, batches: list[set[str]]):
    """A server whose handled batches of changes are recorded in ``batches``."""
    with running(site / "0321.yaml") as server:
        yield server


def test_each_save_rebuilds_once_and_a_broken_draft_keeps_the_last_good_render(watched_server, batches, site):
    server = watched_server
    issue = site / "0321.yaml"
    source = issue.read_text(encoding="utf-8")
    first = state(server)
    assert first["status"] in ("valid", "warnings") and first["html"]

    write_atomic(issue, source.replace("Data Centers Go Nuclear", "Data Centers Go Fission").encode())
    edited = wait_for(lambda: (s := state(server))["epoch"] > first["epoch"] and s)
    assert "Data Centers Go Fission" in edited["html"]
    # A second rebuild for the same save would come from a later batch naming the issue again.
    # A file the issue does not depend on, written now, ends the wait: the watcher reports
    # events in order, so whatever the save still had to report is in that batch or before it.
    wait_for(lambda: any("0321.yaml" in batch for batch in batches))  # handled: render and check
    saved = next(n for n, batch in enumerate(batches) if "0321.yaml" in batch)
    (site / "unrelated.txt").write_text("not a dependency\n")
    wait_for(lambda: any("unrelated.txt" in batch for batch in batches[saved + 1:]))
    assert [batch for batch in batches[saved + 1:] if "0321.yaml" in batch] == []
    done = state(server)
    assert done["epoch"] == first["epoch"] + 2  # the render, then its check
    assert done["render_epoch"] == edited["render_epoch"] == first["epoch"] + 1
    assert not done["check_pending"] and done["check"]

    broken = source.replace("subject: \"Robots", "subject: \"Robots\" oops")
    write_atomic(issue, broken.encode())
    failed = wait_for(lambda: (s := state(server))["status"] == "errors" and s)
    assert failed["stale"] and "Data Centers Go Fission" in failed["html"]
    [diag] = [d for d in failed["diagnostics"] if d["severity"] == "error"]
    line = broken[:broken.index("subject:")].count("\n") + 1
    assert diag["line"] == line and diag["column"] and diag["file"].endswith("0321.yaml")
    assert diag["source"].lstrip().startswith("subject:")

    issue.unlink()
    gone = wait_for(lambda: (s := state(server))["epoch"] > failed["epoch"] and s)
    assert gone["diagnostics"][0]["code"] == "file-not-found" and "Data Centers Go Fission" in gone["html"]

    write_atomic(issue, source.encode())
    fixed = wait_for(lambda: (s := state(server))["status"] != "errors" and s)
    assert not fixed["stale"] and "Data Centers Go Nuclear" in fixed["html"]


def test_publication_and_template_changes_rebuild_and_template_errors_are_reported(server, site: Path):
    publication = site / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    before = state(server)
    # the publication file is watched: a new address shows up
    write_atomic(publication, text.replace("Mountain View", "Palo Alto").encode())
    moved = wait_for(lambda: (s := state(server))["epoch"] > before["epoch"] and s)
    assert "Palo Alto" in moved["text"] and "Palo Alto" in moved["html"]

    # custom templates, watched too; a broken one is reported with its file and line
    custom = site / "my-templates" / "email"  # same layout as the built-in templates/
    custom.mkdir(parents=True)
    write_atomic(custom / "news.mjml.j2", b"<mj-section>\n{% endif %}\n</mj-section>\n")
    write_atomic(publication, (text + "templates: my-templates\n").encode())
    broken = wait_for(lambda: (s := state(server))["status"] == "errors" and s)
    [diag] = broken["diagnostics"]
    assert diag["file"].endswith("news.mjml.j2") and diag["line"] == 2
    assert broken["stale"] and "Robots Learn Chores From Video" in broken["html"]

    builtin = (ROOT / "templates" / "email" / "news.mjml.j2").read_text(encoding="utf-8")
    write_atomic(custom / "news.mjml.j2", builtin.replace("{{", "CUSTOM {{", 1).encode())
    fixed = wait_for(lambda: (s := state(server))["status"] != "errors" and s)
    assert "CUSTOM" in fixed["html"]


# ---------------------------------------------------------------- stopping


def test_stops_cleanly_with_an_event_stream_open(site: Path):
    server = PreviewServer(site / "0321.yaml").start()
    received: list[str] = []

    def listen() -> None:
        with httpx.stream("GET", f"{server.base()}/issue/0321.yaml/events", timeout=30,
                          headers=auth(server)) as stream:
            for line in stream.iter_lines():
                received.append(line)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    wait_for(lambda: any(line.startswith("data: ") for line in received))
    started = time.monotonic()
    server.stop()
    assert not server.running and time.monotonic() - started < 5
    listener.join(5)
    assert not listener.is_alive()  # the stream ended instead of hanging
    bind(server.port).close()  # the port is free again


def test_busy_port_is_reported_with_a_free_one_to_try(site: Path):
    with running(site / "0321.yaml") as first:
        with pytest.raises(PortInUse) as caught:
            PreviewServer(site / "0321.yaml", port=first.port)
        assert caught.value.suggestion != first.port
        bind(caught.value.suggestion).close()

        result = subprocess.run(
            [sys.executable, "-m", "authoring", "preview", str(site / "0321.yaml"),
             "--port", str(first.port), "--no-open"],
            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert "already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_prints_the_url_and_ctrl_c_stops_it_cleanly(site: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "authoring", "preview", str(site / "0321.yaml"), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/\S*", line).group(0)
        assert httpx.get(url).status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Preview stopped" in err
    port = int(url.split(":")[2].split("/")[0])
    bind(port).close()


def test_cli_rejects_a_missing_target(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "authoring", "preview", str(tmp_path / "nope.yaml"),
                             "--no-open"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1 and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_index_reports_each_issue_status(site: Path):
    write_atomic(site / "0322.yaml", b"issue:\n  subjet: typo\n")

    def rows(server) -> dict[str, str]:
        page = httpx.get(server.url).text
        return dict(re.findall(r'<a href="/issue/([^"]+)/\?token=[^"]+">.*?<span class="badge (\w+)"',
                               page, re.S))

    with running(site) as server:
        listed = rows(server)
        assert listed["0322.yaml"] == "errors" and listed["0321.yaml"] in ("valid", "warnings")
        assert "publication.yaml" not in listed
        # a deleted issue leaves the index; its open page learns that the file is gone
        (site / "0321.yaml").unlink()
        gone = wait_for(lambda: (s := state(server))["diagnostics"] and s)
        assert gone["diagnostics"][0]["code"] == "file-not-found"
        assert list(rows(server)) == ["0322.yaml"]


def test_state_json_is_the_builders(server):
    assert json.loads(server.site.builders["0321.yaml"].state_json()) == state(server)


assert os.sep == "/"  # the traversal cases above are written for POSIX paths


# ---------------------------------------------------------------- trust boundaries (issue 10)


def test_the_printed_url_opens_the_preview_and_sets_no_cookie(server):
    """The token is in the URL and, for tools, a header; never in a cookie (cookies reach every
    port of 127.0.0.1). Every route refusing a request without it: tests/hostile/test_preview_token.py."""
    assert f"?token={server.site.access_token}" in server.url
    with httpx.Client() as browser:
        opened = browser.get(server.url, follow_redirects=True)
        assert opened.status_code == 200 and "set-cookie" not in opened.headers
        assert not browser.cookies
        assert browser.get(f"{server.base()}/issue/0321.yaml/state").status_code == 403
        assert browser.get(f"{server.base()}/issue/0321.yaml/state",
                           headers=auth(server)).status_code == 200


def test_only_the_emails_images_are_served_never_templates_or_other_files(tmp_path: Path, site: Path):
    (site / "notes.txt").write_text(SECRET)
    (site / "templates" / "email").mkdir(parents=True)
    (site / "templates" / "email" / "footer.mjml.j2").write_text(SECRET)
    with (site / "publication.yaml").open("a") as handle:
        handle.write("templates: templates\n")
    with running(site / "0321.yaml") as server:
        for path in ["/issue/0321.yaml/files/issue/notes.txt", "/issue/0321.yaml/files/issue/0321.yaml",
                     "/issue/0321.yaml/files/issue/publication.yaml",
                     "/issue/0321.yaml/files/custom-templates/email/footer.mjml.j2",
                     "/issue/0321.yaml/files/templates/email/issue.mjml.j2",
                     "/issue/0321.yaml/files/issue/templates/email/footer.mjml.j2",
                     "/issue/0321.yaml/files/issue/images/chart-unused.png"]:
            response = get(server, path)
            assert response.status_code == 404, path
            assert SECRET not in response.text
        assert get(server, "/issue/0321.yaml/files/issue/images/robot-arm.png").status_code == 200
        assert server.site.isolated is not None  # builds run in a worker process by default


def crash_on_request(issue_path: Path, files_url: str):
    """A build that kills its own process when the issue asks for it, as MRML did (SIGSEGV)."""
    import os
    import signal

    from authoring.preview.builder import default_build

    if "CRASH-THE-RENDERER" in issue_path.read_text(encoding="utf-8"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return default_build(issue_path, files_url)


def test_a_crashing_renderer_is_an_error_in_the_page_and_the_server_lives_on(site: Path):
    from authoring.preview.isolated import IsolatedBuild

    issue = site / "0321.yaml"
    source = issue.read_text(encoding="utf-8")
    with running(issue, build=IsolatedBuild(crash_on_request)) as server:
        first = state(server)
        assert first["html"]
        write_atomic(issue, source.replace("Data Centers Go Nuclear", "CRASH-THE-RENDERER").encode())
        crashed = wait_for(lambda: (s := state(server))["status"] == "errors" and s, timeout=30)
        [diag] = [d for d in crashed["diagnostics"] if d["severity"] == "error"]
        assert diag["code"] == "render-crashed" and "crashed" in diag["message"]
        assert crashed["stale"] and crashed["html"] == first["html"]
        write_atomic(issue, source.replace("Data Centers Go Nuclear", "Data Centers Go Fission").encode())
        fixed = wait_for(lambda: (s := state(server))["status"] != "errors" and s, timeout=30)
        assert "Data Centers Go Fission" in fixed["html"] and server.running


# ---------------------------------------------------------------- the app in process, its build a stand-in
# Routes, the token gate, headers and event streams, answered by the app itself (httpx's ASGI
# transport: no socket, no worker process) over builds a stand-in makes from the issue's first line.

from authoring.diagnostics import Diagnostic, Severity  # noqa: E402
from authoring.preview import builder as preview_builder  # noqa: E402
from authoring.preview import server as preview  # noqa: E402
from authoring.preview.builder import Build  # noqa: E402

FORBIDDEN = ("403: open the preview with the URL it printed when it started (it carries the "
             "session's token)\n")
HEADERS = {"referrer-policy": "no-referrer", "x-content-type-options": "nosniff",
           "x-frame-options": "SAMEORIGIN", "cache-control": "no-store"}


def stand_in_build(issue_path: Path, files_url: str) -> Build:
    """The issue's first line is its subject; ``broken`` in it makes an error; it shows every
    file of its folder's ``images/`` (URLs as the real build writes them)."""
    first = issue_path.read_text(encoding="utf-8").splitlines()[0]
    folder = issue_path.parent
    if "broken" in first:
        error = Diagnostic("yaml-syntax", Severity.ERROR, "broken", file=str(issue_path), line=1)
        return Build(diagnostics=[error], watched=(issue_path.resolve(),), roots={"issue": folder})
    warnings = [Diagnostic("long-subject", Severity.WARNING, "long", file=str(issue_path))] \
        if "warn" in first else []
    images = sorted(p.name for p in (folder / "images").iterdir()) if (folder / "images").is_dir() else []
    base, _, query = files_url.partition("?")
    html = "".join(f'<img src="{base}issue/images/{n}?{query}">' for n in images)
    return Build(diagnostics=warnings, html=f"<p>{first}</p>{html}", text=f"text of {first}",
                 subject=first, watched=(issue_path.resolve(),), roots={"issue": folder},
                 served=frozenset(("issue", f"images/{n}") for n in images))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "issues"
    (folder / "images").mkdir(parents=True)
    (folder / "0321.yaml").write_text("Robots, warn\n")
    (folder / "0322.yaml").write_text("broken\n")
    (folder / "publication.yaml").write_text("publication\n")
    (folder / "images" / "a.png").write_bytes(b"\x89PNG a")
    (folder / "images" / "data.weird").write_bytes(b"bytes")
    (tmp_path / "secret.txt").write_text(SECRET)
    return folder


def run_async(coroutine):
    """Its result, run in a thread of its own: Playwright's sync API (the session's browser
    fixture) may already run an event loop in this one, and asyncio.run refuses to nest."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


class AppClient:
    """Requests answered by the app in process, never started: no watcher (the tests say what
    changed), builds on the first request as in a real server."""

    def __init__(self, site: Site):
        self.app = preview.create_app(site)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                         base_url="http://127.0.0.1") as client:
                return await client.request(method, path, **kwargs)
        return run_async(send())

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs) -> httpx.Response:
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.request("POST", path, **kwargs)


def client_of(site: Site) -> AppClient:
    return AppClient(site)


@pytest.fixture
def one(folder: Path) -> tuple[Site, AppClient]:
    site = Site(folder / "0321.yaml", build=stand_in_build)
    return site, client_of(site)


@pytest.fixture
def many(folder: Path) -> tuple[Site, AppClient]:
    site = Site(folder, build=stand_in_build)
    return site, client_of(site)


def test_a_request_without_the_token_is_refused_with_how_to_get_in(one):
    site, client = one
    for path in ["/", "/issue/0321.yaml/", "/issue/0321.yaml/state", "/nowhere"]:
        refused = client.get(path, follow_redirects=False)
        assert (refused.status_code, refused.text) == (403, FORBIDDEN), path
        assert {name: refused.headers.get(name) for name in HEADERS} == HEADERS
    for shape in [f"Token {site.access_token}", f"token  {site.access_token}",
                  f"Bearer {site.access_token}", f"token{site.access_token}",
                  f"token {site.files_token}", f"token {site.site_token}", "token "]:
        assert client.get("/issue/0321.yaml/state", headers={"Authorization": shape}).status_code == 403
    for token in ["", site.access_token[:-1], site.access_token + "x", site.files_token, site.site_token]:
        assert client.get("/issue/0321.yaml/state", params={"token": token}).status_code == 403


def test_the_token_opens_every_route_in_a_header_or_the_url(one):
    site, client = one
    header = {"Authorization": f"token {site.access_token}"}
    assert client.get("/issue/0321.yaml/state", headers=header).json()["subject"] == "Robots, warn"
    assert client.get("/issue/0321.yaml/state", params={"token": site.access_token}).status_code == 200
    # a wrong token in one place does not spoil the right one in the other
    assert client.get("/issue/0321.yaml/state", params={"token": "wrong"}, headers=header).status_code == 200
    assert client.get("/issue/0321.yaml/state", params={"token": site.access_token},
                      headers={"Authorization": "token wrong"}).status_code == 200


def test_the_pages_own_script_and_style_are_served_from_the_preview_templates(one):
    site, client = one
    for name, media in [("preview.js", "text/javascript"), ("preview.css", "text/css")]:
        response = client.get(f"/_preview/{name}", params={"token": site.access_token})
        assert response.status_code == 200, name
        assert response.content == (templates_dir() / "preview" / name).read_bytes()
        assert response.headers["content-type"].startswith(media), name
    missing = client.get("/_preview/page.html.j2/x", params={"token": site.access_token})
    assert missing.status_code == 404


def test_security_headers_come_once_on_every_answer(one):
    site, client = one
    token = {"token": site.access_token}
    for path in ["/issue/0321.yaml/state", "/issue/0321.yaml/email", "/issue/0321.yaml/",
                 "/issue/nope.yaml/", "/_preview/preview.js"]:
        response = client.get(path, params=token)
        assert {name: response.headers.get_list(name) for name in HEADERS} == \
            {name: [value] for name, value in HEADERS.items()}, path


@pytest.mark.parametrize("query", [b"", b"token=the-token"])
def test_a_websocket_is_closed_at_the_gate_even_with_the_token(query):
    # no route takes one; were a websocket library installed and uvicorn's ws="none" dropped,
    # the gate still opens nothing to it
    reached: list[str] = []

    async def inner(scope, receive, send):
        reached.append(scope["type"])

    gate = preview.TokenGate(inner, "the-token", "files-token", "site-token")
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "path": "/events", "query_string": query, "headers": []}
    run_async(gate(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}] and reached == []
    run_async(gate({"type": "lifespan"}, receive, send))
    assert reached == ["lifespan"]  # the server's own start and stop still reach the app


def test_the_files_token_opens_the_emails_images_and_nothing_else(one):
    site, client = one
    files = {"token": site.files_token}
    image = client.get("/issue/0321.yaml/files/issue/images/a.png", params=files)
    assert (image.status_code, image.content) == (200, b"\x89PNG a")
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-security-policy"] == "sandbox; script-src 'none'; object-src 'none'"
    unknown = client.get("/issue/0321.yaml/files/issue/images/data.weird", params=files)
    assert unknown.headers["content-type"] == "application/octet-stream"
    assert client.head("/issue/0321.yaml/files/issue/images/a.png", params=files).status_code == 200
    for path in ["/issue/0321.yaml/state", "/issue/0321.yaml/email", "/issue/0321.yaml/files",
                 "/issues/0321.yaml/files/issue/images/a.png",
                 "/issue/0321.yaml/file/issue/images/a.png", "/", f"/site/{site.site_token}"]:
        assert client.get(path, params=files).status_code == 403, path
    # admitted, but nothing there: 404, never another file
    assert client.get("/issue/0321.yaml/files/", params=files).status_code == 404
    for path in ["/issue/0321.yaml/files/issue/images/missing.png",
                 "/issue/0321.yaml/files/other/images/a.png",
                 "/issue/0321.yaml/files/issue/0321.yaml", "/issue/nope.yaml/files/issue/images/a.png"]:
        missing = client.get(path, params=files)
        assert missing.status_code == 404 and SECRET not in missing.text, path


def test_an_image_asked_for_at_its_files_version_is_kept_privately_and_no_other(one, folder):
    site, client = one
    path, image = "/issue/0321.yaml/files/issue/images/a.png", folder / "images" / "a.png"
    version = preview_builder.file_version(image)
    kept = client.get(path, params={"v": version, "token": site.files_token})
    assert (kept.status_code, kept.headers.get_list("cache-control")) == \
        (200, ["private, max-age=86400, immutable"])
    assert kept.headers["content-security-policy"] == "sandbox; script-src 'none'; object-src 'none'"
    for params in ({}, {"v": "0-0"}, {"v": ""}):
        fetched = client.get(path, params={**params, "token": site.files_token})
        assert (fetched.status_code, fetched.headers.get_list("cache-control")) == (200, ["no-store"]), params
    image.write_bytes(b"\x89PNG changed")  # the same URL now names a version that is gone
    changed = client.get(path, params={"v": version, "token": site.files_token})
    assert (changed.content, changed.headers.get_list("cache-control")) == (b"\x89PNG changed", ["no-store"])


def test_an_image_the_email_shows_but_gone_from_disk_is_404(one, folder):
    site, client = one
    assert client.get("/issue/0321.yaml/email", params={"token": site.access_token}).status_code == 200
    (folder / "images" / "a.png").unlink()
    assert client.get("/issue/0321.yaml/files/issue/images/a.png",
                      params={"token": site.files_token}).status_code == 404


def test_the_sites_key_opens_the_site_alone(many, folder):
    site, client = many
    key = site.site_token
    # reached: the site's own answer (the stand-in issues are no YAML, so it cannot be built)
    assert "The site cannot be built" in client.get(f"/site/{key}/").text
    for path in [f"/site/{key}", "/site/", "/site/wrong/", f"/sites/{key}/", f"/x/site/{key}/",
                 "/issue/0321.yaml/state", "/issue/0321.yaml/files/issue/images/a.png"]:
        assert client.get(path, params={"k": key}, follow_redirects=False).status_code == 403, path
    assert client.get("/", headers={"Authorization": f"token {key}"}).status_code == 403
    # the session's token leads to the key
    token = {"token": site.access_token}
    for path in ["/site/", "/site/wrong/index.html", "/site/wrong"]:
        entrance = client.get(path, params=token, follow_redirects=False)
        assert (entrance.status_code, entrance.headers["location"]) == (307, f"/site/{key}/"), path


def test_one_issue_opens_at_its_page_and_a_folder_at_its_index(one, many):
    site, client = one
    token = site.access_token
    to_page = client.get("/", params={"token": token}, follow_redirects=False)
    assert (to_page.status_code, to_page.headers["location"]) == (307, f"/issue/0321.yaml/?token={token}")
    assert site.first_url() == "/issue/0321.yaml/" and many[0].first_url() == "/"


def test_a_name_with_a_space_is_quoted_in_every_url(folder):
    (folder / "my issue.yaml").write_text("Spaced\n")
    site = Site(folder / "my issue.yaml", build=stand_in_build)
    client = client_of(site)
    assert site.first_url() == "/issue/my%20issue.yaml/"
    state = client.get("/issue/my%20issue.yaml/state", params={"token": site.access_token}).json()
    assert f'src="/issue/my%20issue.yaml/files/issue/images/a.png?token={site.files_token}"' in state["html"]
    many = Site(folder, build=stand_in_build)
    index = client_of(many).get("/", params={"token": many.access_token}).text
    assert f'href="/issue/my%20issue.yaml/?token={many.access_token}">my issue.yaml</a>' in index


def test_the_folders_index_lists_each_issue_with_its_status_subject_and_counts(many, folder):
    site, client = many
    token = site.access_token
    (folder / "0323.yml").write_text("Third, warn\n")
    (folder / "notes.txt").write_text("not an issue\n")
    (folder / "0324.yaml").mkdir()  # a folder, not an issue
    index = client.get("/", params={"token": token})
    assert index.status_code == 200 and index.headers["cache-control"] == "no-store"
    rows = re.findall(r'<tr class="(\w+)">\s*<td><a href="([^"]+)">([^<]+)</a></td>\s*<td>([^<]*)</td>'
                      r'.*?</span>\s*(.*?)</td>', index.text, re.S)
    assert [(c, href, name, subject, " ".join(counts.split()))
            for c, href, name, subject, counts in rows] == [
        ("warnings", f"/issue/0321.yaml/?token={token}", "0321.yaml", "Robots, warn", "1 warning"),
        ("errors", f"/issue/0322.yaml/?token={token}", "0322.yaml", "", "1 error"),
        ("warnings", f"/issue/0323.yml/?token={token}", "0323.yml", "Third, warn", "1 warning")]
    assert f'<a href="/site/{site.site_token}/">The archive site</a>' in index.text
    assert f"<title>Issues in {folder} · preview</title>" in index.text


def test_a_subject_is_shown_as_text_on_the_index_and_the_page_never_as_markup(many, folder):
    site, client = many
    token = {"token": site.access_token}
    (folder / "0323.yaml").write_text('<img src=x onerror="alert(1)"> & <b>bold</b>\n')
    shown = '&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'
    index = client.get("/", params=token).text
    page = client.get("/issue/0323.yaml/", params=token).text
    for html in (index, page):
        assert shown in html and "<img src=x" not in html and "<b>bold" not in html
    assert f"<td>{shown}</td>" in index and f'<strong id="subject">{shown}</strong>' in page


def test_the_index_shows_an_issue_by_its_last_good_subject(many, folder):
    site, client = many
    token = {"token": site.access_token}
    assert "Robots, warn" in client.get("/", params=token).text
    (folder / "0321.yaml").write_text("broken now\n")
    site.builders["0321.yaml"].rebuild()
    row = re.search(r'<tr class="errors">\s*<td><a[^>]*>0321.yaml</a></td>\s*<td>([^<]*)</td>',
                    client.get("/", params=token).text)
    assert row and row.group(1) == "Robots, warn"


def test_the_index_forgets_a_deleted_issue_its_page_does_not(many, folder):
    site, client = many
    token = {"token": site.access_token}
    client.get("/issue/0321.yaml/state", params=token)
    (folder / "0321.yaml").unlink()
    index = client.get("/", params=token).text
    assert "0321.yaml" not in index and ">0322.yaml</a>" in index  # the rows after it stay
    assert f'href="/_preview/preview.css?token={site.access_token}"' in index
    (folder / "0322.yaml").unlink()
    index = client.get("/", params=token).text
    assert "0322.yaml" not in index and "No issue files (*.yaml) in this folder." in index
    # built (viewed, or listed): their pages still say what became of them
    assert set(site.builders) == {"0321.yaml", "0322.yaml"}
    (folder / "0329.yaml").write_text("Never opened\n")
    site.rescan()
    assert "0329.yaml" in site.builders
    (folder / "0329.yaml").unlink()
    site.rescan()
    assert set(site.builders) == {"0321.yaml", "0322.yaml"}
    assert client.get("/issue/0329.yaml/state", params=token).status_code == 404


def test_the_page_names_the_issue_and_links_back_only_from_a_folder(one, many, folder):
    site, client = one
    page = client.get("/issue/0321.yaml/", params={"token": site.access_token})
    assert page.headers["cache-control"] == "no-store"
    assert "<title>Robots, warn · preview</title>" in page.text
    assert f'title="{folder / "0321.yaml"}">0321.yaml</span>' in page.text
    assert f'/_preview/preview.js?token={site.access_token}"' in page.text
    assert 'class="back"' not in page.text
    site, client = many
    page = client.get("/issue/0322.yaml/", params={"token": site.access_token}).text
    assert f'<a class="back" href="/?token={site.access_token}"' in page
    assert "<title>0322.yaml · preview</title>" in page  # no subject yet: its name


def test_the_email_and_its_text_are_the_last_good_ones_and_404_before_any(many, folder):
    site, client = many
    token = {"token": site.access_token}
    email = client.get("/issue/0321.yaml/email", params=token)
    assert email.text.startswith("<p>Robots, warn</p>")
    assert email.headers["content-type"].startswith("text/html")
    assert email.headers["content-security-policy"] == "sandbox; script-src 'none'; object-src 'none'"
    text = client.get("/issue/0321.yaml/text", params=token)
    assert (text.text, text.headers["cache-control"]) == ("text of Robots, warn", "no-store")
    assert text.headers["content-type"].startswith("text/plain")
    for route in ["email", "text"]:
        never = client.get(f"/issue/0322.yaml/{route}", params=token)
        assert (never.status_code, never.text) == (404, "no good render yet"), route
    state = client.get("/issue/0322.yaml/state", params=token)
    assert state.headers["content-type"] == "application/json"
    assert state.headers["cache-control"] == "no-store"
    assert state.json()["status"] == "errors" and state.json()["html"] is None


def test_only_get_and_head_reach_the_files_and_the_site(one):
    site, client = one
    token = {"token": site.access_token}
    assert client.post("/issue/0321.yaml/files/issue/images/a.png", params=token).status_code == 405
    assert client.post(f"/site/{site.site_token}/", params=token).status_code == 405
    assert client.head(f"/site/{site.site_token}/", params=token).status_code not in (403, 405)


# ---------------------------------------------------------------- change, notify, the event streams


def test_a_new_issue_in_the_folder_is_picked_up_and_the_index_told(many, folder):
    site, client = many
    generation = site.generation
    (folder / "0325.yaml").write_text("Fifth\n")
    run_async(site.on_change({folder / "0325.yaml"}))
    assert "0325.yaml" in site.builders and site.generation == generation + 1
    # a file of another folder, or not an issue, is no reason to look
    (folder / "0326.yaml").write_text("Sixth\n")
    run_async(site.on_change({folder / "notes.txt", folder.parent / "0326.yaml"}))
    assert "0326.yaml" not in site.builders and site.generation == generation + 1


def test_a_changed_issue_is_rebuilt_once_and_each_rebuild_told(many, folder):
    site, client = many
    token = {"token": site.access_token}
    client.get("/issue/0321.yaml/state", params=token)
    client.get("/issue/0322.yaml/state", params=token)
    epochs = {name: b.epoch for name, b in site.builders.items()}
    generation = site.generation
    (folder / "0321.yaml").write_text("Robots again\n")
    run_async(site.on_change({folder / "0321.yaml"}))
    assert {n: b.epoch for n, b in site.builders.items()} == {**epochs, "0321.yaml": epochs["0321.yaml"] + 1}
    assert site.generation == generation + 2  # the folder looked at again, then the rebuild
    assert client.get("/issue/0321.yaml/text", params=token).text == "text of Robots again"


def test_a_rebuild_whose_check_follows_is_told_twice_the_render_then_its_check(folder):
    class CheckAfter:
        def __call__(self, issue_path: Path, files_url: str) -> Build:
            return replace(stand_in_build(issue_path, files_url), check_pending=True)

        def check(self, issue_path: Path) -> dict:
            return {"checked": issue_path.read_text(encoding="utf-8").strip()}

    site = Site(folder / "0321.yaml", build=CheckAfter())
    builder = site.builders["0321.yaml"]
    builder.ensure_built()
    epoch, generation = builder.epoch, site.generation
    (folder / "0321.yaml").write_text("Robots again\n")
    run_async(site.on_change({folder.resolve() / "0321.yaml"}))
    assert (builder.epoch, site.generation) == (epoch + 2, generation + 2)
    assert builder.current.check == {"checked": "Robots again"} and not builder.current.check_pending


def test_a_template_change_reloads_the_templates_before_rebuilding(folder, monkeypatch):
    templates = folder / "my-templates"
    templates.mkdir()
    calls: list[str] = []

    def build(issue_path: Path, files_url: str) -> Build:
        calls.append("build")
        return Build(html="x", watched=(issue_path.resolve(),), watched_trees=(templates.resolve(),))

    monkeypatch.setattr(preview, "reload_templates", lambda: calls.append("reload"))
    site = Site(folder / "0321.yaml", build=build)
    site.builders["0321.yaml"].ensure_built()
    run_async(site.on_change({templates.resolve() / "news.mjml.j2"}))
    assert calls == ["build", "reload", "build"]
    calls.clear()
    run_async(site.on_change({folder.resolve() / "0321.yaml"}))
    assert calls == ["build"]


def test_each_rebuild_is_logged_with_its_time_and_status(many, folder, monkeypatch, caplog):
    site, _ = many
    site.builders["0321.yaml"].ensure_built()
    clock = iter([10.0, 12.0])
    monkeypatch.setattr(preview_builder.time, "perf_counter", lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="authoring.preview.server"):
        run_async(site.on_change({folder / "0321.yaml"}))
    assert [r.getMessage() for r in caplog.records] == ["0321.yaml rebuilt in 2000 ms: warnings"]


def test_a_template_change_reloads_them_in_the_worker_too(folder, monkeypatch):
    templates = folder / "my-templates"
    templates.mkdir()
    calls: list[str] = []

    class Worker:  # stands for the build's worker process (IsolatedBuild)
        def reload_templates(self) -> None:
            calls.append("worker reload")

        def close(self) -> None:
            calls.append("worker closed")

    def build(issue_path: Path, files_url: str) -> Build:
        return Build(html="x", watched=(issue_path.resolve(),), watched_trees=(templates.resolve(),))

    monkeypatch.setattr(preview, "reload_templates", lambda: calls.append("reload"))
    site = Site(folder / "0321.yaml", build=build)
    site.isolated = Worker()
    site.builders["0321.yaml"].ensure_built()
    run_async(site.on_change({templates.resolve() / "news.mjml.j2"}))
    site.close()
    assert calls == ["reload", "worker reload", "worker closed"]


def test_a_site_builds_in_the_worker_it_is_given_or_starts_its_own(folder, monkeypatch):
    calls: list[str] = []

    class Worker(preview.IsolatedBuild):  # the build's worker process, without the process
        def __init__(self) -> None:
            calls.append("made")

        def start(self) -> Worker:
            calls.append("started")
            return self

        def __call__(self, issue_path: Path, files_url: str) -> Build:
            calls.append("built")
            return stand_in_build(issue_path, files_url)

        def close(self) -> None:
            calls.append("closed")

    monkeypatch.setattr(preview, "IsolatedBuild", Worker)
    given = Site(folder / "0321.yaml", build=Worker())
    assert given.builders["0321.yaml"].ensure_built().subject == "Robots, warn"
    given.close()
    assert calls == ["made", "built", "closed"]
    calls.clear()
    own = Site(folder / "0321.yaml")
    assert own.builders["0321.yaml"].ensure_built().subject == "Robots, warn"
    own.close()
    assert calls == ["made", "started", "built", "closed"]
    calls.clear()
    plain = Site(folder / "0321.yaml", build=stand_in_build)  # a plain function: no worker
    plain.builders["0321.yaml"].ensure_built()
    plain.close()
    assert calls == []


def test_each_sites_tokens_are_its_own_and_carry_24_random_bytes(folder):
    sites = [Site(folder / "0321.yaml", build=stand_in_build) for _ in range(2)]
    for site in sites:
        for token in (site.access_token, site.files_token, site.site_token):
            assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 bytes, URL-safe base64
        assert re.fullmatch(r"[0-9a-f]{8}", site.token)  # tells one run's epochs from another's
    tokens = [t for site in sites for t in (site.access_token, site.files_token, site.site_token, site.token)]
    assert len(set(tokens)) == 8


def test_the_watch_set_is_the_folders_and_trees_the_builds_read(folder):
    site = Site(folder / "0321.yaml", build=stand_in_build)
    folders, trees = site.watch_set()
    assert folders == {folder.resolve()} and trees == {(ROOT / "templates").resolve()}
    elsewhere = folder.parent / "elsewhere"
    site.builders["0321.yaml"]._build = lambda path, url: Build(
        html="x", watched=(elsewhere / "a.yaml",), watched_trees=(elsewhere / "tpl",))
    site.builders["0321.yaml"].rebuild()
    assert site.watch_set() == ({folder.resolve(), elsewhere}, {(ROOT / "templates").resolve(),
                                                                 elsewhere / "tpl"})


async def events(stream, count: int, *, after=None) -> list[str]:
    """The first ``count`` events of an event stream (fewer if it ends); ``after`` is called
    soon after the first is read, once the stream waits for the next."""
    got = []
    async for event in stream:
        got.append(event)
        if len(got) == 1 and after:
            asyncio.get_running_loop().call_soon(after)
        if len(got) == count:
            break
    await stream.aclose()
    return got


def test_the_build_stream_sends_the_state_then_each_new_one_and_pings_when_idle(one, monkeypatch):
    site, client = one
    builder = site.builders["0321.yaml"]
    builder.ensure_built()
    first = f"{site.token}-{builder.epoch}"
    state = f"id: {first}\nevent: build\ndata: {builder.state_json()}\n\n"

    async def idle() -> tuple[list[str], list[str]]:
        monkeypatch.setattr(preview, "PING_SECONDS", 0.01)
        return (await events(preview._build_events(site, builder, None), 3),
                await events(preview._build_events(site, builder, first), 2))

    # a browser that has this epoch gets pings until there is a newer one
    assert run_async(idle()) == (["retry: 500\n\n", state, ": ping\n\n"], ["retry: 500\n\n", ": ping\n\n"])

    async def rebuilt() -> list[str]:
        monkeypatch.setattr(preview, "PING_SECONDS", 30)
        return await events(preview._build_events(site, builder, first), 2,
                            after=lambda: (builder.rebuild(), site.notify()))

    got = run_async(rebuilt())
    assert builder.epoch == 2 and got == [
        "retry: 500\n\n", f"id: {site.token}-2\nevent: build\ndata: {builder.state_json()}\n\n"]


def test_the_change_stream_counts_notifications_and_ends_when_the_site_closes(many, monkeypatch):
    site, _ = many
    generation = site.generation

    async def streams() -> list[list[str]]:
        monkeypatch.setattr(preview, "PING_SECONDS", 0.01)
        idle = await events(preview._change_events(site), 2)
        monkeypatch.setattr(preview, "PING_SECONDS", 30)
        told = await events(preview._change_events(site), 2, after=site.notify)
        site.close()
        return [idle, told, await events(preview._change_events(site), 5),
                await events(preview._build_events(site, site.builders["0321.yaml"], None), 5)]

    assert run_async(streams()) == [["retry: 500\n\n", ": ping\n\n"],
                                    ["retry: 500\n\n", f"event: change\ndata: {generation + 1}\n\n"],
                                    ["retry: 500\n\n"], ["retry: 500\n\n"]]
    assert site.closing and site.generation == generation + 2


def test_waiting_for_a_notification_says_whether_one_came(many):
    site, _ = many

    async def waits() -> tuple[bool, bool]:
        timed_out = await site.wait(0.01)
        asyncio.get_running_loop().call_soon(site.notify)
        return timed_out, await site.wait(30)

    assert run_async(waits()) == (False, True)


def _taken_run(length: int) -> tuple[int, list[socket.socket]]:
    """A port P with P..P+length-1 taken here and P+length free (sockets to close)."""
    for _ in range(50):
        first = bind(0)
        port, taken = first.getsockname()[1], [first]
        try:
            taken += [bind(p) for p in range(port + 1, port + length)]
            bind(port + length).close()
            return port, taken
        except (OSError, PortInUse):  # a port of the run taken by another program: another run
            for sock in taken:
                sock.close()
    pytest.fail("no run of free ports")


@pytest.mark.parametrize("length", [1, 2, 19])
def test_the_port_suggested_is_the_first_free_one_after_the_taken_one(length):
    port, taken = _taken_run(length)
    try:
        with pytest.raises(PortInUse) as caught:
            bind(port)
        assert caught.value.suggestion == port + length
    finally:
        for sock in taken:
            sock.close()


def test_past_19_taken_ports_any_free_port_is_suggested():
    port, taken = _taken_run(20)
    try:
        with pytest.raises(PortInUse) as caught:
            bind(port)
        suggestion = caught.value.suggestion
        assert suggestion not in range(port, port + 21) and suggestion > 1024
        bind(suggestion).close()
    finally:
        for sock in taken:
            sock.close()


def test_the_last_port_is_suggested_a_port_that_exists():
    suggestion = preview._free_port_near(65535)
    assert 1024 < suggestion < 65535
    bind(suggestion).close()


def test_a_taken_port_is_refused_with_a_free_one_near_it():
    first = bind(0)
    try:
        port = first.getsockname()[1]
        with pytest.raises(PortInUse) as caught:
            bind(port)
        assert str(caught.value) == f"port {port} is already in use"
        assert caught.value.port == port and port < caught.value.suggestion < port + 20
        bind(caught.value.suggestion).close()
    finally:
        first.close()


def test_a_program_run_beside_the_preview_does_not_inherit_its_listening_socket():
    """Even one started without closing descriptors (close_fds=False, os.exec*): it could
    accept the preview's connections, and it keeps the port taken after the preview stops."""
    sock = bind(0)
    try:
        inode = os.fstat(sock.fileno()).st_ino
        probe = (f"import os, sys\ntry:\n    held = os.fstat({sock.fileno()}).st_ino == {inode}\n"
                 "except OSError:\n    held = False\nprint('held' if held else 'not held')")
        child = subprocess.run([sys.executable, "-c", probe], close_fds=False,
                               capture_output=True, text=True, timeout=60)
        assert (child.returncode, child.stdout) == (0, "not held\n"), child.stderr
    finally:
        sock.close()


def test_only_requests_naming_127_0_0_1_or_localhost_are_answered(one):
    site, client = one

    async def host(name: str) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app),
                                     base_url=f"http://{name}") as other:
            response = await other.get("/issue/0321.yaml/state", params={"token": site.access_token})
            return response.status_code

    assert [run_async(host(name)) for name in ["127.0.0.1", "localhost:8000", "evil.example",
                                               "127.0.0.1.evil.example"]] == [200, 200, 400, 400]


def first_lines(server: PreviewServer, path: str, count: int,
                **headers: str) -> tuple[httpx.Headers, list[str]]:
    """The headers and first ``count`` non-empty lines of an event stream."""
    lines: list[str] = []
    with httpx.stream("GET", f"{server.base()}{path}", timeout=30,
                      headers={**auth(server), **headers}) as stream:
        for line in stream.iter_lines():
            if line:
                lines.append(line)
            if len(lines) == count:
                return stream.headers, lines
    return stream.headers, lines


def test_a_running_preview_renders_one_issue_before_the_first_request_and_stops(folder, monkeypatch):
    failures: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    monkeypatch.setattr(preview, "PING_SECONDS", 0.05)
    server = PreviewServer(folder / "0321.yaml", build=stand_in_build).start()
    try:
        builder = server.site.builders["0321.yaml"]
        assert builder.built and server.running  # rendered while starting, not on the first request
        assert server.port > 1024  # a free port of the system's choosing
        assert server.url == f"http://127.0.0.1:{server.port}/issue/0321.yaml/?token={server.site.access_token}"
        assert server.base() == f"http://127.0.0.1:{server.port}"
        assert httpx.get(server.url, follow_redirects=True).status_code == 200
        assert state(server)["subject"] == "Robots, warn"  # the build it was given
        event_id = f"{server.site.token}-{builder.epoch}"
        headers, lines = first_lines(server, "/issue/0321.yaml/events", 3)
        assert (headers["content-type"], headers["cache-control"], headers["x-accel-buffering"]) == \
            ("text/event-stream; charset=utf-8", "no-store", "no")
        assert lines == ["retry: 500", f"id: {event_id}", "event: build"]
        # a browser coming back with the state it has gets no copy of it, only pings
        _, lines = first_lines(server, "/issue/0321.yaml/events", 2, **{"Last-Event-ID": event_id})
        assert lines == ["retry: 500", ": ping"]
        changes: list[str] = []

        def listen() -> None:
            with httpx.stream("GET", f"{server.base()}/events", timeout=30, headers=auth(server)) as stream:
                changes.extend(line for line in stream.iter_lines() if line)

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()  # open while the server stops: the server ends it
        wait_for(lambda: ": ping" in changes)
    finally:
        server.stop()
    listener.join(10)
    assert not server.running and not listener.is_alive() and server.site.closing
    assert changes[0] == "retry: 500"
    assert failures == []  # stopped without an error in its thread
    bind(server.port).close()  # the port is free again
    with running(folder, build=stand_in_build) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/?token={server.site.access_token}"
        assert not any(b.built for b in server.site.builders.values())  # a folder's issues: when asked


def test_the_archive_site_is_answered_from_its_build_in_memory(tmp_path):
    folder = tmp_path / "issues"
    folder.mkdir()
    for name in ("0321.yaml", "publication.yaml"):
        shutil.copy(ISSUES / name, folder / name)
    shutil.copytree(ISSUES / "images", folder / "images")
    site = Site(folder, build=stand_in_build)
    client = client_of(site)
    root = f"/site/{site.site_token}/"
    index = client.get(root)
    assert (index.status_code, index.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert f'http://127.0.0.1{root}' in index.text  # the site's own absolute links: this server
    page = client.get(f"{root}issue-321/index.html")
    assert page.status_code == 200 and "Robots Learn Chores From Video" in page.text
    to_folder = client.get(f"{root}issue-321")  # pages link to folders: the slash is kept
    assert (to_folder.status_code, to_folder.headers["location"]) == (308, "issue-321/")
    feed = client.get(f"{root}feed.xml")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    missing = client.get(f"{root}nope.html")
    assert (missing.status_code, missing.text) == (404, "not found")


def test_a_preview_is_not_running_until_started_and_says_so_if_it_cannot_start(folder, monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the thread's own failure
    server = PreviewServer(folder / "0321.yaml", build=stand_in_build)
    assert not server.running
    server.socket.close()  # nothing to serve on
    with pytest.raises(RuntimeError, match="^the preview server failed to start$"):
        server.start()
    assert not server.running


def test_a_preview_started_in_a_script_does_not_keep_it_from_ending(folder):
    script = ("import sys\nfrom pathlib import Path\nfrom authoring.preview.builder import Build\n"
              "from authoring.preview.server import PreviewServer\n"
              "PreviewServer(Path(sys.argv[1]), build=lambda path, url: Build(html='x')).start()\n"
              "print('started', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script, str(folder / "0321.yaml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "started\n")


def test_stopping_waits_for_a_build_under_way_three_seconds_at_most(folder, capfd):
    building, release = threading.Event(), threading.Event()

    def slow_build(issue_path: Path, files_url: str) -> Build:
        building.set()
        release.wait(60)
        return stand_in_build(issue_path, files_url)

    server = PreviewServer(folder, build=slow_build).start()
    try:
        asking = threading.Thread(target=lambda: get(server, "/issue/0321.yaml/state"), daemon=True)
        asking.start()
        assert building.wait(30)
        server.stop(timeout=30)
        assert not server.running  # gave up on the build after its grace period
    finally:
        release.set()
    out, err = capfd.readouterr()
    assert "Uvicorn running" not in err + out and "Started server process" not in err + out


def crash_when_checking(issue_path: Path):
    """A pre-send check that kills its own process when the issue asks for it."""
    import os
    import signal

    from authoring.preview.builder import deferred_check

    if "CRASH-THE-CHECK" in issue_path.read_text(encoding="utf-8"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return deferred_check(issue_path)


def test_a_check_that_crashes_its_worker_leaves_the_render_shown_and_the_next_save_works(site: Path):
    from authoring.preview.isolated import IsolatedBuild

    issue = site / "0321.yaml"
    source = issue.read_text(encoding="utf-8")
    with running(issue, build=IsolatedBuild(check=crash_when_checking)) as server:
        first = state(server)
        assert first["check"] and not first["check_pending"]
        write_atomic(issue, source.replace("Data Centers Go Nuclear", "CRASH-THE-CHECK").encode())
        crashed = wait_for(lambda: (s := state(server))["epoch"] >= first["epoch"] + 2 and s, timeout=30)
        assert "CRASH-THE-CHECK" in crashed["html"] and not crashed["stale"]
        assert crashed["check"] is None and not crashed["check_pending"]
        write_atomic(issue, source.replace("Data Centers Go Nuclear", "Data Centers Go Fission").encode())
        fixed = wait_for(lambda: (s := state(server))["epoch"] >= crashed["epoch"] + 2 and s, timeout=30)
        assert "Data Centers Go Fission" in fixed["html"] and fixed["check"] and server.running
