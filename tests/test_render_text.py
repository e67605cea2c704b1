"""The plain-text renderer: the seeds' layout, Markdown made plain, links a reader can follow."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from textwrap import TextWrapper
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from word_compare import missing_words, words

from authoring import model
from authoring.render.text import (
    WIDTH,
    _format,
    _LinkStyle,
    _markdown_chunks,
    _paragraphs,
    _wrap,
    render_text,
)
from authoring.validate import DEFAULT_PUBLICATION, load_issue
from conftest import DATA, ISSUES, ROOT, sample_issues


def _issue(*stories, letter=None, footer=None) -> model.Issue:
    return model.Issue(issue=model.IssueInfo(subject="S"), letter=letter, stories=list(stories),
                       footer=footer)


def _pub(**changes) -> model.Publication:
    return model.Publication(name="P", sender=model.Sender(name="P", email="p@example.org"),
                             unsubscribe_url="", **changes)


def _body(issue: model.Issue, publication: model.Publication | None = None, options=None) -> str:
    """The text after the top block (which, for these issues, is the publication's name alone)."""
    text = render_text(issue, publication or _pub(), options)
    assert text.startswith("P\n\n"), text[:40]
    return text.removeprefix("P\n\n")


@pytest.fixture(scope="module")
def sample():
    validated = load_issue(ISSUES / "0321.yaml")
    return validated.issue, validated.publication, render_text(validated.issue, validated.publication)


def test_sample_reads_like_the_seeds(sample):
    _, publication, text = sample
    assert text.startswith("The Batch\nIssue 321 · November 27, 2026\n"
                           "View in browser: https://www.deeplearning.ai/the-batch/issue-321/\n\n"
                           "Dear friends,\n\nThis week I want")
    assert "\n  • Speed versus control: An API gets" in text
    assert "\n\n\nNews\n====\n\n\n" in text
    assert "\n\nWhat’s new: Researchers trained" in text
    assert "\n  1. Better data beats more data.\n  2. Distillation" in text
    assert "Keep learning!\n\nAndrew\n\nP.S. We just opened registration" in text
    assert ("\n\nA MESSAGE FROM DEEPLEARNING.AI\n\n[Image: Course banner: Agentic AI]\n\n"
            "Learn to build") in text
    assert "\n\nEnroll now: https://www.deeplearning.ai/courses/agentic-ai/\n\n" in text
    assert text.endswith(f"{publication.postal_address}\n\nUnsubscribe: {{{{unsubscribe_url}}}}\n")
    assert "**" not in text and "](" not in text and "![" not in text


def test_links_are_followable_and_lines_wrap_without_breaking_urls(sample):
    _, _, text = sample
    flat = " ".join(text.split())
    assert "the paper (https://arxiv.org/abs/2405.01527)." in flat
    assert "Enroll now: https://www.deeplearning.ai/courses/agentic-ai/" in flat
    # an address shown as the link text is not repeated
    assert "thebatch@deeplearning.ai (mailto:" not in flat
    assert WIDTH == 78  # the plain-text convention (RFC 3676's 78 columns), not just "whatever it is"
    for line in text.splitlines():
        assert len(line) <= 78 or " " not in line.strip(), line
    # and prose fills the lines: a narrower wrap would pass the check above
    assert max(len(line) for line in text.splitlines() if " " in line.strip()) >= 70
    # bullets wrap with a hanging indent under the text
    assert re.search(r"\n  • Speed versus control: .*\n    \S", text)


def test_every_word_of_every_sample_reaches_the_text():
    from authoring.checks import text_fields

    for path in sample_issues():
        validated = load_issue(path)
        text_words = words(render_text(validated.issue, validated.publication))
        info = validated.issue.issue
        for where, value, is_markdown in text_fields(validated.issue):
            if value in (info.subject, info.preheader):
                continue  # metadata belongs to the envelope, not the text part
            assert missing_words(words(value, markdown=is_markdown), text_words) == [], (path, where)


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_deterministic_across_processes(sample, hash_seed):
    """The same bytes from a fresh interpreter with another hash seed (set and dict order of str
    keys change with it), not merely a second call in this process."""
    script = ("import sys; from authoring.validate import load_issue; "
              "from authoring.render.text import render_text; v = load_issue(sys.argv[1]); "
              "sys.stdout.buffer.write(render_text(v.issue, v.publication).encode('utf-8'))")
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(ISSUES / "0321.yaml")], env=env,
                          capture_output=True, check=True, timeout=60)
    assert done.stdout.decode("utf-8") == sample[2]


def test_link_url_rewrites_every_printed_link_but_not_merge_tags_or_unsafe_urls():
    body = ("See [the paper](https://arxiv.org/x), <https://example.org/a>, "
            "[your profile]({{profile_url}}) and [bad](javascript:alert(1)).")
    issue = _issue(model.Text(body=model.Markdown(body)),
                   model.Promo(body=model.Markdown("Join us."),
                               cta=model.Link(text="Sign up", url="https://x.org/s")))
    options = SimpleNamespace(link_url=lambda url: url + "?utm_source=t")
    text = " ".join(_body(issue, _pub(), options).split())
    assert "the paper (https://arxiv.org/x?utm_source=t)" in text
    assert "https://example.org/a?utm_source=t," in text
    assert "your profile and bad." in text
    assert "javascript" not in text and "{{profile_url}}" not in text
    assert "Join us. Sign up: https://x.org/s?utm_source=t" in text


def test_missing_urls_print_just_the_text():
    issue = _issue(model.Promo(body=model.Markdown("Learn more."), cta=model.Link(text="Enroll now")),
                   model.Text(body=model.Markdown("A [link]() here. ![A chart]()")))
    text = _body(issue)
    assert "Learn more.\n\nEnroll now\n" in text
    assert "A link here. [Image: A chart]\n" in text


def test_markdown_escapes_and_emphasis_come_out_literally():
    body = r"Use \*stars\*, *real emphasis*, `code_name` and 1\. not a list; a\_b and \[x\]."
    text = _body(_issue(model.Text(body=model.Markdown(body))))
    assert text.startswith("Use *stars*, real emphasis, code_name and 1. not a list; a_b and [x].")


def test_sections_with_a_label_before_a_list_or_several_paragraphs():
    news = model.News(headline="H", dek=model.Markdown("D."), sections=[
        model.Section(label="How it works", body=model.Markdown("- one\n- two")),
        model.Section(label="Results", body=model.Markdown("First.\n\nSecond.")),
        model.Section(label=None, body=model.Markdown("Plain.")),
    ], image=model.Image(alt="An image"))
    text = _body(_issue(news))
    assert text == ("[Image: An image]\n\nH\n\nD.\n\nHow it works:\n\n  • one\n  • two\n\n"
                    "Results: First.\n\nSecond.\n\nPlain.\n")


def test_footer_of_the_issue_replaces_the_publications():
    pub = _pub(footer=model.Markdown("Publication footer"), postal_address="1 Main St")
    assert _body(_issue(), pub) == "Publication footer\n\n1 Main St\n"
    assert _body(_issue(footer=model.Markdown("Own **footer**")), pub) == "Own footer\n\n1 Main St\n"


def test_long_words_stay_whole_and_hard_breaks_are_kept():
    url = "https://example.org/" + "a" * 90
    body = f"Word {url} end.\\\nNext line"
    text = _body(_issue(model.Text(body=model.Markdown(body))))
    assert text == f"Word\n{url}\nend.\nNext line\n"


def test_letter_without_optional_parts_and_default_publication():
    letter = model.Letter(body=model.Markdown("Hello."), salutation="Hi all,")
    text = render_text(_issue(letter=letter), DEFAULT_PUBLICATION)
    assert text.startswith("Newsletter\n\nHi all,\n\nHello.\n\n\n")


def test_web_mode_has_no_unsubscribe_line():
    pub = _pub(footer=model.Markdown("F"))
    pub.unsubscribe_url = "{{unsubscribe_url}}"
    assert render_text(_issue(), pub).endswith("F\n\nUnsubscribe: {{unsubscribe_url}}\n")
    assert _body(_issue(), pub, SimpleNamespace(mode="web", link_url=None)) == "F\n"


# ---------------------------------------------------------------- wrapping (issue 15: speed)

_WORDS = st.sampled_from(["a", "bb", "word", "x" * 74, "x" * 78, "x" * 80, "https://example.org/" + "p" * 70,
                          " ", "   ", " " * 80, "\t", "\xa0", "•", "10\xa0km", "\u3000", "\x1c", "\u200b",
                          "\x0b", "\r", "\x85"])


@settings(max_examples=400, deadline=None)
@given(line=st.lists(_WORDS, max_size=40).map("".join),
       initial=st.sampled_from(["", "  • ", "    ", "P.S. ", " " * 77, " " * 78, " " * 80]),
       subsequent=st.sampled_from(["", "    ", " " * 79]))
def test_wrapping_breaks_lines_exactly_where_textwrap_does(line, initial, subsequent):
    expected = TextWrapper(width=WIDTH, initial_indent=initial, subsequent_indent=subsequent,
                           break_long_words=False, break_on_hyphens=False).wrap(line)
    assert _wrap(line, initial, subsequent) == "\n".join(expected or [initial.rstrip()])


# Words apart by single spaces, the layout of nearly every paragraph (a shortcut of its own).
_SPACED_WORDS = st.sampled_from(["a", "bb", "word", "sentence.", "x" * 20, "x" * 73, "x" * 74, "x" * 77,
                                 "x" * 78, "x" * 79, "https://example.org/" + "p" * 70, "•", "é"])


@settings(max_examples=600, deadline=None)
@given(line=st.lists(_SPACED_WORDS, max_size=60).map(" ".join),
       initial=st.sampled_from(["", "  • ", "    ", "P.S. ", " " * 73, " " * 77, " " * 78, " " * 80]),
       subsequent=st.sampled_from(["", "    ", " " * 74, " " * 78, " " * 79]))
def test_single_spaced_words_break_exactly_where_textwrap_does(line, initial, subsequent):
    expected = TextWrapper(width=WIDTH, initial_indent=initial, subsequent_indent=subsequent,
                           break_long_words=False, break_on_hyphens=False).wrap(line)
    assert _wrap(line, initial, subsequent) == "\n".join(expected or [initial.rstrip()])


# Fields of every shape, plain (paragraphs, "- " lists) and not, short and long enough to wrap.
_FIELD_PIECES = st.sampled_from(["a", "word", "x" * 30, "x" * 80, " ", "  ", "\n", "\n\n", "- ", "-", "1. ",
                                 "*", "**", "[l](https://x.org)", "é", "\xa0", "\t"])


@settings(max_examples=600, deadline=None)
@given(text=st.lists(_FIELD_PIECES, max_size=30).map("".join),
       prefix=st.sampled_from(["", "Why it matters: ", "P.S. ", " "]))
def test_plain_fields_wrap_as_their_paragraphs_do(text, prefix):
    """A plain field's chunks come straight from its blocks: the same as wrapping its paragraphs."""
    style = _LinkStyle()
    assert _markdown_chunks(text, style, prefix) == _format(_paragraphs(text, style), first_prefix=prefix)


def test_markdown_is_parsed_once_per_field_for_html_and_text(monkeypatch):
    from authoring import markdown
    from authoring.render import render_issue

    validated = load_issue(ISSUES / "001_0c676e81095fd596.yaml")
    markdown.parse.cache_clear()
    seen: list[str] = []
    original = markdown.plain_blocks  # the first step of every uncached parse
    monkeypatch.setattr(markdown, "plain_blocks", lambda src: seen.append(src) or original(src))
    ran: list[str] = []  # markdown-it itself, for the fields that are not plain
    markdown_it = markdown.parser()
    monkeypatch.setattr(markdown_it, "parse", lambda src, env=None, run=markdown_it.parse:
                        ran.append(src) or run(src, env))
    marked: list[str] = []  # the fields that are not plain, whoever makes their tokens
    tokens_of = markdown._tokens_by_parts
    monkeypatch.setattr(markdown, "_tokens_by_parts", lambda src: marked.append(src) or tokens_of(src))
    rendered = render_issue(validated.issue, validated.publication)
    assert rendered.text and len(seen) > 10 and marked
    assert len(seen) == len(set(seen)), "a field parsed twice"
    assert len(marked) == len(set(marked)) and set(marked) <= set(seen), "tokens made outside the cache"
    assert len(ran) == len(set(ran)) and set(ran) <= set(seen), "markdown-it run outside the cache"


# ---------------------------------------------------------------- the layout fixed for issues 12 and 13

TEXT_DATA = DATA / "text"


@pytest.mark.parametrize("style", ["inline", "references"])
def test_fixture_renders_exactly_as_fixed_in_the_brief(style):
    validated = load_issue(TEXT_DATA / "issue.yaml")
    publication = dataclasses.replace(validated.publication, text_links=style)
    expected = (TEXT_DATA / f"{style}.txt").read_text(encoding="utf-8")
    assert render_text(validated.issue, publication) == expected


def test_top_block_leaves_out_what_is_unknown():
    dated = model.Issue(issue=model.IssueInfo(subject="S", date=dt.date(2026, 3, 5)))
    assert render_text(dated, _pub()).startswith("P\nMarch 5, 2026\n\n")
    numbered = model.Issue(issue=model.IssueInfo(subject="S", number=7,
                                                 web_url=model.Url("https://x.org/7")))
    assert render_text(numbered, _pub()).startswith("P\nIssue 7\nView in browser: https://x.org/7\n\n")
    tracked = SimpleNamespace(link_url=lambda url: url + "?utm=1")
    assert "View in browser: https://x.org/7?utm=1\n" in render_text(numbered, _pub(), tracked)


def test_section_labels_are_ruled_and_headlines_alt_text_are_not_bare_alike():
    text = _body(_issue(model.Header(title="AI"), model.Header(title="Feature"),
                        model.News(headline="AI", image=model.Image(alt="AI"))))
    assert text.startswith("AI\n===\n\n\nFeature\n=======\n\n\n[Image: AI]\n\nAI\n")


def test_references_number_each_address_once_and_use_the_tracked_url():
    body = "[a](https://x.org/1), [b](https://x.org/2), [c](https://x.org/1) and <https://x.org/3>."
    tracked = SimpleNamespace(link_url=lambda url: url + "?utm=1")
    text = _body(_issue(model.Text(body=model.Markdown(body))), _pub(text_links="references"),
                 tracked)
    assert text.startswith("a [1], b [2], c [1] and https://x.org/3?utm=1.\n")
    assert text.endswith("\n\n\nLinks\n=====\n[1] https://x.org/1?utm=1\n[2] https://x.org/2?utm=1\n")


def test_inline_style_has_no_links_block():
    text = _body(_issue(model.Text(body=model.Markdown("[a](https://x.org/1)"))))
    assert text == "a (https://x.org/1)\n" and "Links\n=====" not in text


# ---------------------------------------------------------------- addresses, lists, letter, footer


@pytest.mark.parametrize(("body", "plain"), [
    ("Call [+15550100](tel:+15550100) now.", "Call +15550100 now."),  # a tel: autolink shows its number
    ("Call [ +15550100 ](tel:+15550100) now.", "Call  +15550100  now."),
    ("Call <tel:+15550100> now.", "Call tel:+15550100 now."),
    ("Call [the desk](tel:+15550100).", "Call the desk (tel:+15550100)."),
    ("Write [me@x.org](mailto:me@x.org) or <me@x.org>.", "Write me@x.org or me@x.org."),
    ("Write [us](mailto:me@x.org).", "Write us (mailto:me@x.org)."),
    ("See [https://x.org/a](https://x.org/a).", "See https://x.org/a."),
    ("See [x.org/a](https://x.org/a).", "See x.org/a (https://x.org/a)."),
    ("Unsafe [link](javascript:alert(1)) and [tag]({{unsubscribe_url}}).", "Unsafe link and tag."),
])
def test_a_link_that_shows_its_own_address_is_not_followed_by_it_again(body, plain):
    assert _body(_issue(model.Text(body=model.Markdown(body)))) == plain + "\n"


def test_a_tracked_autolink_shows_the_tracked_address_but_mail_and_phone_stay_as_written():
    tracked = SimpleNamespace(link_url=lambda url: url + "?utm=1")
    body = "<https://x.org/a>, <me@x.org>, [+1555](tel:+1555) and [x](https://x.org/b)."
    assert _body(_issue(model.Text(body=model.Markdown(body))), options=tracked) == (
        "https://x.org/a?utm=1, me@x.org, +1555 and x (https://x.org/b?utm=1).\n")


def test_lists_number_from_their_start_nest_by_two_columns_and_keep_later_paragraphs_hanging():
    body = "Intro.\n\n3. three\n4. four\n   - nested\n   - more\n\n   later paragraph\n5. five"
    assert _body(_issue(model.Text(body=model.Markdown(body)))) == (
        "Intro.\n\n  3. three\n  4. four\n    • nested\n    • more\n    later paragraph\n  5. five\n")


def test_a_label_before_a_list_stands_on_its_own_line():
    story = model.News(headline="H", sections=[model.Section(label="Results", body=model.Markdown(
        "- *fast*\n- cheap")), model.Section(label="Yes, but", body=model.Markdown(""))])
    assert _body(_issue(story)) == "H\n\nResults:\n\n  • fast\n  • cheap\n\nYes, but:\n"


def test_the_letter_leaves_out_blank_parts_and_prefixes_the_ps():
    letter = model.Letter(body=model.Markdown("Hello **all**."), salutation="  ", signoff="Keep learning!",
                          signature=" ", ps=model.Markdown("One more *thing*.\n\nAnd another."))
    assert _body(_issue(letter=letter)) == (
        "Hello all.\n\nKeep learning!\n\nP.S. One more thing.\n\nAnd another.\n")
    signed = model.Letter(body=model.Markdown("Hi."), signoff=" ", signature="Andrew", ps=model.Markdown(" "))
    assert _body(_issue(letter=signed)) == "Dear friends,\n\nHi.\n\nAndrew\n"


def test_a_ps_opening_with_a_list_keeps_its_prefix_on_a_line_of_its_own():
    letter = model.Letter(body=model.Markdown("Hi."), ps=model.Markdown("- one\n- two"))
    assert _body(_issue(letter=letter)).endswith("Hi.\n\nP.S.\n\n  • one\n  • two\n")


def test_the_top_block_omits_a_blank_name_and_an_unsafe_or_merge_tag_web_address():
    info = model.IssueInfo(subject="S", number=12, date=dt.date(2026, 11, 27),
                           web_url=model.Url("{{web_url}}"))
    nameless = dataclasses.replace(_pub(), name=" ")
    assert render_text(model.Issue(issue=info), nameless).startswith("Issue 12 · November 27, 2026\n\n")
    info.web_url = model.Url("javascript:alert(1)")
    assert render_text(model.Issue(issue=info), _pub()).startswith("P\nIssue 12 · November 27, 2026\n\n")
    bare = render_text(model.Issue(issue=model.IssueInfo(subject="S")), dataclasses.replace(_pub(), name=""))
    assert bare == "\n"


def test_the_footer_ends_with_the_address_and_the_unsubscribe_line():
    pub = dataclasses.replace(_pub(footer=model.Markdown("You get this because you signed up."),
                                   postal_address="1 Main St"), unsubscribe_url="https://x.org/u")
    assert _body(_issue(), pub) == "You get this because you signed up.\n\n1 Main St\n\nUnsubscribe: https://x.org/u\n"
    assert _body(_issue(model.Header(title="News")), _pub()) == "News\n====\n"  # no footer: no gap


def test_images_without_alt_text_leave_no_line_and_inline_ones_their_alt():
    story = model.News(headline="H", image=model.Image(src="a.png", alt="  "),
                       dek=model.Markdown("A ![chart](c.png) and ![ ](d.png) here."))
    assert _body(_issue(story)) == "H\n\nA [Image: chart] and   here.\n"
    from authoring.render.text import markdown_plain

    assert markdown_plain("A ![chart](c.png) **b**\n\nNext [x](https://x.org).") == \
        "A chart b\n\nNext x (https://x.org)."
    assert markdown_plain("[x](https://x.org/a)", link_url=lambda url: url + "#t") == "x (https://x.org/a#t)"


def test_references_list_each_address_once_under_a_ruled_title():
    body = "[a](https://x.org/1) [b](https://x.org/2) [c](https://x.org/1) [d](mailto:m@x.org)"
    text = _body(_issue(model.Text(body=model.Markdown(body))), _pub(text_links="references"))
    assert text == ("a [1] b [2] c [1] d [3]\n\n\nLinks\n=====\n[1] https://x.org/1\n[2] https://x.org/2\n"
                    "[3] mailto:m@x.org\n")


def test_a_call_to_action_without_a_shown_address_is_its_text_alone():
    for url in (None, "", "{{cta_url}}", "javascript:alert(1)"):
        cta = model.Link(text="Enroll now", url=url)
        assert _body(_issue(model.Promo(body=model.Markdown("B."), cta=cta))) == "B.\n\nEnroll now\n", url
    cta = model.Link(text="Enroll now", url=" https://x.org/c ")
    assert _body(_issue(model.Promo(body=model.Markdown("B."), cta=cta))) == "B.\n\nEnroll now: https://x.org/c\n"


@pytest.mark.parametrize(("line", "wrapped"), [
    ("a\tb", "a       b"),  # a tab: textwrap's own rules (expanded to the next 8th column)
    ("10\xa0km " * 14, ("10\xa0km " * 13).rstrip() + "\n10\xa0km"),  # no break at a no-break space
    ("x\n  y", "x\n  y"),
    ("", ""),
])
def test_wrapping_lines_with_other_whitespace(line, wrapped):
    assert _wrap(line) == wrapped


def test_markdown_plain_leaves_lines_unwrapped_and_keeps_a_paragraph_before_a_list():
    from authoring.render.text import markdown_plain

    long = " ".join(["word"] * 30)  # 149 characters: wrapped at 78 in the email's text
    assert markdown_plain(long) == long
    assert markdown_plain(f"*{long}*") == long
    assert markdown_plain("Intro\n\n- a\n- b") == "Intro\n\n  • a\n  • b"


@pytest.mark.parametrize(("body", "plain"), [
    ("- one\n- two", "  • one\n  • two"),                       # a plain list: one chunk
    ("![chart](c.png)", "[Image: chart]"),                       # an image alone in its paragraph
    ("see `x`", "see x"),                                        # text and code: both kept
    ("a *b*\nc", "a b c"),                                       # a line break becomes a space
    ("1. *a*\n2. b\n\nAfter *x*.", "  1. a\n  2. b\n\nAfter x."),  # the list ends before it
    ("See [https://x.org/*a*](https://x.org/a).", "See https://x.org/a."),  # label in pieces
])
def test_markdown_pieces_reach_the_text(body, plain):
    assert _body(_issue(model.Text(body=model.Markdown(body)))) == plain + "\n"


def test_the_footers_links_are_numbered_with_the_others():
    pub = _pub(footer=model.Markdown("Read [our policy](https://x.org/p)."), text_links="references")
    body = model.Markdown("See [this](https://x.org/a).")
    assert _body(_issue(model.Text(body=body)), pub) == (
        "See this [1].\n\n\nRead our policy [2].\n\n\nLinks\n=====\n[1] https://x.org/a\n"
        "[2] https://x.org/p\n")


def test_a_tracked_http_autolink_shows_the_tracked_address():
    tracked = SimpleNamespace(link_url=lambda url: url + "?utm=1")
    body = model.Markdown("<http://x.org/a>")
    assert _body(_issue(model.Text(body=body)), options=tracked) == "http://x.org/a?utm=1\n"


def test_list_items_and_their_later_paragraphs_wrap_in_the_email_only():
    from authoring.render.text import markdown_plain

    long = " ".join(["word"] * 30)
    assert markdown_plain(f"- *{long}*") == f"  • {long}"
    assert markdown_plain(f"- *a*\n\n  {long}") == f"  • a\n    {long}"
    half = " ".join(["word"] * 15)  # 74 characters: with the 4 of the indent, 78
    hanging = f"    {half}\n    {half}"
    assert _body(_issue(model.Text(body=model.Markdown(f"- *{long}*")))) == (
        "  • " + hanging.removeprefix("    ") + "\n")
    assert _body(_issue(model.Text(body=model.Markdown(f"- *a*\n\n  {long}")))) == (
        f"  • a\n{hanging}\n")


def test_a_line_with_a_tab_wraps_at_78_and_never_at_a_hyphen():
    line = "a\t" + "word " * 13 + "well-known-hyphenated-words and more"
    assert _wrap(line) == ("a       " + " ".join(["word"] * 13)  # 72 columns: the next word would pass 78
                           + "\nwell-known-hyphenated-words and more")


_WORDS_40 = " ".join(["word"] * 40)
_LINE_ONE = "a  " + " ".join(["word"] * 15)  # 77 columns: the next word would pass 78


@pytest.mark.parametrize(("line", "initial", "subsequent", "wrapped"), [
    ("AX  BX", "", "", "AX  BX"),                                  # only spaces dropped at the end
    ("a  " + "b" * 75, "", "", "a  " + "b" * 75),                   # exactly 78: one line
    ("a  " + "b" * 75 + " c", "", "", "a  " + "b" * 75 + "\nc"),    # a word ending at 78 stays
    (" a  b", "x" * 78, "", "x" * 78 + "a\nb"),                    # no room: a word a line
    (" a  b", "x" * 80, "", "x" * 80 + "a\nb"),
    ("a  " + _WORDS_40, "", "    ",
     f"{_LINE_ONE}\n    " + " ".join(["word"] * 15) + "\n    " + " ".join(["word"] * 10)),
    ("a  " + _WORDS_40, "", "y" * 78, f"{_LINE_ONE}\n" + "\n".join(["y" * 78 + "word"] * 25)),
])
def test_lines_with_runs_of_spaces_wrap_as_textwrap_does(line, initial, subsequent, wrapped):
    assert _wrap(line, initial, subsequent) == wrapped
    expected = TextWrapper(width=WIDTH, initial_indent=initial, subsequent_indent=subsequent,
                           break_long_words=False, break_on_hyphens=False).wrap(line)
    assert wrapped == "\n".join(expected)


def test_a_form_feed_is_a_space_to_wrap_at_as_textwrap_makes_it():
    assert _wrap("a\x0cb") == "a b"
    assert _wrap("x" * 40 + "\x0c" + "y" * 40) == "x" * 40 + "\n" + "y" * 40


def test_hard_breaks_hang_under_the_bullet_and_end_no_text():
    assert _wrap("a\nb c", "  • ", "    ") == "  • a\n    b c"
    assert _wrap("AX\nBX\n") == "AX\nBX"  # a break at the end leaves no empty line


def test_a_space_before_a_too_long_word_leaves_no_empty_line():
    line = " " + "x" * 80 + " y"
    assert _wrap(line) == "x" * 80 + "\ny"
    assert _wrap(line) == "\n".join(TextWrapper(width=WIDTH, break_long_words=False,
                                                break_on_hyphens=False).wrap(line))
