"""The importer's letter (authoring.importer.letter): from the salutation to the sign-off, signature
and P.S., and the web-page text before it."""

from __future__ import annotations

import dataclasses

import pytest

from authoring.importer import import_text
from authoring.validate import DEFAULT_PUBLICATION, validate_text


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
    for imported in (result, signed):  # the body is required: written empty, the YAML valid
        assert "\n  salutation: Dear friends,\n  body: ''\n" in imported.yaml
        validated = validate_text(imported.yaml)
        assert validated.report.errors == [] and validated.issue == imported.issue


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


def test_a_sign_off_no_list_knows_ends_the_letter_before_a_signature_a_gap_a_kicker_or_a_ps():
    def letter(after: str):
        result = import_text(f"Dear friends,\n\nHello there.\n\n{after}\n", source="t.txt")
        found = result.issue.letter
        return found.body, found.signoff, found.signature, found.ps

    assert letter("See you next week!\n\nAndrew") == ("Hello there.", "See you next week!", "Andrew", None)
    # a sign-off has at most four words; five are the letter's own line, and so is a list item
    assert letter("See you all next week!\n\nAndrew") == \
        ("Hello there.\n\nSee you all next week!\n\nAndrew", None, None, None)
    assert letter("- One\n- Two!") == ("Hello there.\n\n- One\n- Two!", None, None, None)
    assert letter("We all love SpaceX\n\nAndrew") == \
        ("Hello there.\n\nWe all love SpaceX\n\nAndrew", None, None, None)  # no "!" or ",": no sign-off
    assert letter("Onward and upward!\n\n\nThe next block, a sentence that reads on.") == \
        ("Hello there.", "Onward and upward!", None, None)
    assert letter("Onward and upward!\n\nA SPECIAL MESSAGE FROM DEEPLEARNING.AI\n\nJoin us. Sign up now") == \
        ("Hello there.", "Onward and upward!", None, None)
    assert letter("Onward and upward!\n\nP.S. Write back anytime.") == \
        ("Hello there.", "Onward and upward!", None, "Write back anytime.")
    # and before a sentence of the letter, it is the letter's own line
    assert letter("Onward and upward!\n\nThe rest of the letter, a sentence.\n\nKeep learning!") == \
        ("Hello there.\n\nOnward and upward!\n\nThe rest of the letter, a sentence.", "Keep learning!",
         None, None)


def test_an_image_line_above_the_letter_is_its_first_image_whatever_its_alt_text():
    text = ("[Image: A robot, smiling, waves at the crowd]\n\nDear friends,\n\nHello there.\n\n"
            "Keep learning!\n")
    result = import_text(text, source="t.txt")
    assert result.issue.letter.body == "![A robot, smiling, waves at the crowd]()\n\nHello there."
    assert [w.code for w in result.warnings] == ["cover-caption", "invented-subject"]


def test_without_a_sign_off_the_letter_ends_at_a_ps_a_kicker_or_a_block_gap():
    def read(after: str):
        result = import_text(f"Dear friends,\n\nHello there.\n\n{after}\n", source="t.txt")
        found = result.issue.letter
        return found.body, found.ps, [type(story).__name__ for story in result.issue.stories]

    assert read("P.S. A note.") == ("Hello there.", "A note.", [])
    assert read("A SPECIAL MESSAGE FROM DEEPLEARNING.AI\n\nJoin us. Sign up now") == \
        ("Hello there.", None, ["Promo"])
    assert read("More of the letter.\n\n\nThe next block, a sentence.") == \
        ("Hello there.\n\nMore of the letter.", None, ["Text"])
    # a sign-off is looked for in the line right after it, not the one after that
    assert read("Onward and upward!\n\nThe rest of the letter, a sentence.") == \
        ("Hello there.\n\nOnward and upward!\n\nThe rest of the letter, a sentence.", None, [])


_TWENTY = "Robots " + " ".join(["Factory"] * 18) + " Floor"


@pytest.mark.parametrize(("line", "is_caption"), [
    ("Robots", False), ("Factory Robots", True),  # two to twenty words
    (_TWENTY, True), (_TWENTY.replace("Floor", "Factory Floor"), False),
    ("3D printed robots at work", True),  # opening with a digit, or a capital
    ("The X Prize trophy on display", True),
    ("Robots 🤖 at the fair", False), ("Robots at the fair, at night", False),  # an emoji, a clause
    ("Robots at the fair (2024)", False), ("Robots built for the", False),  # a last word cut off
    ("Robots (left) and drones at work", True), ("Robots in Area-5", True), ("Robots on Floor B", True),
])
def test_a_short_line_in_a_letter_reads_as_a_caption_by_its_words_and_its_end(line, is_caption):
    text = f"Dear friends,\n\nHello there.\n\n{line}\n\nKeep learning!\n"
    body = import_text(text, source="t.txt").issue.letter.body.split("\n\n", 1)[1]
    assert body == (f"![{line}]()" if is_caption else line)


def test_a_question_and_its_answer_among_lead_ins_stay_one_paragraph_with_a_hard_break():
    text = ("Dear friends,\n\nData labeling: Slow and costly.\n\nQuestion: Why so slow?\n"
            "Answer: People label by hand.\n\nModel training: Fast and cheap.\n\nKeep learning!\n")
    assert import_text(text, source="t.txt").issue.letter.body == (
        "**Data labeling:** Slow and costly.\n\nQuestion: Why so slow?\\\nAnswer: People label by hand.\n\n"
        "**Model training:** Fast and cheap.")


def test_a_lead_in_label_has_three_characters_or_more():
    text = ("Dear friends,\n\nOps: Fast and cheap.\n\nData: Slow and costly.\n\nAI: Cheap too.\n\n"
            "Keep learning!\n\nMalcolm X\n")
    letter = import_text(text, source="t.txt").issue.letter
    assert letter.body == "**Ops:** Fast and cheap.\n\n**Data:** Slow and costly.\n\nAI: Cheap too."
    assert letter.signature == "Malcolm X"  # a capital X ends no sentence


def test_list_items_keep_their_depth_and_numbers_in_the_letter():
    text = ("Dear friends,\n\nHello there.\n\n- One\n    - Nested item\n\n  1. First\n  2. Second\n\n"
            "Keep learning!\n")
    assert import_text(text, source="t.txt").issue.letter.body == \
        "Hello there.\n\n- One\n  - Nested item\n1. First\n2. Second"


@pytest.mark.parametrize("label", ["HTTP caching", "WWW history"])
def test_a_line_opening_like_an_address_is_no_lead_in(label):
    text = f"Dear friends,\n\n{label}: Faster pages.\n\nModel training: Fast.\n\nKeep learning!\n"
    assert import_text(text, source="t.txt").issue.letter.body == \
        f"{label}: Faster pages.\n\nModel training: Fast."  # one lead-in left: none is bold


@pytest.mark.parametrize("item", ["1. First", "2) Then", "10. Last one"])
def test_a_numbered_line_in_a_letter_is_its_text_not_an_image(item):
    # short and without a final stop, it passed for a caption: ![1. First]() in the body
    text = f"Dear friends,\n\nHere is my list:\n\n{item}\n\nA sentence after.\n\nKeep learning!\n\nAndrew\n"
    result = import_text(text, source="t.txt")
    body = result.issue.letter.body
    assert "![" not in body and body.splitlines()[2] == item.replace(".", "\\.", 1).replace(")", "\\)", 1)



def test_a_label_with_nothing_after_it_is_no_lead_in():
    # "Notes:" alone introduces what follows: with one real lead-in beside it, none is bold
    text = "Dear friends,\n\nData labeling: Slow and costly.\n\nNotes:\n\nThe rest.\n\nKeep learning!\n"
    assert import_text(text, source="t.txt").issue.letter.body == \
        "Data labeling: Slow and costly.\n\nNotes:\n\nThe rest."


@pytest.mark.parametrize("promo", [
    "A MESSAGE FROM DEEPLEARNING.AIAI agents fail. Enroll now (https://example.org/x)\n",  # glued
    "A MESSAGE FROM DEEPLEARNING.AI\n\nAI agents fail. Enroll now (https://example.org/x)\n",
])
def test_a_promos_kicker_right_under_the_signoff_is_no_signature(promo):
    # one blank line only between the letter and the promo: the kicker was the letter's signature
    result = import_text(f"Dear friends,\n\nNo news this week.\n\nKeep learning!\n\n{promo}", source="t.txt")
    assert result.issue.letter.signoff == "Keep learning!" and result.issue.letter.signature is None
    (story,) = result.issue.stories
    assert story.kicker == "A MESSAGE FROM DEEPLEARNING.AI" and story.cta.url == "https://example.org/x"
