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


# ---------------------------------------------------------------- the quick count before the pattern

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import sample_issues  # noqa: E402


def _joins(text: str) -> int:
    return len(checks._GLUED_JOIN.findall(text))


@pytest.mark.parametrize("text", [
    "show.Thanks me!So why?Not",  # each final mark
    "todayPicking upThings andMore",  # no mark
    "café.Thanks naïveWord señorMore",  # non-ASCII letters before the word
    "ab.Cd ef!Gh ij?Kl",  # the shortest joins
    "x.Yz aa.Bb cc.Dd",  # a one-letter word is no join: two of three
    "Ünïcödé wordsÄre not.Ascii capsÖk",
])
def test_the_quick_count_never_skips_a_paragraph_the_pattern_would_flag(text):
    if _joins(text) >= checks.MIN_GLUED_WORDS:
        assert checks._may_glue(text)


def test_the_quick_count_is_at_the_boundary_of_three():
    assert not checks._may_glue("one twoThree fourFive")
    assert checks._may_glue("one twoThree fourFive sixSeven")
    assert checks._may_glue("one two.Three four!Five six?Seven")
    assert not checks._may_glue("one twoThree four.Five")  # two
    assert not checks._may_glue("DeepMind and OpenAI")  # two "aA", as the pattern's two: none


@given(st.text(alphabet="aZ.!? \n-éÉ’_1", max_size=60))
def test_the_quick_count_is_at_least_the_patterns(text):
    if _joins(text) >= checks.MIN_GLUED_WORDS:
        assert checks._may_glue(text)
    assert list(long_or_glued(text)) == _long_or_glued_by_pattern(text)


def _long_or_glued_by_pattern(text: str) -> list:
    """long_or_glued as it was, every paragraph scanned by the pattern."""
    found = []
    for offset, part in checks.paragraphs(text):
        if len(part) > LONG_PARAGRAPH_CHARS:
            found.append((checks.codes.LONG_PARAGRAPH, f"a paragraph of {len(part):,} characters (over "
                          f"{LONG_PARAGRAPH_CHARS:,})", offset))
        if _joins(part) < checks.MIN_GLUED_WORDS:
            continue
        glued = [w for w in checks._NOT_PROSE.sub(" ", part).split() if checks._GLUED_WORD.search(w)]
        if len(glued) >= checks.MIN_GLUED_WORDS:
            examples = ", ".join(f"'{word[:30]}'" for word in glued[:3])
            found.append((checks.codes.GLUED_WORDS, f"{len(glued)} words glued together ({examples}…)",
                          offset))
    return found


def test_every_field_of_the_samples_gives_what_the_pattern_gives():
    from authoring.load import load_file
    from authoring.structure import build_issue

    for path in sample_issues():
        issue = build_issue(load_file(path))[0]
        for _path, text, _markdown in checks._walk_text_fields(issue):
            assert list(long_or_glued(text)) == _long_or_glued_by_pattern(text)


@given(st.lists(st.sampled_from(["ab", "cd", "Ef", "Gh", "x", "Y", "I", ".", "!", "?", " ", "é", "É", "_",
                                 "1", "’", "-", "\n\n", "\n", "mage", "Net", "\ud800"]), max_size=30))
def test_words_glued_or_not_are_found_as_the_pattern_finds_them(pieces):
    text = "".join(pieces)
    if _joins(text) >= checks.MIN_GLUED_WORDS:
        assert checks._may_glue(text)
    assert list(long_or_glued(text)) == _long_or_glued_by_pattern(text)


def test_brands_named_again_and_again_need_no_pattern():
    """A run of lower-case letters inside a word (ImageNet's "mage") starts no glued join."""
    text = "ImageNet and VentureBeat and ImageNet and DeepMind, again ImageNet."
    assert _joins(text) == 0 and not checks._may_glue(text)
    assert checks._may_glue("see.Then we.Went so.Far")


def test_a_lone_surrogate_a_yaml_escape_wrote_is_read_not_raised():
    text = "A paragraph \ud800 with one.Then two.Then three.Glued joins"
    assert checks._may_glue(text)
    assert list(long_or_glued(text)) == _long_or_glued_by_pattern(text) != []
    source = 'issue:\n  subject: Test\nstories:\n  - text: "A long enough paragraph \\ud800 of text."\n'
    found = validate_text(source).report.diagnostics
    assert "control-character" in {d.code for d in found}
