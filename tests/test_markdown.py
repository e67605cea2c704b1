"""authoring.markdown: the parse shortcut for plain paragraphs must give markdown-it's own tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authoring import markdown

# Characters that matter to the shortcut's test: markup, whitespace of every kind, list markers.
ALPHABET = "ab xyz.:,%&#=~-+*_[]()<>!`\\\t\r\0\n\n\n\n\u00a0\u3000\x0c\x0b0129é"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_parse_equals_markdown_it_for_any_text(text):
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


# Mostly plain paragraphs, with the characters that could open a list: the shortcut's own ground.
PLAIN_ALPHABET = "ab xy.)-+*\n\n\n1209é "


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=PLAIN_ALPHABET, max_size=60))
def test_parse_equals_markdown_it_for_plain_looking_text(text):
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


LINES = ["", "", "Plain words here.", "more text, 50% & so on", "- An item.", "- another item",
         "-  indented item", "- - nested", "- 1. ordered", "2. ordered", "+ plus", "-", " lead",
         "trail ", "1999 was a year", "-5% or so", "wow!", "Read ![this](x.png)", "a **b**"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12), st.booleans())
def test_parse_equals_markdown_it_for_any_sequence_of_blocks(lines, final_newline):
    text = "\n".join(lines) + ("\n" if final_newline else "")
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


@pytest.mark.parametrize("text", [
    "One plain sentence.",
    "A dek that runs: on, with 50% & more.\nAnd a second line.\n",
    "First paragraph.\n\nSecond one, 2021 was a year\n-5% or 3.5 million.\n\n\nThird.\n",
    "Ünïcödé text — with dashes – and “quotes”.",
    "- item",
    "How it works: the model reads text.\n- It splits words.\n- It counts them!\n\nThen it stops.\n",
])
def test_plain_paragraphs_take_the_shortcut(text):
    blocks = markdown.plain_blocks(text)
    assert blocks is not None
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


@pytest.mark.parametrize("text", [
    "", "**bold**", "a [link](https://x.org)", "1. item", "+ item", "- a\n\n- loose", "- a\nlazy",
    "- - nested", "-  indented", "- 1. ordered", "- ",
    " leading space", "trailing space ", "tab\there", "escaped \\*", "<https://x.org>", "`code`",
    "a\r\nb", "image ![alt](x.png)", "text\n\n2. item", "text\n \nblank with a space",
])
def test_anything_else_goes_to_markdown_it(text):
    assert markdown.plain_blocks(text) is None


def _scheme_the_slow_way(url: str) -> str | None:
    import re
    import unicodedata

    cleaned = "".join(ch for ch in url if not unicodedata.category(ch).startswith("C"))
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned.replace(" ", "").lower())
    return match.group(1) if match else None


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=12), st.sampled_from(
    ["javascript:alert(1)", "https://x.org", "mailto:a@b.org", "x.png", "data:,x"]))
def test_url_scheme_is_what_a_browser_sees(prefix, url):
    for candidate in (prefix + url, url[:3] + prefix + url[3:]):
        assert markdown.url_scheme(candidate) == _scheme_the_slow_way(candidate)
