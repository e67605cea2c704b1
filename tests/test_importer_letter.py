"""The importer's letter (authoring.importer.letter): from the salutation to the sign-off, signature
and P.S., and the web-page text before it."""

from __future__ import annotations

import dataclasses

from authoring.importer import import_text
from authoring.validate import DEFAULT_PUBLICATION


def test_the_publications_own_name_above_the_letter_is_never_the_pages_title():
    text = "Home\n\nThe Weekly Robot Digest\n\nDear friends,\n\nHello there.\n\nKeep learning!\n"
    named = dataclasses.replace(DEFAULT_PUBLICATION, name="The Weekly Robot Digest")
    result = import_text(text, source="t.txt", publication=named)
    assert result.subject_from == "file name" and result.issue.issue.subject == "t"
    assert "#   Home\n#   The Weekly Robot Digest\n" in result.yaml  # kept word for word, as a comment
    other = import_text(text, source="t.txt", publication=DEFAULT_PUBLICATION)
    assert (other.subject_from, other.issue.issue.subject) == ("page title", "The Weekly Robot Digest")


def test_numbered_lead_ins_are_bold_as_written_without_escapes_a_label_needs_none_of():
    text = ("Dear friends,\n\n1) Data labeling: Slow and costly.\n\n2) Model training: Fast.\n\n"
            "Keep learning!\n")
    letter = import_text(text, source="t.txt").issue.letter
    assert letter.body == "**1) Data labeling:** Slow and costly.\n\n**2) Model training:** Fast."


def test_a_signature_is_one_to_four_capitalised_words_without_digits_or_a_final_stop():
    def signed(line: str):
        result = import_text(f"Dear friends,\n\nHello there.\n\nKeep learning!\n\n{line}\n", source="t.txt")
        return result.issue.letter.signature, [story.body for story in result.issue.stories]

    assert signed("The Team at DeepLearning") == ("The Team at DeepLearning", [])
    for line in ("The Whole Team at DeepLearning", "andrew", "Team 42", "Andrew."):
        assert signed(line) == (None, [line]), line  # kept after the letter, as text
