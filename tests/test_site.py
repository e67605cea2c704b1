"""authoring site: the archive's pages, feeds, sitemap, settings, and how it is written."""

from __future__ import annotations

import os
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import html5lib
import pytest
from typer.testing import CliRunner

from authoring import codes
from authoring.commands import app
from authoring.diagnostics import AuthoringError
from authoring.site import SiteOptions, build_site, publish_site
from authoring.site import write as site_write
from authoring.validate import validate_file
from conftest import ISSUES

BASE = "https://www.deeplearning.ai/the-batch/"
SAMPLE = (ISSUES / "0321.yaml").read_text()
SUBJECT_0321 = "Robots that learn from video, a data-center boom, and a new course"


def make_archive(folder: Path, numbers: list[int], *, site: str | None = None) -> Path:
    """A folder of copies of the 0321 sample numbered ``numbers``, dated a week apart in that order,
    each with its own subject; ``site`` replaces publication.yaml's ``site:`` mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    publication = (ISSUES / "publication.yaml").read_text()
    if site is not None:
        publication = publication[:publication.index("site:")] + site + "\n"
    (folder / "publication.yaml").write_text(publication)
    shutil.copytree(ISSUES / "images", folder / "images", dirs_exist_ok=True)
    for n, number in enumerate(numbers):
        write_issue(folder, number, f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}", f"Subject of issue {number}")
    return folder


def write_issue(folder: Path, number: int, date: str, subject: str, name: str | None = None) -> Path:
    text = (SAMPLE.replace("number: 321", f"number: {number}").replace("date: 2026-11-27", f"date: {date}")
            .replace(f'subject: "{SUBJECT_0321}"', f'subject: "{subject}"')
            .replace("issue-321/", f"issue-{number}/"))
    path = folder / (name or f"{number:04d}.yaml")
    path.write_text(text)
    return path


def page(site, path: str) -> str:
    return site.files[path].decode("utf-8")


def meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', html)
    return match.group(1) if match else None


# ---------------------------------------------------------------- the samples


def test_the_samples_build_a_site_with_the_drafts_left_out():
    site = build_site(ISSUES)
    assert sorted(left.source.name for left in site.left_out) == [
        "000_1d7dabc5e949b867.yaml", "001_0c676e81095fd596.yaml", "002_b0c842497fd11487.yaml"]
    pages = [p for p in site.files if p.endswith("index.html")]
    assert pages == ["issue-321/index.html", "index.html"]
    assert {"feed.xml", "rss.xml", "sitemap.xml", "robots.txt"} <= set(site.files)
    images = {p: data for p, data in site.files.items() if p.startswith("images/")}
    sources = {path.name: path.read_bytes() for path in (ISSUES / "images").iterdir()}
    assert len(images) == 5  # the logo and the four pictures 0321 shows
    for path, data in images.items():
        name = path.split("/")[1].split("-", 1)[1]
        assert data == sources[name], path
    for path in images:  # and every page shows each from where it was copied
        assert path.split("/")[-1] in page(site, "issue-321/index.html")


def test_with_drafts_every_sample_has_a_page_marked_noindex_and_kept_out_of_feeds_and_sitemap():
    site = build_site(ISSUES, SiteOptions(drafts=True))
    drafts = ["drafts/000_1d7dabc5e949b867/", "drafts/001_0c676e81095fd596/", "drafts/002_b0c842497fd11487/"]
    for folder in drafts:
        html = page(site, folder + "index.html")
        assert '<meta name="robots" content="noindex">' in html
        assert "Draft: this issue is not published yet." in html
        assert folder not in page(site, "sitemap.xml")
        assert folder not in page(site, "feed.xml") and folder not in page(site, "rss.xml")
    assert "Disallow: /the-batch/drafts/" in page(site, "robots.txt")
    index = page(site, "index.html")
    assert index.count('<strong class="tag">Draft</strong>') == 3
    # drafts first (what comes next), then the published issue
    assert index.index("Crawl the Web") < index.index(SUBJECT_0321)
    assert "noindex" not in page(site, "issue-321/index.html")


def test_a_draft_that_cannot_render_fails_the_build_only_with_drafts(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    (folder / "0002.yaml").write_text("issue: {subject: Broken\nletter: [")
    assert [left.source.name for left in build_site(folder).left_out] == ["0002.yaml"]
    with pytest.raises(AuthoringError) as caught:
        build_site(folder, SiteOptions(drafts=True))
    assert caught.value.reports[0].file.endswith("0002.yaml")
    assert caught.value.reports[0].errors[0].line is not None


# ---------------------------------------------------------------- an issue's page


def test_an_issue_page_has_its_title_canonical_link_description_cards_and_time():
    site = build_site(ISSUES)
    html = page(site, "issue-321/index.html")
    assert f"<title>{SUBJECT_0321} — The Batch #321</title>" in html
    assert f'<link rel="canonical" href="{BASE}issue-321/">' in html
    preheader = "Plus: why small models keep winning, and what it means for your next project."
    assert meta(html, "description") == preheader
    assert meta(html, "og:title") == SUBJECT_0321 and meta(html, "twitter:title") == SUBJECT_0321
    assert meta(html, "og:description") == preheader
    assert meta(html, "og:url") == f"{BASE}issue-321/"
    assert meta(html, "og:type") == "article"
    assert meta(html, "article:published_time") == "2026-11-27T00:00:00+00:00"
    # the first picture (the letter's chart), not the logo, absolute, with its alt text
    image = meta(html, "og:image")
    assert image is not None and re.fullmatch(re.escape(BASE) + r"images/[0-9a-f]{12}-chart\.png", image)
    assert meta(html, "twitter:image") == image
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image:alt", ).startswith("A chart comparing")
    assert '<a class="button" href="https://www.deeplearning.ai/the-batch/#subscribe">' in html
    html5lib.HTMLParser(strict=True).parse(html)  # a well-formed document


def test_an_issue_page_holds_nothing_only_an_inbox_reads():
    html = page(build_site(ISSUES, SiteOptions(drafts=True)), "issue-321/index.html")
    for email_only in ("<!--[if", "<![endif]", "aria-roledescription", "mso-", "xmlns:v", "&#847;",
                       "\u034f", "&zwnj;", "Unsubscribe", "View in browser", "{{", "#outlook"):
        assert email_only not in html, email_only
    assert html.count("<h1") == 1  # the subject; the masthead is not a heading on the web
    assert "<h1>" + SUBJECT_0321 in html.replace('<h1 style="', "<h1>").split('">', 1)[0] or \
        SUBJECT_0321 in re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
    # what the author wrote is all there: every story's headline
    for headline in ("Robots Learn Chores From Video", "Data Centers Go Nuclear"):
        assert headline in html


def test_previous_and_next_link_the_older_and_the_newer_issue(tmp_path):
    site = build_site(make_archive(tmp_path / "issues", [1, 2, 3]))
    middle = page(site, "issue-2/index.html")
    assert re.search(r'<a class="older" rel="prev" href="../issue-1/">.*Subject of issue 1</a>', middle)
    assert re.search(r'<a class="newer" rel="next" href="../issue-3/">.*Subject of issue 3</a>', middle)
    assert 'rel="prev"' not in page(site, "issue-1/index.html")
    assert 'rel="next"' in page(site, "issue-1/index.html")
    assert 'rel="next"' not in page(site, "issue-3/index.html")


def test_a_publication_path_pattern_places_the_pages(tmp_path):
    settings = f"site: {{base_url: '{BASE}', issue_path: 'n/{{number}}'}}"
    folder = make_archive(tmp_path / "issues", [7], site=settings)
    site = build_site(folder)
    html = page(site, "n/7/index.html")
    assert f'<link rel="canonical" href="{BASE}n/7/">' in html
    assert 'href="../../index.html"' not in html and 'href="../../"' in html  # back to the index
    assert re.search(r'src="\.\./\.\./images/[0-9a-f]{12}-chart\.png"', html)


# ---------------------------------------------------------------- the index


def test_the_index_lists_every_issue_newest_first_with_its_number_date_preheader_and_picture():
    site = build_site(ISSUES)
    index = page(site, "index.html")
    assert '<time datetime="2026-11-27">November 27, 2026</time>' in index
    assert "Issue 321" in index and SUBJECT_0321 in index
    assert "Plus: why small models keep winning" in index
    assert re.search(r'<img src="images/[0-9a-f]{12}-chart\.png" alt=""', index)
    assert '<a href="issue-321/">' in index


@pytest.mark.parametrize(("count", "pages"), [(4, 2), (5, 3)])
def test_the_index_paginates_past_the_page_size(tmp_path, count, pages):
    site_settings = f"site: {{base_url: '{BASE}', page_size: 2}}"
    site = build_site(make_archive(tmp_path / "issues", list(range(1, count + 1)), site=site_settings))
    paths = ["index.html"] + [f"page/{n}/index.html" for n in range(2, pages + 1)]
    assert [p for p in site.files if p == "index.html" or p.startswith("page/")] == paths
    assert f"page/{pages + 1}/index.html" not in site.files  # no empty page at the boundary
    listed = [re.findall(r"Subject of issue (\d+)</a></h2>", page(site, p)) for p in paths]
    expected = [str(n) for n in range(count, 0, -1)]
    assert listed == [expected[i:i + 2] for i in range(0, count, 2)]
    second = page(site, "page/2/index.html")
    assert '<a rel="prev" href="../../">Newer issues</a>' in second
    assert '<a aria-current="page" href="../../page/2/">2</a>' in second
    assert ('rel="next"' in second) == (pages > 2)


# ---------------------------------------------------------------- feeds and sitemap


def test_the_feeds_parse_back_with_every_entry_link_date_and_stable_id(tmp_path):
    site = build_site(make_archive(tmp_path / "issues", [1, 2, 3]))
    for name in ("feed.xml", "rss.xml"):
        feed = feedparser.parse(site.files[name])
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.title == "The Batch"
        assert [e.link for e in feed.entries] == [f"{BASE}issue-{n}/" for n in (3, 2, 1)]
        assert [e.title for e in feed.entries] == [f"Subject of issue {n}" for n in (3, 2, 1)]
        assert [tuple(e.published_parsed[:3]) for e in feed.entries] == [(2026, 1, n) for n in (3, 2, 1)]
        assert [e.id for e in feed.entries] == [f"tag:www.deeplearning.ai,2026-01-0{n}:issue-{n}"
                                                for n in (3, 2, 1)]
    atom = feedparser.parse(site.files["feed.xml"])
    content = atom.entries[0].content[0].value
    assert "Robots Learn Chores From Video" in content  # the whole issue, not a summary
    sources = re.findall(r'src="([^"]*)"', content)
    assert sources and all(s.startswith(BASE + "images/") for s in sources)
    own = [h for h in re.findall(r'href="([^"]*)"', content) if urlsplit(h).hostname == "www.deeplearning.ai"]
    assert own
    for href in own:
        params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert params["utm_medium"] == ["feed"] and params["utm_source"] == ["the-batch"]
        assert params["utm_campaign"] == ["the-batch-3"]
    assert "utm_medium=email" not in site.files["feed.xml"].decode()
    # the pages themselves carry no campaign parameters
    assert "utm_" not in page(site, "issue-3/index.html")


def test_feeds_carry_the_newest_feed_size_issues(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2, 3], site=f"site: {{base_url: '{BASE}', feed_size: 2}}")
    feed = feedparser.parse(build_site(folder).files["rss.xml"])
    assert [e.link for e in feed.entries] == [f"{BASE}issue-3/", f"{BASE}issue-2/"]


def test_a_rebuild_gives_the_same_bytes(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    assert build_site(folder).files == build_site(folder).files


def test_the_sitemap_lists_every_page(tmp_path):
    site_settings = f"site: {{base_url: '{BASE}', page_size: 2}}"
    site = build_site(make_archive(tmp_path / "issues", [1, 2, 3], site=site_settings))
    root = ET.fromstring(site.files["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    pages = [BASE + p.removesuffix("index.html") for p in site.files if p.endswith("index.html")]
    assert sorted(locs) == sorted(pages) and len(locs) == 5
    lastmods = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
                for u in root.findall("s:url", ns)}
    assert lastmods[BASE + "issue-2/"] == "2026-01-02"
    assert f"Sitemap: {BASE}sitemap.xml" in page(site, "robots.txt")


# ---------------------------------------------------------------- settings and refusals


@pytest.mark.parametrize(("setting", "code"), [
    ("base_url: ftp://example.org/", codes.SITE_BASE_URL),
    ("issue_path: ../{number}/", codes.SITE_ISSUE_PATH),
    ("issue_path: issue/", codes.SITE_ISSUE_PATH),
    ("issue_path: '/abs/{number}/'", codes.SITE_ISSUE_PATH),
    ("issue_path: 'page/{number}/'", codes.SITE_ISSUE_PATH),  # the index's own pages
    ("issue_path: 'images/{number}'", codes.SITE_ISSUE_PATH),
    ("page_size: 0", codes.SITE_SIZE),
    ("page_size: 1001", codes.SITE_SIZE),
    ("feed_size: 0", codes.SITE_SIZE),
    ("subscribe_form: 'javascript:alert(1)'", codes.UNSAFE_URL),
])
def test_bad_site_settings_are_located_errors(tmp_path, setting, code):
    folder = make_archive(tmp_path / "issues", [], site=f"site:\n  {setting}")
    result = validate_file(folder / "publication.yaml")
    found = [d for d in result.report.errors if d.code == code]
    lines = (folder / "publication.yaml").read_text().splitlines()
    assert found and found[0].line == lines.index(f"  {setting}") + 1, result.report.format_text()


@pytest.mark.parametrize("setting", ["page_size: 1", "page_size: 1000", "issue_path: a/{number}",
                                     "issue_path: pages/{number}/",
                                     "issue_path: 'n{number}.x/'"])
def test_site_settings_at_their_bounds_are_accepted(tmp_path, setting):
    folder = make_archive(tmp_path / "issues", [], site=f"site:\n  {setting}")
    assert validate_file(folder / "publication.yaml").report.errors == []


def test_without_a_base_url_the_build_says_where_to_set_it(tmp_path):
    folder = make_archive(tmp_path / "issues", [1], site="")
    with pytest.raises(AuthoringError) as caught:
        build_site(folder)
    (diagnostic,) = caught.value.reports[0].diagnostics
    assert diagnostic.code == codes.SITE_BASE_URL and diagnostic.file == str(folder / "publication.yaml")
    assert build_site(folder, SiteOptions(base_url="http://127.0.0.1:8000/site")).pages == 1


def test_two_issues_with_one_number_are_refused(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    write_issue(folder, 2, "2026-02-01", "Another two", name="0002b.yaml")
    with pytest.raises(AuthoringError) as caught:
        build_site(folder)
    diagnostics = [d for r in caught.value.reports for d in r.diagnostics]
    assert [d.code for d in diagnostics] == [codes.SITE_URL_TAKEN]
    assert diagnostics[0].line == 4  # at `number:`


def _issue_showing(tmp_path: Path, src: str) -> tuple[Path, Path]:
    folder = make_archive(tmp_path / "issues", [1])
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    (folder / "images" / "link.png").symlink_to(tmp_path / "secret.png")
    (folder / "images" / "vector.svg").write_text("<svg onload='alert(1)'/>")
    issue = folder / "0001.yaml"
    issue.write_text(issue.read_text().replace("images/robot-arm.png", src))
    return folder, issue


@pytest.mark.parametrize("src", ["../secret.png", "images/link.png", "images/none.png"])
def test_an_image_that_is_not_the_issues_file_makes_it_a_draft_and_is_never_copied(tmp_path, src):
    folder, issue = _issue_showing(tmp_path, src)
    (left,) = build_site(folder).left_out
    assert [d.code for d in left.problems] == [codes.MISSING_IMAGE_FILE]
    assert src in issue.read_text().splitlines()[left.problems[0].line - 1]
    site = build_site(folder, SiteOptions(drafts=True))  # the draft's page shows no copy of it
    assert not any(data == b"\x89PNG secret" for data in site.files.values())
    assert f'src="{src}"' in page(site, "drafts/0001/index.html")


def test_an_image_the_site_will_not_publish_stops_the_build(tmp_path):
    folder, issue = _issue_showing(tmp_path, "images/vector.svg")  # an SVG may carry script
    with pytest.raises(AuthoringError) as caught:
        build_site(folder)
    (diagnostic,) = caught.value.reports[0].diagnostics
    assert diagnostic.code == codes.SITE_IMAGE and "images/vector.svg" in diagnostic.message
    assert "images/vector.svg" in issue.read_text().splitlines()[diagnostic.line - 1]


def test_an_image_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    from authoring.site import assets

    monkeypatch.setattr(assets, "MAX_IMAGE_BYTES", 1000)
    folder = make_archive(tmp_path / "issues", [1])
    (folder / "images" / "chart.png").write_bytes(b"\x89PNG" + b"\0" * 995)  # 1000 bytes: allowed
    with pytest.raises(AuthoringError) as caught:
        build_site(folder)  # robot-arm.png and the others are larger
    diagnostics = caught.value.reports[0].diagnostics
    assert all(d.code == codes.SITE_IMAGE for d in diagnostics)
    logo = (folder / "images" / "logo.png").stat().st_size
    messages = [d.message for d in diagnostics]
    assert f"image 'images/logo.png' is {logo:,} bytes, over the limit of 1,000" in messages
    assert not any("chart.png" in d.message for d in diagnostics)
    sizes = {p.name: p.stat().st_size for p in (folder / "images").iterdir()}
    monkeypatch.setattr(assets, "MAX_IMAGE_BYTES", max(sizes.values()))
    assert build_site(folder).pages == 1  # at the limit exactly: copied


def test_a_publication_templates_folder_overrides_the_site_templates(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    (folder / "publication.yaml").write_text((folder / "publication.yaml").read_text()
                                              + "templates: my-templates\n")
    (folder / "my-templates" / "site").mkdir(parents=True)
    (folder / "my-templates" / "site" / "robots.txt.j2").write_text("User-agent: *\nDisallow: /\n")
    assert page(build_site(folder), "robots.txt") == "User-agent: *\nDisallow: /\n"


# ---------------------------------------------------------------- writing


def inodes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def test_a_rebuild_after_one_issue_changes_rewrites_only_what_depends_on_it(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2, 3, 4])
    out = tmp_path / "site"
    first = publish_site(folder, out)
    assert first.written.kept == [] and len(first.written.written) == len(first.site.files)
    before = inodes(out)
    again = publish_site(folder, out)
    del before[site_write.MANIFEST]  # rewritten by every build: it names the new set
    assert again.written.written == [] and inodes(out).items() >= before.items()
    issue = folder / "0002.yaml"
    issue.write_text(issue.read_text().replace("Subject of issue 2", "A new subject for two"))
    changed = publish_site(folder, out)
    # its page, the pages linking to it by subject, the index and the feeds: nothing else
    assert sorted(changed.written.written) == ["feed.xml", "index.html", "issue-1/index.html",
                                               "issue-2/index.html", "issue-3/index.html", "rss.xml"]
    after = inodes(out)
    for path in set(before) - set(changed.written.written):
        assert after[path] == before[path], path
    assert "A new subject for two" in (out / "issue-2" / "index.html").read_text()


def test_a_failed_build_leaves_the_old_site(tmp_path, monkeypatch):
    folder = make_archive(tmp_path / "issues", [1, 2])
    out = tmp_path / "site"
    publish_site(folder, out)
    target, before = os.readlink(out), {p: (out / p).read_bytes() for p in inodes(out)}
    issue = folder / "0002.yaml"
    issue.write_text(issue.read_text().replace("Subject of issue 2", "Changed"))
    calls = {"n": 0}
    real_write = site_write._write

    def full_disk(path, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(site_write, "_write", full_disk)
    with pytest.raises(AuthoringError, match="No space left on device; the site was not changed"):
        publish_site(folder, out)
    assert os.readlink(out) == target
    assert {p: (out / p).read_bytes() for p in inodes(out)} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [".site.lock", target]


def test_a_broken_issue_fails_the_build_before_anything_is_written(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    out = tmp_path / "site"
    publish_site(folder, out)
    target = os.readlink(out)
    (folder / "publication.yaml").write_text((folder / "publication.yaml").read_text() + "  page_size: 0\n")
    with pytest.raises(AuthoringError):
        publish_site(folder, out)
    assert os.readlink(out) == target


def test_a_folder_the_build_did_not_make_is_refused_and_left_alone(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "diary.txt").write_text("private")
    with pytest.raises(AuthoringError) as caught:
        publish_site(folder, mine)
    assert caught.value.reports[0].diagnostics[0].code == codes.SITE_OUTPUT
    assert [p.name for p in mine.iterdir()] == ["diary.txt"]
    link = tmp_path / "link"
    link.symlink_to(mine)  # a link to the user's folder is not followed, not replaced
    with pytest.raises(AuthoringError, match="did not make"):
        publish_site(folder, link)
    assert link.is_symlink() and [p.name for p in mine.iterdir()] == ["diary.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    publish_site(folder, empty)  # an empty folder is taken over
    assert (empty / "index.html").is_file()


def test_files_the_build_did_not_write_are_carried_over_never_deleted(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    out = tmp_path / "site"
    publish_site(folder, out)
    (out / "CNAME").write_text("archive.example.org\n")
    (out / "issue-1" / "notes.txt").write_text("mine")
    (out / "elsewhere").symlink_to(tmp_path)
    (folder / "0002.yaml").unlink()
    result = publish_site(folder, out)
    assert sorted(result.written.carried) == ["CNAME", "elsewhere", "issue-1/notes.txt"]
    assert result.written.removed == ["issue-2/index.html"]
    assert (out / "CNAME").read_text() == "archive.example.org\n"
    assert (out / "issue-1" / "notes.txt").read_text() == "mine"
    assert os.readlink(out / "elsewhere") == str(tmp_path)
    assert not (out / "issue-2").exists()
    write_issue(folder, 3, "2026-03-01", "Three")
    (out / "issue-3").mkdir()
    (out / "issue-3" / "index.html").write_text("hand-made")
    with pytest.raises(AuthoringError, match="was not written by `authoring site`"):
        publish_site(folder, out)
    assert (out / "issue-3" / "index.html").read_text() == "hand-made"


def test_leftovers_of_a_killed_build_are_removed_and_look_alikes_kept(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    out = tmp_path / "site"
    publish_site(folder, out)
    killed = tmp_path / ".site.set-0123456789abcdef"
    killed.mkdir()
    (killed / site_write.MANIFEST).write_bytes(site_write._manifest_bytes("0123456789abcdef", {}))
    (killed / "index.html").write_text("half")
    look_alike = tmp_path / ".site.set-fedcba9876543210"
    look_alike.mkdir()
    (look_alike / "keep.txt").write_text("not ours")
    publish_site(folder, out)
    assert not killed.exists()
    assert (look_alike / "keep.txt").read_text() == "not ours"


def test_two_builds_at_once_take_turns(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    out = tmp_path / "site"
    errors: list[BaseException] = []

    def build() -> None:
        try:
            publish_site(folder, out)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sets = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.set-")]
    assert sets == [os.readlink(out)]
    assert (out / "issue-2" / "index.html").is_file()


# ---------------------------------------------------------------- the command


def test_the_command_builds_the_samples_and_reports_what_it_wrote(tmp_path):
    result = CliRunner().invoke(app, ["site", str(ISSUES), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'site'}/issue-321/index.html" in result.stdout
    assert "built 1 issue page and 1 index page" in result.stderr
    assert "000_1d7dabc5e949b867.yaml left out as a draft (line 4: issue number is missing)" in result.stderr
    again = CliRunner().invoke(app, ["site", str(ISSUES), "-o", str(tmp_path / "site")])
    assert "0 written, 11 unchanged, 0 removed" in again.stderr


def test_the_command_exit_codes(tmp_path):
    missing = CliRunner().invoke(app, ["site", str(tmp_path / "nothing"), "-o", str(tmp_path / "s")])
    assert missing.exit_code == 1 and "not a folder of issues" in missing.stderr
    usage = CliRunner().invoke(app, ["site", str(ISSUES), "--no-such-option"])
    assert usage.exit_code == 2


def test_text_that_speaks_to_an_email_reader_is_a_located_warning_and_stays_on_the_page():
    site = build_site(ISSUES)
    (report,) = site.warnings
    (warning,) = report.diagnostics
    assert warning.code == codes.SITE_EMAIL_TEXT
    line = (ISSUES / "0321.yaml").read_text().splitlines()[warning.line - 1]
    assert line[warning.column - 1:].startswith("Reply to this email")
    assert "Reply to this email or write to" in page(site, "issue-321/index.html")  # nothing lost


def test_a_web_url_elsewhere_than_the_page_is_a_located_warning(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    issue = folder / "0002.yaml"
    issue.write_text(issue.read_text().replace("the-batch/issue-2/", "the-batch/two/"))
    reports = {Path(r.file).name: r for r in build_site(folder).warnings}
    moved = [d for d in reports["0002.yaml"].diagnostics if d.code == codes.SITE_WEB_URL]
    assert len(moved) == 1 and moved[0].line == 8
    assert moved[0].message == (f"web_url is {BASE}two/, but the site puts this issue at {BASE}issue-2/")
    assert not [d for d in reports["0001.yaml"].diagnostics if d.code == codes.SITE_WEB_URL]


def test_the_cards_picture_is_the_first_story_picture_when_the_letter_has_none(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    issue = folder / "0001.yaml"
    issue.write_text(issue.read_text().replace(
        "    ![A chart comparing the cost of API calls and self-hosted models over twelve months]"
        "(images/chart.png)\n", ""))
    html = page(build_site(folder), "issue-1/index.html")
    assert re.fullmatch(re.escape(BASE) + r"images/[0-9a-f]{12}-robot-arm\.png", meta(html, "og:image"))
    alt = "A robot arm stacking colored blocks after watching a video of a person"
    assert meta(html, "og:image:alt") == alt


def test_an_issue_without_pictures_gets_a_summary_card(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    issue = folder / "0001.yaml"
    issue.write_text("issue: {number: 1, date: 2026-01-01, subject: Words only, preheader: "
                     "\"Nothing to see here, only something to read, for a change of pace.\"}\n"
                     "letter: {body: Hello there.}\n")
    site = build_site(folder)
    html = page(site, "issue-1/index.html")
    assert meta(html, "og:image") is None and meta(html, "twitter:card") == "summary"
    assert "<img" not in page(site, "index.html").split('<ol class="issues">')[1]


def test_a_file_of_ours_edited_by_hand_is_written_again(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    out = tmp_path / "site"
    publish_site(folder, out)
    good = (out / "issue-1" / "index.html").read_bytes()
    (out / "issue-1" / "index.html").write_text("defaced")
    result = publish_site(folder, out)
    assert result.written.written == ["issue-1/index.html"]
    assert (out / "issue-1" / "index.html").read_bytes() == good


def test_a_link_to_another_sites_set_is_not_taken_over(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    other = tmp_path / "a" / "site"
    publish_site(folder, other)
    other_set = other.parent / os.readlink(other)
    link = tmp_path / "b" / "site"
    link.parent.mkdir()
    link.symlink_to(other_set)  # absolute, to a set that is ours, but of another site
    with pytest.raises(AuthoringError, match="did not make"):
        publish_site(folder, link)
    assert other_set.is_dir() and (other / "index.html").is_file()


def test_the_dark_logo_keeps_no_outlook_style_on_the_page(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    publication = folder / "publication.yaml"
    publication.write_text(publication.read_text().replace(
        "logo: {src: images/logo.png,", "logo: {src: images/logo.png, dark_src: images/essay.png,"))
    html = page(build_site(folder), "issue-1/index.html")
    assert 'class="lgd"' in html  # the dark variant is there, for prefers-color-scheme
    assert "mso-" not in html and "<!--" not in html


def test_a_broken_or_missing_publication_file_is_reported_once(tmp_path):
    missing = tmp_path / "missing-file.yaml"
    result = CliRunner().invoke(app, ["site", str(ISSUES), "--publication", str(missing),
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.count("missing-file.yaml: error: no such file") == 1
    assert not (tmp_path / "out").exists()
    folder = make_archive(tmp_path / "issues", [1, 2], site=f"site: {{base_url: '{BASE}', page_size: 0}}")
    with pytest.raises(AuthoringError) as caught:
        build_site(folder)
    (report,) = caught.value.reports
    assert report.file == str(folder / "publication.yaml")
    assert [d.code for d in report.diagnostics] == [codes.SITE_SIZE]


def test_a_subscribe_form_posts_an_email_field_to_the_publications_target(tmp_path):
    settings = f"site: {{base_url: '{BASE}', subscribe_form: 'https://example.org/subscribe?list=1&x=2'}}"
    site = build_site(make_archive(tmp_path / "issues", [1], site=settings))
    for path in ("index.html", "issue-1/index.html"):
        html = page(site, path)
        assert ('<form id="subscribe" class="subscribe" '
                'action="https://example.org/subscribe?list=1&amp;x=2" method="post">') in html
        assert '<label for="subscribe-email">' in html and 'name="email"' in html
        assert 'class="button"' not in html  # the form instead of the link


def test_an_issue_in_another_language_says_so_on_its_page(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    issue = folder / "0001.yaml"
    issue.write_text(issue.read_text().replace("  date: ", "  lang: fr\n  date: ", 1))
    site = build_site(folder)
    assert page(site, "issue-1/index.html").startswith('<!doctype html>\n<html lang="fr" dir="ltr">')
    assert '<html lang="en" dir="ltr">' in page(site, "index.html")
