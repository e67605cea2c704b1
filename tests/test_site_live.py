"""The site as the preview serves it: built in memory, rebuilt when a file changes, the last good
build kept on show when an edit breaks it."""

from __future__ import annotations

from pathlib import Path

from test_site import make_archive, write_issue

from authoring.site.live import LiveSite

BASE = "http://127.0.0.1:8000/site/"


def test_pages_feeds_and_images_are_served_from_the_build(tmp_path):
    live = LiveSite(make_archive(tmp_path / "issues", [1, 2]))
    index = live.answer("", BASE)
    assert index.status == 200 and index.content_type == "text/html; charset=utf-8"
    assert b'<a href="issue-2/">' in index.body
    page = live.answer("issue-2/", BASE)
    assert b'<link rel="canonical" href="http://127.0.0.1:8000/site/issue-2/">' in page.body
    redirect = live.answer("issue-2", BASE)
    assert redirect.status == 308 and redirect.headers == {"Location": "issue-2/"}
    assert live.answer("feed.xml", BASE).content_type == "application/atom+xml"
    assert live.answer("rss.xml", BASE).content_type == "application/rss+xml"
    image = next(p for p in live.site.files if p.endswith("chart.png"))
    served = live.answer(image, BASE)
    assert served.content_type == "image/png"
    assert served.body == (tmp_path / "issues" / "images" / "chart.png").read_bytes()
    for outside in ("../publication.yaml", "0001.yaml", "images/chart.png", "/etc/passwd"):
        assert live.answer(outside, BASE).status == 404, outside
    assert live.builds == 1  # nothing changed between these requests


def test_an_edit_rebuilds_and_a_broken_edit_keeps_the_last_good_site_with_its_errors(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2])
    live = LiveSite(folder)
    assert b"Subject of issue 2" in live.answer("issue-2/", BASE).body
    issue = folder / "0002.yaml"
    issue.write_text(issue.read_text().replace("Subject of issue 2", "Edited subject"))
    assert b"Edited subject" in live.answer("issue-2/", BASE).body
    assert live.builds == 2
    good = issue.read_text()
    issue.write_text(good.replace("number: 2", "number: 1"))  # two issues on one page
    broken = live.answer("issue-2/", BASE)
    assert broken.status == 200 and b"Edited subject" in broken.body
    assert b'<div role="alert"' in broken.body and b"site-url-taken" in broken.body
    issue.write_text(good)
    assert b'role="alert"' not in live.answer("issue-2/", BASE).body


def test_a_site_that_never_built_says_why_escaped(tmp_path: Path):
    folder = make_archive(tmp_path / "issues", [1], site="")  # the preview gives the base URL
    write_issue(folder, 1, "2026-01-02", "Another one", name="x<b>.yaml")
    answer = LiveSite(folder).answer("", BASE)
    assert answer.status == 500
    assert b"site-url-taken" in answer.body
    assert b"x&lt;b&gt;.yaml" in answer.body and b"x<b>" not in answer.body


def test_a_rebuild_renders_again_only_the_edited_issue_and_pages_whose_image_changed(tmp_path):
    folder = make_archive(tmp_path / "issues", [1, 2, 3])
    live = LiveSite(folder)
    live.answer("", BASE)
    issue = folder / "0002.yaml"
    issue.write_text(issue.read_text().replace("Subject of issue 2", "Edited subject"))
    assert b"Edited subject" in live.answer("issue-2/", BASE).body
    assert live.memo.hits == 2  # issues 1 and 3 came from the memo
    old = live.answer("issue-1/", BASE).body
    (folder / "images" / "chart.png").write_bytes((folder / "images" / "chart.png").read_bytes() + b"\0")
    new = live.answer("issue-1/", BASE).body
    assert live.memo.hits == 2  # every issue shows the chart: none could be reused
    chart = next(p for p in live.site.files if p.endswith("-chart.png"))
    assert chart.encode() in new and chart.encode() not in old
    assert live.answer(chart, BASE).body.endswith(b"\0")


def test_an_edited_template_of_the_publication_shows_at_once(tmp_path):
    folder = make_archive(tmp_path / "issues", [1])
    publication = folder / "publication.yaml"
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    header = folder / "my-templates" / "email" / "header.mjml.j2"
    header.parent.mkdir(parents=True)
    header.write_text('<mj-text><h2 class="sh">First {{ story.title }}</h2></mj-text>')
    live = LiveSite(folder)
    assert b"First News" in live.answer("issue-1/", BASE).body
    header.write_text('<mj-text><h2 class="sh">Second {{ story.title }}</h2></mj-text>')
    assert b"Second News" in live.answer("issue-1/", BASE).body


def test_a_crash_while_building_is_shown_and_the_last_good_site_stays(tmp_path, monkeypatch):
    from authoring.site import live as live_module

    folder = make_archive(tmp_path / "issues", [1])
    live = LiveSite(folder)
    assert live.answer("issue-1/", BASE).status == 200

    def crash(*args, **kwargs):
        raise RuntimeError("the compiler <panicked>")

    monkeypatch.setattr(live_module, "build_site", crash)
    issue = folder / "0001.yaml"
    issue.write_text(issue.read_text().replace("Subject of issue 1", "Changed"))
    answer = live.answer("issue-1/", BASE)
    assert answer.status == 200 and b"Subject of issue 1" in answer.body
    assert b"building the site failed: RuntimeError: the compiler &lt;panicked&gt;" in answer.body
