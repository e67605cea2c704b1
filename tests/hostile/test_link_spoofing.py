"""Attack family: a link that hides where it goes.

Visible text naming one site while the link goes to another, a shortener in front of the real
address, a host written with look-alike letters of another script: each is a finding of
``authoring check`` (part "spoofing"), located at the link in the YAML; honest links are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.links import mixes_scripts, spoofing

FAST = CheckOptions(spam=False)
ANCHOR = "[the paper]("

SPOOFS = [
    ("[paypal.com](https://evil.example/login)", "link-text-other-host"),
    ("[https://www.mybank.de/login](https://mybank.de.evil.example/login)", "link-text-other-host"),
    ("[PayPal.COM](http://xn--pypal-4ve.com/)", "link-text-other-host"),
    ("[paypal.com.](https://evil.example/login)", "link-text-other-host"),  # trailing punctuation
    ("[Log in at https://paypal.com/login now](https://evil.example/)", "link-text-other-host"),
    ("[see www.paypal.com](https://evil.example/)", "link-text-other-host"),
    ("[sign in](https://paypal.com@evil.example/)", "link-text-other-host"),  # a name before the host
    ("[read more](https://bit.ly/3xYz)", "link-shortener"),
    ("[our survey](https://www.tinyurl.com/abc)", "link-shortener"),
    ("[Apple](https://xn--80ak6aa92e.com/)", "mixed-script-host"),  # аррӏе: all Cyrillic + .com
    ("[PayPal](https://pаypal.com/)", "mixed-script-host"),  # a Cyrillic а written as is
    ("[Google](https://gοοgle.com/)", "mixed-script-host"),  # Greek omicrons
]

HONEST = [
    "[deeplearning.ai](https://www.deeplearning.ai/the-batch/)",
    "[https://example.org/a](https://example.org/b?x=1)",
    "[docs.python.org/3](https://docs.python.org/3/)",
    "[the report (PDF)](https://example.org/report.pdf)",
    "[setup.py](https://github.com/x/y/blob/main/setup.py)",
    "[例え.jp](https://例え.jp/)",
    "[пример.рф](https://пример.рф/)",
    "[Unsubscribe]({{unsubscribe_url}})",
    "[ASP.NET and Node.js](https://example.org/)",
    "[Log in at https://example.org/login](https://example.org/)",
]


def _with_link(issue: Path, link: str) -> int:
    text = issue.read_text(encoding="utf-8")
    index = text.index(ANCHOR)
    end = text.index(")", index)
    issue.write_text(text[:index] + link + text[end + 1:], encoding="utf-8")
    return text[:index].count("\n") + 1


@pytest.mark.parametrize(("link", "code"), SPOOFS)
def test_a_spoofing_link_is_a_finding_at_its_line(issue_copy, link, code):
    line = _with_link(issue_copy, link)
    report = check_file(issue_copy, FAST)
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.format_text()
    assert found[0].line == line and found[0].file == str(issue_copy) and not found[0].is_error
    assert report.part("spoofing").data["findings"] >= 1


@pytest.mark.parametrize("link", HONEST)
def test_an_honest_link_is_not(issue_copy, link):
    _with_link(issue_copy, link)
    report = check_file(issue_copy, FAST)
    assert report.part("spoofing").findings == [], report.format_text()


@pytest.mark.parametrize(("host", "mixed"), [
    ("paypal.com", False), ("xn--pypal-4ve.com", True), ("аррӏе.com", True), ("пример.рф", False),
    ("例え.jp", False), ("ドメイン名例.jp", False), ("한국.kr", False), ("мой-site.ru", True),
    ("gοοgle.com", True), ("xn--invalid-!!.com", False), ("ｐａｙｐａｌ.com", False),
])
def test_mixed_scripts_follow_tr39_highly_restrictive(host, mixed):
    assert mixes_scripts(host) is mixed


def test_the_publications_footer_links_are_checked_too(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    text = publication.read_text(encoding="utf-8")
    publication.write_text(text.replace("  **Subscribe to The Batch**",
                                        "  **Subscribe to [thebatch.com](https://t.co/xyz)**"),
                           encoding="utf-8")
    report = check_file(issue_copy, FAST)
    codes = sorted(f.code for f in report.part("spoofing").findings)
    assert codes == ["link-shortener", "link-text-other-host"]
    assert all(f.file == str(publication) for f in report.part("spoofing").findings)


def test_several_problems_of_one_link_are_each_named():
    found = [s.code for s in spoofing("https://xn--bt-rmc.ly/x", "example.com")]
    assert found == ["link-text-other-host", "mixed-script-host"]
