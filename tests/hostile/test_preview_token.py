"""Attack family: the preview's token reaching anyone but the preview's own page.

Cookies do not isolate ports (RFC 6265 section 8.5): a token cookie set by the preview went to
every other server on 127.0.0.1, and two previews on two ports logged each other out (403).
Here: every route of the app (listed from the app itself) refuses a request without the token,
whatever else it carries; no response sets a cookie; and in a real browser, two previews and a
third local server in one context: nothing of either token reaches the third server, and both
previews keep working and reloading live.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import httpx
import pytest
from starlette.routing import Mount, Route

from authoring.files import write_atomic
from authoring.preview.server import PreviewServer, running
from conftest import CHROMIUM_CANDIDATES, ISSUES

HEADLINE = "Robots Learn Chores From Video"
TIMEOUT = 15_000  # ms

SAMPLE_PARAMETERS = {"name": "0321.yaml", "root": "issue", "path": "images/robot-arm.png"}
"""A real value for each path parameter of the app's routes (a new parameter fails the test
until it gets one here, so no route is skipped)."""
MOUNT_SAMPLES = {"/_preview": "/preview.js"}


def copy_issue(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(ISSUES / "0321.yaml", folder / "0321.yaml")
    shutil.copy(ISSUES / "publication.yaml", folder / "publication.yaml")
    shutil.copytree(ISSUES / "images", folder / "images")
    return folder / "0321.yaml"


def every_route(server: PreviewServer) -> list[tuple[str, str]]:
    """(method, concrete path) for each route and method of the running app."""
    found = []
    for route in server.app.routes:
        if isinstance(route, Mount):
            found.append(("GET", route.path + MOUNT_SAMPLES[route.path]))
            continue
        assert isinstance(route, Route), route
        path = route.path_format
        for parameter in route.param_convertors:
            path = path.replace("{" + parameter + "}", SAMPLE_PARAMETERS[parameter])
        assert "{" not in path, path
        found.extend((method, path) for method in sorted(route.methods or {"GET"}))
    return found


def status_of(server: PreviewServer, method: str, path: str, **kwargs) -> tuple[int, httpx.Headers]:
    """The status and headers only: event streams never end, so nothing more is read."""
    with httpx.Client(base_url=server.base(), timeout=20) as client, \
            client.stream(method, path, **kwargs) as response:
        return response.status_code, response.headers


@pytest.fixture
def server(tmp_path: Path):
    with running(copy_issue(tmp_path / "site")) as server:
        yield server


def test_every_route_of_the_app_refuses_a_request_without_the_token(server):
    routes = every_route(server)
    paths = {path for _, path in routes}
    # the routes no test checked before: the text and both event streams
    assert {"/issue/0321.yaml/text", "/issue/0321.yaml/events", "/events"} <= paths
    token = server.site.access_token
    for method, path in routes:
        status, headers = status_of(server, method, path, headers={"Authorization": f"token {token}"})
        assert status in (200, 307), (method, path, status)  # the sample really reaches the route
        assert "set-cookie" not in headers, path
        assert headers["referrer-policy"] == "no-referrer", path
        refusals = {
            "nothing": {},
            "the token as a cookie": {"cookies": {"authoring-preview-token": token}},
            "the token as a cookie named by the port": {"cookies": {f"preview-{server.port}": token}},
            "a wrong token": {"headers": {"Authorization": "token " + "x" * len(token)}},
            "a prefix of the token": {"params": {"token": token[:-1]}},
            "the token with a tail": {"params": {"token": token + "x"}},
            "the token as a bearer": {"headers": {"Authorization": f"Bearer {token}"}},
            "an empty token": {"params": {"token": ""}},
        }
        for shape, kwargs in refusals.items():
            status, headers = status_of(server, method, path, **kwargs)
            assert status == 403, (method, path, shape)
            assert "set-cookie" not in headers, (path, shape)


def test_the_emails_image_urls_carry_a_token_that_opens_only_images(server):
    """The email's HTML comes from templates that may be hostile and can read its image URLs:
    what those carry opens the images the email shows, and no other route."""
    token, files_token = server.site.access_token, server.site.files_token
    assert token != files_token
    state = httpx.get(f"{server.base()}/issue/0321.yaml/state",
                      headers={"Authorization": f"token {token}"}).json()
    assert token not in json.dumps(state) and f"&amp;token={files_token}" in state["html"]  # after v=
    for method, path in every_route(server):
        status, _ = status_of(server, method, path, params={"token": files_token})
        expected = 200 if path.startswith("/issue/0321.yaml/files/") else 403
        assert status == expected, (method, path, status)
    for path in ["/issue/0321.yaml/files/../state", "/issue/0321.yaml/files/issue/../../state",
                 "/issue/0321.yaml/files/issue/0321.yaml"]:
        assert status_of(server, "GET", path, params={"token": files_token})[0] in (403, 404), path


def test_the_token_in_the_url_opens_the_page_and_sets_no_cookie(server):
    with httpx.Client() as browser:
        page = browser.get(server.url, follow_redirects=True)
        assert page.status_code == 200 and HEADLINE.split()[0] in page.text
        assert not browser.cookies and "set-cookie" not in page.headers
        # the page's own links, script and style carry it: they cannot send a header
        token = server.site.access_token
        assert f'/_preview/preview.js?token={token}"' in page.text
        assert f'/_preview/preview.css?token={token}"' in page.text


# ---------------------------------------------------------------- a real browser


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A third local server: records every request's line and headers."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append(f"{self.requestline}\n{self.headers}")
        body = b"<!doctype html><title>other</title><p>another local server</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def third_server():
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_frame_contains(page, text: str) -> None:
    page.wait_for_function(
        "(t) => { const f = document.getElementById('email');"
        " return f && f.contentDocument && f.contentDocument.body"
        " && f.contentDocument.body.innerText.includes(t); }", arg=text, timeout=TIMEOUT)


@pytest.fixture
def own_browser():
    """Chromium for this test alone, closed after it: the session's ``browser`` fixture keeps
    Playwright's event loop running, and later tests that start Playwright themselves (the
    check's browser audit) would find it (these tests run first, from tests/hostile)."""
    executable = next((c for c in CHROMIUM_CANDIDATES if os.path.exists(c)), shutil.which("chromium"))
    if executable is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.browser
def test_two_previews_and_a_third_local_server_in_one_browser(own_browser, tmp_path: Path,
                                                              third_server):
    browser = own_browser
    issue_a, issue_b = copy_issue(tmp_path / "a"), copy_issue(tmp_path / "b")
    third = f"http://127.0.0.1:{third_server.server_address[1]}"
    # the email of preview A links to the other server: a reader clicks it in the preview
    source = issue_a.read_text(encoding="utf-8")
    assert "[the paper](" in source
    issue_a.write_text(source.replace("[the paper](", f"[the paper]({third}/from-email?x=", 1),
                       encoding="utf-8")
    with running(issue_a) as a, running(issue_b) as b:
        context = browser.new_context()
        try:
            page_a, page_b, page_c = context.new_page(), context.new_page(), context.new_page()
            page_a.goto(a.url)
            wait_frame_contains(page_a, HEADLINE)
            page_b.goto(b.url)
            wait_frame_contains(page_b, HEADLINE)
            # the other server is opened from each preview's own page, as a link in an email would
            for page in (page_a, page_b):
                page.evaluate("(u) => window.open(u + '/from-preview', '_blank')", third)
            with context.expect_page() as clicked:
                page_a.frame_locator("#email").locator("a[href*='/from-email']").first.click()
            clicked.value.wait_for_load_state()
            page_c.goto(third + "/direct")
            page_c.wait_for_function("() => document.title === 'other'")
            assert context.cookies() == []
            for page, server in ((page_a, a), (page_b, b)):
                assert page.evaluate("() => sessionStorage.getItem('preview-token')") == \
                    server.site.access_token
            # both previews still work: a save shows in each without a reload, and a reload works
            for issue, page in ((issue_a, page_a), (issue_b, page_b)):
                text = issue.read_text(encoding="utf-8")
                new = f"Edited in {issue.parent.name}"
                write_atomic(issue, text.replace(HEADLINE, new, 1).encode())
                wait_frame_contains(page, new)
                assert page.reload().status == 200
                wait_frame_contains(page, new)
            page_a.wait_for_function("() => document.querySelectorAll('[id=email]').length === 1")
            image = page_a.evaluate(
                "() => [...document.getElementById('email').contentDocument.images]"
                ".filter(i => i.complete && i.naturalWidth > 0).length")
            assert image > 0  # the email's images load: their URLs carry the token
        finally:
            context.close()
    received = "\n".join(_Recorder.seen)
    assert "/from-preview" in received and "/direct" in received and "/from-email" in received
    for token in (a.site.access_token, b.site.access_token):
        assert token not in received
    assert not re.search(r"^cookie:", received, re.IGNORECASE | re.MULTILINE)
