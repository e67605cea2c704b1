"""check/spoofing.py: every link of the issue's Markdown and the publication's footer judged,
images and plain-text fields left alone, each finding at its link's text with its hint, and the
links counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.diagnostics import Severity
from conftest import ISSUES

SPOOFING = CheckOptions(parts={"spoofing"})


def _issue(folder: Path, body: str, *, signoff: str = "Keep learning!", footer: str | None = None) -> Path:
    publication = (ISSUES / "publication.yaml").read_text()
    if footer is not None:
        publication = publication.replace("  **Subscribe to The Batch**\n", f"  {footer}\n")
    (folder / "publication.yaml").write_text(publication)
    issue = folder / "0400.yaml"
    indented = "".join(f"    {line}\n" if line else "\n" for line in body.splitlines())
    issue.write_text("issue: {number: 400, date: 2026-12-04, subject: Links,\n"
                     "        preheader: Where each of them goes}\n"
                     f"letter:\n  body: |\n{indented}  signoff: \"{signoff}\"\nstories: []\n")
    return issue


def _part(issue: Path):
    part = check_file(issue, SPOOFING).part("spoofing")
    assert part is not None and part.skipped is None
    return part


def test_one_link_counted_and_found_with_its_hint_at_its_text(tmp_path):
    issue = _issue(tmp_path, "Sign in at [paypal.com](https://evil.example/login) today.")
    part = _part(issue)
    (finding,) = part.findings
    assert finding.code == "link-text-other-host" and finding.severity is Severity.WARNING
    assert (finding.file, finding.line, finding.column) == (str(issue), 5, 17)  # at "paypal.com"
    assert finding.message == "the link text shows 'paypal.com' but the link goes to 'evil.example'"
    assert finding.hint == "make the text name where the link goes, or link words, not an address"
    assert part.figures == ["1 link checked, 1 hiding where they go"]
    assert part.data == {"links": 1, "findings": 1}


def test_the_finding_is_at_the_link_not_an_earlier_mention_of_its_text(tmp_path):
    issue = _issue(tmp_path, "Not paypal.com: [paypal.com](https://evil.example/login)")
    (finding,) = _part(issue).findings
    line = issue.read_text().splitlines()[finding.line - 1]
    assert finding.line == 5 and finding.column == line.index("[paypal.com]") + 2


@pytest.mark.parametrize(("link", "code", "hint"), [
    ("[read more](https://bit.ly/3xYz)", "link-shortener",
     "link the full address: readers and spam filters distrust shorteners"),
    ("[PayPal](https://pаypal.com/)", "mixed-script-host",
     "check the address; type the host in plain ASCII if that is what you meant"),
])
def test_each_kind_has_its_own_hint(tmp_path, link, code, hint):
    (finding,) = _part(_issue(tmp_path, f"See {link}.")).findings
    assert (finding.code, finding.hint) == (code, hint)


def test_images_and_plain_text_fields_are_neither_judged_nor_counted(tmp_path):
    issue = _issue(tmp_path, "![paypal.com](https://bit.ly/x.png)\n\n[our docs](https://example.org/docs)",
                   signoff="[paypal.com](https://evil.example/login)")
    part = _part(issue)
    assert part.findings == []
    assert part.figures == ["1 link checked, 0 hiding where they go"]
    assert part.data == {"links": 1, "findings": 0}


def test_no_link_at_all_is_said_in_the_plural(tmp_path):
    part = _part(_issue(tmp_path, "No links this week."))
    assert part.figures == ["0 links checked, 0 hiding where they go"]
    assert part.data == {"links": 0, "findings": 0}


def test_footer_links_are_counted_and_found_at_the_footer_and_its_images_are_not(tmp_path):
    issue = _issue(tmp_path, "[our docs](https://example.org/docs) and [the code](https://example.org/code)",
                   footer="**Subscribe at [thebatch.com](https://evil.example/)** "
                          "![bit.ly](https://bit.ly/logo.png)")
    part = _part(issue)
    publication = tmp_path / "publication.yaml"
    (finding,) = part.findings
    assert finding.code == "link-text-other-host" and finding.severity is Severity.WARNING
    assert finding.file == str(publication) and finding.path == ("footer",)
    assert finding.line == next(n for n, line in enumerate(publication.read_text().splitlines(), 1)
                                if line.startswith("footer:"))
    assert finding.hint == "make the text name where the link goes, or link words, not an address"
    assert "thebatch.com" in finding.message
    assert part.figures == ["3 links checked, 1 hiding where they go"]
    assert part.data == {"links": 3, "findings": 1}


def test_a_link_whose_text_is_styled_is_found_at_its_line(tmp_path):
    # "[**paypal.com**]" is not "[paypal.com]" as written: the finding falls back on the text
    issue = _issue(tmp_path, "Intro line.\n\nSign in at [**paypal.com**](https://evil.example/login)")
    (finding,) = _part(issue).findings
    assert finding.code == "link-text-other-host"
    assert (finding.line, finding.column) == (7, 19)  # at the words, inside the asterisks


def test_two_links_with_the_same_words_are_each_found_at_their_own(tmp_path):
    issue = _issue(tmp_path, "Read [here](https://bit.ly/a) and\n\nthen [here](https://bit.ly/b), "
                             "or [here](https://bit.ly/b) again.")
    found = _part(issue).findings
    assert [(f.line, f.column) for f in found] == [(5, 11), (7, 11), (7, 40)]
    assert [f.message for f in found] == [
        "'https://bit.ly/a' goes through the shortener bit.ly: nobody can see where",
        "'https://bit.ly/b' goes through the shortener bit.ly: nobody can see where",
        "'https://bit.ly/b' goes through the shortener bit.ly: nobody can see where"]


def test_a_link_whose_address_the_parser_rewrites_is_found_at_its_words_not_a_later_mention(tmp_path):
    # markdown-it writes /ä as /%C3%A4: the address is not found as written
    issue = _issue(tmp_path, "Sign in at [paypal.com](https://evil.example/ä), written `[paypal.com]`.")
    (finding,) = _part(issue).findings
    assert (finding.line, finding.column) == (5, 17)
    assert finding.message == "the link text shows 'paypal.com' but the link goes to 'evil.example'"


def test_a_link_whose_words_wrap_onto_the_next_line_is_found_at_its_address(tmp_path):
    issue = _issue(tmp_path, "Sign in at [pay\npal.com](https://evil.example/login) today.")
    (finding,) = _part(issue).findings
    assert finding.message == "the link text shows 'paypal.com' but the link goes to 'evil.example'"
    assert (finding.line, finding.column) == (6, 14)  # "    pal.com](" then the address
