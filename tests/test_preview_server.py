"""The preview server: what it serves, to whom, under load, on edits, and how it stops."""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from authoring.files import write_atomic
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
