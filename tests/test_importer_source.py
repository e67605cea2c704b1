"""The importer's first stage (authoring.importer.source) and its file stage (.folder)."""

from __future__ import annotations

import shutil

from authoring.importer.folder import publication_for
from authoring.importer.source import REPLACEMENT, cite, prepare
from conftest import ISSUES

TEXT = "Read the guide [1] and the paper [2], or [3] (no such link).\n"
LINKS = "\nLinks\n=====\n[1] https://example.org/guide\n[2] https://example.org/paper\n"


def test_the_links_block_at_the_end_is_taken_off_and_its_numbers_read_as_inline_links():
    prepared = prepare(TEXT + LINKS, source="t.txt")
    assert prepared.text == TEXT
    assert prepared.links == {"1": "https://example.org/guide", "2": "https://example.org/paper"}
    assert cite(prepared.text, prepared.links) == (
        "Read the guide (https://example.org/guide) and the paper (https://example.org/paper), "
        "or [3] (no such link).\n")


def test_a_links_block_not_at_the_end_or_without_its_rule_is_text():
    for text in (TEXT + LINKS + "\nMore text after it.\n", TEXT + LINKS.replace("=====\n", "")):
        prepared = prepare(text, source="t.txt")
        assert prepared.text == text and prepared.links == {}


def test_refused_characters_are_replaced_line_by_line_with_one_warning_per_line():
    prepared = prepare("fine\nbell\x07 and nel\x85\nfine\n\ufffe\n", source="t.txt")
    assert prepared.text == f"fine\nbell{REPLACEMENT} and nel{REPLACEMENT}\nfine\n{REPLACEMENT}\n"
    assert [(w.line, w.file) for w in prepared.warnings] == [(2, "t.txt"), (4, "t.txt")]
    assert "U+0007, U+0085" in prepared.warnings[0].message


def test_the_publication_is_the_outputs_never_one_found_elsewhere(tmp_path):
    given = ISSUES / "publication.yaml"
    assert publication_for(None) is None  # standard output: only a given one counts
    assert publication_for(None, given) == given
    assert publication_for(tmp_path / "out" / "x.yaml") is None
    shutil.copy(given, tmp_path / "publication.yaml")
    assert publication_for(tmp_path / "out" / "deeper" / "x.yaml") is None  # outside a project: never above
    (tmp_path / "pyproject.toml").write_text("")  # inside one: up to its root
    assert publication_for(tmp_path / "out" / "deeper" / "x.yaml") == tmp_path / "publication.yaml"


def test_each_replacement_warning_counts_and_names_the_characters_of_its_line():
    prepared = prepare("one\x07 here\ntwo \x85 and \x07\n", source="t.txt")
    one, two = prepared.warnings
    assert (one.severity.value, one.line, one.message) == (
        "warning", 1, "line 1: 1 character YAML cannot hold (U+0007) replaced with U+FFFD")
    assert two.message == "line 2: 2 characters YAML cannot hold (U+0007, U+0085) replaced with U+FFFD"
    assert one.hint == two.hint == f"delete the {REPLACEMENT} or put the character it stood for"


def test_a_links_block_followed_by_a_line_of_spaces_is_still_taken_off():
    prepared = prepare(TEXT + LINKS + "   \n", source="t.txt")
    assert prepared.text == TEXT and set(prepared.links) == {"1", "2"}


def test_a_links_block_keeps_each_url_whole_and_the_text_above_it_to_its_last_character():
    prepared = prepare("Plan X\nnow X\n\nLinks\n=====\n[1] https://example.org/X\n", source="t.txt")
    assert (prepared.text, prepared.links) == ("Plan X\nnow X\n", {"1": "https://example.org/X"})
    prepared = prepare("A line right above it.\nLinks\n=====\n[1] https://example.org/a\n", source="t.txt")
    assert prepared.text == "A line right above it.\n"


def test_only_a_block_titled_links_and_underlined_is_the_links_block():
    for block in ("\nSources\n=====\n[1] https://example.org/a\n", "\nLinks\nand more\n[1] https://example.org/a\n",
                  "\nLinks\n=====\n"):
        prepared = prepare(TEXT + block, source="t.txt")
        assert (prepared.text, prepared.links) == (TEXT + block, {})


def test_a_text_of_the_links_block_alone_is_left_empty():
    prepared = prepare("Links\n=====\n[1] https://example.org/a\n", source="t.txt")
    assert (prepared.text, prepared.links) == ("\n", {"1": "https://example.org/a"})
