"""Building the typed model: the 'did you mean' suggestions."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from authoring.diagnostics import suggest
from authoring.house import CUSTOMARY_LABELS

_WORDS = st.text(alphabet="abcKIW’ ", max_size=12) | st.sampled_from(CUSTOMARY_LABELS).flatmap(
    lambda label: st.sampled_from([label, label.upper(), label.lower(), label.title(), label[:-1]]))


@given(_WORDS, st.lists(st.text(alphabet="abcKIW’ ", max_size=12), max_size=6).map(
    lambda extra: CUSTOMARY_LABELS + extra))
def test_a_suggestion_is_difflibs_closest_match(word, choices):
    """A word that differs from a choice only in case is answered without difflib: the answer
    it would give, since nothing is closer than the same letters."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    assert suggest(word, choices) == (lowered[match[0]] if match else None)


def test_a_label_in_other_case_is_suggested_as_written_in_the_list():
    assert suggest("Key Insight", CUSTOMARY_LABELS) == "Key insight"
    assert suggest("What it says", CUSTOMARY_LABELS) == "Why it matters"


def test_a_remembered_suggestion_is_for_the_choices_asked_about():
    """Suggestions are remembered by word and choices together: the same word among other
    choices gets their closest one, or none."""
    assert suggest("titel", ["title", "body"]) == "title"
    assert suggest("titel", ["body", "image"]) is None
    assert suggest("titel", ["Title"]) == "Title"
    assert suggest("titel", {"headline": 1, "titles": 2}) == "titles"  # a mapping's keys are its choices
