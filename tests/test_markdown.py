"""authoring.markdown: the parse shortcut for plain paragraphs must give markdown-it's own tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authoring import markdown

# Characters that matter to the shortcut's test: markup, whitespace of every kind, list markers.
ALPHABET = "ab xyz.:,%&#=~-+*_[]()<>!`\\\t\r\0\n\n\n\u00a0\u3000\x0c\x0b0129é"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_parse_equals_markdown_it_for_any_text(text):
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


@pytest.mark.parametrize("text", [
    "One plain sentence.",
    "A dek that runs: on, with 50% & more.\nAnd a second line.\n",
    "Ünïcödé text — with dashes – and “quotes”.",
])
def test_plain_paragraphs_take_the_shortcut(text):
    lines = markdown.plain_paragraph_lines(text)
    assert lines is not None
    assert markdown.parse.__wrapped__(text) == tuple(markdown.parser().parse(text))


@pytest.mark.parametrize("text", [
    "", "**bold**", "a [link](https://x.org)", "- item", "1. item", "two\n\nparagraphs",
    " leading space", "trailing space ", "tab\there", "escaped \\*", "<https://x.org>", "`code`",
    "line\n\n", "a\r\nb", "image ![alt](x.png)",
])
def test_anything_else_goes_to_markdown_it(text):
    assert markdown.plain_paragraph_lines(text) is None
