"""The opt-in accessibility part: axe-core in the real headless Chromium, mapped to blocks."""

from __future__ import annotations

import pytest

from authoring.check import CheckOptions, access, check_file
from conftest import ROOT

pytestmark = pytest.mark.browser

ACCESS_ONLY = CheckOptions(parts={"access"})


def test_clean_sample_has_no_serious_problem(issue_copy):
    part = check_file(issue_copy, ACCESS_ONLY).part("access")
    assert part is not None and part.skipped is None, part.skipped
    assert part.data["views"] == ["600 px light", "600 px dark", "375 px light", "375 px dark"]
    # the shipped axe-core, named by the version in its own first line
    assert part.figures[0].startswith("axe-core 4.10.3 at 600 px light, 600 px dark, 375 px light, ")
    assert not [f for f in part.findings if f.is_error], [f.message for f in part.findings]
    # a web page's structure rules are off: an email is one article inside the client's page
    # (with them on, the sample shows landmark-one-main and region)
    assert not {p["rule"] for p in part.data["problems"]} & set(access.PAGE_ONLY_RULES)


def test_faint_text_in_a_news_template_is_found_in_the_stories_it_shows_in(issue_copy):
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    builtin = (ROOT / "templates" / "email" / "news.mjml.j2").read_text()
    (folder / "news.mjml.j2").write_text(builtin.replace("<mj-text", '<mj-text color="#d4d4d4"'))
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    part = check_file(issue_copy, ACCESS_ONLY).part("access")
    assert part is not None and part.skipped is None, part.skipped
    contrast = [f for f in part.findings if f.code == "a11y-serious" and "color-contrast" in f.message]
    assert contrast and all(f.is_error for f in contrast)
    first = min(contrast, key=lambda f: f.line or 0)
    assert first.path == ("stories", 1)
    lines = issue_copy.read_text().splitlines()
    assert lines[first.line - 1].strip() == "- news:"
    assert "stories[1] news “Robots Learn Chores From Video”" in first.message
    assert "600 px light" in first.message


def test_a_problem_only_on_phones_or_only_in_dark_mode_names_only_those_views(issue_copy):
    folder = issue_copy.parent / "my-templates" / "email"
    folder.mkdir(parents=True)
    builtin = (ROOT / "templates" / "email" / "news.mjml.j2").read_text()
    probe = ("<style>@media (max-width:479px){.phone-faint{color:#d4d4d4 !important}}"
             "@media (prefers-color-scheme:dark){.dark-faint{color:#2a2a2a !important}}</style>"
             '<p class="phone-faint">Faint on phones</p><p class="dark-faint">Faint in the dark</p>')
    (folder / "news.mjml.j2").write_text(builtin.replace("</mj-text>", probe + "</mj-text>", 1))
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "templates: my-templates\n")
    part = check_file(issue_copy, ACCESS_ONLY).part("access")
    assert part is not None and part.skipped is None, part.skipped
    (problem, *_) = [p for p in part.data["problems"] if p["rule"] == "color-contrast"]
    # 375 px light: the phone's faint text; the dark views: the dark one's (at 375 px, both)
    assert problem["views"] == ["600 px dark", "375 px light", "375 px dark"]
    assert problem["block"] == "stories[1]" and 'class="dark-faint"' in problem["html"]


def test_the_audit_fetches_nothing_not_even_the_emails_images(issue_copy):
    """Images off the network would ping their hosts (tracking pixels among them): the audit
    runs offline, its requests refused inside the browser."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Counting(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        publication = issue_copy.with_name("publication.yaml")
        base = f"http://127.0.0.1:{server.server_port}/"
        publication.write_text(publication.read_text().replace(
            "image_base_url: https://www.deeplearning.ai/the-batch/", f"image_base_url: {base}"))
        from authoring.check.build import build

        assert f'src="{base}images/' in build(issue_copy).marked_html  # the images are the server's
        part = check_file(issue_copy, ACCESS_ONLY).part("access")
    finally:
        server.shutdown()
        server.server_close()
    assert part is not None and part.skipped is None, part.skipped
    assert asked == []
