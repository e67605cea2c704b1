"""The preview serves the folder's archive site too (``/site/KEY/``): built in memory and rebuilt
after an edit, opened by a key of its own that opens nothing else, nothing served from disk but
what the build made."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from authoring.preview.server import running
from conftest import ISSUES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "issues"
    folder.mkdir()
    for name in ("0321.yaml", "publication.yaml", "000_1d7dabc5e949b867.yaml"):
        shutil.copy(ISSUES / name, folder / name)
    shutil.copytree(ISSUES / "images", folder / "images")
    (tmp_path / "secret.txt").write_text("not for the web")
    return folder


@pytest.fixture
def server(folder: Path):
    with running(folder) as server:
        yield server


def test_the_session_token_leads_to_the_site_whose_key_opens_it(server, folder):
    base, key = server.base(), server.site.site_token
    session = {"Authorization": f"token {server.site.access_token}"}
    entrance = httpx.get(f"{base}/site/", headers=session)
    assert entrance.status_code == 307 and entrance.headers["location"] == f"/site/{key}/"
    assert httpx.get(f"{base}/site/").status_code == 403
    site = f"{base}/site/{key}/"
    index = httpx.get(site)  # the key in the path is enough: the pages' relative links keep it
    assert index.status_code == 200 and index.headers["cache-control"] == "no-store"
    assert index.headers["referrer-policy"] == "no-referrer"
    assert '<a href="issue-321/">' in index.text
    assert "Crawl the Web" in index.text  # drafts too: the preview is for the editors
    page = httpx.get(f"{site}issue-321/")
    assert f'<link rel="canonical" href="{site}issue-321/">' in page.text
    feed = httpx.get(f"{site}feed.xml")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert f"{site}issue-321/" in feed.text
    slash = httpx.get(f"{site}issue-321")
    assert slash.status_code == 308 and slash.headers["location"] == "issue-321/"
    for path in ("0321.yaml", "publication.yaml", "../secret.txt", "images/chart.png",
                 "%2e%2e/secret.txt"):
        response = httpx.get(site + path)
        assert response.status_code in (403, 404) and "not for the web" not in response.text, path
    issue = folder / "0321.yaml"
    issue.write_text(issue.read_text().replace("Robots that learn from video", "Robots, edited"))
    assert "Robots, edited" in httpx.get(f"{site}issue-321/").text


def test_the_sites_key_opens_nothing_else_and_no_other_token_opens_the_site(server):
    base, key = server.base(), server.site.site_token
    for path in ("/", "/issue/0321.yaml/state", "/issue/0321.yaml/email",
                 "/issue/0321.yaml/files/issue/images/chart.png", "/events"):
        assert httpx.get(f"{base}{path}", params={"token": key}).status_code == 403, path
        assert httpx.get(f"{base}{path}", headers={"Authorization": f"token {key}"}).status_code == 403
    assert httpx.get(f"{base}/site/{key[:-1]}/").status_code == 403
    assert httpx.get(f"{base}/site/{key}x/").status_code == 403
    assert httpx.get(f"{base}/site/{server.site.files_token}/").status_code == 403
    assert httpx.get(f"{base}/site/x/", params={"token": server.site.files_token}).status_code == 403


def test_a_browser_walks_the_site_by_its_links(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(f"{server.base()}/site/{server.site.site_token}/")
        page.click("text=Robots that learn from video")
        page.wait_for_load_state("load")  # the click waits for the navigation, not its images
        assert page.url.endswith("/issue-321/") and page.title().endswith(" — The Batch #321")
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        page.click("a.name")
        assert page.locator("h1").first.inner_text() == "The Batch"
    finally:
        page.close()


def test_the_folders_index_links_to_the_site(server):
    index = httpx.get(server.base() + "/", headers={"Authorization": f"token {server.site.access_token}"})
    assert f'<a href="/site/{server.site.site_token}/">The archive site</a>' in index.text
