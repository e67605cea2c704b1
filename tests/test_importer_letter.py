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


def test_a_salutation_followed_by_another_block_is_an_empty_letter_warned():
    text = "Dear friends,\n\n\nA MESSAGE FROM DEEPLEARNING.AI\n\nJoin us. Sign up now\n"
    result = import_text(text, source="t.txt")
    (promo,) = result.issue.stories  # once read as the letter's first image and paragraph, unwarned
    assert result.issue.letter.body == "" and promo.kicker == "A MESSAGE FROM DEEPLEARNING.AI"
    assert str(result.warnings[0]) == \
        "t.txt:1: warning: line 1: a salutation but no letter after it [empty-letter]"
    signed = import_text("Dear friends,\n\nKeep learning!\n\nAndrew\n", source="t.txt")
    assert [w.code for w in signed.warnings] == ["invented-subject"]  # a sign-off ends a letter: not empty


def test_a_rest_of_up_to_twelve_title_case_words_is_a_title_not_a_lead_in():
    twelve = "Lessons From Two Decades of Search at Biggest Labs in the World"

    def body(rest: str) -> str:
        text = f"Dear friends,\n\nData labeling: {rest}\n\nModel training: {rest}\n\nKeep learning!\n"
        return import_text(text, source="t.txt").issue.letter.body

    assert len(twelve.split()) == 12 and "**" not in body(twelve)
    assert body(f"{twelve} Today").startswith(f"**Data labeling:** {twelve} Today\n\n**Model training:**")
    assert "**" not in body("Lessons Learned")  # two words are a title too; one is a lead-in's text
    assert body("Lessons") == "**Data labeling:** Lessons\n\n**Model training:** Lessons"
    assert "**" not in body("Lessons From “Deep Learning”")  # a word opened by a quote is title case
    assert body("Lessons From e-Commerce").startswith("**Data labeling:** Lessons From e-Commerce\n")


def test_a_short_exclamation_with_a_colon_is_no_sign_off():
    text = "Dear friends,\n\nHello.\n\nBig news: we won!\n\nAndrew\n"
    letter = import_text(text, source="t.txt").issue.letter
    assert (letter.body, letter.signoff) == ("Hello.\n\nBig news: we won!\n\nAndrew", None)
