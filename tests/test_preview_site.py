"""The preview serves the folder's archive site too (``/site/``), built in memory and rebuilt after an
edit, behind the session's token, and nothing from the disk but what the build made."""

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


def test_the_preview_serves_the_site_live_behind_its_token(folder):
    with running(folder) as server:
        base = server.base()
        assert httpx.get(f"{base}/site/").status_code == 403  # no token: nothing
        assert httpx.get(f"{base}/site/feed.xml").status_code == 403
        token = {"Authorization": f"token {server.site.access_token}"}
        index = httpx.get(f"{base}/site/", headers=token)
        assert index.status_code == 200 and index.headers["cache-control"] == "no-store"
        assert '<a href="issue-321/">' in index.text
        assert "Crawl the Web" in index.text  # drafts too: the preview is for the editors
        page = httpx.get(f"{base}/site/issue-321/", headers=token)
        assert f'<link rel="canonical" href="{base}/site/issue-321/">' in page.text
        feed = httpx.get(f"{base}/site/feed.xml", headers=token)
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert f"{base}/site/issue-321/" in feed.text
        slash = httpx.get(f"{base}/site/issue-321", headers=token)
        assert slash.status_code == 308 and slash.headers["location"] == "issue-321/"
        for path in ("0321.yaml", "publication.yaml", "../secret.txt", "images/chart.png", "%2e%2e/secret.txt"):
            response = httpx.get(f"{base}/site/{path}", headers=token)
            assert response.status_code == 404 and "not for the web" not in response.text, path
        issue = folder / "0321.yaml"
        issue.write_text(issue.read_text().replace("Robots that learn from video", "Robots, edited"))
        assert "Robots, edited" in httpx.get(f"{base}/site/issue-321/", headers=token).text


def test_a_browser_with_the_printed_url_walks_the_site(folder):
    with running(folder) as server, httpx.Client() as browser:
        assert browser.get(server.url, follow_redirects=True).status_code == 200  # sets the cookie
        index = browser.get(f"{server.base()}/site/")
        assert index.status_code == 200
        page = browser.get(f"{server.base()}/site/issue-321/")
        assert page.status_code == 200 and "— The Batch #321</title>" in page.text
