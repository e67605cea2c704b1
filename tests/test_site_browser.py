"""The archive site in Chromium: at 1280 and 375 px, light and dark, nothing wider than the screen,
no serious problem for axe-core; the screenshots land in tests/artifacts/ to be looked at."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_render_browser import axe_script  # noqa: F401 - the session fixture that installs axe-core

from authoring.site import SiteOptions, publish_site
from conftest import ISSUES, serious_axe_violations

pytestmark = pytest.mark.browser

PAGES = {"index": "index.html", "issue": "issue-321/index.html",
         "draft": "drafts/002_b0c842497fd11487/index.html"}
WIDTHS = [1280, 375]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """The samples' site (drafts too) served over HTTP, as a web server would: folder URLs open
    their index.html (a file:// URL would list the folder)."""
    out = tmp_path_factory.mktemp("site") / "site"
    publish_site(ISSUES, out, SiteOptions(drafts=True))
    handler = functools.partial(QuietHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_site_page_in_the_browser(browser, site, axe_script, artifacts, name, width, scheme):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.emulate_media(color_scheme=scheme)
        page.goto(site + PAGES[name], wait_until="load")
        page.screenshot(path=str(artifacts / f"site-{name}-{width}-{scheme}.png"), full_page=True)
        layout = page.evaluate("""() => ({
            scrollWidth: document.documentElement.scrollWidth,
            wide: [...document.querySelectorAll('body *')].filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5)
                    && getComputedStyle(e).position !== 'absolute';
            }).map(e => e.outerHTML.slice(0, 80)),
            broken: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
            background: getComputedStyle(document.body).backgroundColor,
        })""")
        assert layout["scrollWidth"] <= width, "horizontal scroll"
        assert layout["wide"] == [], layout["wide"][:3]
        if name != "draft":  # a draft may show a box for a missing picture, never a broken image
            assert layout["broken"] == []
        dark = layout["background"] == "rgb(18, 20, 22)"
        assert dark == (scheme == "dark"), layout["background"]

        serious = serious_axe_violations(page, axe_script)
        assert not serious, serious
    finally:
        page.close()


def test_the_pages_link_to_each_other(browser, site):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(site)
        page.click("text=Robots that learn from video")
        assert page.url == site + "issue-321/"
        assert page.title().endswith(" — The Batch #321")
        page.click("a.name")
        assert page.url == site and page.locator("h1").first.inner_text() == "The Batch"
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_subscribe_form_passes_axe(browser, tmp_path, axe_script, scheme):  # noqa: F811
    from test_site import BASE, make_archive

    settings = f"site: {{base_url: '{BASE}', subscribe_form: 'https://example.org/subscribe'}}"
    out = tmp_path / "site"
    publish_site(make_archive(tmp_path / "issues", [1, 2], site=settings), out)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.emulate_media(color_scheme=scheme)
        page.goto((out / "issue-2" / "index.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.add_script_tag(path=str(axe_script))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 2).map(n => n.html)}))")
        assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    finally:
        page.close()
