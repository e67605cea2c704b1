"""check/history.py: what already ran in the last 8 issues of the folder, found and quoted.

The issue checked is the hand-written sample (number 321, 2026-11-27); the earlier issues are
small files written beside it, each holding only what a test needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check import history as history_part

HISTORY = CheckOptions(parts={"history"})
HEADLINE = "Robots Learn Chores From Video"
PAPER = "https://arxiv.org/abs/2405.01527"  # linked in the sample's first news story


def _earlier(folder: Path, number: int | None, *, date: str = "2026-11-01", headline: str = "Old news",
             dek: str = "Nothing new.", name: str | None = None, promo: str = "") -> Path:
    file = folder / (name or f"{number:04d}.yaml")
    number_line = f"  number: {number}\n" if number is not None else ""
    file.write_text(f"issue:\n{number_line}  date: {date}\n  subject: \"Earlier\"\nstories:\n"
                    f"  - news:\n      headline: {headline}\n      dek: \"{dek}\"\n{promo}")
    return file


def _history(issue: Path, options: CheckOptions = HISTORY):
    part = check_file(issue, options).part("history")
    assert part is not None
    return part


def _codes(part) -> list[str]:
    return [f.code for f in part.findings]


def test_no_earlier_issue_is_said_in_the_figures_and_nothing_is_judged(issue_copy):
    part = _history(issue_copy)
    assert part.figures == [f"compared with 0 earlier issues in {issue_copy.parent}"]
    assert part.data == {"folder": str(issue_copy.parent), "earlier": []}
    assert part.findings == []


def test_one_earlier_issue_is_named_in_the_singular(issue_copy):
    _earlier(issue_copy.parent, 320, date="2026-11-20")
    part = _history(issue_copy)
    assert part.figures == [f"compared with 1 earlier issue in {issue_copy.parent}: 0320.yaml"]
    assert part.findings == []


def test_the_lookback_is_the_last_8_by_number_newest_first_and_the_oldest_counts(issue_copy):
    folder = issue_copy.parent
    for number in range(312, 321):
        _earlier(folder, number, date=f"2026-10-{number - 300:02d}")
    _earlier(folder, 322, headline=HEADLINE, date="2026-12-01")  # a later issue: not looked at
    part = _history(issue_copy)
    names = [f"0{n}.yaml" for n in range(320, 312, -1)]
    assert part.data["earlier"] == names
    assert part.figures == [f"compared with 8 earlier issues in {folder}: {', '.join(names)}"]
    assert "repeated-headline" not in _codes(part)

    _earlier(folder, 313, headline=HEADLINE, date="2026-10-13")  # the 8th back, the oldest looked at
    (finding,) = [f for f in _history(issue_copy).findings if f.code == "repeated-headline"]
    assert finding.message == f"the headline '{HEADLINE}' already ran (0313.yaml:7)"
    assert finding.severity.value == "warning"
    assert finding.hint == "write a new headline, or drop the story if it is a repeat"
    assert finding.path == ("stories", 1, "news", "headline") and finding.line == 41

    _earlier(folder, 313, date="2026-10-13")
    _earlier(folder, 312, headline=HEADLINE, date="2026-10-12")  # the 9th back: out of the lookback
    assert "repeated-headline" not in _codes(_history(issue_copy))


def test_an_issue_with_the_same_number_is_not_an_earlier_one(issue_copy):
    _earlier(issue_copy.parent, 321, headline=HEADLINE, name="0321-draft.yaml")
    part = _history(issue_copy)
    assert part.data["earlier"] == [] and _codes(part) == ["number-taken"]


def test_same_number_issues_are_all_named_in_one_finding(issue_copy):
    folder = issue_copy.parent
    _earlier(folder, 321, name="b-copy.yaml")
    _earlier(folder, 321, name="a-copy.yaml")
    _earlier(folder, 320, date="2026-11-20")
    (finding,) = _history(issue_copy).findings
    assert finding.code == "number-taken" and finding.severity.value == "warning"
    assert finding.message == "issue number 321 is also the number of a-copy.yaml, b-copy.yaml"
    assert finding.hint == "give this issue its own number (or remove the stale copy)"
    assert finding.path == ("issue", "number") and finding.line == 4


def test_without_a_number_the_earlier_issues_are_those_named_before_it(issue_copy):
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace("  number: 321\n", ""))
    folder = issue_copy.parent
    _earlier(folder, None, name="0300.yaml", headline=HEADLINE)
    _earlier(folder, None, name="0299.yaml")
    _earlier(folder, None, name="0400.yaml", headline="Data Centers Go Nuclear")
    part = _history(issue_copy)
    assert part.data["earlier"] == ["0300.yaml", "0299.yaml"]
    assert _codes(part) == ["repeated-headline"]


def test_earlier_issues_without_a_number_are_left_out_when_this_one_has_one(issue_copy):
    _earlier(issue_copy.parent, None, name="0001.yaml", headline=HEADLINE)
    assert _history(issue_copy).data["earlier"] == []


def test_a_headline_repeats_whatever_its_case_and_punctuation(issue_copy):
    _earlier(issue_copy.parent, 320, date="2026-11-20", headline="robots learn CHORES, from video!")
    (finding,) = _history(issue_copy).findings
    assert finding.code == "repeated-headline" and "(0320.yaml:7)" in finding.message


def test_a_repeated_link_is_one_finding_with_the_address_and_where_it_ran(issue_copy):
    _earlier(issue_copy.parent, 320, date="2026-11-20",
             dek=f"See [a](http://www.arxiv.org/abs/2405.01527/) and [b]({PAPER}).")
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace("Three hyperscalers announced",
                                       f"Three [hyperscalers]({PAPER}) announced"))
    part = _history(issue_copy)
    (finding,) = part.findings  # linked twice here, once reported
    assert finding.code == "repeated-link" and finding.severity.value == "warning"
    assert finding.message == "the link to arxiv.org/abs/2405.01527 already ran (0320.yaml:8)"
    assert finding.hint == "check it is meant to run again (a follow-up says so)"
    assert finding.path == ("stories", 1, "news", "sections", 0, "What’s new")
    assert (finding.line, finding.column) == (49, 25)  # the first of the two, where it is written


def test_links_to_a_home_page_mail_or_merge_tags_are_never_repeats(issue_copy):
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace(
        "hyperscalers announced",
        "[Home](https://www.deeplearning.ai/), [root](https://example.com), [us](mailto:a@b.org), "
        "[you]({{unsubscribe_url}}) said"))
    _earlier(issue_copy.parent, 320, date="2026-11-20",
             dek="[h](https://www.deeplearning.ai/) [r](https://example.com) [m](mailto:a@b.org) "
                 "[u]({{unsubscribe_url}}) [page](https://example.com/page) [w](https://deeplearning.ai)")
    assert _history(issue_copy).findings == []
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace("[root](https://example.com)", "[root](https://example.com/page/)"))
    assert _codes(_history(issue_copy)) == ["repeated-link"]


def test_a_repeated_call_to_action_is_located_at_its_url(issue_copy):
    cta = "https://www.deeplearning.ai/courses/agentic-ai/"
    _earlier(issue_copy.parent, 320, date="2026-11-20", dek=f"[Enroll]({cta})")
    findings = _history(issue_copy).findings
    assert [(f.code, f.path) for f in findings] == [
        ("repeated-link", ("stories", 2, "promo", "cta", "url"))]
    assert findings[0].message == ("the link to deeplearning.ai/courses/agentic-ai already ran "
                                   "(0320.yaml:8)")
    assert findings[0].severity.value == "warning"
    assert findings[0].hint == "check it is meant to run again (a follow-up says so)"


PROMO = ("  - promo:\n      body: >-\n        Learn to build agents that plan, use tools and check their"
         " own work in\n        **Agentic AI**, a new course taught by Andrew Ng.\n")


def test_the_same_promotion_as_the_previous_issue_only(issue_copy):
    folder = issue_copy.parent
    _earlier(folder, 320, date="2026-11-20", promo=PROMO)
    (finding,) = _history(issue_copy).findings
    assert finding.code == "repeated-promo" and finding.severity.value == "warning"
    assert finding.message == "the same promotion ran in the previous issue (0320.yaml)"
    assert finding.hint == "rotate promotions: readers stop seeing one that runs every week"
    assert finding.path == ("stories", 2, "promo") and finding.line == 61

    _earlier(folder, 320, date="2026-11-20")
    _earlier(folder, 319, date="2026-11-13", promo=PROMO)  # two issues back: rotated already
    assert _history(issue_copy).findings == []


def test_the_number_must_follow_the_previous_issue(issue_copy):
    _earlier(issue_copy.parent, 318, date="2026-11-20")
    (finding,) = _history(issue_copy).findings
    assert finding.code == "number-sequence" and finding.severity.value == "warning"
    assert finding.message == "issue 321 does not follow the previous one, 318 (0318.yaml)"
    assert finding.hint == "number it 319, unless issues were skipped on purpose"
    assert finding.path == ("issue", "number") and finding.line == 4


@pytest.mark.parametrize(("date", "error"), [("2026-11-26", False), ("2026-11-27", True),
                                             ("2026-11-28", True)])
def test_the_date_must_be_after_the_previous_issues(issue_copy, date, error):
    _earlier(issue_copy.parent, 320, date=date)
    findings = _history(issue_copy).findings
    if not error:
        assert findings == []
        return
    (finding,) = findings
    assert finding.code == "date-sequence" and finding.is_error
    assert finding.message == f"the date 2026-11-27 is not after the previous issue's, {date} (0320.yaml)"
    assert finding.hint == "set the date this issue goes out"
    assert finding.path == ("issue", "date") and finding.line == 5


def test_unreadable_and_publication_files_are_skipped(issue_copy):
    folder = issue_copy.parent
    (folder / "0319.yaml").write_text("issue: [unclosed\n")
    (folder / "0318.yaml").write_text("stories: []\n")  # no issue: nothing to compare with
    _earlier(folder, 320, date="2026-11-20")
    assert _history(issue_copy).data["earlier"] == ["0320.yaml"]


def test_against_compares_with_another_folder(issue_copy, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    _earlier(archive, 320, date="2026-11-20", headline=HEADLINE)
    part = _history(issue_copy, CheckOptions(parts={"history"}, against=archive))
    assert part.figures == [f"compared with 1 earlier issue in {archive}: 0320.yaml"]
    assert _codes(part) == ["repeated-headline"]


def test_an_earlier_issue_is_read_again_once_it_changes(issue_copy):
    file = _earlier(issue_copy.parent, 320, date="2026-11-20")
    assert _history(issue_copy).findings == []
    stamp = file.stat()
    _earlier(issue_copy.parent, 320, date="2026-11-20", headline=HEADLINE)
    os.utime(file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    assert _codes(_history(issue_copy)) == ["repeated-headline"]


def test_at_most_max_files_are_looked_at(issue_copy, monkeypatch):
    folder = issue_copy.parent
    _earlier(folder, 319, date="2026-11-13")
    _earlier(folder, 320, date="2026-11-20")
    monkeypatch.setattr(history_part, "MAX_FILES", 2)  # 0319.yaml, 0320.yaml; 0321.yaml is not read
    assert _history(issue_copy).data["earlier"] == ["0320.yaml", "0319.yaml"]
    monkeypatch.setattr(history_part, "MAX_FILES", 1)
    assert _history(issue_copy).data["earlier"] == ["0319.yaml"]
    assert history_part.MAX_FILES == 1 and history_part.LOOKBACK == 8


def test_a_missing_file_has_no_stamp(tmp_path):
    assert history_part._stamp(tmp_path / "gone.yaml") == (0, 0)


def test_an_address_urlsplit_refuses_is_no_repeat_and_no_crash(issue_copy):
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace('url: "https://www.deeplearning.ai/courses/agentic-ai/"',
                                       'url: "https://[oops/x"'))
    _earlier(issue_copy.parent, 320, date="2026-11-20", promo=PROMO.replace(
        "Ng.\n", "Ng.\n      cta: {text: Go, url: \"https://[oops/x\"}\n"))
    assert _codes(_history(issue_copy)) == ["repeated-promo"]


def test_the_same_promotion_text_with_another_button_is_still_a_repeat(issue_copy):
    _earlier(issue_copy.parent, 320, date="2026-11-20", promo=PROMO.replace(
        "Ng.\n", "Ng.\n      cta: {text: Sign up, url: \"https://example.org/other\"}\n"))
    assert _codes(_history(issue_copy)) == ["repeated-promo"]
    reworded = PROMO.replace("Learn to build", "Build")
    _earlier(issue_copy.parent, 320, date="2026-11-20", promo=reworded)
    assert _history(issue_copy).findings == []


@pytest.mark.parametrize(("here", "there", "shown"), [
    ("http://example.com/a", "http://example.com/a/", "example.com/a"),  # plain http counts too
    ("https://example.com/X", "https://www.example.com/X", "example.com/X"),  # a one-letter page
    ("https:///abs/1", "https:///abs/1", "/abs/1"),  # no host: the path alone
])
def test_repeated_links_are_compared_and_shown_without_www_or_a_final_slash(issue_copy, here, there, shown):
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace("hyperscalers announced", f"[hyperscalers]({here}) announced"))
    _earlier(issue_copy.parent, 320, date="2026-11-20", dek=f"[x]({there})")
    (finding,) = _history(issue_copy).findings
    assert finding.message == f"the link to {shown} already ran (0320.yaml:8)"


def test_an_issue_numbered_0_is_the_oldest(issue_copy):
    text = issue_copy.read_text()
    issue_copy.write_text(text.replace("number: 321", "number: 2"))
    _earlier(issue_copy.parent, 0, date="2026-11-01")
    _earlier(issue_copy.parent, 1, date="2026-11-02")
    assert _history(issue_copy).data["earlier"] == ["0001.yaml", "0000.yaml"]


def test_without_a_number_a_file_of_the_same_name_elsewhere_is_not_earlier(issue_copy, tmp_path):
    issue_copy.write_text(issue_copy.read_text().replace("  number: 321\n", ""))
    archive = tmp_path / "archive"
    archive.mkdir()
    _earlier(archive, None, name="0321.yaml", headline=HEADLINE)
    _earlier(archive, None, name="0320.yaml")
    part = _history(issue_copy, CheckOptions(parts={"history"}, against=archive))
    assert part.data["earlier"] == ["0320.yaml"] and part.findings == []


def test_files_named_after_the_publication_file_are_read_too(issue_copy):
    _earlier(issue_copy.parent, 321, name="zz-copy.yaml")  # sorts after publication.yaml
    assert _codes(_history(issue_copy)) == ["number-taken"]
