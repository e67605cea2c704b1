"""The paragraphs check: walls of text and runs of glued words, whatever wrote them."""

from __future__ import annotations

import textwrap

import pytest

from authoring import checks
from authoring.checks import LONG_PARAGRAPH_CHARS, long_or_glued
from authoring.validate import validate_text


def _issue(body: str) -> str:
    return textwrap.dedent("""\
        issue:
          subject: Test
          preheader: A preview line that is long enough to pass its own check.
        stories:
          - text: |
        """) + textwrap.indent(body, "      ") + "\n"


def _found(body: str) -> list:
    return [d for d in validate_text(_issue(body)).report.diagnostics
            if d.code in ("long-paragraph", "glued-words")]


def _sentence_paragraph(length: int) -> str:
    text = ("A plain sentence of ordinary words. " * (length // 36 + 1))[:length - 1].rstrip() + "."
    return text + "x" * (length - len(text))


def test_a_paragraph_is_long_past_2000_characters_not_at_2000():
    assert len(_sentence_paragraph(LONG_PARAGRAPH_CHARS)) == LONG_PARAGRAPH_CHARS == 2000
    assert _found(_sentence_paragraph(LONG_PARAGRAPH_CHARS)) == []
    (found,) = _found(_sentence_paragraph(LONG_PARAGRAPH_CHARS + 1))
    assert found.code == "long-paragraph" and "2,001 characters" in found.message


def test_the_finding_points_at_the_long_paragraph_not_the_first():
    body = "A short first paragraph.\n\nAnother short one.\n\n" + _sentence_paragraph(2500)
    text = _issue(body)
    (found,) = _found(body)
    assert text.splitlines()[found.line - 1].strip().startswith("A plain sentence")


@pytest.mark.parametrize("text, glued", [
    ("Welcome to the show.Thanks for having me.So what is hard for a robot todayPicking things up.", 3),
    ("WEBVTTKind: captionsLanguage: enWelcome back.", 2),
])
def test_runs_of_glued_words_from_three_on(text, glued):
    found = [c for c, _, _ in long_or_glued(text) if c == "glued-words"]
    assert found == (["glued-words"] if glued >= checks.MIN_GLUED_WORDS else [])


def test_brands_urls_and_code_are_not_glued_words():
    text = ("DeepMind, YouTube, JavaScript, GitHub, LinkedIn and TensorFlow ship tools; see "
            "https://example.org/fooBar/bazQux/quuxCorge or `myVar.Foo barBaz.Qux` and mail a@b.Org.")
    assert list(long_or_glued(text)) == []


def test_a_glued_run_is_warned_in_validate_with_examples():
    (found,) = _found("Welcome to the show.Thanks for having me.So what is hard todayPicking up things.")
    assert found.code == "glued-words" and "'show.Thanks'" in found.message and "3 words" in found.message


def test_the_check_is_named_in_the_registry():
    assert "paragraphs" in checks.REGISTRY.checks
