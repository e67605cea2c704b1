"""The inbox part: what the reader sees before opening (subject, preheader, From), each limit at
its edge, each finding with its figures, its words and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring.check import CheckOptions, PartResult, check_file
from authoring.check.build import build
from authoring.check.inbox import _VAGUE, _repeats
from authoring.check.inbox import _campaign as campaign
from authoring.diagnostics import Severity
from conftest import ISSUES, edit, line_of

INBOX = CheckOptions(parts={"inbox"})
SUBJECT = "Robots that learn from video, a data-center boom, and a new course"
PREHEADER = "Plus: why small models keep winning, and what it means for your next project."
FILLER = "Plus: why small models keep winning and what it means for your next project and more "


def _inbox(issue: Path) -> PartResult:
    part = check_file(issue, INBOX).part("inbox")
    assert part is not None
    return part


def _codes(issue: Path) -> list[str]:
    return [f.code for f in _inbox(issue).findings]


def _one(issue: Path, code: str):
    found = [f for f in _inbox(issue).findings if f.code == code]
    assert len(found) == 1, found
    return found[0]




def _text(length: int) -> str:
    """Words (no repeat of the sample's subject or first line), exactly ``length`` characters."""
    text = (FILLER * 3)[:length]
    text = text[:-1] + "s" if text.endswith(" ") else text
    assert len(text) == length
    return text


def test_figures_give_the_subject_preheader_and_sender(issue_copy):
    part = _inbox(issue_copy)
    assert part.figures == [
        f"subject 66 characters (inboxes show about 60, phones 35-40): {SUBJECT}",
        f"preheader 77 characters: {PREHEADER}",
        "from The Batch from DeepLearning.AI <thebatch@deeplearning.ai>"]
    assert part.data == {"subject_chars": 66, "preheader_chars": 77,
                         "from": {"name": "The Batch from DeepLearning.AI",
                                  "email": "thebatch@deeplearning.ai"}}


def test_no_preheader_is_said_in_the_figures_and_left_to_validation(issue_copy):
    edit(issue_copy, f'preheader: "{PREHEADER}"', 'preheader: "   "')
    part = _inbox(issue_copy)
    assert part.figures[1] == "preheader 0 characters (none)"  # not "3 characters:    "
    assert part.data["preheader_chars"] == 0
    assert [f.code for f in part.findings] == ["subject-length"]  # no length, no repeat


def test_an_issue_without_a_preheader_says_none(issue_copy):
    edit(issue_copy, f'  preheader: "{PREHEADER}"\n', "")
    part = _inbox(issue_copy)
    assert part.figures[1] == "preheader 0 characters (none)" and part.data["preheader_chars"] == 0
    assert [f.code for f in part.findings] == ["subject-length"]  # missing-preheader is validation's


def test_the_samples_subject_is_cut_in_the_inbox_at_its_line(issue_copy):
    finding = _one(issue_copy, "subject-length")
    assert finding.message == ("the subject is 66 characters: inboxes cut it after about 60 "
                               "(phones after 35-40)")
    assert finding.hint == "put the words that matter first, or shorten it"
    assert finding.severity == Severity.WARNING and finding.path == ("issue", "subject")
    assert finding.line == line_of(issue_copy, "subject:")


@pytest.mark.parametrize(("length", "warned"), [(60, False), (61, True), (90, True), (91, False)])
def test_subject_length_is_warned_from_61_to_90_characters(issue_copy, length, warned):
    """Past 90 validation's long-subject says it; up to 60 every desktop inbox shows it whole."""
    edit(issue_copy, f'subject: "{SUBJECT}"', f'subject: "{_text(length)}"')
    assert ("subject-length" in _codes(issue_copy)) is warned


@pytest.mark.parametrize(("length", "message", "hint"), [
    (39, "the preheader is 39 characters: inboxes fill the rest of the preview line from the start "
         "of the email", "write 40-140 characters"),
    (141, "the preheader is 141 characters: inboxes show about 140",
     "put what matters in the first 90 characters")])
def test_a_preheader_too_short_or_too_long_is_warned_at_its_line(issue_copy, length, message, hint):
    edit(issue_copy, f'preheader: "{PREHEADER}"', f'preheader: "{_text(length)}"')
    finding = _one(issue_copy, "preheader-length")
    assert (finding.message, finding.hint) == (message, hint)
    assert finding.severity == Severity.WARNING and finding.path == ("issue", "preheader")
    assert finding.line == line_of(issue_copy, "preheader:")


@pytest.mark.parametrize("length", [40, 140])
def test_a_preheader_of_40_or_140_characters_is_fine(issue_copy, length):
    edit(issue_copy, f'preheader: "{PREHEADER}"', f'preheader: "{_text(length)}"')
    assert "preheader-length" not in _codes(issue_copy)


@pytest.mark.parametrize(("preheader", "what"), [
    ("Robots that learn from video, and more this week", "the subject"),
    # the letter's first paragraph: the same first four words read as a repeat
    ("This week I want robots, chips and a course for you", "the first line of the email")])
def test_a_preheader_that_repeats_is_warned_at_its_line(issue_copy, preheader, what):
    edit(issue_copy, f'preheader: "{PREHEADER}"', f'preheader: "{preheader}"')
    finding = _one(issue_copy, "preheader-repeats")
    assert finding.message == f"the preheader repeats {what}: the inbox shows the same words twice"
    assert finding.hint == "use it for what the subject leaves out (“Plus: ...”)"
    assert finding.severity == Severity.WARNING and finding.line == line_of(issue_copy, "preheader:")


@pytest.mark.parametrize("preheader", [
    "This week I talk about robots, chips and a course for you",  # three words alike
    "Over the past year I have watched teams choose their models"])  # the letter's second paragraph
def test_a_preheader_that_only_shares_a_start_or_a_later_paragraph_is_no_repeat(issue_copy, preheader):
    edit(issue_copy, f'preheader: "{PREHEADER}"', f'preheader: "{preheader}"')
    assert "preheader-repeats" not in _codes(issue_copy)


def test_without_a_letter_the_first_story_is_the_first_line(issue_copy):
    text = issue_copy.read_text()
    start, end = text.index("letter:\n"), text.index("stories:\n")
    issue_copy.write_text(text[:start] + text[end:])
    edit(issue_copy, f'preheader: "{PREHEADER}"', 'preheader: "News from the labs: chips and a course"')
    finding = _one(issue_copy, "preheader-repeats")  # the header's title, "News"
    assert "the first line of the email" in finding.message
    edit(issue_copy, "  - header: News\n", "")
    assert "preheader-repeats" not in _codes(issue_copy)
    edit(issue_copy, 'preheader: "News from the labs: chips and a course"',
          'preheader: "Robots learn chores from video at home, and more"')
    assert "the first line of the email" in _one(issue_copy, "preheader-repeats").message  # a headline


def _without_letter(issue: Path, first_story: str = "") -> None:
    """The issue with no letter, and ``first_story`` (YAML lines) in place of the "News" header."""
    text = issue.read_text()
    start, end = text.index("letter:\n"), text.index("stories:\n")
    issue.write_text(text[:start] + text[end:].replace("  - header: News\n", first_story, 1))


def test_a_headline_repeats_as_a_whole_not_by_its_first_word(issue_copy):
    _without_letter(issue_copy)
    edit(issue_copy, f'preheader: "{PREHEADER}"', 'preheader: "Robots everywhere: chips, courses and more"')
    assert "preheader-repeats" not in _codes(issue_copy)


def test_a_text_storys_first_paragraph_is_the_first_line(issue_copy):
    _without_letter(issue_copy, "  - text: |\n      Hi all,\n\n      This week robots.\n\n      More soon.\n")
    edit(issue_copy, f'preheader: "{PREHEADER}"', 'preheader: "Hi all, robots learn chores at home"')
    assert "the first line of the email" in _one(issue_copy, "preheader-repeats").message


def test_a_short_first_paragraph_of_the_letter_is_the_first_line(issue_copy):
    """Under four words the paragraph itself must start the preheader: not the body's start."""
    edit(issue_copy, "    This week I want to share", "    Hello friends,\n\n    This week I want to share")
    edit(issue_copy, f'preheader: "{PREHEADER}"', 'preheader: "Hello friends, robots learn chores at home"')
    assert "the first line of the email" in _one(issue_copy, "preheader-repeats").message


def test_repeats_compare_words_not_punctuation_or_case():
    assert _repeats("ROBOTS that learn... from video!", "Robots that learn from video, and more")
    assert _repeats("Robots that learn from", "robots that learn from video")
    assert not _repeats("Robots that learn to", "robots that learn from video")
    assert not _repeats("— … —", "anything at all")  # no words: no repeat
    assert not _repeats("Robots that learn", "")


def test_an_emoji_only_subject_is_warned_with_what_it_costs(issue_copy):
    edit(issue_copy, f'subject: "{SUBJECT}"', 'subject: " 🤖🔥 "')
    finding = _one(issue_copy, "emoji-subject")
    assert finding.message == ("the subject '🤖🔥' is emoji alone: some inboxes show boxes, screen "
                               "readers read out emoji names, and spam filters score it")
    assert finding.hint == "say in words what the issue holds; an emoji may follow the words"
    assert finding.path == ("issue", "subject") and finding.line == line_of(issue_copy, "subject:")
    assert finding.severity == Severity.WARNING


@pytest.mark.parametrize("subject", ["🤖 3", "!!! ???"])
def test_a_digit_beside_an_emoji_or_punctuation_alone_is_no_emoji_subject(issue_copy, subject):
    edit(issue_copy, f'subject: "{SUBJECT}"', f'subject: "{subject}"')
    assert "emoji-subject" not in _codes(issue_copy)


def _poster_issue(folder: Path, body: str, *, more: str = "") -> Path:
    (folder / "images").mkdir()
    for name in ("poster.png", "second.png"):
        (folder / "images" / name).write_bytes((ISSUES / "images" / "chart.png").read_bytes())
    (folder / "publication.yaml").write_text((ISSUES / "publication.yaml").read_text())
    issue = folder / "0400.yaml"
    indented = "".join(f"    {line}\n" if line else "\n" for line in body.splitlines())
    issue.write_text(
        "issue: {number: 400, date: 2026-12-04, subject: Our sale,\n"
        "        preheader: Everything is on sale this week only}\n"
        f"letter:\n{more}  body: |\n{indented}stories: []\n")
    return issue


def test_49_words_beside_an_image_is_image_heavy_and_says_so(tmp_path):
    issue = _poster_issue(tmp_path, "![Everything half price](images/poster.png)\n\n"
                          + "See you at the sale. " * 9 + "See you at the")
    finding = _one(issue, "image-heavy")
    assert finding.message == ("the email is 1 image and 49 words of text: with images off readers "
                               "see almost nothing, and spam filters score the low text-to-image ratio")
    assert finding.hint == ("write the message as text (at least 50 words) and keep the image as an "
                            "illustration")
    assert finding.severity == Severity.WARNING and finding.line == 4  # the body holding the image


def test_two_images_and_one_word(tmp_path):
    issue = _poster_issue(tmp_path, "![Everything](images/poster.png)\n\nSale\n\n"
                          "![Half price](images/second.png)")
    assert "the email is 2 images and 1 word of text:" in _one(issue, "image-heavy").message


def test_the_sign_off_addresses_and_alt_text_are_no_words_of_the_message(tmp_path):
    """Only what a reader reads as the message counts: not the sign-off and signature, not the
    URLs of links, not an image's alt text."""
    many = " ".join(["word"] * 30)
    issue = _poster_issue(
        tmp_path, f"![{many}](images/poster.png)\n\n"
        "See [the sale](https://www.deeplearning.ai/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/"
        "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/).",
        more=f"  signoff: {many}\n  signature: {many}\n")
    assert "1 image and 3 words of text" in _one(issue, "image-heavy").message


def test_the_issues_footer_and_an_images_alt_are_no_words_of_the_message(tmp_path):
    many = " ".join(["word"] * 30)
    issue = _poster_issue(tmp_path, "See you at the sale.")
    issue.write_text(issue.read_text().replace(
        "stories: []\n",
        f"stories:\n  - news:\n      image: {{src: images/second.png, alt: {many}}}\n"
        f"      headline: Sale\n      sections:\n        - Why: Prices\nfooter: {many}\n"))
    assert "the email is 1 image and 7 words of text:" in _one(issue, "image-heavy").message


def test_no_image_no_image_heavy(tmp_path):
    issue = _poster_issue(tmp_path, "Sale")
    assert "image-heavy" not in _codes(issue)


@pytest.mark.parametrize("name", ["Newsletter", "  Newsletter  ", "", "  "])
def test_the_default_from_name_is_warned_at_its_line_in_the_publication(issue_copy, name):
    publication = issue_copy.with_name("publication.yaml")
    edit(publication, "name: The Batch from DeepLearning.AI,", f'name: "{name}",')
    finding = _one(issue_copy, "default-from-name")
    assert finding.message == f"the From name is '{name}': readers decide to open by it"
    assert finding.hint == "set sender.name to the newsletter's name"
    assert finding.file == str(publication) and finding.line == line_of(publication, "sender:")
    written = publication.read_text().splitlines()[finding.line - 1]
    assert finding.column == written.index(f'"{name}"') + 1 and finding.path == ("sender", "name")
    assert finding.severity == Severity.WARNING


@pytest.mark.parametrize("words", sorted(_VAGUE))
def test_every_vague_link_text_is_warned_at_its_words(issue_copy, words):
    edit(issue_copy, "[the paper](", f"[{words.upper()}!](")
    finding = _one(issue_copy, "vague-link-text")
    assert finding.message == (f"the link text '{words.upper()}!' says nothing about where it goes "
                               "(screen readers list links by their text; spam filters dislike it)")
    assert finding.hint == "link the words that name the target: “[read the paper](...)”"
    line = line_of(issue_copy, f"[{words.upper()}!]")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert (finding.line, finding.column) == (line, written.index(f"[{words.upper()}!]") + 2)
    assert finding.severity == Severity.WARNING and finding.path[:2] == ("stories", 1)


def test_the_same_vague_words_linked_twice_are_two_findings_each_at_its_link(issue_copy):
    """Not at the word written before the links, and not both at the first link (where the
    report, printing each finding once, showed only one)."""
    edit(issue_copy, "    This week I want to share", "    Look here: [here](https://a.example/) and "
          "[here](https://b.example/).\n    This week I want to share")
    report = check_file(issue_copy, CheckOptions(spam=False))
    found = [f for f in report.findings if f.code == "vague-link-text"]
    line = line_of(issue_copy, "Look here:")
    written = issue_copy.read_text().splitlines()[line - 1]
    first = written.index("[here]") + 2
    assert [(f.line, f.column) for f in found] == [(line, first), (line, written.index("[here]", first) + 2)]
    assert all(f.severity == Severity.WARNING for f in found)


def test_two_vague_links_opening_a_field_are_found_in_their_order(issue_copy):
    edit(issue_copy, "    This week I want to share",
          "    [here](https://a.example/) and [here](https://b.example/).\n    This week I want to share")
    report = check_file(issue_copy, CheckOptions(parts={"inbox"}))
    found = [f for f in report.findings if f.code == "vague-link-text"]
    line = line_of(issue_copy, "[here](https://a.example/)")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert [(f.line, f.column) for f in found] == [(line, 6), (line, written.index("[here]", 6) + 2)]


def test_vague_words_spread_over_lines_are_vague_and_an_image_is_no_link(issue_copy):
    edit(issue_copy, "[the paper](", "[read\n            more](")
    assert "vague-link-text" in _codes(issue_copy)
    edit(issue_copy, "[read\n            more](", "[read the paper](")
    edit(issue_copy, "![A chart comparing", "![here")
    assert "vague-link-text" not in _codes(issue_copy)


def test_a_link_text_starting_the_field_is_located_there(issue_copy):
    edit(issue_copy, "    This week I want to share",
          "    [Here](https://www.deeplearning.ai/) I want to share")
    finding = _one(issue_copy, "vague-link-text")
    line = line_of(issue_copy, "[Here](")
    assert (finding.line, finding.column) == (line, 6)


def test_own_domains_without_a_campaign_are_warned_at_the_domains(issue_copy):
    publication = issue_copy.with_name("publication.yaml")
    edit(publication, 'campaign: {source: the-batch, medium: email, campaign: "the-batch-{number}"}\n', "")
    finding = _one(issue_copy, "no-campaign")
    assert finding.message == ("links to your own domains carry no campaign parameters: your "
                               "analytics cannot tell this email's visits apart")
    assert finding.hint == ("set campaign: {source: ..., medium: email, campaign: \"...-{number}\"} "
                            "in publication.yaml")
    assert finding.file == str(publication) and finding.line == line_of(publication, "domains:")
    assert finding.severity == Severity.WARNING
    assert "untagged-link" not in _codes(issue_copy)
    edit(publication, "domains: [deeplearning.ai, www.deeplearning.ai]\n", "")
    assert "no-campaign" not in _codes(issue_copy)  # no own domains: nothing to tag


TAGS = "?utm_source=the-batch&amp;utm_medium=email&amp;utm_campaign=the-batch-321"


def _campaign_findings(issue: Path, old: str, new: str, *, count: int = 1, draft: bool = False):
    built = build(issue)
    assert built.html.count(old) == count
    built.html = built.html.replace(old, new)
    built.draft = draft
    result = PartResult(name="inbox", title="")
    campaign(built, result)
    return result.findings


def test_an_untagged_link_to_an_own_domain_is_warned_where_it_is_written(issue_copy):
    found = _campaign_findings(issue_copy, "https://www.deeplearning.ai/resources/" + TAGS,
                               " https://www.deeplearning.ai/resources/ ")
    assert [(f.code, f.message, f.hint) for f in found] == [
        ("untagged-link", "the link to https://www.deeplearning.ai/resources/ has no campaign parameters",
         "link through the address as written so export can tag it")]
    line = line_of(issue_copy, "https://www.deeplearning.ai/resources/")
    written = issue_copy.read_text().splitlines()[line - 1]
    assert (found[0].file, found[0].line) == (str(issue_copy), line)
    assert found[0].severity == Severity.WARNING
    assert found[0].column == written.index("https://www.deeplearning.ai/resources/") + 1


def test_a_link_missing_one_parameter_is_untagged_and_the_keys_match_in_any_case(issue_copy):
    partial = "https://ai-dev.deeplearning.ai/?utm_source=the-batch&amp;utm_medium=email"
    found = _campaign_findings(issue_copy, "https://ai-dev.deeplearning.ai/" + TAGS, partial)
    assert [f.message for f in found] == [f"the link to {partial.replace('&amp;', '&')} has no "
                                          "campaign parameters"]
    assert found[0].line == line_of(issue_copy, "https://ai-dev.deeplearning.ai/")
    upper = TAGS.replace("utm_", "UTM_")
    assert _campaign_findings(issue_copy, "https://ai-dev.deeplearning.ai/" + TAGS,
                              "https://ai-dev.deeplearning.ai/" + upper) == []


def test_a_link_written_twice_is_one_finding_and_drafts_are_not_looked_at(issue_copy):
    old = "https://www.deeplearning.ai/courses/agentic-ai/" + TAGS
    built = build(issue_copy)
    count = built.html.count(old)
    new = "https://www.deeplearning.ai/courses/agentic-ai/"
    doubled = f'<a href="{new}">a</a><a href="{new}">b</a>'
    built.html = built.html.replace(old, new).replace("</body>", doubled + "</body>")
    result = PartResult(name="inbox", title="")
    campaign(built, result)
    assert count >= 1 and [f.code for f in result.findings] == ["untagged-link"]
    assert _campaign_findings(issue_copy, old, new, count=count, draft=True) == []


@pytest.mark.parametrize("href", ["mailto:news@deeplearning.ai", "https://example.org/",
                                  "http:///www.deeplearning.ai/"])
def test_mail_other_hosts_and_no_host_are_never_untagged(issue_copy, href):
    assert _campaign_findings(issue_copy, "https://www.deeplearning.ai/resources/" + TAGS, href) == []


def test_http_links_to_an_own_domain_are_looked_at_too(issue_copy):
    found = _campaign_findings(issue_copy, "https://www.deeplearning.ai/resources/" + TAGS,
                               "http://www.deeplearning.ai/resources/")
    assert [f.code for f in found] == ["untagged-link"]
